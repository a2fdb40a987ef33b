"""Removal of a member's designation (R4; seed I.3), without I/O.

A member's designation ends only by a vote of the members at the next session, on a
request backed by at least two members: a titular or substitute of **two different
seats** (a seat's titular and substitute count as one seat). The facilitator may not
sponsor, observers hold no seat (R2) and the person concerned may not sponsor the request
against them. The request names the member and the reasons. Once the second seat backs
it, the item ``Propuesta de remoción de <nombre>`` goes onto the agenda of the next
session convened; in that session its vote is among the seats present (R13), decided by
R12; an approved removal deactivates the roster entry (R21: the Telegram id is erased,
history kept).

States::

    solicitada ──(a second seat backs it)──▶ respaldada ──(convocation sent)──▶ en_agenda
        │                                        │                                │
        │ the requester leaves: retirada         │ the member concerned leaves the roster
        └──────────────────────────────────────── ┴──▶ caducada              vote closes:
                                                                      aprobada / rechazada

This module decides who may sponsor, when a request is backed, what the next state is
and how the request reads on an agenda and in its vote; storage applies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import (
    AlreadyRecorded,
    ConcernedCannotSponsor,
    FacilitatorCannotSponsor,
    NotRemovable,
    ObserverCannotSponsor,
    RemovalAlreadyBacked,
    RemovalClosed,
    RemovalReasonTooLong,
    SameSeatSponsor,
    Usage,
)
from domain.numbers import ascii_number
from domain.roles import Role
from domain.text import one_line

__all__ = [
    "BACK_LABEL",
    "MAX_REASON",
    "OPEN",
    "REQUIRED_SEATS",
    "Person",
    "State",
    "agenda_item",
    "check_removable",
    "check_requester",
    "check_sponsor",
    "clean_reason",
    "is_backed",
    "lapse",
    "outcome_state",
    "parse_request",
    "vote_text",
]

#: R4: "respaldada por al menos dos integrantes" of two different seats.
REQUIRED_SEATS = 2
#: The reasons are a paragraph or two (the detail is argued in the session).
MAX_REASON = 1000
#: The button the other seats' members press (commands.md).
BACK_LABEL = "Respaldo la solicitud"


class State(StrEnum):
    """Where a removal request stands (see the module's diagram)."""

    SOLICITADA = "solicitada"
    RESPALDADA = "respaldada"
    EN_AGENDA = "en_agenda"
    APROBADA = "aprobada"
    RECHAZADA = "rechazada"
    RETIRADA = "retirada"
    CADUCADA = "caducada"

    @property
    def label(self) -> str:
        """How chat names the state (es-MX)."""
        return _LABELS[self]


_LABELS = {
    State.SOLICITADA: "solicitada, espera respaldo",
    State.RESPALDADA: "respaldada, va a la próxima sesión",
    State.EN_AGENDA: "en el orden del día",
    State.APROBADA: "aprobada",
    State.RECHAZADA: "rechazada",
    State.RETIRADA: "retirada",
    State.CADUCADA: "caducada",
}

#: Requests still open: at most one per member concerned.
OPEN = frozenset({State.SOLICITADA, State.RESPALDADA, State.EN_AGENDA})


@dataclass(frozen=True)
class Person:
    """A roster entry as R4 sees it: who, in which role, for which seat."""

    member_id: int
    role: Role
    seat_id: int | None
    seat_name: str | None = None


def clean_reason(raw: str) -> str:
    """The reasons on one line, or the refusal: empty is the usage (R4 requires them),
    over :data:`MAX_REASON` characters is refused, not cut."""
    reason = one_line(raw)
    if not reason:
        raise Usage("remocion")
    if len(reason) > MAX_REASON:
        raise RemovalReasonTooLong(MAX_REASON, len(reason))
    return reason


def parse_request(text: str) -> tuple[int, str]:
    """``/remocion 7 motivo…`` → ``(7, "motivo…")`` (also ``#7``); the usage otherwise.

    Only ASCII digits count as the member's number (as ``/baja`` reads it), and the reasons
    are required (R4: the request names the member *and* the reasons).
    """
    parts = text.split(maxsplit=1)
    number = ascii_number(parts[0].removeprefix("#"), max_digits=9) if parts else None
    if number is None or number < 1:
        raise Usage("remocion")
    return number, clean_reason(parts[1] if len(parts) > 1 else "")


def check_removable(concerned: Person, number: int) -> None:
    """Only a seat's titular or substitute holds a designation R4 ends."""
    if concerned.role not in (Role.TITULAR, Role.SUPLENTE) or concerned.seat_id is None:
        raise NotRemovable(number, concerned.role.value)


def _check_role(person: Person) -> None:
    if person.role is Role.FACILITADOR:
        raise FacilitatorCannotSponsor()
    if person.role not in (Role.TITULAR, Role.SUPLENTE) or person.seat_id is None:
        raise ObserverCannotSponsor()


def check_requester(requester: Person, concerned: Person) -> None:
    """The one who starts a request is its first sponsor: R4's limits apply to them."""
    _check_role(requester)
    if requester.member_id == concerned.member_id:
        raise ConcernedCannotSponsor()


def check_sponsor(
    sponsor: Person,
    *,
    concerned: Person,
    sponsors: Iterable[Person],
    state: State,
    request: int,
) -> None:
    """Whether ``sponsor`` may back the request now; raises the refusal that applies.

    A second press by the same person is a double press (nothing changes); a request
    already backed or closed takes no backing; then R4's limits: not the facilitator, not
    an observer, not the person concerned, and not the seat that already sponsors it.
    """
    existing = list(sponsors)
    if any(s.member_id == sponsor.member_id for s in existing):
        raise AlreadyRecorded(BACK_LABEL)
    if state not in OPEN:
        raise RemovalClosed(request, state.label)
    if state is not State.SOLICITADA:
        raise RemovalAlreadyBacked(request)
    _check_role(sponsor)
    if sponsor.member_id == concerned.member_id:
        raise ConcernedCannotSponsor()
    same = next((s for s in existing if s.seat_id == sponsor.seat_id), None)
    if same is not None:
        raise SameSeatSponsor(sponsor.seat_name or same.seat_name or "", request)


def is_backed(sponsors: Iterable[Person]) -> bool:
    """R4: sponsors of at least two different seats (titular and substitute are one)."""
    seats = {s.seat_id for s in sponsors if s.seat_id is not None}
    return len(seats) >= REQUIRED_SEATS


def outcome_state(approved: bool) -> State:
    """The vote decides (R12): an approved removal, or a rejected one (a tie rejects)."""
    return State.APROBADA if approved else State.RECHAZADA


def lapse(state: State, *, concerned_left: bool, requester_left: bool) -> State:
    """What happens to a request when someone leaves the roster before it is decided.

    The member concerned leaving ends every open request against them (``caducada``);
    the requester leaving before any other seat backed it withdraws it (``retirada``).
    A decided request never changes.
    """
    if state not in OPEN:
        return state
    if concerned_left:
        return State.CADUCADA
    if requester_left and state is State.SOLICITADA:
        return State.RETIRADA
    return state


def agenda_item(name: str) -> str:
    """R4's agenda item: ``"Propuesta de remoción de <nombre>"``."""
    return f"Propuesta de remoción de {one_line(name)}"


def vote_text(name: str, seat: str | None, role: str, reason: str) -> str:
    """What the session votes on: the member, their designation and the reasons."""
    held = f"{role} de {seat}" if seat else role
    return f"Remoción de {one_line(name)} ({held}). Motivo: {one_line(reason)}"
