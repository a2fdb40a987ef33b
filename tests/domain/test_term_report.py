"""The end-of-term report's figures and reminders (R5; R6, R9, R12, R15, R16, R16a, R22)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import reminders
from domain.action_plan import Level
from domain.agreements import Status
from domain.follow_up_report import Month
from domain.term_report import (
    SENDING_LABELS,
    AgreementFact,
    AttendanceFact,
    CommitmentFact,
    MinutesFact,
    SessionFact,
    Term,
    VoteFact,
    build,
    charts,
    count_chart,
    facts_from_tables,
    filename,
    share_chart,
)

TERM = Term(date(2026, 9, 1), date(2027, 8, 31))
TZ = "America/Mexico_City"


def session(number: int, day: date, kind: str = "ordinaria", **kw: object) -> SessionFact:
    values: dict[str, object] = {
        "title": f"Sesión {number}",
        "state": "concluida",
        "installed": True,
    }
    values.update(kw)
    return SessionFact(number=number, kind=kind, day=day, **values)  # type: ignore[arg-type]


def report(**facts: object):  # type: ignore[no-untyped-def]
    base: dict[str, object] = {
        "sessions": (),
        "attendance": (),
        "votes": (),
        "agreements": (),
        "commitments": (),
        "minutes": (),
    }
    base.update(facts)
    return build(
        secretariat="Zamora",
        term=TERM,
        time_zone=TZ,
        as_of="2027-01-05 10:00",
        today=date(2027, 1, 5),
        **base,  # type: ignore[arg-type]
    )


# -- the term ---------------------------------------------------------------------------


def test_term_months_cover_every_month_touched() -> None:
    assert len(TERM.months) == 12
    assert TERM.months[0] == Month(2026, 9)
    assert TERM.months[-1] == Month(2027, 8)
    assert Term(date(2024, 9, 15), date(2024, 10, 2)).months == (Month(2024, 9), Month(2024, 10))
    assert date(2026, 9, 1) in TERM
    assert date(2027, 8, 31) in TERM
    assert date(2026, 8, 31) not in TERM
    assert "2026-09-01" not in TERM
    with pytest.raises(ValueError, match="ends after it starts"):
        Term(date(2027, 1, 2), date(2027, 1, 1))


def test_filename() -> None:
    assert filename(TERM, "pdf") == "informe-periodo-2026-09-01-a-2027-08-31.pdf"
    assert filename(TERM, "../docx") == "informe-periodo-2026-09-01-a-2027-08-31.docx"


# -- sessions per month (R6, R9) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sessions", "held", "short", "ordinary", "extraordinary", "without_quorum"),
    [
        ((), 0, 4, 0, 0, 0),  # Sep … Dec ended with none; January is in progress
        ((session(1, date(2026, 12, 7)),), 1, 3, 1, 0, 0),
        (
            (
                session(1, date(2026, 9, 20)),
                session(2, date(2026, 10, 3), "extraordinaria"),
                session(3, date(2026, 11, 5), state="sin_quorum", installed=False),
            ),
            3,
            2,  # October had only an extraordinary session; December none
            2,
            1,
            1,
        ),
        # outside the term, convened but not held, cancelled: none counts
        (
            (
                session(1, date(2026, 8, 31)),
                session(2, date(2026, 12, 1), state="convocada", installed=False),
                session(3, date(2026, 12, 2), state="cancelada", installed=False),
            ),
            0,
            4,
            0,
            0,
            0,
        ),
    ],
)
def test_sessions_per_month(
    sessions: tuple[SessionFact, ...],
    held: int,
    short: int,
    ordinary: int,
    extraordinary: int,
    without_quorum: int,
) -> None:
    r = report(sessions=sessions)
    assert len(r.months) == 12  # months with none included
    assert (r.held, len(r.short_months), r.ordinary, r.extraordinary, r.without_quorum) == (
        held,
        short,
        ordinary,
        extraordinary,
        without_quorum,
    )
    assert [m.closed for m in r.months].count(True) == 4


def test_partial_months_count_their_days_in_term() -> None:
    r = build(
        secretariat="Z",
        term=Term(date(2024, 9, 15), date(2024, 10, 2)),
        time_zone=TZ,
        as_of="2024-10-01 09:00",
        today=date(2024, 10, 1),
        sessions=(),
        attendance=(),
        votes=(),
        agreements=(),
        commitments=(),
        minutes=(),
    )
    assert [m.in_term_days for m in r.months] == [16, 2]
    assert [m.closed for m in r.months] == [True, False]


# -- attendance, votes, agreements, commitments, minutes ------------------------------------


def test_attendance_per_seat_counts_held_sessions_of_the_term_once() -> None:
    sessions = (session(1, date(2026, 12, 7)), session(2, date(2027, 1, 14)))
    attendance = (
        AttendanceFact(1, "gobierno", "Gobierno", True, "titular"),
        AttendanceFact(2, "gobierno", "Gobierno", True, "suplente"),
        AttendanceFact(2, "gobierno", "Gobierno", True, "suplente"),  # a repeated row
        AttendanceFact(1, "academia", "Academia", False, None),
        AttendanceFact(2, "academia", "Academia", True, "titular"),
        AttendanceFact(9, "academia", "Academia", True, "titular"),  # not a held session
    )
    r = report(sessions=sessions, attendance=attendance)
    by_key = {s.seat_key: s for s in r.seats}
    gobierno, academia = by_key["gobierno"], by_key["academia"]
    assert (gobierno.sessions, gobierno.titular, gobierno.substitute, gobierno.absent) == (
        2,
        1,
        1,
        0,
    )
    assert gobierno.percent == 100
    assert (academia.sessions, academia.present, academia.absent, academia.percent) == (
        2,
        1,
        1,
        50,
    )


def test_votes_agreements_commitments_and_minutes() -> None:
    sessions = (session(1, date(2026, 12, 7)),)
    votes = (
        VoteFact(2, 1, "sesion", "Calendario", date(2026, 12, 7), "Aprobado por mayoría", 3, 1),
        VoteFact(1, 1, "sesion", "Orden del día", date(2026, 12, 7), "Aprobado por consenso", 4),
        VoteFact(3, None, "electronica", "En línea", date(2027, 1, 2), None, 1),
        VoteFact(4, None, "electronica", "Antes", date(2026, 8, 1), "Empate: no aprobado"),
        VoteFact(5, 7, "sesion", "Otra sesión", date(2026, 12, 9), "Aprobado por consenso"),
    )
    agreements = (
        AgreementFact("ACU-2026-001", "Publicar", 1, date(2026, 12, 7), Status.PENDIENTE),
        AgreementFact("ACU-2026-002", "Difundir", 1, date(2026, 12, 7), Status.CUMPLIDO),
        AgreementFact("ACU-2025-009", "Viejo", None, date(2025, 3, 1), Status.CUMPLIDO),
    )
    commitments = (
        CommitmentFact("C-1", "Agua", Level.LIMITADO, Fraction(1, 4), date(2026, 12, 7)),
        CommitmentFact("C-2", "Después", Level.COMPLETO, Fraction(1), date(2027, 9, 1)),
    )
    minutes = (
        MinutesFact(1, date(2026, 12, 7), "enviada_a_tiempo", True),
        MinutesFact(7, date(2026, 12, 9), "vencida", False),  # not a held session of ours
    )
    r = report(
        sessions=sessions,
        votes=votes,
        agreements=agreements,
        commitments=commitments,
        minutes=minutes,
    )
    assert [v.number for v in r.votes] == [1, 2, 3]
    assert r.outcome_counts == {
        "Aprobado por consenso": 1,
        "Aprobado por mayoría": 1,
        "abierta": 1,
    }
    assert [a.code for a in r.agreements] == ["ACU-2026-001", "ACU-2026-002"]
    assert r.status_counts == {
        Status.PENDIENTE: 1,
        Status.EN_PROCESO: 0,
        Status.CUMPLIDO: 1,
        Status.CANCELADO: 0,
    }
    assert [c.code for c in r.commitments] == ["C-1"]
    assert r.level_counts[Level.LIMITADO] == 1
    assert sum(r.level_counts.values()) == 1
    assert r.sending_counts == {
        "enviada_a_tiempo": 1,
        "enviada_fuera_de_plazo": 0,
        "vencida": 0,
        "pendiente": 0,
    }
    assert r.signed_minutes == 1


def test_facts_from_the_open_datasets() -> None:
    at = datetime(2026, 12, 7, 16, 5, tzinfo=UTC)
    tables = {
        "sesiones": [
            {
                "numero": 1,
                "titulo": "Primera",
                "tipo": "ordinaria",
                "estado": "concluida",
                "fecha": date(2026, 12, 7),
                "instalada_en": at,
            },
            {
                "numero": 2,
                "titulo": "Borrador",
                "tipo": "ordinaria",
                "estado": "convocada",
                "fecha": date(2026, 12, 20),
                "instalada_en": None,
            },
        ],
        "asistencia": [
            {
                "sesion": 1,
                "asiento_clave": "academia",
                "asiento": "Academia",
                "asistio": True,
                "calidad": "suplente",
            }
        ],
        "votaciones": [
            {
                "votacion": 1,
                "sesion": 1,
                "tipo": "sesion",
                "asunto": "Calendario",
                "abierta_en": datetime(2026, 12, 8, 3, 0, tzinfo=UTC),  # the 7th in Zamora
                "resultado": "Aprobado por mayoría",
                "voto": voto,
            }
            for voto in ("a_favor", "a_favor", "en_contra", "sin_voto")
        ],
        "acuerdos": [
            {
                "codigo": "ACU-2026-001",
                "texto": "Publicar",
                "sesion": 1,
                "registrado_en": at,
                "estado": "en_proceso",
            }
        ],
        "compromisos": [
            {
                "clave": "C-1",
                "titulo": "Agua",
                "nivel": "limitado",
                "avance": 25.0,
                "registrado_en": at,
            }
        ],
        "actas": [
            {
                "sesion": 1,
                "fecha": date(2026, 12, 7),
                "estado_envio": "vencida",
                "estado_acta": "firmada",
            }
        ],
    }
    facts = facts_from_tables(tables, time_zone=TZ)
    assert [s.number for s in facts["sessions"]] == [1]
    (vote,) = facts["votes"]
    assert (vote.a_favor, vote.en_contra, vote.sin_voto, vote.opened_on) == (
        2,
        1,
        1,
        date(2026, 12, 7),
    )
    (commitment,) = facts["commitments"]
    assert commitment.share == Fraction(1, 4)
    assert facts["agreements"][0].status is Status.EN_PROCESO
    assert facts["minutes"][0].signed
    r = report(**facts)
    assert r.held == 1
    assert r.seats[0].substitute == 1


# -- charts ------------------------------------------------------------------------------


def test_charts_leave_out_what_has_nothing_to_draw() -> None:
    assert [title for title, _ in charts(report()).items] == ["Sesiones celebradas por mes"]
    chart = count_chart([("a", 2), ("b", 0), ("c", 4)])
    assert [b.value for b in chart.bars] == ["2", "0", "4"]
    assert chart.bars[2].width == chart.bars[2].track_width
    assert chart.bars[1].width == 0
    shares = share_chart([("x", Fraction(1, 2)), ("y", Fraction(3, 2))])
    assert [b.value for b in shares.bars] == ["50 %", "100 %"]


@given(st.lists(st.integers(min_value=-5, max_value=500), max_size=40))
def test_count_bars_are_proportional_and_inside(counts: list[int]) -> None:
    chart = count_chart([(str(i), n) for i, n in enumerate(counts)])
    assert len(chart.bars) == len(counts)
    for bar, n in zip(chart.bars, counts, strict=True):
        assert 0 <= bar.width <= bar.track_width + 0.01
        assert bar.y + bar.height <= chart.height
        assert bar.value == str(max(n, 0))
    positive = [b for b, n in zip(chart.bars, counts, strict=True) if n > 0]
    if positive:
        assert max(b.width for b in positive) == pytest.approx(chart.bars[0].track_width)


# -- properties of the report --------------------------------------------------------------

DAYS = st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 12, 31))
SESSIONS = st.lists(
    st.builds(
        SessionFact,
        number=st.integers(1, 60),
        title=st.just("S"),
        kind=st.sampled_from(["ordinaria", "extraordinaria"]),
        state=st.sampled_from(["concluida", "sin_quorum", "convocada", "cancelada"]),
        day=DAYS,
        installed=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda s: s.number,
)


@given(SESSIONS, st.lists(st.tuples(st.integers(1, 60), st.sampled_from("abc"), st.booleans())))
def test_every_held_session_of_the_term_is_counted_once(
    sessions: list[SessionFact], rolls: list[tuple[int, str, bool]]
) -> None:
    attendance = [
        AttendanceFact(n, key, key.upper(), present, "titular" if present else None)
        for n, key, present in rolls
    ]
    r = report(sessions=sessions, attendance=attendance)
    held = [s for s in sessions if s.held and s.day in TERM]
    assert r.held == len(held) == sum(m.total for m in r.months)
    assert [m.month for m in r.months] == list(TERM.months)
    for seat in r.seats:
        assert 0 <= seat.present <= seat.sessions <= len(held)
        assert 0 <= seat.percent <= 100
    assert all(not m.short or m.ordinary == 0 for m in r.months)


# -- the term reminders (R5, R22) ----------------------------------------------------------


def test_term_reminders_60_30_10_days_at_the_reminder_hour() -> None:
    moments = reminders.term_moments(date(2027, 8, 31), tz=TZ, hour=time(9, 0))
    assert [m.due for m in moments] == [
        datetime(2027, 7, 2, 15, 0, tzinfo=UTC),
        datetime(2027, 8, 1, 15, 0, tzinfo=UTC),
        datetime(2027, 8, 21, 15, 0, tzinfo=UTC),
    ]
    assert [m.variant for m in moments] == ["60", "30", "10"]
    assert {m.useful_until for m in moments} == {datetime(2027, 9, 1, 6, 0, tzinfo=UTC)}
    assert reminders.TERM_DAYS == (60, 30, 10)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.times())
def test_term_reminders_come_in_order_before_the_term_ends(end: date, hour: time) -> None:
    moments = reminders.term_moments(end, tz=TZ, hour=hour)
    dues = [m.due for m in moments]
    assert dues == sorted(dues)
    assert len(set(dues)) == 3
    for moment, days in zip(moments, reminders.TERM_DAYS, strict=True):
        assert moment.due < moment.useful_until
        assert moment.due.astimezone(ZoneInfo(TZ)).date() == end - timedelta(days=days)
    picked = reminders.pick(moments, recorded_until=None, now=moments[-1].due)
    assert picked.send == moments[-1]
    assert len(picked.drop) == 2


def test_sending_labels_are_the_actas_dataset_statuses() -> None:
    from domain import open_data

    field = next(f for f in open_data.ACTAS.fields if f.name == "estado_envio")
    assert set(SENDING_LABELS) == set(field.enum or ())
