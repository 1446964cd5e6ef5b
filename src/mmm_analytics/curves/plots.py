"""Figures of the curves step; each function takes finished results and returns a Figure.

- :func:`segment_figure`: one channel in one brand x region (or national): response
  with its interval band (left axis, INR per week), average and marginal ROI (right
  axis), the current average spend and the saturation points marked.
- :func:`channel_grid_figure`: small multiples of one channel over brands (rows; brand x
  SKU at SKU granularity) and regions (columns).
- :func:`national_figure`: every channel's national curve on one chart (response and
  marginal ROI side by side).
- :func:`carryover_figure`: a channel's learned impulse response with its band.

Layouts use fixed margins (``subplots_adjust``) rather than ``tight_layout``, which
costs an extra full draw per figure; the curves step renders 150+ figures. Titles that
carry brand and region names are wrapped to the width they have (:func:`wrapped`), and
the margins make room for their lines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator

from mmm_analytics.config.viz import NumberFormat, VizConfig, grown_size
from mmm_analytics.curves.carryover import CarryoverCurve
from mmm_analytics.curves.extraction import NATIONAL, SegmentCurve
from mmm_analytics.style import numbers, palette

SPEND_LABEL = "Weekly spend (INR)"
RESPONSE_LABEL = "Incremental sales (INR / week)"
ROI_LABEL = "ROI (INR sales per INR spend)"
GREY = palette.CURRENT
ROI_COLOR = palette.ACTUAL
BREAKEVEN_COLOR = palette.BREAKEVEN
CEILING_COLOR = palette.CEILING
#: Head room above the highest curve or band of a chart.
HEADROOM = 1.05
#: Inches of a grid panel's plot, and of the gaps beside it (the next panel's tick labels) and below it
#: (tick labels and the next panel's title of up to PANEL_TITLE_LINES lines).
GRID_PANEL_INCHES = (2.2, 1.3)
GRID_GAP_INCHES = (0.4, 0.95)
#: Inches around the grid's panels: left (tick labels and the shared axis title), right, bottom (tick
#: labels and the shared axis title); the top holds the figure's title and the first row's titles.
GRID_MARGIN_INCHES = (0.95, 0.2, 0.65)
#: Top of the single curve's plot, as a share of the figure's height (its title on one line).
SEGMENT_TOP = 0.92
#: Lines a title may take; what does not fit ends in an ellipsis.
TITLE_LINES = 2
#: Lines a grid panel's title may take: its brand's and its region's.
PANEL_TITLE_LINES = 3
#: Lines the grid's title may take (it says how to read a panel).
GRID_TITLE_LINES = 4
#: Share of its width a wrapped line fills at most: drawn text comes out a few per cent wider or narrower
#: than measured, with the resolution.
FILL = 0.95
#: Line height of a title, in multiples of its font size.
LINE_SPACING = 1.3
#: Most rows or columns of a brand-by-region grid; a selection with more brands or regions is laid out
#: near-square (the grid shows at most ``render.GRID_SERIES`` series). The figure's sides are cut to
#: ``config.viz.MAX_GROWN_PIXELS`` besides.
GRID_MAX_SIDE = 16
#: A brand-by-region grid whose long side passes this many times its short one is a strip (1 x 12, 2 x 8),
#: laid out near-square instead; up to GRID_ROW panels stay in one row.
GRID_MAX_STRETCH = 3
GRID_ROW = 3
NO_SPEND_NOTE = "no spend in the data"
GRID_TICKS = 4
BREAKEVEN_LABEL = "marginal ROI falls below 1"
CEILING_LABEL = "90% of ceiling"


_TEXT = TextToPath()


def _inches(text: str, font: FontProperties) -> float:
    return float(_TEXT.get_text_width_height_descent(text, font, ismath=False)[0]) / 72.0


def _cut(word: str, inches: float, font: FontProperties) -> int:
    """Characters of ``word`` that fit ``inches`` (at least one)."""
    count = len(word)
    while count > 1 and _inches(word[:count], font) > inches:
        count -= 1
    return count


def wrapped(text: str, inches: float, font: FontProperties, lines: int = TITLE_LINES) -> str:
    """``text`` in at most ``lines`` lines, each at most ``inches`` wide in ``font``: broken at spaces, inside a
    word wider than a line, and ended by an ellipsis when the rest does not fit. Matplotlib draws a title on one
    line however long: a brand's name ran into the next panel's title or off the figure."""
    out: list[str] = []
    line, inches = "", FILL * inches
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if _inches(joined, font) <= inches:
            line = joined
            continue
        if line:
            out.append(line)
        line = word
        while len(line) > 1 and _inches(line, font) > inches:
            count = _cut(line, inches, font)
            out.append(line[:count])
            line = line[count:]
    out.append(line)
    if len(out) > lines:
        last, count = out[lines - 1], len(out[lines - 1])
        while count > 0 and _inches(last[:count].rstrip() + "…", font) > inches:
            count -= 1
        out = [*out[: lines - 1], last[:count].rstrip() + "…"]
    return "\n".join(out)


def _line_inches(font: FontProperties) -> float:
    return LINE_SPACING * font.get_size_in_points() / 72.0


def segment_label(curve: SegmentCurve) -> str:
    if curve.brand == NATIONAL and curve.region == NATIONAL:
        return f"{curve.channel}, national"
    return f"{curve.channel}, {curve.brand_label} / {curve.region}"


def _in_range(value: float, spend: np.ndarray) -> bool:
    return bool(np.isfinite(value)) and 0.0 <= value <= float(np.nanmax(spend))


def _draw_response(ax: Axes, curve: SegmentCurve, color: str, viz: VizConfig) -> None:
    """Response band and line, current spend and the break-even point on ``ax`` (a small multiple);
    the caller sets the vertical limits."""
    ax.fill_between(curve.spend, curve.response_lower, curve.response_upper, color=color, alpha=0.2, linewidth=0)
    ax.plot(curve.spend, curve.response, color=color, linewidth=2)
    ax.axvline(curve.current_spend, color=GREY, linestyle="--", linewidth=1)
    ax.plot([curve.current_spend], [curve.current_response], marker="o", color=color, markersize=5)
    if _in_range(curve.breakeven_spend, curve.spend):
        ax.axvline(curve.breakeven_spend, color=BREAKEVEN_COLOR, linestyle=":", linewidth=1.5)
    ax.xaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.set_xlim(0.0, _top(curve.spend))
    if not curve.current_spend > 0:  # nothing to draw: the data never spent on it here
        ax.text(0.5, 0.5, NO_SPEND_NOTE, transform=ax.transAxes, ha="center", va="center", color=GREY)


def _saturation_note(curve: SegmentCurve, fmt: NumberFormat) -> str:
    if not curve.current_spend > 0:  # no estimated curve: no saturation points to name
        return f"{NO_SPEND_NOTE}: the curve is the priors' alone (no ROI, marginal ROI or ceiling)"

    def spend_text(value: float) -> str:
        return f"INR {numbers.compact(value, fmt)}/wk" if np.isfinite(value) else "beyond 10,000x current"

    return (
        f"current spend INR {numbers.compact(curve.current_spend, fmt)}/wk; marginal ROI < 1 from "
        f"{spend_text(curve.breakeven_spend)}; 90% of ceiling (INR {numbers.compact(curve.ceiling, fmt)}/wk) at "
        f"{spend_text(curve.ceiling_spend)}"
    )


class SegmentCanvas:
    """The single-curve figure, built once and refilled for each curve.

    Response with its band (left axis, INR per week), average and marginal ROI with the
    marginal ROI band (right axis), the current average spend and the saturation points.
    Rendering 150 such figures, refilling one canvas skips rebuilding axes, ticks and
    the legend every time; :meth:`draw` returns the same Figure, updated.
    """

    def __init__(self, viz: VizConfig) -> None:
        self.number_format = viz.number_format
        self.figure, self.ax = plt.subplots(figsize=(viz.figure_width, viz.figure_height))
        ax = self.ax
        self.roi_ax = ax.twinx()
        self.roi_ax.grid(False)
        self.band: PolyCollection | None = None
        self.mroi_band: PolyCollection | None = None
        (self.response,) = ax.plot([], [], linewidth=2)
        self.current = ax.axvline(0.0, color=GREY, linestyle="--", linewidth=1)
        (self.current_dot,) = ax.plot([], [], marker="o", markersize=5, linestyle="none")
        self.breakeven = ax.axvline(0.0, color=BREAKEVEN_COLOR, linestyle=":", linewidth=1.5)
        self.at_ceiling = ax.axvline(0.0, color=CEILING_COLOR, linestyle="-.", linewidth=1.2)
        (self.roi,) = self.roi_ax.plot([], [], color=ROI_COLOR, linewidth=1.3)
        (self.mroi,) = self.roi_ax.plot([], [], color=ROI_COLOR, linewidth=1.3, linestyle="--")
        self.roi_ax.axhline(1.0, color=GREY, linewidth=0.8, linestyle=":")
        handles = [
            Patch(alpha=0.2, linewidth=0),
            self.response,
            self.current,
            self.breakeven,
            self.at_ceiling,
            self.roi,
            self.mroi,
        ]
        labels = [
            "interval",
            "response",
            "current average spend",
            BREAKEVEN_LABEL,
            CEILING_LABEL,
            "steady-state ROI (right axis)",
            "marginal ROI (right axis)",
        ]
        self.legend = self.figure.legend(
            handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.04), ncol=3, fontsize="small", frameon=False
        )
        ax.set_xlabel(SPEND_LABEL)
        ax.set_ylabel(RESPONSE_LABEL)
        self.roi_ax.set_ylabel(ROI_LABEL)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(numbers.axis_formatter(viz.number_format))
        self.note = self.figure.text(0.01, 0.012, "", fontsize="x-small", color=GREY)
        self.figure.subplots_adjust(left=0.09, right=0.91, bottom=0.3, top=SEGMENT_TOP)
        self.title_font = FontProperties(size=plt.rcParams["axes.titlesize"])
        self.title_inches = self.ax.get_position().width * viz.figure_width

    def _marker(self, line: Line2D, index: int, spend: float, curve: SegmentCurve, label: str) -> None:
        visible = _in_range(spend, curve.spend)
        line.set_xdata([spend, spend] if visible else [0.0, 0.0])
        line.set_visible(visible)
        self.legend.texts[index].set_text(label if visible else f"{label} (beyond this chart)")

    def draw(self, curve: SegmentCurve, color: str) -> Figure:
        """Fill the canvas with ``curve`` drawn in ``color``; returns the (same) figure."""
        for band in (self.band, self.mroi_band):
            if band is not None:
                band.remove()
        self.band = self.ax.fill_between(
            curve.spend, curve.response_lower, curve.response_upper, color=color, alpha=0.2, linewidth=0
        )
        self.mroi_band = self.roi_ax.fill_between(
            curve.spend, curve.mroi_lower, curve.mroi_upper, color=ROI_COLOR, alpha=0.07, linewidth=0
        )
        band_handle, response_handle = self.legend.legend_handles[:2]
        assert isinstance(band_handle, Patch) and isinstance(response_handle, Line2D)
        band_handle.set_facecolor(color)
        response_handle.set_color(color)
        self.legend.texts[0].set_text(f"{curve.level:.0%} interval")
        self.response.set_data(curve.spend, curve.response)
        self.response.set_color(color)
        self.current.set_xdata([curve.current_spend, curve.current_spend])
        self.current_dot.set_data([curve.current_spend], [curve.current_response])
        self.current_dot.set_color(color)
        self._marker(self.breakeven, 3, curve.breakeven_spend, curve, BREAKEVEN_LABEL)
        self._marker(self.at_ceiling, 4, curve.ceiling_spend, curve, CEILING_LABEL)
        self.roi.set_data(curve.spend, curve.roi)
        self.mroi.set_data(curve.spend, curve.mroi)
        self.ax.set_xlim(0.0, _top(curve.spend))
        self.ax.set_ylim(0.0, HEADROOM * _top(curve.response_upper, curve.response))
        self.roi_ax.set_ylim(0.0, HEADROOM * _top(curve.roi, curve.mroi, curve.mroi_upper, np.ones(1)))
        title = wrapped(f"Steady-state ROI curve: {segment_label(curve)}", self.title_inches, self.title_font)
        self.ax.set_title(title)
        lower = title.count("\n") * _line_inches(self.title_font) / self.figure.get_figheight()
        self.figure.subplots_adjust(top=SEGMENT_TOP - lower)  # room for a second line
        self.note.set_text(_saturation_note(curve, self.number_format))
        return self.figure


def _top(*arrays: np.ndarray) -> float:
    """Largest finite value of the arrays (1.0 when there is none or it is 0): an axis limit."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def segment_figure(curve: SegmentCurve, viz: VizConfig, color: str) -> Figure:
    """One curve on a new :class:`SegmentCanvas` (response, band, ROI, mroi and markers)."""
    return SegmentCanvas(viz).draw(curve, color)


def _ordered(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def grid_places(curves: Sequence[SegmentCurve]) -> list[tuple[int, int]]:
    """(row, column) of each curve's panel: brand by region when that table is at least half full, neither
    side passes :data:`GRID_MAX_SIDE` and it is no strip (its long side at most :data:`GRID_MAX_STRETCH`
    times its short one, or :data:`GRID_ROW` panels); else row by row in a near-square block, its columns
    chosen from the panel count (one brand in 12 regions: 3 rows of 4, no longer one row of 12)."""
    brands = _ordered([c.brand_label for c in curves])
    regions = _ordered([c.region for c in curves])
    short, long = sorted((len(brands), len(regions)))
    table = len(brands) * len(regions) <= 2 * len(curves) and long <= GRID_MAX_SIDE
    if table and long <= max(GRID_ROW, GRID_MAX_STRETCH * short):
        return [(brands.index(c.brand_label), regions.index(c.region)) for c in curves]
    columns = math.ceil(math.sqrt(len(curves)))
    return [divmod(k, columns) for k in range(len(curves))]


def _grid_title(curves: Sequence[SegmentCurve]) -> str:
    """The grid's title: its channel and how to read a panel."""
    if not curves:
        return ""
    return (
        f"{curves[0].channel}: steady-state response by brand and region (band: {curves[0].level:.0%} interval; "
        "dashed: current spend; dotted: marginal ROI falls below 1)"
    )


def _panel_title(curve: SegmentCurve, font: FontProperties) -> str:
    """``brand / region`` on one line when it fits the panel, else the brand on one line and the region, which
    tells the panels of a brand apart, on the others (:data:`PANEL_TITLE_LINES` in all)."""
    whole, inches = f"{curve.brand_label} / {curve.region}", GRID_PANEL_INCHES[0]
    if _inches(whole, font) <= FILL * inches:
        return whole
    brand = wrapped(f"{curve.brand_label} /", inches, font, 1)
    return f"{brand}\n{wrapped(curve.region, inches, font, PANEL_TITLE_LINES - 1)}"


def _grid_figure(n_rows: int, n_columns: int, title: str, viz: VizConfig) -> tuple[Figure, np.ndarray, str]:
    """The empty grid, its margins in inches: room for the shared axis titles and tick labels, and for the
    figure's title (returned wrapped to the figure's width) and each panel's over PANEL_TITLE_LINES lines."""
    (panel_w, panel_h), (gap_w, gap_h), (left, right, bottom) = GRID_PANEL_INCHES, GRID_GAP_INCHES, GRID_MARGIN_INCHES
    title_font, panel_font = FontProperties(size=plt.rcParams["figure.titlesize"]), FontProperties(size="small")
    inner = n_columns * (panel_w + gap_w) - gap_w
    title = wrapped(title, left + inner + right - 0.2, title_font, GRID_TITLE_LINES)
    top = (title.count("\n") + 1) * _line_inches(title_font) + PANEL_TITLE_LINES * _line_inches(panel_font) + 0.25
    width, height = grown_size(left + inner + right, top + n_rows * (panel_h + gap_h) - gap_h + bottom, viz.dpi)
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(width, height), squeeze=False, sharey=True)
    fig.subplots_adjust(
        left=left / width,
        right=1.0 - right / width,
        bottom=bottom / height,
        top=1.0 - top / height,
        wspace=gap_w / panel_w,
        hspace=gap_h / panel_h,
    )
    return fig, axes, title


def channel_grid_figure(curves: Sequence[SegmentCurve], viz: VizConfig, color: str) -> Figure:
    """Small multiples of one channel: brands (brand x SKU at SKU granularity) as rows, regions as
    columns (series curves only; see :func:`grid_places` for a sparse selection). The panels share one
    vertical scale, from 0 to above the highest band of any panel, so no curve is cut off."""
    places = grid_places(curves)
    n_rows, n_columns = (max(place[k] for place in places) + 1 if places else 1 for k in (0, 1))
    fig, axes, title = _grid_figure(n_rows, n_columns, _grid_title(curves), viz)
    for ax in axes.flat:
        ax.axis("off")
    panel_font = FontProperties(size="small")
    for curve, place in zip(curves, places):
        ax = axes[place]
        ax.axis("on")
        _draw_response(ax, curve, color, viz)
        ax.xaxis.set_major_locator(MaxNLocator(GRID_TICKS))  # fewer ticks: 24 small panels render faster
        ax.yaxis.set_major_locator(MaxNLocator(GRID_TICKS))
        ax.set_title(_panel_title(curve, panel_font), fontsize="small")
        ax.tick_params(labelsize="x-small")
    top = HEADROOM * _top(*(c.response_upper for c in curves), *(c.response for c in curves))
    for ax in axes.flat:
        ax.set_ylim(0.0, top)
    width, height = fig.get_size_inches()
    label_font = FontProperties(size="medium")
    fig.supxlabel(SPEND_LABEL, fontsize="medium", y=0.08 / height, va="bottom")
    fig.supylabel(wrapped(RESPONSE_LABEL, height - 0.2, label_font), fontsize="medium", x=0.08 / width, ha="left")
    fig.suptitle(title)
    return fig


def national_figure(curves: Sequence[SegmentCurve], viz: VizConfig, colors: Sequence[str]) -> Figure:
    """Every channel's national curve: response (left) and marginal ROI (right) vs weekly spend."""
    fig, (response_ax, mroi_ax) = plt.subplots(1, 2, figsize=(viz.figure_width * 1.4, viz.figure_height))
    for curve, color in zip(curves, colors):
        response_ax.fill_between(
            curve.spend, curve.response_lower, curve.response_upper, color=color, alpha=0.15, linewidth=0
        )
        response_ax.plot(curve.spend, curve.response, color=color, linewidth=2, label=curve.channel)
        response_ax.plot([curve.current_spend], [curve.current_response], marker="o", color=color)
        mroi_ax.plot(curve.spend, curve.mroi, color=color, linewidth=2, label=curve.channel)
        mroi_ax.fill_between(curve.spend, curve.mroi_lower, curve.mroi_upper, color=color, alpha=0.12, linewidth=0)
        current_mroi = float(np.interp(curve.current_spend, curve.spend, curve.mroi))
        mroi_ax.plot([curve.current_spend], [current_mroi], marker="o", color=color)
    mroi_ax.axhline(1.0, color=GREY, linewidth=1, linestyle=":", label="1 rupee of sales per rupee")
    for ax, ylabel in ((response_ax, RESPONSE_LABEL), (mroi_ax, "Marginal ROI (INR sales per extra INR)")):
        ax.set_xlabel("National weekly spend (INR)")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
        ax.set_xlim(left=0.0)
    response_ax.set_ylim(0.0, HEADROOM * _top(*(c.response_upper for c in curves), *(c.response for c in curves)))
    mroi_ax.set_ylim(0.0, HEADROOM * _top(*(c.mroi_upper for c in curves), *(c.mroi for c in curves), np.ones(1)))
    response_ax.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    response_ax.legend(fontsize="small")
    mroi_ax.legend(fontsize="small")
    level = curves[0].level if curves else 0.9
    fig.suptitle(
        f"National ROI curves per channel (every series scaled alike; bands: {level:.0%} intervals; "
        "dots: current spend)"
    )
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.2)
    return fig


def carryover_figure(curve: CarryoverCurve, viz: VizConfig, color: str) -> Figure:
    """Lag weights of one channel with the interval band over the draws."""
    lags = np.arange(curve.weights.size)
    fig, ax = plt.subplots(figsize=(viz.figure_width, viz.figure_height))
    ax.fill_between(
        lags, curve.lower, curve.upper, color=color, alpha=0.25, linewidth=0, label=f"{curve.level:.0%} interval"
    )
    ax.plot(lags, curve.weights, color=color, marker="o", linewidth=2, label="learned carryover")
    ax.axvline(
        curve.half_weeks,
        color=GREY,
        linestyle="--",
        linewidth=1,
        label=f"half of the effect delivered: {curve.half_weeks:.1f} weeks",
    )
    ax.set_xlabel("Weeks after exposure (lag)")
    ax.set_ylabel("Carried-over exposure per unit exposure")
    ax.set_xlim(0, max(lags[-1], 1))
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize="small")
    ax.set_title(
        f"{curve.channel}: carryover impulse response (steady-state multiplier {curve.steady_state:.2f}, "
        f"{curve.level:.0%} interval {curve.steady_state_lower:.2f}-{curve.steady_state_upper:.2f})"
    )
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.9)
    return fig
