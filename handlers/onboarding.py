"""``/start``, ``/start <token>``, ``/ayuda``, ``/privacidad`` (commands.md; R21)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import linking, menus, messages, proposals
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.roles import commands_for
from handlers import parsing
from storage.services import access, invitations

log = logging.getLogger(__name__)


@guarded("start")
async def vincular_cuenta(update: Update, context: StmContext) -> None:
    """Bind this Telegram account to the invited roster entry; single use (R21)."""
    token = parsing.start_payload(command_text(update, context))
    user = update.effective_user
    assert user is not None
    async with context.db.begin() as session:
        bound = await invitations.redeem(
            session,
            token=token,
            telegram_user_id=user.id,
            profile_name=user.full_name,
            now=context.now(),
        )
        actor = await access.load_actor(
            session, user.id, is_admin=user.id in context.settings.admins
        )
    linking.linked(context.app, bound.secretariat_id)  # told at once, or grouped (bot/linking)
    await messages.reply(update, context, "onboarding/bound", bound=bound)
    await menus.publish_for(context.bot, user.id, actor.roles())
    if bound.role == "facilitador":
        await proposals.propose_customary_days(context)  # R8: proposed when an STM starts


@guarded("start")
async def start(update: Update, context: StmContext) -> None:
    """Welcome, the caller's roles and the short privacy notice (R21)."""
    assert context.actor is not None
    await messages.reply(update, context, "onboarding/start", actor=context.actor)


@guarded("ayuda")
async def ayuda(update: Update, context: StmContext) -> None:
    """Help for the caller's own roles only."""
    assert context.actor is not None
    specs = commands_for(context.actor.roles())
    await messages.reply(update, context, "onboarding/ayuda", specs=specs, actor=context.actor)


@guarded("privacidad")
async def privacidad(update: Update, context: StmContext) -> None:
    """The full privacy notice (R21)."""
    await messages.reply(update, context, "onboarding/privacidad")


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    # Order matters: the payload form must win over plain /start (PTB deeplinking.py).
    CommandHandler("start", vincular_cuenta, has_args=True),
    CommandHandler("start", start),
    CommandHandler("ayuda", ayuda),
    CommandHandler("help", ayuda),
    CommandHandler("privacidad", privacidad),
]
