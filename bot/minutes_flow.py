"""The minutes' path from draft to the garante (R14, R15a, R20), shared by handlers and jobs.

Rendering (``bot.minutes_files``) is CPU work of a second or more for a long session. In a
thread it would still hold Python's interpreter lock against the event loop (measured:
other chats' answers went from 35 ms to 0.5 s while an acta rendered), so it runs in one
separate process (:func:`render`), started on first use and reused; other chats go on.
Every step commits before it is announced; the slow tail of the last signature — issuing
the signed file, the copies to every member and the group, the e-mail to the garante —
runs in the background and is finished at start-up if the process stopped in the middle
(:func:`resume`): the database says what is owed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message

from bot import buttons, delivery, garante_mail, mail, messages, minutes_files, public_channel
from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from domain import minutes as rules
from domain.errors import StaleButton
from domain.minutes import FileKind
from domain.roles import Target
from storage.files import sha256_hex
from storage.services import minutes, minutes_record, minutes_versions, signed_minutes
from storage.services.convocations import Attempt
from storage.services.mail_attempts import Failed
from storage.services.meetings import local_stamp

log = logging.getLogger(__name__)

DOCX = FileKind.DOCX.media_type
PDF = FileKind.PDF.media_type


@dataclass(frozen=True)
class Draft:
    """``/acta n``: the version and its two files."""

    view: minutes_versions.VersionView
    pdf: bytes
    docx: bytes
    reused: bool
    voided: minutes_versions.Added | None


def draft_names(number: int, version: int) -> tuple[str, str]:
    """File names of a draft: what the facilitator downloads and edits."""
    stem = f"acta-sesion-{number}-v{version}"
    return f"{stem}.pdf", f"{stem}.docx"


async def _store(app: StmApplication, data: bytes, media_type: str) -> str:
    sha = await asyncio.to_thread(app.files.put, data)
    async with app.db.begin() as session:
        await minutes_versions.register_file(
            session, now=app.clock(), sha256=sha, size=len(data), media_type=media_type
        )
    return sha


async def make_draft(app: StmApplication, target: Target, number: int) -> Draft:
    """Render the draft of held session ``number`` from its record; the next version.

    When the record did not change since the current version (the bot's own draft with
    the same fingerprint), that version is sent again instead of adding an identical one.
    """
    async with app.db() as session:
        meeting = await minutes_record.held(session, target, number)
        await minutes_record.ensure_not_signed(session, meeting)
        record = await minutes_record.record_of(session, meeting)
        fingerprint = rules.fingerprint(record)
        reusable = await minutes_versions.reusable_draft(session, target, number, fingerprint)
        upcoming = await minutes_versions.next_number(session, meeting.id)
    if reusable is not None:
        pdf = await asyncio.to_thread(app.files.get, reusable.sha256)
        assert reusable.docx_sha256 is not None
        docx = await asyncio.to_thread(app.files.get, reusable.docx_sha256)
        return Draft(reusable, pdf, docx, True, None)
    pdf = await render(minutes_files.render_pdf, record, version=upcoming, fingerprint=fingerprint)
    docx = await render(
        minutes_files.render_docx, record, version=upcoming, fingerprint=fingerprint
    )
    pdf_sha = await _store(app, pdf, PDF)
    docx_sha = await _store(app, docx, DOCX)
    added = await _add(
        app,
        target,
        number,
        sha256=pdf_sha,
        kind=FileKind.PDF,
        filename=draft_names(number, upcoming)[0],
        source="borrador",
        docx_sha256=docx_sha,
        fingerprint=fingerprint,
        expected=upcoming,
    )
    return Draft(added.view, pdf, docx, added.reused, added)


async def add_upload(
    app: StmApplication, target: Target, number: int, data: bytes, kind: FileKind, filename: str
) -> minutes_versions.Added:
    """A corrected version the facilitator uploaded: stored as is, by its SHA-256."""
    async with app.db() as session:
        meeting = await minutes_record.held(session, target, number)
        await minutes_record.ensure_not_signed(session, meeting)
    sha = await _store(app, data, kind.media_type)
    return await _add(
        app, target, number, sha256=sha, kind=kind, filename=filename, source="corregida"
    )


async def _add(
    app: StmApplication, target: Target, number: int, **version: Any
) -> minutes_versions.Added:
    """Record the next version (one unit of work) and tell the voided one's signatories."""
    async with app.db.begin() as session:
        added = await minutes_versions.add_version(
            session, now=app.clock(), target=target, number=number, **version
        )
    tell_voided(app, added)
    return added


def tell_voided(app: StmApplication, added: minutes_versions.Added) -> None:
    """R14: a new version voids the previous one's signatures; its signatories are told."""
    if added.voided is None:
        return
    for person in added.tell:
        if person.chat_id is not None:
            app.outbox.message(
                person.chat_id,
                "minutes/voided",
                view=added.view,
                voided=added.voided,
                signatures=added.voided_signatures,
            )


def circulated_name(view: minutes_versions.VersionView) -> str:
    """The name a version travels under: an upload keeps its own, a draft its number."""
    if view.kind == FileKind.DOCX.value:
        return view.filename
    return draft_names(view.number, view.version)[0]


def circulate_out(
    app: StmApplication, circulated: minutes_versions.Circulated, data: bytes
) -> asyncio.Future[list[delivery.Outcome]]:
    """The version's file to every linked signatory, with ``Firmo el acta`` / ``Pido cambios``."""
    view = circulated.view
    markup = buttons.signature(view.id)
    caption = messages.render("minutes/circular_caption", view=view)
    filename = circulated_name(view)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> Sequence[Message]:
            return [
                await app.bot.send_document(
                    chat_id, data, filename=filename, caption=caption, reply_markup=markup
                )
            ]

        return send

    return app.outbox.post_all(
        [(p.chat_id, job(p.chat_id)) for p in circulated.signatories if p.chat_id is not None]
    )


def after_signature(
    app: StmApplication, signed: minutes_versions.Signed, *, signer_chat: int
) -> None:
    """Tell the facilitator (unless they signed: their own answer says it); on the last
    signature, issue the signed file (background)."""
    if signed.facilitator_chat is not None and signed.facilitator_chat != signer_chat:
        app.outbox.message(signed.facilitator_chat, "minutes/signature_notice", signed=signed)
    if signed.complete:
        app.background.spawn(issue(app, signed.view.meeting_id), name="minutes-issue")


_POOL: ProcessPoolExecutor | None = None
T = TypeVar("T")


def _pool() -> ProcessPoolExecutor:
    """One rendering process for the whole bot, spawned (not forked: the bot has threads)."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _POOL


async def render(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a pure rendering function of ``bot.minutes_files`` in the rendering process.

    A crashed process (killed, out of memory) is replaced on the next call; the call that
    met it fails and, being background work or a command, is logged or answered as such.
    """
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_pool(), functools.partial(function, *args, **kwargs))
    except BrokenProcessPool:
        global _POOL
        _POOL = None
        raise


def stop_rendering() -> None:
    """Stop the rendering process (at shutdown; a later render starts a new one)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


async def issue(app: StmApplication, meeting_id: int) -> None:
    """The signed file (R14): approved version + signature page, stored, then sent out."""
    async with app.db() as session:
        owed = await signed_minutes.to_issue(session, meeting_id)
    if owed is not None:
        version_file = await asyncio.to_thread(app.files.get, owed.version_sha256)
        settings = app.stm_settings
        sealed = settings.seal_p12 is not None
        issued_at = f"{local_stamp(app.clock(), owed.time_zone)} ({owed.time_zone})"
        signed = await render(
            minutes_files.issue_signed,
            version_file,
            owed.kind,
            seal_p12=settings.seal_p12,
            seal_password=settings.seal_password.encode() or None,
            record_title=owed.title,
            secretariat=owed.secretariat,
            number=owed.number,
            version=owed.version,
            version_sha256=owed.version_sha256,
            signatures=owed.signatures,
            issued_at=issued_at,
        )
        sha = await _store(app, signed, PDF)
        async with app.db.begin() as session:
            issued = await signed_minutes.record_issued(
                session,
                now=app.clock(),
                meeting_id=meeting_id,
                sha256=sha,
                sealed=sealed,
                mail=app.stm_settings.mail is not None,
            )
        log.info("minutes of meeting %s signed and issued (%s)", meeting_id, sha[:12])
        if issued is not None and issued.mailing_id is not None:
            app.background.spawn(send_mail(app, issued.mailing_id), name="garante-mail")
        if issued is not None and issued.channel_post is not None:
            assert issued.secretariat_id is not None
            public_channel.publish(app, issued.secretariat_id)  # R18: the signed file
    await send_copies(app, meeting_id)


async def send_copies(app: StmApplication, meeting_id: int) -> None:
    """R20: the signed file to the facilitator, every titular and substitute, and the group."""
    async with app.db() as session:
        copies = await signed_minutes.copies_of(session, meeting_id)
    if copies is None:
        return
    data = await asyncio.to_thread(app.files.get, copies.sha256)
    filename = signed_minutes.signed_filename(copies.number)
    caption = messages.render("minutes/signed_caption", copies=copies)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> Sequence[Message]:
            return [await app.bot.send_document(chat_id, data, filename=filename, caption=caption)]

        return send

    reachable = sorted(
        (
            r
            for r in copies.recipients
            if r.chat_id is not None and r.member_id not in copies.delivered
        ),
        key=lambda r: r.chat_id != copies.facilitator_chat,
    )

    async def deliver(
        member_id: int | None, chat_id: int
    ) -> delivery.Outcome:  # recorded as soon as it is known: a crash re-sends only the rest
        outcome = await app.outbox.post(chat_id, job(chat_id))
        attempt = Attempt(
            member_id,
            outcome.chat_id,
            outcome.ok,
            outcome.message_ids,
            outcome.failure,
            outcome.at,
        )
        async with app.db.begin() as session:
            await signed_minutes.record_copy(
                session, now=app.clock(), meeting_id=meeting_id, attempt=attempt
            )
        return outcome

    sends = [deliver(r.member_id, r.chat_id) for r in reachable if r.chat_id is not None]
    to_group = copies.group_chat_id is not None and not copies.group_delivered
    if to_group:
        assert copies.group_chat_id is not None
        sends.append(deliver(None, copies.group_chat_id))
    outcomes = await asyncio.gather(*sends)
    unlinked = [
        Attempt(r.member_id, None, False, (), "sin_vincular", None)
        for r in copies.recipients
        if r.chat_id is None
    ]
    async with app.db.begin() as session:
        first = await signed_minutes.finish_copies(
            session, now=app.clock(), meeting_id=meeting_id, attempts=unlinked
        )
    if not first or copies.facilitator_chat is None:
        return
    failures = [(r, o.failure) for r, o in zip(reachable, outcomes, strict=False) if not o.ok]
    failures += [(r, "sin_vincular") for r in copies.recipients if r.chat_id is None]
    group = outcomes[-1] if to_group else None
    app.outbox.message(
        copies.facilitator_chat,
        "minutes/copies_report",
        copies=copies,
        delivered=len(copies.delivered) + sum(1 for o in outcomes[: len(reachable)] if o.ok),
        total=len(copies.recipients),
        failures=failures,
        group_ok=group.ok if group is not None else (True if copies.group_delivered else None),
        mail=app.stm_settings.mail is not None,
    )


async def send_mail(app: StmApplication, mailing_id: int) -> None:
    """R15a: one attempt to e-mail the signed minutes; failures are retried with backoff."""
    config = app.stm_settings.mail
    if config is None:
        return
    async with app.db() as session:
        owed = await signed_minutes.mailing(session, mailing_id)
    if owed is None:
        return
    data = await asyncio.to_thread(app.files.get, owed.signed_sha256)
    message = mail.build_message(
        config,
        to=owed.to_address,
        subject=f"Acta firmada de la {owed.title} — STM {owed.secretariat}",
        body=messages.render("minutes/mail_body", owed=owed),
        date=app.clock(),
        attachments=[
            mail.Attachment(signed_minutes.signed_filename(owed.number), data, PDF),
            mail.Attachment(
                f"acta-sesion-{owed.number}.json",
                json.dumps(owed.summary, ensure_ascii=False, indent=2, default=str).encode(),
                "application/json",
            ),
        ],
    )

    async def failed(session: AsyncSession, reason: str, permanent: bool) -> Failed | None:
        return await signed_minutes.mail_failed(
            session, now=app.clock(), mailing_id=mailing_id, reason=reason, permanent=permanent
        )

    async def accepted(session: AsyncSession, message_id: str) -> Callable[[], None] | None:
        recorded = await signed_minutes.mail_accepted(
            session, now=app.clock(), mailing_id=mailing_id, message_id=message_id
        )
        if not recorded or owed.facilitator_chat is None:
            return None
        line = await minutes.line_of(session, owed.meeting_id)
        chat = owed.facilitator_chat
        return lambda: app.outbox.message(
            chat, "minutes/mail_ok", owed=owed, message_id=message_id, line=line
        )

    def tell_failed(reason: str, retry_at: datetime | None) -> None:
        if owed.facilitator_chat is not None:
            app.outbox.message(
                owed.facilitator_chat,
                "minutes/mail_failed",
                owed=owed,
                reason=reason,
                retry_at=local_stamp(retry_at, owed.time_zone) if retry_at else None,
            )

    await garante_mail.attempt(
        app,
        config,
        message,
        garante_mail.Retried(
            label=f"garante mail {mailing_id}",
            failed=failed,
            accepted=accepted,
            tell_failed=tell_failed,
            retry=lambda when: schedule_mail(app, mailing_id, when),
        ),
    )


def schedule_mail(app: StmApplication, mailing_id: int, when: datetime) -> None:
    """A job at ``when`` for the next attempt (the row is the truth; the job only triggers)."""
    garante_mail.schedule(app, f"garante-mail:{mailing_id}", _mail_job, mailing_id, when)


async def _mail_job(context: StmContext) -> None:
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    assert context.job is not None
    mailing_id = context.job.data
    if not isinstance(mailing_id, int):
        raise StaleButton()
    await send_mail(context.app, mailing_id)


async def resume(app: StmApplication) -> None:
    """At start-up: issue signed files and copies still owed, re-arm the garante's mail."""
    async with app.db() as session:
        issues = await signed_minutes.owed_issues(session)
        copies = await signed_minutes.owed_copies(session)
        mailings = await signed_minutes.pending_mailings(session)
    for meeting_id in dict.fromkeys([*issues, *copies]):
        app.background.spawn(issue(app, meeting_id), name="minutes-issue")
    for mailing_id, when in mailings:
        schedule_mail(app, mailing_id, max(when, app.clock() + timedelta(seconds=1)))
    if issues or copies or mailings:
        log.info(
            "minutes at start-up: %d to issue, %d with copies owed, %d mailings armed",
            len(issues),
            len(copies),
            len(mailings),
        )


def sha_of(data: bytes) -> str:
    """The SHA-256 ``/verificar`` looks up."""
    return sha256_hex(data)
