"""``/cancelar <n> <motivo>`` and the approval buttons (R11)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, cancelling, messages
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.cancellation import CancellationState
from domain.errors import MissingName, Usage
from handlers import parsing
from storage.services import cancellations


@guarded("cancelar")
async def cancelar(update: Update, context: StmContext) -> None:
    """Ask every seat to approve cancelling session n, 24 h ahead at the latest (R11)."""
    number_text, _, reason = command_text(update, context).strip().partition(" ")
    if not number_text:
        raise Usage("cancelar")
    number = parsing.roster_number(number_text, "cancelar")
    if not reason.strip():
        raise MissingName("cancelar")
    now = context.now()
    async with context.db.begin() as session:
        requested = await cancellations.request(
            session, now=now, target=context.require_target(), number=number, reason=reason
        )
    cancelling.schedule_lapse(context.application, requested.request.id, requested.closes_at, now)
    cancelling.ask_everyone(context.app, requested)
    await messages.reply(update, context, "cancellations/requested", request=requested.request)


async def cancelacion_boton(update: Update, context: StmContext) -> None:
    """``Apruebo la cancelación`` / ``No apruebo``: committed, then acknowledged."""
    query = update.callback_query
    assert query is not None
    request_id, approve = buttons.ids(query.data, choices=(0, 1))
    async with context.db.begin() as session:
        decided = await cancellations.answer(
            session,
            now=context.now(),
            cancellation_id=request_id,
            telegram_user_id=query.from_user.id,
            approve=bool(approve),
        )
    if decided.state is not CancellationState.PENDIENTE:
        cancelling.announce(context.app, decided)
    await query.answer("Registrado: " + ("Apruebo la cancelación" if approve else "No apruebo"))


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("cancelar", cancelar),
    CallbackQueryHandler(cancelacion_boton, pattern=f"^{buttons.Action.CANCEL.value}:"),
]
