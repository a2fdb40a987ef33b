"""Secretariat choice buttons, unknown commands and stale buttons (the catch-alls)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import buttons, errors, messages
from bot.context import StmContext
from bot.guards import GUARDED
from domain.errors import Refusal, StaleButton
from storage.services import choices


async def elegir(update: Update, context: StmContext) -> None:
    """Run a parked command in the secretariat the caller picked (re-authorized)."""
    query = update.callback_query
    assert query is not None
    choice_id, secretariat_id = buttons.ids(query.data)
    async with context.db.begin() as session:
        parked = await choices.take(
            session, now=context.now(), choice_id=choice_id, user_id=query.from_user.id
        )
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    context.chosen = secretariat_id
    context.replayed_args = parked.args
    try:
        await GUARDED[parked.command](update, context)
    except Refusal as refusal:  # the press is answered already: refuse in the chat
        await errors.tell(update, context, refusal, alert=False)


async def boton_invalido(update: Update, context: StmContext) -> None:
    """Anything no other handler claimed: a forged or outdated button."""
    raise StaleButton()


async def desconocido(update: Update, context: StmContext) -> None:
    """An unknown command or free text in a private chat: point to /ayuda."""
    if context.consumed:
        return
    await messages.reply(update, context, "common/unknown")


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CallbackQueryHandler(elegir, pattern=f"^{buttons.Action.PICK.value}:"),
    # Last: nothing else matched.
    CallbackQueryHandler(boton_invalido),
    MessageHandler(filters.ChatType.PRIVATE & (filters.COMMAND | filters.TEXT), desconocido),
]
