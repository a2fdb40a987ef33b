"""The end-of-term activity report (R5, I.6; figures also of R6, R9, R12, R15, R16, R16a).

R5 asks the bot to draft, from the record, the report of a secretariat's term
(``periodo_inicio`` … ``periodo_fin``): sessions held, attendance per seat, votes and
outcomes, agreements and their status, commitments and their completion level, minutes
sent on time. Everything here is a pure function of plain facts — the rows of the open
datasets (``domain.open_data``'s schemas, R19 d), turned into the frozen dataclasses below
by :func:`facts_from_tables` — so the report says exactly what the public record says, and
tests are tables and properties.

What counts, and why:

* a session is *held* when it was installed with quorum or recorded as held without it
  (R9: ``sin_quorum``); it belongs to the term when its local date lies in the term;
* sessions per month list **every** month of the term, months with none included, each
  with its ordinary and extraordinary sessions held; a month that has ended without an
  ordinary session held is counted as a month short of R6;
* attendance per seat counts the held sessions of the term that took a roll call for that
  seat: present as titular, as substitute, or absent;
* votes are those of the term's sessions, and electronic ones opened in the term, with
  their per-seat tally (a favor, en contra, abstención, sin voto) and outcome (R12);
* agreements registered in the term, by their status today (R16); commitments of the
  plan registered by the term's end, by their level today (R16a);
* minutes of the term's held sessions by R15 status: sent on time, late, overdue, pending.

The charts' geometry (:func:`charts`) reuses ``domain.report_chart``'s bars, so the term
report looks like the monthly follow-up report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from domain import report_chart
from domain.action_plan import Level
from domain.agreements import Status
from domain.follow_up_report import Month, month_of, percent

__all__ = [
    "SENDING_LABELS",
    "AgreementFact",
    "AttendanceFact",
    "Charts",
    "CommitmentFact",
    "MinutesFact",
    "MonthLine",
    "SeatLine",
    "SessionFact",
    "Term",
    "TermReport",
    "VoteFact",
    "VoteLine",
    "build",
    "charts",
    "count_chart",
    "facts_from_tables",
    "filename",
    "share_chart",
]

#: R15 statuses of the minutes as the ``actas`` dataset spells them, in report order.
SENDING_LABELS = {
    "enviada_a_tiempo": "enviadas a tiempo",
    "enviada_fuera_de_plazo": "enviadas fuera de plazo",
    "vencida": "vencidas sin enviar",
    "pendiente": "pendientes, en plazo",
}
#: R12 outcomes as the report groups them (the ``votaciones`` dataset's ``resultado``).
OPEN_VOTE = "abierta"
_HELD_STATES = frozenset({"instalada", "en_curso", "concluida", "sin_quorum"})
_SAFE = re.compile(r"[^0-9A-Za-z_-]+")


@dataclass(frozen=True)
class Term:
    """The secretariat's term (R5): both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a term ends after it starts")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def months(self) -> tuple[Month, ...]:
        """Every calendar month the term touches, in order."""
        out = [month_of(self.start)]
        last = month_of(self.end)
        while out[-1] < last:
            out.append(out[-1].next)
        return tuple(out)

    @property
    def label(self) -> str:
        """``2024-09-01 a 2027-08-31``."""
        return f"{self.start.isoformat()} a {self.end.isoformat()}"


@dataclass(frozen=True)
class SessionFact:
    """One numbered session as the ``sesiones`` dataset publishes it."""

    number: int
    title: str
    kind: str  # ordinaria | extraordinaria
    state: str
    day: date
    installed: bool  # with quorum (R9)

    @property
    def held(self) -> bool:
        """Installed with quorum, or recorded as held without it (R9)."""
        return self.installed or self.state == "sin_quorum"


@dataclass(frozen=True)
class AttendanceFact:
    """One seat at one session's roll call (``asistencia``)."""

    session: int
    seat_key: str
    seat: str
    present: bool
    role: str | None  # titular | suplente (who represented the seat)


@dataclass(frozen=True)
class VoteFact:
    """One vote with its per-seat tally (``votaciones``, one row per seat folded)."""

    number: int
    session: int | None
    kind: str  # sesion | electronica
    subject: str
    opened_on: date | None  # local date
    outcome: str | None  # an R12 outcome; None while open
    a_favor: int = 0
    en_contra: int = 0
    abstencion: int = 0
    sin_voto: int = 0


@dataclass(frozen=True)
class AgreementFact:
    """One agreement of the register (``acuerdos``)."""

    code: str
    text: str
    session: int | None
    registered_on: date | None
    status: Status


@dataclass(frozen=True)
class CommitmentFact:
    """One commitment of the plan (``compromisos``)."""

    code: str
    title: str
    level: Level
    share: Fraction  # weighted share of milestones done, 0 … 1
    registered_on: date | None = None


@dataclass(frozen=True)
class MinutesFact:
    """One held session's minutes (``actas``)."""

    session: int
    day: date
    sending: str  # one of SENDING_LABELS
    signed: bool


@dataclass(frozen=True)
class MonthLine:
    """One month of the term: sessions held in it."""

    month: Month
    ordinary: int
    extraordinary: int
    closed: bool  # the month had ended by the report's day
    in_term_days: int  # days of the month inside the term (a partial first/last month)

    @property
    def total(self) -> int:
        """Sessions held in the month."""
        return self.ordinary + self.extraordinary

    @property
    def short(self) -> bool:
        """R6: a month that ended without an ordinary session held."""
        return self.closed and self.ordinary == 0


@dataclass(frozen=True)
class SeatLine:
    """One seat's attendance over the term's held sessions."""

    seat_key: str
    seat: str
    sessions: int  # held sessions with a roll call for this seat
    titular: int
    substitute: int

    @property
    def present(self) -> int:
        """Sessions the seat was represented at."""
        return self.titular + self.substitute

    @property
    def absent(self) -> int:
        """Sessions the seat missed."""
        return self.sessions - self.present

    @property
    def share(self) -> Fraction:
        """Attendance as a fraction (0 with no sessions)."""
        return Fraction(self.present, self.sessions) if self.sessions else Fraction(0)

    @property
    def percent(self) -> int:
        """Attendance in whole percent, rounded down (``domain.follow_up_report``)."""
        return percent(self.share)


@dataclass(frozen=True)
class VoteLine:
    """One vote as the report lists it."""

    number: int
    session: int | None
    kind: str
    subject: str
    outcome: str  # the R12 outcome, or "abierta"
    a_favor: int
    en_contra: int
    abstencion: int
    sin_voto: int


@dataclass(frozen=True)
class TermReport:
    """Everything the term report shows, as plain values (``bot.term_files`` lays it out)."""

    secretariat: str
    term: Term
    time_zone: str
    as_of: str  # "2027-08-20 12:30": the record's latest change, local (the report's cut)
    today: date
    months: tuple[MonthLine, ...]
    sessions: tuple[SessionFact, ...]  # the term's held sessions, in order
    seats: tuple[SeatLine, ...]
    votes: tuple[VoteLine, ...]
    agreements: tuple[AgreementFact, ...]
    commitments: tuple[CommitmentFact, ...]
    minutes: tuple[MinutesFact, ...]

    @property
    def held(self) -> int:
        """Sessions held in the term."""
        return len(self.sessions)

    @property
    def ordinary(self) -> int:
        """Ordinary sessions held in the term."""
        return sum(m.ordinary for m in self.months)

    @property
    def extraordinary(self) -> int:
        """Extraordinary sessions held in the term."""
        return sum(m.extraordinary for m in self.months)

    @property
    def without_quorum(self) -> int:
        """Held sessions recorded without quorum (R9)."""
        return sum(not s.installed for s in self.sessions)

    @property
    def short_months(self) -> tuple[Month, ...]:
        """Ended months of the term without an ordinary session held (R6)."""
        return tuple(m.month for m in self.months if m.short)

    @property
    def outcome_counts(self) -> dict[str, int]:
        """Votes per outcome, in the order first met (R12), open ones as ``abierta``."""
        return dict(Counter(v.outcome for v in self.votes))

    @property
    def status_counts(self) -> dict[Status, int]:
        """Agreements per status, every status listed (R16)."""
        counts = Counter(a.status for a in self.agreements)
        return {status: counts[status] for status in Status}

    @property
    def level_counts(self) -> dict[Level, int]:
        """Commitments per level, every level listed (R16a)."""
        counts = Counter(c.level for c in self.commitments)
        return {level: counts[level] for level in Level}

    @property
    def sending_counts(self) -> dict[str, int]:
        """Minutes per R15 status, every status listed."""
        counts = Counter(m.sending for m in self.minutes)
        return {key: counts[key] for key in SENDING_LABELS}

    @property
    def signed_minutes(self) -> int:
        """Held sessions of the term whose minutes are signed (R14)."""
        return sum(m.signed for m in self.minutes)


def _in_term_days(month: Month, term: Term) -> int:
    first = max(month.first_day, term.start)
    last = min(month.last_day, term.end)
    return (last - first).days + 1


def build(
    *,
    secretariat: str,
    term: Term,
    time_zone: str,
    as_of: str,
    today: date,
    sessions: Iterable[SessionFact],
    attendance: Iterable[AttendanceFact],
    votes: Iterable[VoteFact],
    agreements: Iterable[AgreementFact],
    commitments: Iterable[CommitmentFact],
    minutes: Iterable[MinutesFact],
) -> TermReport:
    """The report of ``term`` from the record's facts (anything outside the term is left
    out here, so callers pass the whole record).

    ``today`` (the secretariat's local date) only says which months have ended (R6).
    """
    held = sorted(
        (s for s in sessions if s.held and s.day in term), key=lambda s: (s.day, s.number)
    )
    numbers = {s.number for s in held}
    per_month: dict[Month, Counter[str]] = {m: Counter() for m in term.months}
    for s in held:
        per_month[month_of(s.day)][s.kind] += 1
    months = tuple(
        MonthLine(
            month=m,
            ordinary=counts["ordinaria"],
            extraordinary=counts["extraordinaria"],
            closed=min(m.last_day, term.end) < today,
            in_term_days=_in_term_days(m, term),
        )
        for m, counts in per_month.items()
    )
    seat_names: dict[str, str] = {}
    tally: dict[str, Counter[str]] = {}
    seen: set[tuple[int, str]] = set()
    for a in attendance:
        if a.session not in numbers or (a.session, a.seat_key) in seen:
            continue
        seen.add((a.session, a.seat_key))
        seat_names.setdefault(a.seat_key, a.seat)
        counts = tally.setdefault(a.seat_key, Counter())
        counts["sessions"] += 1
        if a.present:
            counts["suplente" if a.role == "suplente" else "titular"] += 1
    seats = tuple(
        SeatLine(key, seat_names[key], c["sessions"], c["titular"], c["suplente"])
        for key, c in tally.items()
    )
    vote_lines = tuple(
        VoteLine(
            v.number,
            v.session,
            v.kind,
            v.subject,
            v.outcome or OPEN_VOTE,
            v.a_favor,
            v.en_contra,
            v.abstencion,
            v.sin_voto,
        )
        for v in sorted(votes, key=lambda v: v.number)
        if (v.session in numbers)
        or (v.session is None and v.opened_on is not None and v.opened_on in term)
    )
    agreement_facts = tuple(
        a
        for a in agreements
        if (a.registered_on in term) or (a.registered_on is None and a.session in numbers)
    )
    commitment_facts = tuple(
        c for c in commitments if c.registered_on is None or c.registered_on <= term.end
    )
    minutes_facts = tuple(
        sorted((m for m in minutes if m.session in numbers), key=lambda m: m.session)
    )
    return TermReport(
        secretariat=secretariat,
        term=term,
        time_zone=time_zone,
        as_of=as_of,
        today=today,
        months=months,
        sessions=tuple(held),
        seats=seats,
        votes=vote_lines,
        agreements=agreement_facts,
        commitments=commitment_facts,
        minutes=minutes_facts,
    )


# -- from the open datasets -------------------------------------------------------------


def _local_day(moment: datetime | None, tz: str) -> date | None:
    return moment.astimezone(ZoneInfo(tz)).date() if moment is not None else None


def facts_from_tables(
    tables: Mapping[str, Sequence[Mapping[str, Any]]], *, time_zone: str
) -> dict[str, tuple[Any, ...]]:
    """The facts :func:`build` takes, from the rows of the open datasets (R19 d).

    ``tables`` maps dataset names (``sesiones``, ``asistencia``, ``votaciones``,
    ``acuerdos``, ``compromisos``, ``actas``) to their rows with typed values, as
    ``storage.services.open_data.every_dataset`` gives them; the result's keys are
    :func:`build`'s keyword arguments.
    """
    sessions = tuple(
        SessionFact(
            number=r["numero"],
            title=r["titulo"] or "",
            kind=r["tipo"],
            state=r["estado"],
            day=r["fecha"],
            installed=r["instalada_en"] is not None,
        )
        for r in tables.get("sesiones", ())
        if r["fecha"] is not None and (r["estado"] in _HELD_STATES or r["instalada_en"])
    )
    attendance = tuple(
        AttendanceFact(
            r["sesion"], r["asiento_clave"], r["asiento"], bool(r["asistio"]), r["calidad"]
        )
        for r in tables.get("asistencia", ())
    )
    folded: dict[int, dict[str, Any]] = {}
    for r in tables.get("votaciones", ()):
        vote = folded.setdefault(
            r["votacion"],
            {
                "number": r["votacion"],
                "session": r["sesion"],
                "kind": r["tipo"],
                "subject": r["asunto"] or "",
                "opened_on": _local_day(r["abierta_en"], time_zone),
                "outcome": r["resultado"],
                "a_favor": 0,
                "en_contra": 0,
                "abstencion": 0,
                "sin_voto": 0,
            },
        )
        if r["voto"] in ("a_favor", "en_contra", "abstencion", "sin_voto"):
            vote[r["voto"]] += 1
    votes = tuple(VoteFact(**v) for v in folded.values())
    agreements = tuple(
        AgreementFact(
            r["codigo"],
            r["texto"] or "",
            r["sesion"],
            _local_day(r["registrado_en"], time_zone),
            Status(r["estado"]),
        )
        for r in tables.get("acuerdos", ())
    )
    commitments = tuple(
        CommitmentFact(
            r["clave"],
            r["titulo"] or "",
            Level(r["nivel"]),
            _share(r["avance"]),
            _local_day(r["registrado_en"], time_zone),
        )
        for r in tables.get("compromisos", ())
    )
    minutes = tuple(
        MinutesFact(r["sesion"], r["fecha"], r["estado_envio"], r["estado_acta"] == "firmada")
        for r in tables.get("actas", ())
        if r["fecha"] is not None and r["estado_envio"] in SENDING_LABELS
    )
    return {
        "sessions": sessions,
        "attendance": attendance,
        "votes": votes,
        "agreements": agreements,
        "commitments": commitments,
        "minutes": minutes,
    }


def _share(value: object) -> Fraction:
    """The ``avance`` column (percent, 0 … 100, one decimal) as a fraction 0 … 1."""
    if value is None:
        return Fraction(0)
    return min(max(Fraction(str(value)) / 100, Fraction(0)), Fraction(1))


# -- charts -----------------------------------------------------------------------------

#: Every bar of the term's own charts has one fill (the plan's dark blue); only the
#: levels chart colours by level. ``Bar.level`` is what picks a bar's fill.
_ONE_COLOUR = Level.COMPLETO
_COUNT_TRACK_X = 150.0
_COUNT_TRACK_WIDTH = 380.0
_ROW = 18.0
_BAR = 12.0
_EDGE = 4.0


def count_chart(rows: Sequence[tuple[str, int]]) -> report_chart.Chart:
    """One bar per ``(label, count)`` row, the longest bar the largest count."""
    most = max((max(count, 0) for _, count in rows), default=0)
    bars = []
    for index, (label, count) in enumerate(rows):
        count = max(count, 0)
        y = round(_EDGE + index * _ROW + (_ROW - _BAR) / 2, 2)
        width = _COUNT_TRACK_WIDTH * Fraction(count, most) if most else Fraction(0)
        bars.append(
            report_chart.Bar(
                label=report_chart.clip(label, 26),
                label_x=0.0,
                text_y=round(y + _BAR - 2.5, 2),
                x=_COUNT_TRACK_X,
                y=y,
                width=round(float(width), 2),
                track_width=_COUNT_TRACK_WIDTH,
                height=_BAR,
                value_x=round(_COUNT_TRACK_X + float(width) + 6, 2),
                value=str(count),
                level=_ONE_COLOUR,
            )
        )
    height = _EDGE + len(rows) * _ROW + _EDGE
    return report_chart.Chart(
        report_chart.WIDTH, height, tuple(bars), (), _EDGE, height - _EDGE, tracks=False
    )


def share_chart(rows: Sequence[tuple[str, Fraction]]) -> report_chart.Chart:
    """One bar per ``(label, share)`` row over a 100 % track, labelled in percent."""
    bars = []
    top = 16.0
    for index, (label, share) in enumerate(rows):
        share = min(max(share, Fraction(0)), Fraction(1))
        y = round(top + index * _ROW + (_ROW - _BAR) / 2, 2)
        bars.append(
            report_chart.Bar(
                label=report_chart.clip(label, 26),
                label_x=0.0,
                text_y=round(y + _BAR - 2.5, 2),
                x=_COUNT_TRACK_X,
                y=y,
                width=round(float(share * Fraction(_COUNT_TRACK_WIDTH)), 2),
                track_width=_COUNT_TRACK_WIDTH,
                height=_BAR,
                value_x=_COUNT_TRACK_X + _COUNT_TRACK_WIDTH + 6,
                value=f"{percent(share)} %",
                level=_ONE_COLOUR,
            )
        )
    bottom = top + len(rows) * _ROW
    ticks = tuple(
        report_chart.Tick(round(_COUNT_TRACK_X + _COUNT_TRACK_WIDTH * p / 100, 2), f"{p} %")
        for p in (0, 50, 100)
    )
    return report_chart.Chart(
        report_chart.WIDTH, bottom + _EDGE, tuple(bars), ticks, top - 4, bottom, tracks=True
    )


@dataclass(frozen=True)
class Charts:
    """The term report's charts, each with its title (the PDF draws SVG, the DOCX PNG)."""

    items: tuple[tuple[str, report_chart.Chart], ...]


def charts(report: TermReport) -> Charts:
    """Sessions per month, attendance per seat, agreements by status, commitments by level,
    minutes by R15 status: one chart each, leaving out those with nothing to draw."""
    items: list[tuple[str, report_chart.Chart]] = [
        (
            "Sesiones celebradas por mes",
            count_chart([(m.month.label, m.total) for m in report.months]),
        )
    ]
    if report.seats:
        items.append(
            (
                "Asistencia por asiento (sesiones con representación)",
                share_chart([(s.seat, s.share) for s in report.seats]),
            )
        )
    if report.agreements:
        items.append(
            (
                "Acuerdos por estado",
                count_chart([(s.label, n) for s, n in report.status_counts.items()]),
            )
        )
    if report.commitments:
        items.append(("Compromisos por nivel", report_chart.level_chart(report.level_counts)))
    if report.minutes:
        items.append(
            (
                "Actas por envío al organismo garante",
                count_chart([(SENDING_LABELS[k], n) for k, n in report.sending_counts.items()]),
            )
        )
    return Charts(tuple(items))


def filename(term: Term, extension: str) -> str:
    """``informe-periodo-2024-09-01-a-2027-08-31.pdf``."""
    safe = _SAFE.sub("", extension)
    return f"informe-periodo-{term.start.isoformat()}-a-{term.end.isoformat()}.{safe}"
