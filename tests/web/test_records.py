"""The public record pages (R19 a, b): minutes with their signed files and SHA-256, the
sending to the garante, evidence and communiqués; the action plan with its SVG chart;
the agenda and its calendar feed; the per-seat attendance and voting record — all over
HTTP against the running application, after driving the sessions through chat.

R21: names, seats and per-seat ballots are public acts; Telegram ids and usernames are
not, and never appear.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx
from icalendar import Calendar
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Meeting,
    Member,
    MinutesVersion,
    Secretariat,
    SessionEvidence,
    StoredFile,
)
from storage.services import public_attendance, public_record
from tests.e2e.test_action_plan import PRESUPUESTO
from tests.e2e.test_cancellations import _answer as cancellation_answer
from tests.e2e.test_minutes import held_session, signed_session
from tests.e2e.test_sessions import SUPLENTE, _convene, _with_substitute
from tests.e2e.test_votes import _open_electronic, _vote
from tests.harness import ADMIN_ID, Harness, Zamora, setup_zamora
from web.records import IMMUTABLE

ZONE = "America/Mexico_City"
HOSTILE = '<script>alert("x")</script>'
PHOTO = b"\xff\xd8\xff\xe0" + b"foto de la sesion " * 200
DOCUMENT = b"%PDF-1.4 lista de asistencia firmada"


class _Tables(HTMLParser):
    """Every ``<table>`` of a page as rows of cell texts (``th`` and ``td`` alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_with(html: str, caption_start: str) -> list[list[str]]:
    """The table whose ``<caption>`` starts with ``caption_start`` (rows of cells)."""
    found = [
        rows
        for rows, caption in zip(
            tables(html), re.findall(r"<caption>(.*?)</caption>", html, re.S), strict=True
        )
        if " ".join(caption.split()).startswith(caption_start)
    ]
    assert found, f"no table captioned {caption_start!r}"
    return found[0]


def text_of(html: str) -> str:
    """The page's visible text, one line (tags removed, entities kept as written)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def assert_page(response: httpx.Response, section: str) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.count("<h1") == 1
    assert f'href="/zamora/{section}" aria-current="page"' in response.text


async def reads(h: Harness, read: Callable[[AsyncSession, int], Awaitable[object]]) -> int:
    """How many SQL statements a page's read model runs for Zamora (a few, none per row).

    Counted on the one connection the read runs on, so the bot's own background work
    (notices, the scheduler) never adds to it.
    """
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    async with h.db() as session:
        secretariat_id = await session.scalar(
            select(Secretariat.id).where(Secretariat.slug == "zamora")
        )
        assert secretariat_id is not None
        connection = (await session.connection()).sync_connection
        assert connection is not None
        event.listen(connection, "before_cursor_execute", count)
        try:
            await read(session, secretariat_id)
        finally:
            event.remove(connection, "before_cursor_execute", count)
    return len(seen)


async def telegram_identities(h: Harness) -> list[str]:
    """What R21 keeps off every page: Telegram ids (and the fake world's usernames)."""
    async with h.db() as session:
        return [
            str(i) for i in await session.scalars(select(Member.telegram_user_id)) if i is not None
        ]


async def add_evidence(
    h: Harness, meeting_id: int, member_id: int, number: int, data: bytes, **fields: str
) -> str:
    """What ``/evidencia`` stores: the bytes in the file store, a StoredFile and the row."""
    sha = h.app.files.put(data)
    now = h.clock()
    async with h.db.begin() as session:
        if await session.get(StoredFile, sha) is None:
            session.add(
                StoredFile(
                    sha256=sha, size=len(data), media_type=fields["media_type"], created_at=now
                )
            )
            await session.flush()
        session.add(
            SessionEvidence(
                meeting_id=meeting_id,
                number=number,
                kind=fields["kind"],
                sha256=sha,
                filename=fields["filename"],
                media_type=fields["media_type"],
                size=len(data),
                caption=fields.get("caption", ""),
                created_at=now,
                created_by=member_id,
            )
        )
    return sha


async def first_meeting(h: Harness) -> tuple[int, int]:
    """(session #1's id, the facilitator's roster entry)."""
    async with h.db() as session:
        meeting = await session.scalar(select(Meeting).where(Meeting.number == 1))
        assert meeting is not None
        return meeting.id, meeting.created_by


# ------------------------------------------------------------------------- /actas, files


async def test_minutes_page_signed_file_evidence_and_communiques(harness: Harness) -> None:
    h = harness
    z, _ = await signed_session(h)  # session #1 held, drafted, circulated and signed
    meeting_id, facilitator = await first_meeting(h)
    await h.say(z.facilitator, f"/acuerdo Publicar el calendario {HOSTILE}")
    assert "Comunicado" in await h.say(
        z.facilitator, f"/comunicado Aviso {HOSTILE} a la población"
    )
    await h.say(z.facilitator, "/comunicado Segundo aviso: sesión el 15 de enero.")
    photo = await add_evidence(
        h,
        meeting_id,
        facilitator,
        1,
        PHOTO,
        kind="foto",
        filename="Sesión en cabildo.jpg",
        media_type="image/jpeg",
        caption=f"Pase de lista {HOSTILE}",
    )
    document = await add_evidence(
        h,
        meeting_id,
        facilitator,
        2,
        DOCUMENT,
        kind="documento",
        filename="lista.html",  # stored as typed; never served as a page
        media_type="text/html",
    )
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        page = await web.get("/zamora/actas")
        assert_page(page, "actas")
        now = h.clock()
        assert await reads(h, lambda db, sid: public_record.minutes(db, sid, now=now)) == 9
        html = page.text
        text = text_of(html)
        # the session: title, local date and time, place, quorum, agenda
        assert "Primera Sesión Ordinaria 2026" in text
        assert "lunes 7 de diciembre de 2026, 10:00 h" in text
        assert "Sala de Cabildo, Guerrero Ote. 82" in text
        assert "4 de 5 asientos presentes; se requerían 3. Instalada con quórum." in text
        assert "Seguimiento del PAM" in text
        # the signed minutes: a download link with the SHA-256 in full, signed, not sealed
        shown = re.findall(r'<span class="hash">([0-9a-f]{64})</span>', html)
        signed_sha = shown[0]
        assert f'href="/zamora/archivos/{signed_sha}/acta-sesion-1-firmada.pdf"' in html
        assert "Firmada el lunes 7 de diciembre de 2026" in text
        assert "sin sello PAdES" in text
        # R15: not sent yet (no mail configured): pending, with its deadline
        assert "pendiente de envío" in text
        assert "plazo: 31 dic 2026" in text
        # the votes with their results (R10, R12)
        votes = table_with(html, "Votaciones de la sesión")
        assert votes[0] == ["Votación", "Resultado", "A favor", "En contra", "Abstención"]
        assert votes[1][1:] == ["Aprobado por consenso", "4", "0", "0"]
        assert "Aprobación del orden del día" in votes[1][0]
        assert "Aprobar el calendario de sesiones 2027" in votes[2][0]
        assert votes[2][1:] == ["Aprobado por mayoría", "2", "1", "1"]
        # the agreement, the evidence and the communiqués: every typed string escaped
        assert "<script>" not in html
        assert html.count("&lt;script&gt;") == 3  # the agreement, a caption, a communiqué
        assert "ACU-2026-001" in text
        assert "Fotografía 1: Pase de lista" in text
        assert f'href="/zamora/archivos/{photo}/Sesi%C3%B3n%20en%20cabildo.jpg"' in html
        assert "Descargar Sesión en cabildo.jpg" in text
        assert "3.5 KB" in text
        assert photo in shown
        assert document in shown
        assert text.index("Comunicado 2") < text.index("Comunicado 1")  # newest first
        assert "Aviso &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; a la población" in html

        # the signed file: the bytes hash to the SHA-256 shown; named, typed, immutable
        signed = await web.get(f"/zamora/archivos/{signed_sha}/acta-sesion-1-firmada.pdf")
        assert signed.status_code == 200
        assert hashlib.sha256(signed.content).hexdigest() == signed_sha
        assert signed.content.startswith(b"%PDF")
        assert signed.headers["content-type"] == "application/pdf"
        assert signed.headers["content-disposition"] == (
            'attachment; filename="acta-sesion-1-firmada.pdf"; '
            "filename*=UTF-8''acta-sesion-1-firmada.pdf"
        )
        assert signed.headers["cache-control"] == IMMUTABLE
        assert signed.headers["x-content-type-options"] == "nosniff"
        assert (await web.get(f"/zamora/archivos/{signed_sha}")).content == signed.content
        again = await web.get(
            f"/zamora/archivos/{signed_sha}", headers={"If-None-Match": signed.headers["etag"]}
        )
        assert again.status_code == 304
        # evidence: its own name (RFC 5987) and type; an HTML file is only bytes to save
        got = await web.get(f"/zamora/archivos/{photo}")
        assert got.content == PHOTO
        assert got.headers["content-type"] == "image/jpeg"
        assert got.headers["content-disposition"] == (
            'attachment; filename="Sesion en cabildo.jpg"; '
            "filename*=UTF-8''Sesi%C3%B3n%20en%20cabildo.jpg"
        )
        got = await web.get(f"/zamora/archivos/{document}/lista.html")
        assert got.content == DOCUMENT
        assert got.headers["content-type"] == "application/octet-stream"
        assert got.headers["content-disposition"].startswith("attachment;")

        # refusals: a draft version, another secretariat's address, unknown or malformed
        async with h.db() as session:
            draft_sha = await session.scalar(select(MinutesVersion.sha256))
        assert draft_sha is not None
        await h.say(ADMIN_ID, "/nuevo_stm Jacona")
        refused = [
            f"/zamora/archivos/{draft_sha}",  # R14: only the signed file is public
            f"/jacona/archivos/{signed_sha}",  # Zamora's file under another secretariat
            f"/jacona/archivos/{photo}",
            f"/zamora/archivos/{'0' * 64}",
            f"/zamora/archivos/{signed_sha.upper()}",
            "/zamora/archivos/no-es-un-hash",
            f"/no-existe/archivos/{signed_sha}",
        ]
        for path in refused:
            response = await web.get(path)
            assert response.status_code == 404, path
            assert "Página no encontrada" in response.text, path
        assert (await web.get("/jacona/actas")).status_code == 200
        assert "Aún no hay sesiones celebradas" in (await web.get("/jacona/actas")).text

        # R15: once marked sent, the page says so
        await h.say(z.facilitator, "/acta_enviada 1 Entregada en oficialía de partes")
        text = text_of((await web.get("/zamora/actas")).text)
        assert "Enviada al organismo garante el lunes 7 de diciembre de 2026" in text
        assert "enviada a tiempo" in text

        # a stored file altered or lost on disk is never served: the error page, logged
        lost = hashlib.sha256(b"nunca guardado").hexdigest()
        async with h.db.begin() as session:
            session.add(
                StoredFile(sha256=lost, size=14, media_type="image/png", created_at=h.clock())
            )
            await session.flush()
            session.add(
                SessionEvidence(
                    meeting_id=meeting_id,
                    number=3,
                    kind="foto",
                    sha256=lost,
                    filename="perdida.png",
                    media_type="image/png",
                    size=14,
                    caption="",
                    created_at=h.clock(),
                    created_by=facilitator,
                )
            )
        broken = await web.get(f"/zamora/archivos/{lost}")
        assert broken.status_code == 500
        assert "Error del sitio" in broken.text

        # R21: no Telegram id on the page
        html = (await web.get("/zamora/actas")).text
        for identity in await telegram_identities(h):
            assert not re.search(rf"\b{identity}\b", html), identity


# -------------------------------------------------------------------- /agenda, .ics


SECOND = (
    "/convocar ordinaria 2026-12-14 10:00 Casa de la Cultura\n1. Informe\n2. Asuntos generales"
)


async def test_agenda_and_calendar_feed(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        empty = await web.get("/zamora/agenda")
        assert_page(empty, "agenda")
        assert "No hay sesiones convocadas por ahora." in empty.text
        feed = Calendar.from_ical((await web.get("/zamora/agenda.ics")).content)
        assert feed.walk("VEVENT") == []
        assert feed.walk("VTIMEZONE")

        since = await _convene(h, z)  # session #1, Monday 2026-12-07 10:00
        attachment = next(
            c for c in h.fake.sent_to(z.titulars["gobierno"], since) if c.method == "sendDocument"
        )
        convocation = Calendar.from_ical(
            h.fake.file(attachment.result["document"]["file_id"]).data
        )
        (convened_event,) = convocation.walk("VEVENT")
        await _convene(h, z, SECOND)  # session #2, cancelled below (R11)
        mark = h.fake.mark()
        assert "Solicitud de cancelación enviada" in await h.say(
            z.facilitator, "/cancelar 2 Contingencia por lluvias <b>fuertes</b>"
        )
        for uid in z.titulars.values():
            await cancellation_answer(h, uid, mark, "Apruebo la cancelación")

        page = await web.get("/zamora/agenda")
        assert_page(page, "agenda")
        now = h.clock()
        assert (
            await reads(h, lambda db, sid: public_record.agenda(db, sid, now=now, time_zone=ZONE))
            == 2
        )
        html = page.text
        text = text_of(html)
        upcoming = text[text.index("Próximas sesiones") : text.index("canceladas recientemente")]
        assert "Primera Sesión Ordinaria 2026" in upcoming
        assert "lunes 7 de diciembre de 2026, 10:00 h" in upcoming
        assert "Sala de Cabildo, Guerrero Ote. 82" in upcoming
        assert "Seguimiento del PAM" in upcoming
        assert "Segunda Sesión Ordinaria 2026" not in upcoming
        cancelled = text[text.index("canceladas recientemente") :]
        assert "Segunda Sesión Ordinaria 2026" in cancelled
        assert "cancelada" in cancelled
        assert "lunes 14 de diciembre de 2026" in cancelled
        assert "Contingencia por lluvias &lt;b&gt;fuertes&lt;/b&gt;" in html
        assert 'href="/zamora/agenda.ics"' in html
        assert "webcal://127.0.0.1:" in html
        assert 'type="text/calendar"' in html

        first = await web.get("/zamora/agenda.ics")
        assert first.status_code == 200
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(first.content)
        assert str(calendar["X-WR-CALNAME"]) == "STM de Zamora — sesiones"
        (zone,) = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "America/Mexico_City"
        events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
        assert set(events) == {
            "Primera Sesión Ordinaria 2026 — STM de Zamora",
            "Segunda Sesión Ordinaria 2026 — STM de Zamora",
        }
        one = events["Primera Sesión Ordinaria 2026 — STM de Zamora"]
        two = events["Segunda Sesión Ordinaria 2026 — STM de Zamora"]
        # the subscriber's event is the convocation attachment's event
        assert str(one["UID"]) == str(convened_event["UID"])
        assert str(one["UID"]) == "stm-1@stm_prueba_bot"
        assert one["SEQUENCE"] == 0
        assert str(one["STATUS"]) == "CONFIRMED"
        assert one.decoded("DTSTART") == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
        assert str(one["LOCATION"]) == "Sala de Cabildo, Guerrero Ote. 82"
        assert "2. Seguimiento del PAM" in str(one["DESCRIPTION"])
        assert str(two["STATUS"]) == "CANCELLED"
        assert two["SEQUENCE"] == 1
        # stable: the same UIDs (and bytes) on a second fetch, and a 304 by its ETag
        second = await web.get("/zamora/agenda.ics")
        assert [str(e["UID"]) for e in Calendar.from_ical(second.content).walk("VEVENT")] == [
            str(e["UID"]) for e in calendar.walk("VEVENT")
        ]
        assert second.content == first.content
        cached = await web.get(
            "/zamora/agenda.ics", headers={"If-None-Match": first.headers["etag"]}
        )
        assert cached.status_code == 304

        # 50 days later both sessions are older than the 30-day window
        h.clock.advance(days=50)
        late = Calendar.from_ical((await web.get("/zamora/agenda.ics")).content)
        assert late.walk("VEVENT") == []
        text = text_of((await web.get("/zamora/agenda")).text)
        assert "No hay sesiones convocadas por ahora." in text
        assert "canceladas recientemente" not in text
        assert (await web.get("/no-existe/agenda.ics")).status_code == 404


# ------------------------------------------------------------------------ /compromisos


async def test_action_plan_page_with_and_without_commitments(harness: Harness) -> None:
    h = harness
    z = await _with_substitute(h)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        empty = await web.get("/zamora/compromisos")
        assert_page(empty, "compromisos")
        assert "El plan de acción aún no se ha cargado." in empty.text
        assert "<svg" not in empty.text

        assert "Compromiso registrado" in await h.say(z.facilitator, PRESUPUESTO)
        await h.say(
            z.facilitator, f"/compromiso Mercado {HOSTILE}\nresponsable: Dirección de Servicios"
        )
        await h.say(z.facilitator, "/hito C-1 2026-12-15 Publicar el presupuesto 2027")
        await h.say(z.facilitator, "/hito C-1 2027-01-31 2 Tablero de gasto")
        await h.say(z.facilitator, "/hito C-1 2027-03-31 Informe trimestral")
        await h.say(
            z.titulars["academia"], "/avance C-1.1 hecho evidencia: https://zamora.gob.mx/p?a=1"
        )
        await h.say(z.facilitator, "/nivel C-2 limitado Arrancó antes de registrar hitos")

        page = await web.get("/zamora/compromisos")
        assert_page(page, "compromisos")
        today = h.clock().date()
        assert await reads(h, lambda db, sid: public_record.plan(db, sid, today=today)) == 2
        html = page.text
        text = text_of(html)
        # the chart: inline SVG, an image with a title, labels as escaped text
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert 'role="img"' in svg
        assert "<title" in svg
        assert "Avance ponderado de los compromisos del plan de acción" in svg
        assert "C-1 Presupuesto abierto" in svg
        assert "25 % · limitado" in svg
        assert "&lt;script&gt;" in svg
        assert "<script" not in html
        # the same figures in a table
        progress = table_with(html, "Avance por compromiso")
        assert progress[1] == ["C-1 Presupuesto abierto", "limitado", "25 %", "1 de 3"]
        assert progress[2][1:] == ["limitado (asignado)", "0 %", "0 de 0"]
        levels = table_with(html, "Compromisos por nivel")
        assert levels[1:] == [
            ["no iniciado", "0"],
            ["limitado", "2"],
            ["sustancial", "0"],
            ["completo", "0"],
        ]
        # OGP fields, milestones with due date, weight, state and evidence
        assert "La ciudadanía no sabe en qué se gasta" in text
        assert "Publicar el gasto cada mes" in text
        assert "Colectivo Zamora Abierta" in text
        assert "1 ene 2027 a 31 dic 2027" in text
        assert "transparencia, rendición de cuentas" in text
        milestones = table_with(html, "Hitos de C-1")
        assert milestones[0] == [
            "Hito",
            "Descripción",
            "Fecha compromiso",
            "Peso",
            "Estado",
            "Evidencia",
        ]
        assert milestones[1][:4] == ["C-1.1", "Publicar el presupuesto 2027", "15 dic 2026", "1"]
        assert milestones[1][4].startswith("cumplido")
        assert milestones[1][5] == "https://zamora.gob.mx/p?a=1"
        assert milestones[2][:5] == ["C-1.2", "Tablero de gasto", "31 ene 2027", "2", "pendiente"]
        assert "Nivel asignado por el Secretariado: Arrancó antes de registrar hitos." in text
        assert "Aún no tiene hitos registrados." in text
        # a milestone past its date is overdue (the clock moves, nothing else)
        h.clock.advance(days=30)
        milestones = table_with((await web.get("/zamora/compromisos")).text, "Hitos de C-1")
        assert milestones[2][4] == "pendiente"  # due 2027-01-31: not yet
        h.clock.advance(days=40)
        milestones = table_with((await web.get("/zamora/compromisos")).text, "Hitos de C-1")
        assert milestones[2][4] == "vencido"


# ------------------------------------------------------------------------- /asistencia


async def test_attendance_and_voting_record_per_seat(harness: Harness) -> None:
    h = harness
    z = await held_session(h)  # academia by its substitute, ciudadanía absent
    since = await _open_electronic(h, z, "Adoptar la guía de datos abiertos")
    for uid in (z.titulars["gobierno"], z.titulars["garante"], z.titulars["ciudadania"]):
        await _vote(h, uid, since, "A favor")
    await _vote(h, z.titulars["sociedad_civil"], since, "En contra")
    await _vote(h, SUPLENTE, since, "Abstención")  # R3: counted, the titular did not vote
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        page = await web.get("/zamora/asistencia")
        assert_page(page, "asistencia")
        assert await reads(h, public_attendance.attendance) == 6
        html = page.text
        summary = table_with(html, "Asistencia por asiento en 1 sesión celebrada")
        assert summary[1:] == [
            ["Gobierno municipal", "1", "1", "0", "0", "3"],
            ["Organismo garante local", "1", "1", "0", "0", "3"],
            ["Sociedad civil", "1", "1", "0", "0", "3"],
            ["Academia", "1", "0", "1", "0", "3"],
            ["Ciudadanía", "1", "0", "0", "1", "1"],
        ]
        matrix = table_with(html, "Asistencia y votos por asiento — Primera Sesión Ordinaria 2026")
        header = matrix[0]
        assert header[:2] == ["Asiento", "Asistencia"]
        assert len(header) == 4  # the agenda vote and the calendar vote
        assert matrix[1:] == [
            [
                "Gobierno municipal",
                "Titular Felipe Armando Umaña Melo",
                "A favor",
                "A favor",
            ],
            ["Organismo garante local", "Titular Roberto García Escobar", "A favor", "En contra"],
            ["Sociedad civil", "Titular José de Jesús Michel Sahagún", "A favor", "A favor"],
            ["Academia", "Suplente Marta Ruiz", "A favor (suplente)", "Abstención (suplente)"],
            ["Ciudadanía", "Ausente", "—", "—"],  # absent: not entitled to vote (R13)
        ]
        electronic = table_with(html, "Votos por asiento en las votaciones electrónicas")
        assert [row[1] for row in electronic[1:]] == [
            "A favor",
            "A favor",
            "En contra",
            "Abstención (suplente)",
            "A favor",
        ]
        text = text_of(html)
        assert "Adoptar la guía de datos abiertos" in text
        assert "Aprobar el calendario de sesiones 2027 — Aprobado por mayoría" in text
        # R21: names are public acts; Telegram ids and usernames are not
        for identity in await telegram_identities(h):
            assert not re.search(rf"\b{identity}\b", html), identity
        # another secretariat's record is its own
        await h.say(ADMIN_ID, "/nuevo_stm Jacona")
        other = await web.get("/jacona/asistencia")
        assert other.status_code == 200
        assert "Umaña" not in other.text
        assert "Aún no hay sesiones celebradas." in other.text


async def test_an_open_vote_shows_no_ballots_yet(harness: Harness) -> None:
    h = harness
    z: Zamora = await setup_zamora(h)
    since = await _open_electronic(h, z, "Aprobar el informe anual")
    await _vote(h, z.titulars["gobierno"], since, "A favor")
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        html = (await web.get("/zamora/asistencia")).text
        assert "Aprobar el informe anual — en votación" in text_of(html)
        assert "Votos por asiento en las votaciones electrónicas" not in html
