"""Publishing votes: ballots out, presses in, a coalesced live count, results (R12, R13).

Shared by the vote handlers and the deadline job. Nothing here makes an update wait for
another chat: the group's post, every voter's ballot and every member's result go out
through the outbox (``bot.outbox``), each chat in its own queue, so a group waiting for
its 20-per-minute window never delays a voter's private ballot (issue 10).

Presses of one vote go through that vote's :class:`BallotBox`: whatever arrives while a
unit of work is being committed waits and is committed as the next batch, in arrival
order, so concurrent presses are neither lost nor counted twice, a burst costs one
commit per batch instead of one per press, and every press is still answered only after
its ballot is committed. The live count in the group is edited at most once per
``REFRESH_DELAY`` per vote, whatever the pace of presses (Telegram allows ~20 edits a
minute per group).
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from weakref import WeakKeyDictionary

from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot import buttons, delivery, messages, public_channel, removal_notices
from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from domain.errors import Refusal
from storage.services import ballots, votes

log = logging.getLogger(__name__)

#: Seconds between two edits of one vote's live count (20 per minute per group).
REFRESH_DELAY = 3.0
_refreshing: dict[int, set[int]] = {}


def publish_open(app: StmApplication, opened: votes.Opened) -> None:
    """Queue the vote for the group (live count) and the ballot buttons for each voter."""
    markup = buttons.ballot(opened.vote.id)
    if opened.group_chat_id is not None:
        posted = app.outbox.message(
            opened.group_chat_id, "votes/open", vote=opened.vote, reply_markup=markup
        )
        app.outbox.after(_remember_group_post(app, opened, posted), name="vote-group-post")
    for voter in opened.voters:
        if voter.chat_id is not None:
            app.outbox.message(
                voter.chat_id, "votes/ballot", vote=opened.vote, reply_markup=markup
            )


async def _remember_group_post(
    app: StmApplication, opened: votes.Opened, posted: asyncio.Future[delivery.Outcome]
) -> None:
    outcome = await posted
    if not outcome.ok or not outcome.message_ids:
        log.warning("vote %s not posted in the group: %s", opened.vote.id, outcome.failure)
        return
    async with app.db.begin() as session:
        await votes.remember_group_message(
            session, vote_id=opened.vote.id, message_id=outcome.message_ids[-1]
        )


# ====================================================================== presses
@dataclass
class _Box:
    queue: list[tuple[ballots.Press, asyncio.Future[ballots.Casted | Refusal]]] = field(
        default_factory=list
    )
    draining: bool = False


_BOXES: WeakKeyDictionary[Application, BallotBox] = WeakKeyDictionary()  # type: ignore[type-arg]

#: A vote whose last batch was committed less than this many seconds ago is "busy"...
BUSY = 0.25
#: ...and its next batch waits this long for more presses before committing (group
#: commit: one unit of work for a whole round of a live debate instead of one per press;
#: bench/votes.py measured 0.50 of a bare bot's ballots/s without it and ~0.67 with it).
#: A lone press on a quiet vote never waits.
GATHER = 0.006


def ballot_box(app: StmApplication) -> BallotBox:
    """The application's ballot box (one per application: tests run several)."""
    box = _BOXES.get(app)
    if box is None:
        box = _BOXES[app] = BallotBox(app)
    return box


class BallotBox:
    """The presses of every vote of one application, committed per vote in batches."""

    def __init__(self, app: StmApplication) -> None:
        self.app = app
        self.boxes: dict[int, _Box] = {}  # vote id -> presses waiting for its next batch
        self.recent: dict[int, float] = {}  # vote id -> when its last batch committed

    async def cast(self, vote_id: int, press: ballots.Press) -> ballots.Casted | Refusal:
        """Queue the press; return once its batch is committed (its refusal, if refused)."""
        box = self.boxes.setdefault(vote_id, _Box())
        future: asyncio.Future[ballots.Casted | Refusal] = (
            asyncio.get_running_loop().create_future()
        )
        box.queue.append((press, future))
        if not box.draining:
            box.draining = True
            self.app.background.spawn(self._drain(vote_id, box), name=f"ballots:{vote_id}")
        return await future

    async def _drain(self, vote_id: int, box: _Box) -> None:
        try:
            loop = asyncio.get_running_loop()
            while box.queue:
                if loop.time() - self.recent.get(vote_id, -math.inf) < BUSY:
                    await asyncio.sleep(GATHER)  # a vote in full debate: group the commits
                batch, box.queue = box.queue, []
                try:
                    async with self.app.db.begin() as session:
                        results = await ballots.cast_many(
                            session, vote_id=vote_id, presses=[press for press, _ in batch]
                        )
                except Exception as exc:  # the whole batch rolled back: each press is told
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.recent[vote_id] = loop.time()
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                for result in results:
                    if isinstance(result, ballots.Casted) and result.completed:
                        self._completed(result)
        finally:
            box.draining = False
            if not box.queue and self.boxes.get(vote_id) is box:
                del self.boxes[vote_id]

    def _completed(self, casted: ballots.Casted) -> None:
        """The last entitled seat just voted: once per vote (its ``complete_at`` was set)."""
        if casted.kind == "electronica":  # every seat voted: close at once
            self.app.background.spawn(
                close_and_publish(self.app, casted.vote_id), name=f"close:{casted.vote_id}"
            )
        else:  # a session vote stays open until /cerrar: the facilitator is told, once
            self.app.background.spawn(
                tell_everyone_voted(self.app, casted.vote_id), name=f"complete:{casted.vote_id}"
            )


def refresh_later(app: StmApplication, vote_id: int) -> None:
    """Edit the group's live count soon, once, however many presses come meanwhile.

    Across replicas (issue 14) the edits are coalesced in one place, the scheduler's
    leader: a follower's press tells it (at most once per ``REFRESH_DELAY`` per vote
    from each follower), and the leader reads the count from the database when it edits.
    """
    pending = _refreshing.setdefault(id(app), set())
    if vote_id in pending:
        return
    pending.add(vote_id)
    if app.leadership.here("count", str(vote_id)):
        app.create_task(_refresh(app, vote_id, pending))
    else:
        app.create_task(_forget_later(vote_id, pending))


async def _forget_later(vote_id: int, pending: set[int]) -> None:
    await asyncio.sleep(REFRESH_DELAY)
    pending.discard(vote_id)


async def _refresh(app: StmApplication, vote_id: int, pending: set[int]) -> None:
    await asyncio.sleep(REFRESH_DELAY)
    pending.discard(vote_id)
    async with app.db() as session:
        view = await votes.view(session, vote_id)
        message = await votes.group_message(session, vote_id)
    if view is None or view.state != "abierta" or message is None:
        return
    chat_id, message_id = message
    text = messages.render("votes/open", vote=view)

    async def edit() -> list:  # type: ignore[type-arg]
        try:
            await app.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=buttons.ballot(vote_id)
            )
        except BadRequest as exc:  # "message is not modified" when nothing changed
            log.debug("live count of vote %s not edited: %s", vote_id, exc.message)
        return []

    outcome = await app.outbox.post(chat_id, edit)  # in the group's queue, after its posts
    if not outcome.ok:
        log.warning("live count of vote %s not edited: %s", vote_id, outcome.failure)


# ====================================================================== closing
async def close_and_publish(app: StmApplication, vote_id: int) -> votes.VoteView | None:
    """Close (once, committed) and queue the result for the group and every member."""
    async with app.db.begin() as session:
        closed = await votes.close(session, now=app.clock(), vote_id=vote_id)
    if closed is None:
        return None
    if closed.channel_post is not None and closed.secretariat_id is not None:
        public_channel.publish(app, closed.secretariat_id)  # R18: owed in the same commit
    if closed.group_chat_id is not None and closed.group_message_id is not None:
        group, message_id = closed.group_chat_id, closed.group_message_id

        async def unbutton() -> list:  # type: ignore[type-arg]
            try:
                await app.bot.edit_message_reply_markup(
                    chat_id=group, message_id=message_id, reply_markup=None
                )
            except TelegramError as exc:
                log.debug("vote %s buttons not removed: %s", vote_id, exc.message)
            return []

        app.outbox.post(group, unbutton)
    chats = list(dict.fromkeys(closed.chats))
    if closed.group_chat_id is not None:
        chats.append(closed.group_chat_id)
    for chat_id in chats:
        register = closed.registrable and chat_id == closed.facilitator_chat
        app.outbox.message(
            chat_id,
            "votes/result",
            vote=closed.vote,
            reply_markup=buttons.register_agreement(vote_id) if register else None,
        )
    if closed.removal is not None:  # R4: after the result, the decision's consequences
        removal_notices.tell_settled(app, closed.removal)
    return closed.vote


#: The deadline jobs' names start with this (only the scheduler's leader arms them).
JOB_PREFIX = "vote:"


def schedule_deadline(
    application: Application,  # type: ignore[type-arg]
    vote_id: int,
    deadline: datetime,
    now: datetime,
) -> None:
    """A job that closes the vote at its deadline (at once if it passed while down).

    Armed in the scheduler's leader (issue 14): a follower tells it, and it re-arms every
    open deadline from the database (replacing each job by name).
    """
    assert isinstance(application, StmApplication)
    if not application.leadership.here("votes"):
        return
    assert application.job_queue is not None
    name = f"{JOB_PREFIX}{vote_id}"
    for job in application.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    delay = max(0.0, (deadline - now).total_seconds())
    application.job_queue.run_once(
        _deadline_job, when=delay, data=vote_id, name=name, job_kwargs={"misfire_grace_time": None}
    )


async def _deadline_job(context: StmContext) -> None:
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    assert context.job is not None
    vote_id = context.job.data
    assert isinstance(vote_id, int)
    await close_and_publish(context.app, vote_id)


async def schedule_open_deadlines(application: StmApplication) -> None:
    """At start-up: every open electronic vote gets its closing job again."""
    async with application.db() as session:
        pending = await votes.deadlines(session)
    for vote_id, deadline in pending:
        schedule_deadline(application, vote_id, deadline, application.clock())


async def tell_everyone_voted(app: StmApplication, vote_id: int) -> None:
    """A session vote stays open until ``/cerrar``; the facilitator learns all seats voted."""
    async with app.db() as session:
        chat_id = await votes.facilitator_chat(session, vote_id)
    if chat_id is not None:
        app.outbox.message(chat_id, "votes/everyone_voted", vote_id=vote_id)
