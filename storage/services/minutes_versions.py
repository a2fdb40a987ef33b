"""Minutes versions, circulation, signatures and change requests (R14).

A version is one exact file, named by its SHA-256. Circulating a version freezes its
signatories (``firmantes_acta`` applied to the record at that moment); a signature binds
one signatory to that version's SHA-256 and time; a new version voids the previous one and
with it every signature it had. When the last signatory signs, the same unit of work
records the acta as signed (``SignedMinutes``): the signed file is issued right after, or
at start-up if the process stopped in between.

Concurrent presses on one version are serialized by its row lock (``FOR UPDATE`` on
PostgreSQL; SQLite's writers are serialized by ``storage.db``), so "the last signature"
happens exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import (
    AlreadyCirculated,
    AlreadyRecorded,
    MinutesAlreadySigned,
    NoMinutesYet,
    NotCirculated,
    NotYourButton,
    StaleButton,
    StaleVersion,
)
from domain.minutes import FileKind, Signatory, missing_signatories
from domain.roles import Role, Target
from storage.models import (
    Meeting,
    Member,
    MinutesChangeRequest,
    MinutesSignature,
    MinutesVersion,
    Secretariat,
    SignedMinutes,
    StoredFile,
)
from storage.services import act_chain, audit
from storage.services.meetings import local_stamp
from storage.services.minutes_record import ensure_not_signed, held, record_of

#: A ``Pido cambios`` waits this long for its comment (the next message of that chat).
COMMENT_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class VersionView:
    """What chat shows of a version."""

    id: int
    meeting_id: int
    number: int  # the session's #n
    title: str
    secretariat_name: str
    version: int
    source: str
    kind: str
    sha256: str
    filename: str
    docx_sha256: str | None
    fingerprint: str | None
    circulated_at: str | None


def _view(version: MinutesVersion, meeting: Meeting, secretariat: Secretariat) -> VersionView:
    return VersionView(
        version.id,
        meeting.id,
        meeting.number or 0,
        meeting.title or "",
        secretariat.name,
        version.number,
        version.source,
        version.kind,
        version.sha256,
        version.filename,
        version.docx_sha256,
        version.fingerprint,
        local_stamp(version.circulated_at, secretariat.time_zone)
        if version.circulated_at
        else None,
    )


async def register_file(
    session: AsyncSession, *, now: datetime, sha256: str, size: int, media_type: str
) -> None:
    """Index a file the caller already wrote to the store (idempotent)."""
    if await session.get(StoredFile, sha256) is None:
        session.add(StoredFile(sha256=sha256, size=size, media_type=media_type, created_at=now))
        await session.flush()


async def current(session: AsyncSession, meeting_id: int) -> MinutesVersion | None:
    """The session's version in force: the newest not voided."""
    return await session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id, MinutesVersion.voided_at.is_(None))
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Recipient:
    """Someone to tell, with their chat when linked."""

    member_id: int
    name: str
    chat_id: int | None


@dataclass(frozen=True)
class Added:
    """A new version, and the signatories of the voided one to tell (R14)."""

    view: VersionView
    reused: bool
    voided: int | None  # the version number it replaced, if it had been circulated
    voided_signatures: int
    tell: tuple[Recipient, ...]
    facilitator_chat: int | None


async def _chats(session: AsyncSession, member_ids: list[int]) -> dict[int, int | None]:
    if not member_ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.telegram_user_id).where(Member.id.in_(member_ids), Member.active)
    )
    return dict(rows.tuples().all())


async def next_number(session: AsyncSession, meeting_id: int) -> int:
    """The number the session's next version will get (the draft's footer shows it)."""
    last = await session.scalar(
        select(func.max(MinutesVersion.number)).where(MinutesVersion.meeting_id == meeting_id)
    )
    return (last or 0) + 1


async def reusable_draft(
    session: AsyncSession, target: Target, number: int, fingerprint: str
) -> VersionView | None:
    """The current version when it is the bot's draft of exactly this record."""
    meeting = await held(session, target, number)
    version = await current(session, meeting.id)
    if version is None or version.source != "borrador" or version.fingerprint != fingerprint:
        return None
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return _view(version, meeting, secretariat)


async def add_version(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    number: int,
    sha256: str,
    kind: FileKind,
    filename: str,
    source: str,
    docx_sha256: str | None = None,
    fingerprint: str | None = None,
    expected: int | None = None,
) -> Added:
    """Record the next version of session ``number``'s minutes; the previous one is void."""
    meeting = await held(session, target, number)
    await session.refresh(meeting, with_for_update=True)  # one new version at a time
    await ensure_not_signed(session, meeting)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    previous = await current(session, meeting.id)
    if previous is not None and previous.sha256 == sha256:  # the same bytes again
        return Added(_view(previous, meeting, secretariat), True, None, 0, (), None)
    tell: list[Recipient] = []
    voided_signatures = 0
    voided = None
    if previous is not None:
        previous.voided_at = now
        if previous.circulated_at is not None:
            voided = previous.number
            voided_signatures = int(
                await session.scalar(
                    select(func.count())
                    .select_from(MinutesSignature)
                    .where(MinutesSignature.version_id == previous.id)
                )
                or 0
            )
            people = [Signatory(**s) for s in previous.signatories]
            chats = await _chats(session, [p.member_id for p in people])
            tell = [Recipient(p.member_id, p.name, chats.get(p.member_id)) for p in people]
    number_now = await next_number(session, meeting.id)
    if expected is not None and expected != number_now:
        raise StaleButton()  # another version was added while this draft rendered
    version = MinutesVersion(
        meeting_id=meeting.id,
        number=number_now,
        source=source,
        kind=kind.value,
        sha256=sha256,
        filename=filename[:200],
        docx_sha256=docx_sha256,
        fingerprint=fingerprint,
        created_at=now,
        created_by=target.membership.member_id,
        signatories=[],
    )
    session.add(version)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="minutes.version",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        version=version.number,
        sha256=sha256,
        source=source,
        voided=voided,
    )
    facilitator_chat = await _facilitator_chat(session, secretariat.id)
    return Added(
        _view(version, meeting, secretariat),
        False,
        voided,
        voided_signatures,
        tuple(tell),
        facilitator_chat,
    )


async def _facilitator_chat(session: AsyncSession, secretariat_id: int) -> int | None:
    return await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == secretariat_id,
            Member.active,
            Member.role == Role.FACILITADOR.value,
        )
    )


async def _version_for_update(
    session: AsyncSession, version_id: int
) -> tuple[MinutesVersion, Meeting, Secretariat]:
    version = await session.get(MinutesVersion, version_id, with_for_update=True)
    if version is None:
        raise StaleButton()
    meeting = await session.get_one(Meeting, version.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return version, meeting, secretariat


async def _ensure_current(
    session: AsyncSession, version: MinutesVersion, meeting: Meeting
) -> None:
    if await session.get(SignedMinutes, meeting.id) is not None:
        raise MinutesAlreadySigned(meeting.number or 0)
    latest = await current(session, meeting.id)
    if version.voided_at is not None or latest is None or latest.id != version.id:
        raise StaleVersion(version.number, latest.number if latest else version.number)


async def secretariat_of_version(session: AsyncSession, version_id: int) -> int | None:
    """Which secretariat a version's button acts in (``None``: forged or gone)."""
    return await session.scalar(
        select(Meeting.secretariat_id)
        .join(MinutesVersion, MinutesVersion.meeting_id == Meeting.id)
        .where(MinutesVersion.id == version_id)
    )


@dataclass(frozen=True)
class Circulated:
    """A version sent out for signature to its frozen signatories."""

    view: VersionView
    signatories: tuple[Recipient, ...]


async def circulate(
    session: AsyncSession, *, now: datetime, target: Target, version_id: int
) -> Circulated:
    """``Circular para firma``: freeze who signs (``firmantes_acta``) and mark it out."""
    version, meeting, secretariat = await _version_for_update(session, version_id)
    if meeting.secretariat_id != target.secretariat_id:
        raise NotYourButton()
    await _ensure_current(session, version, meeting)
    if version.circulated_at is not None:
        raise AlreadyCirculated(
            version.number, local_stamp(version.circulated_at, secretariat.time_zone)
        )
    record = await record_of(session, meeting)
    version.signatories = [
        {"member_id": s.member_id, "name": s.name, "role": s.role, "seat": s.seat}
        for s in record.signatories
    ]
    version.circulated_at = now
    audit.record(
        session,
        now=now,
        action="minutes.circulated",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        version=version.number,
        signatories=[s.member_id for s in record.signatories],
    )
    chats = await _chats(session, [s.member_id for s in record.signatories])
    return Circulated(
        _view(version, meeting, secretariat),
        tuple(Recipient(s.member_id, s.name, chats.get(s.member_id)) for s in record.signatories),
    )


async def _signer(
    session: AsyncSession, version: MinutesVersion, meeting: Meeting, telegram_user_id: int
) -> Signatory:
    """The signatory behind this Telegram account, or "not your button"."""
    member_ids = set(
        await session.scalars(
            select(Member.id).where(
                Member.secretariat_id == meeting.secretariat_id,
                Member.active,
                Member.telegram_user_id == telegram_user_id,
            )
        )
    )
    for entry in version.signatories:
        if entry["member_id"] in member_ids:
            return Signatory(**entry)
    raise NotYourButton()


@dataclass(frozen=True)
class Signed:
    """A signature stored; ``complete`` when it was the last one (set exactly once)."""

    view: VersionView
    signer: str
    complete: bool
    missing: tuple[str, ...]
    facilitator_chat: int | None


async def sign(
    session: AsyncSession, *, now: datetime, telegram_user_id: int, version_id: int
) -> Signed:
    """``Firmo el acta``: the presser's signature on this exact version (R14)."""
    version, meeting, secretariat = await _version_for_update(session, version_id)
    await _ensure_current(session, version, meeting)
    if version.circulated_at is None:
        raise NotCirculated(version.number)
    signer = await _signer(session, version, meeting, telegram_user_id)
    signatures = list(
        await session.scalars(
            select(MinutesSignature).where(MinutesSignature.version_id == version.id)
        )
    )
    mine = next((s for s in signatures if s.member_id == signer.member_id), None)
    if mine is not None:
        raise AlreadyRecorded(
            f"firmaste la versión {version.number} el "
            f"{local_stamp(mine.signed_at, secretariat.time_zone)}"
        )
    signature = MinutesSignature(
        version_id=version.id,
        member_id=signer.member_id,
        sha256=version.sha256,
        signed_at=now,
        name=signer.name,
        role=signer.role,
        seat=signer.seat,
    )
    session.add(signature)
    await act_chain.signed(  # issue 15
        session, signature, meeting_id=meeting.id, secretariat_id=secretariat.id, now=now
    )
    expected = [Signatory(**s) for s in version.signatories]
    missing = missing_signatories(expected, [s.member_id for s in signatures] + [signer.member_id])
    complete = not missing
    if complete:
        session.add(SignedMinutes(meeting_id=meeting.id, version_id=version.id, signed_at=now))
    audit.record(
        session,
        now=now,
        action="minutes.signed",
        secretariat_id=secretariat.id,
        member_id=signer.member_id,
        meeting_id=meeting.id,
        version=version.number,
        sha256=version.sha256,
        complete=complete,
    )
    await session.flush()
    return Signed(
        _view(version, meeting, secretariat),
        signer.name,
        complete,
        tuple(s.name for s in missing),
        await _facilitator_chat(session, secretariat.id),
    )


async def ask_changes(
    session: AsyncSession, *, now: datetime, telegram_user_id: int, chat_id: int, version_id: int
) -> VersionView:
    """``Pido cambios``: the next message in this chat is the comment (kept 24 h)."""
    version, meeting, secretariat = await _version_for_update(session, version_id)
    await _ensure_current(session, version, meeting)
    if version.circulated_at is None:
        raise NotCirculated(version.number)
    signer = await _signer(session, version, meeting, telegram_user_id)
    session.add(
        MinutesChangeRequest(
            version_id=version.id, member_id=signer.member_id, chat_id=chat_id, asked_at=now
        )
    )
    return _view(version, meeting, secretariat)


@dataclass(frozen=True)
class Comment:
    """A signatory's comment, to forward to the facilitator."""

    view: VersionView
    author: str
    text: str
    facilitator_chat: int | None


async def take_comment(
    session: AsyncSession, *, now: datetime, chat_id: int, text: str
) -> Comment | None:
    """The comment a ``Pido cambios`` in this chat is waiting for, if any (else ``None``)."""
    request = await session.scalar(
        select(MinutesChangeRequest)
        .where(
            MinutesChangeRequest.chat_id == chat_id,
            MinutesChangeRequest.commented_at.is_(None),
            MinutesChangeRequest.asked_at > now - COMMENT_TTL,
        )
        .order_by(MinutesChangeRequest.id.desc())
        .limit(1)
    )
    if request is None:
        return None
    version = await session.get_one(MinutesVersion, request.version_id)
    meeting = await session.get_one(Meeting, version.meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    request.comment = text
    request.commented_at = now
    author = await session.get_one(Member, request.member_id)
    audit.record(
        session,
        now=now,
        action="minutes.changes_requested",
        secretariat_id=secretariat.id,
        member_id=author.id,
        meeting_id=meeting.id,
        version=version.number,
    )
    return Comment(
        _view(version, meeting, secretariat),
        author.full_name or "sin nombre",
        text,
        await _facilitator_chat(session, secretariat.id),
    )


@dataclass(frozen=True)
class SignatureRow:
    """``/firmas``: one signatory and when they signed."""

    name: str
    role: str
    seat: str | None
    signed_at: str | None


@dataclass(frozen=True)
class Signatures:
    """``/firmas n``: the current version, who signed and who is missing."""

    number: int
    title: str
    version: VersionView | None
    rows: tuple[SignatureRow, ...]
    signed: bool
    signed_sha256: str | None


async def signatures_of(session: AsyncSession, target: Target, number: int) -> Signatures:
    """Who signed session ``number``'s current (or signed) version, and who has not."""
    meeting = await held(session, target, number)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    done = await session.get(SignedMinutes, meeting.id)
    version = (
        await session.get(MinutesVersion, done.version_id)
        if done is not None
        else await current(session, meeting.id)
    )
    if version is None:
        raise NoMinutesYet(number)
    by_member = {
        s.member_id: s
        for s in await session.scalars(
            select(MinutesSignature).where(MinutesSignature.version_id == version.id)
        )
    }
    rows = tuple(
        SignatureRow(
            entry["name"],
            entry["role"],
            entry["seat"],
            local_stamp(by_member[entry["member_id"]].signed_at, secretariat.time_zone)
            if entry["member_id"] in by_member
            else None,
        )
        for entry in version.signatories
    )
    return Signatures(
        number,
        meeting.title or "",
        _view(version, meeting, secretariat),
        rows,
        done is not None,
        done.sha256 if done is not None else None,
    )


async def session_number(session: AsyncSession, version_id: int) -> int:
    """The ``#n`` of the session a version belongs to."""
    number = await session.scalar(
        select(Meeting.number)
        .join(MinutesVersion, MinutesVersion.meeting_id == Meeting.id)
        .where(MinutesVersion.id == version_id)
    )
    if number is None:
        raise StaleButton()
    return number


async def time_zone_of(session: AsyncSession, version_id: int) -> str:
    """The secretariat's zone, to show a signature's local time."""
    zone = await session.scalar(
        select(Secretariat.time_zone)
        .join(Meeting, Meeting.secretariat_id == Secretariat.id)
        .join(MinutesVersion, MinutesVersion.meeting_id == Meeting.id)
        .where(MinutesVersion.id == version_id)
    )
    return zone or "America/Mexico_City"


async def facilitator_chat(session: AsyncSession, meeting_id: int) -> int | None:
    """The facilitator's chat of the session's secretariat."""
    meeting = await session.get_one(Meeting, meeting_id)
    return await _facilitator_chat(session, meeting.secretariat_id)


async def awaits_signature(session: AsyncSession, version_id: int, telegram_user_id: int) -> bool:
    """Whether this account is a signatory of the circulated version who has not signed."""
    version = await session.get(MinutesVersion, version_id)
    if version is None or version.circulated_at is None or version.voided_at is not None:
        return False
    meeting = await session.get_one(Meeting, version.meeting_id)
    if await session.get(SignedMinutes, meeting.id) is not None:
        return False
    try:
        signer = await _signer(session, version, meeting, telegram_user_id)
    except NotYourButton:
        return False
    signed = await session.scalar(
        select(MinutesSignature.id).where(
            MinutesSignature.version_id == version.id,
            MinutesSignature.member_id == signer.member_id,
        )
    )
    return signed is None
