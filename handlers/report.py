"""The follow-up report (R16a, II.6): ``/reporte [AAAA-MM]`` sends the month's PDF.

Thin: parse the month, read the report in one unit of work (``storage.services.
follow_up_report``), lay it out in the bot's rendering process (``bot.minutes_flow.
render``, the process the minutes use: WeasyPrint never holds the event loop), send it
back. Nothing changes, so nothing is committed. A long plan takes a few seconds to lay
out; past :data:`SLOW` the facilitator is told it is on its way.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot import messages, minutes_flow, report_files
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain import follow_up_report as rules
from domain.errors import Usage
from storage.services import follow_up_report

#: Seconds of rendering after which "Preparando el informe…" is said first.
SLOW = 1.0


@guarded("reporte")
async def reporte(update: Update, context: StmContext) -> None:
    """The month's follow-up report as PDF (default: the previous month; R16a, II.6)."""
    raw = command_text(update, context).strip()
    month = rules.parse_month(raw) if raw else None
    if raw and month is None:
        raise Usage("reporte")
    async with context.db() as session:
        report = await follow_up_report.report(
            session, now=context.now(), target=context.require_target(), month=month
        )
    chat = update.effective_chat
    assert chat is not None
    with contextlib.suppress(TelegramError):  # cosmetic: "sending a file…" while it renders
        await context.bot.send_chat_action(chat.id, "upload_document")
    rendering = asyncio.ensure_future(minutes_flow.render(report_files.render_pdf, report))
    done, _ = await asyncio.wait({rendering}, timeout=SLOW)
    if not done:
        with contextlib.suppress(TelegramError):  # a notice; the document is what matters
            await messages.reply(update, context, "report/preparing", report=report)
    pdf = await rendering
    await context.bot.send_document(
        chat.id,
        pdf,
        filename=rules.filename(report.month),
        caption=messages.render("report/caption", report=report),
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [CommandHandler("reporte", reporte)]
