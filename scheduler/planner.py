"""Reminder planning: the database decides, the job queue only wakes us up (R22, R23).

At start-up, after every update that may have changed a secretariat, and at every wake-up,
the pending reminders of the secretariats concerned are derived from stored state
(:func:`storage.services.reminders.plan`). For each series, :func:`domain.reminders.pick`
says which due moment to send now and which missed ones to drop; each is recorded under
its unique key *before* the message goes out, so racing triggers and restarts never send
it twice. Then one job is (re)armed at the earliest moment still to come, over all
secretariats. An hourly sweep re-derives everything, so a change no hook saw (a new day,
a new year's holidays) is picked up within the hour.

APScheduler's default ``misfire_grace_time`` (1 s) would silently skip a wake-up that
fires late on a busy loop; ours is unlimited and coalesced, and a late wake-up finds the
same due moments in the database anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, TypeHandler

from bot import buttons, delivery, messages
from bot.context import StmApplication, StmContext
from bot.ratelimit import ON_WIRE
from domain import reminders as rules
from domain.reminders import Moment
from storage.services import reminder_ledger, reminders

log = logging.getLogger(__name__)

JOB_NAME = "reminders"
SWEEP_NAME = "reminders-sweep"
SWEEP_EVERY = timedelta(hours=1)
#: Derivations may leave out what cannot fall due before this much from now (agreements
#: due far ahead): the sweep re-derives every hour, so three hours leave two of slack for
#: a late sweep.
HORIZON = 3 * SWEEP_EVERY
#: A reminder sent this much after its moment is "late" in the log (catch-up at start-up).
LATE = timedelta(minutes=1)
_JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True}
JobCallback = Callable[[StmContext], Awaitable[None]]


@dataclass
class _State:
    """The next due moment per secretariat; only a cache of what the database implies."""

    next_due: dict[int, datetime] = field(default_factory=dict)
    armed: datetime | None = None
    # Derive-decide-claim runs one at a time: a slow run that derived before a state
    # change must not overwrite the next moment a later run derived after it.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wake: JobCallback | None = None  # scheduler.jobs: what the armed job runs
    # (user id, chat id) of updates handled since the last re-derivation, and its task.
    touched: set[tuple[int, int]] = field(default_factory=set)
    worker: asyncio.Task[None] | None = None
    # Claims this process is delivering: not a dead leader's, whatever the ledger says.
    in_flight: set[int] = field(default_factory=set)


#: One planner state per application (tests run several); not in ``bot_data``.
_STATES: WeakKeyDictionary[Application, _State] = WeakKeyDictionary()  # type: ignore[type-arg]


def _state(application: Application) -> _State:  # type: ignore[type-arg]
    state = _STATES.get(application)
    if state is None:
        state = _STATES[application] = _State()
    return state


async def start(application: StmApplication, *, wake: JobCallback, sweep: JobCallback) -> None:
    """At start-up: derive everything, catch up what fell due while down, arm the job.

    ``wake`` is the callback of the job armed at the next moment (it calls :func:`tick`)
    and ``sweep`` the hourly one (it calls :func:`run` for everything); both live in
    ``scheduler.jobs``, thin like handlers.
    """
    _state(application).wake = wake
    await resume(application)
    await run(application, None)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        sweep, interval=SWEEP_EVERY, first=SWEEP_EVERY, name=SWEEP_NAME
    )


async def resume(application: StmApplication) -> int:
    """Send the claims a dead leader never handed to Telegram; returns how many.

    A ``pendiente`` row not in this process's hands was still waiting in a dead
    process's queue (a stop, a crash, a lost leadership): it never left, so sending it
    now keeps "exactly once". Rows that were on the wire (``enviando``) are not sent
    again. Claims whose moment is past use, or whose series no longer exists (the
    session was cancelled…), are recorded as dropped.
    """
    state = _state(application)
    now = application.clock()
    async with application.db() as session:
        unsettled = await reminder_ledger.unsettled(session)
        orphans = [row for row in unsettled if row.id not in state.in_flight]
        if not orphans:
            return 0
        plan = await reminders.plan(
            session,
            now=now,
            secretariat_ids={row.secretariat_id for row in orphans},
            horizon=now + HORIZON,
        )
    by_key = {series.key: series for series in plan.series}
    again: list[reminder_ledger.Claimed] = []
    stale: list[int] = []
    for row in orphans:
        series = by_key.get((row.kind, row.target))
        moment = next((m for m in series.moments if m.due == row.due_at), None) if series else None
        if series is None or moment is None or now >= moment.useful_until:
            stale.append(row.id)
        else:
            again.append(reminder_ledger.Claimed(row.id, series, moment))
    if stale:
        async with application.db.begin() as session:
            await reminder_ledger.abandon(session, stale, "interrumpido y ya no es útil")
    log.info("reminders interrupted by a stop: %d sent again, %d dropped", len(again), len(stale))
    if not again:
        return 0
    return await _deliver(application, again, now)


def forget(application: StmApplication) -> None:
    """This process stopped leading: its cached moments are the next leader's business."""
    state = _state(application)
    state.next_due.clear()
    state.armed = None


async def tick(application: StmApplication) -> None:
    """Process the secretariats whose next moment has come (the job's body)."""
    now = application.clock()
    due = [sid for sid, moment in _state(application).next_due.items() if moment <= now]
    if due:
        await run(application, due)
    else:
        _arm(application)


async def run(application: StmApplication, secretariat_ids: Collection[int] | None) -> int:
    """Derive, send what is due, drop what is stale, re-arm; returns reminders sent.

    ``None`` means every secretariat (start-up and the hourly sweep). Only the decision
    runs under the lock; sending (paced by Telegram's limits) does not hold it, so a
    burst being delivered never delays the next decision, and what it claimed is
    already settled for everyone else.
    """
    async with _state(application).lock:
        claimed, dropped, now = await _decide(application, secretariat_ids)
    for series, moment, why in dropped:
        log.info(
            "reminder dropped: %s %s due %s (%s)",
            series.kind.value,
            series.target,
            moment.due.isoformat(),
            why,
        )
    application.metrics.reminders.labels("dropped").inc(len(dropped))
    if not claimed:
        return 0
    sent = await _deliver(application, claimed, now)
    application.metrics.reminders.labels("sent").inc(sent)
    return sent


async def _decide(
    application: StmApplication, secretariat_ids: Collection[int] | None
) -> tuple[list[reminder_ledger.Claimed], list[tuple[reminders.Series, Moment, str]], datetime]:
    """Derive, pick, record claims and drops, remember the next moments, re-arm."""
    now = application.clock()
    async with application.db() as session:
        plan = await reminders.plan(
            session, now=now, secretariat_ids=secretariat_ids, horizon=now + HORIZON
        )
    to_send: list[tuple[reminders.Series, Moment]] = []
    to_drop: list[tuple[reminders.Series, Moment, str]] = []
    upcoming: dict[int, datetime] = {}
    for series in plan.series:
        recorded = plan.recorded_until(series)
        choice = rules.pick(series.moments, recorded_until=recorded, now=now)
        if choice.send is not None:
            to_send.append((series, choice.send))
            recorded = choice.send.due
        for moment in choice.drop:
            why = (
                "ya no es útil"
                if now >= moment.useful_until
                else "reemplazado por uno posterior de la misma serie"
            )
            to_drop.append((series, moment, why))
            recorded = max(recorded, moment.due) if recorded else moment.due
        following = rules.next_due(series.moments, recorded_until=recorded, now=now)
        if following is not None:
            sid = series.secretariat_id
            upcoming[sid] = min(following, upcoming.get(sid, following))
    state = _state(application)
    for sid in plan.secretariat_ids:
        if sid in upcoming:
            state.next_due[sid] = upcoming[sid]
        else:
            state.next_due.pop(sid, None)
    if secretariat_ids is None:  # a full derivation also forgets deleted secretariats
        for sid in set(state.next_due) - set(plan.secretariat_ids):
            del state.next_due[sid]
    claimed: list[reminder_ledger.Claimed] = []
    if to_send or to_drop:
        async with application.db.begin() as session:
            claimed = await reminder_ledger.claim(session, to_send, now=now)
            await reminder_ledger.drop(session, to_drop, now=now)
    _arm(application)
    return claimed, to_drop, now


async def _deliver(
    application: StmApplication, claimed: Sequence[reminder_ledger.Claimed], now: datetime
) -> int:
    for item in claimed:
        if now - item.moment.due > LATE:
            log.info(
                "reminder sent late (missed while down): %s %s due %s",
                item.series.kind.value,
                item.series.target,
                item.moment.due.isoformat(),
            )

    def job(item: reminder_ledger.Claimed) -> delivery.Send:
        async def leaving() -> None:
            async with application.db.begin() as session:
                await reminder_ledger.on_wire(session, item.id)

        async def send() -> list:  # type: ignore[type-arg]
            ON_WIRE.set(leaving)  # this job's task only
            sent = await messages.send(
                application.bot,
                item.series.chat_id,
                f"reminders/{item.series.kind.value}",
                variant=item.moment.variant,
                reply_markup=_markup(item.series),
                **item.series.about,
            )
            # Settled the moment Telegram accepted it, not after the whole burst: if this
            # process dies mid-burst, the next leader sends exactly the ones that never
            # left (``pendiente``); the ones on the wire stay ``enviando``.
            async with application.db.begin() as session:
                await reminder_ledger.settle(session, {item.id: None})
            return sent

        return send

    in_flight = _state(application).in_flight
    in_flight.update(item.id for item in claimed)
    try:
        outcomes = await delivery.deliver_all(
            [(item.series.chat_id, job(item)) for item in claimed], clock=application.clock
        )
        failed = {
            item.id: outcome.failure
            for item, outcome in zip(claimed, outcomes, strict=True)
            if outcome.failure is not None
        }
        if failed:
            async with application.db.begin() as session:
                await reminder_ledger.settle(session, failed)
    finally:
        in_flight.difference_update(item.id for item in claimed)
    for item, outcome in zip(claimed, outcomes, strict=True):
        if not outcome.ok:
            log.warning(
                "reminder not delivered: %s %s (%s)",
                item.series.kind.value,
                item.series.target,
                outcome.failure,
            )
    return sum(1 for outcome in outcomes if outcome.ok)


def _markup(series: reminders.Series) -> InlineKeyboardMarkup | None:
    if series.button is None:
        return None
    name, ident = series.button
    return {
        "rsvp": buttons.rsvp,
        "cover": buttons.cover,
        "ballot": buttons.ballot,
        "cancel": buttons.cancellation,
        "sign": buttons.signature,
    }[name](ident)


def _arm(application: StmApplication) -> None:
    """One job at the earliest moment to come, replacing the previous one."""
    state = _state(application)
    queue = application.job_queue
    assert queue is not None
    earliest = min(state.next_due.values(), default=None)
    if earliest == state.armed and queue.get_jobs_by_name(JOB_NAME):
        return
    for job in queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    state.armed = earliest
    if earliest is None or state.wake is None:
        return
    delay = max(0.0, (earliest - application.clock()).total_seconds())
    queue.run_once(state.wake, when=delay, name=JOB_NAME, job_kwargs=_JOB_KWARGS)


def next_wake(application: StmApplication) -> datetime | None:
    """The moment the reminder job is armed for (tests and ``/recordatorios`` read it)."""
    return _state(application).armed


async def _after_update(update: object, context: StmContext) -> None:
    """Re-derive the secretariats an update may have changed (a convocation, an RSVP…).

    The update does not wait for it: the (user, chat) pair is noted and one background
    worker re-derives, coalescing every update that arrived meanwhile (150 people linking
    their accounts at once cost a few derivations, not 150). It rarely sends anything: the
    job sends each moment when it comes. What it may send is a moment that became due
    meanwhile or became useful through this update (a member who links their account
    after a reminder moment).
    """
    if not isinstance(update, Update):
        return
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or _settles_only(update):
        return
    request(context.app, user.id, chat.id)


def request(application: StmApplication, user_id: int, chat_id: int) -> None:
    """Note that an update of ``user_id`` in ``chat_id`` may have changed reminders.

    A follower replica (issue 14) passes the pairs to the scheduler's leader, which
    re-derives them: the leader's armed job must learn of a convocation made here.
    """
    state = _state(application)
    state.touched.add((user_id, chat_id))
    if state.worker is None or state.worker.done():
        state.worker = application.background.spawn(
            _rederive(application, state), name="reminders-after-updates"
        )


#: Pairs per notification to the leader (a payload stays far below PostgreSQL's 8000 B).
_PAIRS_PER_NOTICE = 200


async def _rederive(application: StmApplication, state: _State) -> None:
    while state.touched:
        touched, state.touched = state.touched, set()
        if not application.leadership.is_leader:
            pairs = sorted(touched)
            for start in range(0, len(pairs), _PAIRS_PER_NOTICE):
                chunk = pairs[start : start + _PAIRS_PER_NOTICE]
                await application.leadership.notify(
                    "touched", " ".join(f"{user}:{chat}" for user, chat in chunk)
                )
            continue
        try:
            ids: set[int] = set()
            async with application.db() as session:
                for user_id, chat_id in touched:
                    ids.update(await reminders.touched_by(session, user_id, chat_id))
            if ids:
                await run(application, ids)
        except Exception:  # the updates themselves succeeded; the hourly sweep recovers
            log.exception("reminders not re-derived after %d update(s)", len(touched))


#: Presses that can only settle something pending (a ballot, a cancellation answer, a
#: roll-call presence): they never create a reminder nor bring one forward, so re-deriving
#: after them is skipped. A wake armed for a reminder they made stale finds nothing and
#: re-arms. This keeps a burst of ballots from re-counting the vote twice per press.
SETTLING = frozenset({buttons.Action.VOTE, buttons.Action.CANCEL, buttons.Action.PRESENT})


def _settles_only(update: Update) -> bool:
    query = update.callback_query
    if query is None:
        return False
    decoded = buttons.decode(query.data)
    return decoded is not None and decoded.action in SETTLING


#: Registered by ``bot.app`` in a late group: it runs after the handler that changed state.
AFTER_UPDATE = TypeHandler(Update, _after_update)  # type: ignore[arg-type]
AFTER_UPDATE_GROUP = 900
