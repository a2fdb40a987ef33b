"""``/pendientes``, ``/recordatorios``, ``/actas`` and ``/acta_enviada`` (R15, R22, R23).

The reminders themselves are sent by ``scheduler.planner``; these commands show, on
demand, what the reminders are about and mark the minutes sent, which stops theirs.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.reminders import Kind
from domain.secretariat_settings import REMINDER_ATTRIBUTES, SETTINGS
from handlers import parsing
from storage.services import minutes, pending

#: ``/ajustar`` key of each series, to show the user what to change.
_KEYS = {
    kind: next(s.key for s in SETTINGS.values() if s.attribute == attribute)
    for kind, attribute in REMINDER_ATTRIBUTES.items()
}


@guarded("pendientes")
async def pendientes(update: Update, context: StmContext) -> None:
    """The caller's own pending items, in every secretariat they belong to."""
    assert update.effective_user is not None
    async with context.db() as session:
        items = await pending.pending_for(
            session, now=context.now(), telegram_user_id=update.effective_user.id
        )
    await messages.reply(update, context, "reminders/pendientes", pending=items, Kind=Kind)


@guarded("recordatorios")
async def recordatorios(update: Update, context: StmContext) -> None:
    """The offsets and hour in force, and the next moments on the schedule."""
    async with context.db() as session:
        view = await pending.schedule(session, now=context.now(), target=context.require_target())
    await messages.reply(
        update, context, "reminders/recordatorios", view=view, Kind=Kind, keys=_KEYS
    )


@guarded("actas")
async def actas(update: Update, context: StmContext) -> None:
    """Held sessions with their R15 deadline and the minutes' status."""
    async with context.db() as session:
        lines = await minutes.minutes(session, now=context.now(), target=context.require_target())
    await messages.reply(update, context, "reminders/actas", lines=lines)


@guarded("acta_enviada")
async def acta_enviada(update: Update, context: StmContext) -> None:
    """Mark a session's minutes as sent to the garante (R15): the reminders stop."""
    number, note = parsing.number_and_note(command_text(update, context), "acta_enviada")
    async with context.db.begin() as session:
        line = await minutes.mark_minutes_sent(
            session, now=context.now(), target=context.require_target(), number=number, note=note
        )
    await messages.reply(update, context, "reminders/acta_enviada", line=line)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("pendientes", pendientes),
    CommandHandler("recordatorios", recordatorios),
    CommandHandler("actas", actas),
    CommandHandler("acta_enviada", acta_enviada),
]
