"""End of term (R5, I.6): ``/informe`` (the activity report) and ``/entrega`` (the package).

Thin: authorize (the guard), make the files (``bot.term_flow``: one read of the record,
layouts in the rendering process, files stored by SHA-256 and audited before anything is
sent), send them back with their SHA-256. Only this chat waits for the layout (updates
are processed per chat); past :data:`SLOW` seconds the facilitator is told it is on its
way, like ``/reporte``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot import messages, term_flow
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.errors import Usage

#: Seconds of work after which "Preparando…" is said first.
SLOW = 1.0
T = TypeVar("T")


async def _patiently(
    update: Update, context: StmContext, work: Coroutine[Any, Any, T], template: str
) -> T:
    """Await ``work``, telling the chat it is coming when it takes over :data:`SLOW`."""
    chat = update.effective_chat
    assert chat is not None
    with contextlib.suppress(TelegramError):  # cosmetic: "sending a file…" while it renders
        await context.bot.send_chat_action(chat.id, "upload_document")
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=SLOW)
    if not done:
        with contextlib.suppress(TelegramError):  # a notice; the file is what matters
            await messages.reply(update, context, template)
    return await task


@guarded("informe")
async def informe(update: Update, context: StmContext) -> None:
    """The term's activity report as PDF and DOCX, each with its SHA-256 (R5)."""
    if command_text(update, context).strip():
        raise Usage("informe")
    made = await _patiently(
        update,
        context,
        term_flow.make_report(context.app, context.require_target()),
        "term/preparing_report",
    )
    chat = update.effective_chat
    assert chat is not None
    for data, name, sha in (
        (made.pdf, made.pdf_name, made.pdf_sha256),
        (made.docx, made.docx_name, made.docx_sha256),
    ):
        await context.bot.send_document(
            chat.id,
            data,
            filename=name,
            caption=messages.render("term/informe_caption", r=made.report, name=name, sha=sha),
        )


@guarded("entrega")
async def entrega(update: Update, context: StmContext) -> None:
    """The term's handover package: a ZIP with its manifest, and its SHA-256 (R5, I.6)."""
    if command_text(update, context).strip():
        raise Usage("entrega")
    package = await _patiently(
        update,
        context,
        term_flow.make_package(context.app, context.require_target()),
        "term/preparing_package",
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        package.data,
        filename=package.name,
        caption=messages.render("term/entrega_caption", p=package),
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("informe", informe),
    CommandHandler("entrega", entrega),
]
