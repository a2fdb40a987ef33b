"""``/convocar``: validate, preview, send and deliver a convocation with evidence (R6, R7).

The preview also says which members' proposals the convocation forwards to the garante,
with a button to put each on the agenda (``handlers.member_proposals``); ``Enviar``
forwards them (R17).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import buttons, delivery, errors, ics, messages, proposal_forwarding
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import authorize, authorize_button, command_text, guarded
from domain.errors import NonBusinessRefused, PastDate, Refusal, ShortNotice
from domain.notice import SessionKind
from domain.roles import Role
from handlers import parsing
from storage.services import convocations, meetings, member_proposals

log = logging.getLogger(__name__)


@guarded("convocar")
async def convocar(update: Update, context: StmContext) -> None:
    """Validate and preview a convocation; nothing is sent before "Enviar" (R7).

    Bare ``/convocar`` in a private chat starts the guided conversation instead.
    """
    text = command_text(update, context)
    chat = update.effective_chat
    assert chat is not None
    if not text.strip() and chat.type == ChatType.PRIVATE:
        target = context.require_target()
        await GUIDED.put(update, context, Guided(target.secretariat_id))
        await messages.reply(update, context, "convocations/guided_kind")
        return
    await _preview(update, context, parsing.convocar(text))


async def _preview(update: Update, context: StmContext, request: parsing.ConvocarRequest) -> None:
    chat = update.effective_chat
    assert chat is not None
    async with context.db.begin() as session:
        view = await convocations.draft(
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
        proposals = await member_proposals.for_preview(  # R17: what "Enviar" forwards
            session,
            secretariat_id=context.require_target().secretariat_id,
            meeting_id=view.id,
            mail=context.settings.mail is not None,
        )
    await messages.reply(
        update,
        context,
        "convocations/preview",
        meeting=view,
        proposals=proposals,
        reply_markup=buttons.convocation_preview(
            view.id, non_business=view.needs_confirmation, proposals=proposals.addable
        ),
    )


async def convocatoria_boton(update: Update, context: StmContext) -> None:
    """``Enviar convocatoria`` / ``Descartar`` on the preview (facilitator only)."""
    query = update.callback_query
    assert query is not None
    meeting_id, op = buttons.ids(query.data, choices=(1, 2, 3))
    async with context.db() as session:
        secretariat_id = await meetings.secretariat_of(session, meeting_id)
    target = await authorize_button(update, context, "convocar", secretariat_id)
    if op == 2:
        async with context.db.begin() as session:
            await convocations.discard(
                session, now=context.now(), target=target, meeting_id=meeting_id
            )
        await query.answer("Convocatoria descartada.")
        with contextlib.suppress(TelegramError):  # cosmetic: the draft is discarded
            await query.edit_message_reply_markup(reply_markup=None)
        await messages.reply(update, context, "convocations/discarded")
        return
    async with context.db.begin() as session:
        outcome = await convocations.send(
            session,
            now=context.now(),
            target=target,
            meeting_id=meeting_id,
            confirmed_non_business=op == 3,
            mail=context.settings.mail is not None,
        )
        pending = (
            await member_proposals.for_preview(
                session,
                secretariat_id=target.secretariat_id,
                meeting_id=meeting_id,
                mail=context.settings.mail is not None,
            )
            if isinstance(outcome, convocations.NeedsConfirmation)
            else None
        )
    if isinstance(outcome, convocations.NeedsConfirmation):
        assert pending is not None
        await query.answer()
        await query.edit_message_reply_markup(
            reply_markup=buttons.convocation_preview(
                meeting_id, non_business=True, proposals=pending.addable
            )
        )
        return
    try:  # the facilitator's own chat first: the press and the preview...
        await query.answer("Enviando la convocatoria…")
        with contextlib.suppress(TelegramError):  # cosmetic: the convocation is on its way
            await query.edit_message_reply_markup(reply_markup=None)
    finally:  # ...and whatever those calls do, what was committed as sent is sent
        try:  # R17: the proposals first, so the garante's chat has them before the notice
            proposal_forwarding.dispatch(context.app, outcome.forwarding)
        finally:
            deliver(context, outcome)


def deliver(context: StmContext, convened: convocations.Convened) -> None:
    """Queue it for every member and the group; record every attempt and report, later.

    The press is answered at once; the fan-out (a message and an ``.ics`` per person,
    paced by Telegram's limits: ~10 s for 150 people) runs in the background, and the
    evidence of every attempt is stored and the facilitator's report sent when the last
    chat is done (R7: the evidence of notice).
    """
    meeting = convened.meeting
    calendar_file = ics.convocation_ics(
        uid=ics.session_uid(meeting.id, context.bot.username),  # the feed's UID too (R19)
        title=meeting.title,
        secretariat_name=meeting.secretariat_name,
        starts_at=meeting.starts_at,
        time_zone=meeting.time_zone,
        place=meeting.place,
        agenda=meeting.agenda,
        stamp=context.now(),
    )
    reachable = _reachable(convened)

    def job(recipient: convocations.Recipient) -> delivery.Send:
        chat_id = recipient.chat_id
        assert chat_id is not None

        async def text() -> Sequence[Message]:
            return await messages.send(
                context.bot,
                chat_id,
                "convocations/convocatoria",
                meeting=meeting,
                recipient=recipient,
                reply_markup=buttons.rsvp(meeting.id) if recipient.role == Role.TITULAR else None,
            )

        async def calendar() -> Message:
            return await context.bot.send_document(
                chat_id,
                calendar_file,
                filename=f"sesion-{meeting.number}.ics",
                caption="Agrega la sesión a tu calendario.",
            )

        # In order, and a failed .ics still leaves the delivered text in the evidence.
        return delivery.in_order(text, calendar)

    async def group_post() -> Sequence[Message]:
        return await messages.send(
            context.bot, convened.group_chat_id, "convocations/group_post", meeting=meeting
        )

    sent = context.outbox.post_all(
        [(r.chat_id, job(r)) for r in reachable if r.chat_id is not None]
        + [(convened.group_chat_id, group_post)]
    )
    context.outbox.after(_record_and_report(context, convened, sent), name="convocation")


def _reachable(convened: convocations.Convened) -> list[convocations.Recipient]:
    """Linked recipients, the facilitator who pressed ``Enviar`` first: their own copy is
    the answer to their press, the rest of the fan-out follows at 30 messages/s."""
    linked = [r for r in convened.recipients if r.chat_id is not None]
    return sorted(linked, key=lambda r: r.chat_id != convened.facilitator_chat_id)


async def _record_and_report(
    context: StmContext,
    convened: convocations.Convened,
    sent: asyncio.Future[list[delivery.Outcome]],
) -> None:
    """Every attempt stored as evidence, then the facilitator's report (names who failed)."""
    meeting = convened.meeting
    outcomes = await sent
    reachable = _reachable(convened)
    attempts = [
        convocations.Attempt(r.member_id, o.chat_id, o.ok, o.message_ids, o.failure, o.at)
        for r, o in zip(reachable, outcomes, strict=False)
    ]
    unlinked = [r for r in convened.recipients if r.chat_id is None]
    attempts += [
        convocations.Attempt(r.member_id, None, False, (), "sin_vincular", None) for r in unlinked
    ]
    group = outcomes[-1]
    attempts.append(
        convocations.Attempt(
            None, group.chat_id, group.ok, group.message_ids, group.failure, group.at
        )
    )
    async with context.db.begin() as session:
        await convocations.record_deliveries(
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
        context.outbox.message(
            convened.facilitator_chat_id,
            "convocations/report",
            meeting=meeting,
            delivered=sum(1 for o in outcomes[:-1] if o.ok),
            total=len(convened.recipients),
            failures=failures,
            group_ok=group.ok,
            forwarding=convened.forwarding,
        )


@dataclass
class Guided:
    """The answers so far of a guided ``/convocar``."""

    secretariat_id: int
    kind: str | None = None
    day: date | None = None
    at: time | None = None
    place: str | None = None


#: A guided convocation in progress, in the database (``bot.conversations``): whichever
#: replica gets the next answer carries on, and a restart forgets nothing. Nothing is sent
#: or saved before the preview; a day without an answer ends it (each answer starts the
#: day again), so a forgotten one does not take a later "Ordinaria" for its next step.
GUIDED_TTL = timedelta(days=1)
GUIDED = Conversation("convocatoria_guiada", Guided, ttl=GUIDED_TTL)


async def paso_guiado(update: Update, context: StmContext) -> None:
    """One answer of the guided ``/convocar`` (kind → date → time → place → agenda)."""
    message = update.effective_message
    if context.consumed or message is None or not message.text:
        return
    if await GUIDED.get(update, context) is None:
        return  # not in a guided convocation: other handlers take the message
    try:
        step = await _advance(update, context, message.text.strip())
    except Refusal as refusal:
        await errors.tell(update, context, refusal, alert=False)
        step = None
    if step is not None:
        await messages.reply(update, context, f"convocations/guided_{step}")
    context.consumed = True  # the catch-all "unknown text" answer stays silent


async def _advance(update: Update, context: StmContext, text: str) -> str | None:
    """Store one answer; the name of the next prompt, or ``None`` once previewed.

    The step is read and written in one unit of work holding its row, so two replicas
    given two answers of one chat at once take them one after the other. The last answer
    (the agenda) takes the conversation away first (``pop``): only one replica previews it.
    """
    async with context.db.begin() as session:
        guided = await GUIDED.get(update, context, session=session, lock=True)
        if guided is None:
            return None  # finished or cancelled meanwhile
        step = _answer(guided, text)  # a refused date or time changes nothing
        if step is not None:
            await GUIDED.put(update, context, guided, session=session)
            return step
    context.chosen = guided.secretariat_id
    if await authorize(update, context, "convocar") is None:
        return None
    if await GUIDED.pop(update, context) is None:
        return None  # another replica took this same answer
    request = parsing.ConvocarRequest(
        guided.kind, guided.day, guided.at, guided.place, parsing.agenda_lines(text)
    )
    try:
        await _preview(update, context, request)
    except (ShortNotice, PastDate, NonBusinessRefused):
        guided.day = guided.at = None  # R7: ask for another date, keep the rest
        await GUIDED.put(update, context, guided)
        raise
    except Refusal:
        raise  # the conversation is over, as the refusal says
    except Exception:
        await GUIDED.put(update, context, guided)  # not a refusal: the answers stay
        raise
    return None


def _answer(guided: Guided, text: str) -> str | None:
    """One of the first four answers into ``guided``; the next prompt, ``None`` for the agenda."""
    if guided.kind is None:
        if text.lower() not in ("ordinaria", "extraordinaria"):
            return "kind"
        guided.kind = text.lower()
        return "day"
    if guided.day is None:
        guided.day = parsing.one_date(text, "convocar")
        return "time"
    if guided.at is None:
        guided.at = parsing.clock_time(text)
        return "place"
    if guided.place is None:
        guided.place = text
        return "agenda"
    return None


@guarded("cancelar_convocatoria")
async def cancelar_convocatoria(update: Update, context: StmContext) -> None:
    """Leave the guided ``/convocar``; nothing was saved or sent."""
    active = await GUIDED.delete(update, context)
    await messages.reply(update, context, "convocations/guided_cancelled", active=active)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("convocar", convocar),
    CommandHandler("cancelar_convocatoria", cancelar_convocatoria),
    CallbackQueryHandler(convocatoria_boton, pattern=f"^{buttons.Action.CONVOCATION.value}:"),
]


#: Runs before the command handlers (group -1) so a guided answer is never taken for
#: "unknown text": it marks the update consumed, and the catch-all stays silent.
GUIDED_HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, paso_guiado),
]
