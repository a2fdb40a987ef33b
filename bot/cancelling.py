"""Cancellation requests: asking every seat, announcing the decision, lapsing (R11).

Shared by the handlers and the job that closes the approval window at start − 24 h;
windows that closed while the bot was down are applied at start-up.
"""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application

from bot import buttons, delivery, messages
from bot.context import StmApplication, StmContext
from domain.cancellation import CancellationState
from storage.services import cancellations


async def ask_everyone(context: StmContext, requested: cancellations.Requested) -> None:
    """Every titular and substitute privately, and the group, with the two buttons."""
    markup = buttons.cancellation(requested.request.id)
    chats = list(requested.asked)
    if requested.group_chat_id is not None:
        chats.append(requested.group_chat_id)

    def job(chat_id: int) -> delivery.Send:
        async def send() -> list:  # type: ignore[type-arg]
            return await messages.send(
                context.bot,
                chat_id,
                "cancellations/request",
                request=requested.request,
                reply_markup=markup,
            )

        return send

    await delivery.deliver_all([(c, job(c)) for c in chats], clock=context.now)


async def announce(context: StmContext, decided: cancellations.Decided) -> None:
    """Approved: notice to everyone and the group. Rejected or lapsed: tell the facilitator."""
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

    def job(chat_id: int) -> delivery.Send:
        async def send() -> list:  # type: ignore[type-arg]
            return await messages.send(context.bot, chat_id, template, request=decided.request)

        return send

    await delivery.deliver_all([(c, job(c)) for c in chats], clock=context.now)


def schedule_lapse(
    application: Application,  # type: ignore[type-arg]
    request_id: int,
    closes_at: datetime,
    now: datetime,
) -> None:
    """A job at start − 24 h that lapses the request if it is still pending."""
    assert application.job_queue is not None
    delay = max(0.0, (closes_at - now).total_seconds())
    application.job_queue.run_once(
        _lapse_job, when=delay, data=request_id, name=f"cancellation:{request_id}"
    )


async def _lapse_job(context: StmContext) -> None:
    assert context.job is not None
    request_id = context.job.data
    assert isinstance(request_id, int)
    async with context.db.begin() as session:
        decided = await cancellations.lapse(session, now=context.now(), cancellation_id=request_id)
    if decided is not None:
        await announce(context, decided)


async def schedule_pending(application: StmApplication) -> None:
    """At start-up: every pending request gets its lapse job again."""
    async with application.db() as session:
        pending = await cancellations.pending(session)
    for request_id, closes_at in pending:
        schedule_lapse(application, request_id, closes_at, application.clock())
