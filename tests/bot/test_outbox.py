"""The outbox against the fake Bot API: per-chat order, independence, outcomes (issue 10)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.background import Background
from bot.outbox import Outbox
from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN

ANA, BETO = 101, 102
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


@asynccontextmanager
async def outbox(fake: FakeBotAPI) -> AsyncIterator[tuple[Outbox, Background]]:
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(TOKEN).base_url(fake.url + "/bot").build()
    )
    async with app:
        background = Background()
        yield Outbox(app.bot, background, lambda: NOW), background
        await background.idle()


async def test_one_chats_messages_keep_their_order_and_another_chat_does_not_wait(
    fake: FakeBotAPI,
) -> None:
    fake.add_user(ANA, "Ana", started=True)
    fake.add_user(BETO, "Beto", started=True)
    fake.hold(ANA)  # Ana's chat is slow
    async with outbox(fake) as (box, background):
        sent = [box.message(ANA, "common/unknown") for _ in range(3)]
        other = box.message(BETO, "common/unknown")
        assert (await other).ok  # Beto's message went out while Ana's chat hangs
        assert not any(f.done() for f in sent)
        fake.release(ANA)
        outcomes = [await f for f in sent]
        await background.idle()
    assert all(o.ok for o in outcomes)
    ids = [o.message_ids[0] for o in outcomes]
    assert ids == sorted(ids)  # in the order they were posted
    assert box.pending == 0


async def test_a_failure_is_an_outcome_and_the_queue_goes_on(fake: FakeBotAPI) -> None:
    fake.add_user(ANA, "Ana", started=True)
    fake.add_user(BETO, "Beto")  # never started the bot
    async with outbox(fake) as (box, _background):
        failed, ok = box.post_all([(BETO, _text(box, BETO)), (ANA, _text(box, ANA))]), None
        outcomes = await failed
        ok = await box.message(BETO, "common/unknown")
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].failure == "no_iniciado"
    assert not ok.ok  # the next post to that chat is tried, and recorded, too


def _text(box: Outbox, chat_id: int) -> Any:
    async def send() -> Any:
        return [await box._bot.send_message(chat_id, "hola")]

    return send
