"""Server-side authorization of every command, and "¿En cuál secretariado?".

``@guarded("alta")`` checks the chat kind and the caller's roles against the contract
matrix (``domain.roles``) before the handler runs, and finds the secretariat the command
acts on. When several fit, the command is parked in the database and the caller gets
one button per secretariat; the press replays the command with that choice, and the
guard authorizes it again (a forged choice is refused like any other attempt).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Update
from telegram.constants import ChatType

from bot import buttons, logs, messages
from bot.context import StmContext
from domain.errors import AccessRefusal, NotYourButton, StaleButton
from domain.roles import COMMANDS, Membership, Target, Where, resolve
from storage.services import access, choices


def command_text(update: Update, context: StmContext) -> str:
    """What follows ``/command`` (line breaks kept), or the parked text on a replay."""
    if context.replayed_args is not None:
        return context.replayed_args
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 and parts[0].startswith("/") else ""


Handler = Callable[[Update, StmContext], Awaitable[None]]

#: Guarded handlers by command name, so a secretariat choice can replay them.
GUARDED: dict[str, Handler] = {}


def guarded(name: str) -> Callable[[Handler], Handler]:
    """Authorize ``/name`` per the contract before running the handler."""
    assert name in COMMANDS, f"/{name} is not in the contract table"

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: StmContext) -> None:
            if await authorize(update, context, name) is not None:
                await handler(update, context)

        GUARDED[name] = wrapper
        return wrapper

    return decorate


async def authorize(update: Update, context: StmContext, name: str) -> Target | bool | None:
    """Authorize ``/name``: the target secretariat, ``True`` for commands without one, or
    ``None`` when the caller was asked to choose (the command is parked, not refused)."""
    spec = COMMANDS[name]
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    private = chat.type == ChatType.PRIVATE
    async with context.db() as session:
        context.actor = await access.load_actor(
            session, user.id, is_admin=user.id in context.settings.admins
        )
        group = None if private else await access.group_secretariat(session, chat.id)
    outcome = resolve(
        spec,
        context.actor,
        chat_is_private=private,
        group_secretariat_id=group,
        chosen=context.chosen,
    )
    if isinstance(outcome, list):
        await _ask(update, context, name, outcome)
        return None
    context.target = outcome
    if outcome is not None:
        logs.SECRETARIAT.set(outcome.secretariat_id)  # LOG_FORMAT=json names it
    return outcome if outcome is not None else True


async def _ask(update: Update, context: StmContext, name: str, options: list[Membership]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    async with context.db.begin() as session:
        choice_id = await choices.ask(
            session,
            now=context.now(),
            user_id=user.id,
            chat_id=chat.id,
            command=name,
            args=command_text(update, context),
        )
    await messages.reply(
        update,
        context,
        "common/choose_secretariat",
        command=name,
        reply_markup=buttons.secretariat_picker(choice_id, options),
    )


async def authorize_button(
    update: Update, context: StmContext, command: str, secretariat_id: int | None
) -> Target:
    """Re-authorize a button press as if its command were typed there, for that secretariat.

    Buttons carry ids, never rights: the presser must hold, now, a role that may use
    ``command`` in the button's secretariat; anything else is "not your button".
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or secretariat_id is None:
        raise StaleButton()
    async with context.db() as session:
        context.actor = await access.load_actor(
            session, user.id, is_admin=user.id in context.settings.admins
        )
    spec = COMMANDS[command]
    try:
        outcome = resolve(
            replace(spec, where=Where.ANY),
            context.actor,
            chat_is_private=True,  # a button acts on its own secretariat, wherever it is
            group_secretariat_id=None,
            chosen=secretariat_id,
        )
    except AccessRefusal:
        raise NotYourButton() from None
    assert isinstance(outcome, Target)
    context.target = outcome
    logs.SECRETARIAT.set(outcome.secretariat_id)  # LOG_FORMAT=json names it
    return outcome
