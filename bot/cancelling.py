"""Cancellation requests: asking every seat, announcing the decision, lapsing (R11).

Shared by the handlers and the job that closes the approval window at start − 24 h;
windows that closed while the bot was down are applied at start-up.
"""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application

from bot import buttons
from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from domain.cancellation import CancellationState
from storage.services import cancellations


def ask_everyone(app: StmApplication, requested: cancellations.Requested) -> None:
    """Queue, for every titular and substitute and the group, the two buttons."""
    markup = buttons.cancellation(requested.request.id)
    chats = list(requested.asked)
    if requested.group_chat_id is not None:
        chats.append(requested.group_chat_id)
    for chat_id in chats:
        app.outbox.message(
            chat_id, "cancellations/request", request=requested.request, reply_markup=markup
        )


def announce(app: StmApplication, decided: cancellations.Decided) -> None:
    """Approved: notice to everyone and the group. Rejected or lapsed: tell the facilitator.

    Called once per decision: the service returns a decided state only to the unit of
    work that changed it from pending (R11), so the notice fires on the change, once.
    """
    if decided.state is CancellationState.APROBADA:
        chats = list(dict.fromkeys(decided.everyone))
        if decided.group_chat_id is not None:
            chats.append(decided.group_chat_id)
        template = "cancellations/cancelled"
    elif decided.state in (CancellationState.RECHAZADA, CancellationState.VENCIDA):
        chats = [c for c in (decided.facilitator_chat_id, decided.group_chat_id) if c is not None]
        template = f"cancellations/{decided.state.value}"
    else:
        return
    for chat_id in chats:
        app.outbox.message(chat_id, template, request=decided.request)


#: The lapse jobs' names start with this (only the scheduler's leader arms them).
JOB_PREFIX = "cancellation:"


def schedule_lapse(
    application: Application,  # type: ignore[type-arg]
    request_id: int,
    closes_at: datetime,
    now: datetime,
) -> None:
    """A job at start − 24 h that lapses the request if it is still pending.

    Armed in the scheduler's leader (issue 14): a follower tells it, and it re-arms
    every pending request from the database (replacing each job by name).
    """
    assert isinstance(application, StmApplication)
    if not application.leadership.here("cancellations"):
        return
    assert application.job_queue is not None
    name = f"{JOB_PREFIX}{request_id}"
    for job in application.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    delay = max(0.0, (closes_at - now).total_seconds())
    application.job_queue.run_once(
        _lapse_job,
        when=delay,
        data=request_id,
        name=name,
        job_kwargs={"misfire_grace_time": None},
    )


async def _lapse_job(context: StmContext) -> None:
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    assert context.job is not None
    request_id = context.job.data
    assert isinstance(request_id, int)
    async with context.db.begin() as session:
        decided = await cancellations.lapse(session, now=context.now(), cancellation_id=request_id)
    if decided is not None:
        announce(context.app, decided)


async def schedule_pending(application: StmApplication) -> None:
    """At start-up: every pending request gets its lapse job again."""
    async with application.db() as session:
        pending = await cancellations.pending(session)
    for request_id, closes_at in pending:
        schedule_lapse(application, request_id, closes_at, application.clock())
