"""The follow-up report's chart geometry (R16a, II.6), pure: tables and properties."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.action_plan import Level
from domain.report_chart import PER_CHART, WIDTH, clip, level_chart, progress_charts


def test_one_bar_per_commitment_with_its_share_and_level() -> None:
    (chart,) = progress_charts(
        [
            ("C-1", "Agua", Fraction(0), Level.NO_INICIADO),
            ("C-2", "Drenaje", Fraction(1, 2), Level.SUSTANCIAL),
            ("C-3", "Parques", Fraction(1), Level.COMPLETO),
        ]
    )
    first, half, full = chart.bars
    assert (first.width, half.width, full.width) == (0, full.track_width / 2, full.track_width)
    assert [b.value for b in chart.bars] == [
        "0 % · no iniciado",
        "50 % · sustancial",
        "100 % · completo",
    ]
    assert [b.label for b in chart.bars] == ["C-1 Agua", "C-2 Drenaje", "C-3 Parques"]
    assert [t.label for t in chart.ticks] == ["0 %", "50 %", "100 %"]
    assert chart.ticks[-1].x == full.x + full.track_width
    assert chart.tracks


def test_a_level_set_by_hand_is_shown_with_the_share_it_has() -> None:
    (chart,) = progress_charts([("C-1", "Agua", Fraction(1, 4), Level.COMPLETO)])
    assert chart.bars[0].value == "25 % · completo"
    assert chart.bars[0].level is Level.COMPLETO


def test_no_commitments_no_chart() -> None:
    assert progress_charts([]) == []


def test_long_titles_are_clipped_on_one_line() -> None:
    assert clip("Agua\npotable  para   todos") == "Agua potable para todos"
    clipped = clip("x" * 100, 10)
    assert clipped == "xxxxxxxxx…"
    assert len(clipped) == 10


def test_level_chart_counts() -> None:
    chart = level_chart({Level.LIMITADO: 4, Level.COMPLETO: 2})
    assert [b.label for b in chart.bars] == ["no iniciado", "limitado", "sustancial", "completo"]
    assert [b.value for b in chart.bars] == ["0", "4", "0", "2"]
    widths = [b.width for b in chart.bars]
    assert widths[1] == chart.bars[1].track_width  # the largest count is the longest bar
    assert widths[3] == widths[1] / 2
    assert widths[0] == widths[2] == 0
    assert not chart.tracks
    empty = level_chart({})
    assert [b.width for b in empty.bars] == [0, 0, 0, 0]


rows = st.lists(
    st.tuples(
        st.integers(1, 999).map(lambda n: f"C-{n}"),
        st.text(max_size=120),
        st.fractions(min_value=0, max_value=1),
        st.sampled_from(list(Level)),
    ),
    max_size=120,
)


@given(rows, st.integers(1, 40))
def test_progress_charts_cover_every_row_in_order_within_their_box(
    items: list[tuple[str, str, Fraction, Level]], per_chart: int
) -> None:
    charts = progress_charts(items, per_chart=per_chart)
    assert len(charts) == math.ceil(len(items) / per_chart)
    bars = [bar for chart in charts for bar in chart.bars]
    assert [b.level for b in bars] == [level for *_, level in items]
    for chart in charts:
        assert 1 <= len(chart.bars) <= per_chart
        assert chart.width == WIDTH
        previous_bottom = 0.0
        for bar in chart.bars:
            assert 0 <= bar.width <= bar.track_width
            assert bar.x + bar.track_width < bar.value_x < WIDTH
            assert bar.y >= previous_bottom  # rows never overlap
            previous_bottom = bar.y + bar.height
            assert bar.text_y <= bar.y + bar.height
            assert previous_bottom <= chart.height
            assert "\n" not in bar.label
            assert len(bar.label) <= 44
    for bar, (_, _, share, _) in zip(bars, items, strict=True):
        assert bar.width == pytest.approx(float(share) * bar.track_width, abs=0.01)


@given(st.fractions(0, 1), st.fractions(0, 1))
def test_a_larger_share_never_draws_a_shorter_bar(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    (chart,) = progress_charts(
        [("C-1", "", low, Level.LIMITADO), ("C-2", "", high, Level.LIMITADO)]
    )
    assert chart.bars[0].width <= chart.bars[1].width


def test_a_plan_of_200_commitments_is_cut_into_page_sized_charts() -> None:
    items = [(f"C-{n}", "Compromiso", Fraction(n % 4, 3), Level.LIMITADO) for n in range(200)]
    charts = progress_charts(items)
    assert len(charts) == math.ceil(200 / PER_CHART)
    # one chart fits a letter page's text block (175 mm wide, about 230 mm tall)
    assert all(c.height / c.width * 175 < 200 for c in charts)
