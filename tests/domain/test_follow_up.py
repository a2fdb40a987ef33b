"""Agreements' codes and statuses (R16) and the action plan (R16a): levels and what people
type for it, pure."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.action_plan import (
    MAX_WEIGHT,
    OGP_VALUES,
    Level,
    Milestone,
    level_of,
    progress_bar,
    share_done,
)
from domain.agreements import Code, Status, format_code, next_sequence, page_of, parse_code
from domain.commitments import (
    CommitmentFields,
    FieldProblem,
    LevelRequest,
    MilestoneRequest,
    ProgressRequest,
    commitment_code,
    milestone_code,
    parse_commitment,
    parse_commitment_code,
    parse_level,
    parse_milestone,
    parse_milestone_code,
    parse_progress,
)
from domain.errors import (
    BadCommitmentFields,
    BadDate,
    BadWeight,
    MissingLevelReason,
    PlanTextTooLong,
    Usage,
)


@pytest.mark.parametrize(
    ("year", "sequence", "code"),
    [(2027, 3, "ACU-2027-003"), (2026, 999, "ACU-2026-999"), (2026, 1000, "ACU-2026-1000")],
)
def test_codes(year: int, sequence: int, code: str) -> None:
    assert format_code(year, sequence) == code
    assert parse_code(code) == Code(year, sequence)
    assert parse_code(code.lower()) == Code(year, sequence)


@pytest.mark.parametrize(
    "raw", ["ACU-27-003", "ACU-2027-000", "ACU-٢٠٢٧-003", "C-3", "", "ACU-2027-3"]
)
def test_bad_codes(raw: str) -> None:
    assert parse_code(raw) is None


def test_codes_are_never_reused() -> None:
    assert next_sequence([]) == 1
    assert next_sequence([1, 2, 5]) == 6  # 3 and 4 were cancelled or deleted: not given again


def test_closed_statuses() -> None:
    assert {s for s in Status if s.closed} == {Status.CUMPLIDO, Status.CANCELADO}
    assert Status.EN_PROCESO.label == "en proceso"


@pytest.mark.parametrize(
    ("milestones", "level"),
    [
        ([], Level.NO_INICIADO),
        ([Milestone(1, False)], Level.NO_INICIADO),
        ([Milestone(1, True), Milestone(3, False)], Level.LIMITADO),  # 25 %
        ([Milestone(1, True), Milestone(1, False)], Level.SUSTANCIAL),  # exactly 50 %
        ([Milestone(2, True), Milestone(1, False)], Level.SUSTANCIAL),
        ([Milestone(2, True), Milestone(1, True)], Level.COMPLETO),
    ],
)
def test_level_from_weighted_milestones(milestones: list[Milestone], level: Level) -> None:
    assert level_of(milestones) is level


milestones = st.lists(st.builds(Milestone, st.integers(1, 100), st.booleans()), max_size=12)


@given(milestones, st.data())
def test_marking_a_milestone_done_never_lowers_the_level(
    items: list[Milestone], data: st.DataObject
) -> None:
    """R16a: progress only moves forward when work is done."""
    pending = [i for i, m in enumerate(items) if not m.done]
    if not pending:
        return
    index = data.draw(st.sampled_from(pending))
    after = [Milestone(m.weight, True) if i == index else m for i, m in enumerate(items)]
    assert level_of(after).rank >= level_of(items).rank
    assert share_done(after) > share_done(items)


def test_progress_bar() -> None:
    assert progress_bar(Fraction(0)) == "▱▱▱▱▱▱▱▱▱▱ 0 %"
    assert progress_bar(Fraction(1, 3)) == "▰▰▰▱▱▱▱▱▱▱ 33 %"
    assert progress_bar(Fraction(1)) == "▰▰▰▰▰▰▰▰▰▰ 100 %"


# --- what people type for the action plan (R16a): domain/commitments.py ---------------


@pytest.mark.parametrize(
    ("raw", "number"), [("C-3", 3), ("c-3", 3), (" C-12 ", 12), ("C-0", None), ("C-3.2", None)]
)
def test_commitment_codes(raw: str, number: int | None) -> None:
    assert parse_commitment_code(raw) == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [("C-3.2", (3, 2)), ("c-3.2", (3, 2)), ("C-3", None), ("C-3.0", None), ("C-٣.2", None)],
)
def test_milestone_codes(raw: str, code: tuple[int, int] | None) -> None:
    assert parse_milestone_code(raw) == code
    if code is not None:
        assert milestone_code(*code) == raw.upper()
        assert commitment_code(code[0]) == f"C-{code[0]}"


def test_a_full_commitment() -> None:
    fields = parse_commitment(
        "Presupuesto abierto\n"
        "problema: No se conoce en qué se gasta\n"
        "OBJETIVO:   publicar el presupuesto  cada mes\n"
        "responsable: academia\n"
        "apoyo: Colectivo Zamora Abierta\n"
        "inicio: 2027-01-01\n"
        "fin: 2027-12-31\n"
        "valores: Rendicion de cuentas, transparencia, participacion_ciudadana"
    )
    assert fields == CommitmentFields(
        title="Presupuesto abierto",
        problem="No se conoce en qué se gasta",
        objective="publicar el presupuesto cada mes",
        institution="academia",
        supporters="Colectivo Zamora Abierta",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
        ogp_values=OGP_VALUES,  # canonical spelling, R16a's order
    )


def test_only_a_title() -> None:
    assert parse_commitment("  Mercado   limpio ") == CommitmentFields(title="Mercado limpio")


@pytest.mark.parametrize(
    ("text", "problem", "detail"),
    [
        ("T\nproblema sin dos puntos", FieldProblem.NOT_A_FIELD, "problema sin dos puntos"),
        ("T\npresupuesto: 10", FieldProblem.UNKNOWN, "presupuesto"),
        ("T\nproblema: a\nProblema: b", FieldProblem.REPEATED, "problema"),
        ("T\napoyo:", FieldProblem.EMPTY, "apoyo"),
        ("T\ninicio: 2027-02-30", FieldProblem.BAD_DATE, "inicio: 2027-02-30"),
        ("T\nfin: 31/12/2027", FieldProblem.BAD_DATE, "fin: 31/12/2027"),
        ("T\ninicio: 2027-03-01\nfin: 2027-02-01", FieldProblem.ENDS_BEFORE_START, None),
        ("T\nvalores: transparencia, innovación", FieldProblem.UNKNOWN_VALUE, "innovación"),
        ("T\nvalores: , ,", FieldProblem.EMPTY, "valores"),
        ("T" * 301, FieldProblem.TOO_LONG, "título"),
        ("T\nobjetivo: " + "x" * 2001, FieldProblem.TOO_LONG, "objetivo"),
    ],
)
def test_bad_commitment_fields(text: str, problem: FieldProblem, detail: str | None) -> None:
    """One refusal naming what was wrong; the template adds the valid syntax."""
    with pytest.raises(BadCommitmentFields) as refused:
        parse_commitment(text)
    assert refused.value.problem == problem.value
    if detail is not None:
        assert refused.value.detail == detail


@pytest.mark.parametrize("text", ["", "  \n ", "problema: sin título\nobjetivo: x"])
def test_a_commitment_needs_its_title(text: str) -> None:
    with pytest.raises(Usage):
        parse_commitment(text)


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        (
            "C-3 2027-01-31 Publicar datos",
            MilestoneRequest("C-3", date(2027, 1, 31), 1, "Publicar datos"),
        ),
        (
            "c-3 2027-01-31 3 Tres talleres",
            MilestoneRequest("c-3", date(2027, 1, 31), 3, "Tres talleres"),
        ),
        ("C-3 2027-01-31 100 x", MilestoneRequest("C-3", date(2027, 1, 31), 100, "x")),
    ],
)
def test_milestones(text: str, request_: MilestoneRequest) -> None:
    assert parse_milestone(text) == request_


@pytest.mark.parametrize("raw", ["0", "101", "1.5", "-2", "2,5"])
def test_bad_weights(raw: str) -> None:
    with pytest.raises(BadWeight) as refused:
        parse_milestone(f"C-3 2027-01-31 {raw} texto")
    assert refused.value.raw == raw
    assert refused.value.limit == MAX_WEIGHT


def test_milestone_refusals() -> None:
    with pytest.raises(BadDate):
        parse_milestone("C-3 2027-13-01 texto")
    for text in ("C-3 2027-01-31", "C-3 2027-01-31 2", ""):
        with pytest.raises(Usage):
            parse_milestone(text)
    with pytest.raises(PlanTextTooLong):
        parse_milestone("C-3 2027-01-31 " + "x" * 501)


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("C-3.1 hecho", ProgressRequest("C-3.1", True, None)),
        (
            "c-3.1 HECHO evidencia: https://zamora.gob.mx/a",
            ProgressRequest("c-3.1", True, "https://zamora.gob.mx/a"),
        ),
        ("C-3.1 hecho Oficio 12/2027", ProgressRequest("C-3.1", True, "Oficio 12/2027")),
        ("C-3.1 pendiente se reabrió", ProgressRequest("C-3.1", False, "se reabrió")),
    ],
)
def test_progress(text: str, request_: ProgressRequest) -> None:
    assert parse_progress(text) == request_


@pytest.mark.parametrize("text", ["", "C-3.1", "C-3.1 listo", "C-3.1 cumplido"])
def test_bad_progress(text: str) -> None:
    with pytest.raises(Usage):
        parse_progress(text)


def test_levels_by_hand_need_a_reason_and_auto_does_not() -> None:
    assert parse_level("c-3 Sustancial falta el acta") == LevelRequest(
        "c-3", Level.SUSTANCIAL, "falta el acta"
    )
    assert parse_level("C-3 no_iniciado se suspendió") == LevelRequest(
        "C-3", Level.NO_INICIADO, "se suspendió"
    )
    assert parse_level("C-3 auto") == LevelRequest("C-3", None, None)
    assert parse_level("C-3 automático corregido") == LevelRequest("C-3", None, "corregido")
    with pytest.raises(MissingLevelReason):
        parse_level("C-3 completo")
    for text in ("C-3", "C-3 avanzado motivo", ""):
        with pytest.raises(Usage):
            parse_level(text)


@given(milestones, st.integers(0, 11))
def test_marking_pending_never_raises_the_level(items: list[Milestone], index: int) -> None:
    """R16a's converse: undoing work never raises the level."""
    if index >= len(items) or not items[index].done:
        return
    after = [Milestone(m.weight, False) if i == index else m for i, m in enumerate(items)]
    assert level_of(after).rank <= level_of(items).rank


@given(milestones)
def test_level_is_complete_exactly_when_every_milestone_is_done(items: list[Milestone]) -> None:
    assert (level_of(items) is Level.COMPLETO) == (bool(items) and all(m.done for m in items))


@pytest.mark.parametrize(
    ("total", "requested", "expected"),
    [
        (0, 0, (0, 1, 0, 0)),  # an empty register is one (empty) page
        (15, 0, (0, 1, 0, 15)),
        (16, 1, (1, 2, 15, 16)),
        (17, 99, (1, 2, 15, 17)),  # a stale button past the end: the last page
        (17, -3, (0, 2, 0, 15)),
    ],
)
def test_pages_of_a_list(total: int, requested: int, expected: tuple[int, int, int, int]) -> None:
    page = page_of(total, requested, size=15)
    assert (page.number, page.pages, page.start, page.stop) == expected


@given(st.integers(0, 1000), st.integers(-5, 100), st.integers(1, 50))
def test_pages_cover_every_row_once(total: int, requested: int, size: int) -> None:
    page = page_of(total, requested, size)
    assert 0 <= page.number < page.pages
    assert page.stop - page.start <= size
    pages = [page_of(total, n, size) for n in range(page.pages)]
    assert [i for p in pages for i in range(p.start, p.stop)] == list(range(total))
