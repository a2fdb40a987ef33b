"""``/importar``: the roster in bulk from a CSV or XLSX file (commands.md "Roster in bulk").

Two ways in, both private and for the facilitator (R1–R3): a document whose caption is
``/importar``, or ``/importar`` alone and then the document. The second keeps a pending
import in the database (``bot.conversations``, like ``votes.TYPED_DEADLINE``), so the file
may reach any replica, or the bot after a restart. It ends when a file is imported or
``PENDING_TTL`` passes without a file; a refused file keeps it, so the corrected file can
follow. A document sent with nothing pending is not an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import messages
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import authorize, guarded
from domain import roster_import
from domain.errors import FileTooLarge, UnreadableFile
from storage.services import roster_import as importing

PENDING_TTL = timedelta(minutes=10)
LINKS_FILENAME = "invitaciones.csv"


@dataclass(frozen=True)
class PendingImport:
    """``/importar`` was sent without a file: the next document is the import."""

    secretariat_id: int


#: An ``/importar`` waiting for its file in this chat.
PENDING_IMPORT = Conversation("importar_pendiente", PendingImport, ttl=PENDING_TTL)


@guarded("importar")
async def importar(update: Update, context: StmContext) -> None:
    """Add every row of the attached sheet, all or nothing; or wait for the file (R1–R3)."""
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:  # typed alone, or replayed after choosing the secretariat
        target = context.require_target()
        await PENDING_IMPORT.put(update, context, PendingImport(target.secretariat_id))
        await messages.reply(update, context, "roster/importar_ask", limit=roster_import.MAX_ROWS)
        return
    await PENDING_IMPORT.delete(update, context)  # a file with the command ends any wait
    await _import(update, context, document)


async def documento(update: Update, context: StmContext) -> None:
    """A document without a command: the import ``/importar`` is waiting for, if any."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if context.consumed:  # the document /verificar was waiting for (handlers/minutes.py)
        return
    pending = await PENDING_IMPORT.get(update, context)  # None once PENDING_TTL passed
    if pending is None:
        await messages.reply(update, context, "roster/importar_sin_comando")
        return
    # A refused file keeps the import pending (ten more minutes) for the corrected one.
    await PENDING_IMPORT.put(update, context, pending)
    context.chosen = pending.secretariat_id  # re-authorized for that secretariat, now
    if await authorize(update, context, "importar") is not None:
        await _import(update, context, message.document)


async def _import(update: Update, context: StmContext, document: Document) -> None:
    kind = roster_import.file_kind(document.file_name, document.mime_type)
    if (document.file_size or 0) > roster_import.MAX_BYTES:  # before downloading it
        raise FileTooLarge(roster_import.MAX_BYTES // 1024)
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        raise UnreadableFile(kind.value) from None
    rows = roster_import.read_rows(data, kind)
    async with context.db.begin() as session:
        imported = await importing.import_rows(
            session,
            now=context.now(),
            target=context.require_target(),
            rows=rows,
            ttl=context.settings.invitation_ttl,
            filename=document.file_name or "",
        )
        await PENDING_IMPORT.delete(update, context, session=session)  # done: nothing waits
    links = roster_import.links_csv(
        [
            e.invited.number,
            e.row,
            e.invited.role,
            e.seat_key or "",
            e.invited.full_name,
            context.invitation_link(e.invited.token),
            imported.expires,
        ]
        for e in imported.entries
    )
    await messages.reply(
        update, context, "roster/importar_ok", imported=imported, filename=LINKS_FILENAME
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, links, filename=LINKS_FILENAME)


#: A caption ``/importar`` (or ``/importar@bot``), with or without anything after it.
_CAPTION = filters.CaptionRegex(r"^/importar(@\w+)?(\s|$)")

HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("importar", importar),
    MessageHandler(filters.Document.ALL & _CAPTION, importar),
    # Documents without a command caption, in private: only an import if one is pending.
    MessageHandler(
        filters.ChatType.PRIVATE & filters.Document.ALL & ~filters.CaptionRegex(r"^/"),
        documento,
    ),
]
