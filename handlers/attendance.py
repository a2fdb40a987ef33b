"""RSVPs with substitutes (R3), ``/quorum`` and ``/sesiones`` (R9), roll call and
installation (R9)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, delivery, messages, voting
from bot.context import StmContext
from bot.guards import command_text, guarded
from handlers import parsing
from storage.services import meetings, votes

log = logging.getLogger(__name__)


async def asistencia_boton(update: Update, context: StmContext) -> None:
    """``Asistiré`` / ``Asistirá mi suplente`` / ``No asistiré`` (titulars only, R3)."""
    query = update.callback_query
    assert query is not None
    meeting_id, choice = buttons.ids(query.data, choices=buttons.RSVP_CHOICES)
    async with context.db.begin() as session:
        outcome = await meetings.rsvp(
            session,
            now=context.now(),
            meeting_id=meeting_id,
            telegram_user_id=query.from_user.id,
            answer=buttons.RSVP_CHOICES[choice],
        )
    label = meetings.TITULAR_LABELS[outcome.answer]
    await query.answer(f"Tu respuesta quedó registrada: {label}")
    await messages.reply(update, context, "attendance/rsvp_ok", outcome=outcome, label=label)
    substitute = outcome.substitute
    if substitute is not None and substitute.chat_id is not None:
        try:
            await messages.send(
                context.bot,
                substitute.chat_id,
                "attendance/cover_request",
                outcome=outcome,
                substitute=substitute,
                reply_markup=buttons.cover(meeting_id),
            )
        except TelegramError as exc:
            log.warning("substitute could not be asked: %s", exc.message)
            await messages.reply(
                update,
                context,
                "attendance/cover_unreachable",
                substitute=substitute,
                failure=delivery.classify(exc),
            )


async def suplencia_boton(update: Update, context: StmContext) -> None:
    """``Asistiré en representación`` / ``No podré asistir`` (the seat's substitute, R3)."""
    query = update.callback_query
    assert query is not None
    meeting_id, choice = buttons.ids(query.data, choices=buttons.COVER_CHOICES)
    async with context.db.begin() as session:
        outcome = await meetings.cover(
            session,
            now=context.now(),
            meeting_id=meeting_id,
            telegram_user_id=query.from_user.id,
            answer=buttons.COVER_CHOICES[choice],
        )
    label = meetings.SUBSTITUTE_LABELS[outcome.answer]
    await query.answer(f"Tu respuesta quedó registrada: {label}")
    await messages.reply(update, context, "attendance/cover_ok", outcome=outcome, label=label)
    if outcome.titular_chat_id is not None:
        try:
            await messages.send(
                context.bot,
                outcome.titular_chat_id,
                "attendance/cover_notice",
                outcome=outcome,
                label=label,
            )
        except TelegramError as exc:
            log.warning("titular could not be told: %s", exc.message)


@guarded("quorum")
async def quorum(update: Update, context: StmContext) -> None:
    """Who confirmed, declined or has not answered; "Quórum asegurado" or "en riesgo" (R9)."""
    number = parsing.optional_number(command_text(update, context), "quorum")
    async with context.db() as session:
        view = await meetings.quorum(
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
        roll = await meetings.open_roll_call(
            session, now=context.now(), target=context.require_target(), number=number
        )
    markup = buttons.present(roll.meeting.id)
    chats = [v.chat_id for v in roll.voters if v.chat_id is not None]
    if roll.group_chat_id is not None:
        chats.append(roll.group_chat_id)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> Sequence[Message]:
            return await messages.send(
                context.bot,
                chat_id,
                "attendance/roll_call",
                meeting=roll.meeting,
                reply_markup=markup,
            )

        return send

    outcomes = await delivery.deliver_all([(c, job(c)) for c in chats], clock=context.now)
    await messages.reply(
        update,
        context,
        "attendance/iniciar_ok",
        meeting=roll.meeting,
        reached=sum(1 for o in outcomes if o.ok),
        total=len(outcomes),
    )


async def presente_boton(update: Update, context: StmContext) -> None:
    """``Presente``: a titular or substitute marks themselves present (R3, R9)."""
    query = update.callback_query
    assert query is not None
    (meeting_id,) = buttons.ids(query.data)
    async with context.db.begin() as session:
        present = await meetings.present_by_button(
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
        present = await meetings.present_by_number(
            session, now=context.now(), target=context.require_target(), number=number
        )
    await messages.reply(update, context, "attendance/presente_ok", present=present)


@guarded("instalar")
async def instalar(update: Update, context: StmContext) -> None:
    """Install the session if present seats reach quorum, else record it without quorum (R9)."""
    async with context.db.begin() as session:
        result = await meetings.install(
            session, now=context.now(), target=context.require_target()
        )
    await messages.reply(update, context, "attendance/instalar", result=result)
    if result.installed:  # R10: the agenda is put to the members as the session starts
        async with context.db.begin() as session:
            opened = await votes.open_vote(
                session,
                now=context.now(),
                target=context.require_target(),
                text=messages.render("votes/agenda_text", meeting=result.meeting),
                purpose="orden_del_dia",
            )
        if isinstance(opened, votes.Opened):
            await voting.publish_open(context, opened)
    chat = update.effective_chat
    if result.group_chat_id is not None and chat is not None and chat.id != result.group_chat_id:
        try:
            await messages.send(
                context.bot, result.group_chat_id, "attendance/instalar", result=result
            )
        except TelegramError as exc:
            log.warning("group could not be told of the installation: %s", exc.message)


@guarded("concluir")
async def concluir(update: Update, context: StmContext) -> None:
    """Close the session in progress."""
    async with context.db.begin() as session:
        view = await meetings.conclude(session, now=context.now(), target=context.require_target())
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
