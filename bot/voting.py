"""Publishing votes: ballots out, a coalesced live count, results, deadlines (R12, R13).

Shared by the vote handlers and the deadline job. The live count in the group is edited
at most once per ``REFRESH_DELAY`` per vote, whatever the pace of presses, to stay within
Telegram's ~20 edits per minute per group; a press is always answered first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot import buttons, delivery, messages
from bot.context import StmApplication, StmContext
from storage.services import votes

log = logging.getLogger(__name__)

#: Seconds between two edits of one vote's live count (20 per minute per group).
REFRESH_DELAY = 3.0
_refreshing: dict[int, set[int]] = {}


async def publish_open(context: StmContext, opened: votes.Opened) -> None:
    """The vote to the group (live count) and the ballot buttons to each voter."""
    markup = buttons.ballot(opened.vote.id)
    if opened.group_chat_id is not None:
        try:
            sent = await messages.send(
                context.bot,
                opened.group_chat_id,
                "votes/open",
                vote=opened.vote,
                reply_markup=markup,
            )
            async with context.db.begin() as session:
                await votes.remember_group_message(
                    session, vote_id=opened.vote.id, message_id=sent[-1].message_id
                )
        except TelegramError as exc:
            log.warning("vote %s could not be posted in the group: %s", opened.vote.id, exc)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> list:  # type: ignore[type-arg]
            return await messages.send(
                context.bot, chat_id, "votes/ballot", vote=opened.vote, reply_markup=markup
            )

        return send

    await delivery.deliver_all(
        [(v.chat_id, job(v.chat_id)) for v in opened.voters if v.chat_id is not None],
        clock=context.now,
    )


def refresh_later(context: StmContext, vote_id: int) -> None:
    """Edit the group's live count soon, once, however many presses come meanwhile."""
    pending = _refreshing.setdefault(id(context.application), set())
    if vote_id in pending:
        return
    pending.add(vote_id)
    context.application.create_task(_refresh(context, vote_id, pending))


async def _refresh(context: StmContext, vote_id: int, pending: set[int]) -> None:
    await asyncio.sleep(REFRESH_DELAY)
    pending.discard(vote_id)
    async with context.db() as session:
        view = await votes.view(session, vote_id)
        message = await votes.group_message(session, vote_id)
    if view is None or view.state != "abierta" or message is None:
        return
    chat_id, message_id = message
    try:
        await context.bot.edit_message_text(
            messages.render("votes/open", vote=view),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=buttons.ballot(vote_id),
        )
    except BadRequest as exc:  # "message is not modified" when nothing changed
        log.debug("live count of vote %s not edited: %s", vote_id, exc.message)
    except TelegramError as exc:
        log.warning("live count of vote %s not edited: %s", vote_id, exc.message)


async def close_and_publish(context: StmContext, vote_id: int) -> votes.VoteView | None:
    """Close (once) and send the result to the group and every member (public acts)."""
    async with context.db.begin() as session:
        closed = await votes.close(session, now=context.now(), vote_id=vote_id)
    if closed is None:
        return None
    if closed.group_chat_id is not None and closed.group_message_id is not None:
        try:
            await context.bot.edit_message_reply_markup(
                chat_id=closed.group_chat_id,
                message_id=closed.group_message_id,
                reply_markup=None,
            )
        except TelegramError as exc:
            log.debug("vote %s buttons not removed: %s", vote_id, exc.message)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> list:  # type: ignore[type-arg]
            return await messages.send(context.bot, chat_id, "votes/result", vote=closed.vote)

        return send

    chats = list(dict.fromkeys(closed.chats))
    if closed.group_chat_id is not None:
        chats.append(closed.group_chat_id)
    await delivery.deliver_all([(c, job(c)) for c in chats], clock=context.now)
    return closed.vote


def schedule_deadline(
    application: Application,
    vote_id: int,
    deadline: datetime,  # type: ignore[type-arg]
    now: datetime,
) -> None:
    """A job that closes the vote at its deadline (at once if it passed while down)."""
    assert application.job_queue is not None
    name = f"vote:{vote_id}"
    for job in application.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    delay = max(0.0, (deadline - now).total_seconds())
    application.job_queue.run_once(_deadline_job, when=delay, data=vote_id, name=name)


async def _deadline_job(context: StmContext) -> None:
    assert context.job is not None
    vote_id = context.job.data
    assert isinstance(vote_id, int)
    await close_and_publish(context, vote_id)


async def schedule_open_deadlines(application: StmApplication) -> None:
    """At start-up: every open electronic vote gets its closing job again."""
    async with application.db() as session:
        pending = await votes.deadlines(session)
    for vote_id, deadline in pending:
        schedule_deadline(application, vote_id, deadline, application.clock())


async def tell_everyone_voted(context: StmContext, vote_id: int) -> None:
    """A session vote stays open until ``/cerrar``; the facilitator learns all seats voted."""
    async with context.db() as session:
        chat_id = await votes.facilitator_chat(session, vote_id)
    if chat_id is None:
        return
    try:
        await messages.send(context.bot, chat_id, "votes/everyone_voted", vote_id=vote_id)
    except TelegramError as exc:
        log.warning("facilitator not told that vote %s is complete: %s", vote_id, exc.message)
