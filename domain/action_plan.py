"""The Plan de Acción Municipal: commitments, milestones and completion levels (R16a).

A commitment's completion level follows the weighted share of its milestones done — 0 →
``no_iniciado``, below 50 % ``limitado``, below 100 % ``sustancial``, 100 % ``completo``
— unless the facilitator sets it by hand with a reason. Shares are computed with exact
fractions, so 1 of 2 equally weighted milestones is exactly 50 % (``sustancial``), never
49.999…%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

__all__ = ["OGP_VALUES", "Level", "Milestone", "level_of", "progress_bar", "share_done"]

#: The OGP values a commitment may serve (R16a).
OGP_VALUES = ("transparencia", "participación ciudadana", "rendición de cuentas")
MAX_WEIGHT = 100


class Level(StrEnum):
    """OGP completion levels, in order."""

    NO_INICIADO = "no_iniciado"
    LIMITADO = "limitado"
    SUSTANCIAL = "sustancial"
    COMPLETO = "completo"

    @property
    def label(self) -> str:
        """How chat and reports write it."""
        return self.value.replace("_", " ")

    @property
    def rank(self) -> int:
        """0 … 3, for comparisons and charts."""
        return list(Level).index(self)


@dataclass(frozen=True)
class Milestone:
    """A milestone's weight and whether it is done."""

    weight: int
    done: bool


def share_done(milestones: Iterable[Milestone]) -> Fraction:
    """The weighted share of milestones done, 0 … 1 (no milestones: 0)."""
    items = list(milestones)
    total = sum(m.weight for m in items)
    if total == 0:
        return Fraction(0)
    return Fraction(sum(m.weight for m in items if m.done), total)


def level_of(milestones: Iterable[Milestone]) -> Level:
    """R16a's level from the weighted share done."""
    share = share_done(milestones)
    if share == 0:
        return Level.NO_INICIADO
    if share < Fraction(1, 2):
        return Level.LIMITADO
    if share < 1:
        return Level.SUSTANCIAL
    return Level.COMPLETO


def progress_bar(share: Fraction, width: int = 10) -> str:
    """``▰▰▰▱▱▱▱▱▱▱ 30 %``: a text bar that reads well in Telegram."""
    filled = int(share * width)
    percent = int(share * 100)
    return f"{'▰' * filled}{'▱' * (width - filled)} {percent} %"
