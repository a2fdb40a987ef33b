"""``/importar`` end to end: a sheet of people in, one file of invitation links out.

commands.md "Roster in bulk"; R1–R3 (seats, one titular and one substitute each,
observers without seat), R21 (links are personal; nothing is published).
"""

from __future__ import annotations

import csv
import io

from storage.models import Invitation, Member
from tests.e2e.queries import audit_actions, count, snapshot
from tests.harness import Harness, bind, setup_zamora, token_in
from tests.spreadsheets import xlsx


async def send_file(
    h: Harness,
    user_id: int,
    data: bytes,
    filename: str,
    *,
    caption: str | None = "/importar",
    chat_id: int | None = None,
) -> str:
    """The user sends a document; returns the text of the bot's first answer."""
    since = h.fake.mark()
    update_id = h.fake.send_document(user_id, data, filename, chat_id=chat_id, caption=caption)
    await h.settled(update_id)
    call = await h.fake.wait_for("sendMessage", since=since, chat_id=chat_id or user_id)
    return call.text or ""


def links_file(h: Harness, chat_id: int, since: int = 0) -> list[dict[str, str]]:
    """The one links CSV the bot sent to ``chat_id`` since ``since``, parsed."""
    sent = [
        c
        for c in h.fake.calls_to("sendDocument", since)
        if c.ok and str(c.params["chat_id"]) == str(chat_id)
    ]
    assert len(sent) == 1, sent
    assert sent[0].params["document"].filename == "invitaciones.csv"
    text = sent[0].params["document"].data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


SHEET_CSV = (
    "\ufeffTipo;Sector;Nombre\r\n"
    "titular;jovenes;Julia Joven\r\n"
    "suplente;GOBIERNO;Sara Suplente\r\n"
    ";;\r\n"
    "Suplente;Sociedad Civil;Sergio <b>Civil</b>\r\n"
    "observador;;Omar Observador\r\n"
    "Observadora;;Olga Observa\r\n"
)


async def test_csv_import_adds_everyone_and_answers_one_links_file(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    await harness.say(z.facilitator, "/asiento jovenes Jóvenes de Zamora")
    invitations = await count(harness.db, Invitation)
    since = harness.fake.mark()
    answer = await send_file(harness, z.facilitator, SHEET_CSV.encode(), "integrantes.csv")
    assert "Registré 5 integrante(s): 1 titular(es), 2 suplente(s) y 2 observador(es)" in answer
    assert "del #7 al #11" in answer
    assert "vence el 2026-12-04 10:00" in answer  # 7 days, in Mexico City time
    links = links_file(harness, z.facilitator, since)
    assert [(r["n"], r["fila"], r["tipo"], r["sector"], r["nombre"]) for r in links] == [
        ("7", "2", "titular", "jovenes", "Julia Joven"),
        ("8", "3", "suplente", "gobierno", "Sara Suplente"),
        ("9", "5", "suplente", "sociedad_civil", "Sergio <b>Civil</b>"),
        ("10", "6", "observador", "", "Omar Observador"),
        ("11", "7", "observador", "", "Olga Observa"),
    ]
    assert all(r["vence"] == "2026-12-04 10:00" for r in links)
    assert len({r["enlace"] for r in links}) == 5
    assert await count(harness.db, Invitation) == invitations + 5
    actions = await audit_actions(harness.db)
    assert actions[-6:] == ["member.added"] * 5 + ["roster.imported"]
    roster = await harness.say(z.facilitator, "/integrantes")
    assert "Suplente: #8 Sara Suplente ⏳ sin vincular" in roster
    assert "Titular: #7 Julia Joven ⏳ sin vincular" in roster
    assert "#11 Olga Observa ⏳ sin vincular" in roster
    # a link from the file binds its person, once
    harness.fake.add_user(5008, "Sara", "Suplente")
    assert "Listo" in await bind(harness, 5008, token_in(links[1]["enlace"]))
    assert "Suplente: #8 Sara Suplente ✅" in await harness.say(z.facilitator, "/integrantes")
    harness.fake.add_user(5009, "Otra", "Persona")
    assert "Listo" not in await bind(harness, 5009, token_in(links[1]["enlace"]))


async def test_names_in_the_answer_are_escaped(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    sheet = "tipo,sector,nombre\nobservador,,Ana <script>&amp;\ntitular,<i>x</i>,Bea\n"
    answer = await send_file(harness, z.facilitator, sheet.encode(), "a.csv")
    assert "no hay un asiento «<i>x</i>»" in answer
    html = harness.fake.sent_to(z.facilitator)[-1].html or ""
    assert "&lt;i&gt;x&lt;/i&gt;" in html


async def test_xlsx_sent_right_after_the_command_without_caption(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    ask = await harness.say(z.facilitator, "/importar")
    assert "Envíame ahora el archivo" in ask
    data = xlsx(
        [
            ["NOMBRE", "Tipo", "Séctor"],
            ["Marta Ruiz", "suplente", "academia"],
            [None, None, None],
            ["Luis Observa", "observador", None],
        ]
    )
    since = harness.fake.mark()
    answer = await send_file(harness, z.facilitator, data, "lista.xlsx", caption=None)
    assert "Registré 2 integrante(s)" in answer
    links = links_file(harness, z.facilitator, since)
    assert [(r["n"], r["fila"], r["nombre"]) for r in links] == [
        ("7", "2", "Marta Ruiz"),
        ("8", "4", "Luis Observa"),
    ]
    harness.fake.add_user(5100, "Luis")
    assert "Listo" in await bind(harness, 5100, token_in(links[1]["enlace"]))
    # the pending /importar was used: the next file is not an import
    before = await snapshot(harness.db)
    again = await send_file(harness, z.facilitator, data, "lista.xlsx", caption=None)
    assert "No estaba esperando ningún archivo" in again
    assert await snapshot(harness.db) == before


async def test_bad_rows_are_each_named_and_nothing_is_added(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    roster = await harness.say(z.facilitator, "/integrantes")
    before = await snapshot(harness.db)
    sheet = (
        "tipo,sector,nombre\n"
        "suplente,gobierno,Bien Suplente\n"  # 2: fine, but not added either
        "jefe,gobierno,Ana\n"  # 3
        "titular,deportes,Beto\n"  # 4
        "titular,garante,Otra Persona\n"  # 5: garante has a titular
        "\n"  # 6: empty, skipped
        "suplente,academia,\n"  # 7
        "observador,academia,Olga\n"  # 8
        "suplente,Gobierno,Repetida\n"  # 9: gobierno's substitute again
        f"observador,,{'N' * 121}\n"  # 10
    )
    since = harness.fake.mark()
    answer = await send_file(harness, z.facilitator, sheet.encode(), "roster.csv")
    assert "No registré a nadie: 7 problema(s) en 8 fila(s)" in answer
    for expected in (
        "Fila 3: el tipo «jefe» no es titular, suplente ni observador",
        "Fila 4: no hay un asiento «deportes»",
        "Fila 5: el asiento Organismo garante local ya tiene titular: Roberto García Escobar",
        "Fila 7: falta el nombre",
        "Fila 8: los observadores no tienen asiento",
        "Fila 9: el suplente del asiento Gobierno municipal ya viene en la fila 2",
        "Fila 10: el nombre es demasiado largo (a lo más 120 caracteres)",
        "Los asientos son: gobierno, garante, sociedad_civil, academia, ciudadania",
    ):
        assert expected in answer, (expected, answer)
    assert "Fila 2" not in answer
    assert "Fila 6" not in answer
    assert harness.fake.calls_to("sendDocument", since) == []
    assert await snapshot(harness.db) == before
    assert await harness.say(z.facilitator, "/integrantes") == roster


async def test_only_the_facilitator_in_private(harness: Harness) -> None:
    z = await setup_zamora(harness)
    before = await snapshot(harness.db)
    data = b"tipo,sector,nombre\nobservador,,Ana\n"
    titular = z.titulars["gobierno"]
    assert "solo lo puede usar: facilitador(a)" in await send_file(
        harness, titular, data, "a.csv"
    )
    assert "solo lo puede usar" in await harness.say(titular, "/importar")
    harness.fake.add_user(7777, "Extraño")
    assert "no encuentro tu cuenta" in await send_file(harness, 7777, data, "a.csv")
    assert "en el chat privado" in await harness.say(z.facilitator, "/importar", chat_id=z.group)
    in_group = await send_file(harness, z.facilitator, data, "a.csv", chat_id=z.group)
    assert "en el chat privado" in in_group
    # a titular's /importar leaves nothing pending: their next file is no import
    assert "No estaba esperando" in await send_file(harness, titular, data, "a.csv", caption=None)
    assert await snapshot(harness.db) == before


async def test_file_refusals_change_nothing(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    before = await snapshot(harness.db)
    fid = z.facilitator
    since = harness.fake.mark()
    big = b"tipo,sector,nombre\n" + b"observador,,Ana\n" * 70_000
    assert "demasiado grande: acepto hasta 1024 KiB" in await send_file(harness, fid, big, "a.csv")
    assert harness.fake.calls_to("getFile", since) == []  # refused before downloading
    cases = {
        ("acta.pdf", b"%PDF-1.7 ..."): "solo leo archivos .csv o .xlsx",
        ("viejo.xls", b"\xd0\xcf\x11\xe0 ..."): "solo leo archivos .csv o .xlsx",
        ("roto.xlsx", xlsx([["tipo", "sector", "nombre"]])[:300]): "No pude leer el archivo",
        ("basura.xlsx", b"\x00\x01\x02 garbage"): "No pude leer el archivo como XLSX",
        ("vacio.csv", b"\n\n"): "no tiene filas que importar",
        ("solo.csv", b"tipo,sector,nombre\n"): "no tiene filas que importar",
        ("otra.csv", b"nombre,correo\nAna,a@b\n"): "le faltan las columnas tipo, sector",
        ("mucho.csv", b"tipo,sector,nombre\n" + b"observador,,Ana\n" * 501): "hasta 500",
    }
    for (filename, data), expected in cases.items():
        answer = await send_file(harness, fid, data, filename)
        assert expected in answer, (filename, answer)
        assert "No registré a nadie" in answer
    assert harness.fake.calls_to("sendDocument", since) == []
    assert await snapshot(harness.db) == before


async def test_a_file_without_a_pending_import_is_not_an_import(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    before = await snapshot(harness.db)
    data = b"tipo,sector,nombre\nobservador,,Ana\n"
    assert "No estaba esperando" in await send_file(
        harness, z.facilitator, data, "a.csv", caption=None
    )
    # a caption that is no command does not make it one either
    answer = await send_file(harness, z.facilitator, data, "a.csv", caption="mi lista")
    assert "No estaba esperando" in answer
    # the pending /importar lapses after ten minutes
    await harness.say(z.facilitator, "/importar")
    harness.clock.advance(minutes=11)
    assert "No estaba esperando" in await send_file(
        harness, z.facilitator, data, "a.csv", caption=None
    )
    assert await snapshot(harness.db) == before
    # a refused file keeps the import pending: the corrected file follows without caption
    await harness.say(z.facilitator, "/importar")
    assert "solo leo" in await send_file(harness, z.facilitator, b"x", "a.pdf", caption=None)
    bad = b"tipo,sector,nombre\nobservador,gobierno,Ana\n"
    assert "Fila 2" in await send_file(harness, z.facilitator, bad, "a.csv", caption=None)
    assert await snapshot(harness.db) == before
    answer = await send_file(harness, z.facilitator, data, "a.csv", caption=None)
    assert "Registré 1 integrante(s)" in answer
    assert await count(harness.db, Member) == 7
    # and the import is done: the same file again is no import
    assert "No estaba esperando" in await send_file(
        harness, z.facilitator, data, "a.csv", caption=None
    )
