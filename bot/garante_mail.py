"""One attempt of an e-mail to the garante that is retried until the server takes it.

The signed minutes (R15a, ``bot.minutes_flow``) and the members' proposals (R17,
``bot.proposal_forwarding``) go to the garante the same way: build the message, hand it
to the mail server, and record the outcome on the row that owes it — the server's
acceptance (its Message-ID is the evidence), or the failure, retried with backoff by a
named job (the row is the truth; the job only triggers) unless it was permanent. The
facilitator hears of the first failure, of giving up and of the acceptance, never of
every retry. What differs between the two — which row, which templates — comes in as a
:class:`Retried`; the sequence lives here once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from bot import mail
from bot.context import StmApplication, StmContext
from storage.services.mail_attempts import Failed

__all__ = ["Retried", "attempt", "schedule"]

log = logging.getLogger(__name__)

Job = Callable[[StmContext], Awaitable[None]]


@dataclass(frozen=True)
class Retried:
    """How one kind of garante mail records its outcomes and tells the facilitator."""

    label: str  # for the log: "garante mail 3", "proposals mail 2"
    #: Record a failed attempt (reason, permanent); ``None`` when the row is no longer owed.
    failed: Callable[[AsyncSession, str, bool], Awaitable[Failed | None]]
    #: Record the acceptance (Message-ID) in the same transaction as anything read with it;
    #: what to do once it is committed (tell the facilitator), or ``None`` if nothing was
    #: recorded (a racing attempt got there first).
    accepted: Callable[[AsyncSession, str], Awaitable[Callable[[], None] | None]]
    #: Tell the facilitator of a failure worth telling (reason, next attempt or ``None``).
    tell_failed: Callable[[str, datetime | None], None]
    #: Arm the next attempt at a moment (the flow's own named job).
    retry: Callable[[datetime], None]


async def attempt(
    app: StmApplication, config: mail.MailConfig, message: EmailMessage, retried: Retried
) -> None:
    """Send once; record the acceptance or the failure, re-arm, tell (see the module)."""
    try:
        sent = await mail.send(config, message)
    except mail.MailFailed as failure:
        log.warning("%s failed: %s", retried.label, failure.reason)
        async with app.db.begin() as session:
            failed = await retried.failed(session, failure.reason, failure.permanent)
        if failed is None:
            return
        if failed.retry_at is not None:
            retried.retry(failed.retry_at)
        if failed.worth_telling:
            retried.tell_failed(failure.reason, failed.retry_at)
        return
    async with app.db.begin() as session:
        then = await retried.accepted(session, sent.message_id)
    log.info("%s accepted: %s", retried.label, sent.message_id)
    if then is not None:
        then()


def schedule(app: StmApplication, name: str, job: Job, data: int, when: datetime) -> None:
    """One job named ``name`` at ``when`` (replacing an earlier one), never skipped late."""
    assert app.job_queue is not None
    for planned in app.job_queue.get_jobs_by_name(name):
        planned.schedule_removal()
    delay = max(0.0, (when - app.clock()).total_seconds())
    app.job_queue.run_once(
        job, when=delay, data=data, name=name, job_kwargs={"misfire_grace_time": None}
    )
