"""Outcome of a vote (R12): consensus first, majority of the votes cast where positions differ.

The act (IV) decides by consensus and, only where positions differ, by majority of the
votes cast. Abstentions are recorded (they are public acts, R21) but are neither for nor
against, so they never tip a majority.

Reading encoded here for abstentions and consensus: consensus means that **every** ballot
says the same thing. ``[A favor, Abstención]`` is therefore not a consensus, because not
all ballots are "A favor" (R12's wording), yet nobody is against: it is ``Aprobado por
mayoría`` (1 to 0). Likewise ``[En contra, Abstención]`` is ``Rechazado por mayoría``. An
abstention thus never blocks a decision, it only downgrades "consenso" to "mayoría" so
that the record shows that not every seat backed it. Only abstentions, or no ballots at
all, give ``Empate: no aprobado``: nothing was decided, and the facilitator has no
casting vote (R2).

The outcome depends only on the :class:`Tally`: ``outcome(b) == decide(tally(b))``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Choice", "Outcome", "Tally", "decide", "outcome", "tally"]


class Choice(StrEnum):
    """The three vote buttons (commands.md "Votes and decisions")."""

    A_FAVOR = "a_favor"
    EN_CONTRA = "en_contra"
    ABSTENCION = "abstencion"

    @property
    def label(self) -> str:
        """The Spanish wording of the button, as shown to members and in the record."""
        return _LABELS[self]


_LABELS = {
    Choice.A_FAVOR: "A favor",
    Choice.EN_CONTRA: "En contra",
    Choice.ABSTENCION: "Abstención",
}


class Outcome(StrEnum):
    """The result wordings, exactly as published (R12); the values are the wordings."""

    APROBADO_CONSENSO = "Aprobado por consenso"
    APROBADO_MAYORIA = "Aprobado por mayoría"
    RECHAZADO_CONSENSO = "Rechazado por consenso"
    RECHAZADO_MAYORIA = "Rechazado por mayoría"
    EMPATE = "Empate: no aprobado"

    @property
    def approved(self) -> bool:
        """Whether the proposal passed; a tie does not pass (R12: no casting vote)."""
        return self in (Outcome.APROBADO_CONSENSO, Outcome.APROBADO_MAYORIA)

    @property
    def rejected(self) -> bool:
        """Whether the proposal was voted down (a tie is "no aprobado", not "rechazado")."""
        return self in (Outcome.RECHAZADO_CONSENSO, Outcome.RECHAZADO_MAYORIA)


@dataclass(frozen=True)
class Tally:
    """Counted ballots per choice: one per seat once R3 has picked them (domain.ballots)."""

    a_favor: int = 0
    en_contra: int = 0
    abstencion: int = 0

    def __post_init__(self) -> None:
        """Counts come from ballots, so a negative one is a bug upstream."""
        if min(self.a_favor, self.en_contra, self.abstencion) < 0:
            raise ValueError("tally counts must be >= 0")

    @property
    def total(self) -> int:
        """Ballots cast, abstentions included (they are recorded, R12)."""
        return self.a_favor + self.en_contra + self.abstencion

    def count(self, choice: Choice) -> int:
        """The number of ballots for ``choice``."""
        return {
            Choice.A_FAVOR: self.a_favor,
            Choice.EN_CONTRA: self.en_contra,
            Choice.ABSTENCION: self.abstencion,
        }[Choice(choice)]


def tally(ballots: Iterable[Choice | str]) -> Tally:
    """Count the ballots; plain strings ("a_favor", …) are accepted as stored."""
    counts = dict.fromkeys(Choice, 0)
    for ballot in ballots:
        counts[Choice(ballot)] += 1
    return Tally(counts[Choice.A_FAVOR], counts[Choice.EN_CONTRA], counts[Choice.ABSTENCION])


def decide(counts: Tally) -> Outcome:
    """The R12 outcome of a tally.

    Consensus needs every ballot on the same side, so any abstention (or any opposing
    ballot) sends the decision to the majority of the votes cast, where abstentions count
    for neither side.
    """
    if counts.a_favor and counts.a_favor == counts.total:
        return Outcome.APROBADO_CONSENSO
    if counts.en_contra and counts.en_contra == counts.total:
        return Outcome.RECHAZADO_CONSENSO
    if counts.a_favor > counts.en_contra:
        return Outcome.APROBADO_MAYORIA
    if counts.a_favor < counts.en_contra:
        return Outcome.RECHAZADO_MAYORIA
    # equal, including no ballots and abstentions only: the facilitator has no casting vote
    return Outcome.EMPATE


def outcome(ballots: Iterable[Choice | str]) -> Outcome:
    """The R12 outcome of the counted ballots (one per seat, see domain.ballots)."""
    return decide(tally(ballots))
