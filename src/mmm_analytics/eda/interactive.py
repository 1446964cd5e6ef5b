"""Interactive plotly charts for the HTML report, built from finished results (hover, zoom, legend toggling)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda.figures_common import colors_for

type Results = Mapping[str, Any]

#: Height of every chart in the report.
CHART_HEIGHT = "460px"
PLOTLY_CONFIG: dict[str, Any] = {"responsive": True, "displaylogo": False}


@dataclass(frozen=True, slots=True)
class Chart:
    """One interactive chart: ``slug`` names its div (``chart-<slug>``)."""

    slug: str
    title: str
    figure: go.Figure

    def html(self) -> str:
        """The chart's div and script, without the plotly library (the report inlines it once)."""
        return self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{self.slug}",
            default_height=CHART_HEIGHT,
            config=PLOTLY_CONFIG,
        )


def _layout(figure: go.Figure, viz: VizConfig, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        colorway=viz.palette,
        hovermode="x unified",
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def _sales_by_brand(results: Results, viz: VizConfig) -> Chart | None:
    trend = results.get("sales_trend_brand")
    if trend is None:
        return None
    figure = go.Figure(
        [go.Scatter(x=trend.sales.index, y=values, name=name, mode="lines") for name, values in trend.sales.items()]
    )
    return Chart(
        "sales-by-brand", "Weekly sales by brand (INR)", _layout(figure, viz, "week", "Sales_Value (INR per week)")
    )


def _spend_over_time(results: Results, viz: VizConfig) -> Chart | None:
    spend = results.get("spend_share")
    if spend is None:
        return None
    colors = colors_for(viz, list(spend.weekly.columns))
    figure = go.Figure(
        [
            go.Scatter(
                x=spend.weekly.index,
                y=values,
                name=name,
                stackgroup="spend",
                mode="lines",
                line={"color": colors[name]},
            )
            for name, values in spend.weekly.items()
        ]
    )
    return Chart(
        "spend-over-time",
        "Weekly media spend by channel (INR, stacked)",
        _layout(figure, viz, "week", "spend (INR per week)"),
    )


def _spend_share(results: Results, viz: VizConfig) -> Chart | None:
    spend = results.get("spend_share")
    if spend is None:
        return None
    colors = colors_for(viz, list(spend.share["channel"]))
    figure = go.Figure(
        go.Pie(
            labels=spend.share["channel"],
            values=spend.share["spend_inr"],
            hole=0.45,
            sort=False,
            marker={"colors": [colors[c] for c in spend.share["channel"]]},
            hovertemplate="%{label}: %{value:,.0f} INR (%{percent})<extra></extra>",
        )
    )
    figure.update_layout(template="plotly_white", margin={"l": 20, "r": 20, "t": 30, "b": 20})
    return Chart("spend-share", "Share of total media spend", figure)


def _heatmap(matrix: Any, colorbar: str, symmetric: bool) -> go.Figure:
    limit = float(abs(matrix.to_numpy()).max()) if symmetric else None
    return go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=[str(c) for c in matrix.columns],
            y=[str(i) for i in matrix.index],
            colorscale="RdBu_r" if symmetric else "Blues",
            zmin=None if limit is None else -limit,
            zmax=limit,
            colorbar={"title": {"text": colorbar}},
            texttemplate="%{z:.2f}" if symmetric else "%{z:,.0f}",
        )
    )


def _correlation(results: Results, viz: VizConfig) -> Chart | None:
    correlation = results.get("channel_correlation")
    if correlation is None:
        return None
    figure = _heatmap(correlation.matrix.iloc[::-1], "Pearson r", symmetric=True)
    return Chart(
        "channel-correlation",
        "Correlation of sales and channel exposure indexes",
        _layout(figure, viz, "", "").update_layout(hovermode="closest"),
    )


def _cross_correlation(results: Results, viz: VizConfig) -> Chart | None:
    cross = results.get("cross_correlation")
    if cross is None:
        return None
    figure = go.Figure(
        [
            go.Scatter(x=list(cross.matrix.columns), y=values, name=name, mode="lines+markers")
            for name, values in cross.matrix.iterrows()
        ]
    )
    return Chart(
        "cross-correlation",
        "Correlation of sales with exposure by lag (weeks)",
        _layout(figure, viz, "lag (weeks)", "Pearson r"),
    )


def _uplift(results: Results, viz: VizConfig) -> Chart | None:
    parts = [results[slug].table for slug in ("festive_uplift", "promo_uplift") if slug in results]
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    figure = go.Figure(
        [
            go.Bar(
                x=rows["event"],
                y=rows["uplift_pct"],
                name=str(group),
                hovertemplate="%{x}: %{y:+.1f}%<extra>" + str(group) + "</extra>",
            )
            for group, rows in table.groupby("group", sort=False)
        ]
    )
    figure.update_layout(barmode="group")
    return Chart(
        "uplift",
        "Sales uplift of festive and promotion weeks (%)",
        _layout(figure, viz, "event", "uplift of the mean sales index (%)").update_layout(hovermode="closest"),
    )


def _geo_brand(results: Results, viz: VizConfig) -> Chart | None:
    heat = results.get("geo_brand_heatmap")
    if heat is None:
        return None
    figure = _heatmap(heat.sales, "INR", symmetric=False)
    return Chart(
        "geo-brand",
        "Total sales by geo and brand (INR)",
        _layout(figure, viz, schema.BRAND, schema.GEO).update_layout(hovermode="closest"),
    )


def _stl(results: Results, viz: VizConfig) -> Chart | None:
    stl = results.get("stl_decomposition")
    if stl is None:
        return None
    figure = go.Figure(
        [
            go.Scatter(
                x=stl.components.index,
                y=values,
                name=name,
                mode="lines",
                visible=True if name in ("observed", "trend") else "legendonly",
            )
            for name, values in stl.components.items()
        ]
    )
    return Chart(
        "stl",
        "STL decomposition of national sales (click the legend for seasonal and residual)",
        _layout(figure, viz, "week", "INR per week"),
    )


BUILDERS: tuple[Callable[[Results, VizConfig], Chart | None], ...] = (
    _sales_by_brand,
    _spend_over_time,
    _spend_share,
    _stl,
    _correlation,
    _cross_correlation,
    _uplift,
    _geo_brand,
)


def interactive_charts(results: Results, viz: VizConfig) -> list[Chart]:
    """Charts for the analyses that ran, in report order."""
    charts = (build(results, viz) for build in BUILDERS)
    return [chart for chart in charts if chart is not None]
