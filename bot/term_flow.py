"""Making the end-of-term files (R5, I.6): the report (PDF + DOCX) and the handover ZIP.

The record is read in one short unit of work (``storage.services.term_report``); the
layouts run in the bot's rendering process (``bot.minutes_flow.render``: WeasyPrint and
Pillow never hold the event loop, so other chats are answered meanwhile), stored files
are read and the ZIP built in worker threads. Every file made is stored by its SHA-256
(``storage.files``: never overwritten; the same record gives the same bytes, so asking
twice stores nothing new) and indexed and audited in one commit before anything is sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot import minutes_flow, report_files, term_files
from bot.context import StmApplication
from domain import handover
from domain import term_report as rules
from domain.errors import HandoverTooLarge
from domain.roles import Target
from domain.term_report import TermReport
from storage.services import term_report

__all__ = ["Made", "Package", "make_package", "make_report"]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"


@dataclass(frozen=True)
class Made:
    """The term report's two files, stored."""

    report: TermReport
    pdf: bytes
    docx: bytes
    pdf_sha256: str
    docx_sha256: str

    @property
    def pdf_name(self) -> str:
        """``informe-periodo-….pdf``."""
        return rules.filename(self.report.term, "pdf")

    @property
    def docx_name(self) -> str:
        """``informe-periodo-….docx``."""
        return rules.filename(self.report.term, "docx")


@dataclass(frozen=True)
class Package:
    """The handover ZIP, stored, with what it holds."""

    report: TermReport
    data: bytes
    sha256: str
    name: str
    lines: tuple[handover.ManifestLine, ...]
    signed: int
    follow_ups: int


async def _lay_out(report: TermReport) -> tuple[bytes, bytes]:
    pdf = await minutes_flow.render(term_files.render_pdf, report)
    docx = await minutes_flow.render(term_files.render_docx, report)
    return pdf, docx


async def _store(
    app: StmApplication, target: Target, action: str, files: dict[str, tuple[bytes, str]]
) -> dict[str, str]:
    """Store ``name → (bytes, media type)`` by SHA-256, index and audit them in one commit."""
    shas = {
        name: await asyncio.to_thread(app.files.put, data) for name, (data, _) in files.items()
    }
    async with app.db.begin() as session:
        await term_report.record_made(
            session,
            now=app.clock(),
            target=target,
            action=action,
            files={name: (shas[name], len(data), media) for name, (data, media) in files.items()},
        )
    return shas


async def make_report(app: StmApplication, target: Target) -> Made:
    """``/informe``: the term's report as PDF and DOCX, stored (R5).

    Raises:
        TermNotSet: the term is not set.
    """
    async with app.db() as session:
        report = await term_report.report(session, now=app.clock(), target=target)
    pdf, docx = await _lay_out(report)
    names = (rules.filename(report.term, "pdf"), rules.filename(report.term, "docx"))
    shas = await _store(app, target, "informe", {names[0]: (pdf, PDF), names[1]: (docx, DOCX)})
    return Made(report, pdf, docx, shas[names[0]], shas[names[1]])


async def make_package(app: StmApplication, target: Target) -> Package:
    """``/entrega``: the handover ZIP (R5, I.6), stored.

    Raises:
        TermNotSet: the term is not set.
        HandoverTooLarge: over Telegram's 50 MB for a bot's document (nothing is stored).
    """
    async with app.db() as session:
        parts = await term_report.package(session, now=app.clock(), target=target)
    report = parts.report
    files: dict[str, bytes] = {}
    for number, sha in parts.signed:
        files[handover.signed_minutes_name(number)] = await asyncio.to_thread(app.files.get, sha)
    for monthly in parts.follow_ups:
        files[handover.follow_up_name(str(monthly.month))] = await minutes_flow.render(
            report_files.render_pdf, monthly
        )
    pdf, docx = await _lay_out(report)
    files[f"informes/{rules.filename(report.term, 'pdf')}"] = pdf
    files[f"informes/{rules.filename(report.term, 'docx')}"] = docx
    files.update(parts.open_data)
    cut = parts.cut.astimezone(ZoneInfo(report.time_zone))
    data, lines = await asyncio.to_thread(handover.archive, files, cut=cut)
    if not handover.fits(len(data)):
        raise HandoverTooLarge(
            size_mb=f"{len(data) / 1_000_000:.1f}", limit_mb=handover.TELEGRAM_LIMIT // 1_000_000
        )
    name = handover.filename(
        parts.slug, report.term.start.isoformat(), report.term.end.isoformat()
    )
    shas = await _store(
        app,
        target,
        "entrega",
        {
            name: (data, ZIP),
            rules.filename(report.term, "pdf"): (pdf, PDF),
            rules.filename(report.term, "docx"): (docx, DOCX),
        },
    )
    return Package(report, data, shas[name], name, lines, len(parts.signed), len(parts.follow_ups))
