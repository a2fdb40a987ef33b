"""``/votar``, ``/cerrar``, ``/votaciones`` and the ballot buttons (R2, R3, R12, R13)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import buttons, errors, messages, voting
from bot.context import StmContext
from bot.conversations import Conversation
from bot.guards import authorize_button, command_text, guarded
from domain.errors import MissingName, NoOpenVote, Refusal
from handlers import parsing
from storage.services import ballots, votes


@guarded("votar")
async def votar(update: Update, context: StmContext) -> None:
    """Open a vote: of the seats present in an installed session, else electronic (R13)."""
    text = command_text(update, context)
    if not text.strip():
        raise MissingName("votar")
    async with context.db.begin() as session:
        opened = await votes.open_vote(
            session, now=context.now(), target=context.require_target(), text=text
        )
        if isinstance(opened, votes.NeedsDeadline):  # a button, or "AAAA-MM-DD HH:MM" typed
            awaited = AwaitedDeadline(opened.vote_id)
            await TYPED_DEADLINE.put(update, context, awaited, session=session)
    if isinstance(opened, votes.NeedsDeadline):
        await messages.reply(
            update,
            context,
            "votes/deadline_ask",
            text=opened.text,
            reply_markup=buttons.deadline(opened.vote_id),
        )
        return
    voting.publish_open(context.app, opened)  # queued first: committed means published
    await messages.reply(update, context, "votes/opened", vote=opened.vote)


async def plazo_boton(update: Update, context: StmContext) -> None:
    """24 h / 48 h / 72 h: open the electronic vote until then.

    What follows from the commit (the deadline job, the ballots) is set in motion before
    any Telegram call about this press, so a failed edit ("message is not modified", the
    message deleted, a replayed press) can never leave an open vote nobody can vote in.
    """
    query = update.callback_query
    assert query is not None
    vote_id, hours = buttons.ids(query.data, choices=buttons.DEADLINE_HOURS)
    async with context.db() as session:
        secretariat_id = await votes.secretariat_of(session, vote_id)
    target = await authorize_button(update, context, "votar", secretariat_id)
    now = context.now()
    async with context.db.begin() as session:  # the deadline set, and no longer awaited
        opened = await votes.set_deadline(
            session, now=now, target=target, vote_id=vote_id, deadline=now + timedelta(hours=hours)
        )
        await TYPED_DEADLINE.delete(update, context, session=session)
    _start(context, opened, now + timedelta(hours=hours))
    await query.answer("Votación abierta.")
    with contextlib.suppress(TelegramError):  # cosmetic: the vote is open and published
        await query.edit_message_reply_markup(reply_markup=None)
    await messages.reply(update, context, "votes/opened", vote=opened.vote)


def _start(context: StmContext, opened: votes.Opened, deadline: datetime) -> None:
    """What a committed deadline implies: the closing job and the ballots, queued."""
    voting.schedule_deadline(context.application, opened.vote.id, deadline, context.now())
    voting.publish_open(context.app, opened)


@dataclass(frozen=True)
class AwaitedDeadline:
    """An electronic vote whose deadline may be typed in this chat (or set with a button)."""

    vote_id: int


#: In the database (``bot.conversations``), so the typed deadline may reach any replica.
#: A day without it ends the wait for a typed one; the 24/48/72 h buttons still work.
TYPED_DEADLINE = Conversation("plazo_votacion", AwaitedDeadline, ttl=timedelta(days=1))
_TYPED = re.compile(r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s+([0-9]{1,2}:[0-9]{2})\s*")


async def plazo_escrito(update: Update, context: StmContext) -> None:
    """A deadline typed as ``AAAA-MM-DD HH:MM`` after ``/votar`` (instead of a button)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    match = _TYPED.fullmatch(message.text)
    if match is None:
        return  # not a deadline: other handlers take the message
    awaited = await TYPED_DEADLINE.get(update, context)
    if awaited is None:
        return  # no vote waits for one here: other handlers take the message
    vote_id = awaited.vote_id
    context.consumed = True
    try:
        day = parsing.one_date(match[1], "votar")
        at = parsing.clock_time(match[2].zfill(5))
        async with context.db() as session:
            secretariat_id = await votes.secretariat_of(session, vote_id)
        target = await authorize_button(update, context, "votar", secretariat_id)
        async with context.db.begin() as session:  # the deadline set, and no longer awaited
            opened = await votes.set_deadline_local(
                session, now=context.now(), target=target, vote_id=vote_id, day=day, at=at
            )
            await TYPED_DEADLINE.delete(update, context, session=session)
    except Refusal as refusal:
        await errors.tell(update, context, refusal, alert=False)
        return
    _start(context, opened, votes_deadline(opened))
    await messages.reply(update, context, "votes/opened", vote=opened.vote)


async def voto_boton(update: Update, context: StmContext) -> None:
    """``A favor`` / ``En contra`` / ``Abstención``: committed, then acknowledged (R3)."""
    query = update.callback_query
    assert query is not None
    vote_id, choice = buttons.ids(query.data, choices=buttons.VOTE_CHOICES)
    press = ballots.Press(query.from_user.id, buttons.VOTE_CHOICES[choice], context.now())
    casted = await voting.ballot_box(context.app).cast(vote_id, press)  # committed on return
    if isinstance(casted, Refusal):
        raise casted
    await query.answer(f"Tu voto quedó registrado: {casted.label}")
    if not (casted.everyone_voted and casted.kind == "electronica"):  # else it closes now
        voting.refresh_later(context.app, vote_id)


@guarded("cerrar")
async def cerrar(update: Update, context: StmContext) -> None:
    """Close the open vote (asks which when several are open) and publish the result."""
    target = context.require_target()
    async with context.db() as session:
        open_votes = await votes.open_ids(session, target.secretariat_id)
    if not open_votes:
        raise NoOpenVote()
    if len(open_votes) > 1:
        await messages.reply(
            update,
            context,
            "votes/choose_close",
            reply_markup=buttons.close_picker([(v.id, v.text) for v in open_votes]),
        )
        return
    await _close(update, context, open_votes[0].id)


async def cerrar_boton(update: Update, context: StmContext) -> None:
    """The vote picked in ``/cerrar``'s list."""
    query = update.callback_query
    assert query is not None
    (vote_id,) = buttons.ids(query.data)
    async with context.db() as session:
        secretariat_id = await votes.secretariat_of(session, vote_id)
    await authorize_button(update, context, "cerrar", secretariat_id)
    await query.answer()
    await _close(update, context, vote_id)
    with contextlib.suppress(TelegramError):  # cosmetic: the vote is closed and published
        await query.edit_message_reply_markup(reply_markup=None)


async def _close(update: Update, context: StmContext, vote_id: int) -> None:
    if await voting.close_and_publish(context.app, vote_id) is None:
        raise NoOpenVote()  # closed meanwhile (deadline, or every seat voted)


@guarded("votaciones")
async def votaciones(update: Update, context: StmContext) -> None:
    """Open and recent votes with their tallies."""
    async with context.db() as session:
        views = await votes.recent(session, context.require_target().secretariat_id)
    await messages.reply(update, context, "votes/votaciones", votes=views)


def votes_deadline(opened: votes.Opened) -> datetime:
    """The deadline the service stored (aware UTC)."""
    assert opened.deadline is not None
    return opened.deadline


#: Before the command handlers, like the guided /convocar: see ``plazo_escrito``.
TYPED_HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plazo_escrito),
]

HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("votar", votar),
    CommandHandler("cerrar", cerrar),
    CommandHandler("votaciones", votaciones),
    CallbackQueryHandler(voto_boton, pattern=f"^{buttons.Action.VOTE.value}:"),
    CallbackQueryHandler(plazo_boton, pattern=f"^{buttons.Action.DEADLINE.value}:"),
    CallbackQueryHandler(cerrar_boton, pattern=f"^{buttons.Action.CLOSE.value}:"),
]
