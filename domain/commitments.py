"""What people type for the action plan (R16a): codes, ``/compromiso``'s field lines,
``/hito``'s weight, ``/avance`` and ``/nivel``.

The level rules themselves live in :mod:`domain.action_plan`; this module turns chat
text into typed requests, or one Spanish refusal naming the valid syntax, so that bad
input never reaches storage. Codes are ``C-<n>`` for a commitment and ``C-<n>.<m>`` for
one of its milestones, read case-insensitively (``c-3.2``) with ASCII digits only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.action_plan import MAX_WEIGHT, OGP_VALUES, Level
from domain.errors import (
    BadCommitmentFields,
    BadDate,
    BadWeight,
    MissingLevelReason,
    PlanTextTooLong,
    Usage,
)
from domain.secretariat_settings import parse_iso_date
from domain.text import one_line

__all__ = [
    "AUTOMATIC",
    "FIELD_NAMES",
    "MAX_EVIDENCE",
    "MAX_FIELD",
    "MAX_MILESTONE_TEXT",
    "MAX_REASON",
    "MAX_TITLE",
    "CommitmentFields",
    "FieldProblem",
    "LevelRequest",
    "MilestoneRequest",
    "ProgressRequest",
    "commitment_code",
    "milestone_code",
    "parse_commitment",
    "parse_commitment_code",
    "parse_level",
    "parse_milestone",
    "parse_milestone_code",
    "parse_ogp_values",
    "parse_progress",
]

MAX_TITLE = 300  # a commitment's title is a headline, not its description
MAX_FIELD = 2000  # problem, objective, institution, supporters
MAX_MILESTONE_TEXT = 500
MAX_EVIDENCE = 500  # a link or a short note; documents live where the link points
MAX_REASON = 500

_COMMITMENT = re.compile(r"C-([0-9]{1,6})", re.ASCII | re.IGNORECASE)
_MILESTONE = re.compile(r"C-([0-9]{1,6})\.([0-9]{1,4})", re.ASCII | re.IGNORECASE)
_FIELD_LINE = re.compile(r"([^\s:]+)\s*:\s*(.*)")
_NUMBERLIKE = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?", re.ASCII)

#: ``/compromiso``'s field lines, in the order the usage shows them, and what they fill.
FIELD_NAMES = {
    "problema": "problem",
    "objetivo": "objective",
    "responsable": "institution",
    "apoyo": "supporters",
    "inicio": "starts_on",
    "fin": "ends_on",
    "valores": "ogp_values",
}


def _fold(text: str) -> str:
    """Lower case, accents dropped, ``_`` and whitespace runs as one space: how a name or a
    value is compared (``Participacion_Ciudadana`` is ``participación ciudadana``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("_", " ").lower())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.split())


_OGP_BY_FOLD = {_fold(value): value for value in OGP_VALUES}
_FIELD_BY_FOLD = {_fold(name): name for name in FIELD_NAMES}


def commitment_code(number: int) -> str:
    """``commitment_code(3) == "C-3"``."""
    return f"C-{number}"


def milestone_code(commitment: int, number: int) -> str:
    """``milestone_code(3, 2) == "C-3.2"``."""
    return f"C-{commitment}.{number}"


def parse_commitment_code(raw: str) -> int | None:
    """``"c-3"`` → 3; anything else (a milestone code, other digits) → ``None``."""
    match = _COMMITMENT.fullmatch(raw.strip())
    if match is None or int(match[1]) < 1:
        return None
    return int(match[1])


def parse_milestone_code(raw: str) -> tuple[int, int] | None:
    """``"C-3.2"`` → ``(3, 2)``; anything else → ``None``."""
    match = _MILESTONE.fullmatch(raw.strip())
    if match is None or int(match[1]) < 1 or int(match[2]) < 1:
        return None
    return int(match[1]), int(match[2])


class FieldProblem(StrEnum):
    """Why ``/compromiso``'s text was refused; the refusal's template words each one."""

    NOT_A_FIELD = "not_a_field"  # a line that is not ``campo: valor``
    UNKNOWN = "unknown"  # a field name /compromiso does not have
    REPEATED = "repeated"
    EMPTY = "empty"  # ``problema:`` with nothing after it
    BAD_DATE = "bad_date"
    ENDS_BEFORE_START = "ends_before_start"
    UNKNOWN_VALUE = "unknown_value"  # not one of OGP_VALUES
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class CommitmentFields:
    """A commitment as typed: the title and the optional OGP fields (R16a)."""

    title: str
    problem: str | None = None
    objective: str | None = None
    institution: str | None = None  # the text typed; the service checks it for a seat clave
    supporters: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    ogp_values: tuple[str, ...] = ()


def parse_ogp_values(raw: str) -> tuple[str, ...]:
    """``"Transparencia, rendicion de cuentas"`` → the canonical values, in R16a's order.

    Case, accents and ``_`` are forgiven; an unknown value is refused by name.
    """
    chosen: set[str] = set()
    for part in raw.split(","):
        folded = _fold(part)
        if not folded:
            continue
        value = _OGP_BY_FOLD.get(folded)
        if value is None:
            raise BadCommitmentFields(FieldProblem.UNKNOWN_VALUE.value, one_line(part)[:60])
        chosen.add(value)
    if not chosen:
        raise BadCommitmentFields(FieldProblem.EMPTY.value, "valores")
    return tuple(v for v in OGP_VALUES if v in chosen)


def parse_commitment(text: str) -> CommitmentFields:
    """``/compromiso``'s text: the title on the first line, then ``campo: valor`` lines.

    Refuses (changing nothing) a missing title (the usage), a line that is no field, an
    unknown or repeated field, an empty value, a bad date, ``fin`` before ``inicio``,
    an OGP value outside R16a's three, and anything over its length limit.
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise Usage("compromiso")
    first = _FIELD_LINE.fullmatch(lines[0])
    if first is not None and _fold(first[1]) in _FIELD_BY_FOLD:
        raise Usage("compromiso")  # fields but no title
    title = one_line(lines[0])
    if len(title) > MAX_TITLE:
        raise BadCommitmentFields(FieldProblem.TOO_LONG.value, "título", MAX_TITLE)
    values: dict[str, object] = {}
    for line in lines[1:]:
        match = _FIELD_LINE.fullmatch(line)
        if match is None:
            raise BadCommitmentFields(FieldProblem.NOT_A_FIELD.value, one_line(line)[:60])
        name = _FIELD_BY_FOLD.get(_fold(match[1]))
        if name is None:
            raise BadCommitmentFields(FieldProblem.UNKNOWN.value, one_line(match[1])[:30])
        attribute = FIELD_NAMES[name]
        if attribute in values:
            raise BadCommitmentFields(FieldProblem.REPEATED.value, name)
        raw = one_line(match[2])
        if not raw:
            raise BadCommitmentFields(FieldProblem.EMPTY.value, name)
        values[attribute] = _field_value(name, raw)
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        raise BadCommitmentFields(
            FieldProblem.ENDS_BEFORE_START.value, f"{starts.isoformat()} → {ends.isoformat()}"
        )
    return CommitmentFields(title=title, **values)  # type: ignore[arg-type]


def _field_value(name: str, raw: str) -> object:
    if name in ("inicio", "fin"):
        try:
            return parse_iso_date(raw)
        except ValueError:
            raise BadCommitmentFields(FieldProblem.BAD_DATE.value, f"{name}: {raw[:30]}") from None
    if name == "valores":
        return parse_ogp_values(raw)
    if len(raw) > MAX_FIELD:
        raise BadCommitmentFields(FieldProblem.TOO_LONG.value, name, MAX_FIELD)
    return raw


@dataclass(frozen=True)
class MilestoneRequest:
    """``/hito <C-n> <AAAA-MM-DD> [peso] <texto>``."""

    commitment: str  # the code as typed; the service looks it up (and names it if unknown)
    due: date
    weight: int
    text: str


def parse_milestone(text: str) -> MilestoneRequest:
    """Parse ``/hito``. A third word that looks like a number is the weight, and must be a
    whole number 1 … ``MAX_WEIGHT`` (``0``, ``1.5`` or ``500`` are refused, not read as
    text); without it the weight is 1."""
    words = text.split()
    if len(words) < 3:
        raise Usage("hito")
    code, raw_date, rest = words[0], words[1], words[2:]
    try:
        due = parse_iso_date(raw_date)
    except ValueError:
        raise BadDate(raw_date[:30]) from None
    weight = 1
    if _NUMBERLIKE.fullmatch(rest[0]):
        raw_weight = rest[0]
        if not raw_weight.isdigit() or not 1 <= int(raw_weight) <= MAX_WEIGHT:
            raise BadWeight(raw_weight[:12], MAX_WEIGHT)
        weight, rest = int(raw_weight), rest[1:]
    body = one_line(" ".join(rest))
    if not body:
        raise Usage("hito")
    if len(body) > MAX_MILESTONE_TEXT:
        raise PlanTextTooLong("el texto del hito", MAX_MILESTONE_TEXT)
    return MilestoneRequest(code, due, weight, body)


@dataclass(frozen=True)
class ProgressRequest:
    """``/avance <C-n.m> <hecho|pendiente> [evidencia: enlace o nota]``."""

    milestone: str
    done: bool
    evidence: str | None


_STATES = {"hecho": True, "pendiente": False}


def parse_progress(text: str) -> ProgressRequest:
    """Parse ``/avance``; the evidence may start with ``evidencia:`` (dropped)."""
    words = text.split(maxsplit=2)
    if len(words) < 2 or _fold(words[1]) not in _STATES:
        raise Usage("avance")
    evidence = one_line(words[2]) if len(words) > 2 else ""
    match = _FIELD_LINE.fullmatch(evidence)
    if match is not None and _fold(match[1]) == "evidencia":
        evidence = match[2].strip()
    if len(evidence) > MAX_EVIDENCE:
        raise PlanTextTooLong("la evidencia", MAX_EVIDENCE)
    return ProgressRequest(words[0], _STATES[_fold(words[1])], evidence or None)


#: ``/nivel <C-n> auto`` returns the level to R16a's rule (the weighted share).
AUTOMATIC = ("auto", "automatico")


@dataclass(frozen=True)
class LevelRequest:
    """``/nivel <C-n> <nivel> <motivo>``; ``level`` is ``None`` for ``auto``."""

    commitment: str
    level: Level | None
    reason: str | None


def parse_level(text: str) -> LevelRequest:
    """Parse ``/nivel``: a level by hand needs its reason (R16a); ``auto`` does not."""
    words = text.split(maxsplit=2)
    if len(words) < 2:
        raise Usage("nivel")
    word = _fold(words[1]).replace(" ", "_")
    reason = one_line(words[2]) if len(words) > 2 else ""
    if len(reason) > MAX_REASON:
        raise PlanTextTooLong("el motivo", MAX_REASON)
    if word in AUTOMATIC:
        return LevelRequest(words[0], None, reason or None)
    try:
        level = Level(word)
    except ValueError:
        raise Usage("nivel") from None
    if not reason:
        raise MissingLevelReason(words[0].strip()[:20])
    return LevelRequest(words[0], level, reason)
