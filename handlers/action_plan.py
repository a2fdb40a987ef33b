"""The action plan (R16a): ``/compromiso``, ``/hito``, ``/avance``, ``/nivel``, ``/compromisos``.

Thin: parse (``domain.commitments``), authorize, call ``storage.services.action_plan``,
answer. Who may mark progress (the facilitator, or the responsible seat's titular or
substitute) is decided by the service on the stored responsible seat; when someone else's
mark changes a level, the facilitator is told through the outbox, after the commit.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain import commitments
from storage.services import action_plan


@guarded("compromiso")
async def compromiso(update: Update, context: StmContext) -> None:
    """Register ``C-n`` with its OGP fields, one ``campo: valor`` per line (R16a)."""
    fields = commitments.parse_commitment(command_text(update, context))
    async with context.db.begin() as session:
        view = await action_plan.register(
            session, now=context.now(), target=context.require_target(), fields=fields
        )
    await messages.reply(update, context, "action_plan/registered", c=view)


@guarded("hito")
async def hito(update: Update, context: StmContext) -> None:
    """Add milestone ``C-n.m``; the level follows unless set by hand (R16a)."""
    request = commitments.parse_milestone(command_text(update, context))
    async with context.db.begin() as session:
        view, milestone = await action_plan.add_milestone(
            session, now=context.now(), target=context.require_target(), request=request
        )
    await messages.reply(update, context, "action_plan/milestone_added", c=view, m=milestone)


@guarded("avance")
async def avance(update: Update, context: StmContext) -> None:
    """Mark a milestone done or pending, with its evidence; the level follows (R16a)."""
    request = commitments.parse_progress(command_text(update, context))
    target = context.require_target()
    async with context.db.begin() as session:
        progress = await action_plan.mark(
            session,
            now=context.now(),
            target=target,
            code=request.milestone,
            done=request.done,
            evidence=request.evidence,
        )
    if progress.notify_chat_id is not None:  # someone else's mark moved the level
        context.outbox.message(
            progress.notify_chat_id,
            "action_plan/level_changed",
            p=progress,
            secretariat_name=target.secretariat_name,
        )
    await messages.reply(update, context, "action_plan/marked", p=progress)


@guarded("nivel")
async def nivel(update: Update, context: StmContext) -> None:
    """Set a level by hand with its reason, or give it back to the milestones (``auto``)."""
    request = commitments.parse_level(command_text(update, context))
    async with context.db.begin() as session:
        view = await action_plan.set_level(
            session,
            now=context.now(),
            target=context.require_target(),
            code=request.commitment,
            level=request.level,
            reason=request.reason,
        )
    await messages.reply(update, context, "action_plan/level_set", c=view)


@guarded("compromisos")
async def compromisos(update: Update, context: StmContext) -> None:
    """Every commitment: level, progress bar, next milestone (overdue ones marked); with a
    code, that commitment's fields and every milestone."""
    code = command_text(update, context).strip()
    async with context.db() as session:
        if code:
            view = await action_plan.detail(
                session, context.require_target(), code, now=context.now()
            )
        else:
            views = await action_plan.listing(session, context.require_target(), now=context.now())
    if code:
        await messages.reply(update, context, "action_plan/compromiso", c=view)
    else:
        await messages.reply(update, context, "action_plan/compromisos", commitments=views)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("compromiso", compromiso),
    CommandHandler("hito", hito),
    CommandHandler("avance", avance),
    CommandHandler("nivel", nivel),
    CommandHandler("compromisos", compromisos),
]
