"""Several secretariats per person (never guess), buttons, unexpected errors, secrets."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from storage.models import PendingChoice
from tests.e2e.queries import snapshot
from tests.harness import ADMIN_ID, TOKEN, Harness, bind, setup_zamora, token_in

LIAISON = 2102  # the garante's liaison, titular in Zamora (setup) and then in Jacona


async def _jacona(harness: Harness) -> int:
    token = token_in(await harness.say(ADMIN_ID, "/nuevo_stm Jacona"))
    harness.fake.add_user(5001, "Facilitadora", "Jacona")
    await bind(harness, 5001, token)
    token = token_in(await harness.say(5001, "/alta titular garante Roberto García Escobar"))
    assert "Listo" in await bind(harness, LIAISON, token)
    return 5001


async def test_private_command_with_two_secretariats_asks_which(harness: Harness) -> None:
    await setup_zamora(harness, link_group=False)
    await _jacona(harness)
    asked = await harness.send(LIAISON, "/integrantes")
    assert "varios secretariados" in (asked.text or "")
    buttons = harness.fake.buttons(LIAISON, asked.result["message_id"])
    assert [label for label, _ in buttons] == ["Jacona", "Zamora"]
    since = harness.fake.mark()
    query = await harness.press(LIAISON, LIAISON, asked.result["message_id"], buttons[0][1])
    answer = await harness.fake.wait_for("sendMessage", since=since, chat_id=LIAISON)
    assert "Integrantes del STM de Jacona" in (answer.text or "")
    assert harness.fake.answer_for(query) is not None


async def test_choice_buttons_are_single_use_and_personal(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    await _jacona(harness)
    asked = await harness.send(LIAISON, "/integrantes")
    message_id = asked.result["message_id"]
    data = harness.fake.buttons(LIAISON, message_id)[1][1]
    # someone else presses (forged: it is not their chat's message)
    query = await harness.press(z.facilitator, LIAISON, message_id, data, forge=True)
    answer = await harness.fake.wait_for("answerCallbackQuery", callback_query_id=query)
    assert answer.params.get("show_alert")
    assert "no es para ti" in answer.params["text"]
    since = harness.fake.mark()
    await harness.press(LIAISON, LIAISON, message_id, data)
    await harness.fake.wait_for("sendMessage", since=since, chat_id=LIAISON)
    # double press: the keyboard was removed, a stale client presses anyway
    query = await harness.press(LIAISON, LIAISON, message_id, data, forge=True)
    answer = await harness.fake.wait_for("answerCallbackQuery", callback_query_id=query)
    assert "ya no es válido" in answer.params["text"]


@pytest.mark.parametrize("data", ["p:999999:1", "p:1", "zz:1:2", "p:a:b", "💥"])
async def test_forged_payloads_change_nothing(harness: Harness, data: str) -> None:
    z = await setup_zamora(harness, link_group=False)
    asked = await harness.send(z.facilitator, "/integrantes")
    before = await snapshot(harness.db)
    query = await harness.press(
        z.facilitator, z.facilitator, asked.result["message_id"], data, forge=True
    )
    answer = await harness.fake.wait_for("answerCallbackQuery", callback_query_id=query)
    assert answer.params.get("show_alert")
    assert await snapshot(harness.db) == before


async def test_a_forged_secretariat_in_a_choice_is_refused(harness: Harness) -> None:
    await setup_zamora(harness, link_group=False)
    await _jacona(harness)
    token = token_in(await harness.say(ADMIN_ID, "/nuevo_stm Tangancícuaro"))
    harness.fake.add_user(6001, "Tercera")
    await bind(harness, 6001, token)
    asked = await harness.send(LIAISON, "/integrantes")
    choice_id = harness.fake.buttons(LIAISON, asked.result["message_id"])[0][1].split(":")[1]
    since = harness.fake.mark()
    await harness.press(
        LIAISON, LIAISON, asked.result["message_id"], f"p:{choice_id}:3", forge=True
    )
    refused = await harness.fake.wait_for("sendMessage", since=since, chat_id=LIAISON)
    assert "no encuentro tu cuenta" in (refused.text or "")


async def test_facilitator_of_two_secretariats_chooses_where_to_add(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    token = token_in(await harness.say(ADMIN_ID, "/nuevo_stm Jacona"))
    await bind(harness, z.facilitator, token)
    asked = await harness.send(z.facilitator, "/alta observador Ana <Luz>")
    buttons = harness.fake.buttons(z.facilitator, asked.result["message_id"])
    jacona = next(data for label, data in buttons if label == "Jacona")
    since = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, asked.result["message_id"], jacona)
    done = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.facilitator)
    assert "#2 Ana <Luz>" in (done.text or "")
    roster = await harness.send(z.facilitator, "/integrantes")
    await harness.press(
        z.facilitator,
        z.facilitator,
        roster.result["message_id"],
        harness.fake.buttons(z.facilitator, roster.result["message_id"])[0][1],
    )
    jacona_roster = await harness.fake.wait_for(
        "sendMessage", since=roster.index + 1, chat_id=z.facilitator
    )
    assert "Ana <Luz>" in (jacona_roster.text or "")


async def test_unexpected_errors_are_logged_answered_and_survived(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A real fault (a table gone) gets an apology and a log line; the bot keeps going."""
    z = await setup_zamora(harness, link_group=False)
    token = token_in(await harness.say(ADMIN_ID, "/nuevo_stm Jacona"))
    await bind(harness, z.facilitator, token)
    async with harness.db.begin() as session:
        await session.execute(text("DROP TABLE pending_choices"))
    try:
        with caplog.at_level(logging.ERROR):
            answer = await harness.say(z.facilitator, "/integrantes")  # needs pending_choices
        assert "algo falló de nuestro lado" in answer
        assert any("unhandled error in update" in r.getMessage() for r in caplog.records)
        assert "privacidad" in await harness.say(z.facilitator, "/privacidad")  # still running
    finally:  # the PostgreSQL schema is shared by the whole run
        async with harness.db.begin() as session:
            await session.run_sync(
                lambda sync: PendingChoice.__table__.create(bind=sync.connection())
            )


async def test_no_secret_reaches_the_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        z = await setup_zamora(harness)
        invitation = token_in(await harness.say(z.facilitator, "/alta observador Ana"))
        await harness.say(z.facilitator, "/baja 99")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # DEBUG logging was on
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged
    assert invitation not in logged
