"""The follow-up report's reading of the history (R16a, R16, II.6), on SQLite and PostgreSQL.

Rows are written here as the action plan and the register of agreements write them (one
history row per change, the level or status after it), with moments around the period's
edges in the secretariat's zone; the report must say what stood at the end of the month
whatever happened after it, and read a plan of 200 commitments in a fixed number of
queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from domain.action_plan import Level
from domain.agreements import Status
from domain.errors import ReportMonthAhead
from domain.follow_up_report import Month
from domain.roles import Membership, Role, Target
from storage.db import Database, engine_of
from storage.models import (
    Agreement,
    AgreementChange,
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
    Meeting,
    Member,
    Seat,
    Secretariat,
)
from storage.services import follow_up_report

# Mexico City is UTC-6 all year: local midnight of 2027-02-01 is 06:00 UTC.
JAN_START = datetime(2027, 1, 1, 6, 0, tzinfo=UTC)
FEB_START = datetime(2027, 2, 1, 6, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
IN_JANUARY = datetime(2027, 1, 12, 16, 0, tzinfo=UTC)
LAST_MINUTE = FEB_START - timedelta(minutes=30)  # 2027-01-31 23:30 in Zamora: January's
AFTER = FEB_START + timedelta(minutes=10)  # 2027-02-01 00:10 in Zamora: February's
NOW = datetime(2027, 3, 3, 16, 0, tzinfo=UTC)


class World:
    """Ids of what ``_world`` wrote."""

    def __init__(self, secretariat_id: int, facilitator_id: int, seat_id: int) -> None:
        self.target = Target(
            secretariat_id,
            "Zamora",
            Membership(secretariat_id, "Zamora", facilitator_id, 1, Role.FACILITADOR),
        )
        self.member = facilitator_id
        self.seat = seat_id


async def _world(db: Database) -> World:
    async with db.begin() as session:
        secretariat = Secretariat(name="Zamora", created_at=BEFORE, created_by=1)
        session.add(secretariat)
        await session.flush()
        seat = Seat(
            secretariat_id=secretariat.id, key="academia", name="Academia", position=1,
            created_at=BEFORE,
        )  # fmt: skip
        session.add(seat)
        await session.flush()
        facilitator = Member(
            secretariat_id=secretariat.id, number=1, role="facilitador",
            full_name="Claudia Solís", created_at=BEFORE,
        )  # fmt: skip
        titular = Member(
            secretariat_id=secretariat.id, number=2, role="titular", seat_id=seat.id,
            full_name="Lorenza Capiz", created_at=BEFORE,
        )  # fmt: skip
        session.add_all([facilitator, titular])
        await session.flush()
        return World(secretariat.id, facilitator.id, seat.id)


def _commitment(w: World, number: int, title: str, at: datetime) -> Commitment:
    return Commitment(
        secretariat_id=w.target.secretariat_id, number=number, title=title, created_at=at,
        created_by=w.member, level="no_iniciado",
    )  # fmt: skip


def _change(
    w: World,
    c: Commitment,
    at: datetime,
    kind: str,
    level: Level,
    milestone: CommitmentMilestone | None = None,
    note: str | None = None,
) -> CommitmentChange:
    return CommitmentChange(
        commitment_id=c.id, milestone_id=milestone.id if milestone else None, at=at,
        member_id=w.member, kind=kind, level=level.value, note=note,
    )  # fmt: skip


def _meeting(w: World, number: int, at: datetime, state: str) -> Meeting:
    held = state in ("instalada", "concluida")
    return Meeting(
        secretariat_id=w.target.secretariat_id, number=number, kind="ordinaria",
        title=f"Sesión {number}", starts_at=at, place="Sala", agenda=["Lista"], state=state,
        created_at=at - timedelta(days=10), created_by=w.member,
        installed_at=at + timedelta(minutes=5) if held else None,
        seats_present=4 if state != "convocada" else None,
        seats_total=5 if state != "convocada" else None,
    )  # fmt: skip


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = engine_of(db).sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_levels_milestones_and_statuses_are_those_at_the_end_of_the_month(
    db: Database,
) -> None:
    w = await _world(db)
    async with db.begin() as session:
        agua = _commitment(w, 1, "Agua potable", BEFORE)
        datos = _commitment(w, 2, "Datos abiertos", IN_JANUARY)
        later = _commitment(w, 3, "Registrado en febrero", AFTER)
        session.add_all([agua, datos, later])
        await session.flush()
        m1 = CommitmentMilestone(
            commitment_id=agua.id, number=1, text="Diagnóstico", due_date=date(2027, 1, 15),
            weight=1, done=False, created_at=BEFORE,
        )  # fmt: skip
        m2 = CommitmentMilestone(
            commitment_id=agua.id, number=2, text="Obra", due_date=date(2027, 3, 1), weight=1,
            done=True, done_at=AFTER, created_at=BEFORE,
        )  # fmt: skip
        m3 = CommitmentMilestone(  # added after the period: not counted
            commitment_id=agua.id, number=3, text="Tarde", due_date=date(2027, 4, 1), weight=5,
            done=False, created_at=AFTER,
        )  # fmt: skip
        session.add_all([m1, m2, m3])
        await session.flush()
        session.add_all(
            [
                _change(w, agua, BEFORE, "registro", Level.NO_INICIADO),
                _change(w, agua, BEFORE, "hito", Level.NO_INICIADO, m1, "Diagnóstico"),
                _change(w, agua, BEFORE, "hito", Level.NO_INICIADO, m2, "Obra"),
                # m1 done in January, pending again in February: done at the end of January
                _change(w, agua, IN_JANUARY, "avance", Level.SUSTANCIAL, m1, "https://x.mx/1"),
                _change(w, agua, AFTER, "avance", Level.NO_INICIADO, m1, "pendiente"),
                # m2 done in the last minute of January, its row's time says so
                _change(w, agua, LAST_MINUTE, "avance", Level.COMPLETO, m2, None),
                _change(w, datos, IN_JANUARY, "registro", Level.NO_INICIADO),
                _change(w, datos, LAST_MINUTE, "nivel", Level.SUSTANCIAL, note="Informe & <b>"),
                _change(w, datos, AFTER, "nivel", Level.NO_INICIADO, note="automático"),
                _change(w, later, AFTER, "registro", Level.NO_INICIADO),
            ]
        )
        m1.done, m1.done_at = False, None  # as it stands now (pending again)
        agua.level = Level.COMPLETO.value
        january = _meeting(w, 2, IN_JANUARY, "concluida")
        session.add_all(
            [
                _meeting(w, 1, BEFORE, "concluida"),
                january,
                _meeting(w, 3, LAST_MINUTE - timedelta(hours=2), "sin_quorum"),
                _meeting(w, 4, IN_JANUARY + timedelta(days=3), "cancelada"),
                _meeting(w, 5, AFTER + timedelta(days=3), "concluida"),
            ]
        )
        await session.flush()
        pending = Agreement(
            secretariat_id=w.target.secretariat_id, year=2027, sequence=1, code="ACU-2027-001",
            meeting_id=january.id, text="Publicar el calendario", responsible_seat_id=w.seat,
            due_date=date(2027, 1, 20), status=Status.CUMPLIDO.value, created_at=IN_JANUARY,
            created_by=w.member,
        )  # fmt: skip
        session.add(pending)
        await session.flush()
        session.add_all(
            [
                AgreementChange(
                    agreement_id=pending.id, at=IN_JANUARY, member_id=w.member, kind="registro",
                    status="pendiente",
                ),
                AgreementChange(
                    agreement_id=pending.id, at=LAST_MINUTE, member_id=w.member, kind="estado",
                    status="en_proceso", note="Oficio STM/003",
                ),
                AgreementChange(
                    agreement_id=pending.id, at=AFTER, member_id=w.member, kind="estado",
                    status="cumplido",
                ),
            ]
        )  # fmt: skip
    async with db() as session:
        report = await follow_up_report.report(
            session, now=NOW, target=w.target, month=Month(2027, 1)
        )
    assert not report.in_progress
    assert report.generated_at == "2027-03-03 10:00"
    assert [c.code for c in report.commitments] == ["C-1", "C-2"]  # C-3 came later
    agua_line, datos_line = report.commitments
    assert (agua_line.level, agua_line.done, agua_line.total) == (Level.COMPLETO, 2, 2)
    assert agua_line.percent == 100
    assert (datos_line.level, datos_line.level_manual, datos_line.total) == (
        Level.SUSTANCIAL,
        True,
        0,
    )
    assert [(k.at, k.code, k.kind, k.level) for k in report.commitment_changes] == [
        ("2027-01-12 10:00", "C-1.1", "avance", Level.SUSTANCIAL),
        ("2027-01-12 10:00", "C-2", "registro", Level.NO_INICIADO),
        ("2027-01-31 23:30", "C-1.2", "avance", Level.COMPLETO),
        ("2027-01-31 23:30", "C-2", "nivel", Level.SUSTANCIAL),
    ]
    (agreement,) = report.agreements
    assert agreement.status is Status.EN_PROCESO  # cumplido only in February
    assert agreement.overdue  # due 2027-01-20, open when January ended
    assert agreement.responsible == "Academia (Lorenza Capiz)"
    assert [(k.kind, k.status) for k in report.agreement_changes] == [
        ("registro", Status.PENDIENTE),
        ("estado", Status.EN_PROCESO),
    ]
    assert [(s.number, s.quorum, s.agreements) for s in report.sessions] == [
        (2, True, 1),
        (3, False, 0),  # held without quorum (R9); the cancelled one is not listed
    ]
    assert report.sessions[0].day == date(2027, 1, 12)
    assert report.sessions[0].time == "10:00"
    # February, in March: the later rows, and C-3
    async with db() as session:
        february = await follow_up_report.report(
            session, now=NOW, target=w.target, month=Month(2027, 2)
        )
    assert [c.code for c in february.commitments] == ["C-1", "C-2", "C-3"]
    agua_feb = february.commitments[0]
    assert (agua_feb.done, agua_feb.total, agua_feb.level) == (1, 3, Level.NO_INICIADO)
    assert not february.commitments[1].level_manual  # back to the rule ("automático")
    assert february.agreements[0].status is Status.CUMPLIDO
    assert not february.agreements[0].overdue
    assert [s.number for s in february.sessions] == [5]


async def test_default_month_future_month_and_an_empty_month(db: Database) -> None:
    w = await _world(db)
    async with db() as session:
        report = await follow_up_report.report(session, now=NOW, target=w.target, month=None)
        assert report.month == Month(2027, 2)  # March 3rd: February
        assert report.empty
        current = await follow_up_report.report(
            session, now=NOW, target=w.target, month=Month(2027, 3)
        )
        assert current.in_progress
        with pytest.raises(ReportMonthAhead):
            await follow_up_report.report(session, now=NOW, target=w.target, month=Month(2027, 4))
    # the local date decides: 2027-03-01 03:00 UTC is still February 28th in Zamora
    async with db() as session:
        late = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
        report = await follow_up_report.report(session, now=late, target=w.target, month=None)
    assert report.month == Month(2027, 1)


async def test_two_hundred_commitments_are_read_in_a_fixed_number_of_queries(
    db: Database,
) -> None:
    w = await _world(db)
    async with db.begin() as session:
        commitments = [_commitment(w, n, f"Compromiso {n}", BEFORE) for n in range(1, 201)]
        session.add_all(commitments)
        await session.flush()
        milestones = [
            CommitmentMilestone(
                commitment_id=c.id, number=k, text=f"Hito {k}", due_date=date(2027, 1, 1),
                weight=k, done=False, created_at=BEFORE,
            )
            for c in commitments
            for k in (1, 2, 3)
        ]  # fmt: skip
        session.add_all(milestones)
        await session.flush()
        session.add_all(_change(w, c, BEFORE, "registro", Level.NO_INICIADO) for c in commitments)
        session.add_all(
            _change(w, commitments[i // 3], IN_JANUARY, "avance", Level.LIMITADO, m)
            for i, m in enumerate(milestones)
            if m.number == 1
        )
    async with db() as session:
        with counting(db) as statements:
            report = await follow_up_report.report(
                session, now=NOW, target=w.target, month=Month(2027, 1)
            )
    assert len(report.commitments) == 200
    assert len(report.commitment_changes) == 200
    assert {(c.level, c.done, c.total, c.percent) for c in report.commitments} == {
        (Level.LIMITADO, 1, 3, 16)  # weight 1 of 1 + 2 + 3
    }
    assert len(statements) <= 10, statements
