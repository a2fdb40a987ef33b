"""Commands waiting for the caller to pick a secretariat (commands.md: never guess)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotYourButton, StaleButton
from storage.models import PendingChoice

#: A question older than this is stale: the caller likely moved on.
CHOICE_TTL = timedelta(hours=24)


async def ask(
    session: AsyncSession, *, now: datetime, user_id: int, chat_id: int, command: str, args: str
) -> int:
    """Park a command until its caller picks a secretariat; returns the choice id."""
    choice = PendingChoice(
        telegram_user_id=user_id, chat_id=chat_id, command=command, args=args, created_at=now
    )
    session.add(choice)
    await session.flush()
    return choice.id


@dataclass(frozen=True)
class Parked:
    """The command to run again, now that a secretariat was chosen."""

    command: str
    args: str


async def take(session: AsyncSession, *, now: datetime, choice_id: int, user_id: int) -> Parked:
    """Claim a parked command once; someone else's or a used one is refused."""
    choice = await session.get(PendingChoice, choice_id, with_for_update=True)
    if choice is None:
        raise StaleButton()
    if choice.telegram_user_id != user_id:
        raise NotYourButton()
    if choice.used_at is not None or now - choice.created_at > CHOICE_TTL:
        raise StaleButton()
    choice.used_at = now
    return Parked(choice.command, choice.args)
