"""Static figures of simulator results (matplotlib, Agg): frontier, scenario bars, tornado.

Each ``*_figure`` function takes a finished result table and returns a Figure;
:func:`save_figure` writes it atomically at the configured dpi and closes it.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.utils.io import write_with

INR = FuncFormatter(lambda value, _: f"{value:,.0f}")


def _figure(viz: VizConfig, ncols: int = 1, height_scale: float = 1.0) -> tuple[Figure, np.ndarray]:
    sns.set_theme(style=viz.style, palette=viz.palette)
    fig, axes = plt.subplots(1, ncols, figsize=(viz.figure_width, viz.figure_height * height_scale), squeeze=False)
    return fig, axes[0]


def _color(viz: VizConfig, channel: str, index: int) -> str:
    return viz.channel_colors.get(channel, viz.color_for(index))


def frontier_figure(frontier: pd.DataFrame, viz: VizConfig, title: str) -> Figure:
    """Optimal and current-mix weekly incremental sales (INR) against the weekly budget (INR)."""
    fig, (ax,) = _figure(viz)
    ax.plot(
        frontier["weekly_budget"],
        frontier["optimal_incremental_sales"],
        marker="o",
        color=viz.color_for(0),
        label="Optimal mix",
    )
    ax.plot(
        frontier["weekly_budget"],
        frontier["current_mix_incremental_sales"],
        marker="s",
        linestyle="--",
        color=viz.color_for(1),
        label="Current mix, scaled",
    )
    current = frontier["weekly_budget"].iloc[0] / frontier["budget_multiple"].iloc[0]
    ax.axvline(current, color="grey", linestyle=":", label=f"Current budget ({current:,.0f} INR)")
    ax.set(title=title, xlabel="Weekly budget (INR)", ylabel="Weekly incremental sales (INR)")
    ax.xaxis.set_major_formatter(INR)
    ax.yaxis.set_major_formatter(INR)
    ax.legend()
    fig.tight_layout()
    return fig


def scenario_figure(summary: pd.DataFrame, channels: tuple[str, ...], viz: VizConfig) -> Figure:
    """Per scenario: weekly incremental sales stacked by channel (INR) and ROI."""
    fig, (left, right) = _figure(viz, ncols=2, height_scale=1.1)
    names = summary["scenario"].tolist()
    positions = np.arange(len(names))
    bottom = np.zeros(len(names))
    for index, channel in enumerate(channels):
        values = summary[f"contribution_{channel}"].to_numpy()
        left.bar(positions, values, bottom=bottom, color=_color(viz, channel, index), label=channel)
        bottom += values
    left.errorbar(
        positions,
        summary["incremental_sales"],
        yerr=[
            summary["incremental_sales"] - summary["incremental_lower"],
            summary["incremental_upper"] - summary["incremental_sales"],
        ],
        fmt="none",
        ecolor="black",
        capsize=4,
        label="Interval",
    )
    left.set(title="Weekly incremental sales by channel", ylabel="INR per week")
    left.yaxis.set_major_formatter(INR)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize="small", frameon=False)
    right.bar(positions, summary["roi"], color=viz.color_for(0))
    right.set(title="ROI (incremental sales / spend)", ylabel="INR of sales per INR spent")
    for ax in (left, right):
        ax.set_xticks(positions, names, rotation=30, ha="right")
        ax.set_xlabel("Scenario")
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.93))
    return fig


def tornado_figure(table: pd.DataFrame, viz: VizConfig, title: str) -> Figure:
    """Change in weekly incremental sales (INR) when each channel's spend moves by +-x %."""
    fig, (ax,) = _figure(viz)
    steps = sorted({abs(c) for c in table["change"]}, reverse=True)
    spread = table.groupby("channel")["delta_incremental_sales"].agg(lambda v: v.max() - v.min())
    order = spread.sort_values().index.tolist()
    positions = {channel: i for i, channel in enumerate(order)}
    for index, step in enumerate(steps):
        for sign, offset in ((-1, 0), (1, 1)):
            part = table[np.isclose(table["change"], sign * step)]
            y = [positions[c] for c in part["channel"]]
            ax.barh(
                y,
                part["delta_incremental_sales"],
                color=viz.color_for(offset),
                alpha=0.35 + 0.3 * index,
                height=0.7 - 0.15 * index,
                label=f"{'+' if sign > 0 else '-'}{step:.0%} spend",
            )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(order)), order)
    ax.set(title=title, xlabel="Change in weekly incremental sales (INR)", ylabel="Channel")
    ax.xaxis.set_major_formatter(INR)
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | Path, viz: VizConfig) -> Path:
    """Write ``fig`` atomically as PNG at ``viz.dpi`` and close it."""
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, dpi=viz.dpi, format="png"))
    finally:
        plt.close(fig)
