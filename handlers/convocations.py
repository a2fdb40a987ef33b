"""``/convocar``: validate, preview, send and deliver a convocation with evidence (R6, R7)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, delivery, ics, messages
from bot.context import StmContext
from bot.guards import authorize_button, command_text, guarded
from domain.notice import SessionKind
from domain.roles import Role
from handlers import parsing
from storage.services import meetings

log = logging.getLogger(__name__)


@guarded("convocar")
async def convocar(update: Update, context: StmContext) -> None:
    """Validate and preview a convocation; nothing is sent before "Enviar" (R7)."""
    request = parsing.convocar(command_text(update, context))
    chat = update.effective_chat
    assert chat is not None
    async with context.db.begin() as session:
        view = await meetings.draft(
            session,
            now=context.now(),
            target=context.require_target(),
            kind=SessionKind(request.kind),
            day=request.day,
            at=request.at,
            place=request.place,
            agenda=request.agenda,
            chat_id=chat.id,
        )
    await messages.reply(
        update,
        context,
        "convocations/preview",
        meeting=view,
        reply_markup=buttons.convocation_preview(view.id, non_business=view.needs_confirmation),
    )


async def convocatoria_boton(update: Update, context: StmContext) -> None:
    """``Enviar convocatoria`` / ``Descartar`` on the preview (facilitator only)."""
    query = update.callback_query
    assert query is not None
    decoded = buttons.decode(query.data)
    if decoded is None or decoded.ids[1] not in (1, 2, 3):
        raise buttons.stale()
    meeting_id, op = decoded.ids
    async with context.db() as session:
        secretariat_id = await meetings.secretariat_of(session, meeting_id)
    target = await authorize_button(update, context, "convocar", secretariat_id)
    if op == 2:
        async with context.db.begin() as session:
            await meetings.discard(
                session, now=context.now(), target=target, meeting_id=meeting_id
            )
        await query.answer("Convocatoria descartada.")
        await query.edit_message_reply_markup(reply_markup=None)
        await messages.reply(update, context, "convocations/discarded")
        return
    async with context.db.begin() as session:
        outcome = await meetings.send(
            session,
            now=context.now(),
            target=target,
            meeting_id=meeting_id,
            confirmed_non_business=op == 3,
        )
    if isinstance(outcome, meetings.NeedsConfirmation):
        await query.answer()
        await query.edit_message_reply_markup(
            reply_markup=buttons.convocation_preview(meeting_id, non_business=True)
        )
        return
    await query.answer("Enviando la convocatoria…")
    await query.edit_message_reply_markup(reply_markup=None)
    await deliver(context, outcome)


async def deliver(context: StmContext, convened: meetings.Convened) -> None:
    """Send to every member and the group, store every attempt, report to the facilitator."""
    meeting = convened.meeting
    calendar_file = ics.convocation_ics(
        uid=f"stm-{meeting.id}@{context.bot.username}",
        title=meeting.title,
        secretariat_name=meeting.secretariat_name,
        starts_at=meeting.starts_at,
        time_zone=meeting.time_zone,
        place=meeting.place,
        agenda=meeting.agenda,
        stamp=context.now(),
    )
    reachable = [r for r in convened.recipients if r.chat_id is not None]

    def job(recipient: meetings.Recipient) -> Callable[[], Awaitable[Sequence[Message]]]:
        async def send() -> Sequence[Message]:
            assert recipient.chat_id is not None
            sent = await messages.send(
                context.bot,
                recipient.chat_id,
                "convocations/convocatoria",
                meeting=meeting,
                recipient=recipient,
                reply_markup=buttons.rsvp(meeting.id) if recipient.role == Role.TITULAR else None,
            )
            document = await context.bot.send_document(
                recipient.chat_id,
                calendar_file,
                filename=f"sesion-{meeting.number}.ics",
                caption="Agrega la sesión a tu calendario.",
            )
            return [*sent, document]

        return send

    async def group_post() -> Sequence[Message]:
        return await messages.send(
            context.bot, convened.group_chat_id, "convocations/group_post", meeting=meeting
        )

    outcomes = await delivery.deliver_all(
        [(r.chat_id, job(r)) for r in reachable if r.chat_id is not None]
        + [(convened.group_chat_id, group_post)],
        clock=context.now,
    )
    attempts = [
        meetings.Attempt(r.member_id, o.chat_id, o.ok, o.message_ids, o.failure, o.at)
        for r, o in zip(reachable, outcomes, strict=False)
    ]
    unlinked = [r for r in convened.recipients if r.chat_id is None]
    attempts += [
        meetings.Attempt(r.member_id, None, False, (), "sin_vincular", None) for r in unlinked
    ]
    group = outcomes[-1]
    attempts.append(
        meetings.Attempt(None, group.chat_id, group.ok, group.message_ids, group.failure, group.at)
    )
    async with context.db.begin() as session:
        await meetings.record_deliveries(
            session,
            now=context.now(),
            meeting_id=meeting.id,
            purpose="convocatoria",
            attempts=attempts,
        )
    failures = [(r, o.failure) for r, o in zip(reachable, outcomes, strict=False) if not o.ok] + [
        (r, "sin_vincular") for r in unlinked
    ]
    if convened.facilitator_chat_id is not None:
        await messages.send(
            context.bot,
            convened.facilitator_chat_id,
            "convocations/report",
            meeting=meeting,
            delivered=sum(1 for o in outcomes[:-1] if o.ok),
            total=len(convened.recipients),
            failures=failures,
            group_ok=group.ok,
        )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("convocar", convocar),
    CallbackQueryHandler(convocatoria_boton, pattern=f"^{buttons.Action.CONVOCATION.value}:"),
]
