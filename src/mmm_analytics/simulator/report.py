"""``simulation_report.html``: one self-contained page on the shared report layout (works offline).

Sections: how to read the numbers (budget semantics and CPMs), the scenarios of
``scenarios.yaml`` with their descriptions and scope, the advised allocation with
marginal ROI, each brand x region optimised alone, the efficiency frontier and the
sensitivity around today's mix and around the recommended plan (grouped bars).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.simulator.advice import verdict_sentence
from mmm_analytics.simulator.defaults import KEPT_LINE_START
from mmm_analytics.simulator.figures import scenario_label, scope_label
from mmm_analytics.simulator.frontier_table import todays_budget
from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.simulator.scenarios import on_expected_basis, warning_lines
from mmm_analytics.style import charts, numbers, palette
from mmm_analytics.style.page import Chart, Column, Note, Page, Section, Table, Text, records_table, write_page
from mmm_analytics.utils.amounts import same_budget

FILE = "simulation_report.html"
ROI_WORDS = "Steady-state ROI"
_SCENARIO_COLUMNS = (
    Column("label", "Scenario"),
    Column("description", "What changes"),
    Column("scope", "Where"),
    Column("total_spend", "Weekly spend (INR)", "money"),
    Column("expected_incremental_sales", "Weekly incremental sales, expected (INR)", "money"),
    Column("interval", "Interval (INR)"),  # named with its level on the page (_scenario_columns)
    Column("roi", ROI_WORDS, "ratio"),
    Column("delta_expected_vs_current", "Change vs today's mix, same scope (INR per week)", "money"),
)
_FRONTIER_COLUMNS = (
    Column("budget_multiple", "Budget, share of today's", "percent"),
    Column("weekly_budget", "Weekly budget (INR)", "money"),
    Column("optimal_incremental_sales", "Incremental sales, best mix (INR per week)", "money"),
    Column("current_mix_incremental_sales", "Incremental sales, today's mix scaled (INR per week)", "money"),
    Column("uplift", "Uplift", "signed"),
    Column("optimal_roi", f"{ROI_WORDS}, best mix", "ratio"),
    Column("current_mix_roi", f"{ROI_WORDS}, today's mix", "ratio"),
    Column("marginal_roi", "Marginal ROI", "ratio"),
)
_SEGMENT_COLUMNS = (
    Column("brand", "Brand"),
    Column("region", "Region"),
    Column("weekly_budget", "Weekly budget (INR)", "money"),
    Column("current_incremental_sales", "Incremental sales, today's mix (INR per week)", "money"),
    Column("optimal_incremental_sales", "Incremental sales, recommended (INR per week)", "money"),
    Column("uplift", "Uplift", "signed"),
    Column("split", "Recommended split of the budget"),
)


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Finished results the report shows (tables in INR per week); ``viz`` gives colours and number format."""

    provenance: dict[str, Any]
    scenarios: pd.DataFrame
    optimum: OptimizationResult
    segments: pd.DataFrame
    frontier: pd.DataFrame
    sensitivity: pd.DataFrame
    channels: tuple[str, ...]
    viz: VizConfig = field(default_factory=VizConfig)


#: Marginal ROIs of the free channels within this share of their mean are the same (an optimum's).
EQUAL_MROI = 0.02


def mroi_words(marginal_roi: Mapping[str, float | None], status: Mapping[str, str], step: float | None) -> str:
    """One sentence on the marginal ROI (INR of sales per extra INR) at a recommendation: the same
    for every free channel at an optimum; otherwise their range, and how far a cautious plan goes
    toward the optimum (``step`` in [0, 1]). Before, the optimum's "same marginal ROI" was said of
    every plan, a cautious one 16% of the way included."""
    free = {
        c: float(m) for c, m in marginal_roi.items() if status.get(c) == "free" and m is not None and math.isfinite(m)
    }
    if len(free) < 2:
        return ""
    low, high = min(free, key=free.__getitem__), max(free, key=free.__getitem__)
    mean = sum(free.values()) / len(free)
    if mean > 0 and free[high] - free[low] <= EQUAL_MROI * mean:
        return (
            f"At the recommended mix every free channel returns the same marginal ROI ({numbers.ratio(mean)}): "
            "moving money between them would not add sales."
        )
    toward = (
        f" The plan goes {numbers.percent(step, 0)} of the way to the expected optimum, for a surer gain; "
        "the optimum would bring them together."
        if step is not None and 0 < step < 1
        else ""
    )
    return (
        f"At the recommended mix marginal ROI runs from {numbers.ratio(free[low])} ({low}) to "
        f"{numbers.ratio(free[high])} ({high}).{toward}"
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _scenario_rows(inputs: ReportInputs) -> list[dict[str, Any]]:
    fmt = inputs.viz.number_format
    rows = []
    for row in _records(on_expected_basis(inputs.scenarios)):  # ROI as the advice's: the mean over the draws
        rows.append(
            row
            | {
                "label": row["scenario"],
                "scope": scope_label(str(row["brand"]), str(row["region"])),
                "description": row.get("description") or "(no description in the scenarios file)",
                "interval": numbers.interval(
                    row["incremental_lower"], row["incremental_upper"], lambda v: numbers.grouped(v, fmt)
                ),
            }
        )
    return rows


def _scenario_chart(inputs: ReportInputs) -> Chart:
    summary, fmt = inputs.scenarios, inputs.viz.number_format
    labels = [scenario_label(*r) for r in summary[["scenario", "brand", "region"]].itertuples(index=False)]
    colors = palette.channel_colors(inputs.viz, inputs.channels)
    data = [
        {
            "type": "bar",
            "name": channel,
            "x": labels,
            "y": summary[f"contribution_{channel}"].tolist(),
            "marker": {"color": colors[channel]},
            "text": charts.money_text(summary[f"contribution_{channel}"], fmt),
            "hovertemplate": "%{x}<br>" + channel + ": %{text}<extra></extra>",
            "textposition": "none",
        }
        for channel in inputs.channels
    ]
    layout = charts.layout()
    layout["xaxis"] |= {"tickmode": "array", "tickvals": labels, "ticktext": [charts.wrapped(x) for x in labels]}
    layout["yaxis"] = charts.money_axis(summary["incremental_sales"], fmt, "Weekly incremental sales (INR)")
    layout["barmode"] = "stack"
    local = [label for label in labels if label.endswith(" only)")]
    caption = (
        "Weekly incremental sales of each scenario at steady state, stacked by channel, at the model's point estimate "
        "(the table above gives the expected totals, the mean over the posterior draws)."
    )
    if local:
        caption += (
            f" {', '.join(local)} covers only part of the market, so its bar is smaller than the national ones; "
            "compare its change against today's mix in the same scope (table above)."
        )
    return Chart("chart-scenarios", "Weekly incremental sales by channel", {"data": data, "layout": layout}, caption)


def _allocation_chart(optimum: OptimizationResult, fmt: Any) -> Chart:
    channels = list(optimum.allocation)
    today = [optimum.current_allocation[c] for c in channels]
    best = [optimum.allocation[c] for c in channels]
    data = [
        {
            "type": "bar",
            "name": "Today's mix (scaled)",
            "x": channels,
            "y": today,
            "marker": {"color": palette.CURRENT},
        },
        {"type": "bar", "name": "Recommended", "x": channels, "y": best, "marker": {"color": palette.RECOMMENDED}},
    ]
    layout = charts.layout("Channel", "") | {"barmode": "group"}
    layout["yaxis"] = charts.money_axis(today + best, fmt, "Weekly spend (INR)")
    title = f"Weekly spend per channel at a budget of {numbers.money(optimum.weekly_budget, fmt)}"
    return Chart("chart-allocation", title, {"data": data, "layout": layout})


def _uplift_text(optimum: Any) -> str:
    """The uplift, with its interval (``uplift_lower``/``uplift_upper``: INR per week over the draws) and
    the chance of beating today's mix when the optimiser gives them."""
    lower, upper = getattr(optimum, "uplift_lower", None), getattr(optimum, "uplift_upper", None)
    chance, current = getattr(optimum, "prob_beats_current", None), optimum.current_incremental_sales
    text = f"uplift {numbers.percent(optimum.uplift, signed=True)}"
    if numbers.finite(lower) is not None and numbers.finite(upper) is not None and current > 0:
        low, high = numbers.percent(lower / current, signed=True), numbers.percent(upper / current, signed=True)
        text += f" ({numbers.percent(optimum.interval_level, 0)} interval {low} to {high})"
    if numbers.finite(chance) is not None:
        text += f", {numbers.chance(chance)} chance of beating today's mix"
    return text


def _scenario_warnings(summary: pd.DataFrame) -> list[Note]:
    """One warning note per line of a scenario's ``warnings`` (spend where the data has none)."""
    return [Note(f"{name}: {line}", "warning", "Scenario warning.") for name, line in warning_lines(summary)]


def optimiser_note(line: str) -> Note:
    """One line of the optimiser's: a verdict (today's mix kept, a cautious step) or a warning."""
    sentence = verdict_sentence(line)
    if sentence is None:  # the optimiser's lines start in lower case, as on the command line
        return Note(line[:1].upper() + line[1:], "warning", "Optimiser warning.")
    return Note(sentence, "note", "The advice.")


def allocation_rows(
    today: Mapping[str, float], advised: Mapping[str, float], key: str = "channel"
) -> list[dict[str, Any]]:
    """One row per ``key`` (a channel, brand or region) of ``advised`` (weekly INR): ``today``'s spend beside
    it, the difference and the change as a share of today's (None where today's is 0), for an allocation table."""
    return [
        {
            key: name,
            "today": today[name],
            "advised": spend,
            "difference": spend - today[name],
            "change": spend / today[name] - 1.0 if today[name] > 0 else None,
        }
        for name, spend in advised.items()
    ]


#: A brand's or region's share of the advised budget that differs from its share of today's spend by more
#: than this (relative) counts as budget moved between them.
SEGMENT_SHIFT = 0.01


def segment_shift_rows(segment_budgets: Sequence[Mapping[str, Any]], level: str) -> list[dict[str, Any]]:
    """The advice's weekly budget per ``level`` (``brand`` or ``region``) beside today's spend there, rows as
    :func:`allocation_rows`'s keyed by ``level`` with ``share_change``, the change of its share of the budget
    (None where today's is 0), from an optimisation's ``segment_budgets``; none when the advice keeps every
    one's share (within :data:`SEGMENT_SHIFT`) or covers one."""
    today: dict[str, float] = {}
    advised: dict[str, float] = {}
    for segment in segment_budgets:
        name = str(segment[level])
        today[name] = today.get(name, 0.0) + float(segment["today_weekly_spend"])
        advised[name] = advised.get(name, 0.0) + float(segment["weekly_budget"])
    total_today, total_advised = sum(today.values()), sum(advised.values())
    if len(advised) < 2 or total_today <= 0 or total_advised <= 0:
        return []
    share_change = {
        name: (advised[name] / total_advised) / (today[name] / total_today) - 1.0 if today[name] > 0 else None
        for name in advised
    }
    if not any(change is not None and abs(change) > SEGMENT_SHIFT for change in share_change.values()):
        return []
    return [row | {"share_change": share_change[row[level]]} for row in allocation_rows(today, advised, key=level)]


def segment_shift_tables(
    segment_budgets: Sequence[Mapping[str, Any]], fmt: NumberFormat, note: str = ""
) -> tuple[Table, ...]:
    """One table per brand and per region whose share of the budget the advice moves (:func:`segment_shift_rows`):
    the advice plans each brand x region on its own, so its channel totals are not the whole plan. ``note``
    ends the first table's caption."""
    tables: list[Table] = []
    for level in ("brand", "region"):
        rows = segment_shift_rows(segment_budgets, level)
        if not rows:
            continue
        columns: tuple[Column, ...] = (
            Column(level, level.capitalize()),
            Column("today", "Today's spend (INR a week)", "money"),
            Column("advised", "Recommended (INR a week)", "money"),
            Column("difference", "Difference (INR a week)", "money"),
            Column("change", "Change", "signed"),
        )
        if not same_budget(sum(row["advised"] for row in rows), sum(row["today"] for row in rows)):
            # at a budget other than today's every one may grow: what moves between them is its share
            columns += (Column("share_change", "Change of its share of the budget", "signed"),)
        caption = (
            f"The recommendation plans each brand x region on its own, so it also moves budget between {level}s: "
            f"the weekly budget of each {level} beside today's spend there. Its uplift is that of the whole plan "
            "(each brand x region's channels in optimal_allocation.csv), not of the channel totals split across "
            f"{level}s as today's spend is."
        )
        if tables:  # the first table said why
            caption = f"The same plan by {level}: the weekly budget of each {level} beside today's spend there."
        elif note:
            caption += f" {note}"
        tables.append(records_table(rows, columns, fmt, caption=caption, id=f"table-{level}-budget"))
    return tuple(tables)


def _optimum_section(inputs: ReportInputs) -> Section:
    optimum, fmt = inputs.optimum, inputs.viz.number_format
    rows = [
        row | {"mroi": optimum.marginal_roi[row["channel"]], "status": optimum.channel_status[row["channel"]]}
        for row in allocation_rows(optimum.current_allocation, optimum.allocation)
    ]
    columns = (
        Column("channel", "Channel"),
        Column("today", "Today's mix, scaled (INR per week)", "money"),
        Column("advised", "Recommended (INR per week)", "money"),
        Column("change", "Change", "signed"),
        Column("mroi", "Marginal ROI at the recommendation", "ratio"),
        Column("status", "Limit"),
    )
    measure = f"expected: the {optimum.measure}" if optimum.from_draws else optimum.measure
    headline = (
        f"Weekly budget {numbers.money(optimum.weekly_budget, fmt)}: incremental sales ({measure}) "
        f"{numbers.money(optimum.expected_incremental_sales, fmt)} per week with the recommended mix vs "
        f"{numbers.money(optimum.current_incremental_sales, fmt)} with today's mix scaled to the same budget "
        f"({_uplift_text(optimum)}). " + mroi_words(optimum.marginal_roi, optimum.channel_status, optimum.step)
    )
    blocks: list[Any] = [Text((headline,))]
    blocks += [optimiser_note(w) for w in optimum.warnings]
    blocks += [records_table(rows, columns, fmt), *segment_shift_tables(optimum.segment_budgets, fmt)]
    blocks.append(_allocation_chart(optimum, fmt))
    return Section("optimum", f"Advised allocation ({scope_label(optimum.brand, optimum.region)})", tuple(blocks))


def _segment_rows(segments: pd.DataFrame, channels: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for row in _records(segments):
        budget = float(row["weekly_budget"]) or 1.0
        shares = [(c, float(row.get(f"optimal_{c}", 0.0)) / budget) for c in channels]
        split = ", ".join(f"{c} {numbers.percent(share, 0)}" for c, share in shares)
        rows.append(row | {"split": split})
    return rows


def frontier_figure(
    table: pd.DataFrame, fmt: NumberFormat, advice: tuple[float, float] | None = None
) -> dict[str, Any]:
    """The most incremental sales each weekly budget buys, against today's mix scaled; today's budget
    marked (from the table, so an optimisation at another budget does not move the mark), and with
    ``advice`` (its weekly budget and expected weekly incremental sales, INR) the recommended plan as a
    star, wherever its budget lies."""
    budgets = table["weekly_budget"].tolist()
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Best mix (the optimum)",
            "x": budgets,
            "y": table["optimal_incremental_sales"].tolist(),
            "line": {"color": palette.RECOMMENDED, "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Today's mix, scaled",
            "x": budgets,
            "y": table["current_mix_incremental_sales"].tolist(),
            "line": {"color": palette.CURRENT, "width": 2, "dash": "dash"},
        },
    ]
    if advice is not None and all(math.isfinite(value) for value in advice):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "The advice",
                "x": [advice[0]],
                "y": [advice[1]],
                "marker": {"symbol": "star", "size": 16, "color": palette.RECOMMENDED, "line": {"width": 1}},
            }
        )
        budgets = [*budgets, advice[0]]
    layout = charts.layout()
    layout["xaxis"] = charts.money_axis(budgets, fmt, "Weekly media budget (INR)")
    layout["yaxis"] = charts.money_axis(table["optimal_incremental_sales"], fmt, "Incremental sales (INR per week)")
    budget = todays_budget(table)
    if budget is not None:
        today = {"type": "line", "yref": "paper", "x0": budget, "x1": budget, "y0": 0, "y1": 1}
        layout["shapes"] = [today | {"line": {"color": palette.CURRENT, "dash": "dot"}}]
        layout["annotations"] = [
            {"x": budget, "y": 1, "yref": "paper", "text": "today's budget", "showarrow": False, "yanchor": "bottom"}
        ]
    return {"data": data, "layout": layout}


#: What the frontier's two lines are.
FRONTIER_LINES = (
    "Red: the most weekly incremental sales each budget can buy with the best mix. Grey, dashed: today's mix "
    "scaled to the same budget."
)
#: What the star is, where it is drawn.
ADVICE_MARK = "Star: the recommended plan at its budget, with its expected weekly incremental sales."


def kept_reason(kept: bool, warnings: Sequence[str]) -> str | None:
    """Why the advice keeps today's mix, as a sentence: its verdict line among ``warnings`` (``no allocation
    beats today's mix ...``); None when it does not keep it (``kept`` False)."""
    if not kept:
        return None
    line = next((str(w) for w in warnings if str(w).startswith(KEPT_LINE_START)), None)
    return verdict_sentence(line) if line is not None else "No allocation beats today's mix in expectation."


def frontier_caption(reason: str | None) -> str:
    """The frontier's caption: what reallocation earns over today's mix, or, where the advice keeps today's
    mix (``reason``: why, from :func:`kept_reason`), that the gap is not a gain it counts on."""
    if reason is None:
        return f"{FRONTIER_LINES} The gap is what reallocation alone earns."
    # Before, "the gap is what reallocation alone earns" stood under advice that kept today's mix.
    return (
        f"{FRONTIER_LINES} The advice keeps today's mix: {reason[:1].lower()}{reason[1:]} The red line is the "
        "optimum on the fitted curves, held neither to the range of spend seen in the data nor to the advice's "
        "confidence nor to the smallest gain worth a change, so its gap over the grey line is not a gain the advice "
        "counts on."
    )


def _frontier_chart(frontier: pd.DataFrame, optimum: OptimizationResult, fmt: Any) -> Chart:
    """The frontier with its caption; ``optimum`` is the advice of the same brand and region, marked on it."""
    caption = f"{frontier_caption(kept_reason(optimum.kept_current, optimum.warnings))} {ADVICE_MARK}"
    advice = (float(optimum.weekly_budget), float(optimum.expected_incremental_sales))
    return Chart("chart-frontier", "Efficiency frontier", frontier_figure(frontier, fmt, advice), caption)


def _tornado_chart(table: pd.DataFrame, base: str, fmt: Any) -> Chart:
    """Grouped horizontal bars: one per change in spend, side by side within each channel."""
    part = table[table["base"] == base]
    data = []
    deepest = float(part["change"].abs().max() or 1.0)
    for change in sorted(part["change"].unique()):
        rows = part[part["change"] == change]
        color = palette.rgba("#2e8b57" if change > 0 else "#c0392b", 0.35 + 0.65 * abs(change) / deepest)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{change:+.0%} spend",
                "y": rows["channel"].tolist(),
                "x": rows["delta_incremental_sales"].tolist(),
                "marker": {"color": color},
                "text": charts.money_text(rows["delta_incremental_sales"], fmt),
                "textposition": "none",
                "hovertemplate": "%{y}: %{text}<extra>" + f"{change:+.0%}" + "</extra>",
            }
        )
    layout = charts.layout("", "Channel") | {"barmode": "group", "bargap": 0.25, "bargroupgap": 0.05}
    layout["xaxis"] = charts.money_axis(
        part["delta_incremental_sales"], fmt, "Change in weekly incremental sales (INR)"
    )
    name = "today's mix" if base == "current" else "the recommended plan"  # the advice, not the full optimum
    return Chart(
        f"chart-sensitivity-{base}", f"Sensitivity around {name}", {"data": data, "layout": layout}, height=520
    )


def _header(provenance: Mapping[str, Any], fmt: Any) -> Section:
    cpm = provenance["cpm_inr_per_1000_exposures"]
    dates = " to ".join(str(d) for d in provenance["data_date_range"])
    facts = (
        f"Model: {provenance['model_path']}. Data: {dates}. Totals over a horizon of "
        f"{provenance['horizon_weeks']} weeks are in the CSV files; intervals are "
        f"{numbers.percent(provenance['interval_level'], 0)}. ROI here is the steady-state ROI: weekly incremental "
        "sales divided by weekly spend once the carryover has built up."
    )
    table = records_table(
        [{"channel": c, "cpm": v} for c, v in cpm.items()],
        (Column("channel", "Channel"), Column("cpm", "CPM (INR per 1,000 exposures)", "ratio")),
        fmt,
    )
    note = Note(str(provenance["budget_semantics"]), "assumption", "What a budget means.")
    return Section("semantics", "How to read these numbers", (Text((facts,)), note, table))


def _scenario_columns(inputs: ReportInputs) -> tuple[Column, ...]:
    """The scenario table's columns, the interval's named with the report's level (``90% interval (INR)``)."""
    level = numbers.percent(inputs.provenance["interval_level"], 0)
    return tuple(
        replace(column, header=f"{level} interval (INR)") if column.key == "interval" else column
        for column in _SCENARIO_COLUMNS
    )


def build_page(inputs: ReportInputs) -> Page:
    """The report as a :class:`~mmm_analytics.style.page.Page`."""
    fmt = inputs.viz.number_format
    scenarios = Section(
        "scenarios",
        "Scenario comparison",
        (
            records_table(_scenario_rows(inputs), _scenario_columns(inputs), fmt, id="table-scenarios"),
            _scenario_chart(inputs),
            *_scenario_warnings(inputs.scenarios),
        ),
        intro=(
            "Each scenario of scenarios.yaml, at steady state: expected sales, the mean over the posterior draws, "
            "as the advice below (scenario_comparison.csv also gives the point estimate). 'Where' says which part "
            "of the market it covers."
        ),
    )
    segments = Section(
        "segments",
        "Each brand x region optimised on its own budget",
        (records_table(_segment_rows(inputs.segments, inputs.channels), _SEGMENT_COLUMNS, fmt, sortable=True),),
    )
    frontier = Section(
        "frontier",
        "Efficiency frontier",
        (
            _frontier_chart(inputs.frontier, inputs.optimum, fmt),
            records_table(_records(inputs.frontier), _FRONTIER_COLUMNS, fmt, id="table-frontier"),
        ),
        intro="The most weekly incremental sales each budget can buy, against today's mix scaled to that budget.",
    )
    sensitivity = Section(
        "sensitivity",
        "Sensitivity",
        tuple(_tornado_chart(inputs.sensitivity, base, fmt) for base in ("current", "optimum")),
        intro="Change in weekly incremental sales when one channel's spend moves and the others stay put.",
    )
    return Page(
        title="Budget simulation",
        subtitle="Scenarios, the advised allocation, the efficiency frontier and sensitivity",
        sections=(
            _header(inputs.provenance, fmt),
            scenarios,
            _optimum_section(inputs),
            segments,
            frontier,
            sensitivity,
        ),
        file=FILE,
    )


def write_report(path: str | Path, inputs: ReportInputs) -> Path:
    """Write the self-contained HTML report; returns its path."""
    return write_page(path, build_page(inputs))
