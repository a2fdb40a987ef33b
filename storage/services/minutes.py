"""Minutes sent to the garante: deadlines, ``/actas`` and ``/acta_enviada`` (R15)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import reminders as rules
from domain.errors import MinutesAlreadySent, SessionNotHeld
from domain.notice import local_date
from domain.roles import Target
from domain.secretariat_settings import MinutesDeadline, SecretariatSettings
from storage.models import GaranteMailing, Meeting, MinutesVersion, Secretariat, SignedMinutes
from storage.services import act_chain, audit
from storage.services.meetings import MeetingView, by_number, local_stamp, view_of
from storage.services.secretariats import settings_of


def deadline_of(meeting: Meeting, stm_tz: str, rule: MinutesDeadline) -> date:
    """R15's deadline for one held session, from the local date it was held on."""
    return rules.minutes_deadline(
        local_date(meeting.starts_at, stm_tz),
        following_month=rule is MinutesDeadline.MES_SIGUIENTE,
    )


@dataclass(frozen=True)
class MinutesLine:
    """One held session in ``/actas``."""

    meeting: MeetingView
    deadline: str
    status: rules.MinutesStatus
    sent_at: str | None
    note: str | None
    # R14 / R15a: where the minutes themselves stand, and how the sending was established.
    stage: str = "sin borrador"  # | borrador (versión n) | en firma (versión n) | firmada
    via: str | None = None  # manual | correo
    mail: str | None = None  # the garante's e-mail while it is being retried or failed


async def minutes(session: AsyncSession, *, now: datetime, target: Target) -> list[MinutesLine]:
    """``/actas``: held (installed) sessions, newest first, with R15 deadline and status."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    settings = settings_of(secretariat)
    today = local_date(now, secretariat.time_zone)
    meetings = list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.secretariat_id == secretariat.id, Meeting.installed_at.is_not(None))
            .order_by(Meeting.starts_at.desc())
        )
    )
    ids = [m.id for m in meetings]
    versions: dict[int, MinutesVersion] = {}
    for version in await session.scalars(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id.in_(ids), MinutesVersion.voided_at.is_(None))
        .order_by(MinutesVersion.number)
    ):
        versions[version.meeting_id] = version
    signed = set(
        await session.scalars(
            select(SignedMinutes.meeting_id).where(SignedMinutes.meeting_id.in_(ids))
        )
    )
    mails = {
        row.meeting_id: row
        for row in await session.scalars(
            select(GaranteMailing).where(GaranteMailing.meeting_id.in_(ids))
        )
    }
    lines = []
    for meeting in meetings:
        line = _minutes_line(meeting, secretariat, settings, today)
        version = versions.get(meeting.id)
        if meeting.id in signed:
            stage = "firmada"
        elif version is None:
            stage = "sin borrador"
        elif version.circulated_at is not None:
            stage = f"en firma (versión {version.number})"
        else:
            stage = f"borrador (versión {version.number})"
        mail = mails.get(meeting.id)
        mail_state = None
        if mail is not None and mail.state == "pendiente":
            mail_state = f"correo al garante en reintento ({mail.attempts} intento(s) fallido(s))"
        elif mail is not None and mail.state == "fallido":
            mail_state = f"correo al garante rechazado: {mail.last_error}"
        lines.append(replace(line, stage=stage, mail=mail_state))
    return lines


def _minutes_line(
    meeting: Meeting, secretariat: Secretariat, settings: SecretariatSettings, today: date
) -> MinutesLine:
    deadline = deadline_of(meeting, secretariat.time_zone, settings.minutes_deadline)
    sent_on = (
        local_date(meeting.minutes_sent_at, secretariat.time_zone)
        if meeting.minutes_sent_at
        else None
    )
    return MinutesLine(
        view_of(meeting, secretariat),
        deadline.isoformat(),
        rules.minutes_status(deadline, sent_on=sent_on, today=today),
        local_stamp(meeting.minutes_sent_at, secretariat.time_zone)
        if meeting.minutes_sent_at
        else None,
        meeting.minutes_note,
        via=meeting.minutes_sent_via,
    )


async def mark_minutes_sent(
    session: AsyncSession, *, now: datetime, target: Target, number: int, note: str | None
) -> MinutesLine:
    """``/acta_enviada n [nota]``: stored with time, who and note; stops the reminders (R15)."""
    meeting = await by_number(session, target, number)
    if meeting.installed_at is None:
        raise SessionNotHeld(number)
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    if meeting.minutes_sent_at is not None:
        raise MinutesAlreadySent(
            number,
            local_stamp(meeting.minutes_sent_at, secretariat.time_zone),
        )
    meeting.minutes_sent_at = now
    meeting.minutes_sent_by = target.membership.member_id
    meeting.minutes_note = note
    meeting.minutes_sent_via = "manual"
    await act_chain.minutes_sent(session, meeting, now=now)  # issue 15
    audit.record(
        session,
        now=now,
        action="minutes.sent",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        meeting_id=meeting.id,
        note=note,
    )
    return _minutes_line(
        meeting, secretariat, settings_of(secretariat), local_date(now, secretariat.time_zone)
    )


async def line_of(session: AsyncSession, meeting_id: int) -> MinutesLine:
    """One held session's ``/actas`` line (after the garante's mail server accepted it)."""
    meeting = await session.get_one(Meeting, meeting_id)
    secretariat = await session.get_one(Secretariat, meeting.secretariat_id)
    return _minutes_line(
        meeting,
        secretariat,
        settings_of(secretariat),
        local_date(meeting.minutes_sent_at or meeting.starts_at, secretariat.time_zone),
    )
