"""Session evidence (R19 a): the facilitator's photos, videos, audio and documents.

A held session takes evidence; each file is kept by its SHA-256 (``storage.files``, like
the minutes) and recorded as a ``SessionEvidence`` row numbered 1, 2, … per session,
never reused. The file's index row (``StoredFile``), the evidence and its audit entry
commit together or not at all; numbers are given under the session's row lock, so two
uploads at once never share one, and the same bytes twice for a session are refused (the
database's ``(meeting_id, sha256)`` and ``(meeting_id, number)`` constraints back that
up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import evidence as rules
from domain.errors import EvidenceAlreadyAttached, EvidenceSessionNotHeld, SessionNotFound
from domain.evidence import EvidenceKind
from domain.roles import Target
from storage.models import Meeting, Secretariat, SessionEvidence
from storage.services import audit, meetings, numbering
from storage.services.microsite import HELD_STATES
from storage.services.minutes_versions import register_file

__all__ = ["Attached", "EvidenceFile", "HeldSession", "attach", "held_session"]


@dataclass(frozen=True)
class HeldSession:
    """A session that may take evidence (R19 a)."""

    meeting_id: int
    number: int
    title: str


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file, checked by its bytes and already written to the file store."""

    sha256: str
    size: int
    media_type: str
    filename: str
    kind: EvidenceKind


@dataclass(frozen=True)
class Attached:
    """A recorded evidence, as the facilitator's acknowledgement shows it."""

    number: int  # the evidence's number within its session
    kind: EvidenceKind
    sha256: str
    filename: str
    size: int
    caption: str
    session_number: int
    session_title: str
    slug: str  # the secretariat's microsite address, /<slug>/


async def held_session(
    session: AsyncSession, target: Target, number: int, *, lock: bool = False
) -> HeldSession:
    """Session ``number`` of the target secretariat, if it was held; else the refusal.

    Held means what the microsite lists on its minutes page (``HELD_STATES``): the roll
    call open, installed, concluded or held without quorum. A convened or cancelled
    session has no evidence to show.
    """
    query = select(Meeting).where(
        Meeting.secretariat_id == target.secretariat_id, Meeting.number == number
    )
    meeting = await session.scalar(query.with_for_update() if lock else query)
    if meeting is None:
        raise SessionNotFound(number)
    if meeting.state not in HELD_STATES:
        raise EvidenceSessionNotHeld(number, meetings.STATE_NAMES[meeting.state])
    return HeldSession(meeting.id, number, meeting.title or f"Sesión #{number}")


async def attach(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    number: int,
    file: EvidenceFile,
    caption: str,
) -> Attached:
    """Record ``file`` as the next evidence of held session ``number``, with its audit entry.

    The caller wrote the bytes to the file store first (same bytes, same name: a refused
    duplicate leaves nothing new there); this indexes the file and records the evidence.
    """
    held = await held_session(session, target, number, lock=True)
    existing = await session.scalar(
        select(SessionEvidence.number).where(
            SessionEvidence.meeting_id == held.meeting_id,
            SessionEvidence.sha256 == file.sha256,
        )
    )
    if existing is not None:
        raise EvidenceAlreadyAttached(number, existing)
    await register_file(
        session, now=now, sha256=file.sha256, size=file.size, media_type=file.media_type
    )
    used = await numbering.highest(
        session, SessionEvidence.number, SessionEvidence.meeting_id == held.meeting_id
    )
    row = SessionEvidence(
        meeting_id=held.meeting_id,
        number=rules.next_number([used]),
        kind=file.kind.value,
        sha256=file.sha256,
        filename=file.filename[: rules.FILENAME_MAX],
        media_type=file.media_type,
        size=file.size,
        caption=caption,
        created_at=now,
        created_by=target.membership.member_id,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="evidence.attached",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        meeting_id=held.meeting_id,
        session_number=number,
        evidence=row.number,
        kind=row.kind,
        sha256=row.sha256,
        size=row.size,
    )
    slug = await session.scalar(
        select(Secretariat.slug).where(Secretariat.id == target.secretariat_id)
    )
    return Attached(
        number=row.number,
        kind=file.kind,
        sha256=row.sha256,
        filename=row.filename,
        size=row.size,
        caption=row.caption,
        session_number=number,
        session_title=held.title,
        slug=slug or "",
    )
