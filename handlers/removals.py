"""Removal of a member (R4): ``/remocion``, ``Respaldo la solicitud``, ``/remociones`` and
``Abrir votación de remoción``.

Thin: parse, authorize, call ``storage.services.removals``, answer; every notice to
another chat goes through the outbox (``bot.removal_notices``). The backing button is
re-authorized by R4's own rules in the service (the facilitator, observers, the person
concerned and the first sponsor's seat get their own alert); the vote button is the
facilitator's, authorized as ``/votar`` is, and opens a session vote of the seats
present (R13) whose closing applies the outcome (``storage.services.removal_outcome``).
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, messages, removal_notices, voting
from bot.context import StmContext
from bot.guards import authorize_button, command_text, guarded
from domain import removal as rules
from domain.roles import Role
from storage.services import removals


@guarded("remocion")
async def remocion(update: Update, context: StmContext) -> None:
    """A titular or substitute requests member n's removal; other seats are asked (R4)."""
    number, reason = rules.parse_request(command_text(update, context))
    async with context.db.begin() as session:
        requested = await removals.request(
            session,
            now=context.now(),
            target=context.require_target(),
            number=number,
            reason=reason,
        )
    removal_notices.ask_backing(context.app, requested)  # queued: committed means asked
    await messages.reply(
        update,
        context,
        "removals/requested",
        r=requested.request,
        asked=len(requested.backers),
        unreachable=sum(1 for b in requested.backers if b.chat_id is None),
    )


async def respaldo_boton(update: Update, context: StmContext) -> None:
    """``Respaldo la solicitud``: a member of another seat backs the request (R4)."""
    query = update.callback_query
    assert query is not None
    (request_id,) = buttons.ids(query.data)
    async with context.db.begin() as session:
        backed = await removals.back(
            session, now=context.now(), request_id=request_id, telegram_user_id=query.from_user.id
        )
    removal_notices.tell_backed(context.app, backed)
    await query.answer("Tu respaldo quedó registrado.")
    with contextlib.suppress(TelegramError):  # cosmetic: the backing is committed
        await query.edit_message_reply_markup(reply_markup=None)
    await messages.reply(
        update, context, "removals/backed_ok", r=backed.request, complete=backed.complete
    )


async def votacion_boton(update: Update, context: StmContext) -> None:
    """``Abrir votación de remoción``: the facilitator opens it in the installed session."""
    query = update.callback_query
    assert query is not None
    (request_id,) = buttons.ids(query.data)
    async with context.db() as session:
        secretariat_id = await removals.secretariat_of(session, request_id)
    target = await authorize_button(update, context, "votar", secretariat_id)
    async with context.db.begin() as session:
        opened = await removals.open_vote(
            session, now=context.now(), target=target, request_id=request_id
        )
    voting.publish_open(context.app, opened.opened)  # queued first: committed means published
    await query.answer("Votación abierta.")
    with contextlib.suppress(TelegramError):  # cosmetic: the vote is open and published
        await query.edit_message_reply_markup(reply_markup=None)
    await messages.reply(
        update, context, "removals/vote_opened", vote=opened.opened.vote, number=opened.number
    )


@guarded("remociones")
async def remociones(update: Update, context: StmContext) -> None:
    """Every removal request with its state; the facilitator also gets the vote buttons."""
    target = context.require_target()
    facilitator = target.membership.role is Role.FACILITADOR
    async with context.db() as session:
        views = await removals.listing(session, target.secretariat_id)
        votable = await removals.votable_now(session, target.secretariat_id) if facilitator else []
    await messages.reply(
        update,
        context,
        "removals/remociones",
        requests=views,
        votable=votable,
        reply_markup=buttons.removal_vote([(v.id, v.number) for v in votable])
        if votable
        else None,
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("remocion", remocion),
    CommandHandler("remociones", remociones),
    CallbackQueryHandler(respaldo_boton, pattern=f"^{buttons.Action.REMOVAL_BACK.value}:"),
    CallbackQueryHandler(votacion_boton, pattern=f"^{buttons.Action.REMOVAL_VOTE.value}:"),
]
