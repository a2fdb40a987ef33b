"""Cancelling a convened session (R11): every seat must approve, 24 h ahead.

Approvals are electronic and need every seat (R13), answered by the seat's titular or
substitute (R3; the caller maps answers to seats). The bot stops accepting approvals at
``start − 24 h`` (:func:`approvals_close_at`) so that the cancellation notice can still go
out in time. A single "No apruebo" rejects at once; when every seat has approved the
cancellation is approved at once and the notice goes out. If the window closes first,
the request lapses (``VENCIDA``) and the session stands.

Finality: a decided state (anything but ``PENDIENTE``, see :attr:`CancellationState.final`)
is never re-opened. The caller records an answer only while the state, evaluated at the
moment of the answer, is ``PENDIENTE``; answers after the decision (a late "No apruebo"
after the approval, any answer after the window closed) are refused and not stored. With
that discipline the state evaluated at the decision time equals the state evaluated at any
later time: ``APROBADA`` and ``RECHAZADA`` take precedence over the clock, and ``VENCIDA``
can only follow a window that closed with answers that decided nothing.

All moments must be timezone-aware: the 24 hours are real elapsed hours, and a naive
datetime would silently mix local and UTC clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "APPROVAL_WINDOW",
    "CancellationState",
    "approvals_close_at",
    "can_request",
    "cancellation_state",
]

#: R11: the cancellation notice must go out at least this long before the start.
APPROVAL_WINDOW = timedelta(hours=24)


class CancellationState(StrEnum):
    """Where a cancellation request stands (R11)."""

    PENDIENTE = "pendiente"  # waiting for answers, window open
    APROBADA = "aprobada"  # every seat approved: the session is cancelled
    RECHAZADA = "rechazada"  # some seat answered "No apruebo": the session stands
    VENCIDA = "vencida"  # the window closed without every approval: the session stands

    @property
    def final(self) -> bool:
        """Whether the request is decided; no answer is accepted once it is."""
        return self is not CancellationState.PENDIENTE


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment


def approvals_close_at(session_starts_at: datetime) -> datetime:
    """The moment the bot stops accepting approvals: the start minus 24 h (R11)."""
    return _aware(session_starts_at, "session_starts_at") - APPROVAL_WINDOW


def can_request(now: datetime, starts_at: datetime) -> bool:
    """Whether a cancellation may still be requested: strictly before start − 24 h (R11).

    At exactly ``start − 24 h`` approvals are no longer accepted, so a request made then
    could never be approved.
    """
    return _aware(now, "now") < approvals_close_at(starts_at)


def cancellation_state(
    approvals: Mapping[int, bool],
    seats: Set[int],
    now: datetime,
    starts_at: datetime,
) -> CancellationState:
    """The state of a cancellation request at ``now`` (R11).

    Args:
        approvals: each seat's latest accepted answer: ``True`` for "Apruebo la
            cancelación", ``False`` for "No apruebo". Answers of seats not in ``seats``
            are ignored (the facilitator and observers hold no seat, R2).
        seats: every voting seat of the secretariat; all must approve (R13).
        now: the moment of evaluation.
        starts_at: the session's start.

    Returns:
        ``RECHAZADA`` if any seat said no, ``APROBADA`` if every seat approved (both take
        effect at once and outrank the clock), else ``VENCIDA`` once ``now`` reaches
        start − 24 h, else ``PENDIENTE``.

    Raises:
        ValueError: on naive datetimes, or when there are no seats (unanimity of nobody
            is not an approval).
    """
    close = approvals_close_at(starts_at)
    _aware(now, "now")
    if not seats:
        raise ValueError("a cancellation needs at least one seat to approve it")
    answers = {seat: approvals[seat] for seat in seats if seat in approvals}
    if not all(answers.values()):
        return CancellationState.RECHAZADA  # a single "No apruebo" rejects at once
    if len(answers) == len(seats):
        return CancellationState.APROBADA
    if now >= close:
        return CancellationState.VENCIDA
    return CancellationState.PENDIENTE
