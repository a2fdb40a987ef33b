"""Telegram command menus per scope, derived from the role matrix (``domain.roles``).

The default scope shows only public commands; groups show the group commands; each
bound person's private chat shows the commands of the roles they hold anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from domain.roles import MEMBERS, CommandSpec, Role, Where, commands_for

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


async def publish_defaults(bot: Bot, admins: Iterable[int]) -> None:
    """Public menu for everyone, group menu for groups, admin menu for BOT_ADMINS."""
    await bot.set_my_commands(private_menu(()), scope=BotCommandScopeDefault())
    await bot.set_my_commands(group_menu(), scope=BotCommandScopeAllGroupChats())
    for admin in admins:
        await publish_for(bot, admin, {Role.ADMIN})


async def publish_for(bot: Bot, user_id: int, roles: Iterable[Role]) -> None:
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
