"""Create a secretariat, link its official group, add seats, read and change settings."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import microsite, secretariat_settings
from domain.errors import GroupLinkedElsewhere, SeatExists, SecretariatExists
from domain.minutes import Signatories
from domain.quorum import QuorumBase, QuorumRule, quorum_denominator, quorum_required
from domain.roles import Role, Target
from domain.roster import DEFAULT_SEATS, clean_name, clean_seat_key
from domain.secretariat_settings import (
    MinutesDeadline,
    NonBusinessSessions,
    SecretariatSettings,
)
from storage.models import Member, Seat, Secretariat
from storage.services import audit, channel_posts, invitations


@dataclass(frozen=True)
class Created:
    """A new secretariat and the facilitator's invitation token."""

    secretariat_id: int
    name: str
    seats: list[str]
    facilitator_number: int
    token: str
    reissued: bool = False


async def create(
    session: AsyncSession, *, now: datetime, admin_id: int, name: str, ttl: timedelta
) -> Created:
    """A secretariat with the act's five seats (R1) and an unbound facilitator entry.

    Asking again for an existing secretariat whose facilitator has not bound their
    account yet re-issues the facilitator's link (the first one may have expired);
    once bound, the name is taken.
    """
    name = clean_name(name, command="nuevo_stm")
    existing = await session.scalar(
        select(Secretariat).where(func.lower(Secretariat.name) == name.lower())
    )
    if existing is not None:
        return await _reissue_facilitator(session, existing, now=now, admin_id=admin_id, ttl=ttl)
    base = microsite.slugify(name)
    taken = set(
        await session.scalars(
            select(Secretariat.slug).where(
                (Secretariat.slug == base) | Secretariat.slug.like(f"{base}-%")
            )
        )
    )
    # R19: the microsite's address, fixed from now on (links and calendar feeds keep it).
    slug = microsite.unique_slug(name, taken)
    secretariat = Secretariat(name=name, slug=slug, created_at=now, created_by=admin_id)
    session.add(secretariat)
    await session.flush()
    for position, (key, label) in enumerate(DEFAULT_SEATS, start=1):
        session.add(
            Seat(
                secretariat_id=secretariat.id,
                key=key,
                name=label,
                position=position,
                created_at=now,
            )
        )
    facilitator = Member(
        secretariat_id=secretariat.id,
        number=1,
        role=Role.FACILITADOR.value,
        full_name=None,
        created_at=now,
    )
    session.add(facilitator)
    await session.flush()
    token = await invitations.issue(session, member=facilitator, now=now, ttl=ttl)
    audit.record(
        session,
        now=now,
        action="secretariat.created",
        secretariat_id=secretariat.id,
        admin_id=admin_id,
        name=name,
    )
    return Created(secretariat.id, name, [label for _, label in DEFAULT_SEATS], 1, token)


async def _reissue_facilitator(
    session: AsyncSession,
    secretariat: Secretariat,
    *,
    now: datetime,
    admin_id: int,
    ttl: timedelta,
) -> Created:
    facilitator = await session.scalar(
        select(Member).where(
            Member.secretariat_id == secretariat.id,
            Member.role == Role.FACILITADOR.value,
            Member.active,
        )
    )
    if facilitator is None or facilitator.telegram_user_id is not None:
        raise SecretariatExists(secretariat.name)
    token = await invitations.issue(session, member=facilitator, now=now, ttl=ttl)
    seats = await session.scalars(
        select(Seat.name)
        .where(Seat.secretariat_id == secretariat.id, Seat.active)
        .order_by(Seat.position)
    )
    audit.record(
        session,
        now=now,
        action="invitation.reissued",
        secretariat_id=secretariat.id,
        admin_id=admin_id,
        number=facilitator.number,
    )
    return Created(
        secretariat.id, secretariat.name, list(seats), facilitator.number, token, reissued=True
    )


@dataclass(frozen=True)
class GroupLink:
    """Outcome of ``/vincular``."""

    secretariat_name: str
    title: str
    already: bool
    previous_title: str | None


async def link_group(
    session: AsyncSession, *, now: datetime, target: Target, chat_id: int, title: str
) -> GroupLink:
    """Make a group the secretariat's official channel (seed III.11)."""
    owner = await session.scalar(select(Secretariat).where(Secretariat.group_chat_id == chat_id))
    if owner is not None and owner.id != target.secretariat_id:
        raise GroupLinkedElsewhere(owner.name)
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    if owner is not None:
        secretariat.group_title = title
        return GroupLink(secretariat.name, title, already=True, previous_title=None)
    previous = secretariat.group_title if secretariat.group_chat_id is not None else None
    secretariat.group_chat_id = chat_id
    secretariat.group_title = title
    secretariat.group_linked_at = now
    audit.record(
        session,
        now=now,
        action="group.linked",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        chat_id=chat_id,
        title=title,
        previous_title=previous,
    )
    return GroupLink(secretariat.name, title, already=False, previous_title=previous)


async def migrate_group(
    session: AsyncSession, *, now: datetime, old_chat_id: int, new_chat_id: int
) -> None:
    """Follow a group that Telegram upgraded to a supergroup (its id changes)."""
    secretariat = await session.scalar(
        select(Secretariat).where(Secretariat.group_chat_id == old_chat_id)
    )
    if secretariat is None:
        return
    secretariat.group_chat_id = new_chat_id
    audit.record(
        session,
        now=now,
        action="group.migrated",
        secretariat_id=secretariat.id,
        old_chat_id=old_chat_id,
        new_chat_id=new_chat_id,
    )


@dataclass(frozen=True)
class GroupLost:
    """The bot left or was removed from a secretariat's official group."""

    secretariat_name: str
    title: str
    facilitator_chat_id: int | None


async def unlink_group(
    session: AsyncSession, *, now: datetime, chat_id: int, removed_by: int | None
) -> GroupLost | None:
    """Forget the official group the bot is no longer in (seed III.11), with an audit row.

    Group posts (convocations, votes, notices) would only fail from now on; unlinking
    makes ``/convocar`` ask for a new group instead, and ``/vincular`` links one.
    """
    secretariat = await session.scalar(
        select(Secretariat).where(Secretariat.group_chat_id == chat_id)
    )
    if secretariat is None:
        return None
    title = secretariat.group_title or ""
    secretariat.group_chat_id = None
    secretariat.group_title = None
    secretariat.group_linked_at = None
    audit.record(
        session,
        now=now,
        action="group.lost",
        secretariat_id=secretariat.id,
        chat_id=chat_id,
        title=title,
        removed_by=removed_by,
    )
    facilitator = await session.scalar(
        select(Member).where(
            Member.secretariat_id == secretariat.id,
            Member.role == Role.FACILITADOR.value,
            Member.active,
        )
    )
    return GroupLost(
        secretariat.name, title, facilitator.telegram_user_id if facilitator else None
    )


@dataclass(frozen=True)
class NewSeat:
    """Outcome of ``/asiento``."""

    key: str
    name: str
    seats: int


async def add_seat(
    session: AsyncSession, *, now: datetime, target: Target, key: str, name: str
) -> NewSeat:
    """A voting seat beyond the five ("por lo menos sin ser limitativo", R1)."""
    key = clean_seat_key(key)
    name = clean_name(name, command="asiento")
    seats = list(
        await session.scalars(select(Seat).where(Seat.secretariat_id == target.secretariat_id))
    )
    if any(seat.key == key for seat in seats):
        raise SeatExists(key)
    session.add(
        Seat(
            secretariat_id=target.secretariat_id,
            key=key,
            name=name,
            position=max((s.position for s in seats), default=0) + 1,
            created_at=now,
        )
    )
    audit.record(
        session,
        now=now,
        action="seat.added",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        key=key,
        name=name,
    )
    return NewSeat(key, name, sum(1 for s in seats if s.active) + 1)


def settings_of(secretariat: Secretariat) -> SecretariatSettings:
    """The typed settings of a row (columns are named as the dataclass fields)."""
    values = {f.name: getattr(secretariat, f.name) for f in fields(SecretariatSettings)}
    values["quorum_rule"] = QuorumRule(values["quorum_rule"])
    values["quorum_base"] = QuorumBase(values["quorum_base"])
    values["non_business_sessions"] = NonBusinessSessions(values["non_business_sessions"])
    values["minutes_deadline"] = MinutesDeadline(values["minutes_deadline"])
    values["minutes_signatories"] = Signatories(values["minutes_signatories"])
    return SecretariatSettings(**values)


@dataclass(frozen=True)
class SettingsView:
    """``/ajustes``: the settings plus the quorum they imply today (R9)."""

    secretariat_name: str
    settings: SecretariatSettings
    seats: int
    filled: int
    quorum: int


async def read_settings(session: AsyncSession, secretariat_id: int) -> SettingsView:
    """Settings and the current quorum figure."""
    secretariat = await session.get_one(Secretariat, secretariat_id)
    current = settings_of(secretariat)
    seats = await session.scalar(
        select(func.count())
        .select_from(Seat)
        .where(Seat.secretariat_id == secretariat_id, Seat.active)
    )
    filled = await session.scalar(
        select(func.count(func.distinct(Member.seat_id))).where(
            Member.secretariat_id == secretariat_id,
            Member.active,
            Member.role == Role.TITULAR.value,
        )
    )
    denominator = quorum_denominator(seats or 0, filled or 0, current.quorum_base)
    return SettingsView(
        secretariat.name,
        current,
        seats or 0,
        filled or 0,
        quorum_required(denominator, current.quorum_rule),
    )


@dataclass(frozen=True)
class SettingChanged:
    """Outcome of ``/ajustar``."""

    key: str
    label: str
    old: str
    new: str
    # R18: canal_publico's chat id as Telegram resolved it (None when cleared or another key)
    channel_id: int | None = None


async def change_setting(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    key: str,
    raw: str,
    channel_id: int | None = None,
) -> SettingChanged:
    """Validate and store one setting (commands.md "Settings").

    ``canal_publico`` (R18) comes with ``channel_id``, the numeric id Telegram resolved it
    to when the caller checked the bot may post there; both are stored, and posts still
    owed go to that channel. Cleared (``-``), nothing more is owed to any channel.
    """
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    current = settings_of(secretariat)
    updated = secretariat_settings.change(current, key, raw)
    spec = secretariat_settings.SETTINGS[key.lower()]
    old = getattr(current, spec.attribute)
    new = getattr(updated, spec.attribute)
    stored = new.value if hasattr(new, "value") else new
    setattr(secretariat, spec.attribute, stored)
    resolved = None
    if spec.attribute == "public_channel":
        if stored and channel_id is None:
            raise ValueError("canal_publico is stored with the chat id Telegram resolved")
        resolved = channel_id if stored else None
        secretariat.public_channel_id = resolved
        await channel_posts.rearm(session, secretariat_id=secretariat.id, channel_id=resolved)
    audit.record(
        session,
        now=now,
        action="setting.changed",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        key=spec.key,
        old=secretariat_settings.display_value(old),
        new=secretariat_settings.display_value(new),
        **({"channel_id": resolved} if spec.attribute == "public_channel" else {}),
    )
    return SettingChanged(
        spec.key,
        spec.label,
        secretariat_settings.display_value(old),
        secretariat_settings.display_value(new),
        resolved,
    )
