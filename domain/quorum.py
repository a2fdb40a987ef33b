"""Quorum (R9): how many seats must be represented to install a session.

Seats are represented by their titular or, in their place, their substitute (R3); the
facilitator and observers never count (R2).
"""

from __future__ import annotations

from enum import StrEnum


class QuorumRule(StrEnum):
    """The two readings of the act's "50 % más 1" (III.2)."""

    MAYORIA = "mayoria"  # floor(n/2) + 1: 3 of 5, 4 of 6, 4 of 7 (default)
    ESTRICTO = "estricto"  # ceil(n/2 + 1): 4 of 5, 4 of 6, 5 of 7


class QuorumBase(StrEnum):
    """What the denominator counts (R9)."""

    ASIENTOS = "asientos"  # established voting seats (default)
    OCUPADOS = "ocupados"  # seats that currently have a titular


def quorum_required(seats: int, rule: QuorumRule = QuorumRule.MAYORIA) -> int:
    """Seats that must be represented for quorum among ``seats`` (R9).

    ``ceil(n/2 + 1)`` is computed in integers as ``n // 2 + 1`` for even ``n`` and
    ``n // 2 + 2`` for odd ``n``, so no float rounding can creep in.
    """
    if seats < 0:
        raise ValueError("seats must be >= 0")
    if rule is QuorumRule.MAYORIA:
        return seats // 2 + 1
    return seats // 2 + 1 + (seats % 2)


def quorum_denominator(established: int, filled: int, base: QuorumBase) -> int:
    """The number of seats quorum is measured against (R9 setting ``quorum_base``)."""
    return established if base is QuorumBase.ASIENTOS else filled
