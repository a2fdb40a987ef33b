"""Attendance: RSVPs with substitutes (R3), quorum status (R9) and roll call (R9).

A seat is represented by its titular or, in their place, its substitute (R3). The
titular's latest answer rules; a substitute's answer counts only when it was given
after the titular's latest delegation ("Asistirá mi suplente", or "No asistiré" on a
seat that has a substitute), so a stale "yes" from an earlier round never confirms a
seat. The facilitator and observers never count (R2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.quorum import QuorumBase, QuorumRule, quorum_denominator, quorum_required

__all__ = [
    "Answer",
    "QuorumForecast",
    "SeatState",
    "SubstituteAnswer",
    "TitularAnswer",
    "asks_substitute",
    "forecast",
    "quorum_denominator",
    "quorum_required",
    "seat_state",
    "seats_present",
]


class TitularAnswer(StrEnum):
    """The three RSVP buttons of a titular."""

    ASISTIRE = "asistire"  # "Asistiré"
    SUPLENTE = "suplente"  # "Asistirá mi suplente"
    NO_ASISTIRE = "no"  # "No asistiré"


class SubstituteAnswer(StrEnum):
    """The two buttons a substitute gets when asked to cover the seat."""

    SI = "si"  # "Asistiré en representación"
    NO = "no"  # "No podré asistir"


class SeatState(StrEnum):
    """Where a seat stands before the session."""

    TITULAR = "titular"  # the titular confirmed
    SUPLENTE = "suplente"  # the substitute confirmed in representation
    CONSULTANDO = "consultando"  # waiting for the substitute's answer
    DECLINA = "declina"  # nobody will attend
    SIN_RESPUESTA = "sin_respuesta"

    @property
    def confirmed(self) -> bool:
        """Whether the seat counts as confirmed for the quorum forecast."""
        return self in (SeatState.TITULAR, SeatState.SUPLENTE)


@dataclass(frozen=True)
class Answer:
    """One stored answer."""

    value: str
    at: datetime


def asks_substitute(answer: TitularAnswer, has_substitute: bool) -> bool:
    """Whether the titular's answer hands the seat to the substitute (R3)."""
    return answer is TitularAnswer.SUPLENTE or (
        answer is TitularAnswer.NO_ASISTIRE and has_substitute
    )


def seat_state(
    titular: Answer | None, substitute: Answer | None, *, has_substitute: bool
) -> SeatState:
    """The seat's standing from the latest titular and substitute answers (R3)."""
    if titular is None:
        return SeatState.SIN_RESPUESTA
    answer = TitularAnswer(titular.value)
    if answer is TitularAnswer.ASISTIRE:
        return SeatState.TITULAR
    if not asks_substitute(answer, has_substitute):
        return SeatState.DECLINA
    if substitute is None or substitute.at < titular.at:
        return SeatState.CONSULTANDO
    return SeatState.SUPLENTE if substitute.value == SubstituteAnswer.SI else SeatState.DECLINA


@dataclass(frozen=True)
class QuorumForecast:
    """``/quorum``: confirmed seats against the quorum the rule requires (R9)."""

    confirmed: int
    seats: int
    required: int

    @property
    def assured(self) -> bool:
        """ "Quórum asegurado" when the confirmed seats reach the quorum."""
        return self.confirmed >= self.required

    @property
    def missing(self) -> int:
        """Confirmations still needed ("Quórum en riesgo: faltan k confirmaciones")."""
        return max(0, self.required - self.confirmed)


def forecast(
    states: Iterable[SeatState],
    *,
    established: int,
    filled: int,
    rule: QuorumRule,
    base: QuorumBase,
) -> QuorumForecast:
    """Quorum outlook from each seat's state (R9: floor(n/2)+1 or the strict reading)."""
    confirmed = sum(1 for state in states if state.confirmed)
    seats = quorum_denominator(established, filled, base)
    return QuorumForecast(confirmed, seats, quorum_required(seats, rule))


def seats_present(present_seat_ids: Iterable[int | None]) -> int:
    """Seats represented at the roll call: titular or substitute, each seat once (R3, R9)."""
    return len({seat for seat in present_seat_ids if seat is not None})
