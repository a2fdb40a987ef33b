"""``/inhabil``, ``/inhabiles``, ``/habil`` and the customary-day proposals (R8)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, messages
from bot.context import StmContext
from bot.guards import authorize_button, command_text, guarded
from domain.notice import local_date
from handlers import parsing
from storage.services import calendar, secretariats


@guarded("inhabil")
async def inhabil(update: Update, context: StmContext) -> None:
    """Declare a non-business day or range, with its reason or source (R8)."""
    start, end, reason = parsing.day_range(command_text(update, context))
    async with context.db.begin() as session:
        declared = await calendar.declare(
            session,
            now=context.now(),
            target=context.require_target(),
            start=start,
            end=end,
            reason=reason,
        )
    await messages.reply(update, context, "calendar/inhabil_ok", declared=declared)


@guarded("habil")
async def habil(update: Update, context: StmContext) -> None:
    """Remove a declared non-business day (official holidays stay)."""
    day = parsing.one_date(command_text(update, context), "habil")
    async with context.db.begin() as session:
        reason = await calendar.undeclare(
            session, now=context.now(), target=context.require_target(), day=day
        )
    await messages.reply(update, context, "calendar/habil_ok", day=day, reason=reason)


@guarded("inhabiles")
async def inhabiles(update: Update, context: StmContext) -> None:
    """Declared days ahead, official holidays of the next year, proposals pending (R8)."""
    target = context.require_target()
    async with context.db() as session:
        view = await secretariats.read_settings(session, target.secretariat_id)
        overview = await calendar.overview(
            session,
            target.secretariat_id,
            local_date(context.now(), view.settings.time_zone),
        )
    await messages.reply(update, context, "calendar/inhabiles", overview=overview)
    if target.membership.role == "facilitador":
        for proposal in overview.proposals:
            await messages.reply(
                update,
                context,
                "calendar/proposal",
                proposal=proposal,
                reply_markup=buttons.customary(proposal.id),
            )


async def propuesta_boton(update: Update, context: StmContext) -> None:
    """Confirm or dismiss a customary day; applies only once confirmed (R8)."""
    query = update.callback_query
    assert query is not None
    proposal_id, accept = buttons.ids(query.data, choices=(0, 1))
    async with context.db() as session:
        secretariat_id = await calendar.secretariat_of_proposal(session, proposal_id)
    target = await authorize_button(update, context, "inhabil", secretariat_id)
    async with context.db.begin() as session:
        decision = await calendar.decide(
            session,
            now=context.now(),
            target=target,
            proposal_id=proposal_id,
            accept=bool(accept),
        )
    await query.answer("Declarado inhábil." if decision.accepted else "Sin cambios.")
    await query.edit_message_reply_markup(reply_markup=None)
    await messages.reply(update, context, "calendar/decision", decision=decision)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("inhabil", inhabil),
    CommandHandler("habil", habil),
    CommandHandler("inhabiles", inhabiles),
    CallbackQueryHandler(propuesta_boton, pattern=f"^{buttons.Action.CUSTOMARY.value}:"),
]
