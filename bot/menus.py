"""Telegram command menus per scope, derived from the role matrix (``domain.roles``).

The default scope shows only public commands; groups show the group commands; each
bound person's private chat shows the commands of the roles they hold anywhere.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from domain.roles import MEMBERS, CommandSpec, Role, Where, commands_for
from storage.db import Database
from storage.services import access

log = logging.getLogger(__name__)


def _menu(specs: Iterable[CommandSpec]) -> list[BotCommand]:
    return [BotCommand(spec.name, spec.summary) for spec in specs]


def private_menu(roles: Iterable[Role]) -> list[BotCommand]:
    """Commands usable in a private chat by someone holding ``roles``."""
    return _menu(commands_for(set(roles) | {Role.ANYONE}, private=True))


def group_menu() -> list[BotCommand]:
    """Commands members use in a group (authorization still happens per press)."""
    return _menu(
        spec
        for spec in commands_for(set(MEMBERS) | {Role.ANYONE}, private=False)
        if spec.where is not Where.PRIVATE
    )


async def publish_defaults(bot: Bot) -> None:
    """Public menu for everyone, group menu for groups."""
    await bot.set_my_commands(private_menu(()), scope=BotCommandScopeDefault())
    await bot.set_my_commands(group_menu(), scope=BotCommandScopeAllGroupChats())


def signature(roles: Iterable[Role]) -> str:
    """What a private chat's menu holds, as a short fingerprint ("-" for none)."""
    held = set(roles) - {Role.ANYONE}
    if not held:
        return "-"
    content = [[c.command, c.description] for c in private_menu(held)]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


async def publish_changed(
    bot: Bot, db: Database, desired: Mapping[int, Iterable[Role]], *, now: datetime
) -> int:
    """At start-up: publish only the private menus that differ from the last start-up's.

    Chats that had a menu and are no longer in ``desired`` go back to the public menu.
    Runtime changes (a binding, a ``/baja``) publish at once and are not recorded here;
    the next start-up compares against what it itself published, which is enough: a
    menu is republished whenever the roles it shows differ from that. Returns how many
    menus were published.
    """
    async with db() as session:
        stored = await access.published_menus(session)
    wanted = {user_id: set(roles) for user_id, roles in desired.items()}
    for user_id in stored.keys() - wanted.keys():
        wanted[user_id] = set()
    published: dict[int, str] = {}
    for user_id, roles in wanted.items():
        mark = signature(roles)
        if stored.get(user_id) != mark and await publish_for(bot, user_id, roles):
            published[user_id] = mark
    async with db.begin() as session:
        await access.remember_menus(session, published, now=now)
    return len(published)


async def publish_for(bot: Bot, user_id: int, roles: Iterable[Role]) -> bool:
    """The private menu of one person; roles gone means back to the public menu."""
    held = set(roles)
    scope = BotCommandScopeChat(user_id)
    try:
        if held - {Role.ANYONE}:
            await bot.set_my_commands(private_menu(held), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        # A person who never opened the chat or blocked the bot keeps the default menu.
        log.warning("menu for a user could not be published: %s", exc.message)
        return False
    return True
