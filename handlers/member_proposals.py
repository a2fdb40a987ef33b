"""Members' proposals (R17): ``/propuesta``, ``/propuestas`` and ``Agregar P-n al orden del
día`` on the convocation preview.

Thin: parse, authorize, call ``storage.services.member_proposals`` (or ``convocations``
for the preview's agenda), answer; the facilitator's notice goes through the outbox. A
proposal with a document is a document whose caption is ``/propuesta <texto>`` (a
``CommandHandler`` never sees captions, so a ``MessageHandler`` on the caption takes it,
as ``/acta`` and ``/importar`` do). The text is checked before anything is downloaded and
the file before anything is stored: a refusal stores nothing. A picture sent as a photo
(Telegram's compressed JPEG) with that caption is taken as ``foto.jpg``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from telegram import Document, Message, PhotoSize, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import buttons, messages, proposal_forwarding
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import authorize_button, command_text, guarded
from domain import member_proposals as rules
from domain.errors import NotAProposalFile, ProposalFileTooLarge
from storage.services import convocations, meetings, member_proposals

LIMIT_MIB = rules.MAX_FILE_BYTES // (1024 * 1024)
PENDING_TTL = timedelta(minutes=10)
PHOTO_NAME = "foto.jpg"


@dataclass(frozen=True)
class Attached:
    """The file sent with the caption: a document, or the largest size of a photo."""

    file: Document | PhotoSize
    filename: str


@dataclass(frozen=True)
class PendingDocument:
    """The file and caption text of a ``/propuesta`` waiting for the secretariat."""

    attached: Attached
    text: str


#: A document with a ``/propuesta`` caption, kept while the guard asks which secretariat it
#: is for (a parked command keeps text, not files), in the database
#: (``bot.conversations``): the press on the secretariat's button may reach another replica.
PENDING_DOCUMENT = Conversation("propuesta_documento", PendingDocument, ttl=PENDING_TTL)


def _caption_text(message: Message) -> str:
    parts = (message.caption or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _attached(message: Message | None) -> Attached | None:
    if message is None:
        return None
    if message.document is not None:
        return Attached(message.document, message.document.file_name or "documento")
    if message.photo:
        return Attached(message.photo[-1], PHOTO_NAME)
    return None


async def propuesta_con_documento(update: Update, context: StmContext) -> None:
    """A document (or photo) whose caption is ``/propuesta <texto>``: the proposal with it."""
    message = update.effective_message
    attached = _attached(message)
    assert message is not None
    assert attached is not None
    pending = PendingDocument(attached, _caption_text(message))
    await PENDING_DOCUMENT.put(update, context, pending)
    await propuesta(update, context)


@guarded("propuesta")
async def propuesta(update: Update, context: StmContext) -> None:
    """A titular's or substitute's proposal, numbered P-n; the facilitator is told (R17)."""
    pending = await PENDING_DOCUMENT.pop(update, context)  # None past PENDING_TTL
    message = update.effective_message
    attached = _attached(message)
    if attached is not None:
        assert message is not None
        text = _caption_text(message)
    elif context.replayed_args == "" and pending is not None:
        attached, text = pending.attached, pending.text  # replayed: the file it was sent with
    else:
        text = command_text(update, context)
    text = rules.clean_text(text)  # refused before any download
    stored = await _store(context, attached) if attached is not None else None
    async with context.db.begin() as session:
        submitted = await member_proposals.submit(
            session,
            now=context.now(),
            target=context.require_target(),
            text=text,
            file=stored[0] if stored else None,
        )
    await messages.reply(update, context, "proposals/submitted", p=submitted.view)
    proposal_forwarding.tell_facilitator(context.app, submitted, stored[1] if stored else None)


async def _store(
    context: StmContext, attached: Attached
) -> tuple[member_proposals.FileRef, bytes]:
    """The file in the file store by its SHA-256, or the refusal (nothing stored)."""
    filename = attached.filename
    if rules.kind_by_name(filename) is None:
        raise NotAProposalFile(filename)
    if (attached.file.file_size or 0) > rules.MAX_FILE_BYTES:
        raise ProposalFileTooLarge(LIMIT_MIB)
    try:
        data = bytes(await (await attached.file.get_file()).download_as_bytearray())
    except TelegramError:
        raise NotAProposalFile(filename) from None
    if len(data) > rules.MAX_FILE_BYTES:
        raise ProposalFileTooLarge(LIMIT_MIB)
    kind = rules.document_kind(filename, data)
    if kind is None:
        raise NotAProposalFile(filename)
    sha = await asyncio.to_thread(context.app.files.put, data)
    return member_proposals.FileRef(sha, len(data), kind.media_type, filename), data


@guarded("propuestas")
async def propuestas(update: Update, context: StmContext) -> None:
    """Every proposal with its status: recibida, remitida al garante (and when)."""
    async with context.db() as session:
        views = await member_proposals.listing(session, context.require_target())
    await messages.reply(update, context, "proposals/propuestas", proposals=views)


async def agregar_boton(update: Update, context: StmContext) -> None:
    """``Agregar P-n al orden del día`` on the preview; the preview is redrawn (R17)."""
    query = update.callback_query
    assert query is not None
    meeting_id, proposal_id = buttons.ids(query.data)
    async with context.db() as session:
        secretariat_id = await meetings.secretariat_of(session, meeting_id)
    target = await authorize_button(update, context, "convocar", secretariat_id)
    async with context.db.begin() as session:
        preview = await convocations.add_proposal(
            session,
            now=context.now(),
            target=target,
            meeting_id=meeting_id,
            proposal_id=proposal_id,
            mail=context.settings.mail is not None,
        )
    await query.answer(f"{preview.added} quedó en el orden del día.")
    text = messages.render(
        "convocations/preview", meeting=preview.meeting, proposals=preview.proposals
    )
    markup = buttons.convocation_preview(
        preview.meeting.id,
        non_business=preview.meeting.needs_confirmation,
        proposals=preview.proposals.addable,
    )
    if len(messages.split_message(text)) == 1:
        try:  # the preview in place, as the non-business confirmation redraws its buttons
            await query.edit_message_text(text, reply_markup=markup)
            return
        except TelegramError:
            pass  # too old to edit, or gone: a fresh preview below
    await messages.reply(
        update,
        context,
        "convocations/preview",
        meeting=preview.meeting,
        proposals=preview.proposals,
        reply_markup=markup,
    )


#: A caption ``/propuesta`` (or ``/propuesta@bot``) — not ``/propuestas``.
_CAPTION = filters.CaptionRegex(r"^/propuesta(@\w+)?(\s|$)")

HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("propuesta", propuesta),
    MessageHandler((filters.Document.ALL | filters.PHOTO) & _CAPTION, propuesta_con_documento),
    CommandHandler("propuestas", propuestas),
    CallbackQueryHandler(agregar_boton, pattern=f"^{buttons.Action.PROPOSAL_AGENDA.value}:"),
]
