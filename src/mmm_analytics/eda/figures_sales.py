"""Figures of the sales analyses; each takes a finished result and returns a Figure."""

from __future__ import annotations

import calendar

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_sales import (
    Decomposition,
    GeoBrandSales,
    SalesDistribution,
    SeasonalProfile,
    SkuMix,
    Trend,
)
from mmm_analytics.eda.figures_common import (
    colors_for,
    compact_axis,
    date_axis,
    new_figure,
    title,
    top_columns,
    with_note,
)
from mmm_analytics.style import numbers


def plot_trend(result: Trend, viz: VizConfig) -> Figure:
    """Weekly national sales per brand or geo (the largest ``TOP_IN_FIGURES``): thin weekly lines,
    bold 4-week moving averages."""
    figure, axes = new_figure(viz)
    ax = axes[0, 0]
    sales, note = top_columns(result.sales, defaults.TOP_IN_FIGURES)
    colors = colors_for(viz, list(sales.columns))
    for name, values in sales.items():
        ax.plot(values.index, values, color=colors[name], linewidth=0.6, alpha=0.4)
        ax.plot(values.index, values.rolling(4, min_periods=1).mean(), color=colors[name], linewidth=1.8, label=name)
    ax.set_ylabel("Sales_Value (INR per week)")
    ax.set_xlabel("week")
    compact_axis(ax, viz.number_format)
    date_axis(ax, sales.index)
    ax.legend(title=result.by, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    title(figure, f"Weekly sales by {result.by.lower()}", with_note("thin: weekly; bold: 4-week moving average", note))
    return figure


def plot_distribution(result: SalesDistribution, viz: VizConfig) -> Figure:
    """Histograms of weekly geo x brand sales, raw and on a log scale, with skewness."""
    figure, axes = new_figure(viz, 1, 2)
    values = result.values
    sns.histplot(x=values.to_numpy(), bins=40, ax=axes[0, 0], color=viz.color_for(0))
    axes[0, 0].set_xlabel("Sales_Value (INR per geo x brand week)")
    axes[0, 0].set_title(f"raw (skewness {result.skew_raw:.2f})")
    compact_axis(axes[0, 0], viz.number_format, "x")
    sns.histplot(x=np.log10(values[values > 0]).to_numpy(), bins=40, ax=axes[0, 1], color=viz.color_for(1))
    axes[0, 1].set_xlabel("log10 Sales_Value (log10 INR)")
    axes[0, 1].set_title(f"log scale (skewness {result.skew_log:.2f})")
    for ax in axes[0]:
        ax.set_ylabel("geo x brand weeks")
    title(figure, "How are weekly sales distributed?", "each observation is one geo x brand week (SKUs summed)")
    return figure


def plot_seasonal_profile(result: SeasonalProfile, viz: VizConfig) -> Figure:
    """Average sales index over each series' trend by calendar month: one thin line per year, the all-years
    median in bold."""
    figure, axes = new_figure(viz)
    ax = axes[0, 0]
    for position, (year, values) in enumerate(result.by_year.items()):
        ax.plot(
            values.index, values, marker="o", linewidth=1.0, alpha=0.7, color=viz.color_for(position + 1), label=year
        )
    ax.plot(result.overall.index, result.overall, color=viz.color_for(0), linewidth=3.0, label="all years (median)")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xticks(range(1, 13), [calendar.month_abbr[m] for m in range(1, 13)])
    ax.set_xlabel("calendar month")
    trend = result.over_trend  # under two years the plain index: a trend cannot be told from the season
    ax.set_ylabel("sales index over the series' trend (trend = 1)" if trend else "sales index (series mean = 1)")
    ax.legend(fontsize=8, ncols=2)
    title(
        figure,
        "Which months sell more?",
        "mean of each geo x brand series' weekly sales index"
        + (", its log-linear trend taken out" if trend else " (under two years: no trend taken out)"),
    )
    return figure


def plot_decomposition(result: Decomposition, viz: VizConfig) -> Figure:
    """Observed, trend, seasonal and residual parts of national weekly sales."""
    figure, axes = new_figure(viz, 4, 1, height_scale=1.5, sharex=True)
    for position, (name, values) in enumerate(result.components.items()):
        ax = axes[position, 0]
        ax.plot(values.index, values, color=viz.color_for(position), linewidth=1.3)
        ax.set_ylabel(f"{name}\n(INR)", fontsize=9)
        compact_axis(ax, viz.number_format)
    date_axis(axes[-1, 0], result.components.index)
    axes[-1, 0].set_xlabel("week")
    title(
        figure,
        f"STL decomposition of national weekly sales (period {result.period} weeks)",
        f"seasonal strength {result.seasonal_strength:.2f}, trend strength {result.trend_strength:.2f} "
        "(0 = none, 1 = all)",
    )
    return figure


def plot_geo_brand(result: GeoBrandSales, viz: VizConfig) -> Figure:
    """Total sales per geo x brand (the ``TOP_HEATMAP_ROWS`` largest geos) in one unit of the number format,
    that of the largest cell: INR crore or lakh (indian), INR millions or billions (western)."""
    figure, axes = new_figure(viz)
    sales, note = top_columns(result.sales.T, defaults.TOP_HEATMAP_ROWS)
    sales = sales.T
    size, unit = numbers.unit_of(np.nanmax(sales.to_numpy(), initial=0.0), viz.number_format)
    sns.heatmap(
        sales / size,
        annot=sales.size <= 600,
        fmt=".3g",  # a cell far below the largest keeps its digits (".1f" gave 0.0 for 40 M beside 2.5 bn)
        cmap="Blues",
        ax=axes[0, 0],
        cbar_kws={"label": f"Sales_Value ({unit})"},
    )
    axes[0, 0].set_xlabel("brand")
    axes[0, 0].set_ylabel("geo")
    axes[0, 0].tick_params(axis="y", rotation=0)
    title(figure, "Where does each brand sell?", with_note(f"total Sales_Value over the panel, {unit}", note))
    return figure


def plot_sku_mix(result: SkuMix, viz: VizConfig) -> Figure:
    """Stacked horizontal bars: each SKU's share of its brand's sales."""
    figure, axes = new_figure(viz)
    ax = axes[0, 0]
    mix = result.mix
    brands = list(dict.fromkeys(mix[schema.BRAND]))
    for row, brand in enumerate(brands):
        left = 0.0
        for position, item in enumerate(mix[mix[schema.BRAND] == brand].itertuples(index=False)):
            ax.barh(row, item.share_of_brand_pct, left=left, color=viz.color_for(position), edgecolor="white")
            label = f"{getattr(item, schema.SKU)}\n{item.share_of_brand_pct:.0f}%"
            ax.text(left + item.share_of_brand_pct / 2, row, label, ha="center", va="center", fontsize=7, color="white")
            left += item.share_of_brand_pct
    ax.set_yticks(range(len(brands)), brands)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of brand Sales_Value (%)")
    title(figure, "Which SKUs carry each brand?", "share of each brand's total sales value")
    return figure
