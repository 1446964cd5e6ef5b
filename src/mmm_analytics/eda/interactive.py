"""Interactive plotly charts for the HTML report, built from finished results (hover, zoom, legend toggling).

Charts share the look of every report (:mod:`mmm_analytics.style.charts`): the channel
palette, the legend at the foot of the figure and money axes in the configured number format. Amounts
in hover and cell text are formatted here (plotly's d3 formats know no lakh or crore) and
handed to plotly as text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.data import schema
from mmm_analytics.style import charts, numbers, palette
from mmm_analytics.style import page as report_page

type Results = Mapping[str, Any]

#: Height of every chart in the report (CSS pixels).
CHART_HEIGHT = 460


@dataclass(frozen=True, slots=True)
class Chart:
    """One interactive chart: ``slug`` names its div (``chart-<slug>``)."""

    slug: str
    title: str
    figure: go.Figure

    def spec(self) -> report_page.Chart:
        """The chart as a block of the report page (plotly's JSON; the page inlines the library once)."""
        return report_page.Chart(
            f"chart-{self.slug}", self.title, report_page.figure_json(self.figure), height=CHART_HEIGHT
        )


def _layout(figure: go.Figure, viz: VizConfig, x_title: str, y_title: str, money: Any = None) -> go.Figure:
    """The shared look; ``money`` (values on the y axis) labels that axis in rupees of the number format."""
    figure.update_layout(
        **charts.layout(x_title, y_title), template="plotly_white", colorway=viz.palette, hovermode="x unified"
    )
    if money is not None:
        figure.update_layout(yaxis=charts.money_axis(money, viz.number_format, y_title))
    return figure


def _sales_by_brand(results: Results, viz: VizConfig) -> Chart | None:
    trend = results.get("sales_trend_brand")
    if trend is None:
        return None
    figure = go.Figure(
        [
            go.Scatter(x=trend.sales.index, y=values, name=charts.plain(name), mode="lines")
            for name, values in trend.sales.items()
        ]
    )
    values = trend.sales.to_numpy().ravel()
    return Chart(
        "sales-by-brand",
        "Weekly sales by brand (INR)",
        _layout(figure, viz, "Week", "Sales_Value (INR per week)", money=values),
    )


def _spend_over_time(results: Results, viz: VizConfig) -> Chart | None:
    spend = results.get("spend_share")
    if spend is None:
        return None
    colors = palette.channel_colors(viz, list(spend.weekly.columns))
    figure = go.Figure(
        [
            go.Scatter(
                x=spend.weekly.index,
                y=values,
                name=charts.plain(name),
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
        _layout(figure, viz, "Week", "Spend (INR per week)", money=spend.weekly.sum(axis=1)),
    )


def _spend_share(results: Results, viz: VizConfig) -> Chart | None:
    spend = results.get("spend_share")
    if spend is None:
        return None
    colors = palette.channel_colors(viz, list(spend.share["channel"]))
    figure = go.Figure(
        go.Pie(
            labels=[charts.plain(c) for c in spend.share["channel"]],
            values=spend.share["spend_inr"],
            hole=0.45,
            sort=False,
            marker={"colors": [colors[c] for c in spend.share["channel"]]},
            customdata=[numbers.grouped(v, viz.number_format) for v in spend.share["spend_inr"]],
            hovertemplate="%{label}: %{customdata} INR (%{percent})<extra></extra>",
        )
    )
    figure.update_layout(**charts.layout(), template="plotly_white")
    figure.update_layout(margin={"l": 20, "r": 20, "t": 48, "b": 20})
    return Chart("spend-share", "Share of total media spend", figure)


def _heatmap(matrix: Any, colorbar: str, symmetric: bool, fmt: NumberFormat) -> go.Figure:
    """Correlations (``symmetric``) to two decimals, or amounts grouped per ``fmt``, in the cells."""
    values = matrix.to_numpy()
    limit = float(abs(values).max()) if symmetric else None
    cells = None if symmetric else [[numbers.grouped(v, fmt) for v in row] for row in values]
    colorbar_axis: dict[str, Any] = {"title": {"text": colorbar}}
    if not symmetric:  # plotly's own labels read "9M" beside cells in lakh
        axis = charts.money_axis(values.ravel(), fmt, zero=False)  # ticks over the cells' range, NaN left out
        colorbar_axis |= {"tickmode": "array", "tickvals": axis["tickvals"], "ticktext": axis["ticktext"]}
    return go.Figure(
        go.Heatmap(
            z=values,
            x=[charts.plain(c) for c in matrix.columns],
            y=[charts.plain(i) for i in matrix.index],
            colorscale="RdBu_r" if symmetric else "Blues",
            zmin=None if limit is None else -limit,
            zmax=limit,
            colorbar=colorbar_axis,
            text=cells,
            texttemplate="%{z:.2f}" if symmetric else "%{text}",
        )
    )


def _uplift_axis(table: pd.DataFrame) -> str:
    """The uplift chart's event axis: it says when the promotions' bars hold the other flags fixed."""
    held = "others_held_fixed" in table and bool(table["others_held_fixed"].fillna(False).astype(bool).any())
    return "Event (promotions: each one's own, the others held fixed)" if held else "Event"


def _correlation(results: Results, viz: VizConfig) -> Chart | None:
    correlation = results.get("channel_correlation")
    if correlation is None:
        return None
    figure = _heatmap(correlation.matrix.iloc[::-1], "Pearson r", symmetric=True, fmt=viz.number_format)
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
            go.Scatter(x=list(cross.matrix.columns), y=values, name=charts.plain(name), mode="lines+markers")
            for name, values in cross.matrix.iterrows()
        ]
    )
    return Chart(
        "cross-correlation",
        "Correlation of sales with exposure by lag (weeks)",
        _layout(figure, viz, "Lag (weeks)", "Pearson r"),
    )


def _uplift(results: Results, viz: VizConfig) -> Chart | None:
    parts = [results[slug].table for slug in ("festive_uplift", "promo_uplift") if slug in results]
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    figure = go.Figure(
        [
            go.Bar(
                x=[charts.plain(event) for event in rows["event"]],
                y=rows["uplift_pct"],
                name=charts.plain(group),
                hovertemplate="%{x}: %{y:+.1f}%<extra>%{fullData.name}</extra>",
            )
            for group, rows in table.groupby("group", sort=False)
        ]
    )
    figure.update_layout(barmode="group")
    return Chart(
        "uplift",
        "Sales uplift of festive and promotion weeks (%)",
        _layout(figure, viz, _uplift_axis(table), "Uplift of the sales index (%)").update_layout(hovermode="closest"),
    )


def _geo_brand(results: Results, viz: VizConfig) -> Chart | None:
    heat = results.get("geo_brand_heatmap")
    if heat is None:
        return None
    figure = _heatmap(heat.sales, "INR", symmetric=False, fmt=viz.number_format)
    return Chart(
        "geo-brand",
        "Total sales by geo and brand (INR)",
        _layout(figure, viz, schema.BRAND, schema.GEO).update_layout(hovermode="closest"),
    )


def _stl(results: Results, viz: VizConfig) -> Chart | None:
    """Observed sales and their trend above, the seasonal and residual parts below, each on an axis of its own
    in the number format (on one axis from 0, the sales' movement was squeezed into its top fifth)."""
    from plotly.subplots import make_subplots

    stl = results.get("stl_decomposition")
    if stl is None:
        return None
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.08)
    level, parts = ("observed", "trend"), ("seasonal", "residual")
    for row, names in enumerate((level, parts), start=1):
        for name in names:
            values = stl.components[name]
            figure.add_trace(go.Scatter(x=stl.components.index, y=values, name=name, mode="lines"), row=row, col=1)
    _layout(figure, viz, "", "INR per week")
    top = stl.components[list(level)].to_numpy().ravel()
    bottom = stl.components[list(parts)].to_numpy().ravel()
    fmt = viz.number_format
    figure.update_layout(
        yaxis=charts.money_axis(top, fmt, "INR per week", zero=False),
        yaxis2=charts.money_axis(bottom, fmt, "seasonal, residual"),
        xaxis2={"title": {"text": "Week"}},
    )
    return Chart("stl", "STL decomposition of national sales: level and trend, then season and residual", figure)


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
