"""Figure of the data-quality analysis: missing and imputed values, and the outliers the cleaning step flagged."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_quality import DataQuality
from mmm_analytics.eda.figures_common import new_figure, title, top_labels
from mmm_analytics.style import numbers


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _missing_panel(ax: Axes, result: DataQuality, viz: VizConfig) -> None:
    counts = pd.DataFrame({"imputed by cleaning": result.imputed, "missing now": result.missing}).fillna(0)
    counts = counts[(counts > 0).any(axis=1)]
    if counts.empty:
        _empty(ax, "no missing values\n(none imputed, none left)")
    else:
        counts.plot.barh(ax=ax, color=[viz.color_for(2), viz.color_for(3)], width=0.8)
        ax.set_xlabel("cells")
        ax.tick_params(axis="y", labelsize=7)
        ax.legend(fontsize=7)
    ax.set_title("missing values", fontsize=10)


def plot_quality(result: DataQuality, viz: VizConfig) -> Figure:
    """Three panels: missing/imputed cells per column, outlier rows per geo, outlier cells per column."""
    figure, axes = new_figure(viz, 1, 3, height_scale=1.1)
    _missing_panel(axes[0, 0], result, viz)
    by_geo, _ = top_labels(result.outliers_by_geo, defaults.TOP_HEATMAP_ROWS)
    axes[0, 1].bar(by_geo.index.astype(str), by_geo.to_numpy(), color=viz.color_for(1))
    axes[0, 1].tick_params(axis="x", rotation=60, labelsize=7)
    axes[0, 1].set_ylabel("rows flagged as outliers")
    axes[0, 1].yaxis.set_major_locator(MaxNLocator(integer=True))
    share = numbers.share_of_rows(result.n_outliers / max(result.n_rows, 1))  # 1 row of 11,232 read "0.0%"
    flagged = numbers.count(result.n_outliers, viz.number_format)
    axes[0, 1].set_title(f"outlier rows by geo: {flagged} ({share})", fontsize=10)
    by_column = result.outliers_by_column
    if by_column.empty or by_column.sum() == 0:
        _empty(axes[0, 2], "no outlier cells listed\nby the cleaning step")
    else:
        axes[0, 2].barh(by_column.index, by_column.to_numpy(), color=viz.color_for(0), height=0.5)
        axes[0, 2].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[0, 2].set_ylim(-0.75, max(len(by_column), 2) - 0.25)
        axes[0, 2].set_xlabel("cells flagged")
    axes[0, 2].set_title("outlier cells by column", fontsize=10)
    title(
        figure,
        "Can the data be trusted?",
        "what the cleaning step imputed and flagged (cleaning_report.json, outliers.csv)",
    )
    return figure
