"""Which ballot counts for each seat (R3, R13), and who may press a vote button (R2).

Every press is stored (the history says who cast what and when, R3), but exactly one
ballot per seat is ever counted:

- Only the latest ballot of the same voter counts; a member may change their ballot until
  the vote closes (commands.md ``/cerrar``). Ballots are grouped per seat and *role*, so if
  the roster changed mid-vote the latest ballot cast in that role for the seat counts.
- Session vote (R13): only the seats present at the roll call vote, and the seat is voted
  by whoever represents it there: its titular when present, else its substitute (R3).
  A ballot from the other person of the seat is not authorized (:func:`may_vote`) and, if
  stored anyway, is never counted.
- Electronic vote (R3, R13): every eligible seat may vote until the deadline. "The first
  ballot cast for the seat counts, and the titular's own ballot replaces the
  substitute's": once the titular has voted their latest ballot counts, whatever the
  substitute does before or after; until then the substitute's latest ballot counts.
- The facilitator and observers never vote (R2); they have no seat.

Ties on ``at`` between two ballots of the same role and seat are broken by input order
(the later one in the sequence wins), so callers should pass ballots in storage order.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.outcomes import Choice
from domain.roles import VOTING_ROLES, Role

__all__ = [
    "Cast",
    "SeatBallots",
    "VoteKind",
    "counted",
    "may_vote",
    "pending_seats",
    "with_ballot",
]


class VoteKind(StrEnum):
    """Where a vote happens (R13)."""

    SESION = "sesion"  # during an installed session: the seats present vote
    ELECTRONICA = "electronica"  # outside a session: every seat, until the deadline


@dataclass(frozen=True)
class Cast:
    """One stored press of a vote button.

    ``voter_role`` is ``"titular"`` or ``"suplente"`` (a :class:`domain.roles.Role`
    compares equal to those strings); anything else is refused at once, since the
    facilitator and observers never vote (R2).
    """

    seat_id: int
    voter_role: str
    voter_member_id: int
    choice: Choice
    at: datetime

    def __post_init__(self) -> None:
        """Refuse non-voting roles (R2) and unknown choices; stored strings become a Choice."""
        if self.voter_role not in VOTING_ROLES:
            raise ValueError(f"role {self.voter_role!r} never votes (R2)")
        object.__setattr__(self, "choice", Choice(self.choice))


def _check_kind(kind: VoteKind, titular_present: Set[int] | None) -> VoteKind:
    kind = VoteKind(kind)
    if kind is VoteKind.SESION and titular_present is None:
        raise ValueError("a session vote needs the titulars present at the roll call (R13)")
    return kind


def may_vote(
    kind: VoteKind,
    role: str,
    seat_id: int,
    eligible_seats: Set[int],
    titular_present: Set[int] | None = None,
) -> bool:
    """Whether a press of ``role`` for ``seat_id`` is authorized.

    Args:
        kind: session or electronic vote.
        role: the presser's role on the roster: "facilitador", "titular", "suplente",
            "observador" (or a :class:`domain.roles.Role`).
        seat_id: the seat the presser holds.
        eligible_seats: seats that may vote: those present at the roll call in a session
            (R13), every voting seat in an electronic vote.
        titular_present: seats whose titular is present; required for session votes,
            ignored for electronic ones.

    Returns:
        ``False`` for the facilitator and observers (R2) and for non-eligible seats. In a
        session the titular votes when present, the substitute only when the titular is
        not (R3, R13). In an electronic vote both may press; the titular's ballot
        prevails (see :func:`counted`), so a substitute's press after the titular's is
        kept in the history but not counted.
    """
    kind = _check_kind(kind, titular_present)
    if role not in VOTING_ROLES or seat_id not in eligible_seats:
        return False
    if kind is VoteKind.ELECTRONICA:
        return True
    present = titular_present or frozenset()  # never None here: _check_kind
    return (role == Role.TITULAR) == (seat_id in present)


def counted(
    ballots: Iterable[Cast],
    *,
    kind: VoteKind,
    eligible_seats: Set[int],
    titular_present: Set[int] | None = None,
    closes_at: datetime | None = None,
) -> dict[int, Cast]:
    """The ballot that counts for each seat that has one (R3, R13).

    Args:
        ballots: every stored press, in any order.
        kind: session or electronic vote.
        eligible_seats: see :func:`may_vote`; ballots of other seats are ignored.
        titular_present: see :func:`may_vote`; required for session votes.
        closes_at: when given, ballots at or after this moment are ignored: the titular's
            ballot replaces the substitute's only "until the vote closes" (R3).

    Returns:
        Seat id to its counted ballot; seats without one are absent (see
        :func:`pending_seats`).
    """
    kind = _check_kind(kind, titular_present)
    latest: dict[tuple[int, str], Cast] = {}
    for ballot in ballots:
        if closes_at is not None and ballot.at >= closes_at:
            continue
        if not may_vote(kind, ballot.voter_role, ballot.seat_id, eligible_seats, titular_present):
            continue
        key = (ballot.seat_id, str(ballot.voter_role))
        previous = latest.get(key)
        if previous is None or ballot.at >= previous.at:
            latest[key] = ballot  # only the voter's last ballot counts (R3)
    result: dict[int, Cast] = {}
    for seat in sorted({seat for seat, _ in latest}):
        # In a session only one role per seat is authorized; electronically the titular's
        # own ballot replaces the substitute's (R3).
        titular = latest.get((seat, str(Role.TITULAR)))
        result[seat] = titular if titular is not None else latest[(seat, str(Role.SUPLENTE))]
    return result


def pending_seats(
    ballots: Iterable[Cast],
    *,
    kind: VoteKind,
    eligible_seats: Set[int],
    titular_present: Set[int] | None = None,
    closes_at: datetime | None = None,
) -> set[int]:
    """Eligible seats without a counted ballot (``/cerrar``: "every seat has voted" when empty).

    Arguments as for :func:`counted`.
    """
    done = counted(
        ballots,
        kind=kind,
        eligible_seats=eligible_seats,
        titular_present=titular_present,
        closes_at=closes_at,
    )
    return set(eligible_seats) - done.keys()


@dataclass(frozen=True)
class SeatBallots:
    """One seat's latest ballot per role: all an incremental tally needs to keep (R3).

    ``counted`` is the seat's counted ballot: the titular's when there is one, else the
    substitute's — in a session only one of them is ever authorized (R13), and in an
    electronic vote the titular's own ballot replaces the substitute's (R3).
    """

    titular: Cast | None = None
    suplente: Cast | None = None

    @property
    def counted(self) -> Cast | None:
        """The ballot that counts for the seat, if any."""
        return self.titular if self.titular is not None else self.suplente


def with_ballot(seat: SeatBallots, ballot: Cast) -> SeatBallots:
    """The seat after one more authorized press (:func:`may_vote` was checked).

    Only the voter's latest ballot per role counts (R3); a press stamped before the one
    kept (a clock step back) is kept in the history but does not replace it, exactly as
    :func:`counted` orders ballots. Folding every stored press with this function gives
    :func:`counted`'s answer for the seat, so a vote's counts can be updated per press
    instead of re-read from every ballot.
    """
    if ballot.voter_role == Role.TITULAR:
        if seat.titular is None or ballot.at >= seat.titular.at:
            return replace(seat, titular=ballot)
        return seat
    if seat.suplente is None or ballot.at >= seat.suplente.at:
        return replace(seat, suplente=ballot)
    return seat
