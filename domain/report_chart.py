"""The follow-up report's charts as geometry (R16a, II.6): where every bar and label goes.

Two charts, drawn in SVG user units on a fixed width (:data:`WIDTH`):

* progress — one horizontal bar per commitment: a grey track for 100 % and, over it, the
  weighted share of milestones done, coloured by the commitment's level and labelled with
  its percent and level (so the level never depends on colour alone). A long plan is cut
  into several charts of at most :data:`PER_CHART` bars: an SVG is one box that a PDF
  page cannot split, and 200 bars in one box would be shrunk to nothing.
* levels — one bar per level with the number of commitments in it, the longest bar the
  largest count.

Only numbers and already-clipped strings come out of here; ``bot.report_files`` turns them
into SVG text (escaping every string) and picks the colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from domain.action_plan import Level
from domain.follow_up_report import percent

__all__ = [
    "PER_CHART",
    "WIDTH",
    "Bar",
    "Chart",
    "Tick",
    "clip",
    "level_chart",
    "progress_charts",
]

WIDTH = 640
PER_CHART = 35
LABEL_CHARS = 44  # DejaVu Sans at 9 units averages ~5.5 units a character: 240 units
_LABEL_X = 0.0
_TRACK_X = 250.0
_TRACK_WIDTH = 290.0
_VALUE_X = _TRACK_X + _TRACK_WIDTH + 6
_ROW = 18.0
_BAR = 12.0
_TOP = 16.0  # room for the 0 % … 100 % ticks above the first bar
_BOTTOM = 4.0
_LEVELS_TRACK_X = 110.0
_LEVELS_TRACK_WIDTH = 400.0


@dataclass(frozen=True)
class Bar:
    """One row: its label on the left, the track, the filled part, its value on the right."""

    label: str
    label_x: float
    text_y: float  # baseline of the row's texts
    x: float
    y: float
    width: float  # the filled part (0 … track_width)
    track_width: float
    height: float
    value_x: float
    value: str  # "50 % · sustancial", or "3"
    level: Level


@dataclass(frozen=True)
class Tick:
    """A vertical guide with its label (``50 %``) above the bars."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """One SVG's worth of bars."""

    width: float
    height: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    top: float  # where the guides start
    bottom: float  # where they end
    tracks: bool  # draw each bar's 100 % track (progress), or only the bar (counts)


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` on one line of at most ``limit`` characters, cut with ``…`` when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"


def _round(value: float | Fraction) -> float:
    return round(float(value), 2)


def _row(index: int, top: float) -> tuple[float, float]:
    """(bar y, text baseline) of row ``index``."""
    y = top + index * _ROW + (_ROW - _BAR) / 2
    return _round(y), _round(y + _BAR - 2.5)


def progress_charts(
    rows: Sequence[tuple[str, str, Fraction, Level]], *, per_chart: int = PER_CHART
) -> list[Chart]:
    """Bars of ``(code, title, share done, level)`` rows, in order, ``per_chart`` a chart.

    Args:
        rows: one per commitment; ``share`` is clamped to 0 … 1.
        per_chart: bars in one chart (at least 1).

    Returns:
        No chart for no rows; otherwise ``ceil(len(rows) / per_chart)`` charts.
    """
    if per_chart < 1:
        raise ValueError("per_chart must be at least 1")
    charts = []
    for first in range(0, len(rows), per_chart):
        chunk = rows[first : first + per_chart]
        bars = []
        for index, (code, title, share, level) in enumerate(chunk):
            share = min(max(share, Fraction(0)), Fraction(1))
            y, baseline = _row(index, _TOP)
            bars.append(
                Bar(
                    label=clip(f"{code} {title}"),
                    label_x=_LABEL_X,
                    text_y=baseline,
                    x=_TRACK_X,
                    y=y,
                    width=_round(share * Fraction(_TRACK_WIDTH)),
                    track_width=_TRACK_WIDTH,
                    height=_BAR,
                    value_x=_VALUE_X,
                    value=f"{percent(share)} % · {level.label}",
                    level=level,
                )
            )
        bottom = _TOP + len(chunk) * _ROW
        ticks = tuple(
            Tick(_round(_TRACK_X + _TRACK_WIDTH * p / 100), f"{p} %") for p in (0, 50, 100)
        )
        charts.append(
            Chart(WIDTH, bottom + _BOTTOM, tuple(bars), ticks, _TOP - 4, bottom, tracks=True)
        )
    return charts


def level_chart(counts: Mapping[Level, int]) -> Chart:
    """One bar per level (in R16a's order, zeros included) with its number of commitments."""
    most = max(counts.values(), default=0)
    bars = []
    for index, level in enumerate(Level):
        count = max(counts.get(level, 0), 0)
        y, baseline = _row(index, _BOTTOM)
        width = _LEVELS_TRACK_WIDTH * Fraction(count, most) if most else Fraction(0)
        bars.append(
            Bar(
                label=level.label,
                label_x=_LABEL_X,
                text_y=baseline,
                x=_LEVELS_TRACK_X,
                y=y,
                width=_round(width),
                track_width=_LEVELS_TRACK_WIDTH,
                height=_BAR,
                value_x=_round(_LEVELS_TRACK_X + width + 6),
                value=str(count),
                level=level,
            )
        )
    height = _BOTTOM + len(Level) * _ROW + _BOTTOM
    return Chart(WIDTH, height, tuple(bars), (), _BOTTOM, height - _BOTTOM, tracks=False)
