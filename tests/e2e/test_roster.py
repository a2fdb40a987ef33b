"""Roster end to end: /alta, /baja, /asiento, /integrantes and their refusals (R1–R3, R21)."""

from __future__ import annotations

from storage.models import Member
from tests.e2e.queries import count, member, snapshot
from tests.harness import Harness, bind, setup_zamora, token_in


async def test_alta_suplente_and_observador(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    answer = await harness.say(z.facilitator, "/alta suplente academia Marta Ruiz")
    assert "#7 Marta Ruiz</b>, suplente del asiento Academia" in (
        harness.fake.sent_to(z.facilitator)[-1].html or ""
    )
    assert "vence en 7 días" in answer
    answer = await harness.say(z.facilitator, "/alta observador Luis Observa")
    assert "#8 Luis Observa" in answer
    assert "observador" in answer
    roster = await harness.say(z.facilitator, "/integrantes")
    assert "Suplente: #7 Marta Ruiz ⏳ sin vincular" in roster
    assert "#8 Luis Observa ⏳ sin vincular" in roster


async def test_alta_bad_input_changes_nothing(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    before = await snapshot(harness.db)
    cases = {
        "/alta": "Se usa así",
        "/alta jefe gobierno Ana": "Se usa así",
        "/alta titular": "Se usa así",
        "/alta titular gobierno": "Falta el nombre",
        "/alta observador": "Falta el nombre",
        "/alta titular deportes Ana Pérez": "No hay un asiento «deportes»",
        "/alta titular gobierno Otra Persona": "ya tiene titular: Felipe Armando Umaña Melo",
        "/alta titular gobierno " + "N" * 121: "demasiado largo",
    }
    for text, expected in cases.items():
        answer = await harness.say(z.facilitator, text)
        assert expected in answer, (text, answer)
    unknown = await harness.say(z.facilitator, "/alta titular deportes Ana")
    assert "gobierno, garante, sociedad_civil, academia, ciudadania" in unknown
    assert await snapshot(harness.db) == before


async def test_names_are_escaped_in_every_message(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await harness.say(z.facilitator, "/alta observador Ana <b>&amp; Co</b> <script>")
    html = harness.fake.sent_to(z.facilitator)[-1].html or ""
    assert "Ana &lt;b&gt;&amp;amp; Co&lt;/b&gt; &lt;script&gt;" in html
    roster = await harness.send(z.facilitator, "/integrantes", chat_id=z.group)
    assert roster.ok
    assert "Ana <b>&amp; Co</b> <script>" in (roster.text or "")


async def test_alta_is_for_the_facilitator_in_private(harness: Harness) -> None:
    z = await setup_zamora(harness)
    before = await snapshot(harness.db)
    titular = await harness.say(z.titulars["gobierno"], "/alta observador Ana")
    assert "solo lo puede usar: facilitador(a)" in titular
    harness.fake.add_user(7777, "Extraño")
    assert "no encuentro tu cuenta" in await harness.say(7777, "/alta observador Ana")
    in_group = await harness.say(z.facilitator, "/alta observador Ana", chat_id=z.group)
    assert "en el chat privado" in in_group
    assert await snapshot(harness.db) == before


async def test_baja_deactivates_keeps_history_and_erases_the_id(harness: Harness) -> None:
    z = await setup_zamora(harness)
    uid = z.titulars["ciudadania"]
    since = harness.fake.mark()
    answer = await harness.say(z.facilitator, "/baja 6")
    assert "Baja registrada: #6 Leonardo Francisco Vallejo Gaytán" in answer
    gone = await member(harness.db, 6)
    assert gone.active is False
    assert gone.telegram_user_id is None
    assert gone.full_name == "Leonardo Francisco Vallejo Gaytán"  # history kept
    notice = await harness.fake.wait_for("sendMessage", since=since, chat_id=uid)
    assert "dado(a) de baja" in (notice.text or "")
    await harness.fake.wait_for("deleteMyCommands")
    assert harness.fake.commands_for({"type": "chat", "chat_id": uid}) == []
    assert "no encuentro tu cuenta" in await harness.say(uid, "/integrantes")
    roster = await harness.say(z.facilitator, "/integrantes")
    assert "Vallejo" not in roster
    # the seat can be filled again
    token = token_in(await harness.say(z.facilitator, "/alta titular ciudadania Nueva Persona"))
    harness.fake.add_user(4001, "Nueva", "Persona")
    assert "Listo" in await bind(harness, 4001, token)


async def test_baja_refusals(harness: Harness) -> None:
    z = await setup_zamora(harness)
    before = await snapshot(harness.db)
    assert "Se usa así" in await harness.say(z.facilitator, "/baja")
    assert "Se usa así" in await harness.say(z.facilitator, "/baja seis")
    assert "No hay integrante #99" in await harness.say(z.facilitator, "/baja 99")
    assert "persona facilitadora" in await harness.say(z.facilitator, "/baja 1")
    assert "solo lo puede usar" in await harness.say(z.titulars["garante"], "/baja 2")
    assert await snapshot(harness.db) == before
    await harness.say(z.facilitator, "/baja 2")
    assert "ya estaba dado de baja" in await harness.say(z.facilitator, "/baja 2")


async def test_asiento_adds_a_seat_beyond_the_five(harness: Harness) -> None:
    z = await setup_zamora(harness)
    answer = await harness.say(z.facilitator, "/asiento jovenes Jóvenes <de> Zamora")
    assert "Asiento agregado" in answer
    assert "6 asientos" in answer
    assert "Quórum hoy: 4 de 6" in await harness.say(z.facilitator, "/ajustes")  # R9
    assert "#7 Ana" in await harness.say(z.facilitator, "/alta titular jovenes Ana")
    before = await snapshot(harness.db)
    assert "Ya existe un asiento" in await harness.say(z.facilitator, "/asiento jovenes Otro")
    assert "no sirve" in await harness.say(z.facilitator, "/asiento jóvenes Otro")
    assert "Falta el nombre" in await harness.say(z.facilitator, "/asiento deportes")
    assert "Se usa así" in await harness.say(z.facilitator, "/asiento")
    assert await snapshot(harness.db) == before


async def test_integrantes_for_members_anywhere_but_not_strangers(harness: Harness) -> None:
    z = await setup_zamora(harness)
    assert "Integrantes del STM" in await harness.say(z.titulars["garante"], "/integrantes")
    in_group = await harness.say(z.titulars["garante"], "/integrantes", chat_id=z.group)
    assert "Integrantes del STM" in in_group
    harness.fake.add_user(7777, "Extraño")
    harness.fake.add_group(-1009, "Otro grupo")
    assert "no encuentro tu cuenta" in await harness.say(7777, "/integrantes")
    assert "no encuentro tu cuenta" in await harness.say(7777, "/integrantes", chat_id=z.group)
    assert "no es el canal oficial" in await harness.say(
        z.facilitator, "/integrantes", chat_id=-1009
    )


async def test_long_roster_is_split_within_telegram_limits(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    for i in range(45):
        await harness.say(z.facilitator, f"/alta observador {i:03d} " + "Ñ" * 110)
    assert await count(harness.db, Member) == 51
    since = harness.fake.mark()
    harness.fake.send_text(z.facilitator, "/integrantes")
    first = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.facilitator)
    second = await harness.fake.wait_for(
        "sendMessage", since=first.index + 1, chat_id=z.facilitator
    )
    assert first.ok
    assert second.ok
    assert "044" in (second.text or "")
