"""The ledger of reminder moments settled: sent, failed or dropped (R23).

A moment is written here *before* its message goes out, under the unique key (kind,
target, due moment): whoever inserts the row sends, a second trigger or a restart finds
it there and does not. See ``storage.models.reminder``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import Moment
from storage.db import insert_for
from storage.models import Reminder

if TYPE_CHECKING:
    from storage.services.reminders import Series

CHUNK = 500


def chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """``ids`` in slices small enough for one ``IN (…)`` on every backend."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def settled_until(
    session: AsyncSession, series: Collection[tuple[str, str]]
) -> dict[tuple[str, str], datetime]:
    """Per series (kind, target), the latest moment already sent or dropped.

    Asked only for the series pending now, through the unique key's (kind, target)
    prefix, so the cost follows what is pending, not the ledger's whole history.
    """
    keys = sorted(series)
    settled: dict[tuple[str, str], datetime] = {}
    for start in range(0, len(keys), CHUNK):
        statement = (
            select(Reminder.kind, Reminder.target, func.max(Reminder.due_at))
            .where(tuple_(Reminder.kind, Reminder.target).in_(keys[start : start + CHUNK]))
            .group_by(Reminder.kind, Reminder.target)
        )
        for kind, target, latest in await session.execute(statement):
            settled[(kind, target)] = _aware(latest)
    return settled


def _aware(moment: datetime) -> datetime:
    """``max()`` bypasses the column type on SQLite, which hands back naive UTC (or text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Claimed:
    """A reminder moment this process won the right to send (R23)."""

    id: int
    series: Series
    moment: Moment


async def claim(
    session: AsyncSession, wanted: Sequence[tuple[Series, Moment]], *, now: datetime
) -> list[Claimed]:
    """Write ``pendiente`` rows; only those inserted here may be sent (the unique key wins).

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on both SQLite and PostgreSQL: a row
    another trigger already wrote is simply not returned, so it is not sent again.
    """
    claimed: list[Claimed] = []
    by_key = {(s.kind.value, s.target, m.due): (s, m) for s, m in wanted}
    items = list(by_key.items())
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        statement = (
            insert_for(session, Reminder)
            .values(
                [
                    {
                        "secretariat_id": s.secretariat_id,
                        "kind": kind,
                        "target": target,
                        "due_at": due,
                        "status": "pendiente",
                        "recorded_at": now,
                        "chat_id": s.chat_id,
                    }
                    for (kind, target, due), (s, _) in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["kind", "target", "due_at"])
            .returning(Reminder.id, Reminder.kind, Reminder.target, Reminder.due_at)
        )
        for row_id, kind, target, due in await session.execute(statement):
            series, moment = by_key[(kind, target, _aware(due))]
            claimed.append(Claimed(row_id, series, moment))
    return claimed


async def drop(
    session: AsyncSession, dropped: Sequence[tuple[Series, Moment, str]], *, now: datetime
) -> None:
    """Record missed moments as ``omitido`` with why, so they are settled and logged once."""
    for start in range(0, len(dropped), CHUNK):
        chunk = dropped[start : start + CHUNK]
        await session.execute(
            insert_for(session, Reminder)
            .values(
                [
                    {
                        "secretariat_id": s.secretariat_id,
                        "kind": s.kind.value,
                        "target": s.target,
                        "due_at": m.due,
                        "status": "omitido",
                        "recorded_at": now,
                        "chat_id": s.chat_id,
                        "detail": why[:255],
                    }
                    for s, m, why in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["kind", "target", "due_at"])
        )


@dataclass(frozen=True)
class Unsettled:
    """A claimed moment whose message never left (its sender died first)."""

    id: int
    secretariat_id: int
    kind: str
    target: str
    due_at: datetime


async def unsettled(session: AsyncSession) -> list[Unsettled]:
    """Every ``pendiente`` row: claimed, never handed to Telegram.

    Only the scheduler's leader sends reminders, and a row becomes ``enviando`` the
    instant its request leaves (:func:`on_wire`), so at a take-over these are the dead
    leader's claims that were still waiting in its queue: safe to send.
    """
    rows = await session.execute(
        select(
            Reminder.id, Reminder.secretariat_id, Reminder.kind, Reminder.target, Reminder.due_at
        )
        .where(Reminder.status == "pendiente")
        .order_by(Reminder.id)
    )
    return [
        Unsettled(row_id, sid, kind, target, _aware(due))
        for row_id, sid, kind, target, due in rows
    ]


async def abandon(session: AsyncSession, ids: Collection[int], why: str) -> None:
    """Unsettled claims no longer worth sending: ``omitido`` with why."""
    for chunk in chunks(sorted(ids)):
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(chunk), Reminder.status == "pendiente")
            .values(status="omitido", detail=why[:255])
        )


async def on_wire(session: AsyncSession, row_id: int) -> None:
    """``enviando``: the request is leaving now; a crash from here leaves it in doubt."""
    await session.execute(
        update(Reminder)
        .where(Reminder.id == row_id, Reminder.status == "pendiente")
        .values(status="enviando")
    )


async def settle(session: AsyncSession, outcomes: Mapping[int, str | None]) -> None:
    """``enviado`` (no failure) or ``fallido`` with the reason, per claimed row."""
    sent = [row_id for row_id, failure in outcomes.items() if failure is None]
    for chunk in chunks(sent):
        await session.execute(
            update(Reminder).where(Reminder.id.in_(chunk)).values(status="enviado")
        )
    for row_id, failure in outcomes.items():
        if failure is not None:
            await session.execute(
                update(Reminder)
                .where(Reminder.id == row_id)
                .values(status="fallido", detail=failure[:255])
            )
