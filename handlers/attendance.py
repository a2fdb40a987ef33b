"""RSVPs with substitutes (R3), ``/quorum`` and ``/sesiones`` (R9), roll call and
installation (R9)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, delivery, messages, removal_notices, voting
from bot.context import StmContext
from bot.guards import command_text, guarded
from handlers import parsing
from storage.services import attendance, convocations, meetings, removals, rollcall, votes

log = logging.getLogger(__name__)


async def asistencia_boton(update: Update, context: StmContext) -> None:
    """``Asistiré`` / ``Asistirá mi suplente`` / ``No asistiré`` (titulars only, R3)."""
    query = update.callback_query
    assert query is not None
    meeting_id, choice = buttons.ids(query.data, choices=buttons.RSVP_CHOICES)
    async with context.db.begin() as session:
        outcome = await attendance.rsvp(
            session,
            now=context.now(),
            meeting_id=meeting_id,
            telegram_user_id=query.from_user.id,
            answer=buttons.RSVP_CHOICES[choice],
        )
    label = attendance.TITULAR_LABELS[outcome.answer]
    substitute = outcome.substitute
    if substitute is not None and substitute.chat_id is not None:  # R3: queued, not awaited
        asked = context.outbox.message(
            substitute.chat_id,
            "attendance/cover_request",
            outcome=outcome,
            substitute=substitute,
            reply_markup=buttons.cover(meeting_id),
        )
        chat = update.effective_chat
        assert chat is not None
        context.outbox.after(
            _tell_if_unreachable(context, chat.id, substitute, asked), name="cover-request"
        )
    await query.answer(f"Tu respuesta quedó registrada: {label}")
    await messages.reply(update, context, "attendance/rsvp_ok", outcome=outcome, label=label)


async def _tell_if_unreachable(
    context: StmContext,
    chat_id: int,
    substitute: convocations.Recipient,
    asked: asyncio.Future[delivery.Outcome],
) -> None:
    """The titular learns, in their own chat, that the substitute could not be asked."""
    outcome = await asked
    if not outcome.ok:
        log.warning("substitute could not be asked: %s", outcome.failure)
        context.outbox.message(
            chat_id, "attendance/cover_unreachable", substitute=substitute, failure=outcome.failure
        )


async def suplencia_boton(update: Update, context: StmContext) -> None:
    """``Asistiré en representación`` / ``No podré asistir`` (the seat's substitute, R3)."""
    query = update.callback_query
    assert query is not None
    meeting_id, choice = buttons.ids(query.data, choices=buttons.COVER_CHOICES)
    async with context.db.begin() as session:
        outcome = await attendance.cover(
            session,
            now=context.now(),
            meeting_id=meeting_id,
            telegram_user_id=query.from_user.id,
            answer=buttons.COVER_CHOICES[choice],
        )
    label = attendance.SUBSTITUTE_LABELS[outcome.answer]
    if outcome.titular_chat_id is not None:  # the titular's chat: queued, not awaited
        context.outbox.message(
            outcome.titular_chat_id, "attendance/cover_notice", outcome=outcome, label=label
        )
    await query.answer(f"Tu respuesta quedó registrada: {label}")
    await messages.reply(update, context, "attendance/cover_ok", outcome=outcome, label=label)


@guarded("quorum")
async def quorum(update: Update, context: StmContext) -> None:
    """Who confirmed, declined or has not answered; "Quórum asegurado" or "en riesgo" (R9)."""
    number = parsing.optional_number(command_text(update, context), "quorum")
    async with context.db() as session:
        view = await attendance.quorum(
            session, now=context.now(), target=context.require_target(), number=number
        )
    await messages.reply(update, context, "attendance/quorum", view=view)


@guarded("sesiones")
async def sesiones(update: Update, context: StmContext) -> None:
    """Upcoming and recent sessions with number, kind, date and state."""
    async with context.db() as session:
        views = await meetings.recent(session, target=context.require_target(), now=context.now())
    await messages.reply(update, context, "attendance/sesiones", meetings=views)


@guarded("iniciar")
async def iniciar(update: Update, context: StmContext) -> None:
    """Open today's roll call: a ``Presente`` button in the group and to each seat (R9)."""
    number = parsing.optional_number(command_text(update, context), "iniciar")
    async with context.db.begin() as session:
        roll = await rollcall.open_roll_call(
            session, now=context.now(), target=context.require_target(), number=number
        )
    markup = buttons.present(roll.meeting.id)
    chats = [v.chat_id for v in roll.voters if v.chat_id is not None]
    if roll.group_chat_id is not None:
        chats.append(roll.group_chat_id)
    sent = [
        context.outbox.message(
            chat_id, "attendance/roll_call", meeting=roll.meeting, reply_markup=markup
        )
        for chat_id in chats
    ]
    chat = update.effective_chat
    assert chat is not None
    context.outbox.after(_roll_call_report(context, chat.id, roll, sent), name="roll-call")
    await messages.reply(
        update, context, "attendance/iniciar_ok", meeting=roll.meeting, total=len(chats)
    )


async def _roll_call_report(
    context: StmContext,
    chat_id: int,
    roll: rollcall.RollCall,
    sent: Sequence[asyncio.Future[delivery.Outcome]],
) -> None:
    """Once every ``Presente`` button is out: tell the facilitator whom it did not reach."""
    outcomes = await asyncio.gather(*sent)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        context.outbox.message(
            chat_id,
            "attendance/roll_call_report",
            meeting=roll.meeting,
            reached=len(outcomes) - len(failed),
            total=len(outcomes),
        )


async def presente_boton(update: Update, context: StmContext) -> None:
    """``Presente``: a titular or substitute marks themselves present (R3, R9)."""
    query = update.callback_query
    assert query is not None
    (meeting_id,) = buttons.ids(query.data)
    async with context.db.begin() as session:
        present = await rollcall.present_by_button(
            session,
            now=context.now(),
            meeting_id=meeting_id,
            telegram_user_id=query.from_user.id,
        )
    await query.answer(
        f"Asistencia registrada: {present.full_name}. Asientos presentes: {present.seats_present}."
    )


@guarded("presente")
async def presente(update: Update, context: StmContext) -> None:
    """Mark roster entry n present in person (no phone needed)."""
    number = parsing.roster_number(command_text(update, context), "presente")
    async with context.db.begin() as session:
        present = await rollcall.present_by_number(
            session, now=context.now(), target=context.require_target(), number=number
        )
    await messages.reply(update, context, "attendance/presente_ok", present=present)


@guarded("instalar")
async def instalar(update: Update, context: StmContext) -> None:
    """Install the session if present seats reach quorum, else record it without quorum (R9)."""
    opened = None
    offers: list[removals.Votable] = []  # R4: removal items of this session
    async with context.db.begin() as session:  # installed and agenda vote: one unit of work
        result = await rollcall.install(
            session, now=context.now(), target=context.require_target()
        )
        if result.installed:  # R10: the agenda is put to the members as the session starts
            opened = await votes.open_vote(
                session,
                now=context.now(),
                target=context.require_target(),
                text=messages.render("votes/agenda_text", meeting=result.meeting),
                purpose="orden_del_dia",
            )
            offers = await removals.votable(session, meeting_id=result.meeting.id)  # R4
    chat = update.effective_chat
    if result.group_chat_id is not None and chat is not None and chat.id != result.group_chat_id:
        context.outbox.message(result.group_chat_id, "attendance/instalar", result=result)
    if isinstance(opened, votes.Opened):
        voting.publish_open(context.app, opened)
    if update.effective_user is not None:  # R4: its removal items' buttons, in private
        removal_notices.offer_votes(context.app, update.effective_user.id, offers)
    await messages.reply(update, context, "attendance/instalar", result=result)


@guarded("concluir")
async def concluir(update: Update, context: StmContext) -> None:
    """Close the session in progress."""
    async with context.db.begin() as session:
        view = await rollcall.conclude(session, now=context.now(), target=context.require_target())
    await messages.reply(update, context, "attendance/concluir", meeting=view)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CallbackQueryHandler(asistencia_boton, pattern=f"^{buttons.Action.RSVP.value}:"),
    CallbackQueryHandler(suplencia_boton, pattern=f"^{buttons.Action.COVER.value}:"),
    CallbackQueryHandler(presente_boton, pattern=f"^{buttons.Action.PRESENT.value}:"),
    CommandHandler("quorum", quorum),
    CommandHandler("sesiones", sesiones),
    CommandHandler("iniciar", iniciar),
    CommandHandler("presente", presente),
    CommandHandler("instalar", instalar),
    CommandHandler("concluir", concluir),
]
