"""Append recorded acts to their secretariat's hash chain, and verify it (issue 15).

:func:`append` (and :func:`append_many` for a batch of ballots) is called by the service
that records the act, in the **same unit of work**: the entry commits or rolls back with
the act. Appends are serialised per secretariat by locking the head row (``SELECT … FOR
UPDATE`` on PostgreSQL: under READ COMMITTED a waiter re-reads the head its predecessor
committed; SQLite serialises writers anyway), so a chain stays linear whatever the
concurrency. Written with Core statements: an append is one locked read and two writes.

:func:`verify` recomputes a chain from the database: it re-links and re-hashes every
entry and re-derives every act from its row **as it is now** (``act_chain_sources``: the
loaders use the same ``domain.act_chain`` builders as the services that append; the hooks
below are what those services call), so editing a stored
ballot by hand fails at that ballot's entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain import act_chain as chain
from domain.act_chain import GENESIS, Act, Entry, Mismatch
from storage.db import insert_for
from storage.models import (
    AgreementChange,
    AttendanceAnswer,
    Cancellation,
    CancellationAnswer,
    ChainEntry,
    ChainHead,
    Meeting,
    MinutesSignature,
    Presence,
    Secretariat,
    Vote,
)
from storage.models.agreement import Agreement
from storage.services.act_chain_sources import SOURCE_TABLES, current_of, entries_of


@dataclass(frozen=True)
class PendingAct:
    """An act to append: its kind, its row's id, its payload (a builder's dict), its time."""

    kind: Act
    source_id: int | str
    payload: Mapping[str, object]
    at: datetime


async def _locked_head(
    session: AsyncSession, conn: AsyncConnection, secretariat_id: int, now: datetime
) -> tuple[int, str]:
    """The head's (position, hash), its row locked until the unit of work ends."""
    h = ChainHead.__table__.c
    locked = select(h.position, h.hash).where(h.secretariat_id == secretariat_id).with_for_update()
    row = (await conn.execute(locked)).first()
    if row is None:  # the secretariat's first act: make the head (racing makers agree)
        await conn.execute(
            insert_for(session, ChainHead)
            .values(secretariat_id=secretariat_id, position=0, hash=GENESIS, updated_at=now)
            .on_conflict_do_nothing(index_elements=["secretariat_id"])
        )
        row = (await conn.execute(locked)).one()
    return int(row.position), str(row.hash)


async def append_many(
    session: AsyncSession, *, secretariat_id: int, acts: Sequence[PendingAct]
) -> list[Entry]:
    """Append ``acts`` in order to the secretariat's chain, in the caller's unit of work."""
    if not acts:
        return []
    conn = await session.connection()
    position, prev = await _locked_head(session, conn, secretariat_id, acts[0].at)
    rows: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for act in acts:
        position += 1
        payload = chain.canonical(act.payload)
        at = chain.moment(act.at)
        digest = chain.entry_hash(prev, position, act.kind.value, at, payload)
        table = SOURCE_TABLES[act.kind]
        rows.append(
            {
                "secretariat_id": secretariat_id,
                "position": position,
                "kind": act.kind.value,
                "source_table": table,
                "source_id": str(act.source_id),
                "payload": payload,
                "prev_hash": prev,
                "hash": digest,
                "at": act.at,
            }
        )
        entries.append(
            Entry(position, act.kind.value, at, f"{table}/{act.source_id}", payload, prev, digest)
        )
        prev = digest
    await conn.execute(insert(ChainEntry.__table__), rows)
    h = ChainHead.__table__.c
    await conn.execute(
        update(ChainHead.__table__)
        .where(h.secretariat_id == secretariat_id)
        .values(position=position, hash=prev, updated_at=acts[-1].at)
    )
    return entries


async def append(
    session: AsyncSession,
    *,
    secretariat_id: int,
    kind: Act,
    source_id: int | str,
    payload: Mapping[str, object],
    now: datetime,
) -> Entry:
    """Append one act (see :func:`append_many`)."""
    done = await append_many(
        session,
        secretariat_id=secretariat_id,
        acts=[PendingAct(kind, source_id, payload, now)],
    )
    return done[0]


@dataclass(frozen=True)
class Verified:
    """One secretariat's chain checked: its head and the first mismatch (None: intact)."""

    secretariat_id: int
    slug: str
    name: str
    position: int
    hash: str
    mismatch: Mismatch | None


async def head(session: AsyncSession, secretariat_id: int) -> tuple[int, str]:
    """The head's (position, hash); (0, 64 zeros) before the first act."""
    row = await session.get(ChainHead, secretariat_id)
    return (row.position, row.hash) if row is not None else (0, GENESIS)


async def verify(session: AsyncSession, secretariat_id: int) -> Verified:
    """Recompute the secretariat's chain from the database (see the module's docstring)."""
    conn = await session.connection()
    secretariat = await session.get_one(Secretariat, secretariat_id)
    entries = await entries_of(conn, secretariat_id)
    position, digest = await head(session, secretariat_id)
    current = await current_of(conn, entries)
    # Re-hashing 100,000 entries is seconds of CPU: a worker thread does it, so that the
    # bot's event loop (``/verificar`` runs this) keeps answering the other chats.
    mismatch = await asyncio.to_thread(chain.verify, entries, current, (position, digest))
    return Verified(secretariat_id, secretariat.slug, secretariat.name, position, digest, mismatch)


async def verify_all(session: AsyncSession) -> list[Verified]:
    """Every secretariat's chain, in id order."""
    ids = await session.scalars(select(Secretariat.id).order_by(Secretariat.id))
    return [await verify(session, sid) for sid in list(ids)]


# -- one call per act for the services that record them (same builders as the loaders) --


async def _id_of(session: AsyncSession, row: Any) -> int:
    """The row's id, flushing the unit of work first when it is new."""
    if row.id is None:
        await session.flush()
    return int(row.id)


async def convened(session: AsyncSession, meeting: Meeting, *, now: datetime) -> Entry:
    """A session convened (R7)."""
    return await append(
        session,
        secretariat_id=meeting.secretariat_id,
        kind=Act.CONVOCATORIA,
        source_id=await _id_of(session, meeting),
        payload=chain.convocation(
            meeting_id=meeting.id,
            number=meeting.number,
            kind=meeting.kind,
            title=meeting.title,
            starts_at=meeting.starts_at,
            place=meeting.place,
            agenda=meeting.agenda,
            convened_at=meeting.convened_at,
        ),
        now=now,
    )


async def answered(
    session: AsyncSession, answer: AttendanceAnswer, *, secretariat_id: int, now: datetime
) -> Entry:
    """An RSVP answer (R3)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.ASISTENCIA,
        source_id=await _id_of(session, answer),
        payload=chain.rsvp(
            meeting_id=answer.meeting_id,
            seat_id=answer.seat_id,
            member_id=answer.member_id,
            role=answer.role,
            answer=answer.answer,
            at=answer.at,
        ),
        now=now,
    )


async def present(
    session: AsyncSession, presence: Presence, *, secretariat_id: int, now: datetime
) -> Entry:
    """Someone present at the roll call (R9)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.PASE_DE_LISTA,
        source_id=await _id_of(session, presence),
        payload=chain.presence(
            meeting_id=presence.meeting_id,
            member_id=presence.member_id,
            seat_id=presence.seat_id,
            at=presence.at,
            marked_by=presence.marked_by,
        ),
        now=now,
    )


def ballot_acts(stored: Sequence[Mapping[str, Any]], ids: Sequence[int]) -> list[PendingAct]:
    """A batch of ballots as they were inserted (with their new ids), in order."""
    return [
        PendingAct(
            Act.VOTO,
            row_id,
            chain.ballot(
                vote_id=row["vote_id"],
                seat_id=row["seat_id"],
                member_id=row["member_id"],
                role=row["role"],
                choice=row["choice"],
                at=row["at"],
            ),
            row["at"],
        )
        for row, row_id in zip(stored, ids, strict=True)
    ]


async def closed(session: AsyncSession, vote: Vote, *, now: datetime) -> Entry:
    """A vote closed with its result (R12)."""
    return await append(
        session,
        secretariat_id=vote.secretariat_id,
        kind=Act.RESULTADO,
        source_id=vote.id,
        payload=chain.result(
            vote_id=vote.id,
            meeting_id=vote.meeting_id,
            kind=vote.kind,
            text=vote.text,
            outcome=vote.outcome,
            result=vote.result,
            eligible_seats=vote.eligible_seats,
            closed_at=vote.closed_at,
        ),
        now=now,
    )


async def cancellation_requested(
    session: AsyncSession, request: Cancellation, *, secretariat_id: int, now: datetime
) -> Entry:
    """A cancellation asked for (R11)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.CANCELACION_SOLICITADA,
        source_id=await _id_of(session, request),
        payload=chain.cancellation_requested(
            cancellation_id=request.id,
            meeting_id=request.meeting_id,
            reason=request.reason,
            requested_at=request.requested_at,
            requested_by=request.requested_by,
            closes_at=request.closes_at,
        ),
        now=now,
    )


async def cancellation_answered(
    session: AsyncSession, answer: CancellationAnswer, *, secretariat_id: int, now: datetime
) -> Entry:
    """A seat's answer to a cancellation (R11)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.CANCELACION_RESPUESTA,
        source_id=await _id_of(session, answer),
        payload=chain.cancellation_answer(
            cancellation_id=answer.cancellation_id,
            seat_id=answer.seat_id,
            member_id=answer.member_id,
            role=answer.role,
            approve=answer.approve,
            at=answer.at,
        ),
        now=now,
    )


async def cancellation_decided(
    session: AsyncSession, request: Cancellation, *, secretariat_id: int, now: datetime
) -> Entry:
    """A cancellation decided (R11)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.CANCELACION_DECIDIDA,
        source_id=await _id_of(session, request),
        payload=chain.cancellation_decided(
            cancellation_id=request.id,
            meeting_id=request.meeting_id,
            state=request.state,
            decided_at=request.decided_at,
        ),
        now=now,
    )


async def signed(
    session: AsyncSession,
    signature: MinutesSignature,
    *,
    meeting_id: int,
    secretariat_id: int,
    now: datetime,
) -> Entry:
    """A signatory signed one exact version of the minutes (R14)."""
    return await append(
        session,
        secretariat_id=secretariat_id,
        kind=Act.FIRMA,
        source_id=await _id_of(session, signature),
        payload=chain.signature(
            version_id=signature.version_id,
            meeting_id=meeting_id,
            member_id=signature.member_id,
            sha256=signature.sha256,
            signed_at=signature.signed_at,
            role=signature.role,
        ),
        now=now,
    )


async def minutes_sent(session: AsyncSession, meeting: Meeting, *, now: datetime) -> Entry:
    """The minutes sent to the garante (R15, R15a)."""
    return await append(
        session,
        secretariat_id=meeting.secretariat_id,
        kind=Act.ACTA_ENVIADA,
        source_id=meeting.id,
        payload=chain.minutes_sent(
            meeting_id=meeting.id,
            sent_at=meeting.minutes_sent_at,
            sent_by=meeting.minutes_sent_by,
            via=meeting.minutes_sent_via,
        ),
        now=now,
    )


async def agreement_changed(
    session: AsyncSession, change: AgreementChange, agreement: Agreement, *, now: datetime
) -> Entry:
    """An agreement registered or changed (R16)."""
    return await append(
        session,
        secretariat_id=agreement.secretariat_id,
        kind=Act.ACUERDO,
        source_id=await _id_of(session, change),
        payload=chain.agreement_change(
            change_id=change.id,
            agreement_id=await _id_of(session, agreement),
            code=agreement.code,
            meeting_id=agreement.meeting_id,
            change=change.kind,
            status=change.status,
            note=change.note,
            member_id=change.member_id,
            at=change.at,
        ),
        now=now,
    )
