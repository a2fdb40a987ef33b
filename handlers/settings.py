"""``/ajustes`` and ``/ajustar`` (commands.md "Settings"; R1, R5, R7–R9, R15, R18, R22)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages, public_channel
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.secretariat_settings import describe
from handlers import parsing
from storage.services import secretariats


@guarded("ajustes")
async def ajustes(update: Update, context: StmContext) -> None:
    """Show the secretariat's settings and the quorum they imply (R9)."""
    async with context.db() as session:
        view = await secretariats.read_settings(session, context.require_target().secretariat_id)
    await messages.reply(
        update, context, "settings/ajustes", view=view, rows=describe(view.settings)
    )


@guarded("ajustar")
async def ajustar(update: Update, context: StmContext) -> None:
    """Change one setting, validated; a bad key or value lists the valid ones."""
    key, value = parsing.ajustar(command_text(update, context))
    target = context.require_target()
    channel_id = await public_channel.check(context.bot, key, value)  # R18: asks Telegram
    async with context.db.begin() as session:
        changed = await secretariats.change_setting(
            session, now=context.now(), target=target, key=key, raw=value, channel_id=channel_id
        )
    if changed.channel_id is not None:  # posts still owed go to the channel now
        public_channel.publish(context.app, target.secretariat_id)
    await messages.reply(update, context, "settings/ajustar_ok", changed=changed)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("ajustes", ajustes),
    CommandHandler("ajustar", ajustar),
]
