"""``/evidencia <n> [descripción]`` (R19 a): a photo, video, audio, voice note or document
the facilitator attaches to a held session, published with it on the microsite.

Thin: parse, authorize, check, download, store, answer. The command comes as the caption
of the file (a ``CommandHandler`` never sees captions, so a ``MessageHandler`` on the
caption takes it, as ``/propuesta`` and ``/acta`` do) or as a reply to the message that
carries the file. Everything that can be refused unread is refused before ``getFile``:
the number, the session's state, a size over the Bot API's 20 MB download limit, a
document of no accepted type; then the bytes are checked (``domain.evidence``) before
anything is stored. The file goes to the store by its SHA-256 (the same bytes are the
same name, so a refused duplicate adds nothing) and the evidence is recorded in one unit
of work with its file row and audit entry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from telegram import Audio, Document, Message, PhotoSize, Update, Video, VideoNote, Voice
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import messages
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import command_text, guarded
from domain import evidence as rules
from domain.errors import EvidenceFileTooLarge, NoEvidenceFile, NotAnEvidenceFile
from domain.evidence import Carrier
from domain.public_record import human_size
from handlers.microsite import secretariat_url, site_address
from storage.files import sha256_hex
from storage.services import evidence

PENDING_TTL = timedelta(minutes=10)

TelegramFile = PhotoSize | Video | VideoNote | Audio | Voice | Document


@dataclass(frozen=True)
class Attachment:
    """The file a message carries, as Telegram describes it (nothing downloaded yet)."""

    file: TelegramFile
    carrier: Carrier
    filename: str | None


@dataclass(frozen=True)
class Found:
    """What an ``/evidencia`` brought: its arguments and the file, if any."""

    args: str
    attachment: Attachment | None
    replied: bool  # the command answered another message (that carried the file, or not)


#: The file of an ``/evidencia`` kept while the guard asks which secretariat it is for (a
#: parked command keeps text, not files), in the database (``bot.conversations``): the
#: press on the secretariat's button may reach another replica.
PENDING = Conversation("evidencia_pendiente", Found, ttl=PENDING_TTL)


def attachment_of(message: Message | None) -> Attachment | None:
    """The photo (its largest size), video, audio, voice note or document of a message."""
    if message is None:
        return None
    if message.photo:
        return Attachment(message.photo[-1], Carrier.PHOTO, None)
    media: tuple[tuple[TelegramFile | None, Carrier], ...] = (
        (message.video, Carrier.VIDEO),
        (message.video_note, Carrier.VIDEO_NOTE),
        (message.audio, Carrier.AUDIO),
        (message.voice, Carrier.VOICE),
        (message.document, Carrier.DOCUMENT),
    )
    for file, carrier in media:
        if file is not None:
            return Attachment(file, carrier, getattr(file, "file_name", None))
    return None


def _found(update: Update, context: StmContext) -> Found:
    message = update.effective_message
    assert message is not None
    if message.caption is not None:  # the file's own caption: "/evidencia n …"
        parts = message.caption.split(maxsplit=1)
        args = parts[1] if len(parts) > 1 else ""
        return Found(args, attachment_of(message), False)
    replied = message.reply_to_message
    return Found(command_text(update, context), attachment_of(replied), replied is not None)


async def evidencia_recibida(update: Update, context: StmContext) -> None:
    """Every ``/evidencia`` (a caption or a command): its file kept in case the guard must
    ask for the secretariat, then the guarded command."""
    await PENDING.put(update, context, _found(update, context))
    await evidencia(update, context)


async def _this_or_pending(update: Update, context: StmContext) -> Found:
    """This message's file, or on a replay (the secretariat was chosen with a button) the
    file the parked command came with, while it is fresh (``PENDING_TTL``)."""
    pending = await PENDING.pop(update, context)
    if context.replayed_args is None:
        return pending if pending is not None else _found(update, context)
    if pending is not None:
        return pending
    return Found(context.replayed_args, None, False)


@guarded("evidencia")
async def evidencia(update: Update, context: StmContext) -> None:
    """A held session's evidence, kept by SHA-256 and published on the microsite (R19 a)."""
    found = await _this_or_pending(update, context)
    request = rules.parse(found.args)  # refused before any download
    target = context.require_target()
    async with context.db() as session:
        await evidence.held_session(session, target, request.number)
    if found.attachment is None:
        raise NoEvidenceFile(request.number, found.replied)
    data, checked = await _download(found.attachment)
    await asyncio.to_thread(context.app.files.put, data)  # same bytes, same name: idempotent
    async with context.db.begin() as session:
        attached = await evidence.attach(
            session,
            now=context.now(),
            target=target,
            number=request.number,
            file=checked,
            caption=request.caption,
        )
    address = site_address(context)
    await messages.reply(
        update,
        context,
        "evidence/evidencia_ok",
        e=attached,
        size=human_size(attached.size),  # as the minutes page shows it
        address=address,
        url=secretariat_url(address, attached.slug, "actas"),
    )


async def _download(attachment: Attachment) -> tuple[bytes, evidence.EvidenceFile]:
    """The file's bytes and what they are; refused by size and name before ``getFile``,
    by the bytes themselves after (nothing is stored then)."""
    rules.check_before_download(attachment.carrier, attachment.filename, attachment.file.file_size)
    try:
        data = bytes(await (await attachment.file.get_file()).download_as_bytearray())
    except BadRequest as exc:  # Telegram refuses the file; network trouble is no refusal
        if "too big" in exc.message.lower():  # Telegram's own size limit
            raise EvidenceFileTooLarge(rules.MAX_FILE_BYTES // (1024 * 1024)) from None
        raise NotAnEvidenceFile(rules.clean_filename(attachment.filename) or "archivo") from None
    identified = rules.identify(attachment.carrier, attachment.filename, data)
    return data, evidence.EvidenceFile(
        sha256=sha256_hex(data),
        size=identified.size,
        media_type=identified.media_type,
        filename=identified.filename,
        kind=identified.kind,
    )


#: A caption ``/evidencia`` (or ``/evidencia@bot``) on any message: what it carries is
#: checked by the handler, so an unsupported one gets its answer too.
_CAPTION = filters.CaptionRegex(r"^/evidencia(@\w+)?(\s|$)")

HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("evidencia", evidencia_recibida),
    MessageHandler(_CAPTION, evidencia_recibida),
]
