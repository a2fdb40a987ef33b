"""The citizen inbox in the facilitator's Telegram (R19 f, g): each message, once.

The microsite stores a form's message and answers the citizen with the folio; it never
waits for Telegram. After its commit it calls :func:`notify`, and the message — folio,
category, date, text and contact (R21: the contact is for the facilitator only) — goes to
the facilitator's private chat through the outbox (rate-limited, in the background)
with a ``Marcar como atendido`` button. The row is marked noticed with Telegram's
message id once Telegram accepted it; until then it is owed, and :func:`resume` sends
what is owed at start-up. A notice is queued once per process (an in-flight set, read
and released under one lock, as ``bot.public_channel`` does); the one gap is a crash
between Telegram's acceptance and the commit of ``noticed_at``, which sends that one
notice again. A facilitator who has not linked an account yet (or blocked the bot)
leaves the message owed: it goes out with the next message or at the next start-up.

Texts are never logged: a failure is logged with the message id only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import buttons, delivery, messages
from bot.context import StmApplication
from bot.flights import Flights
from storage.services import inbox
from storage.services.inbox import Notice

__all__ = ["answer_button", "flush", "notify", "resume"]

log = logging.getLogger(__name__)

TEMPLATE = "inbox/notice"


def answer_button(message_id: int) -> InlineKeyboardMarkup:
    """``Marcar como atendido`` under a notice."""
    data = buttons.encode(buttons.Action.INBOX, message_id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Marcar como atendido", callback_data=data)]]
    )


_FLIGHTS = Flights()  # rows queued and not settled yet (bot.flights)


def notify(app: StmApplication, secretariat_id: int) -> None:
    """After a message was committed: send the secretariat's owed notices (background)."""
    app.background.spawn(flush(app, secretariat_id), name=f"inbox:{secretariat_id}")


async def resume(app: StmApplication) -> None:
    """At start-up: notices owed when the bot stopped go out now (R19 f, g)."""
    queued = await flush(app, None)
    if queued:
        log.info("inbox at start-up: %d notice(s) owed to facilitators re-sent", queued)


async def flush(app: StmApplication, secretariat_id: int | None) -> int:
    """Queue every owed notice (of one secretariat, or all) not queued already."""
    flight = _FLIGHTS.of(app)
    queued = 0
    async with flight.lock:  # one reader at a time: a notice read as owed is queued once
        async with app.db() as session:
            notices = await inbox.owed(session, secretariat_id=secretariat_id)
        for notice in notices:
            if notice.id in flight.queued:
                continue
            flight.queued.add(notice.id)
            posted = app.outbox.post(notice.chat_id, _send(app, notice))
            app.outbox.after(_settle(app, notice, posted), name=f"inbox-notice:{notice.id}")
            queued += 1
    return queued


def _send(app: StmApplication, notice: Notice) -> delivery.Send:
    text = messages.render(TEMPLATE, n=notice)
    markup = answer_button(notice.id)

    async def send() -> Sequence[Message]:
        return await messages.send_text(app.bot, notice.chat_id, text, reply_markup=markup)

    return send


async def _settle(
    app: StmApplication, notice: Notice, posted: asyncio.Future[delivery.Outcome]
) -> None:
    """Record Telegram's acceptance (the message with the button); a failure stays owed."""
    flight = _FLIGHTS.of(app)
    try:
        outcome = await posted
        if outcome.ok and outcome.message_ids:
            async with app.db.begin() as session:
                await inbox.mark_noticed(
                    session,
                    now=outcome.at or app.clock(),
                    message_id=notice.id,
                    chat_id=notice.chat_id,
                    telegram_id=outcome.message_ids[-1],  # the part with the button
                )
        else:
            log.warning("inbox notice %s not delivered: %s", notice.id, outcome.failure)
    finally:  # released under the lock: a flush reading meanwhile still sees it queued
        async with flight.lock:
            flight.queued.discard(notice.id)
