"""Members' proposals on their way (R17): to the facilitator, then to the garante.

A proposal reaches the facilitator as soon as it is stored (its text, then its document).
It reaches the garante when the next convocation is sent: the forwarding was committed
with the convocation (``storage.services.member_proposals.forward_pending``); what
happens here is its delivery, recorded on that row once known:

* by e-mail, one message to ``garante_correo`` listing the proposals (number, seat,
  author, date, text) with their documents attached. A failure is retried with the
  minutes' backoff (``domain.minutes.retry_delay``) by a named job
  ``garante-propuestas:{id}``, re-armed at start-up from the row, exactly like the signed
  minutes' mail (``bot.minutes_flow``); the facilitator hears of the first failure, of
  giving up and of the server's acceptance, whose Message-ID is the evidence;
* by Telegram, the list and then each document as a file, to the garante seat's titular
  through the outbox; the message ids are the evidence. A delivery Telegram refuses (the
  titular never opened the bot, or blocked it) is not retried: the facilitator is told
  to forward them another way.

A forwarding still ``pendiente`` at start-up (the bot stopped before its outcome was
recorded) is resumed (:func:`resume`): the mail re-armed, the Telegram one sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message

from bot import delivery, garante_mail, mail, messages
from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from domain.errors import StaleButton
from domain.member_proposals import Channel, State
from storage.services import member_proposals
from storage.services.mail_attempts import Failed
from storage.services.meetings import local_stamp
from storage.services.member_proposals import NOT_LINKED, Outgoing, Submitted

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[Message | Sequence[Message]]]


def tell_facilitator(app: StmApplication, submitted: Submitted, data: bytes | None) -> None:
    """R17: the facilitator receives every proposal: its text, then its document."""
    chat = submitted.facilitator_chat
    if chat is None:
        return
    view = submitted.view
    text = messages.render("proposals/notice", p=view)

    async def note() -> Sequence[Message]:
        return await messages.send_text(app.bot, chat, text)

    steps: list[Step] = [note]
    if data is not None and view.file_name:
        name = view.file_name
        caption = messages.render("proposals/file_caption", number=view.number, name=name)

        async def document() -> Message:
            return await app.bot.send_document(chat, data, filename=name, caption=caption)

        steps.append(document)
    app.outbox.post(chat, delivery.in_order(*steps))


def dispatch(app: StmApplication, forwarding: Outgoing | None) -> None:
    """Deliver a forwarding just committed with its convocation (R17).

    One recorded ``fallida`` at once (nobody to write to in Telegram) has nothing to
    send: the convocation's report tells the facilitator.
    """
    if forwarding is None or forwarding.state is not State.PENDIENTE:
        return
    if forwarding.via is Channel.CORREO:
        app.background.spawn(send_mail(app, forwarding.id), name="garante-propuestas")
    else:
        _post_telegram(app, forwarding)


# ---------------------------------------------------------------- by Telegram


def _document(app: StmApplication, chat_id: int, number: str, sha256: str, name: str) -> Step:
    caption = messages.render("proposals/file_caption", number=number, name=name)

    async def send() -> Message:
        data = await asyncio.to_thread(app.files.get, sha256)
        return await app.bot.send_document(chat_id, data, filename=name, caption=caption)

    return send


def _post_telegram(app: StmApplication, forwarding: Outgoing) -> None:
    """The list, then each document, to the garante titular's chat, in that order."""
    chat_id = forwarding.chat_id
    if chat_id is None:  # unlinked since it was recorded (a resume): nobody to write to
        unsent: asyncio.Future[delivery.Outcome] = asyncio.get_running_loop().create_future()
        unsent.set_result(delivery.Outcome(0, False, (), NOT_LINKED, None))
        app.outbox.after(_record_telegram(app, forwarding, unsent), name="garante-propuestas")
        return
    text = messages.render("proposals/garante", o=forwarding)

    async def listing() -> Sequence[Message]:
        return await messages.send_text(app.bot, chat_id, text)

    steps: list[Step] = [listing]
    steps += [
        _document(app, chat_id, item.number, item.file_sha256, item.attachment)
        for item in forwarding.items
        if item.file_sha256 is not None and item.attachment is not None
    ]
    sent = app.outbox.post(chat_id, delivery.in_order(*steps))
    app.outbox.after(_record_telegram(app, forwarding, sent), name="garante-propuestas")


async def _record_telegram(
    app: StmApplication, forwarding: Outgoing, sent: asyncio.Future[delivery.Outcome]
) -> None:
    """The message ids as evidence, or the failure; the facilitator hears of a failure."""
    outcome = await sent
    async with app.db.begin() as session:
        if outcome.ok:
            evidence = "Telegram, mensajes " + ", ".join(str(i) for i in outcome.message_ids)
            await member_proposals.delivered(
                session,
                now=outcome.at or app.clock(),
                forwarding_id=forwarding.id,
                evidence=evidence,
            )
        else:
            await member_proposals.failed(
                session,
                now=app.clock(),
                forwarding_id=forwarding.id,
                reason=outcome.failure or "error",
                permanent=True,
            )
    if not outcome.ok and forwarding.facilitator_chat is not None:
        app.outbox.message(
            forwarding.facilitator_chat,
            "proposals/forwarding_failed",
            o=forwarding,
            failure=outcome.failure,
            retry_at=None,
        )


# ---------------------------------------------------------------- by e-mail


async def send_mail(app: StmApplication, forwarding_id: int) -> None:
    """One attempt to e-mail the proposals to the garante; failures are retried (R17)."""
    config = app.stm_settings.mail
    if config is None:
        return
    async with app.db() as session:
        owed = await member_proposals.outgoing(session, forwarding_id)
    if owed is None or owed.via is not Channel.CORREO:
        return
    attachments = [
        mail.Attachment(
            item.attachment,
            await asyncio.to_thread(app.files.get, item.file_sha256),
            item.media_type or "application/octet-stream",
        )
        for item in owed.items
        if item.file_sha256 is not None and item.attachment is not None
    ]
    message = mail.build_message(
        config,
        to=owed.recipient,
        subject=messages.render("proposals/mail_subject", o=owed),
        body=messages.render("proposals/mail_body", o=owed),
        date=app.clock(),
        attachments=attachments,
    )

    async def failed(session: AsyncSession, reason: str, permanent: bool) -> Failed | None:
        return await member_proposals.failed(
            session,
            now=app.clock(),
            forwarding_id=forwarding_id,
            reason=reason,
            permanent=permanent,
        )

    async def accepted(session: AsyncSession, message_id: str) -> Callable[[], None] | None:
        recorded = await member_proposals.delivered(
            session, now=app.clock(), forwarding_id=forwarding_id, evidence=message_id
        )
        if not recorded or owed.facilitator_chat is None:
            return None
        chat = owed.facilitator_chat
        return lambda: app.outbox.message(chat, "proposals/mail_ok", o=owed, message_id=message_id)

    def tell_failed(reason: str, retry_at: datetime | None) -> None:
        if owed.facilitator_chat is not None:
            app.outbox.message(
                owed.facilitator_chat,
                "proposals/forwarding_failed",
                o=owed,
                failure=reason,
                retry_at=local_stamp(retry_at, owed.time_zone) if retry_at else None,
            )

    await garante_mail.attempt(
        app,
        config,
        message,
        garante_mail.Retried(
            label=f"proposals mail {forwarding_id}",
            failed=failed,
            accepted=accepted,
            tell_failed=tell_failed,
            retry=lambda when: schedule_mail(app, forwarding_id, when),
        ),
    )


def job_name(forwarding_id: int) -> str:
    """The retry job of one forwarding (apart from the minutes' ``garante-mail:{id}``)."""
    return f"garante-propuestas:{forwarding_id}"


def schedule_mail(app: StmApplication, forwarding_id: int, when: datetime) -> None:
    """A job at ``when`` for the next attempt (the row is the truth; the job only triggers)."""
    garante_mail.schedule(app, job_name(forwarding_id), _mail_job, forwarding_id, when)


async def _mail_job(context: StmContext) -> None:
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    assert context.job is not None
    forwarding_id = context.job.data
    if not isinstance(forwarding_id, int):
        raise StaleButton()
    await send_mail(context.app, forwarding_id)


async def resume(app: StmApplication) -> None:
    """At start-up: re-arm the mail of forwardings still pending, re-send Telegram ones."""
    async with app.db() as session:
        owed = await member_proposals.pending(session)
        telegram = [
            await member_proposals.outgoing(session, i)
            for i, via, _ in owed
            if via is Channel.TELEGRAM
        ]
    now = app.clock()
    for forwarding_id, via, when in owed:
        if via is Channel.CORREO:
            schedule_mail(app, forwarding_id, max(when or now, now + timedelta(seconds=1)))
    for forwarding in telegram:
        if forwarding is not None:
            _post_telegram(app, forwarding)
    if owed:
        log.info("proposals at start-up: %d forwarding(s) to the garante resumed", len(owed))
