"""Rows of the open datasets of one secretariat (R19 d), in a bounded number of queries.

Each dataset is read with a fixed number of statements whatever the number of sessions,
seats or votes (a term of 24 sessions × 10 seats × several votes is a few thousand rows,
not a few thousand queries): meetings, seats and names are read once and shared between
datasets, votes' per-seat ballots come from the running tally (``vote_seat_ballots``) in
one statement, and the update date is one statement of ``max()`` sub-queries.

Only public acts are selected (R21): members' names, seats, sessions, ballots, agreements,
commitments, minutes' hashes. Statements name their columns, and none of them names a
Telegram id, a username, a phone number, an e-mail address or an inbox sender's name,
text or contact — so none of that can reach a file, whatever a template or serialiser
does. The rows' fields are exactly ``domain.open_data``'s schemas (the serialisers refuse
any other field).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from domain import open_data as od
from domain.action_plan import Milestone, share_done
from domain.ballots import Cast, SeatBallots, with_ballot
from domain.commitments import commitment_code, milestone_code
from domain.notice import local_date
from domain.outcomes import Choice
from domain.reminders import minutes_status
from domain.secretariat_settings import MinutesDeadline
from storage.models import (
    Agreement,
    AgreementChange,
    Cancellation,
    ChainHead,
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
    InboxMessage,
    Meeting,
    Member,
    MinutesVersion,
    Presence,
    Seat,
    SeatBallot,
    Secretariat,
    SignedMinutes,
    Vote,
)
from storage.services import act_chain
from storage.services.microsite import HELD_STATES
from storage.services.minutes import deadline_of
from storage.services.signed_minutes import signed_filename

Row = dict[str, Any]


@dataclass(frozen=True)
class Publisher:
    """The secretariat whose data it is: what the files and the package say of it."""

    id: int
    slug: str
    name: str
    time_zone: str
    licence: od.Licence


@dataclass(frozen=True)
class _Seat:
    id: int
    key: str
    name: str
    position: int
    created_at: datetime


@dataclass(frozen=True)
class _Person:
    name: str | None
    role: str


class _Facts:
    """One secretariat's facts, each read at most once per request."""

    def __init__(self, session: AsyncSession, secretariat: Secretariat, now: datetime) -> None:
        self.session = session
        self.secretariat = secretariat
        self.sid = secretariat.id
        self.tz = secretariat.time_zone
        self.now = now
        self._meetings: list[Meeting] | None = None
        self._seats: dict[int, _Seat] | None = None
        self._people: dict[int, _Person] | None = None
        self._milestones: list[Any] | None = None

    async def meetings(self) -> list[Meeting]:
        """Sessions that were convened (drafts have no number and were never public)."""
        if self._meetings is None:
            self._meetings = list(
                await self.session.scalars(
                    select(Meeting)
                    .where(Meeting.secretariat_id == self.sid, Meeting.number.is_not(None))
                    .order_by(Meeting.number)
                )
            )
        return self._meetings

    async def numbers(self) -> dict[int, int]:
        """Meeting id → its public number."""
        return {m.id: m.number for m in await self.meetings() if m.number is not None}

    async def seats(self) -> dict[int, _Seat]:
        """Seats by id, in their roster order."""
        if self._seats is None:
            rows = await self.session.execute(
                select(Seat.id, Seat.key, Seat.name, Seat.position, Seat.created_at)
                .where(Seat.secretariat_id == self.sid)
                .order_by(Seat.position, Seat.id)
            )
            self._seats = {r.id: _Seat(*r) for r in rows}
        return self._seats

    async def people(self) -> dict[int, _Person]:
        """Roster entries' names and roles (R21: names are public; nothing else is read)."""
        if self._people is None:
            rows = await self.session.execute(
                select(Member.id, Member.full_name, Member.role).where(
                    Member.secretariat_id == self.sid
                )
            )
            self._people = {r.id: _Person(r.full_name, r.role) for r in rows}
        return self._people

    async def milestones(self) -> list[Any]:
        """Every milestone of the secretariat's commitments, by commitment and number."""
        if self._milestones is None:
            m = CommitmentMilestone
            self._milestones = list(
                await self.session.execute(
                    select(
                        m.commitment_id,
                        Commitment.number.label("commitment_number"),
                        m.number,
                        m.text,
                        m.due_date,
                        m.weight,
                        m.done,
                        m.done_at,
                        m.evidence,
                        m.created_at,
                    )
                    .join(Commitment, Commitment.id == m.commitment_id)
                    .where(Commitment.secretariat_id == self.sid)
                    .order_by(Commitment.number, m.number)
                )
            )
        return self._milestones


async def _sesiones(f: _Facts) -> list[Row]:
    return [
        {
            "numero": m.number,
            "titulo": m.title,
            "tipo": m.kind,
            "estado": m.state,
            "fecha": local_date(m.starts_at, f.tz),
            "inicio": m.starts_at,
            "lugar": m.place,
            "orden_del_dia": " | ".join(m.agenda) if m.agenda else None,
            "dia_inhabil": bool(m.non_business_day),
            "convocada_en": m.convened_at,
            "pase_de_lista_en": m.roll_call_at,
            "instalada_en": m.installed_at,
            "concluida_en": m.concluded_at,
            "quorum_requerido": m.quorum_required,
            "asientos_presentes": m.seats_present,
            "asientos_totales": m.seats_total,
        }
        for m in await f.meetings()
    ]


def _represented(present: list[tuple[int, datetime]], people: dict[int, _Person]) -> Any:
    """Who represented a seat: its titular when present, else its substitute (R3)."""

    def rank(entry: tuple[int, datetime]) -> tuple[bool, datetime]:
        person = people.get(entry[0])
        return (person is None or person.role != "titular", entry[1])

    return min(present, key=rank) if present else None


async def _asistencia(f: _Facts) -> list[Row]:
    held = [m for m in await f.meetings() if m.state in HELD_STATES and m.roll_call_at]
    seats = await f.seats()
    people = await f.people()
    present: dict[tuple[int, int], list[tuple[int, datetime]]] = defaultdict(list)
    rows = await f.session.execute(
        select(Presence.meeting_id, Presence.seat_id, Presence.member_id, Presence.at)
        .join(Meeting, Meeting.id == Presence.meeting_id)
        .where(Meeting.secretariat_id == f.sid, Presence.seat_id.is_not(None))
    )
    for meeting_id, seat_id, member_id, at in rows:
        present[(meeting_id, seat_id)].append((member_id, at))
    out: list[Row] = []
    for meeting in held:
        assert meeting.roll_call_at is not None
        day = local_date(meeting.starts_at, f.tz)
        for seat in seats.values():
            who = _represented(present.get((meeting.id, seat.id), []), people)
            if who is None and seat.created_at > meeting.roll_call_at:
                continue  # the seat did not exist yet
            person = people.get(who[0]) if who else None
            out.append(
                {
                    "sesion": meeting.number,
                    "fecha": day,
                    "asiento_clave": seat.key,
                    "asiento": seat.name,
                    "asistio": who is not None,
                    "asistente": person.name if person else None,
                    "calidad": person.role if person else None,
                    "registrada_en": who[1] if who else None,
                }
            )
    return out


async def _votaciones(f: _Facts) -> list[Row]:
    v = Vote
    votes = list(
        await f.session.execute(
            select(
                v.id,
                v.meeting_id,
                v.kind,
                v.purpose,
                v.text,
                v.opened_at,
                v.closed_at,
                v.outcome,
                v.eligible_seats,
            )
            .where(v.secretariat_id == f.sid, v.state == "cerrada")
            .order_by(v.id)
        )
    )
    kept: dict[tuple[int, int], SeatBallots] = {}
    sb = SeatBallot
    rows = await f.session.execute(
        select(sb.vote_id, sb.seat_id, sb.role, sb.member_id, sb.choice, sb.at)
        .join(Vote, Vote.id == sb.vote_id)
        .where(Vote.secretariat_id == f.sid, Vote.state == "cerrada")
    )
    for vote_id, seat_id, role, member_id, choice, at in rows:
        key = (vote_id, seat_id)
        kept[key] = with_ballot(
            kept.get(key, SeatBallots()), Cast(seat_id, role, member_id, Choice(choice), at)
        )
    seats = await f.seats()
    people = await f.people()
    numbers = await f.numbers()
    out: list[Row] = []
    for vote in votes:
        eligible = [seats[i] for i in vote.eligible_seats if i in seats]
        for seat in sorted(eligible, key=lambda s: (s.position, s.id)):
            tally = kept.get((vote.id, seat.id))
            cast = tally.counted if tally else None
            voter = people.get(cast.voter_member_id) if cast else None
            out.append(
                {
                    "votacion": vote.id,
                    "sesion": numbers.get(vote.meeting_id) if vote.meeting_id else None,
                    "tipo": vote.kind,
                    "objeto": vote.purpose,
                    "asunto": vote.text,
                    "abierta_en": vote.opened_at,
                    "cerrada_en": vote.closed_at,
                    "resultado": vote.outcome,
                    "asiento_clave": seat.key,
                    "asiento": seat.name,
                    "voto": cast.choice.value if cast else "sin_voto",
                    "votante": voter.name if voter else None,
                    "calidad": str(cast.voter_role) if cast else None,
                    "emitido_en": cast.at if cast else None,
                }
            )
    return out


async def _acuerdos(f: _Facts) -> list[Row]:
    a = Agreement
    agreements = list(
        await f.session.execute(
            select(
                a.id,
                a.code,
                a.year,
                a.sequence,
                a.meeting_id,
                a.vote_id,
                a.text,
                a.responsible_seat_id,
                a.responsible_name,
                a.due_date,
                a.status,
                a.created_at,
            )
            .where(a.secretariat_id == f.sid)
            .order_by(a.year, a.sequence)
        )
    )
    changed = dict(
        (
            await f.session.execute(
                select(AgreementChange.agreement_id, func.max(AgreementChange.at))
                .join(Agreement, Agreement.id == AgreementChange.agreement_id)
                .where(Agreement.secretariat_id == f.sid)
                .group_by(AgreementChange.agreement_id)
            )
        )
        .tuples()
        .all()
    )
    seats = await f.seats()
    numbers = await f.numbers()
    out: list[Row] = []
    for row in agreements:
        seat = seats.get(row.responsible_seat_id) if row.responsible_seat_id else None
        out.append(
            {
                "codigo": row.code,
                "anio": row.year,
                "numero": row.sequence,
                "sesion": numbers.get(row.meeting_id),
                "votacion": row.vote_id,
                "texto": row.text,
                "responsable_asiento": seat.key if seat else None,
                "responsable": seat.name if seat else row.responsible_name,
                "plazo": row.due_date,
                "estado": row.status,
                "registrado_en": row.created_at,
                "actualizado_en": changed.get(row.id) or row.created_at,
            }
        )
    return out


async def _compromisos(f: _Facts) -> list[Row]:
    c = Commitment
    commitments = list(
        await f.session.execute(
            select(
                c.id,
                c.number,
                c.title,
                c.problem,
                c.objective,
                c.institution,
                c.responsible_seat_id,
                c.supporters,
                c.starts_on,
                c.ends_on,
                c.ogp_values,
                c.level,
                c.level_manual,
                c.level_reason,
                c.created_at,
            )
            .where(c.secretariat_id == f.sid)
            .order_by(c.number)
        )
    )
    changed = dict(
        (
            await f.session.execute(
                select(CommitmentChange.commitment_id, func.max(CommitmentChange.at))
                .join(Commitment, Commitment.id == CommitmentChange.commitment_id)
                .where(Commitment.secretariat_id == f.sid)
                .group_by(CommitmentChange.commitment_id)
            )
        )
        .tuples()
        .all()
    )
    per_commitment: dict[int, list[Milestone]] = defaultdict(list)
    for m in await f.milestones():
        per_commitment[m.commitment_id].append(Milestone(m.weight, bool(m.done)))
    seats = await f.seats()
    out: list[Row] = []
    for row in commitments:
        seat = seats.get(row.responsible_seat_id) if row.responsible_seat_id else None
        milestones = per_commitment.get(row.id, [])
        out.append(
            {
                "clave": commitment_code(row.number),
                "numero": row.number,
                "titulo": row.title,
                "problema": row.problem,
                "objetivo": row.objective,
                "institucion": row.institution,
                "responsable_asiento": seat.key if seat else None,
                "responsable": seat.name if seat else None,
                "apoyos": row.supporters,
                "inicio": row.starts_on,
                "fin": row.ends_on,
                "valores": row.ogp_values or None,
                "nivel": row.level,
                "nivel_manual": bool(row.level_manual),
                "motivo_nivel": row.level_reason,
                "hitos": len(milestones),
                "hitos_cumplidos": sum(1 for m in milestones if m.done),
                "avance": round(float(share_done(milestones) * 100), 1),
                "registrado_en": row.created_at,
                "actualizado_en": changed.get(row.id) or row.created_at,
            }
        )
    return out


async def _hitos(f: _Facts) -> list[Row]:
    return [
        {
            "clave": milestone_code(m.commitment_number, m.number),
            "compromiso": commitment_code(m.commitment_number),
            "numero": m.number,
            "descripcion": m.text,
            "fecha_compromiso": m.due_date,
            "peso": m.weight,
            "cumplido": bool(m.done),
            "cumplido_en": m.done_at,
            "evidencia": m.evidence,
            "registrado_en": m.created_at,
        }
        for m in await f.milestones()
    ]


async def _actas(f: _Facts) -> list[Row]:
    held = [m for m in await f.meetings() if m.installed_at is not None]
    versions: dict[int, tuple[int, datetime | None]] = {}
    numbers_of: dict[int, int] = {}
    rows = await f.session.execute(
        select(
            MinutesVersion.id,
            MinutesVersion.meeting_id,
            MinutesVersion.number,
            MinutesVersion.circulated_at,
        )
        .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
        .where(Meeting.secretariat_id == f.sid, MinutesVersion.voided_at.is_(None))
        .order_by(MinutesVersion.number)
    )
    for version_id, meeting_id, number, circulated_at in rows:
        versions[meeting_id] = (number, circulated_at)  # the latest standing version
        numbers_of[version_id] = number
    s = SignedMinutes
    signed = {
        r.meeting_id: r
        for r in await f.session.execute(
            select(s.meeting_id, s.version_id, s.signed_at, s.sha256, s.issued_at, s.sealed)
            .join(Meeting, Meeting.id == s.meeting_id)
            .where(Meeting.secretariat_id == f.sid)
        )
    }
    rule = MinutesDeadline(f.secretariat.minutes_deadline)
    today = local_date(f.now, f.tz)
    out: list[Row] = []
    for meeting in held:
        assert meeting.number is not None
        deadline = deadline_of(meeting, f.tz, rule)
        sent = meeting.minutes_sent_at
        status = minutes_status(
            deadline, sent_on=local_date(sent, f.tz) if sent else None, today=today
        )
        done = signed.get(meeting.id)
        version = versions.get(meeting.id)
        issued = done is not None and done.sha256 is not None
        if done is not None:
            stage, number = "firmada", numbers_of.get(done.version_id)
        elif version is None:
            stage, number = "sin_borrador", None
        else:
            stage = "en_firma" if version[1] is not None else "borrador"
            number = version[0]
        out.append(
            {
                "sesion": meeting.number,
                "titulo": meeting.title,
                "fecha": local_date(meeting.starts_at, f.tz),
                "estado_acta": stage,
                "version": number,
                "sha256": done.sha256 if issued and done else None,
                "archivo": (
                    f"/{f.secretariat.slug}/archivos/{done.sha256}/"
                    f"{signed_filename(meeting.number)}"
                    if issued and done
                    else None
                ),
                "firmada_en": done.signed_at if done else None,
                "sellada": bool(done.sealed) if issued and done else None,
                "plazo_envio": deadline,
                "estado_envio": status.value.replace(" ", "_"),
                "enviada_en": sent,
                "via_envio": meeting.minutes_sent_via if sent else None,
            }
        )
    return out


async def _buzon(f: _Facts) -> list[Row]:
    m = InboxMessage
    # R21: only these five columns are ever read: never the text, name, sector or contact.
    rows = await f.session.execute(
        select(m.form, m.category, m.received_at, m.status, m.answered_at)
        .where(m.secretariat_id == f.sid)
        .order_by(m.received_at, m.id)
    )
    return [
        {
            "formulario": form,
            "categoria": category,
            "recibido_el": local_date(received_at, f.tz),
            "estado": status,
            "atendido_el": local_date(answered_at, f.tz) if answered_at else None,
        }
        for form, category, received_at, status, answered_at in rows
    ]


async def _cadena(f: _Facts) -> list[Row]:
    """Issue 15: every chain entry, exactly as hashed (the payloads are R21-clean)."""
    conn = await f.session.connection()
    return [
        {
            "posicion": e.position,
            "tipo": e.kind,
            "fecha": e.at,
            "acto": e.payload,
            "hash_anterior": e.prev_hash,
            "hash": e.hash,
        }
        for e in await act_chain.entries_of(conn, f.sid)
    ]


_READERS = {
    "sesiones": _sesiones,
    "asistencia": _asistencia,
    "votaciones": _votaciones,
    "acuerdos": _acuerdos,
    "compromisos": _compromisos,
    "hitos": _hitos,
    "actas": _actas,
    "buzon": _buzon,
    "cadena": _cadena,
}
assert tuple(_READERS) == tuple(d.name for d in od.DATASETS)


def publisher_of(secretariat: Secretariat) -> Publisher:
    """What the open data says of its publisher."""
    return Publisher(
        secretariat.id,
        secretariat.slug,
        secretariat.name,
        secretariat.time_zone,
        od.licence_of(secretariat.licence),
    )


async def publisher(session: AsyncSession, secretariat_id: int) -> Publisher:
    """The secretariat as publisher of its data."""
    return publisher_of(await session.get_one(Secretariat, secretariat_id))


async def rows(
    session: AsyncSession, secretariat_id: int, name: str, *, now: datetime
) -> list[Row]:
    """One dataset's rows (``name`` is one of ``domain.open_data.DATASETS``).

    ``now`` decides only whether unsent minutes are ``pendiente`` or ``vencida`` (R15).
    """
    facts = _Facts(session, await session.get_one(Secretariat, secretariat_id), now)
    return await _READERS[name](facts)


async def every_dataset(
    session: AsyncSession, secretariat_id: int, *, now: datetime
) -> dict[str, list[Row]]:
    """Every dataset's rows, sharing the reads of sessions, seats and names."""
    facts = _Facts(session, await session.get_one(Secretariat, secretariat_id), now)
    return {name: await read(facts) for name, read in _READERS.items()}


def _latest_of(column: Any, *where: ColumnElement[bool], join: Any = None) -> Any:
    statement = select(func.max(column))
    if join is not None:
        statement = statement.join(*join)
    return statement.where(*where).scalar_subquery()


async def updated_at(session: AsyncSession, secretariat_id: int) -> datetime | None:
    """The update date: the latest moment any published fact changed (one statement).

    Sessions (convocation, roll call, installation, conclusion, cancellation, minutes
    sent), presences, closed votes, agreements' and commitments' changes, milestones,
    minutes versions and signatures, inbox messages, the roster (a seat added, a name
    bound) and the chain of acts' head (the ``cadena`` dataset). Drafts never published
    are left out.
    """
    sid = secretariat_id
    numbered = (Meeting.secretariat_id == sid, Meeting.number.is_not(None))
    subqueries = [
        _latest_of(Secretariat.created_at, Secretariat.id == sid),
        *(
            _latest_of(column, *numbered)
            for column in (
                Meeting.convened_at,
                Meeting.roll_call_at,
                Meeting.installed_at,
                Meeting.concluded_at,
                Meeting.minutes_sent_at,
            )
        ),
        _latest_of(
            Cancellation.decided_at,
            *numbered,
            join=(Meeting, Meeting.id == Cancellation.meeting_id),
        ),
        _latest_of(Presence.at, *numbered, join=(Meeting, Meeting.id == Presence.meeting_id)),
        _latest_of(Vote.closed_at, Vote.secretariat_id == sid, Vote.state == "cerrada"),
        _latest_of(ChainHead.updated_at, ChainHead.secretariat_id == sid),  # the cadena dataset
        _latest_of(
            AgreementChange.at,
            Agreement.secretariat_id == sid,
            join=(Agreement, Agreement.id == AgreementChange.agreement_id),
        ),
        _latest_of(Agreement.created_at, Agreement.secretariat_id == sid),
        _latest_of(
            CommitmentChange.at,
            Commitment.secretariat_id == sid,
            join=(Commitment, Commitment.id == CommitmentChange.commitment_id),
        ),
        _latest_of(Commitment.created_at, Commitment.secretariat_id == sid),
        *(
            _latest_of(
                column,
                Commitment.secretariat_id == sid,
                join=(Commitment, Commitment.id == CommitmentMilestone.commitment_id),
            )
            for column in (CommitmentMilestone.created_at, CommitmentMilestone.done_at)
        ),
        *(
            _latest_of(column, *numbered, join=(Meeting, Meeting.id == MinutesVersion.meeting_id))
            for column in (
                MinutesVersion.created_at,
                MinutesVersion.circulated_at,
                MinutesVersion.voided_at,
            )
        ),
        *(
            _latest_of(column, *numbered, join=(Meeting, Meeting.id == SignedMinutes.meeting_id))
            for column in (SignedMinutes.signed_at, SignedMinutes.issued_at)
        ),
        *(
            _latest_of(column, InboxMessage.secretariat_id == sid)
            for column in (InboxMessage.received_at, InboxMessage.answered_at)
        ),
        _latest_of(Seat.created_at, Seat.secretariat_id == sid),
        *(
            _latest_of(column, Member.secretariat_id == sid)
            for column in (Member.created_at, Member.linked_at, Member.deactivated_at)
        ),
    ]
    moments = (await session.execute(select(*subqueries))).one()
    return od.latest(moments)
