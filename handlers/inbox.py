"""``Marcar como atendido`` under a citizen's message in the facilitator's chat (R19 f, g).

Thin: decode the button, let ``storage.services.inbox.mark_answered`` decide (only the
active facilitator of that message's secretariat may; the button carries an id, never a
right), answer the press, and redraw the notice as ``Atendido el …`` without the button.
A forged id, someone else's press and a second press get an alert and change nothing.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import buttons, errors, inbox_notices, messages
from bot.context import StmContext
from storage.services import inbox


async def atendido(update: Update, context: StmContext) -> None:
    """The facilitator marks a buzón or participa message as answered."""
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None
    (message_id,) = buttons.ids(query.data)
    async with context.db.begin() as session:
        answered = await inbox.mark_answered(
            session, now=context.now(), message_id=message_id, telegram_user_id=user.id
        )
    notice = answered.notice
    if not answered.first:
        text = messages.render("inbox/already_answered", n=notice)
        await query.answer(errors.plain(text), show_alert=True)
        return
    await query.answer(errors.plain(messages.render("inbox/answered", n=notice)))
    pressed = query.message
    if pressed is None or pressed.message_id != notice.telegram_message_id:
        return  # a forged press on another message: the answer is recorded, nothing redrawn
    text = messages.render(inbox_notices.TEMPLATE, n=notice)
    with contextlib.suppress(TelegramError):  # cosmetic: the message is marked answered
        if len(messages.split_message(text)) == 1:
            await query.edit_message_text(text, reply_markup=None)
        else:  # a long notice came in parts: this part loses its button, a line says why
            await query.edit_message_reply_markup(reply_markup=None)
            await messages.reply(update, context, "inbox/answered", n=notice)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CallbackQueryHandler(atendido, pattern=f"^{buttons.Action.INBOX.value}:"),
]
