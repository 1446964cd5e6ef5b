"""Shared figure helpers: styled figures from ``VizConfig``, readable axes, scatter panels, atomic saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.eda.smoothing import Scatter
from mmm_analytics.style import numbers
from mmm_analytics.utils.io import write_with


def new_figure(
    viz: VizConfig, nrows: int = 1, ncols: int = 1, height_scale: float = 1.0, **subplot_kw: Any
) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of the configured size and seaborn style.

    Returns
    -------
    (Figure, ndarray of Axes of shape (nrows, ncols))
    """
    with sns.axes_style(viz.style):
        figure = Figure(figsize=viz.figure_size(height_scale), layout="constrained")
        axes = figure.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return figure, axes


def title(figure: Figure, text: str, subtitle: str = "") -> None:
    """Bold figure title with an optional smaller line below it."""
    figure.suptitle(f"{text}\n{subtitle}" if subtitle else text, fontsize=12, fontweight="bold")


def compact_axis(ax: Axes, fmt: NumberFormat, axis: str = "y") -> None:
    """Tick labels as short amounts in the report's number format (1.2 Cr, 45 L, 12,000; or 12K, 12.3M)
    instead of scientific notation; left alone when the axis stays below 1,000."""
    limits = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if max(abs(limit) for limit in limits) >= 1000:
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(numbers.axis_formatter(fmt))


def date_axis(ax: Axes, dates: pd.DatetimeIndex, max_ticks: int = 12) -> None:
    """Fixed ticks at month starts (every 1, 2, 3, 6 or 12 months, about ``max_ticks`` at most), year shown in January.

    Fixed positions avoid re-running a date locator at every layout pass. A panel of one week
    gets that week as its one tick, half a week either side.
    """
    if dates.min() == dates.max():
        week = dates.min()
        ax.set_xticks([week], [f"{week:%d %b}\n{week:%Y}"], fontsize=8)
        ax.set_xlim(week - pd.Timedelta(days=3.5), week + pd.Timedelta(days=3.5))
        return
    months = max(1, (dates.max() - dates.min()).days // 30)
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= max_ticks), 12)
    ticks = pd.date_range(dates.min().to_period("M").to_timestamp(), dates.max(), freq="MS")
    ticks = ticks[(ticks.month - 1) % step == 0]
    ticks = ticks[ticks >= dates.min()]
    labels = [f"{t:%b}\n{t:%Y}" if t.month == 1 or k == 0 else f"{t:%b}" for k, t in enumerate(ticks)]
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set_xlim(dates.min(), dates.max())


def colors_for(viz: VizConfig, names: list[str]) -> dict[str, str]:
    """Configured channel colour when set, otherwise the palette in order."""
    return {name: viz.channel_colors.get(name, viz.color_for(k)) for k, name in enumerate(names)}


def grid_shape(count: int, max_columns: int = 3) -> tuple[int, int]:
    """Rows and columns of a small-multiples grid holding ``count`` panels."""
    columns = min(count, max_columns)
    return -(-count // columns), columns


def hide_unused(axes: np.ndarray, used: int) -> None:
    for ax in axes.flat[used:]:
        ax.set_visible(False)


def scatter_panel(
    ax: Axes, data: Scatter, color: str, fmt: NumberFormat, curve_color: str = "#222222", points: bool = True
) -> None:
    """Points (sampled, unless ``points`` is False) plus the LOWESS curve; the correlation and the number of
    points (grouped per ``fmt``) go in the legend."""
    if points:
        ax.scatter(data.points["x"], data.points["y"], s=8, alpha=0.35, color=color, linewidths=0)
    if not data.curve.empty:
        ax.plot(
            data.curve["x"],
            data.curve["y"],
            color=curve_color,
            linewidth=2.0,
            label=f"LOWESS (r = {data.correlation:.2f}, n = {numbers.count(data.n, fmt)})",
        )
        ax.legend(loc="best", fontsize=8, frameon=True)


def save_figure(figure: Figure, path: Path, dpi: int) -> Path:
    """Write ``figure`` as PNG atomically at ``dpi``."""
    return write_with(path, lambda tmp: figure.savefig(tmp, dpi=dpi, format="png"))


def top_columns(frame: pd.DataFrame, count: int) -> tuple[pd.DataFrame, str]:
    """The ``count`` columns of ``frame`` with the largest totals, in their original order, and a note
    saying how many of how many are shown (empty when all are)."""
    if frame.shape[1] <= count:
        return frame, ""
    largest = frame.sum(axis=0).nlargest(count).index
    return frame[[c for c in frame.columns if c in set(largest)]], f"top {count} of {frame.shape[1]} by total"


def top_labels(values: pd.Series, count: int) -> tuple[pd.Series, str]:
    """The ``count`` largest entries of ``values`` in their original order, and a note as :func:`top_columns`."""
    if len(values) <= count:
        return values, ""
    largest = set(values.nlargest(count).index)
    return values[[label in largest for label in values.index]], f"top {count} of {len(values)}"


def with_note(subtitle: str, note: str) -> str:
    """``subtitle``, plus ``; note (all in the tables)`` when something was left out."""
    return f"{subtitle}; {note} (all in the tables)" if note else subtitle
