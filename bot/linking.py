"""When to tell the facilitator who linked their account: at once, or grouped per minute.

commands.md ("Roster in bulk"): many people linking within a minute give the facilitator
one message naming them all. The first linking after a quiet minute is told at once (one
person opening their link hears nothing late); linkings that follow within
``WINDOW`` of the last notice wait for that minute to end and go out as one message.
150 people opening their links together give the facilitator two messages.

What is owed lives in the database (``storage.services.linking``): a flush claims it and
sends it through the outbox, so a restart loses nothing (start-up flushes what is owed)
and racing flushes never name anyone twice. The linking update never waits for it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from weakref import WeakKeyDictionary

from telegram.ext import Application

from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from storage.services import linking

__all__ = ["WINDOW", "flush", "flush_owed", "linked"]

#: Linkings within this long of the last notice are grouped into the next one.
WINDOW = timedelta(minutes=1)


#: The flush jobs' names start with this (only the scheduler's leader arms them).
JOB_PREFIX = "link-notices:"


def job_name(secretariat_id: int) -> str:
    """The one pending flush job of a secretariat."""
    return f"{JOB_PREFIX}{secretariat_id}"


def linked(app: StmApplication, secretariat_id: int) -> None:
    """Someone linked (committed): flush now, or at the end of the current minute.

    Decided in the scheduler's leader (issue 14), so linkings arriving at different
    replicas within a minute still make one message: a follower only tells it.
    """
    if not app.leadership.here("linked", str(secretariat_id)):
        return
    app.background.spawn(_decide(app, secretariat_id), name=f"link-notice:{secretariat_id}")


#: One decision at a time per secretariat: 150 linkings at once must not all find "no
#: notice planned, none sent lately" before the first one has flushed.
_LOCKS: WeakKeyDictionary[Application, dict[int, asyncio.Lock]] = WeakKeyDictionary()  # type: ignore[type-arg]


async def _decide(app: StmApplication, secretariat_id: int) -> None:
    lock = _LOCKS.setdefault(app, {}).setdefault(secretariat_id, asyncio.Lock())
    async with lock:
        await _decide_locked(app, secretariat_id)


async def _decide_locked(app: StmApplication, secretariat_id: int) -> None:
    queue = app.job_queue
    assert queue is not None
    now = app.clock()
    planned = queue.get_jobs_by_name(job_name(secretariat_id))
    if any(job.data[1] > now for job in planned):
        return  # a grouped notice is already planned: it will name this person too
    for job in planned:  # overdue by the application's clock: flush now instead
        job.schedule_removal()
    async with app.db() as session:
        last = await linking.last_notice(session, secretariat_id)
    if last is None or now - last >= WINDOW:
        await flush(app, secretariat_id)
        return
    due = last + WINDOW
    queue.run_once(
        _flush_job,
        when=(due - now).total_seconds(),
        data=(secretariat_id, due),
        name=job_name(secretariat_id),
        job_kwargs={"misfire_grace_time": None},
    )


async def _flush_job(context: StmContext) -> None:
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    assert context.job is not None
    secretariat_id, _due = context.job.data
    assert isinstance(secretariat_id, int)
    await flush(context.app, secretariat_id)


async def flush(app: StmApplication, secretariat_id: int) -> int:
    """Claim what is owed and queue one message naming everyone; returns how many."""
    async with app.db.begin() as session:
        notice = await linking.claim(session, secretariat_id=secretariat_id, now=app.clock())
    if notice is None:
        return 0
    app.outbox.message(notice.facilitator_chat_id, "onboarding/bound_notice", notice=notice)
    return len(notice.linked)


async def flush_owed(application: Application) -> None:  # type: ignore[type-arg]
    """At start-up: notices owed when the bot stopped go out now."""
    assert isinstance(application, StmApplication)
    async with application.db() as session:
        owed = await linking.owed(session)
    for secretariat_id in owed:
        await flush(application, secretariat_id)
