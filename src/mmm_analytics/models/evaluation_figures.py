"""Static figures of the model evaluation (PNG, matplotlib Agg, style and dpi from ``VizConfig``).

- ``fit_by_brand.png`` / ``fit_by_region.png``: actual vs predicted weekly Sales_Value
  per brand and per region (sums over the other key), holdout weeks shaded;
- ``decomposition_stacked.png``: national weekly predicted sales stacked by part
  (negative parts stacked below 0), with actual and predicted;
- ``contribution_waterfall.png``: base -> price -> promotions -> channels -> total;
- ``residual_acf.png``: residual autocorrelation at lags 1..8 over the training weeks.

Figures are rendered in ``viz.max_workers`` worker processes (serially when that is 1) from
:func:`mmm_analytics.utils.workers.worker_pool`: started without forking the parent, they
import this module without the ``mmm_analytics.models`` package (which loads Keras) and end
with the run. Temp files an interrupted run left in the folder are removed first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, assert_never

import numpy as np
import numpy.typing as npt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.style import numbers, palette
from mmm_analytics.utils.io import write_with
from mmm_analytics.utils.workers import remove_stale_temps, sigterm_raises, worker_pool

type Grid = npt.NDArray[np.float64]

#: Colours of the non-media parts; channels take ``viz.channel_colors`` or the palette.
PART_COLORS: dict[str, str] = palette.PART_COLORS
ACTUAL_COLOR = palette.ACTUAL
TOTAL_COLOR = palette.FITTED
PNG_COMPRESS_LEVEL = 3
#: The package of this module; its ``__init__`` loads Keras, which the figure workers skip.
_PACKAGE = __name__.rpartition(".")[0]


class FigureKind(StrEnum):
    FIT_BY_BRAND = "fit_by_brand"
    FIT_BY_REGION = "fit_by_region"
    DECOMPOSITION = "decomposition_stacked"
    WATERFALL = "contribution_waterfall"
    RESIDUAL_ACF = "residual_acf"


@dataclass(frozen=True, slots=True)
class FitPanels:
    """Weekly actual and predicted Sales_Value (INR) of G groups: arrays of shape (G, T); the
    largest groups by sales when the data have more (``n_groups`` in all)."""

    labels: tuple[str, ...]
    actual: Grid
    predicted: Grid
    n_groups: int = 0

    @property
    def caption(self) -> str:
        """ " (top 12 of 200 by sales)" when only some groups are shown, else ""."""
        shown = len(self.labels)
        return f" (top {shown} of {self.n_groups} by sales)" if self.n_groups > shown else ""


@dataclass(frozen=True, slots=True)
class PlotData:
    """Everything the evaluation figures draw.

    ``national_parts`` maps each part (base, price, promotions, channels, in order) to its
    weekly national series (T,) in INR; ``totals`` the same parts summed over the data period.
    """

    dates: pd.DatetimeIndex
    holdout_weeks: int
    by_brand: FitPanels
    by_region: FitPanels
    national_actual: Grid
    national_predicted: Grid
    national_parts: dict[str, Grid]
    totals: dict[str, float]
    diagnostics: pd.DataFrame
    colors: dict[str, str]


def part_colors(viz: VizConfig, channels: tuple[str, ...]) -> dict[str, str]:
    """Colour of every part: fixed for base, price and promotions, configured for channels."""
    return palette.part_colors(viz, channels)


def _new_figure(
    viz: VizConfig, nrows: int = 1, ncols: int = 1, height: float = 1.0, constrained: bool = True
) -> tuple[Figure, np.ndarray]:
    """A figure of the configured size and style; without ``constrained`` the caller places the axes."""
    with sns.axes_style(viz.style):
        figure = Figure(figsize=viz.figure_size(height), layout="constrained" if constrained else None)
        axes = figure.subplots(nrows, ncols, squeeze=False, sharex=True)
    return figure, axes


def _fixed_margins(figure: Figure) -> None:
    """Margins in inches for small multiples (a layout engine would redraw every panel several times)."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=0.75 / width,
        right=1 - 0.15 / width,
        bottom=0.5 / height,
        top=1 - 0.65 / height,
        wspace=0.22,
        hspace=0.5 * 3.0 / height,
    )


def date_ticks(dates: pd.DatetimeIndex, max_ticks: int = 8) -> tuple[pd.DatetimeIndex, list[str]]:
    """Month starts every 1, 2, 3, 6 or 12 months (at most about ``max_ticks``); the year shown in January.

    Fixed positions: a date locator would run again at every layout pass, which is slow.
    """
    months = max(1, (dates[-1] - dates[0]).days // 30)
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= max_ticks), 12)
    ticks = pd.date_range(dates[0].to_period("M").to_timestamp(), dates[-1], freq="MS")
    ticks = ticks[((ticks.month - 1) % step == 0) & (ticks >= dates[0])]
    return ticks, [f"{t:%b}\n{t:%Y}" if t.month == 1 or k == 0 else f"{t:%b}" for k, t in enumerate(ticks)]


def _time_axis(ax: Axes, dates: pd.DatetimeIndex, holdout_weeks: int, viz: VizConfig) -> None:
    ticks, labels = date_ticks(dates)
    ax.set_xticks(ticks, labels)
    ax.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    if holdout_weeks > 0:
        start = dates[len(dates) - holdout_weeks]
        ax.axvspan(start, dates[-1] + pd.Timedelta(days=7), color="#f0c987", alpha=0.35, lw=0, label="holdout")
    ax.set_xlim(dates[0], dates[-1] + pd.Timedelta(days=7))


def fit_figure(panels: FitPanels, dates: pd.DatetimeIndex, holdout_weeks: int, viz: VizConfig, by: str) -> Figure:
    """Small multiples of actual vs predicted weekly Sales_Value (INR), one panel per group."""
    ncols = min(3, len(panels.labels))
    nrows = math.ceil(len(panels.labels) / ncols)
    figure, axes = _new_figure(viz, nrows, ncols, height=max(1.0, 0.55 * nrows), constrained=False)
    _fixed_margins(figure)
    for ax, label, actual, predicted in zip(axes.flat, panels.labels, panels.actual, panels.predicted):
        ax.plot(dates, actual, color=ACTUAL_COLOR, lw=1.2, label="actual")
        ax.plot(dates, predicted, color=palette.FITTED, lw=1.4, linestyle="--", label="fitted")
        _time_axis(ax, dates, holdout_weeks, viz)
        ax.set_title(label, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(panels.labels) :]:
        ax.set_visible(False)
    for ax in axes.flat[len(panels.labels) - ncols : len(panels.labels)]:
        ax.xaxis.set_tick_params(labelbottom=True)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    figure.supylabel("Sales_Value (INR / week)", fontsize=9, x=0.12 / figure.get_size_inches()[0], ha="left")
    figure.suptitle(f"Actual vs predicted weekly sales by {by}{panels.caption} (holdout shaded)", fontweight="bold")
    return figure


def decomposition_figure(data: PlotData, viz: VizConfig) -> Figure:
    """National weekly predicted sales stacked by part: positive parts above 0, negative below."""
    figure, axes = _new_figure(viz, height=1.2)
    ax = axes[0, 0]
    up, down = np.zeros(len(data.dates)), np.zeros(len(data.dates))
    for name, values in data.national_parts.items():
        positive, negative = np.clip(values, 0.0, None), np.clip(values, None, 0.0)
        color = data.colors[name]
        if positive.any():
            ax.fill_between(data.dates, up, up + positive, color=color, lw=0, label=name)
            up = up + positive
        if negative.any():
            ax.fill_between(
                data.dates,
                down,
                down + negative,
                color=color,
                lw=0,
                label=None if positive.any() else name,
                hatch="//",
                alpha=0.8,
            )
            down = down + negative
    ax.plot(data.dates, data.national_predicted, color=TOTAL_COLOR, lw=1.3, label="predicted")
    ax.plot(data.dates, data.national_actual, color=ACTUAL_COLOR, lw=0, marker="o", ms=2.2, label="actual")
    _time_axis(ax, data.dates, data.holdout_weeks, viz)
    ax.axhline(0.0, color="#555555", lw=0.8)
    ax.set_ylabel("Sales_Value (INR / week, national)")
    ax.set_xlabel("Week")
    ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Sales decomposition over time (national)", fontweight="bold")
    return figure


def waterfall_figure(data: PlotData, viz: VizConfig) -> Figure:
    """Base, then each part added in turn, then the total predicted sales (INR over the data period)."""
    figure, axes = _new_figure(viz, height=1.1)
    ax = axes[0, 0]
    names = [*data.totals, "total"]
    running = 0.0
    for k, name in enumerate(names):
        value = sum(data.totals.values()) if name == "total" else data.totals[name]
        bottom = 0.0 if name in ("base", "total") else running
        color = TOTAL_COLOR if name == "total" else data.colors[name]
        ax.bar(k, value, bottom=bottom, color=color, edgecolor="#333333", lw=0.5, width=0.7)
        ax.annotate(
            numbers.compact(value, viz.number_format),
            (k, bottom + max(value, 0.0)),
            ha="center",
            va="bottom",
            fontsize=7,
            xytext=(0, 2),
            textcoords="offset points",
        )
        if name != "total":
            running = bottom + value
            ax.plot([k + 0.35, k + 0.65], [running, running], color="#777777", lw=0.8)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.set_ylabel("Sales_Value (INR, full data period)")
    ax.set_title("Contribution waterfall: base -> price -> promotions -> channels -> total", fontweight="bold")
    return figure


def acf_figure(diagnostics: pd.DataFrame, viz: VizConfig) -> Figure:
    """Residual ACF per lag: pooled series and national bars, every series as dots, 95% band."""
    figure, axes = _new_figure(viz)
    ax = axes[0, 0]
    columns = [c for c in diagnostics.columns if c.startswith("acf_lag_")]
    lags = np.arange(1, len(columns) + 1)
    for offset, level, color in ((-0.18, "overall", viz.color_for(0)), (0.18, "national", viz.color_for(1))):
        row = diagnostics.loc[diagnostics["level"] == level, columns].to_numpy(dtype=float)[0]
        ax.bar(lags + offset, row, width=0.34, color=color, label=f"{level} residuals", zorder=2)
    series = diagnostics.loc[diagnostics["level"] == "series", columns].to_numpy(dtype=float)
    for values in series:
        ax.scatter(lags, values, s=8, color="#555555", alpha=0.45, lw=0, zorder=3)
    n_weeks = int(diagnostics["n_weeks"].iloc[0])
    band = 1.96 / math.sqrt(max(n_weeks, 1))
    ax.axhspan(
        -band, band, color="#999999", alpha=0.2, lw=0, zorder=0, label=f"95% band for white noise (n = {n_weeks})"
    )
    ax.axhline(0.0, color="#333333", lw=0.8)
    ax.set_xticks(lags)
    ax.set_xlabel("Lag (weeks)")
    ax.set_ylabel("Autocorrelation of residuals")
    ax.legend(fontsize=8)
    ax.set_title("Residual autocorrelation, training weeks (dots: each brand x region)", fontweight="bold")
    return figure


def build_figure(kind: FigureKind, data: PlotData, viz: VizConfig) -> Figure:
    match kind:
        case FigureKind.FIT_BY_BRAND:
            return fit_figure(data.by_brand, data.dates, data.holdout_weeks, viz, "brand")
        case FigureKind.FIT_BY_REGION:
            return fit_figure(data.by_region, data.dates, data.holdout_weeks, viz, "region")
        case FigureKind.DECOMPOSITION:
            return decomposition_figure(data, viz)
        case FigureKind.WATERFALL:
            return waterfall_figure(data, viz)
        case FigureKind.RESIDUAL_ACF:
            return acf_figure(data.diagnostics, viz)
        case _:
            assert_never(kind)


def render_one(kind: FigureKind, data: PlotData, folder: Path, viz: VizConfig) -> Path:
    """Draw one figure and save it atomically as ``folder/<kind>.png``."""
    figure = build_figure(kind, data, viz)
    options: dict[str, Any] = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}}
    path = write_with(
        folder / f"{kind.value}.png", lambda tmp: figure.savefig(tmp, dpi=viz.dpi, format="png", **options)
    )
    figure.clear()
    return path


def render_figures(data: PlotData, folder: Path, viz: VizConfig) -> list[Path]:
    """Render every figure; in ``viz.max_workers`` worker processes when that is above 1."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = list(FigureKind)
    remove_stale_temps(folder, suffixes={".png"}, stems={kind.value for kind in kinds})
    workers = min(viz.max_workers, len(kinds))
    if workers <= 1:
        with sigterm_raises():
            return [render_one(kind, data, folder, viz) for kind in kinds]
    n = len(kinds)
    with worker_pool(workers, bare_packages=(_PACKAGE,)) as pool:
        return list(pool.map(render_one, kinds, [data] * n, [folder] * n, [viz] * n))
