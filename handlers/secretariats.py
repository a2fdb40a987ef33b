"""``/nuevo_stm``, ``/vincular``, ``/asiento``, and following the official group: its
supergroup migration and the bot's removal from it (R1, seed III.11)."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot import messages
from bot.context import StmContext
from bot.guards import command_text, guarded
from handlers import parsing
from storage.services import secretariats

log = logging.getLogger(__name__)


@guarded("nuevo_stm")
async def nuevo_stm(update: Update, context: StmContext) -> None:
    """Create a secretariat with the act's five seats; answer the facilitator's link (R1)."""
    name = parsing.municipality(command_text(update, context))
    user = update.effective_user
    assert user is not None
    async with context.db.begin() as session:
        created = await secretariats.create(
            session,
            now=context.now(),
            admin_id=user.id,
            name=name,
            ttl=context.settings.invitation_ttl,
        )
    await messages.reply(
        update,
        context,
        "secretariats/nuevo_stm_ok",
        created=created,
        link=context.invitation_link(created.token),
        ttl_days=context.settings.invitation_ttl.days,
    )


@guarded("vincular")
async def vincular(update: Update, context: StmContext) -> None:
    """Make this group the secretariat's official channel (seed III.11)."""
    chat = update.effective_chat
    assert chat is not None
    async with context.db.begin() as session:
        link = await secretariats.link_group(
            session,
            now=context.now(),
            target=context.require_target(),
            chat_id=chat.id,
            title=chat.title or "",
        )
    await messages.reply(update, context, "secretariats/vincular_ok", link=link)


@guarded("asiento")
async def asiento(update: Update, context: StmContext) -> None:
    """Add a voting seat beyond the five (R1: "por lo menos sin ser limitativo")."""
    key, name = parsing.asiento(command_text(update, context))
    async with context.db.begin() as session:
        seat = await secretariats.add_seat(
            session, now=context.now(), target=context.require_target(), key=key, name=name
        )
    await messages.reply(update, context, "secretariats/asiento_ok", seat=seat)


async def grupo_migrado(update: Update, context: StmContext) -> None:
    """Follow the official group when Telegram turns it into a supergroup."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.db.begin() as session:
        await secretariats.migrate_group(
            session,
            now=context.now(),
            old_chat_id=message.chat_id,
            new_chat_id=message.migrate_to_chat_id,
        )


async def bot_fuera_del_grupo(update: Update, context: StmContext) -> None:
    """The bot left or was removed from a group: if it was the official one, unlink it and
    tell the facilitator, who links another with ``/vincular`` (seed III.11)."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in (
        ChatMember.LEFT,
        ChatMember.BANNED,
    ):
        return
    async with context.db.begin() as session:
        lost = await secretariats.unlink_group(
            session,
            now=context.now(),
            chat_id=change.chat.id,
            removed_by=change.from_user.id if change.from_user else None,
        )
    if lost is None or lost.facilitator_chat_id is None:
        return
    context.outbox.message(lost.facilitator_chat_id, "secretariats/group_lost", lost=lost)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("nuevo_stm", nuevo_stm),
    CommandHandler("vincular", vincular),
    CommandHandler("asiento", asiento),
    MessageHandler(filters.StatusUpdate.MIGRATE, grupo_migrado),
    ChatMemberHandler(bot_fuera_del_grupo, ChatMemberHandler.MY_CHAT_MEMBER),
]
