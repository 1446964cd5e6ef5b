"""``model_report.html``: a self-contained model evaluation report.

Sections (anchors in :data:`SECTIONS`): overview, fit metrics, interactive actual vs
predicted (national, per brand, per region), interactive decomposition and waterfall,
channel contributions with ROI and the CPM assumption, the learned media response,
the training summary, residual diagnostics and the static figures (PNG, base64).
The plotly.js bundle is inlined once; the page needs no network.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from mmm_analytics.models.evaluation_figures import PlotData
from mmm_analytics.models.metrics import METRIC_NAMES, Level

SECTIONS: dict[str, str] = {
    "overview": "Overview",
    "fit": "Fit metrics",
    "actual-vs-predicted": "Actual vs predicted",
    "decomposition": "Sales decomposition",
    "contributions": "Channel contributions and ROI",
    "media-response": "Learned media response",
    "training": "Training summary",
    "diagnostics": "Residual diagnostics",
    "figures": "Figures",
}
#: Ids of the interactive charts.
CHART_IDS: tuple[str, ...] = ("chart-fit", "chart-decomposition", "chart-waterfall")

_PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Model evaluation</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2630;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{margin-top:0;color:#1f4e79} h2{border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:44px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 20px}
th,td{border:1px solid #d5d9de;padding:4px 8px;text-align:right}
th{background:#eef2f6} td.text,th.text{text-align:left}
.assumption{background:#fff8e1;border-left:4px solid #e0a800;padding:10px 14px;margin:12px 0}
.note{color:#4a5866;font-size:13px} .chart{border:1px solid #e3e6ea;margin:8px 0 24px;height:480px}
figure{margin:16px 0 32px} figure img{max-width:100%;border:1px solid #e3e6ea} figcaption{font-size:13px;color:#4a5866}
</style>
<script>$plotly</script></head><body><main>
<h1>Model evaluation</h1>
<nav><ol>$nav</ol></nav>
$sections
<script>
const CHARTS = $charts;
for (const [id, spec] of Object.entries(CHARTS)) { Plotly.newPlot(id, spec.data, spec.layout, {responsive: true}); }
</script>
</main></body></html>
""")


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Finished results the report shows (all money in INR)."""

    plots: PlotData
    metrics: pd.DataFrame
    contributions: pd.DataFrame
    media_response: pd.DataFrame
    cpm: dict[str, float]
    n_series: int
    saturation: str
    n_draws: int
    figures: tuple[Path, ...]
    training: dict[str, Any] = field(default_factory=dict)


def _text(value: Any) -> str:
    return html.escape(str(value))


def _number(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(float(value))):
        return "n/a"
    match kind:
        case "inr":
            return f"{float(value):,.0f}"
        case "pct":
            return f"{100.0 * float(value):.2f}%"
        case "int":
            return f"{int(value):,}"
        case _:
            return f"{float(value):.3f}"


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], kinds: Sequence[str]) -> str:
    """A plain table; ``kinds`` per column: text, inr, pct, int or ratio."""
    head = "".join(
        f'<th class="text">{_text(h)}</th>' if k == "text" else f"<th>{_text(h)}</th>" for h, k in zip(headers, kinds)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="text">{_text(v)}</td>' if k == "text" else f"<td>{_number(v, k)}</td>"
            for v, k in zip(row, kinds)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_METRIC_KINDS = {"r2": "ratio", "mape": "pct", "wmape": "pct", "nrmse": "pct", "bias": "pct"}


def metrics_html(table: pd.DataFrame, levels: Sequence[Level]) -> str:
    """Train and holdout metrics side by side, one row per level x brand x region."""
    wanted = {level.value for level in levels}
    periods = list(dict.fromkeys(table["period"]))
    merged: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for row in table.to_dict(orient="records"):
        if row["level"] in wanted:
            merged.setdefault((row["level"], row["brand"], row["region"]), {})[row["period"]] = row
    names = {m: "R2" if m == "r2" else m.upper() for m in METRIC_NAMES}
    headers = ["Level", "Brand", "Region"] + [f"{p} {names[m]}" for p in periods for m in METRIC_NAMES]
    kinds = ["text"] * 3 + [_METRIC_KINDS[m] for _ in periods for m in METRIC_NAMES]
    body = [
        [*key, *(by_period.get(p, {}).get(m, math.nan) for p in periods for m in METRIC_NAMES)]
        for key, by_period in merged.items()
    ]
    return html_table(headers, body, kinds)


def _fit_chart(plots: PlotData) -> dict[str, Any]:
    """Actual and predicted weekly sales with a dropdown of national, brand and region views."""
    dates = [d.strftime("%Y-%m-%d") for d in plots.dates]
    views = [("National", plots.national_actual, plots.national_predicted)]
    for prefix, panels in (("Brand", plots.by_brand), ("Region", plots.by_region)):
        views += [(f"{prefix} {k}", a, p) for k, a, p in zip(panels.labels, panels.actual, panels.predicted)]
    data, buttons = [], []
    for index, (label, actual, predicted) in enumerate(views):
        visible = index == 0
        data.append(
            {
                "type": "scatter",
                "x": dates,
                "y": _rounded(actual),
                "name": "actual",
                "visible": visible,
                "line": {"color": "#222222"},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": dates,
                "y": _rounded(predicted),
                "name": "predicted",
                "visible": visible,
                "line": {"color": plots.colors.get("predicted", "#1f4e79")},
            }
        )
        flags = [k // 2 == index for k in range(2 * len(views))]
        title = {"title.text": f"{label}: actual vs predicted"}
        buttons.append({"label": label, "method": "update", "args": [{"visible": flags}, title]})
    layout = _time_layout(plots, f"{views[0][0]}: actual vs predicted", "Sales_Value (INR / week)")
    layout["updatemenus"] = [{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.15, "showactive": True}]
    return {"data": data, "layout": layout}


def _time_layout(plots: PlotData, title: str, y_title: str) -> dict[str, Any]:
    shapes = []
    if plots.holdout_weeks > 0:
        start = plots.dates[len(plots.dates) - plots.holdout_weeks].strftime("%Y-%m-%d")
        end = (plots.dates[-1] + pd.Timedelta(days=7)).strftime("%Y-%m-%d")
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": start,
                "x1": end,
                "y0": 0,
                "y1": 1,
                "fillcolor": "#f0c987",
                "opacity": 0.35,
                "line": {"width": 0},
                "layer": "below",
            }
        )
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": "Week"}},
        "yaxis": {"title": {"text": y_title}},
        "shapes": shapes,
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"t": 60},
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) for v in np.asarray(values)]


def _decomposition_chart(plots: PlotData) -> dict[str, Any]:
    dates = [d.strftime("%Y-%m-%d") for d in plots.dates]
    data: list[dict[str, Any]] = [
        {"type": "bar", "x": dates, "y": _rounded(values), "name": name, "marker": {"color": plots.colors[name]}}
        for name, values in plots.national_parts.items()
    ]
    data.append(
        {
            "type": "scatter",
            "x": dates,
            "y": _rounded(plots.national_predicted),
            "name": "predicted",
            "line": {"color": "#1f2d3d"},
        }
    )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": dates,
            "y": _rounded(plots.national_actual),
            "name": "actual",
            "marker": {"color": "#222222", "size": 4},
        }
    )
    layout = _time_layout(plots, "Weekly national sales by part (holdout shaded)", "Sales_Value (INR / week)")
    return {"data": data, "layout": layout | {"barmode": "relative", "bargap": 0.05}}


def _waterfall_chart(plots: PlotData) -> dict[str, Any]:
    names = list(plots.totals)
    values = [round(plots.totals[n], 2) for n in names]
    trace = {
        "type": "waterfall",
        "x": [*names, "total"],
        "y": [*values, 0.0],
        "measure": ["absolute", *["relative"] * (len(names) - 1), "total"],
        "connector": {"line": {"color": "#777777"}},
    }
    layout = {
        "title": {"text": "Contribution waterfall over the data period"},
        "yaxis": {"title": {"text": "Sales_Value (INR)"}},
        "showlegend": False,
    }
    return {"data": [trace], "layout": layout}


def _contributions_html(content: ReportContent) -> str:
    table = content.contributions
    media_total = float(table["contribution"].sum())
    rows = [
        [
            r.channel,
            content.cpm.get(r.channel, math.nan),
            r.spend,
            r.contribution,
            r.contribution / media_total if media_total else math.nan,
            r.roi,
        ]
        for r in table.itertuples()
    ]
    total_spend = float(table["spend"].sum())
    rows.append(
        [
            "all media",
            math.nan,
            total_spend,
            media_total,
            1.0 if media_total else math.nan,
            media_total / total_spend if total_spend > 0 else math.nan,
        ]
    )
    cpm_text = ", ".join(f"{_text(c)} {v:,.2f}" for c, v in content.cpm.items())
    assumption = (
        f'<div class="assumption"><b>CPM assumption.</b> Spend is not in the data: spend = exposures x '
        f"CPM / 1000, with these CPMs (INR per 1000 exposures): {cpm_text}. Every spend and ROI below "
        "depends on them.</div>"
    )
    note = (
        '<p class="note">National totals over the whole data period. Contribution = predicted sales minus the '
        "prediction with that channel's exposure at 0 in every week; ROI = contribution / spend.</p>"
    )
    return (
        assumption
        + note
        + html_table(
            ["Channel", "CPM (INR)", "Spend (INR)", "Contribution (INR)", "Share of media", "ROI"],
            rows,
            ["text", "ratio", "inr", "inr", "pct", "ratio"],
        )
    )


def _decomposition_html(plots: PlotData) -> str:
    predicted = float(plots.national_predicted.sum())
    rows = [[name, value, value / predicted if predicted else math.nan] for name, value in plots.totals.items()]
    rows.append(["total (predicted)", predicted, 1.0])
    note = (
        '<p class="note">Base = prediction with all media at 0, price at the brand reference (relative price 1) '
        "and the promotion flags (Feature, Display, TPR) at 0. Price = effect of the actual price vs the "
        "reference with media at 0; promotions = effect of the promotion flags with media at 0 and price at "
        "the reference; each channel = prediction minus the prediction without that channel. The parts add up "
        "to the prediction.</p>"
    )
    table = html_table(["Part", "Sales_Value (INR)", "Share of predicted"], rows, ["text", "inr", "pct"])
    return (
        note
        + '<div id="chart-decomposition" class="chart"></div>'
        + table
        + '<div id="chart-waterfall" class="chart"></div>'
    )


def _training_rows(summary: dict[str, Any], prefix: str = "") -> list[list[str]]:
    rows: list[list[str]] = []
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _training_rows(value, f"{name}.")
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) for v in value):
            rows.append([name, f"{float(value[-1]):.6g} after {len(value)} epochs (min {min(value):.6g})"])
        elif isinstance(value, (int, float, str, bool)):
            rows.append([name, f"{value:.6g}" if isinstance(value, float) else str(value)])
    return rows


def _training_html(content: ReportContent) -> str:
    rows = [["saturation", content.saturation], ["parameter draws for intervals", str(content.n_draws)]]
    rows += _training_rows(content.training)
    return html_table(["Item", "Value"], rows, ["text", "text"])


def _diagnostics_html(diagnostics: pd.DataFrame) -> str:
    acf_columns = [c for c in diagnostics.columns if c.startswith("acf_lag_")]
    lags = [c.replace("acf_lag_", "ACF lag ") for c in acf_columns]
    headers = ["Level", "Brand", "Region", "Weeks", "Durbin-Watson", *lags]
    rows = diagnostics[["level", "brand", "region", "n_weeks", "durbin_watson", *acf_columns]].to_numpy().tolist()
    note = (
        '<p class="note">Residual = actual - predicted over the training weeks. Durbin-Watson near 2 means no '
        "first-order autocorrelation; below 1.5 the residuals are positively autocorrelated (missing slow "
        "drivers). Overall pools every brand x region (each residual divided by the series' mean sales).</p>"
    )
    return note + html_table(headers, rows, ["text"] * 3 + ["int"] + ["ratio"] * (1 + len(acf_columns)))


_MEDIA_HEADERS = {
    "channel": "Channel",
    "carryover_total": "Carryover total (sum of lag weights)",
    "mean_lag_weeks": "Mean lag (weeks)",
    "half_saturation": "Half-saturation (avg weekly exposure)",
    "slope": "Hill slope",
    "coefficient_inr": "Mean coefficient (INR / week at full saturation)",
}


def _media_html(table: pd.DataFrame) -> str:
    headers = [_MEDIA_HEADERS.get(c, c) for c in table.columns]
    kinds = ["text" if c == "channel" else "inr" if c.endswith("_inr") else "ratio" for c in table.columns]
    note = (
        '<p class="note">Point estimates. Weekly contribution = coefficient x saturation(carried-over '
        "exposure / the series' mean weekly exposure); lag weights are 1 in the week of exposure and decay "
        "after it.</p>"
    )
    return note + html_table(headers, table.to_numpy().tolist(), kinds)


def _figures_html(paths: Sequence[Path]) -> str:
    parts = []
    for path in paths:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{_text(path.stem)}">'
            f"<figcaption>{_text(path.name)}</figcaption></figure>"
        )
    return "".join(parts)


def _overview_html(content: ReportContent) -> str:
    plots = content.plots
    items = [
        ("Data period", f"{plots.dates[0]:%Y-%m-%d} to {plots.dates[-1]:%Y-%m-%d} ({len(plots.dates)} weeks)"),
        ("Holdout", f"last {plots.holdout_weeks} weeks (not used for fitting)"),
        ("Series", f"{content.n_series} ({len(plots.by_brand.labels)} brands x {len(plots.by_region.labels)} regions)"),
        ("Channels", ", ".join(content.contributions["channel"])),
    ]
    return html_table(["Item", "Value"], items, ["text", "text"])


def build_report(content: ReportContent) -> str:
    """The whole page as text."""
    bodies = {
        "overview": _overview_html(content),
        "fit": metrics_html(content.metrics, [Level.OVERALL, Level.NATIONAL, Level.BRAND, Level.REGION])
        + "<details><summary>Every brand x region</summary>"
        + metrics_html(content.metrics, [Level.SERIES])
        + "</details>",
        "actual-vs-predicted": '<div id="chart-fit" class="chart"></div>',
        "decomposition": _decomposition_html(content.plots),
        "contributions": _contributions_html(content),
        "media-response": _media_html(content.media_response),
        "training": _training_html(content),
        "diagnostics": _diagnostics_html(content.plots.diagnostics),
        "figures": _figures_html(content.figures),
    }
    sections = "".join(
        f'<section id="{key}"><h2>{_text(title)}</h2>{bodies[key]}</section>' for key, title in SECTIONS.items()
    )
    nav = "".join(f'<li><a href="#{key}">{_text(title)}</a></li>' for key, title in SECTIONS.items())
    charts = {
        "chart-fit": _fit_chart(content.plots),
        "chart-decomposition": _decomposition_chart(content.plots),
        "chart-waterfall": _waterfall_chart(content.plots),
    }
    payload = json.dumps(charts, allow_nan=False).replace("</", "<\\/")
    return _PAGE.substitute(plotly=get_plotlyjs(), nav=nav, sections=sections, charts=payload)
