"""``/alta``, ``/baja``, ``/invitar``, ``/integrantes`` (R1–R3, R21)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import menus, messages
from bot.context import StmContext
from bot.guards import command_text, guarded
from handlers import parsing
from storage.services import access, roster

log = logging.getLogger(__name__)


@guarded("alta")
async def alta(update: Update, context: StmContext) -> None:
    """Register a titular, substitute or observer and answer their invitation link (R1)."""
    request = parsing.alta(command_text(update, context))
    async with context.db.begin() as session:
        invited = await roster.add_member(
            session,
            now=context.now(),
            target=context.require_target(),
            role=request.role,
            name=request.name,
            seat_key=request.seat_key,
            ttl=context.settings.invitation_ttl,
        )
    await _reply_invited(update, context, invited)


async def _reply_invited(update: Update, context: StmContext, invited: roster.Invited) -> None:
    await messages.reply(
        update,
        context,
        "roster/alta_ok",
        invited=invited,
        link=context.invitation_link(invited.token),
        ttl_days=context.settings.invitation_ttl.days,
    )


@guarded("invitar")
async def invitar(update: Update, context: StmContext) -> None:
    """A new invitation link for entry n; the previous one stops working."""
    number = parsing.roster_number(command_text(update, context), "invitar")
    async with context.db.begin() as session:
        invited = await roster.reinvite(
            session,
            now=context.now(),
            target=context.require_target(),
            number=number,
            ttl=context.settings.invitation_ttl,
        )
    await _reply_invited(update, context, invited)


@guarded("baja")
async def baja(update: Update, context: StmContext) -> None:
    """Deactivate roster entry n; history is kept, the Telegram id erased (R21)."""
    number = parsing.roster_number(command_text(update, context), "baja")
    target = context.require_target()
    async with context.db.begin() as session:
        removed = await roster.deactivate(session, now=context.now(), target=target, number=number)
        former = removed.former_telegram_user_id
        remaining = (
            await access.load_actor(session, former, is_admin=former in context.settings.admins)
            if former is not None
            else None
        )
    if former is not None and remaining is not None:  # their chat, not ours: queued
        context.outbox.message(
            former,
            "roster/baja_notice",
            removed=removed,
            secretariat_name=target.secretariat_name,
        )
        context.app.background.spawn(
            menus.publish_for(context.bot, former, remaining.roles()), name="menu-after-baja"
        )
    await messages.reply(update, context, "roster/baja_ok", removed=removed)


@guarded("integrantes")
async def integrantes(update: Update, context: StmContext) -> None:
    """The roster by seat: titular, substitute, linked or not; Telegram ids never shown."""
    async with context.db() as session:
        view = await roster.roster(session, context.require_target().secretariat_id)
    await messages.reply(update, context, "roster/integrantes", roster=view)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("alta", alta),
    CommandHandler("invitar", invitar),
    CommandHandler("baja", baja),
    CommandHandler("integrantes", integrantes),
]
