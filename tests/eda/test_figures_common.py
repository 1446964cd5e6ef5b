"""Figure helpers: number formatting, date ticks, grids, saving."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.figures_common import (
    compact_axis,
    date_axis,
    grid_shape,
    new_figure,
    save_figure,
    scatter_panel,
    top_columns,
    top_labels,
    with_note,
)
from mmm_analytics.eda.smoothing import Scatter

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("fmt", "top", "label"),
    [
        (NumberFormat.INDIAN, 25_000_000.0, "2.5 Cr"),
        (NumberFormat.INDIAN, 450_000.0, "4.5 L"),
        (NumberFormat.WESTERN, 25_000_000.0, "25M"),
        (NumberFormat.WESTERN, 3.2e9, "3.2B"),
        (NumberFormat.INDIAN, 2_500.0, "2,500"),
    ],
    ids=["crore", "lakh", "millions", "billions", "thousands"],
)
def test_compact_axis_labels_amounts_in_the_report_format(fast_viz, fmt: NumberFormat, top: float, label: str) -> None:
    """Before, the EDA axes were always in K/M/B, beside report tables in lakh and crore."""
    figure, axes = new_figure(fast_viz)
    ax = axes[0, 0]
    ax.set_ylim(0, top)
    compact_axis(ax, fmt)
    assert ax.yaxis.get_major_formatter()(top, 0) == label


def test_compact_axis_leaves_small_axes_alone(fast_viz) -> None:
    figure, axes = new_figure(fast_viz)
    ax = axes[0, 0]
    ax.set_xlim(0, 0.8)
    before = ax.xaxis.get_major_formatter()
    compact_axis(ax, NumberFormat.INDIAN, "x")
    assert ax.xaxis.get_major_formatter() is before


@pytest.mark.parametrize(("count", "shape"), [(1, (1, 1)), (4, (2, 2)), (6, (2, 3)), (7, (3, 3))])
def test_grid_shape(count: int, shape: tuple[int, int]) -> None:
    assert grid_shape(count, 3 if count != 4 else 2) == shape


def test_date_axis_puts_at_most_max_ticks_at_month_starts(fast_viz) -> None:
    figure, axes = new_figure(fast_viz)
    dates = pd.date_range("2022-07-04", periods=156, freq="W-MON")
    date_axis(axes[0, 0], dates, max_ticks=4)
    ticks = axes[0, 0].get_xticks()
    assert 1 < len(ticks) <= 4
    labels = [t.get_text() for t in axes[0, 0].get_xticklabels()]
    assert all("Jan" in label for label in labels)  # yearly steps at this density


def test_date_axis_of_one_week_shows_that_week_without_a_warning(fast_viz) -> None:
    """Before, a panel of one week (the published file's first rows) set identical limits: one
    matplotlib warning per figure."""
    figure, axes = new_figure(fast_viz)
    week = pd.Timestamp("2022-07-04")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        date_axis(axes[0, 0], pd.DatetimeIndex([week, week]))
    low, high = axes[0, 0].get_xlim()
    assert high - low == pytest.approx(7.0)  # days, matplotlib's date unit
    assert [t.get_text() for t in axes[0, 0].get_xticklabels()] == ["04 Jul\n2022"]


def test_save_figure_writes_a_png_at_the_requested_size(tmp_path: Path, fast_viz) -> None:
    figure, axes = new_figure(fast_viz)
    axes[0, 0].plot([0, 1])
    path = save_figure(figure, tmp_path / "sub" / "01_test.png", dpi=50)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (round(fast_viz.figure_width * 50), round(fast_viz.figure_height * 50))


@pytest.mark.parametrize(
    ("count", "kept", "note"),
    [
        pytest.param(5, ["g1", "g2", "g3"], "", id="all-fit"),
        pytest.param(2, ["g1", "g3"], "top 2 of 3 by total", id="largest-in-order"),
    ],
)
def test_top_columns(count: int, kept: list[str], note: str) -> None:
    frame = pd.DataFrame({"g1": [5.0, 5.0], "g2": [1.0, 1.0], "g3": [3.0, 4.0]})
    shown, text = top_columns(frame, count)
    assert list(shown.columns) == kept and text == note


def test_top_labels_and_note() -> None:
    values = pd.Series([1, 9, 4], index=["NORTH", "SOUTH", "EAST"])
    shown, note = top_labels(values, 2)
    assert list(shown.index) == ["SOUTH", "EAST"] and note == "top 2 of 3"
    assert with_note("weekly", note) == "weekly; top 2 of 3 (all in the tables)"
    assert with_note("weekly", "") == "weekly"


def test_a_grid_of_many_channels_stays_drawable_at_600_dpi() -> None:
    """Forty channels in rows of two at 600 dpi: the figure keeps within the drawable size."""
    from mmm_analytics.config.viz import MAX_GROWN_PIXELS, VizConfig

    viz = VizConfig(dpi=600, figure_width=10.0, figure_height=5.5)
    rows, columns = grid_shape(40)
    figure, axes = new_figure(viz, rows, columns, height_scale=0.8 * rows + 0.2)
    assert axes.shape == (rows, columns)
    assert max(figure.get_size_inches()) * 600 <= MAX_GROWN_PIXELS + 1e-6


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        pytest.param(NumberFormat.INDIAN, "1,23,456", id="indian"),
        pytest.param(NumberFormat.WESTERN, "123,456", id="western"),
    ],
)
def test_scatter_legend_counts_follow_the_number_format(fast_viz, fmt, shown) -> None:
    line = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})
    figure, axes = new_figure(fast_viz)
    scatter_panel(axes[0, 0], Scatter(line, line, 0.5, 123_456), "#000000", fmt)
    assert [t.get_text() for t in axes[0, 0].get_legend().get_texts()] == [f"LOWESS (r = 0.50, n = {shown})"]
