"""Tests of the curve figures: they draw the data they are given, with labelled INR axes."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves import plots
from mmm_analytics.curves.carryover import carryover_curves
from mmm_analytics.curves.extraction import CurveSet, extract_curves
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import build_params

VIZ = VizConfig(dpi=50, figure_width=6.0, figure_height=3.5)


@pytest.fixture(scope="module")
def curves(params: ResponseParams) -> CurveSet:
    return extract_curves(params, CurveSettings(points=9), 0.9)


@pytest.mark.parametrize(
    ("number_format", "labels"),
    [("indian", ["0", "5 L", "10 L", "15 L"]), ("western", ["0", "500K", "1M", "1.5M"])],
    ids=["indian", "western"],
)
def test_money_ticks_follow_the_number_format(curves: CurveSet, number_format: str, labels: list[str]) -> None:
    fig = plots.segment_figure(curves.segment(0, 0), VIZ.model_copy(update={"number_format": number_format}), "#1f4e79")
    try:
        formatter = fig.axes[0].yaxis.get_major_formatter()
        assert [formatter(v, k) for k, v in enumerate([0.0, 5e5, 1e6, 1.5e6])] == labels
    finally:
        plt.close(fig)


def test_grid_panels_show_every_curve_whole(curves: CurveSet) -> None:
    """A panel drawn after a lower one keeps its top: one shared scale above the highest band."""
    series = [curves.segment(row, 0) for row in range(curves.n_rows - 1)]
    high = dataclasses.replace(
        series[-1], response=series[-1].response * 5.0, response_upper=series[-1].response_upper * 5.0
    )
    grid = plots.channel_grid_figure([*series[:-1], high], VIZ, "#1f4e79")
    try:
        for ax in (ax for ax in grid.axes if ax.axison):
            bottom, top = ax.get_ylim()
            assert bottom == 0.0 and top >= float(np.nanmax(high.response_upper))
    finally:
        plt.close(grid)


def test_segment_figure(curves: CurveSet) -> None:
    segment = curves.segment(0, 0)
    fig = plots.segment_figure(segment, VIZ, "#1f4e79")
    try:
        response_ax, roi_ax = fig.axes
        assert "INR" in response_ax.get_xlabel() and "INR" in response_ax.get_ylabel() and "INR" in roi_ax.get_ylabel()
        assert "TV, BrandA / NORTH" in response_ax.get_title()
        np.testing.assert_array_equal(response_ax.lines[0].get_ydata(), segment.response)
        np.testing.assert_array_equal(roi_ax.lines[1].get_ydata(), segment.mroi)
        legend = [text.get_text() for text in fig.legends[0].get_texts()]
        assert legend[0] == "90% interval" and "marginal ROI (right axis)" in legend
        assert "steady-state ROI (right axis)" in legend
        vertical = [line.get_xdata()[0] for line in response_ax.lines if len(set(line.get_xdata())) == 1]
        assert segment.current_spend in vertical
    finally:
        plt.close(fig)


def test_a_reused_canvas_draws_the_same_image_as_a_fresh_one(curves: CurveSet) -> None:
    first, second = curves.segment(0, 0), curves.segment(curves.n_rows - 1, 2)
    canvas = plots.SegmentCanvas(VIZ)
    fresh = plots.segment_figure(second, VIZ, "#3c9d5d")
    try:
        canvas.draw(first, "#1f4e79")
        canvas.figure.canvas.draw()
        reused = canvas.draw(second, "#3c9d5d")
        reused.canvas.draw()
        fresh.canvas.draw()
        np.testing.assert_array_equal(np.asarray(reused.canvas.buffer_rgba()), np.asarray(fresh.canvas.buffer_rgba()))
    finally:
        plt.close(canvas.figure)
        plt.close(fresh)


def test_grid_national_and_carryover_figures(curves: CurveSet, params: ResponseParams) -> None:
    series = [curves.segment(row, 1) for row in range(curves.n_rows - 1)]
    national = [curves.segment(curves.n_rows - 1, c) for c in range(len(curves.channels))]
    figures = [
        plots.channel_grid_figure(series, VIZ, "#1f4e79"),
        plots.national_figure(national, VIZ, ["#1f4e79", "#e07b39", "#3c9d5d"]),
        plots.carryover_figure(carryover_curves(params, 0.9)[0], VIZ, "#1f4e79"),
    ]
    try:
        grid, nation, carry = figures
        assert len([ax for ax in grid.axes if ax.get_visible() and ax.axison]) == 4
        assert {ax.get_title() for ax in grid.axes} == {
            "BrandA / NORTH",
            "BrandA / SOUTH",
            "BrandB / NORTH",
            "BrandB / SOUTH",
        }
        assert [text.get_text() for text in nation.axes[0].get_legend().get_texts()] == list(curves.channels)
        assert "INR" in nation.axes[0].get_xlabel()
        np.testing.assert_array_equal(carry.axes[0].lines[0].get_ydata(), params.lag_weights[0, :, 0])
    finally:
        for fig in figures:
            plt.close(fig)


def test_the_roi_lines_start_at_the_first_positive_spend(curves: CurveSet) -> None:
    """A curve has no ROI or marginal ROI at spend 0 (NaN): the segment figure's ROI lines start at the first
    positive spend and its right axis is scaled to the values drawn (tolerance 1e-12); the national figure
    draws its bands and still marks every channel's marginal ROI at today's spend. Before, the TV curve
    (Hill slope 1) drew its marginal ROI at spend 0, its steepest slope, at the chart's left edge."""
    segment = curves.segment(0, 0)
    national = [curves.segment(curves.n_rows - 1, c) for c in range(len(curves.channels))]
    fig = plots.segment_figure(segment, VIZ, "#1f4e79")
    nation = plots.national_figure(national, VIZ, ["#1f4e79", "#e07b39", "#3c9d5d"])
    try:
        _, roi_ax = fig.axes
        for line in roi_ax.lines[:2]:  # steady-state ROI, marginal ROI
            drawn = np.asarray(line.get_ydata(), dtype=float)
            assert np.isnan(drawn[0]) and np.isfinite(drawn[1:]).all()
        highest = float(np.nanmax(np.concatenate([segment.roi, segment.mroi, segment.mroi_upper])))
        assert roi_ax.get_ylim() == pytest.approx((0.0, plots.HEADROOM * highest), rel=1e-12)
        nation.canvas.draw()
        mroi_ax = nation.axes[1]
        dots = [line for line in mroi_ax.lines if len(line.get_xdata()) == 1]
        assert len(dots) == len(national)
        assert all(np.isfinite(np.asarray(dot.get_ydata(), dtype=float)).all() for dot in dots)
        assert np.isfinite(mroi_ax.get_ylim()).all()
    finally:
        plt.close(fig)
        plt.close(nation)


def test_grid_has_a_row_per_brand_and_sku(sku_params: tuple[ResponseParams, tuple[str, ...]]) -> None:
    params, skus = sku_params
    curves = extract_curves(params, CurveSettings(points=5), 0.9, skus)
    series = [curves.segment(row, 0) for row in range(curves.n_rows - 1)]
    grid = plots.channel_grid_figure(series, VIZ, "#1f4e79")
    try:
        titles = [ax.get_title() for ax in grid.axes if ax.axison]
        assert len(titles) == len(set(titles)) == len(series) == 8
        assert "BrandB (BrandB_SKU2) / SOUTH" in [title.replace("\n", " ") for title in titles]  # wrapped to fit
        assert plots.segment_label(series[2]) == "TV, BrandA (BrandA_SKU2) / NORTH"
    finally:
        plt.close(grid)


def test_a_sparse_selection_of_series_packs_into_a_square(curves: CurveSet) -> None:
    one = curves.segment(0, 0)
    scattered = [dataclasses.replace(one, brand=f"Brand{k:02d}", region=f"G{k:03d}") for k in range(5)]
    assert plots.grid_places(scattered) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    full = [curves.segment(row, 0) for row in range(curves.n_rows - 1)]
    brands, regions = list(dict.fromkeys(curves.brands[:-1])), list(dict.fromkeys(curves.regions[:-1]))
    assert plots.grid_places(full) == [(brands.index(c.brand), regions.index(c.region)) for c in full]
    figure = plots.channel_grid_figure(scattered, VIZ, "#1f4e79")
    assert sum(ax.axison for ax in figure.axes) == 5 and len(figure.axes) == 6
    plt.close(figure)


def test_one_brand_in_many_regions_stays_drawable_at_the_highest_dpi(curves: CurveSet) -> None:
    """Before, 24 regions of one brand made a 24-column grid, and 48 made one wider than the 65,536
    pixels a figure may have at 600 dpi."""
    one = curves.segment(0, 0)
    wide = [dataclasses.replace(one, brand="BrandA", region=f"G{k:03d}") for k in range(48)]
    places = plots.grid_places(wide)
    assert max(column for _, column in places) + 1 <= plots.GRID_MAX_SIDE
    figure = plots.channel_grid_figure(wide, VIZ, "#1f4e79")
    try:
        width, height = figure.get_size_inches()
        assert max(width, height) * 600 < 2**16
    finally:
        plt.close(figure)
    three = [dataclasses.replace(one, brand="BrandA", region=f"G{k:03d}") for k in range(3)]
    assert plots.grid_places(three) == [(0, k) for k in range(3)]  # a small table keeps brand by region


@pytest.mark.parametrize(
    ("brands", "regions", "shape"),
    [(1, 12, (3, 4)), (1, 8, (3, 3)), (2, 8, (4, 4)), (1, 4, (2, 2)), (2, 6, (2, 6)), (3, 4, (3, 4))],
    ids=["1x12", "1x8", "2x8", "1x4", "2x6-table", "3x4-table"],
)
def test_a_strip_of_panels_is_laid_out_near_square(
    curves: CurveSet, brands: int, regions: int, shape: tuple[int, int]
) -> None:
    """Before, one brand in 12 regions made one row of 12 panels, a 31 x 2 inch strip."""
    one = curves.segment(0, 0)
    series = [
        dataclasses.replace(one, brand=f"B{b}", region=f"G{r:03d}") for b in range(brands) for r in range(regions)
    ]
    places = plots.grid_places(series)
    assert (max(r for r, _ in places) + 1, max(c for _, c in places) + 1) == shape
    assert len(set(places)) == len(series)
    if shape == (brands, regions):  # a table: brands as rows, regions as columns
        assert places == [(b, r) for b in range(brands) for r in range(regions)]
    figure = plots.channel_grid_figure(series, VizConfig(dpi=50), "#1f4e79")
    try:
        width, height = figure.get_size_inches()
        assert width / height < 4.0 and sum(ax.axison for ax in figure.axes) == len(series)
    finally:
        plt.close(figure)


def test_a_panel_without_spend_says_so(curves: CurveSet) -> None:
    one = curves.segment(0, 0)
    idle = dataclasses.replace(one, current_spend=0.0, region="IDLE")
    figure = plots.channel_grid_figure([one, idle], VIZ, "#1f4e79")
    try:
        texts = [[t.get_text() for t in ax.texts] for ax in figure.axes if ax.axison]
        assert texts == [[], [plots.NO_SPEND_NOTE]]
    finally:
        plt.close(figure)


def test_a_curve_without_spend_names_no_saturation_point(params: ResponseParams) -> None:
    """Before, its note named the priors' coefficient as a ceiling reached "beyond 10,000x current"."""
    exposure = params.exposure.copy()
    exposure[0, :, 0] = 0.0
    idle = extract_curves(dataclasses.replace(params, exposure=exposure), CurveSettings(points=9), 0.9).segment(0, 0)
    fig = plots.segment_figure(idle, VIZ, "#1f4e79")
    try:
        note = fig.texts[-1].get_text()
        assert note.startswith(plots.NO_SPEND_NOTE) and "ceiling (INR" not in note
    finally:
        plt.close(fig)


def _texts(fig: Figure) -> list[Text]:
    """Every text drawn on ``fig``: titles, axis titles, tick labels in view and legend entries."""
    found = [*fig.texts, *(text for legend in fig.legends for text in legend.get_texts())]
    for ax in (ax for ax in fig.axes if ax.axison):
        found += [ax.title, ax.xaxis.label, ax.yaxis.label]
        for axis in (a for a in (ax.xaxis, ax.yaxis) if a.get_visible()):
            low, high = sorted(axis.get_view_interval())
            found += [t for t, at in zip(axis.get_ticklabels(), axis.get_ticklocs()) if low <= at <= high]
    return [text for text in found if text.get_visible() and text.get_text()]


def _text_faults(fig: Figure) -> list[str]:
    """Texts cut off by the figure's edge, and pairs of texts that overlap (by more than a pixel)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(text.get_text()[:40], text.get_window_extent(renderer)) for text in _texts(fig)]
    edge = fig.bbox
    faults = [
        f"cut: {name!r}"
        for name, box in boxes
        if box.x0 < edge.x0 - 1 or box.x1 > edge.x1 + 1 or box.y0 < edge.y0 - 1 or box.y1 > edge.y1 + 1
    ]
    for (first, a), (second, b) in itertools.combinations(boxes, 2):
        if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
            faults.append(f"overlap: {first!r} / {second!r}")
    return faults


LONG_BRAND = "Sunrise Organic Breakfast Cereals Family Value Packs"
LONG_REGION = "NORTHEASTERN FRONTIER"


@pytest.fixture()
def themed() -> Iterator[None]:
    """The figures' look as the curves step draws them (seaborn's fonts are larger than matplotlib's)."""
    with mpl.rc_context():
        sns.set_theme(style=VizConfig().style, palette=VizConfig().palette)
        yield


@pytest.fixture(scope="module")
def long_names() -> CurveSet:
    params = build_params(brands=(LONG_BRAND, "BrandB"), regions=(LONG_REGION, "SOUTH"))
    return extract_curves(params, CurveSettings(points=9), 0.9)


@pytest.mark.parametrize("panels", [4, 12], ids=["2x2", "1x12"])
@pytest.mark.parametrize("theme", [False, True], ids=["matplotlib", "seaborn"])
def test_long_names_neither_overlap_nor_run_off_the_grid(
    long_names: CurveSet, panels: int, theme: bool, request: pytest.FixtureRequest
) -> None:
    """Before, each panel's title ran on into the next and off the figure, the figure's title was cut at
    both sides, and the shared axis titles lay over the first panels' tick labels."""
    if theme:
        request.getfixturevalue("themed")
    one = long_names.segment(0, 0)
    series = [long_names.segment(row, 0) for row in range(long_names.n_rows - 1)]
    curves = series if panels == 4 else [dataclasses.replace(one, region=f"{LONG_REGION} {k}") for k in range(12)]
    fig = plots.channel_grid_figure(curves, VizConfig(dpi=50), "#1f4e79")
    try:
        assert _text_faults(fig) == []
        titles = [ax.get_title() for ax in fig.axes if ax.axison]
        region = titles[-1].split("\n", 1)[-1].replace("\n", " ")  # the region whole, over one or two lines
        assert titles[-1] == "BrandB / SOUTH" if panels == 4 else region == f"{LONG_REGION} 11"
        assert fig.get_suptitle().replace("\n", " ").endswith("marginal ROI falls below 1)")  # wrapped, not cut
    finally:
        plt.close(fig)


@pytest.mark.usefixtures("themed")
def test_a_long_segment_title_wraps_within_the_figure(long_names: CurveSet) -> None:
    fig = plots.segment_figure(long_names.segment(0, 0), VizConfig(dpi=50), "#1f4e79")
    try:
        assert _text_faults(fig) == []
        assert fig.axes[0].get_title().endswith(f"/\n{LONG_REGION}")
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("BrandA / NORTH", ["BrandA / NORTH"]),
        (f"{LONG_BRAND} / {LONG_REGION}", ["Sunrise Organic Breakfast", "Cereals Family Value Packs…"]),
        ("X" * 80, ["X" * 21, "X" * 20 + "…"]),
    ],
    ids=["fits", "at-spaces", "one-long-word"],
)
def test_wrapped_titles_fit_their_width(text: str, lines: list[str]) -> None:
    font = FontProperties(size=10)
    shown = plots.wrapped(text, 2.2, font)
    assert shown.split("\n") == lines
    renderer = plt.figure(dpi=72)
    try:
        widths = [renderer.text(0, 0, line, fontproperties=font).get_window_extent().width / 72 for line in lines]
    finally:
        plt.close(renderer)
    assert max(widths) <= 2.2
