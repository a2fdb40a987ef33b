"""The signed minutes: issuing the file, the copies (R20), the garante's e-mail (R15a),
``/acta_firmada`` and ``/verificar``.

Each step is recorded when it is done, so a restart finishes what is owed: a signed acta
whose file was not issued yet is issued at start-up, issued files whose copies were not
sent are sent, and mailings not accepted are retried on their schedule. Nothing is
marked sent to the garante that the mail server did not accept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dissemination import PostKind
from domain.errors import NotSignedYet, SessionNotHeld
from domain.minutes import FileKind, MinutesRecord, SignatureLine
from domain.roles import Role, Target
from storage.models import (
    Delivery,
    GaranteMailing,
    Meeting,
    Member,
    MinutesSignature,
    MinutesVersion,
    Seat,
    Secretariat,
    SignedMinutes,
)
from storage.services import act_chain, audit, channel_posts
from storage.services.convocations import Attempt, record_deliveries
from storage.services.mail_attempts import Failed, record_failure
from storage.services.meetings import by_number
from storage.services.minutes_record import record_of
from storage.services.secretariats import settings_of


def signed_filename(number: int) -> str:
    """The signed file's name as members receive it."""
    return f"acta-sesion-{number}-firmada.pdf"


@dataclass(frozen=True)
class ToIssue:
    """What the signed file is made of."""

    meeting_id: int
    secretariat: str
    title: str
    number: int
    version: int
    version_sha256: str
    kind: FileKind
    signatures: tuple[SignatureLine, ...]
    time_zone: str


async def owed_issues(session: AsyncSession) -> list[int]:
    """Signed actas whose file is not issued yet (the process stopped in between)."""
    return list(
        await session.scalars(
            select(SignedMinutes.meeting_id).where(SignedMinutes.sha256.is_(None))
        )
    )


async def to_issue(session: AsyncSession, meeting_id: int) -> ToIssue | None:
    """The inputs of the signed file, or ``None`` when it is issued already."""
    done = await session.get(SignedMinutes, meeting_id)
    if done is None or done.sha256 is not None:
        return None
    meeting = await session.get_one(Meeting, meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    version = await session.get_one(MinutesVersion, done.version_id)
    zone = ZoneInfo(secretariat.time_zone)
    order = {entry["member_id"]: i for i, entry in enumerate(version.signatories)}
    rows = sorted(
        await session.scalars(
            select(MinutesSignature).where(MinutesSignature.version_id == version.id)
        ),
        key=lambda s: order.get(s.member_id, len(order)),
    )
    signatures = tuple(
        SignatureLine(
            s.name,
            s.role,
            s.seat,
            f"{s.signed_at.astimezone(zone).strftime('%Y-%m-%d %H:%M')} ({secretariat.time_zone})",
        )
        for s in rows
    )
    return ToIssue(
        meeting.id,
        secretariat.name,
        meeting.title or "",
        meeting.number or 0,
        version.number,
        version.sha256,
        FileKind(version.kind),
        signatures,
        secretariat.time_zone,
    )


@dataclass(frozen=True)
class Issued:
    """The signed file recorded; who gets copies; the mailing to attempt, if any."""

    meeting_id: int
    sha256: str
    mailing_id: int | None
    # R18: the signed file owed to the public channel (None: the secretariat has none).
    secretariat_id: int | None = None
    channel_post: int | None = None


async def record_issued(
    session: AsyncSession, *, now: datetime, meeting_id: int, sha256: str, sealed: bool, mail: bool
) -> Issued | None:
    """Store the signed file's hash; with e-mail configured, queue the garante's mailing."""
    done = await session.get(SignedMinutes, meeting_id, with_for_update=True)
    if done is None or done.sha256 is not None:
        return None  # issued meanwhile: the first issue is the record
    done.sha256 = sha256
    done.issued_at = now
    done.sealed = sealed
    meeting = await session.get_one(Meeting, meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    mailing_id = None
    address = settings_of(secretariat).garante_email
    if mail and address and meeting.minutes_sent_at is None:
        mailing = GaranteMailing(
            meeting_id=meeting_id, to_address=address, next_attempt_at=now, created_at=now
        )
        session.add(mailing)
        await session.flush()
        mailing_id = mailing.id
    audit.record(
        session,
        now=now,
        action="minutes.issued",
        secretariat_id=secretariat.id,
        meeting_id=meeting_id,
        sha256=sha256,
        sealed=sealed,
    )
    # R18: the signed file is owed to the public channel once it exists, in this unit of
    # work (a second issue finds it issued above and owes nothing).
    channel_post = await channel_posts.owe(
        session, now=now, secretariat_id=secretariat.id, kind=PostKind.ACTA, subject_id=meeting_id
    )
    return Issued(meeting_id, sha256, mailing_id, secretariat.id, channel_post)


@dataclass(frozen=True)
class CopyRecipient:
    """R20: the facilitator, every titular and every substitute."""

    member_id: int
    name: str
    role: str
    seat: str | None
    chat_id: int | None


@dataclass(frozen=True)
class Copies:
    """Who gets the signed file (R20) and the group (the public channel's post is owed
    apart, in ``channel_posts``: R18)."""

    meeting_id: int
    number: int
    title: str
    secretariat: str
    sha256: str
    version: int
    version_sha256: str
    recipients: tuple[CopyRecipient, ...]
    group_chat_id: int | None
    facilitator_chat: int | None
    # Already delivered by an earlier, interrupted fan-out: not sent twice.
    delivered: frozenset[int] = frozenset()
    group_delivered: bool = False


async def owed_copies(session: AsyncSession) -> list[int]:
    """Issued signed files whose copies were not all attempted yet."""
    return list(
        await session.scalars(
            select(SignedMinutes.meeting_id).where(
                SignedMinutes.sha256.is_not(None), SignedMinutes.copies_sent_at.is_(None)
            )
        )
    )


async def copies_of(session: AsyncSession, meeting_id: int) -> Copies | None:
    """The copies still owed for a signed acta, or ``None`` when already sent."""
    done = await session.get(SignedMinutes, meeting_id)
    if done is None or done.sha256 is None or done.copies_sent_at is not None:
        return None
    meeting = await session.get_one(Meeting, meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    version = await session.get_one(MinutesVersion, done.version_id)
    rows = await session.execute(
        select(Member, Seat.name)
        .outerjoin(Seat, Seat.id == Member.seat_id)
        .where(
            Member.secretariat_id == secretariat.id,
            Member.active,
            Member.role.in_((Role.FACILITADOR.value, Role.TITULAR.value, Role.SUPLENTE.value)),
        )
        .order_by(Member.number)
    )
    recipients = tuple(
        CopyRecipient(m.id, m.full_name or "sin nombre", m.role, seat, m.telegram_user_id)
        for m, seat in rows
    )
    facilitator = next((r for r in recipients if r.role == Role.FACILITADOR.value), None)
    earlier = (
        await session.execute(
            select(Delivery.member_id, Delivery.chat_id).where(
                Delivery.meeting_id == meeting_id,
                Delivery.purpose == COPY_PURPOSE,
                Delivery.ok,
            )
        )
    ).all()
    return Copies(
        meeting.id,
        meeting.number or 0,
        meeting.title or "",
        secretariat.name,
        done.sha256,
        version.number,
        version.sha256,
        recipients,
        secretariat.group_chat_id,
        facilitator.chat_id if facilitator else None,
        frozenset(m for m, _ in earlier if m is not None),
        any(m is None and c == secretariat.group_chat_id for m, c in earlier),
    )


#: ``deliveries.purpose`` of the signed minutes' copies (R20).
COPY_PURPOSE = "acta_firmada"


async def record_copy(
    session: AsyncSession, *, now: datetime, meeting_id: int, attempt: Attempt
) -> None:
    """One copy's attempt, stored as soon as it is known (like a convocation's, R20)."""
    await record_deliveries(
        session, now=now, meeting_id=meeting_id, purpose=COPY_PURPOSE, attempts=[attempt]
    )


async def finish_copies(
    session: AsyncSession, *, now: datetime, meeting_id: int, attempts: list[Attempt]
) -> bool:
    """Close the fan-out (``attempts``: those never tried, e.g. unlinked people); ``False``
    if another run closed it first, so its report is sent once."""
    done = await session.get(SignedMinutes, meeting_id, with_for_update=True)
    if done is None or done.copies_sent_at is not None:
        return False
    done.copies_sent_at = now
    await record_deliveries(
        session, now=now, meeting_id=meeting_id, purpose=COPY_PURPOSE, attempts=attempts
    )
    return True


@dataclass(frozen=True)
class SignedFile:
    """``/acta_firmada n``."""

    number: int
    title: str
    sha256: str
    filename: str


async def signed_file(session: AsyncSession, target: Target, number: int) -> SignedFile:
    """The signed file of session ``number`` of the caller's secretariat."""
    meeting = await by_number(session, target, number)
    if meeting.installed_at is None:
        raise SessionNotHeld(number)
    done = await session.get(SignedMinutes, meeting.id)
    if done is None or done.sha256 is None:
        raise NotSignedYet(number)
    return SignedFile(number, meeting.title or "", done.sha256, signed_filename(number))


# ---------------------------------------------------------------- the garante's e-mail


@dataclass(frozen=True)
class Mailing:
    """One attempt's inputs: the message to send and where."""

    id: int
    meeting_id: int
    to_address: str
    garante: str
    secretariat: str
    title: str
    number: int
    signed_sha256: str
    summary: dict[str, Any]
    facilitator_chat: int | None
    attempts: int
    time_zone: str


async def pending_mailings(session: AsyncSession) -> list[tuple[int, datetime]]:
    """Mailings not accepted nor given up, with when to try next (start-up)."""
    rows = await session.execute(
        select(GaranteMailing.id, GaranteMailing.next_attempt_at).where(
            GaranteMailing.state == "pendiente", GaranteMailing.next_attempt_at.is_not(None)
        )
    )
    return [(i, at) for i, at in rows.tuples() if at is not None]


def summary_of(
    record: MinutesRecord, *, signed_sha256: str, version_sha256: str
) -> dict[str, Any]:
    """The session in JSON for the garante (R15a): public acts only (R21: no ids, no
    usernames, no contact data)."""
    data = asdict(record)
    data["signatories"] = [
        {k: v for k, v in s.items() if k != "member_id"} for s in data["signatories"]
    ]
    return {
        "formato": "stm-bot/acta/1",
        "sesion": data,
        "acta": {"sha256_firmada": signed_sha256, "sha256_version": version_sha256},
    }


async def mailing(session: AsyncSession, mailing_id: int) -> Mailing | None:
    """The mailing to attempt now, or ``None`` when it is settled."""
    row = await session.get(GaranteMailing, mailing_id)
    if row is None or row.state != "pendiente":
        return None
    meeting = await session.get_one(Meeting, row.meeting_id)
    if meeting.minutes_sent_at is not None:  # marked by hand meanwhile: nothing to send
        return None
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    done = await session.get_one(SignedMinutes, meeting.id)
    version = await session.get_one(MinutesVersion, done.version_id)
    assert done.sha256 is not None
    record = await record_of(session, meeting)
    facilitator = await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat.id,
            Member.active,
            Member.role == Role.FACILITADOR.value,
        )
    )
    return Mailing(
        row.id,
        meeting.id,
        row.to_address,
        settings_of(secretariat).garante_name,
        secretariat.name,
        meeting.title or "",
        meeting.number or 0,
        done.sha256,
        summary_of(record, signed_sha256=done.sha256, version_sha256=version.sha256),
        facilitator,
        row.attempts,
        secretariat.time_zone,
    )


async def mail_accepted(
    session: AsyncSession, *, now: datetime, mailing_id: int, message_id: str
) -> bool:
    """R15a: the server's acceptance is the minutes' sending; the R15 reminders stop."""
    row = await session.get(GaranteMailing, mailing_id, with_for_update=True)
    if row is None or row.state != "pendiente":
        return False
    row.state = "aceptado"
    row.attempts += 1
    row.accepted_at = now
    row.message_id = message_id[:255]
    row.next_attempt_at = None
    meeting = await session.get_one(Meeting, row.meeting_id)
    if meeting.minutes_sent_at is None:
        meeting.minutes_sent_at = now
        meeting.minutes_sent_via = "correo"
        meeting.minutes_note = f"Correo a {row.to_address}, Message-ID {row.message_id}"
        await act_chain.minutes_sent(session, meeting, now=now)  # issue 15
    audit.record(
        session,
        now=now,
        action="minutes.mailed",
        secretariat_id=meeting.secretariat_id,
        meeting_id=meeting.id,
        to=row.to_address,
        message_id=row.message_id,
    )
    return True


async def mail_failed(
    session: AsyncSession, *, now: datetime, mailing_id: int, reason: str, permanent: bool
) -> Failed | None:
    """Record the failure; schedule the next attempt with backoff (R15a)."""
    row = await session.get(GaranteMailing, mailing_id, with_for_update=True)
    if row is None or row.state != "pendiente":
        return None
    failed = record_failure(
        row, now=now, reason=reason, permanent=permanent, failed_state="fallido"
    )
    meeting = await session.get_one(Meeting, row.meeting_id)
    audit.record(
        session,
        now=now,
        action="minutes.mail_failed",
        secretariat_id=meeting.secretariat_id,
        meeting_id=meeting.id,
        reason=row.last_error,
        permanent=permanent,
        attempts=row.attempts,
    )
    return failed


# ---------------------------------------------------------------- /verificar


@dataclass(frozen=True)
class Match:
    """A document recognised by its SHA-256."""

    what: str  # version | editable | firmada
    secretariat: str
    number: int
    title: str
    version: int
    voided: bool
    signed: bool


async def verify(session: AsyncSession, *, sha256: str, secretariat_ids: set[int]) -> list[Match]:
    """Which minutes the document is, by its exact bytes.

    A signed file is a public act (R18, R19): anyone may check one of any secretariat.
    Drafts and unsigned versions are only recognised for members of their secretariat.
    """
    out: list[Match] = []
    rows = await session.execute(
        select(MinutesVersion, Meeting, Secretariat)
        .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
        .join(Secretariat, Secretariat.id == Meeting.secretariat_id)
        .where(
            Meeting.secretariat_id.in_(secretariat_ids),
            or_(MinutesVersion.sha256 == sha256, MinutesVersion.docx_sha256 == sha256),
        )
    )
    for version, meeting, secretariat in rows.tuples():
        done = await session.get(SignedMinutes, meeting.id)
        out.append(
            Match(
                "version" if version.sha256 == sha256 else "editable",
                secretariat.name,
                meeting.number or 0,
                meeting.title or "",
                version.number,
                version.voided_at is not None,
                done is not None and done.version_id == version.id,
            )
        )
    signed = await session.execute(
        select(SignedMinutes, MinutesVersion, Meeting, Secretariat)
        .join(MinutesVersion, MinutesVersion.id == SignedMinutes.version_id)
        .join(Meeting, Meeting.id == SignedMinutes.meeting_id)
        .join(Secretariat, Secretariat.id == Meeting.secretariat_id)
        .where(SignedMinutes.sha256 == sha256)
    )
    for _done, version, meeting, secretariat in signed.tuples():
        out.append(
            Match(
                "firmada",
                secretariat.name,
                meeting.number or 0,
                meeting.title or "",
                version.number,
                False,
                True,
            )
        )
    return out
