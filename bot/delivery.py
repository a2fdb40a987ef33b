"""Fan-out that never loses a message: one job per chat, every outcome kept as evidence.

A convocation goes to every member (a private message, then its ``.ics``) and to the
secretariat's group. :func:`deliver_all` runs one job per chat, concurrently but bounded;
the bot's rate limiter (:class:`bot.ratelimit.DeliveryRateLimiter`) shapes the throughput
and retries what can be retried. Whatever happens to one chat — the member never started
the bot, blocked it, was deactivated, or anything else — is captured in that chat's
:class:`Outcome` and the other chats carry on. The caller stores the outcomes (this module
knows nothing of the database or the handlers)::

    jobs = [
        (member.chat_id, in_order(
            lambda m=member: bot.send_message(m.chat_id, text),
            lambda m=member: bot.send_document(m.chat_id, ics, filename="sesion.ics"),
        ))
        for member in members
    ]
    outcomes = await deliver_all(jobs, clock=context.app.clock)

Message texts are never logged (they can hold invitation links); chat ids only at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import Message
from telegram.error import Forbidden, TelegramError

__all__ = [
    "BLOCKED",
    "DEACTIVATED",
    "NOT_STARTED",
    "Job",
    "Outcome",
    "PartialDelivery",
    "Send",
    "classify",
    "deliver_all",
    "deliver_one",
    "in_order",
    "log_summary",
]

log = logging.getLogger(__name__)

#: The member never opened the bot: Telegram lets no bot write first.
NOT_STARTED = "no_iniciado"
#: The member blocked the bot.
BLOCKED = "bloqueado"
#: The member's Telegram account was deleted.
DEACTIVATED = "desactivado"

#: Telegram's 403 descriptions (lower case) and what they mean for a member.
_FORBIDDEN_REASONS = {
    "bot can't initiate conversation with a user": NOT_STARTED,
    "bot was blocked by the user": BLOCKED,
    "user is deactivated": DEACTIVATED,
}

#: Sends everything one chat should get; returns the messages sent, in order.
Send = Callable[[], Awaitable[Sequence[Message]]]
#: ``(chat_id, send)``.
Job = tuple[int, Send]


@dataclass(frozen=True)
class Outcome:
    """What happened to one chat's delivery: the evidence the caller stores.

    Attributes:
        chat_id: the chat the job wrote to.
        ok: every part was sent.
        message_ids: the ids of the messages actually sent, in order (on a failure, those
            sent before it: see :class:`PartialDelivery`).
        failure: ``None`` when ``ok``; else ``"no_iniciado"``, ``"bloqueado"``,
            ``"desactivado"`` or ``"error: <description>"`` (see :func:`classify`).
        at: when the last part was delivered (aware UTC, from the injected clock);
            ``None`` unless ``ok``.
    """

    chat_id: int
    ok: bool
    message_ids: tuple[int, ...]
    failure: str | None
    at: datetime | None


class PartialDelivery(Exception):
    """A job failed after sending some of its parts; ``sent`` keeps them as evidence.

    :func:`in_order` raises it; a hand-written job may too. ``cause`` is the original
    exception (also chained as ``__cause__``) and decides the outcome's ``failure``.
    """

    def __init__(self, sent: Sequence[Message], cause: Exception) -> None:
        super().__init__(f"{len(sent)} part(s) sent before {type(cause).__name__}")
        self.sent = tuple(sent)
        self.cause = cause


def in_order(*steps: Callable[[], Awaitable[Message | Sequence[Message]]]) -> Send:
    """One job from several sends to one chat, each started after the previous answered.

    If a step fails after others succeeded, the job raises :class:`PartialDelivery` so the
    outcome still lists the messages that did arrive (a convocation without its ``.ics``).
    """

    async def send() -> Sequence[Message]:
        sent: list[Message] = []
        for step in steps:
            try:
                result = await step()
            except Exception as exc:
                if sent:
                    raise PartialDelivery(sent, exc) from exc
                raise
            if isinstance(result, Message):
                sent.append(result)
            else:
                sent.extend(result)
        return sent

    return send


def classify(exc: BaseException) -> str:
    """The outcome's ``failure`` for an exception raised while delivering.

    Telegram's 403 for a user who never started the bot gives ``"no_iniciado"``, for one who
    blocked it ``"bloqueado"``, for a deleted account ``"desactivado"``; any other Telegram
    error gives ``"error: <Telegram's description>"``, anything else ``"error: <type>"``
    (never its message: it could quote the text being sent).
    """
    if isinstance(exc, PartialDelivery):
        return classify(exc.cause)
    if isinstance(exc, Forbidden):
        description = exc.message.lower()
        for needle, failure in _FORBIDDEN_REASONS.items():
            if needle in description:
                return failure
    if isinstance(exc, TelegramError):
        return f"error: {exc.message}"
    return f"error: {type(exc).__name__}"


async def deliver_all(
    jobs: Sequence[Job], *, clock: Callable[[], datetime], concurrency: int = 50
) -> list[Outcome]:
    """Run every job, at most ``concurrency`` at a time; one outcome per job, in job order.

    No job's failure stops another: Telegram errors and any other ``Exception`` are
    captured in the job's :class:`Outcome` (a non-Telegram one is also logged with its
    traceback: it is a bug). Cancelling the call cancels the jobs still running.
    Throughput is the rate limiter's business; ``concurrency`` only bounds how many jobs
    wait in it at once.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    outcomes: list[Outcome | None] = [None] * len(jobs)
    queue = iter(enumerate(jobs))

    async def worker() -> None:
        for index, (chat_id, send) in queue:  # one shared iterator: each job runs once
            outcomes[index] = await _deliver(index, chat_id, send, clock)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(jobs))):
            group.create_task(worker())
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(jobs)
    log_summary(done)
    return done


def log_summary(done: Sequence[Outcome]) -> None:
    """One INFO line: how many chats got everything, and the failures by kind."""
    failures = Counter(o.failure.split(":", 1)[0] for o in done if o.failure is not None)
    log.info(
        "delivered to %d of %d chats%s",
        len(done) - sum(failures.values()),
        len(done),
        "".join(f", {kind}: {n}" for kind, n in sorted(failures.items())),
    )


async def deliver_one(chat_id: int, send: Send, clock: Callable[[], datetime]) -> Outcome:
    """Run one chat's job; whatever happens becomes its :class:`Outcome`, never an error."""
    return await _deliver(0, chat_id, send, clock)


async def _deliver(index: int, chat_id: int, send: Send, clock: Callable[[], datetime]) -> Outcome:
    sent: tuple[Message, ...] = ()
    try:
        messages = await send()
    except PartialDelivery as exc:
        sent, error = exc.sent, exc.cause
    except Exception as exc:
        error = exc
    else:
        ids = tuple(message.message_id for message in messages)
        log.debug("job #%d, chat %s: delivered %d message(s)", index, chat_id, len(ids))
        return Outcome(chat_id, True, ids, None, clock())
    failure = classify(error)
    if isinstance(error, TelegramError):
        log.debug("job #%d, chat %s: %s", index, chat_id, failure)
    else:
        log.error("job #%d failed with %s", index, type(error).__name__, exc_info=error)
    return Outcome(chat_id, False, tuple(m.message_id for m in sent), failure, None)
