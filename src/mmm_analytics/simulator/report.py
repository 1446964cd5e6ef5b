"""``simulation_report.html``: one self-contained page (plotly JS inlined once, works offline).

Sections: semantics and CPMs, scenario comparison, optimal allocation with marginal ROI,
efficiency frontier, sensitivity (tornado) around the current mix and the optimum.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.simulator.scenarios import SUMMARY_COLUMNS
from mmm_analytics.utils.io import write_text

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1150px;color:#1d2733}
h1{color:#1f4e79}h2{border-bottom:2px solid #1f4e79;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;font-size:.88rem;margin:.6rem 0}
td,th{border:1px solid #cfd6de;padding:.25rem .55rem;text-align:right}
th{background:#eef2f6}td:first-child,th:first-child{text-align:left}
.scroll{overflow-x:auto}.note{background:#f6f8fa;padding:.7rem 1rem;border-left:4px solid #e07b39}
"""


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Finished results the report shows (tables in INR per week)."""

    provenance: dict[str, Any]
    scenarios: pd.DataFrame
    optimum: OptimizationResult
    segments: pd.DataFrame
    frontier: pd.DataFrame
    sensitivity: pd.DataFrame
    channels: tuple[str, ...]


def _table(frame: pd.DataFrame, digits: int = 0) -> str:
    return f"<div class='scroll'>{_html_table(frame, digits)}</div>"


def _html_table(frame: pd.DataFrame, digits: int) -> str:
    formatted = frame.copy()
    for column in formatted.columns:
        if pd.api.types.is_float_dtype(formatted[column]):
            formatted[column] = formatted[column].map(lambda v: f"{v:,.{digits}f}" if abs(v) >= 10 else f"{v:,.3f}")
    return formatted.to_html(index=False, border=0, escape=True)


def _plot(fig: go.Figure) -> str:
    fig.update_layout(template="plotly_white", height=460, margin={"t": 60, "b": 60})
    return fig.to_html(full_html=False, include_plotlyjs=False)


def _scenario_plot(summary: pd.DataFrame, channels: tuple[str, ...]) -> go.Figure:
    fig = go.Figure()
    for channel in channels:
        fig.add_bar(x=summary["scenario"], y=summary[f"contribution_{channel}"], name=channel)
    fig.update_layout(
        barmode="stack",
        title="Weekly incremental sales by channel (INR)",
        xaxis_title="Scenario",
        yaxis_title="INR per week",
    )
    return fig


def _allocation_plot(optimum: OptimizationResult) -> go.Figure:
    channels = list(optimum.allocation)
    fig = go.Figure()
    fig.add_bar(x=channels, y=[optimum.current_allocation[c] for c in channels], name="Current mix (scaled)")
    fig.add_bar(x=channels, y=[optimum.allocation[c] for c in channels], name="Optimal")
    fig.update_layout(
        barmode="group",
        title=f"Weekly spend per channel at {optimum.weekly_budget:,.0f} INR",
        xaxis_title="Channel",
        yaxis_title="INR per week",
    )
    return fig


def _frontier_plot(frontier: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=frontier["weekly_budget"], y=frontier["optimal_incremental_sales"], name="Optimal mix", mode="lines+markers"
    )
    fig.add_scatter(
        x=frontier["weekly_budget"],
        y=frontier["current_mix_incremental_sales"],
        name="Current mix, scaled",
        mode="lines+markers",
        line={"dash": "dash"},
    )
    fig.update_layout(
        title="Efficiency frontier", xaxis_title="Weekly budget (INR)", yaxis_title="Weekly incremental sales (INR)"
    )
    return fig


def _tornado_plot(table: pd.DataFrame, base: str) -> go.Figure:
    part = table[table["base"] == base]
    fig = go.Figure()
    for change in sorted(part["change"].unique()):
        rows = part[part["change"] == change]
        fig.add_bar(y=rows["channel"], x=rows["delta_incremental_sales"], orientation="h", name=f"{change:+.0%} spend")
    fig.update_layout(
        barmode="overlay",
        title=f"Sensitivity around the {base} mix",
        xaxis_title="Change in weekly incremental sales (INR)",
        yaxis_title="Channel",
    )
    return fig


def _header(inputs: ReportInputs) -> str:
    p = inputs.provenance
    cpm = pd.DataFrame(
        {
            "channel": list(p["cpm_inr_per_1000_exposures"]),
            "CPM (INR per 1000 exposures)": list(p["cpm_inr_per_1000_exposures"].values()),
        }
    )
    return (
        f"<h1>Budget simulation report</h1><p>Model: <code>{html.escape(str(p['model_path']))}</code>; data "
        f"{html.escape(' to '.join(p['data_date_range']))}; horizon {p['horizon_weeks']} weeks; intervals "
        f"{p['interval_level']:.0%}.</p><p class='note'>{html.escape(p['budget_semantics'])}</p>"
        f"<h3>CPM assumptions</h3>{_table(cpm, 2)}"
    )


def _optimum_section(optimum: OptimizationResult, segments: pd.DataFrame) -> str:
    channels = list(optimum.allocation)
    table = pd.DataFrame(
        {
            "channel": channels,
            "current (scaled) INR/week": [optimum.current_allocation[c] for c in channels],
            "optimal INR/week": [optimum.allocation[c] for c in channels],
            "marginal ROI": [optimum.marginal_roi[c] for c in channels],
            "status": [optimum.channel_status[c] for c in channels],
        }
    )
    return (
        f"<h2>Optimal allocation ({html.escape(optimum.brand)} / {html.escape(optimum.region)})</h2>"
        f"<p>Weekly budget {optimum.weekly_budget:,.0f} INR: incremental sales "
        f"{optimum.expected_incremental_sales:,.0f} INR/week vs {optimum.current_incremental_sales:,.0f} "
        f"with the current mix scaled (uplift {optimum.uplift:+.1%}). "
        f"Marginal ROI spread over free channels: {optimum.mroi_spread:.2e}.</p>"
        f"{_table(table, 0)}{_plot(_allocation_plot(optimum))}"
        f"<h3>Each brand x region optimised on its own budget</h3>{_table(segments, 0)}"
    )


def write_report(path: str | Path, inputs: ReportInputs) -> Path:
    """Write the self-contained HTML report; returns its path."""
    # The scenario table's columns, less the description and the horizon totals.
    summary_columns = [c for c in SUMMARY_COLUMNS if c != "description" and not c.startswith("horizon_")]
    body = "".join(
        [
            _header(inputs),
            "<h2>Scenario comparison</h2>",
            _table(inputs.scenarios[summary_columns], 0),
            _plot(_scenario_plot(inputs.scenarios, inputs.channels)),
            _optimum_section(inputs.optimum, inputs.segments),
            "<h2>Efficiency frontier</h2>",
            _plot(_frontier_plot(inputs.frontier)),
            _table(inputs.frontier, 0),
            "<h2>Sensitivity</h2>",
            _plot(_tornado_plot(inputs.sensitivity, "current")),
            _plot(_tornado_plot(inputs.sensitivity, "optimum")),
        ]
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Budget simulation report</title>"
        f"<style>{STYLE}</style><script type='text/javascript'>{get_plotlyjs()}</script></head>"
        f"<body>{body}</body></html>"
    )
    return write_text(path, page)
