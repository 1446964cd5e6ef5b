"""Rich tables for simulator results (used by the interactive menu and the CLI).

Names (channels, brands, regions, scenarios) are shown as written: Rich markup in them is escaped.
Amounts are grouped in the project's ``number_format`` (``fmt``), as in the reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.markup import escape
from rich.table import Table

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers

if TYPE_CHECKING:
    from mmm_analytics.simulator.engine import SimulationResult
    from mmm_analytics.simulator.optimizer import OptimizationResult
    from mmm_analytics.simulator.terms import Terms


def simulation_table(result: SimulationResult, current: dict[str, float], fmt: NumberFormat) -> Table:
    """Channel rows (spend, current spend, contribution, ROI) and the weekly totals."""
    table = Table(title=escape(f"Scenario result: {result.brand} / {result.region} (INR per week, steady state)"))
    for name in ("Channel", "Spend", "Current spend", "Contribution", "ROI"):
        table.add_column(name, justify="left" if name == "Channel" else "right")
    for channel, spend in result.spend.items():
        contribution = result.channel_contributions[channel]
        table.add_row(
            escape(channel),
            numbers.grouped(spend, fmt),
            numbers.grouped(current[channel], fmt),
            numbers.grouped(contribution, fmt),
            f"{contribution / spend:.2f}" if spend > 0 else "-",
        )
    table.add_section()
    table.add_row(
        "Total",
        numbers.grouped(result.total_spend, fmt),
        numbers.grouped(sum(current.values()), fmt),
        numbers.grouped(result.incremental_sales, fmt),
        _roi(result.roi),
    )
    return table


def _roi(roi: float) -> str:
    """An ROI to two decimals; ``-`` for a plan without spend (it has none)."""
    return f"{roi:.2f}" if math.isfinite(roi) else "-"


def simulation_summary(result: SimulationResult, fmt: NumberFormat) -> list[str]:
    """Plain lines under the table."""
    level = f"{result.interval_level:.0%}"
    return [
        f"Predicted sales: {numbers.grouped(result.predicted_sales, fmt)} INR per week "
        f"(baseline {numbers.grouped(result.baseline_sales, fmt)})",
        f"Incremental sales: {numbers.grouped(result.incremental_sales, fmt)} INR per week "
        f"({level} interval {numbers.grouped(result.incremental_lower, fmt)} to {numbers.grouped(result.incremental_upper, fmt)}); "
        f"ROI {_roi(result.roi)}",
        f"Over the next {result.horizon_weeks} weeks: predicted sales {numbers.grouped(result.horizon_predicted_sales, fmt)} "
        f"INR, incremental {numbers.grouped(result.horizon_incremental_sales, fmt)} INR",
        *(f"Warning: {warning}" for warning in result.warnings),
    ]


def optimization_caption(result: OptimizationResult, fmt: NumberFormat, terms: Terms | None = None) -> str:
    """The advice table's caption: which "current" it compares with, what refers to it (the percentage
    limits ``terms.shares``, as ``mmm optimize`` names them by default) and the uplift over it."""
    from mmm_analytics.simulator.terms import OPTIONS

    shares = (terms or OPTIONS).shares
    today = f"{numbers.grouped(result.today_weekly_spend, fmt)} INR"
    if result.current_is_scaled:
        current = f"Current mix: today's mix ({today} per week) scaled to this budget"
    else:
        current = f"Current mix: today's mix ({today} per week, the average over the data)"
    gain = result.expected_incremental_sales - result.current_incremental_sales
    low, high = (numbers.grouped(v, fmt, signed=True) for v in (result.uplift_lower, result.uplift_upper))
    return (
        f"{current}; {'Change refers' if shares is None else f'{shares} and Change refer'} to it.\n"
        f"Uplift over it: {numbers.grouped(gain, fmt, signed=True)} INR per week expected, "
        f"{result.interval_level:.0%} interval {low} to {high}; "
        f"more sales in {numbers.chance(result.prob_beats_current)} of posterior draws."
    )


def _heading(result: OptimizationResult) -> str:
    """``Advised allocation``, or ``Best plan within your limits`` for one your limits force to sell less
    than today's mix (which they leave out): not advice, and the title says so."""
    forced = not result.kept_current and result.expected_incremental_sales < result.current_incremental_sales
    return "Best plan within your limits" if forced else "Advised allocation"


def optimization_table(result: OptimizationResult, fmt: NumberFormat, terms: Terms | None = None) -> Table:
    """Current (scaled) vs advised spend, change, marginal ROI and status per channel, with
    :func:`optimization_caption` (in ``terms``) as its caption."""
    budget = numbers.grouped(result.weekly_budget, fmt)
    table = Table(
        title=escape(f"{_heading(result)}: {result.brand} / {result.region}, budget {budget} INR per week"),
        caption=escape(optimization_caption(result, fmt, terms)),
    )
    for name in ("Channel", "Current mix", "Advised", "Change", "Marginal ROI", "Status"):
        table.add_column(name, justify="left" if name in ("Channel", "Status") else "right")
    for channel, spend in result.allocation.items():
        before = result.current_allocation[channel]
        change = f"{spend / before - 1:+.1%}" if before > 0 else ("new" if spend > 0 else "-")
        table.add_row(
            escape(channel),
            numbers.grouped(before, fmt),
            numbers.grouped(spend, fmt),
            change,
            numbers.ratio(result.marginal_roi[channel], 3),
            result.channel_status[channel],
        )
    return table


def optimization_summary(result: OptimizationResult, fmt: NumberFormat) -> list[str]:
    """Plain lines under the advice table: the verdict when today's mix is kept or the advice stops
    short of the optimum, the sales (the mean over the posterior draws, which is what the advice
    maximises, unless ``simulator.objective`` is ``point``), the solver, then the warnings."""
    from mmm_analytics.simulator.advice import spread_line, verdict_sentence

    measure = result.measure
    sentences = [(warning, verdict_sentence(warning)) for warning in result.warnings]
    lines = [sentence for _, sentence in sentences if sentence]
    lines += [
        f"Expected incremental sales ({measure}): {numbers.grouped(result.expected_incremental_sales, fmt)} INR per week "
        f"(current mix: {numbers.grouped(result.current_incremental_sales, fmt)}; uplift {result.uplift:+.1%})",
        spread_line(result.mroi_spread, result.step, result.converged, result.starts_used, result.seconds),
        *(f"Warning: {warning}" for warning, sentence in sentences if not sentence),
    ]
    return [line for line in lines if line]


def frame_table(frame: pd.DataFrame, title: str, fmt: NumberFormat, money: tuple[str, ...] = ()) -> Table:
    """Any small table; columns in ``money`` are formatted as whole INR, other floats to 3 decimals
    (both grouped per ``fmt``), a missing number as ``-``."""
    table = Table(title=escape(title))
    for column in frame.columns:
        table.add_column(
            escape(str(column)), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left"
        )
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            if isinstance(value, float) and not math.isfinite(value):
                cells.append("-")  # not available (e.g. the ROI of a plan without spend)
            elif isinstance(value, float):
                cells.append(numbers.grouped(value, fmt, 0 if column in money else 3))
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table


def comparison_table(summary: pd.DataFrame, channels: tuple[str, ...], level: float, fmt: NumberFormat) -> Table:
    """Scenarios side by side: one column per scenario, one row per channel's spend and per result.

    ``summary`` is the first table of :func:`mmm_analytics.simulator.scenarios.compare_scenarios`.
    """
    table = Table(title="Scenario comparison (INR per week, steady state)")
    table.add_column("")
    for name in summary["scenario"]:
        table.add_column(escape(str(name)), justify="right")
    rows = summary.to_dict(orient="records")

    def line(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        table.add_row(escape(label), *(escape(cell(row)) for row in rows))

    line("Brand / region", lambda row: f"{row['brand']} / {row['region']}")
    for channel in channels:
        table.add_row(escape(f"{channel} spend"), *(numbers.grouped(row[f"spend_{channel}"], fmt) for row in rows))
    line("Total spend", lambda row: numbers.grouped(row["total_spend"], fmt))
    table.add_section()
    line("Predicted sales", lambda row: numbers.grouped(row["predicted_sales"], fmt))
    line("Incremental sales", lambda row: numbers.grouped(row["incremental_sales"], fmt))
    line(
        f"{level:.0%} interval",
        lambda row: (
            f"{numbers.grouped(row['incremental_lower'], fmt)} to {numbers.grouped(row['incremental_upper'], fmt)}"
        ),
    )
    line("ROI", lambda row: _roi(row["roi"]))
    line("Change vs current mix", lambda row: numbers.grouped(row["delta_incremental_vs_current"], fmt, signed=True))
    return table
