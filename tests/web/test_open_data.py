"""Open data (R19 d, R21) over HTTP against the running application: every dataset as CSV
and JSON from a record made through chat, the data dictionary page, ``datapackage.json``
validated by Frictionless from a folder of downloads, the inbox without its senders, and
a bounded number of queries whatever the number of sessions."""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import frictionless
import httpx
import pytest
from sqlalchemy import event, select

from domain import open_data as od
from storage.db import engine_of
from storage.files import sha256_hex
from storage.models import (
    InboxMessage,
    Meeting,
    Member,
    Presence,
    Seat,
    SeatBallot,
    Secretariat,
    SignedMinutes,
    Vote,
)
from tests.e2e.test_action_plan import PRESUPUESTO
from tests.e2e.test_minutes import signed_session
from tests.e2e.test_sessions import AGENDA, _convene
from tests.e2e.test_votes import _open_electronic, _vote
from tests.harness import FACILITATOR, GROUP_ID, TITULARS, Harness, Zamora, setup_zamora

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")

#: Seeded into every personal field of the inbox: none of it may be published (R21).
SECRETS = (
    "Mi vecino de la calle Hidalgo 12 tira basura",
    "Tomasa Quiroga Reservada",
    "tomasa.reservada@example.com",
    "+52 351 555 0199",
    "Colectivo Confidencial",
    "BZN-2026-0001",
)


async def _seed_inbox(h: Harness) -> None:
    """Three messages written straight into the table (the forms are tested elsewhere)."""
    now = h.clock()
    async with h.db.begin() as session:
        sid = await session.scalar(select(Secretariat.id))
        facilitator = await session.scalar(select(Member.id).where(Member.role == "facilitador"))
        session.add_all(
            [
                InboxMessage(
                    secretariat_id=sid,
                    form="buzon",
                    year=2026,
                    sequence=1,
                    folio="BZN-2026-0001",
                    category="queja",
                    text=SECRETS[0],
                    sender_name=SECRETS[1],
                    contact=f"{SECRETS[2]} · {SECRETS[3]}",
                    received_at=now - timedelta(days=3),
                    form_nonce="n1",
                    status="atendido",
                    answered_at=now - timedelta(days=1),
                    answered_by=facilitator,
                ),
                InboxMessage(
                    secretariat_id=sid,
                    form="buzon",
                    year=2026,
                    sequence=2,
                    folio="BZN-2026-0002",
                    category="duda",
                    text="¿Cuándo es la próxima sesión?",
                    received_at=now - timedelta(days=2),
                    form_nonce="n2",
                ),
                InboxMessage(
                    secretariat_id=sid,
                    form="participa",
                    year=2026,
                    sequence=1,
                    folio="PAR-2026-0001",
                    category="participa",
                    text="Quiero sumarme",
                    sender_name=SECRETS[1],
                    sector=SECRETS[4],
                    contact=SECRETS[2],
                    received_at=now,
                    form_nonce="n3",
                ),
            ]
        )


async def _record(h: Harness) -> Zamora:
    """A real record through chat: session #1 held with two votes and signed minutes sent
    to the garante, agreements followed up, a commitment with milestones, an electronic
    vote outside any session, session #2 convened; plus inbox messages."""
    z, _ = await signed_session(h)
    assert "enviada" in await h.say(z.facilitator, "/acta_enviada 1 Oficio STM/001")
    assert "ACU-2026-001" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    await h.say(z.facilitator, "/responsable ACU-2026-001 academia")
    await h.say(z.facilitator, "/plazo ACU-2026-001 2027-01-29")
    assert "en proceso" in await h.say(
        z.titulars["academia"], "/seguimiento ACU-2026-001 en_proceso Oficio STM/003"
    )
    assert "ACU-2026-002" in await h.say(
        z.facilitator, '/acuerdo Invitar a la "Red de Jóvenes, A.C."\na la próxima sesión'
    )
    assert "C-1" in await h.say(z.facilitator, PRESUPUESTO)
    assert "C-1.1" in await h.say(z.facilitator, "/hito C-1 2027-01-31 Publicar el presupuesto")
    assert "C-1.2" in await h.say(z.facilitator, "/hito C-1 2027-03-31 3 Tablero de gasto")
    await h.say(z.titulars["academia"], "/avance C-1.1 hecho evidencia: https://zamora.gob.mx/p")
    h.clock.advance(hours=1)
    since = await _open_electronic(h, z, "Adherirse a la Alianza para el Gobierno Abierto")
    for seat in TITULARS:
        await _vote(h, z.titulars[seat], since, "En contra" if seat == "garante" else "A favor")
    await _convene(h, z, "/convocar ordinaria 2026-12-21 10:00 Sala de Cabildo" + AGENDA)
    await _seed_inbox(h)
    return z


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def _cell(value: Any) -> str:
    """A JSON value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@contextmanager
def _loopback_only() -> Iterator[None]:
    """Any connection or name look-up beyond 127.0.0.1 fails loudly (the validator must
    read the package and its CSV files from disk only)."""
    connect, lookup = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access to {address!r}")
        connect(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "::1", "localhost", None):
            raise AssertionError(f"name look-up of {host!r}")
        return lookup(host, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_lookup
    try:
        yield
    finally:
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.getaddrinfo = lookup


async def test_every_dataset_from_a_real_record(harness: Harness, tmp_path: Path) -> None:
    h = harness
    z = await _record(h)
    async with h.db() as session:
        signed = await session.scalar(select(SignedMinutes))
    assert signed is not None
    assert signed.sha256 is not None
    folder = tmp_path / "datos"
    folder.mkdir()
    files: dict[str, list[dict[str, str]]] = {}
    async with httpx.AsyncClient(base_url=h.web_url) as web:
        for data in od.DATASETS:
            response = await web.get(f"/zamora/datos/{data.name}.csv")
            rows = _csv(response)
            assert response.headers["content-disposition"] == (
                f'attachment; filename="zamora-{data.name}.csv"'
            )
            assert response.headers["access-control-allow-origin"] == "*"
            assert response.headers["last-modified"].endswith(" GMT")
            assert not response.content.startswith(b"\xef\xbb\xbf")  # no BOM
            header = response.content.split(b"\r\n", 1)[0].decode()
            assert header == ",".join(data.field_names)
            # ISO 8601: dates AAAA-MM-DD, moments with seconds and the offset (-06:00)
            for row in rows:
                for field in data.fields:
                    value = row[field.name]
                    if value and field.type is od.FieldType.DATE:
                        assert DATE.fullmatch(value), (data.name, field.name, value)
                    if value and field.type is od.FieldType.DATETIME:
                        assert MOMENT.fullmatch(value), (data.name, field.name, value)
                        assert value.endswith("-06:00")
            files[data.name] = rows
            (folder / f"{data.name}.csv").write_bytes(response.content)
            # the JSON has the same rows, typed, with the dataset's metadata
            document = (await web.get(f"/zamora/datos/{data.name}.json")).json()
            assert document["conjunto"] == data.name
            assert document["secretariado"] == "Zamora"
            assert document["licencia"]["nombre"] == "Términos de Libre Uso MX"
            assert document["total_registros"] == len(rows)
            assert [{k: _cell(v) for k, v in r.items()} for r in document["registros"]] == rows
        package = await web.get("/zamora/datos/datapackage.json")
        assert package.headers["content-type"] == "application/json"
        (folder / "datapackage.json").write_bytes(package.content)

    sesiones = files["sesiones"]
    assert [(r["numero"], r["estado"], r["fecha"]) for r in sesiones] == [
        ("1", "concluida", "2026-12-07"),
        ("2", "convocada", "2026-12-21"),
    ]
    assert sesiones[0]["inicio"] == "2026-12-07T10:00:00-06:00"
    assert sesiones[0]["titulo"] == "Primera Sesión Ordinaria 2026"
    assert sesiones[0]["orden_del_dia"].startswith("Lista de asistencia y declaración de quórum |")
    assert (sesiones[0]["asientos_presentes"], sesiones[0]["asientos_totales"]) == ("4", "5")
    assert sesiones[1]["instalada_en"] == ""

    # one row per seat and held session; the substitute stood in for academia (R3)
    asistencia = {r["asiento_clave"]: r for r in files["asistencia"]}
    assert len(files["asistencia"]) == 5
    assert {r["sesion"] for r in files["asistencia"]} == {"1"}
    assert asistencia["academia"]["asistente"] == "Marta Ruiz"
    assert asistencia["academia"]["calidad"] == "suplente"
    assert asistencia["gobierno"]["asistente"] == "Felipe Armando Umaña Melo"
    assert asistencia["ciudadania"]["asistio"] == "false"
    assert asistencia["ciudadania"]["asistente"] == ""

    # one row per seat and vote: the ballot that counted (R3, R13), public acts (R21)
    votes = files["votaciones"]
    assert [(r["votacion"], r["sesion"]) for r in votes].count(("1", "1")) == 4  # agenda (R10)
    second = {r["asiento_clave"]: r for r in votes if r["votacion"] == "2"}
    assert set(second) == {"gobierno", "garante", "sociedad_civil", "academia"}  # present only
    assert second["garante"]["voto"] == "en_contra"
    assert second["academia"]["voto"] == "abstencion"
    assert (second["academia"]["votante"], second["academia"]["calidad"]) == (
        "Marta Ruiz",
        "suplente",
    )
    assert second["gobierno"]["resultado"] == "Aprobado por mayoría"
    assert second["gobierno"]["asunto"] == "Aprobar el calendario de sesiones 2027"
    electronic = [r for r in votes if r["votacion"] == "3"]
    assert len(electronic) == 5
    assert {r["sesion"] for r in electronic} == {""}  # outside any session
    assert {r["tipo"] for r in electronic} == {"electronica"}
    assert len(votes) == 13

    acuerdos = {r["codigo"]: r for r in files["acuerdos"]}
    assert acuerdos["ACU-2026-001"]["responsable_asiento"] == "academia"
    assert acuerdos["ACU-2026-001"]["responsable"] == "Academia"
    assert acuerdos["ACU-2026-001"]["plazo"] == "2027-01-29"
    assert acuerdos["ACU-2026-001"]["estado"] == "en_proceso"
    assert acuerdos["ACU-2026-001"]["sesion"] == "1"
    assert acuerdos["ACU-2026-002"]["texto"] == (
        'Invitar a la "Red de Jóvenes, A.C." a la próxima sesión'
    )  # commas, quotes and accents survive the CSV (line breaks: tests/domain)

    (compromiso,) = files["compromisos"]
    assert (compromiso["clave"], compromiso["titulo"]) == ("C-1", "Presupuesto abierto")
    assert (compromiso["hitos"], compromiso["hitos_cumplidos"]) == ("2", "1")
    assert compromiso["avance"] == "25.0"  # weights 1 and 3: one quarter done
    assert compromiso["nivel"] == "limitado"
    assert compromiso["inicio"] == "2027-01-01"
    hitos = {r["clave"]: r for r in files["hitos"]}
    assert hitos["C-1.1"]["cumplido"] == "true"
    assert hitos["C-1.1"]["evidencia"] == "https://zamora.gob.mx/p"
    assert (hitos["C-1.2"]["peso"], hitos["C-1.2"]["cumplido_en"]) == ("3", "")

    (acta,) = files["actas"]
    assert acta["estado_acta"] == "firmada"
    assert acta["sha256"] == signed.sha256
    assert sha256_hex(h.app.files.get(signed.sha256)) == acta["sha256"]  # the file's hash
    assert acta["archivo"] == f"/zamora/archivos/{acta['sha256']}/acta-sesion-1-firmada.pdf"
    assert (acta["estado_envio"], acta["via_envio"]) == ("enviada_a_tiempo", "manual")
    assert acta["plazo_envio"] == "2026-12-31"

    buzon = files["buzon"]
    assert [(r["formulario"], r["categoria"], r["estado"]) for r in buzon] == [
        ("buzon", "queja", "atendido"),
        ("buzon", "duda", "recibido"),
        ("participa", "participa", "recibido"),
    ]
    assert buzon[0]["recibido_el"] == "2026-12-04"
    assert buzon[0]["atendido_el"] == "2026-12-06"

    # the folder of downloads is a valid Frictionless Data Package (keys, enums, types)
    with _loopback_only():
        report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert z.group == GROUP_ID


async def test_the_inbox_and_the_roster_never_reach_open_data(harness: Harness) -> None:
    """R21: only category, form, dates and status of inbox messages; no Telegram ids."""
    z = await setup_zamora(harness)
    await _seed_inbox(harness)
    ids = [FACILITATOR[0], *(uid for uid, _, _ in TITULARS.values()), GROUP_ID]
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        responses = [
            await web.get("/zamora/datos"),
            await web.get("/zamora/datos/datapackage.json"),
        ]
        for data in od.DATASETS:
            for suffix in ("csv", "json"):
                responses.append(await web.get(f"/zamora/datos/{data.name}.{suffix}"))
        buzon = _csv(await web.get("/zamora/datos/buzon.csv"))
    assert len(buzon) == 3
    for response in responses:
        assert response.status_code == 200
        text = response.text + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in SECRETS:
            assert secret not in text, (response.url, secret)
        for telegram_id in ids:
            assert not re.search(rf"(?<![\w-]){telegram_id}(?!\w)", text), (
                response.url,
                telegram_id,
            )
    assert z.facilitator == FACILITATOR[0]


async def test_the_page_lists_every_dataset_with_its_dictionary(harness: Harness) -> None:
    z = await setup_zamora(harness)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        page = await web.get("/zamora/datos")
        assert page.status_code == 200
        assert page.text.count("<h1") == 1
        assert 'aria-current="page">Datos abiertos<' in page.text
        for data in od.DATASETS:
            assert f'href="/zamora/datos/{data.name}.csv"' in page.text
            assert f'href="/zamora/datos/{data.name}.json"' in page.text
            assert f"Diccionario de datos: {data.name}" in page.text
            for field in data.fields:
                assert f'<span class="codigo">{field.name}</span>' in page.text
        assert 'href="/zamora/datos/datapackage.json"' in page.text
        assert "fecha y hora (ISO 8601 con desfase)" in page.text
        assert 'href="https://datos.gob.mx/libreusomx"' in page.text
        assert "Términos de Libre Uso MX" in page.text
        assert "Última actualización:</strong>" in page.text
        assert "viernes 27 de noviembre de 2026, 10:00 h" in page.text  # the roster's binding
        # the licence is a setting (R19 d): the page, the files and the package follow it
        answer = await harness.say(z.facilitator, "/ajustar licencia CC BY 4.0")
        assert "CC BY 4.0" in answer
        page = await web.get("/zamora/datos")
        assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page.text
        package = (await web.get("/zamora/datos/datapackage.json")).json()
        assert package["licenses"] == [
            {
                "name": "CC-BY-4.0",
                "title": "CC BY 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ]
        assert package["last_modified"] == "2026-11-27T10:00:00-06:00"
        document = (await web.get("/zamora/datos/actas.json")).json()
        assert document["licencia"]["nombre"] == "CC BY 4.0"
        assert document["registros"] == []
        empty = _csv(await web.get("/zamora/datos/actas.csv"))
        assert empty == []


async def test_unknown_datasets_and_secretariats_are_the_spanish_404(harness: Harness) -> None:
    await setup_zamora(harness)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        for path in (
            "/zamora/datos/nada.csv",
            "/zamora/datos/nada.json",
            "/zamora/datos/sesiones.xlsx",
            "/zamora/datos/datapackage.csv",
            "/zamora/datos/..%2Fsesiones.csv",
            "/otra/datos/sesiones.csv",
            "/otra/datos",
            "/otra/datos/datapackage.json",
        ):
            response = await web.get(path)
            assert response.status_code == 404, path
            assert "Página no encontrada" in response.text, path
        refused = await web.post("/zamora/datos/sesiones.csv")
        assert refused.status_code == 405


async def test_a_client_that_has_the_file_gets_304(harness: Harness) -> None:
    await setup_zamora(harness)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        first = await web.get("/zamora/datos/sesiones.csv")
        etag = first.headers["etag"]
        again = await web.get("/zamora/datos/sesiones.csv", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        weak = await web.get("/zamora/datos/sesiones.csv", headers={"If-None-Match": f"W/{etag}"})
        assert weak.status_code == 304  # as a compressing proxy sends it back
        head = await web.head("/zamora/datos/sesiones.csv")
        assert head.status_code == 200
        assert head.headers["etag"] == etag
        other = await web.get("/zamora/datos/sesiones.csv", headers={"If-None-Match": '"x"'})
        assert other.status_code == 200
        # a new fact changes the file, and so its ETag
        await _seed_inbox(harness)
        changed = await web.get("/zamora/datos/buzon.csv", headers={"If-None-Match": etag})
        assert changed.status_code == 200


async def _many_sessions(h: Harness, sessions: int, *, first: int = 1) -> None:
    """``sessions`` held sessions × 10 seats × 3 closed votes, inserted directly (chat
    would take minutes); ballots for the five bound titulars."""
    now = h.clock()
    async with h.db.begin() as session:
        sid = await session.scalar(select(Secretariat.id))
        assert sid is not None
        facilitator = await session.scalar(select(Member.id).where(Member.role == "facilitador"))
        assert facilitator is not None
        seats = list(await session.scalars(select(Seat).where(Seat.secretariat_id == sid)))
        for n in range(len(seats), 10):
            seat = Seat(
                secretariat_id=sid,
                key=f"asiento_{n}",
                name=f"Asiento {n}",
                position=n + 1,
                created_at=now,
            )
            session.add(seat)
            seats.append(seat)
        await session.flush()
        titulars = dict(
            (
                await session.execute(
                    select(Member.seat_id, Member.id).where(Member.role == "titular")
                )
            )
            .tuples()
            .all()
        )
        for number in range(first, first + sessions):
            start = now + timedelta(days=number)
            meeting = Meeting(
                secretariat_id=sid,
                number=number,
                kind="ordinaria",
                title=f"Sesión {number}",
                starts_at=start,
                place="Sala de Cabildo",
                agenda=["Lista de asistencia", "Asuntos generales"],
                state="concluida",
                created_at=now,
                created_by=facilitator,
                convened_at=now,
                roll_call_at=start,
                installed_at=start,
                concluded_at=start + timedelta(hours=2),
                quorum_required=6,
                seats_present=len(titulars),
                seats_total=10,
            )
            session.add(meeting)
            await session.flush()
            for seat_id, member_id in titulars.items():
                session.add(
                    Presence(meeting_id=meeting.id, member_id=member_id, seat_id=seat_id, at=start)
                )
            for k in range(3):
                vote = Vote(
                    secretariat_id=sid,
                    meeting_id=meeting.id,
                    kind="sesion",
                    text=f"Propuesta {number}.{k}",
                    state="cerrada",
                    created_at=start,
                    created_by=facilitator,
                    opened_at=start,
                    closed_at=start + timedelta(minutes=10),
                    eligible_seats=[s.id for s in seats],
                    outcome="Aprobado por consenso",
                )
                session.add(vote)
                await session.flush()
                for seat_id, member_id in titulars.items():
                    session.add(
                        SeatBallot(
                            vote_id=vote.id,
                            seat_id=seat_id,
                            role="titular",
                            member_id=member_id,
                            choice="a_favor",
                            at=start + timedelta(minutes=5),
                        )
                    )


@contextmanager
def _statements(h: Harness) -> Iterator[list[str]]:
    """The SQL statements the application runs meanwhile."""
    seen: list[str] = []
    engine = engine_of(h.db).sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("path", ["votaciones.csv", "asistencia.json", "datapackage.json", ""])
async def test_queries_do_not_grow_with_the_record(harness: Harness, path: str) -> None:
    """24 sessions × 10 seats × 3 votes cost the same statements as 2 sessions."""
    await setup_zamora(harness)
    url = f"/zamora/datos/{path}" if path else "/zamora/datos"
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        await _many_sessions(harness, 2)
        with _statements(harness) as few:
            small = await web.get(url)
        await _many_sessions(harness, 22, first=3)
        with _statements(harness) as many:
            large = await web.get(url)
    assert small.status_code == large.status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 20, many
    if path == "votaciones.csv":
        assert len(_csv(large)) == 24 * 3 * 10
        assert len(_csv(small)) == 2 * 3 * 10
