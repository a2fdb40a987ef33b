"""Minutes (R14, R15a, R20): ``/nota``, ``/acta``, versions, signatures, ``/firmas``,
``/acta_firmada`` and ``/verificar``.

Thin: parse, authorize, call ``bot.minutes_flow`` / the storage services, answer. The
facilitator's draft is rendered in a thread while other chats go on; everything sent to
other people (the circulated version, notices, the signed copies) goes through the outbox.
Buttons carry a version id and nothing else: every press is re-authorized, and a press on
a version that a newer one replaced gets an alert (R14).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import buttons, chain_entries, delivery, messages, minutes_flow
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import authorize, authorize_button, command_text, guarded
from domain import minutes as rules
from domain.errors import MinutesFileTooLarge, NotAMinutesFile, Usage
from domain.minutes import FileKind
from handlers import parsing
from storage.services import minutes_record, minutes_versions, signed_minutes
from storage.services.meetings import local_stamp

LIMIT_MIB = rules.MAX_UPLOAD_BYTES // (1024 * 1024)
PENDING_TTL = timedelta(minutes=10)


@guarded("nota")
async def nota(update: Update, context: StmContext) -> None:
    """A note on one agenda item of the latest held session; it goes into the minutes."""
    item, text = parsing.nota(command_text(update, context))
    async with context.db.begin() as session:
        meeting, count = await minutes_record.add_note(
            session, now=context.now(), target=context.require_target(), item=item, text=text
        )
        number, title, item_text = meeting.number, meeting.title, meeting.agenda[item - 1]
    await messages.reply(
        update,
        context,
        "minutes/nota_ok",
        item=item,
        item_text=item_text,
        count=count,
        number=number,
        title=title,
    )


@guarded("acta")
async def acta(update: Update, context: StmContext) -> None:
    """``/acta n``: the draft from the record; with a document, the next version."""
    message = update.effective_message
    document = message.document if message is not None else None
    text = command_text(update, context) if document is None else _caption_args(message)
    number = parsing.roster_number(text, "acta") if text.strip() else None
    if number is None:
        raise Usage("acta")
    target = context.require_target()
    chat = update.effective_chat
    assert chat is not None
    if document is not None:
        data, kind, filename = await _download(document)
        added = await minutes_flow.add_upload(context.app, target, number, data, kind, filename)
        await messages.reply(
            update,
            context,
            "minutes/version_ok",
            added=added,
            reply_markup=None if added.reused else buttons.minutes_draft(added.view.id),
        )
        return
    with contextlib.suppress(TelegramError):  # cosmetic: rendering a long acta takes a moment
        await context.bot.send_chat_action(chat.id, "upload_document")
    draft = await minutes_flow.make_draft(context.app, target, number)
    pdf_name, docx_name = minutes_flow.draft_names(number, draft.view.version)
    await context.bot.send_document(
        chat.id, draft.pdf, filename=pdf_name, caption=f"SHA-256: <code>{draft.view.sha256}</code>"
    )
    await context.bot.send_document(
        chat.id,
        draft.docx,
        filename=docx_name,
        caption=f"SHA-256: <code>{draft.view.docx_sha256}</code>",
    )
    await messages.reply(
        update,
        context,
        "minutes/draft",
        view=draft.view,
        reused=draft.reused,
        voided=draft.voided.voided if draft.voided else None,
        signatures=draft.voided.voided_signatures if draft.voided else 0,
        reply_markup=buttons.minutes_draft(draft.view.id),
    )


def _caption_args(message: object) -> str:
    caption = getattr(message, "caption", None) or ""
    parts = caption.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def _download(document: Document) -> tuple[bytes, FileKind, str]:
    """A version's bytes, refused by size before downloading and by content after."""
    filename = document.file_name or "documento"
    if (document.file_size or 0) > rules.MAX_UPLOAD_BYTES:
        raise MinutesFileTooLarge(LIMIT_MIB)
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        raise NotAMinutesFile(filename) from None
    if len(data) > rules.MAX_UPLOAD_BYTES:
        raise MinutesFileTooLarge(LIMIT_MIB)
    kind = rules.upload_kind(filename, data)
    if kind is None:
        raise NotAMinutesFile(filename)
    return data, kind, filename


async def acta_boton(update: Update, context: StmContext) -> None:
    """``Circular para firma`` / ``Subir versión corregida`` on the facilitator's draft."""
    query = update.callback_query
    assert query is not None
    version_id, choice = buttons.ids(query.data, choices=buttons.MINUTES_CHOICES)
    async with context.db() as session:
        secretariat_id = await minutes_versions.secretariat_of_version(session, version_id)
    target = await authorize_button(update, context, "acta", secretariat_id)
    if buttons.MINUTES_CHOICES[choice] == "subir":
        async with context.db() as session:
            number = await minutes_versions.session_number(session, version_id)
        await query.answer()
        await messages.reply(
            update, context, "minutes/upload_hint", number=number, limit_mib=LIMIT_MIB
        )
        return
    async with context.db.begin() as session:
        circulated = await minutes_versions.circulate(
            session, now=context.now(), target=target, version_id=version_id
        )
    await query.answer("Circulando el acta para firma.")
    data = await _file(context, circulated.view.sha256)
    sent = minutes_flow.circulate_out(context.app, circulated, data)
    context.outbox.after(_report_circulation(context, circulated, sent), name="minutes-circular")
    with contextlib.suppress(TelegramError):  # cosmetic: the version is out for signature
        await query.edit_message_reply_markup(reply_markup=None)


async def _file(context: StmContext, sha256: str) -> bytes:
    return await asyncio.to_thread(context.app.files.get, sha256)


async def _report_circulation(
    context: StmContext,
    circulated: minutes_versions.Circulated,
    sent: asyncio.Future[list[delivery.Outcome]],
) -> None:
    outcomes = await sent
    linked = [p for p in circulated.signatories if p.chat_id is not None]
    unreachable = [(p, o.failure) for p, o in zip(linked, outcomes, strict=False) if not o.ok]
    unreachable += [(p, "sin vincular") for p in circulated.signatories if p.chat_id is None]
    async with context.db() as session:
        facilitator = await minutes_versions.facilitator_chat(session, circulated.view.meeting_id)
    if facilitator is not None:
        context.outbox.message(
            facilitator,
            "minutes/circulated",
            view=circulated.view,
            sent=sum(1 for o in outcomes if o.ok),
            total=len(circulated.signatories),
            unreachable=unreachable,
        )


async def firma_boton(update: Update, context: StmContext) -> None:
    """``Firmo el acta`` / ``Pido cambios``: committed, then acknowledged (R14)."""
    query = update.callback_query
    assert query is not None
    version_id, choice = buttons.ids(query.data, choices=buttons.SIGN_CHOICES)
    chat = update.effective_chat
    assert chat is not None
    if buttons.SIGN_CHOICES[choice] == "cambios":
        async with context.db.begin() as session:
            view = await minutes_versions.ask_changes(
                session,
                now=context.now(),
                telegram_user_id=query.from_user.id,
                chat_id=chat.id,
                version_id=version_id,
            )
        await query.answer()
        await messages.reply(update, context, "minutes/ask_comment", view=view)
        return
    async with context.db.begin() as session:
        signed = await minutes_versions.sign(
            session, now=context.now(), telegram_user_id=query.from_user.id, version_id=version_id
        )
        zone = await minutes_versions.time_zone_of(session, version_id)
    await query.answer("Tu firma quedó registrada.")
    minutes_flow.after_signature(context.app, signed, signer_chat=chat.id)
    await messages.reply(
        update, context, "minutes/signed_ok", signed=signed, at=local_stamp(context.now(), zone)
    )


async def comentario(update: Update, context: StmContext) -> None:
    """The text after ``Pido cambios``: forwarded to the facilitator (R14)."""
    message = update.effective_message
    chat = update.effective_chat
    if context.consumed or message is None or not message.text or chat is None:
        return
    async with context.db.begin() as session:
        comment = await minutes_versions.take_comment(
            session, now=context.now(), chat_id=chat.id, text=message.text[: rules.MAX_NOTE]
        )
    if comment is None:
        return  # not a comment: other handlers take the message
    context.consumed = True
    if comment.facilitator_chat is not None:
        context.outbox.message(
            comment.facilitator_chat, "minutes/comment_forward", comment=comment
        )
    await messages.reply(update, context, "minutes/comment_ok")


@guarded("firmas")
async def firmas(update: Update, context: StmContext) -> None:
    """Who signed session n's current version and who has not."""
    number = parsing.roster_number(command_text(update, context), "firmas")
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    async with context.db() as session:
        view = await minutes_versions.signatures_of(session, context.require_target(), number)
        mine = view.version is not None and await minutes_versions.awaits_signature(
            session, view.version.id, user.id
        )
    await messages.reply(update, context, "minutes/firmas", view=view)
    if mine and chat.type == "private" and view.version is not None:
        # A signatory who was not reachable at circulation (not linked yet) gets the file
        # and the buttons here: the version they sign is the one they can read (R14).
        data = await _file(context, view.version.sha256)
        await context.bot.send_document(
            chat.id,
            data,
            filename=minutes_flow.circulated_name(view.version),
            caption=messages.render("minutes/circular_caption", view=view.version),
            reply_markup=buttons.signature(view.version.id),
        )


@guarded("acta_firmada")
async def acta_firmada(update: Update, context: StmContext) -> None:
    """The signed file of session n, to whoever of its members asks."""
    number = parsing.roster_number(command_text(update, context), "acta_firmada")
    async with context.db() as session:
        signed = await signed_minutes.signed_file(session, context.require_target(), number)
    chat = update.effective_chat
    assert chat is not None
    data = await _file(context, signed.sha256)
    caption = messages.render("minutes/acta_firmada", signed=signed)
    await context.bot.send_document(chat.id, data, filename=signed.filename, caption=caption)


@dataclass(frozen=True)
class PendingVerify:
    """``/verificar`` without a document: the next document is the one to verify."""


#: ``/verificar`` typed alone waits for its document (10 min), in the database
#: (``bot.conversations``): the document may reach any replica.
PENDING_VERIFY = Conversation("verificar_pendiente", PendingVerify, ttl=PENDING_TTL)


@guarded("verificar")
async def verificar(update: Update, context: StmContext) -> None:
    """SHA-256 of a document: which minutes (or version) it is, if any; or an exported
    entry of the hash chain, pasted or as a .json (issue 15)."""
    message = update.effective_message
    document = message.document if message is not None else None
    pasted = command_text(update, context)
    if document is None and chain_entries.looks_like_entry(pasted):  # issue 15
        await PENDING_VERIFY.delete(update, context)
        await chain_entries.verify_entry(update, context, pasted)
        return
    if document is None:
        await PENDING_VERIFY.put(update, context, PendingVerify())
        await messages.reply(update, context, "minutes/verificar_ask", limit_mib=LIMIT_MIB)
        return
    await PENDING_VERIFY.delete(update, context)
    await _verify(update, context, document)


async def documento_a_verificar(update: Update, context: StmContext) -> None:
    """A document after ``/verificar``; other documents go on to other handlers."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if await PENDING_VERIFY.pop(update, context) is None:  # none, or past PENDING_TTL
        return
    context.consumed = True
    if await authorize(update, context, "verificar") is not None:
        await _verify(update, context, message.document)


async def _verify(update: Update, context: StmContext, document: Document) -> None:
    if (document.file_size or 0) > rules.MAX_UPLOAD_BYTES:
        raise MinutesFileTooLarge(LIMIT_MIB)
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError:
        raise NotAMinutesFile(document.file_name or "documento") from None
    if (document.file_name or "").lower().endswith(".json"):  # an exported chain entry
        await chain_entries.verify_entry(update, context, data.decode("utf-8", "replace"))
        return
    sha = minutes_flow.sha_of(data)
    actor = context.actor
    mine = {m.secretariat_id for m in actor.memberships} if actor is not None else set()
    async with context.db() as session:
        matches = await signed_minutes.verify(session, sha256=sha, secretariat_ids=mine)
    await messages.reply(
        update, context, "minutes/verificar", sha=sha, matches=matches, members=bool(mine)
    )


_ACTA_CAPTION = filters.CaptionRegex(r"^/acta(@\w+)?(\s|$)")
_VERIFY_CAPTION = filters.CaptionRegex(r"^/verificar(@\w+)?(\s|$)")

#: Before the command handlers: a ``Pido cambios`` comment, a document after /verificar.
EARLY_HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, comentario),
    MessageHandler(
        filters.ChatType.PRIVATE & filters.Document.ALL & ~filters.CaptionRegex(r"^/"),
        documento_a_verificar,
    ),
]

HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("nota", nota),
    CommandHandler("acta", acta),
    MessageHandler(filters.Document.ALL & _ACTA_CAPTION, acta),
    CommandHandler("firmas", firmas),
    CommandHandler("acta_firmada", acta_firmada),
    CommandHandler("verificar", verificar),
    MessageHandler(filters.Document.ALL & _VERIFY_CAPTION, verificar),
    CallbackQueryHandler(acta_boton, pattern=f"^{buttons.Action.MINUTES.value}:"),
    CallbackQueryHandler(firma_boton, pattern=f"^{buttons.Action.SIGN.value}:"),
]
