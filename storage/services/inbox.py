"""The citizen inbox (R19 f, g): store a form's message with its folio, tell the
facilitator, mark it answered.

A message is numbered under the secretariat's row lock, one past the highest sequence of
its form and year (``storage.services.numbering``); the unique
``(secretariat, form, year, sequence)`` is the database's guarantee. The form's nonce is
unique too: the same filled page sent twice finds the first message (and its folio)
instead of storing a second one. The facilitator's Telegram notice is owed from the
moment the message is stored (``noticed_at IS NULL``) and marked with Telegram's message
id once accepted, so a restart re-sends exactly what never arrived.

R21: ``sender_name``, ``sector`` and ``contact`` leave this module only in the notice for
the facilitator (:class:`Notice`); what the public sees of a message (:class:`Receipt`)
has the folio, category, dates and status only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import inbox as rules
from domain.errors import NotYourButton, StaleButton
from domain.inbox import Form, Submission
from domain.roles import Role
from storage.models import InboxMessage, Member, Secretariat
from storage.services import audit, numbering
from storage.services.meetings import local_stamp

__all__ = [
    "Answered",
    "Notice",
    "Receipt",
    "by_folio",
    "by_nonce",
    "mark_answered",
    "mark_noticed",
    "owed",
    "store",
]

RECEIVED = "recibido"
ANSWERED = "atendido"


@dataclass(frozen=True)
class Receipt:
    """What the citizen's folio page shows: nothing of who wrote (R21)."""

    id: int
    secretariat_id: int
    form: Form
    folio: str
    category: str
    received_at: datetime
    status: str
    answered_at: datetime | None
    repeated: bool = False  # the same filled form was sent before: this is that message


def _receipt(row: InboxMessage, *, repeated: bool = False) -> Receipt:
    return Receipt(
        row.id,
        row.secretariat_id,
        Form(row.form),
        row.folio,
        row.category,
        row.received_at,
        row.status,
        row.answered_at,
        repeated,
    )


async def by_nonce(session: AsyncSession, nonce: str) -> Receipt | None:
    """The message a form's token already produced, if any (a double submission)."""
    row = await session.scalar(select(InboxMessage).where(InboxMessage.form_nonce == nonce))
    return _receipt(row, repeated=True) if row is not None else None


async def by_folio(session: AsyncSession, secretariat_id: int, folio: str) -> Receipt | None:
    """A secretariat's message by its folio (the folio page)."""
    parsed = rules.parse_folio(folio)
    if parsed is None:
        return None
    form, year, sequence = parsed
    row = await session.scalar(
        select(InboxMessage).where(
            InboxMessage.secretariat_id == secretariat_id,
            InboxMessage.form == form.value,
            InboxMessage.year == year,
            InboxMessage.sequence == sequence,
        )
    )
    return _receipt(row) if row is not None else None


async def store(
    session: AsyncSession,
    *,
    now: datetime,
    secretariat_id: int,
    submission: Submission,
    nonce: str,
) -> Receipt:
    """Store a valid form under the next folio of its form and local year (R19 f, g).

    The same ``nonce`` twice returns the first message (``repeated``): read after the
    secretariat's row lock, so two submissions of one page racing each other serialize
    here and the second finds the first.
    """
    secretariat = await session.get_one(Secretariat, secretariat_id, with_for_update=True)
    existing = await by_nonce(session, nonce)
    if existing is not None:
        return existing
    form = submission.form
    year = now.astimezone(ZoneInfo(secretariat.time_zone)).year
    sequence = 1 + await numbering.highest(
        session,
        InboxMessage.sequence,
        InboxMessage.secretariat_id == secretariat_id,
        InboxMessage.form == form.value,
        InboxMessage.year == year,
    )
    row = InboxMessage(
        secretariat_id=secretariat_id,
        form=form.value,
        year=year,
        sequence=sequence,
        folio=rules.folio(form, year, sequence),
        category=submission.category,
        text=submission.text,
        sender_name=submission.name,
        sector=submission.sector,
        contact=submission.contact,
        received_at=now,
        form_nonce=nonce,
        status=RECEIVED,
    )
    session.add(row)
    await session.flush()
    # The audit trail names the folio only: who wrote stays with the message (R21).
    audit.record(
        session,
        now=now,
        action="inbox.received",
        secretariat_id=secretariat_id,
        folio=row.folio,
        category=row.category,
    )
    return _receipt(row)


@dataclass(frozen=True)
class Notice:
    """A message owed to the facilitator's Telegram, with what only they may see."""

    id: int
    secretariat_id: int
    secretariat: str
    chat_id: int
    form: Form
    folio: str
    category: str
    received: str  # AAAA-MM-DD HH:MM, the secretariat's local time
    text: str
    name: str
    sector: str
    contact: str
    answered: str | None  # the local moment it was marked atendido
    telegram_message_id: int | None  # the notice with the button, once Telegram took it


def _notice(row: InboxMessage, secretariat: Secretariat, chat_id: int) -> Notice:
    tz = secretariat.time_zone
    return Notice(
        id=row.id,
        secretariat_id=row.secretariat_id,
        secretariat=secretariat.name,
        chat_id=chat_id,
        form=Form(row.form),
        folio=row.folio,
        category=row.category,
        received=local_stamp(row.received_at, tz),
        text=row.text,
        name=row.sender_name,
        sector=row.sector,
        contact=row.contact,
        answered=local_stamp(row.answered_at, tz) if row.answered_at else None,
        telegram_message_id=row.notice_message_id,
    )


def _facilitator_of(secretariat_id: Any) -> ColumnElement[bool]:
    """The active facilitator of a secretariat (seed VI: exactly one)."""
    return and_(
        Member.secretariat_id == secretariat_id,
        Member.active,
        Member.role == Role.FACILITADOR.value,
    )


async def owed(session: AsyncSession, *, secretariat_id: int | None = None) -> list[Notice]:
    """Messages whose notice Telegram has not accepted yet, oldest first, for every
    secretariat (or one) whose facilitator has linked an account to write to."""
    query = (
        select(InboxMessage, Secretariat, Member.telegram_user_id)
        .join(Secretariat, Secretariat.id == InboxMessage.secretariat_id)
        .join(Member, _facilitator_of(InboxMessage.secretariat_id))
        .where(InboxMessage.noticed_at.is_(None), Member.telegram_user_id.is_not(None))
        .order_by(InboxMessage.id)
    )
    if secretariat_id is not None:
        query = query.where(InboxMessage.secretariat_id == secretariat_id)
    return [_notice(row, sec, chat) for row, sec, chat in (await session.execute(query)).all()]


async def mark_noticed(
    session: AsyncSession, *, now: datetime, message_id: int, chat_id: int, telegram_id: int
) -> bool:
    """Telegram accepted the notice: it is not sent again. ``False`` if it was already."""
    result = await session.execute(
        update(InboxMessage)
        .where(InboxMessage.id == message_id, InboxMessage.noticed_at.is_(None))
        .values(noticed_at=now, notice_chat_id=chat_id, notice_message_id=telegram_id)
    )
    return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class Answered:
    """The outcome of ``Marcar como atendido``: ``first`` is false for a second press."""

    notice: Notice
    first: bool


async def mark_answered(
    session: AsyncSession, *, now: datetime, message_id: int, telegram_user_id: int
) -> Answered:
    """The facilitator of the message's secretariat marks it ``atendido`` (R19 f).

    Anyone else — a member of that or another secretariat, a former facilitator — is
    refused (:class:`NotYourButton`) and nothing changes; an unknown id is a forged or
    outdated button (:class:`StaleButton`). A second press changes nothing either and
    says when it was answered.
    """
    row = await session.get(InboxMessage, message_id, with_for_update=True)
    if row is None:
        raise StaleButton()
    member = await session.scalar(
        select(Member).where(
            _facilitator_of(row.secretariat_id),
            Member.telegram_user_id == telegram_user_id,
        )
    )
    if member is None:
        raise NotYourButton()
    secretariat = await session.get_one(Secretariat, row.secretariat_id)
    if row.status == ANSWERED:
        return Answered(_notice(row, secretariat, telegram_user_id), first=False)
    row.status = ANSWERED
    row.answered_at = now
    row.answered_by = member.id
    audit.record(
        session,
        now=now,
        action="inbox.answered",
        secretariat_id=row.secretariat_id,
        member_id=member.id,
        folio=row.folio,
    )
    return Answered(_notice(row, secretariat, telegram_user_id), first=True)
