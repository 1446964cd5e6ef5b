"""Figures of the non-media driver analyses; each takes a finished result and returns a Figure."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_drivers import (
    DriverCorrelation,
    Elasticity,
    MacroTrends,
    ScatterGrid,
    Uplift,
)
from mmm_analytics.eda.figures_common import (
    compact_axis,
    date_axis,
    grid_shape,
    hide_unused,
    new_figure,
    scatter_panel,
    title,
    top_labels,
    with_note,
)


def _uplift_bars(ax: Axes, table: pd.DataFrame, viz: VizConfig) -> None:
    """Grouped bars: one group per event, one bar per brand group, labelled with the uplift."""
    events, groups = list(dict.fromkeys(table["event"])), list(dict.fromkeys(table["group"]))
    width = 0.8 / len(groups)
    for position, group in enumerate(groups):
        part = table[table["group"] == group].set_index("event").reindex(events)
        x = np.arange(len(events)) + (position - (len(groups) - 1) / 2) * width
        bars = ax.bar(x, part["uplift_pct"], width, color=viz.color_for(position), label=group)
        ax.bar_label(bars, fmt="%+.1f%%", fontsize=7, padding=2)
    ax.set_xticks(np.arange(len(events)), events)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylabel("sales uplift vs other weeks (%)")
    ax.margins(y=0.15)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(groups), 4), frameon=False)


def _shade_runs(ax: Axes, dates: pd.DatetimeIndex, flags: np.ndarray, color: str) -> None:
    """Shade each run of consecutive flagged weeks (one label for the legend)."""
    edges = np.flatnonzero(np.diff(np.r_[0, flags.astype(int), 0]))
    week = pd.Timedelta(weeks=1)
    for number, (start, stop) in enumerate(zip(edges[::2], edges[1::2], strict=True)):
        ax.axvspan(
            dates[start],
            dates[stop - 1] + week,
            color=color,
            alpha=0.25,
            linewidth=0,
            label="festive weeks" if number == 0 else None,
        )


def plot_festive(result: Uplift, viz: VizConfig) -> Figure:
    """National weekly sales with festive weeks shaded, and the festive uplift per brand."""
    figure, axes = new_figure(viz, 1, 2, width_ratios=[2, 1])
    weekly = result.weekly
    assert weekly is not None, "the festive analysis always has its weekly series"
    ax = axes[0, 0]
    ax.plot(weekly.index, weekly[schema.SALES_VALUE], color=viz.color_for(0), linewidth=1.4, label="national sales")
    _shade_runs(ax, weekly.index, weekly["festive"].to_numpy(), viz.color_for(1))
    ax.set_ylabel("Sales_Value (INR per week)")
    compact_axis(ax, viz.number_format)
    date_axis(ax, weekly.index, max_ticks=8)
    ax.legend(fontsize=8, loc="upper left")
    table = result.table.assign(event="festive weeks")
    _uplift_bars(axes[0, 1], table, viz)
    title(
        figure,
        "Do festive weeks sell more?",
        f"festive week: {defaults.FESTIVAL} >= {defaults.FESTIVE_THRESHOLD:.2f}; uplift of the mean sales index",
    )
    return figure


def plot_promo(result: Uplift, viz: VizConfig) -> Figure:
    """Uplift of each promotion flag per brand."""
    figure, axes = new_figure(viz)
    _uplift_bars(axes[0, 0], result.table, viz)
    axes[0, 0].set_xlabel("promotion flag")
    held = bool(result.table["others_held_fixed"].any())
    title(
        figure,
        "Which promotions lift sales?",
        "each flag's own lift of the sales index (series mean = 1), the other flags held fixed"
        if held
        else "mean sales index (series mean = 1) with the flag on vs off",
    )
    return figure


def plot_rainfall(result: ScatterGrid, viz: VizConfig) -> Figure:
    """Sales index against rainfall, and both by calendar month."""
    figure, axes = new_figure(viz, 1, 2)
    scatter_panel(axes[0, 0], result.panels[defaults.RAINFALL], viz.color_for(0), viz.number_format)
    axes[0, 0].set_xlabel(f"{defaults.RAINFALL} ({defaults.unit_of(defaults.RAINFALL)})")
    axes[0, 0].set_ylabel(result.y_label)
    profile = result.profile
    assert profile is not None, "the rainfall analysis always has its monthly profile"
    ax = axes[0, 1]
    ax.bar(profile.index, profile[defaults.RAINFALL], color=viz.color_for(2), alpha=0.6, label="rainfall")
    ax.set_ylabel(f"mean {defaults.RAINFALL}")
    ax.set_xticks(range(1, 13), [calendar.month_abbr[m][0] for m in range(1, 13)])
    twin = ax.twinx()
    twin.plot(profile.index, profile[defaults.SALES_INDEX], color=viz.color_for(1), marker="o", label="sales index")
    twin.set_ylabel("mean sales index")
    ax.set_xlabel("calendar month")
    ax.set_title("monsoon (bars) and sales (line) by month", fontsize=10)
    title(figure, "Does the monsoon move sales?", "geo weekly sales index (geo mean = 1) against the rainfall index")
    return figure


def plot_elasticity(result: Elasticity, viz: VizConfig) -> Figure:
    """Per brand: demeaned log units against demeaned log price, TPR weeks highlighted, with the fit."""
    sizes = pd.Series({brand: len(points) for brand, points in result.points.items()})
    brands = list(top_labels(sizes, defaults.TOP_IN_FIGURES)[0].index)
    rows, columns = grid_shape(len(brands))
    figure, axes = new_figure(viz, rows, columns, height_scale=0.8 * rows + 0.2, sharey=True)
    fits = result.table.set_index("brand")
    for ax, brand in zip(axes.flat, brands, strict=False):
        points = result.points[brand]
        for flag, color, label in ((False, viz.color_for(0), "regular price"), (True, viz.color_for(1), "TPR week")):
            part = points[points["tpr"] == flag]
            ax.scatter(part["x"], part["y"], s=8, alpha=0.4, color=color, label=label, linewidths=0)
        grid = np.linspace(points["x"].min(), points["x"].max(), 20)
        slope = fits.loc[brand, "elasticity"]
        ax.plot(grid, slope * grid, color="#222222", linewidth=2, label=f"elasticity {slope:.2f}")
        ax.set_title(f"{brand}: elasticity {slope:.2f} (se {fits.loc[brand, 'std_error']:.2f})", fontsize=10)
        ax.set_xlabel("log Net_Price, SKU mean removed")
        ax.xaxis.set_major_locator(MaxNLocator(4))  # side by side, six ticks each ran together
        ax.legend(fontsize=7)
    axes[0, 0].set_ylabel("log Sales_Units, SKU mean removed")
    hide_unused(axes, len(brands))
    title(
        figure,
        "How do units respond to price and TPR?",
        with_note(
            "log-log fit within each SKU; slope = price elasticity of units",
            "" if len(brands) == len(sizes) else f"{len(brands)} of {len(sizes)} brands, the most observed",
        ),
    )
    return figure


def plot_scatter_grid(result: ScatterGrid, viz: VizConfig) -> Figure:
    """One scatter with LOWESS per driver column (distribution measures or creative scores)."""
    names = list(result.panels)
    rows, columns = grid_shape(len(names), 2)
    figure, axes = new_figure(viz, rows, columns, height_scale=0.7 * rows + 0.3)
    for position, (ax, name) in enumerate(zip(axes.flat, names, strict=False)):
        data = result.panels[name]
        coloured = "hue" in data.points and pd.api.types.is_numeric_dtype(data.points["hue"])
        if coloured:
            shown = ax.scatter(data.points["x"], data.points["y"], c=data.points["hue"], cmap="viridis", s=8, alpha=0.5)
            figure.colorbar(shown, ax=ax, label=result.hue_labels.get(name, "colour"))
        scatter_panel(ax, data, viz.color_for(position), viz.number_format, points=not coloured)
        ax.set_xlabel(f"{name} ({defaults.unit_of(name)})", fontsize=9)
        ax.set_ylabel(result.y_label, fontsize=8)
        compact_axis(ax, viz.number_format)
    hide_unused(axes, len(names))
    return figure


def plot_distribution_drivers(result: ScatterGrid, viz: VizConfig) -> Figure:
    figure = plot_scatter_grid(result, viz)
    title(figure, "Does wider distribution come with higher sales?", "geo weekly sales against distribution measures")
    return figure


def plot_creative(result: ScatterGrid, viz: VizConfig) -> Figure:
    figure = plot_scatter_grid(result, viz)
    title(figure, "Do better creatives sell more?", "banner content scores against the geo x brand weekly sales index")
    return figure


def plot_macro(result: MacroTrends, viz: VizConfig) -> Figure:
    """CPI, GDP growth and national sales over the same weeks."""
    figure, axes = new_figure(viz, 3, 1, height_scale=1.3, sharex=True)
    labels = {
        defaults.CPI: "CPI (index)",
        defaults.GDP: "GDP growth (% per year)",
        schema.SALES_VALUE: "Sales_Value (INR per week)",
    }
    for position, (column, label) in enumerate(labels.items()):
        ax = axes[position, 0]
        ax.plot(result.weekly.index, result.weekly[column], color=viz.color_for(position), linewidth=1.5)
        ax.set_ylabel(label, fontsize=9)
        compact_axis(ax, viz.number_format)
    date_axis(axes[-1, 0], result.weekly.index)
    title(
        figure,
        "How do prices and the economy move next to sales?",
        "CPI and GDP growth averaged over geos; national sales",
    )
    return figure


def plot_driver_correlation(result: DriverCorrelation, viz: VizConfig) -> Figure:
    """Horizontal bars of each control's within-series correlation with the sales index."""
    figure, axes = new_figure(viz, height_scale=1.1)
    table = result.table.iloc[::-1]
    colors = [viz.color_for(0) if r >= 0 else viz.color_for(3) for r in table["correlation"]]
    bars = axes[0, 0].barh(table["driver"], table["correlation"], color=colors)
    axes[0, 0].bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    axes[0, 0].axvline(0, color="grey", linewidth=0.8)
    axes[0, 0].set_xlim(-1.05, 1.05)
    axes[0, 0].set_xlabel("Pearson r with the sales index (within each geo x brand series)")
    title(
        figure,
        "Which non-media drivers move with sales?",
        "deviations from each series' mean; correlation is not causation",
    )
    return figure
