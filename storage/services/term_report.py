"""The end of term from the record (R5, I.6): the report's facts and the package's parts.

The report is computed from the open datasets (``storage.services.open_data``, R19 d) —
the same rows the microsite publishes — by :mod:`domain.term_report`, so the report and
the public record cannot disagree, and nothing of R21's list can reach it (those
statements name no Telegram id, username, phone or e-mail).

The report's cut (``as_of``) is the record's latest change (``open_data.updated_at``), not
the moment it was asked for: the same record gives the same report, byte for byte, and
the handover package that carries it the same SHA-256 (R5's package is an archive of
record, not a snapshot of a clock).

Files are never read here: :func:`package` lists what goes into the package (the signed
minutes' SHA-256, the datasets' text, the follow-up reports' data); ``bot.term_flow``
reads the stored files and lays the reports out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import open_data as od
from domain import term_report as rules
from domain.errors import TermNotSet
from domain.follow_up_report import Report
from domain.notice import local_date
from domain.roles import Target
from domain.term_report import Term, TermReport
from storage.models import Meeting, Secretariat, SignedMinutes
from storage.services import audit, follow_up_report, open_data
from storage.services.meetings import local_stamp
from storage.services.minutes_versions import register_file
from storage.services.secretariats import settings_of

__all__ = ["Package", "package", "record_made", "report", "term_of"]


async def term_of(session: AsyncSession, target: Target) -> tuple[Secretariat, Term]:
    """The caller's secretariat and its term.

    Raises:
        TermNotSet: ``periodo_inicio`` or ``periodo_fin`` is empty (R5).
    """
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    settings = settings_of(secretariat)
    if settings.term_start is None or settings.term_end is None:
        raise TermNotSet()
    return secretariat, Term(settings.term_start, settings.term_end)


async def _cut(session: AsyncSession, secretariat: Secretariat) -> datetime:
    """The record's latest change (the secretariat's creation at least)."""
    return await open_data.updated_at(session, secretariat.id) or secretariat.created_at


async def _report(
    session: AsyncSession, secretariat: Secretariat, term: Term, now: datetime
) -> tuple[TermReport, dict[str, list[od.Row]], datetime]:
    tz = secretariat.time_zone
    tables = await open_data.every_dataset(session, secretariat.id, now=now)
    cut = await _cut(session, secretariat)
    built = rules.build(
        secretariat=secretariat.name,
        term=term,
        time_zone=tz,
        as_of=local_stamp(cut, tz),
        today=local_date(now, tz),
        **rules.facts_from_tables(tables, time_zone=tz),
    )
    return built, tables, cut


async def report(session: AsyncSession, *, now: datetime, target: Target) -> TermReport:
    """``/informe``: the term's report as of the record's latest change.

    Raises:
        TermNotSet: the term is not set.
    """
    secretariat, term = await term_of(session, target)
    built, _, _ = await _report(session, secretariat, term, now)
    return built


@dataclass(frozen=True)
class Package:
    """What ``/entrega`` puts in the ZIP, before any file is read or laid out."""

    slug: str
    report: TermReport
    cut: datetime  # the record's latest change: every ZIP entry's date
    signed: tuple[tuple[int, str], ...]  # (session number, signed file's SHA-256)
    open_data: dict[str, bytes]  # "datos/sesiones.csv" → bytes, datapackage.json included
    follow_ups: tuple[Report, ...]  # the term's ended months with anything to report


async def package(session: AsyncSession, *, now: datetime, target: Target) -> Package:
    """The handover package's parts (R5, I.6): every signed minutes of a session held in
    the term, the open datasets as published (CSV, JSON and ``datapackage.json``), and
    the follow-up report of every ended month of the term with activity (II.6).

    The datasets are the whole public record as published on the microsite (their rows
    are not cut to the term: a successor receives the record the term leaves).

    Raises:
        TermNotSet: the term is not set.
    """
    secretariat, term = await term_of(session, target)
    built, tables, cut = await _report(session, secretariat, term, now)
    numbers = [s.number for s in built.sessions]
    signed = tuple(
        (number, sha)
        for number, sha in (
            await session.execute(
                select(Meeting.number, SignedMinutes.sha256)
                .join(SignedMinutes, SignedMinutes.meeting_id == Meeting.id)
                .where(
                    Meeting.secretariat_id == secretariat.id,
                    Meeting.number.in_(numbers),
                    SignedMinutes.sha256.is_not(None),
                )
                .order_by(Meeting.number)
            )
        ).tuples()
        if number is not None and sha is not None
    )
    return Package(
        slug=secretariat.slug,
        report=built,
        cut=cut,
        signed=signed,
        open_data=_datasets(secretariat, tables, cut),
        follow_ups=await _follow_ups(session, secretariat, term, now, target),
    )


def _datasets(
    secretariat: Secretariat, tables: dict[str, list[od.Row]], cut: datetime
) -> dict[str, bytes]:
    """The datasets as the microsite serves them (R19 d), named as ``datapackage.json``'s
    resources point at them, so the folder validates as a Data Package."""
    tz = secretariat.time_zone
    licence = od.licence_of(secretariat.licence)
    updated = cut if cut != secretariat.created_at else None
    out: dict[str, bytes] = {}
    for data in od.DATASETS:
        rows = tables[data.name]
        out[f"datos/{data.name}.csv"] = od.to_csv(data, rows, time_zone=tz).encode()
        out[f"datos/{data.name}.json"] = od.to_json(
            data,
            rows,
            time_zone=tz,
            secretariat=secretariat.name,
            updated=updated,
            licence=licence,
        ).encode()
    descriptor = od.datapackage(
        slug=secretariat.slug,
        secretariat=secretariat.name,
        licence=licence,
        updated=updated,
        time_zone=tz,
    )
    out["datos/datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode()
    return out


async def _follow_ups(
    session: AsyncSession,
    secretariat: Secretariat,
    term: Term,
    now: datetime,
    target: Target,
) -> tuple[Report, ...]:
    """The follow-up report (II.6) of every ended month of the term with activity.

    A closed month's report never changes (``storage.services.follow_up_report``); its
    "generated" stamp is set to the month's close, so it is the same file every time.
    """
    today = local_date(now, secretariat.time_zone)
    out = []
    for month in term.months:
        if month.last_day >= today:
            break
        if month.next.first_day <= local_date(secretariat.created_at, secretariat.time_zone):
            continue  # the month ended before the secretariat existed
        made = await follow_up_report.report(session, now=now, target=target, month=month)
        if not made.empty:
            out.append(replace(made, generated_at=f"{month.next.first_day.isoformat()} 00:00"))
    return tuple(out)


async def record_made(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    action: str,
    files: dict[str, tuple[str, int, str]],
) -> None:
    """Index the stored files (``name → (sha256, size, media type)``) and audit what was
    made (``informe`` or ``entrega``) with their SHA-256 (R5)."""
    for sha, size, media_type in files.values():
        await register_file(session, now=now, sha256=sha, size=size, media_type=media_type)
    audit.record(
        session,
        now=now,
        action=action,
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        files={name: sha for name, (sha, _, _) in sorted(files.items())},
    )
