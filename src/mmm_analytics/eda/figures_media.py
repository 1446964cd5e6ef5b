"""Figures of the media analyses; each takes a finished result and returns a Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_media import (
    ChannelExposure,
    Correlation,
    CrossCorrelation,
    Flighting,
    LaggedResponse,
    Pair,
    Spend,
    Vif,
)
from mmm_analytics.eda.figures_common import (
    colors_for,
    compact_axis,
    date_axis,
    grid_shape,
    hide_unused,
    new_figure,
    scatter_panel,
    title,
)
from mmm_analytics.style import numbers


def plot_exposure(result: ChannelExposure, viz: VizConfig) -> Figure:
    """One small panel per channel: national weekly exposure."""
    names = list(result.exposure.columns)
    rows, columns = grid_shape(len(names))
    figure, axes = new_figure(viz, rows, columns, height_scale=0.6 * rows + 0.4, sharex=True)
    colors = colors_for(viz, names)
    for ax, name in zip(axes.flat, names, strict=False):
        ax.fill_between(result.exposure.index, result.exposure[name], color=colors[name], alpha=0.8, linewidth=0)
        ax.set_title(name, fontsize=10)
        ax.set_ylabel(result.units[name].replace(" per week", "") + "\nper week", fontsize=8)
        compact_axis(ax, viz.number_format)
        date_axis(ax, result.exposure.index, max_ticks=4)
    hide_unused(axes, len(names))
    title(figure, "Exposure by channel over time", "national weekly totals")
    return figure


def plot_spend(result: Spend, viz: VizConfig) -> Figure:
    """Stacked weekly spend per channel (INR) and each channel's share of total spend."""
    figure, axes = new_figure(viz, 1, 2, width_ratios=[2.2, 1])
    names = list(result.weekly.columns)
    colors = colors_for(viz, names)
    ax = axes[0, 0]
    ax.stackplot(result.weekly.index, result.weekly.T.to_numpy(), labels=names, colors=[colors[n] for n in names])
    ax.set_ylabel("spend (INR per week)")
    compact_axis(ax, viz.number_format)
    date_axis(ax, result.weekly.index, max_ticks=8)
    ax.legend(fontsize=7, loc="upper left", ncols=3)
    share = result.share.sort_values("share_pct")
    bars = axes[0, 1].barh(share["channel"], share["share_pct"], color=[colors[n] for n in share["channel"]])
    axes[0, 1].bar_label(bars, fmt="%.1f%%", fontsize=8, padding=2)
    axes[0, 1].set_xlabel("share of total spend (%)")
    axes[0, 1].set_xlim(0, share["share_pct"].max() * 1.3)
    title(
        figure,
        "Where does the media money go?",
        "spend = exposure x CPM / 1000 at the configured CPMs, or a spend column (INR)",
    )
    return figure


def plot_flighting(result: Flighting, viz: VizConfig) -> Figure:
    """Calendar heatmap of weekly exposure relative to each channel's peak week."""
    figure, axes = new_figure(viz, height_scale=0.75)
    level = result.level
    sns.heatmap(
        level.to_numpy(),
        cmap="Blues",
        vmin=0,
        vmax=1,
        ax=axes[0, 0],
        cbar_kws={"label": "exposure / channel's peak week"},
    )
    step = max(1, level.shape[1] // 12)
    positions = np.arange(0, level.shape[1], step)
    labels = [level.columns[p].strftime("%b %Y") for p in positions]
    axes[0, 0].set_xticks(positions + 0.5, labels, rotation=45, ha="right")
    axes[0, 0].set_yticks(np.arange(len(level)) + 0.5, list(level.index), rotation=0)
    axes[0, 0].set_xlabel("week")
    title(
        figure,
        "When is each channel on air? (flighting calendar)",
        "national weekly exposure, 1 = the channel's peak week",
    )
    return figure


def plot_correlation(result: Correlation, viz: VizConfig) -> Figure:
    """Annotated correlation heatmap of sales and channel exposure indexes."""
    figure, axes = new_figure(viz, height_scale=1.2)
    mask = np.triu(np.ones(result.matrix.shape, dtype=bool), k=1)
    sns.heatmap(
        result.matrix,
        mask=mask,
        annot=_two_decimals(result.matrix),
        fmt="",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        square=True,
        ax=axes[0, 0],
        cbar_kws={"label": "Pearson r"},
    )
    axes[0, 0].tick_params(axis="y", rotation=0)
    title(figure, "Which channels move together?", "geo x brand weekly values, each divided by its series mean")
    return figure


def plot_pair(result: Pair, viz: VizConfig) -> Figure:
    """Scatter of two channels' exposure indexes by brand with a least-squares line."""
    figure, axes = new_figure(viz)
    ax = axes[0, 0]
    points = result.points
    brands = sorted(points[schema.BRAND].unique())
    colors = colors_for(viz, brands)
    for brand in brands:
        part = points[points[schema.BRAND] == brand]
        ax.scatter(part[result.x_channel], part[result.y_channel], s=10, alpha=0.45, color=colors[brand], label=brand)
    slope, intercept = np.polyfit(points[result.x_channel], points[result.y_channel], 1)
    grid = np.linspace(points[result.x_channel].min(), points[result.x_channel].max(), 50)
    ax.plot(
        grid,
        intercept + slope * grid,
        color="#222222",
        linewidth=2,
        label=f"least squares (r = {result.correlation:.2f})",
    )
    ax.set_xlabel(f"{result.x_channel} exposure index (series mean = 1)")
    ax.set_ylabel(f"{result.y_channel} exposure index (series mean = 1)")
    ax.legend(fontsize=8)
    title(
        figure,
        f"Can the model tell {result.x_channel} from {result.y_channel}?",
        f"geo x brand weeks; r = {result.correlation:.2f} (near 1: hard to separate)",
    )
    return figure


def plot_vif(result: Vif, viz: VizConfig) -> Figure:
    """Horizontal VIF bars with the warning (5) and severe (10) lines."""
    figure, axes = new_figure(viz)
    ax = axes[0, 0]
    table = result.table.sort_values("vif")
    values = table["vif"].replace(np.inf, np.nan).fillna(defaults.VIF_SEVERE * 10)
    colors = colors_for(viz, list(table["channel"]))
    bars = ax.barh(table["channel"], values, color=[colors[c] for c in table["channel"]])
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in table["vif"]], fontsize=8, padding=2)
    for limit, style in ((defaults.VIF_WARNING, "--"), (defaults.VIF_SEVERE, ":")):
        ax.axvline(limit, color="#c0392b", linestyle=style, linewidth=1.2, label=f"VIF = {limit:g}")
    ax.set_xlim(0, max(values.max(), defaults.VIF_SEVERE) * 1.15)
    ax.set_xlabel("variance inflation factor (1 = independent)")
    ax.legend(fontsize=8, loc="lower right")
    title(figure, "How collinear is each channel with the others? (VIF)", "exposure indexes of geo x brand weeks")
    return figure


def plot_cross_correlation(result: CrossCorrelation, viz: VizConfig) -> Figure:
    """Heatmap of sales-exposure correlation by lag, best lag per channel boxed."""
    figure, axes = new_figure(viz, height_scale=0.8)
    ax = axes[0, 0]
    limit = max(0.05, float(np.nanmax(np.abs(result.matrix.to_numpy()))))
    sns.heatmap(
        result.matrix,
        annot=_two_decimals(result.matrix),
        fmt="",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        ax=ax,
        cbar_kws={"label": "Pearson r"},
    )
    for row, lag in enumerate(result.best["best_lag_weeks"]):
        ax.add_patch(_box(list(result.matrix.columns).index(lag), row))
    ax.set_xlabel("lag (weeks between exposure and sales)")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    title(
        figure,
        "How long after exposure do sales respond?",
        "corr(sales index in week t, exposure index in week t - lag); box = best lag",
    )
    return figure


def _two_decimals(matrix: pd.DataFrame) -> np.ndarray:
    """Cell labels to two decimals, never "-0.00" (a correlation of -0.001)."""
    return np.vectorize(lambda v: numbers.ratio(v, 2))(matrix.to_numpy(float))


def _box(column: int, row: int) -> Rectangle:
    return Rectangle((column, row), 1, 1, fill=False, edgecolor="#111111", linewidth=2)


def plot_lagged_response(result: LaggedResponse, viz: VizConfig) -> Figure:
    """Sales index against each channel's lagged exposure index with a LOWESS curve."""
    names = list(result.panels)
    rows, columns = grid_shape(len(names))
    figure, axes = new_figure(viz, rows, columns, height_scale=0.65 * rows + 0.3, sharey=True)
    colors = colors_for(viz, names)
    for ax, name in zip(axes.flat, names, strict=False):
        scatter_panel(ax, result.panels[name], colors[name], viz.number_format)
        ax.set_title(f"{name}, lag {numbers.counted(int(result.lags[name]), 'week')}", fontsize=10)
        ax.set_xlabel("exposure index (series mean = 1)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("sales index (series mean = 1)", fontsize=8)
    hide_unused(axes, len(names))
    title(
        figure,
        "Do sales rise with each channel's exposure?",
        "geo x brand weeks at each channel's best lag; curve: LOWESS",
    )
    return figure
