"""The acts' rows as they are now, for verifying the hash chain (issue 15).

One loader per kind reads the kind's rows (in chunks of ids: drivers limit a statement's
parameters) and re-derives each act's payload with the same ``domain.act_chain`` builder
the recording service used, so an act edited in the database no longer matches its
entry. The seats' running-tally rows are derived too (``domain.act_chain.claims``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import act_chain as chain
from domain.act_chain import Act, Entry
from storage.models import (
    AgreementChange,
    AttendanceAnswer,
    Ballot,
    Cancellation,
    CancellationAnswer,
    ChainEntry,
    Meeting,
    MinutesSignature,
    MinutesVersion,
    Presence,
    SeatBallot,
    Vote,
)
from storage.models.agreement import Agreement

SOURCE_TABLES: dict[Act, str] = {
    Act.CONVOCATORIA: "meetings",
    Act.ASISTENCIA: "attendance_answers",
    Act.PASE_DE_LISTA: "presences",
    Act.VOTO: "ballots",
    Act.RESULTADO: "votes",
    Act.CANCELACION_SOLICITADA: "cancellations",
    Act.CANCELACION_RESPUESTA: "cancellation_answers",
    Act.CANCELACION_DECIDIDA: "cancellations",
    Act.FIRMA: "minutes_signatures",
    Act.ACTA_ENVIADA: "meetings",
    Act.ACUERDO: "agreement_changes",
}


Loader = Callable[[AsyncConnection, list[int]], Awaitable[dict[int, dict[str, object]]]]


async def _rows(
    conn: AsyncConnection, query: Callable[[list[int]], Select[Any]], ids: list[int]
) -> AsyncIterator[Any]:
    """``query(chunk)`` over ``ids`` in chunks (drivers limit a statement's parameters)."""
    for start in range(0, len(ids), 5000):
        for row in await conn.execute(query(ids[start : start + 5000])):
            yield row


async def _convocations(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    t = Meeting.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(t).where(t.c.id.in_(chunk)), ids):
        out[r.id] = chain.convocation(
            meeting_id=r.id,
            number=r.number,
            kind=r.kind,
            title=r.title,
            starts_at=utc(r.starts_at),
            place=r.place,
            agenda=_json(r.agenda),
            convened_at=utc(r.convened_at),
        )
    return out


async def _minutes_sent(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    m = Meeting.__table__.c
    out = {}

    def q(chunk: list[int]) -> Select[Any]:
        return select(m.id, m.minutes_sent_at, m.minutes_sent_by, m.minutes_sent_via).where(
            m.id.in_(chunk)
        )

    async for r in _rows(conn, q, ids):
        out[r.id] = chain.minutes_sent(
            meeting_id=r.id,
            sent_at=utc(r.minutes_sent_at),
            sent_by=r.minutes_sent_by,
            via=r.minutes_sent_via,
        )
    return out


async def _rsvps(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    a = AttendanceAnswer.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(a).where(a.c.id.in_(chunk)), ids):
        out[r.id] = chain.rsvp(
            meeting_id=r.meeting_id,
            seat_id=r.seat_id,
            member_id=r.member_id,
            role=r.role,
            answer=r.answer,
            at=utc(r.at),
        )
    return out


async def _presences(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    p = Presence.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(p).where(p.c.id.in_(chunk)), ids):
        out[r.id] = chain.presence(
            meeting_id=r.meeting_id,
            member_id=r.member_id,
            seat_id=r.seat_id,
            at=utc(r.at),
            marked_by=r.marked_by,
        )
    return out


async def _ballots(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    b = Ballot.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(b).where(b.c.id.in_(chunk)), ids):
        out[r.id] = chain.ballot(
            vote_id=r.vote_id,
            seat_id=r.seat_id,
            member_id=r.member_id,
            role=r.role,
            choice=r.choice,
            at=utc(r.at),
        )
    return out


async def _results(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    v = Vote.__table__.c
    out = {}

    def q(chunk: list[int]) -> Select[Any]:
        return select(
            v.id, v.meeting_id, v.kind, v.text, v.outcome, v.result, v.eligible_seats, v.closed_at
        ).where(v.id.in_(chunk))

    async for r in _rows(conn, q, ids):
        out[r.id] = chain.result(
            vote_id=r.id,
            meeting_id=r.meeting_id,
            kind=r.kind,
            text=r.text,
            outcome=r.outcome,
            result=_json(r.result),
            eligible_seats=_json(r.eligible_seats),
            closed_at=utc(r.closed_at),
        )
    return out


async def _cancellations(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    c = Cancellation.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(c).where(c.c.id.in_(chunk)), ids):
        out[r.id] = chain.cancellation_requested(
            cancellation_id=r.id,
            meeting_id=r.meeting_id,
            reason=r.reason,
            requested_at=utc(r.requested_at),
            requested_by=r.requested_by,
            closes_at=utc(r.closes_at),
        )
    return out


async def _decisions(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    c = Cancellation.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(c).where(c.c.id.in_(chunk)), ids):
        out[r.id] = chain.cancellation_decided(
            cancellation_id=r.id,
            meeting_id=r.meeting_id,
            state=r.state,
            decided_at=utc(r.decided_at),
        )
    return out


async def _answers(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    a = CancellationAnswer.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(a).where(a.c.id.in_(chunk)), ids):
        out[r.id] = chain.cancellation_answer(
            cancellation_id=r.cancellation_id,
            seat_id=r.seat_id,
            member_id=r.member_id,
            role=r.role,
            approve=bool(r.approve),
            at=utc(r.at),
        )
    return out


async def _signatures(conn: AsyncConnection, ids: list[int]) -> dict[int, dict[str, object]]:
    s = MinutesSignature.__table__.c
    v = MinutesVersion.__table__.c
    out = {}

    def q(chunk: list[int]) -> Select[Any]:
        return (
            select(s.id, s.version_id, v.meeting_id, s.member_id, s.sha256, s.signed_at, s.role)
            .join_from(MinutesSignature.__table__, MinutesVersion.__table__, v.id == s.version_id)
            .where(s.id.in_(chunk))
        )

    async for r in _rows(conn, q, ids):
        out[r.id] = chain.signature(
            version_id=r.version_id,
            meeting_id=r.meeting_id,
            member_id=r.member_id,
            sha256=r.sha256,
            signed_at=utc(r.signed_at),
            role=r.role,
        )
    return out


async def _agreement_changes(
    conn: AsyncConnection, ids: list[int]
) -> dict[int, dict[str, object]]:
    c = AgreementChange.__table__.c
    a = Agreement.__table__.c
    out = {}

    def q(chunk: list[int]) -> Select[Any]:
        return (
            select(
                c.id,
                c.agreement_id,
                a.code,
                a.meeting_id,
                c.kind,
                c.status,
                c.note,
                c.member_id,
                c.at,
            )
            .join_from(AgreementChange.__table__, Agreement.__table__, a.id == c.agreement_id)
            .where(c.id.in_(chunk))
        )

    async for r in _rows(conn, q, ids):
        out[r.id] = chain.agreement_change(
            change_id=r.id,
            agreement_id=r.agreement_id,
            code=r.code,
            meeting_id=r.meeting_id,
            change=r.kind,
            status=r.status,
            note=r.note,
            member_id=r.member_id,
            at=utc(r.at),
        )
    return out


LOADERS: dict[Act, Loader] = {
    Act.CONVOCATORIA: _convocations,
    Act.ASISTENCIA: _rsvps,
    Act.PASE_DE_LISTA: _presences,
    Act.VOTO: _ballots,
    Act.RESULTADO: _results,
    Act.CANCELACION_SOLICITADA: _cancellations,
    Act.CANCELACION_RESPUESTA: _answers,
    Act.CANCELACION_DECIDIDA: _decisions,
    Act.FIRMA: _signatures,
    Act.ACTA_ENVIADA: _minutes_sent,
    Act.ACUERDO: _agreement_changes,
}


def utc(value: datetime | None) -> datetime | None:
    """Core reads skip the ORM type on some paths: attach UTC to a naive (SQLite) value."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def _tallies(conn: AsyncConnection, vote_ids: list[int]) -> dict[str, dict[str, object]]:
    """The seats' running-tally rows of these votes, keyed as ``domain.act_chain.claims``."""
    sb = SeatBallot.__table__
    out = {}
    async for r in _rows(conn, lambda chunk: select(sb).where(sb.c.vote_id.in_(chunk)), vote_ids):
        key = f"vigente:vote_seat_ballots/{r.vote_id}:{r.seat_id}:{r.role}"
        out[key] = chain.tally_row(member_id=r.member_id, choice=r.choice, at=utc(r.at))
    return out


async def current_of(conn: AsyncConnection, entries: Iterable[Entry]) -> dict[str, Any]:
    """Every claim key of ``entries`` → the row's values derived now (absent: row gone)."""
    ids: dict[Act, set[int]] = {}
    votes: set[int] = set()
    for entry in entries:
        kind = Act(entry.kind)
        ids.setdefault(kind, set()).add(int(entry.source.rsplit("/", 1)[1]))
        if kind is Act.VOTO:
            votes.add(int(json.loads(entry.payload)["votacion"]))
    current: dict[str, Any] = {}
    for kind, wanted in ids.items():
        table = SOURCE_TABLES[kind]
        for row_id, payload in (await LOADERS[kind](conn, sorted(wanted))).items():
            current[f"{kind.value}:{table}/{row_id}"] = payload
    current.update(await _tallies(conn, sorted(votes)))
    return current


async def entries_of(conn: AsyncConnection, secretariat_id: int) -> list[Entry]:
    """The secretariat's chain in position order."""
    e = ChainEntry.__table__.c
    rows = await conn.execute(
        select(
            e.position, e.kind, e.at, e.source_table, e.source_id, e.payload, e.prev_hash, e.hash
        )
        .where(e.secretariat_id == secretariat_id)
        .order_by(e.position)
    )
    return [
        Entry(
            r.position,
            r.kind,
            chain.moment(utc(r.at)),  # type: ignore[arg-type]
            f"{r.source_table}/{r.source_id}",
            r.payload,
            r.prev_hash,
            r.hash,
        )
        for r in rows
    ]
