"""Static figures of simulator results (matplotlib, Agg): frontier, scenario bars, sensitivity.

Each ``*_figure`` function takes a finished result table and returns a Figure;
:func:`save_figure` writes it atomically at the configured dpi and closes it. Channel
colours and the number format come from :mod:`mmm_analytics.style`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.simulator.defaults import ALL
from mmm_analytics.simulator.frontier_table import todays_budget
from mmm_analytics.style import numbers, palette
from mmm_analytics.utils.io import write_with

#: Colours of spend cuts and spend increases in the sensitivity chart.
CUT_COLOR = "#c0392b"
RAISE_COLOR = "#2e8b57"
#: Share of a channel's row the grouped sensitivity bars fill.
GROUP_HEIGHT = 0.84


def scope_label(brand: str, region: str) -> str:
    """Where a scenario applies: ``national``, ``BrandA only``, ``NORTH only`` or ``BrandA in NORTH only``."""
    if brand == ALL and region == ALL:
        return "national"
    if region == ALL:
        return f"{brand} only"
    return f"{region} only" if brand == ALL else f"{brand} in {region} only"


def scenario_label(name: str, brand: str, region: str) -> str:
    """A scenario's name, with its scope when it is not national: ``brand_a_tv_push (BrandA only)``."""
    scope = scope_label(brand, region)
    return name if scope == "national" else f"{name} ({scope})"


#: Scenarios one panel of the scenario figure shows at the configured figure width.
SCENARIOS_PER_PANEL = 8

#: Longest scenario label drawn (longer names end in an ellipsis; the tables keep them whole).
MAX_LABEL_CHARS = 40


def _shortened(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _figure(
    viz: VizConfig, ncols: int = 1, height_scale: float = 1.0, width_scale: float = 1.0
) -> tuple[Figure, np.ndarray]:
    sns.set_theme(style=viz.style, palette=viz.palette)
    fig, axes = plt.subplots(1, ncols, figsize=viz.figure_size(height_scale, width_scale), squeeze=False)
    return fig, axes[0]


def frontier_figure(frontier: pd.DataFrame, viz: VizConfig, title: str) -> Figure:
    """Optimal and current-mix weekly incremental sales (INR) against the weekly budget (INR)."""
    fig, (ax,) = _figure(viz)
    ax.plot(
        frontier["weekly_budget"],
        frontier["optimal_incremental_sales"],
        marker="o",
        color=palette.RECOMMENDED,
        label="Optimal mix",
    )
    ax.plot(
        frontier["weekly_budget"],
        frontier["current_mix_incremental_sales"],
        marker="s",
        linestyle="--",
        color=palette.CURRENT,
        label="Current mix, scaled",
    )
    if (current := todays_budget(frontier)) is not None:
        shown = numbers.money(current, viz.number_format)
        ax.axvline(current, color="grey", linestyle=":", label=f"Current budget ({shown} per week)")
    ax.set(title=title, xlabel="Weekly budget (INR)", ylabel="Weekly incremental sales (INR)")
    ax.xaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.legend()
    fig.tight_layout()
    return fig


def scenario_figure(summary: pd.DataFrame, channels: tuple[str, ...], viz: VizConfig) -> Figure:
    """Per scenario: weekly incremental sales stacked by channel (INR) and ROI."""
    # Each panel keeps room for about SCENARIOS_PER_PANEL labels at the configured width; more widen the figure.
    fig, (left, right) = _figure(
        viz, ncols=2, height_scale=1.1, width_scale=max(1.0, len(summary) / SCENARIOS_PER_PANEL)
    )
    names = [
        _shortened(scenario_label(*row)) for row in summary[["scenario", "brand", "region"]].itertuples(index=False)
    ]
    positions = np.arange(len(names))
    bottom = np.zeros(len(names))
    colors = palette.channel_colors(viz, channels)
    for channel in channels:
        values = summary[f"contribution_{channel}"].to_numpy()
        left.bar(positions, values, bottom=bottom, color=colors[channel], label=channel)
        bottom += values
    # The interval from its bottom to its top: the point estimate (the response at the fitted
    # weights) may lie outside the draws' interval when the posterior is skewed.
    lower, upper = summary["incremental_lower"].to_numpy(), summary["incremental_upper"].to_numpy()
    left.errorbar(
        positions,
        (lower + upper) / 2.0,
        yerr=np.abs(upper - lower) / 2.0,
        fmt="none",
        ecolor="black",
        capsize=4,
        label="Interval",
    )
    left.set(title="Weekly incremental sales by channel", ylabel="INR per week")
    left.yaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize="small", frameon=False)
    right.bar(positions, summary["roi"], color=palette.FITTED)
    right.set(title="Steady-state ROI (incremental sales / spend)", ylabel="INR of sales per INR spent")
    for ax in (left, right):
        ax.set_xticks(positions, names, rotation=30, ha="right")
        ax.set_xlabel("Scenario")
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.93))
    return fig


def tornado_figure(table: pd.DataFrame, viz: VizConfig, title: str) -> Figure:
    """Change in weekly incremental sales (INR) when each channel's spend moves by +-x %.

    One row per channel (widest effect at the top); inside a row one bar per change, side by
    side from the deepest cut to the largest increase, so no bar hides another.
    """
    fig, (ax,) = _figure(viz)
    changes = sorted({float(c) for c in table["change"]})
    spread = table.groupby("channel")["delta_incremental_sales"].agg(lambda v: v.max() - v.min())
    order = spread.sort_values().index.tolist()
    positions = {channel: i for i, channel in enumerate(order)}
    height = GROUP_HEIGHT / max(len(changes), 1)
    deepest = max((abs(c) for c in changes), default=1.0) or 1.0
    for k, change in enumerate(changes):
        part = table[np.isclose(table["change"], change)]
        offset = (k - (len(changes) - 1) / 2) * height
        ax.barh(
            [positions[c] + offset for c in part["channel"]],
            part["delta_incremental_sales"],
            height=height * 0.92,
            color=RAISE_COLOR if change > 0 else CUT_COLOR,
            alpha=0.35 + 0.65 * abs(change) / deepest,
            label=f"{change:+.0%} spend",
        )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(order)), order)
    ax.set(title=title, xlabel="Change in weekly incremental sales (INR)", ylabel="Channel")
    ax.xaxis.set_major_formatter(numbers.axis_formatter(viz.number_format))
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | Path, viz: VizConfig) -> Path:
    """Write ``fig`` atomically as PNG at ``viz.dpi`` and close it."""
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, dpi=viz.dpi, format="png"))
    finally:
        plt.close(fig)
