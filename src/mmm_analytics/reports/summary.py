"""``summary.html``: the page a manager opens first, with the answers and the evidence, linking the others.

Headline cards (what media added and returned, which channels to grow and to cut, the
recommended reallocation and what it is expected to bring), then the charts behind them
(ROI by channel, spend share beside contribution share, every channel's response curve,
the budget frontier, actual vs fitted sales) and the assumptions in plain words.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from mmm_analytics.config.loader import ProjectConfig
from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.curves.summary import experiment_candidates
from mmm_analytics.reports import summary_charts as plots
from mmm_analytics.reports.budget import against_today, baseline_words, budget_change, budget_words, change_note
from mmm_analytics.reports.inputs import NATIONAL, SummaryInputs, load_inputs
from mmm_analytics.reports.scope import for_part, frontier_words, is_part, plan_scope, scope_note, scope_words
from mmm_analytics.response.artifacts import ModelMetadata, segment_spread_words
from mmm_analytics.simulator.frontier_table import frontier_scope
from mmm_analytics.simulator.report import (
    ADVICE_MARK,
    allocation_rows,
    frontier_caption,
    frontier_figure,
    kept_reason,
    mroi_words,
    optimiser_note,
    segment_shift_tables,
)
from mmm_analytics.style import numbers, palette
from mmm_analytics.style.page import (
    REPORTS,
    Block,
    Card,
    Cards,
    Chart,
    Column,
    Note,
    Page,
    Raw,
    Section,
    Table,
    Text,
    Tone,
    records_table,
    write_page,
)
from mmm_analytics.utils.amounts import same_budget
from mmm_analytics.utils.paths import ProjectPaths
from mmm_analytics.utils.words import listed, the_count

FILE = "summary.html"
#: A channel whose recommended spend moves by this share or more, rounded to one decimal of a percent as the plan
#: table shows it, is one to grow or to cut; at a budget other than today's, its share of the budget (the change
#: the cards give in brackets).
MOVE = 0.05
CARRYOVER_WORDS = {
    "beta_gamma": "the effect of an exposure is strongest in its own week and fades over the following weeks",
    "geometric": "each week keeps a fixed share of the previous week's effect, so the effect fades steadily",
    "weibull": "the effect can build up for a few weeks before it fades",
}
SATURATION_WORDS = {
    "hill": "a Hill curve: each extra rupee adds less than the one before once spend is past its half-saturation point",
    "sigmoid": "a curve from zero that rises fastest at first and flattens towards a ceiling",
    "logistic": "an S-shaped curve: slow at first, then rising, then flattening towards a ceiling",
}


def _money(value: object, fmt: NumberFormat) -> str:
    return numbers.compact_money(value, fmt)


def _media_cards(inputs: SummaryInputs, fmt: NumberFormat) -> list[Card]:
    media, meta = inputs.media, inputs.metadata
    if media is None or meta is None:
        return [Card("What did media add?", "not available", "Run 'mmm train' to fit the model.")]
    level = numbers.percent(media.level, 0)
    period = f"{meta.date_range[0]} to {meta.date_range[1]}"
    added = Card(
        "What did media add to sales?",
        _money(media.contribution, fmt),
        f"Incremental sales from all media, {period}; {level} interval {_money(media.lower, fmt)} to "
        f"{_money(media.upper, fmt)}.",
        "neutral",
    )
    returned = Card(
        "What did each rupee of media return?",
        f"{numbers.ratio(media.roi)} historical average ROI",
        f"INR {numbers.ratio(media.roi)} of sales per INR of media spend ({_money(media.spend, fmt)} spent); "
        f"{level} interval {numbers.interval(media.roi_lower, media.roi_upper)}.",
        "good" if media.roi_lower > 1 else "neutral",
    )
    return [added, returned]


def _moves(inputs: SummaryInputs) -> dict[str, float]:
    """The recommended change of each channel's weekly spend (share of today's)."""
    today, best = plots.allocation_points(inputs.allocation)
    return {c: best[c] / today[c] - 1.0 for c in best if today.get(c, 0.0) > 0}


def _share_moves(allocation: Mapping[str, Any], moves: Mapping[str, float]) -> dict[str, float] | None:
    """The recommended change of each channel's weekly spend against today's mix scaled to the budget (how its
    share of the budget moves), which the cards judge channels by at a budget other than today's; None at today's
    budget, at a budget of 0 (no share; each channel is cut by all of its spend) or when the file does not give
    today's spend."""
    change = budget_change(allocation)
    if not change or change <= -1.0:
        return None
    return {c: (1.0 + move) / (1.0 + change) - 1.0 for c, move in moves.items()}


def _evidence(
    channel: str, inputs: SummaryInputs, moves: Mapping[str, float], shares: Mapping[str, float] | None
) -> str:
    """``TV +61% (marginal ROI today 1.58, 90% interval 1.36 to 2.05)`` (the interval at the curves' level): the move (with ``shares``, ``TV +74% (its
    share of the budget +16%)``), and the marginal ROI of the part of the market the advice covers (that brand x
    region's own where the ROI tables have it; else the national one, said so beside the moves of part of the
    market)."""
    text = f"{channel} {numbers.percent(moves[channel], 0, signed=True)}"
    if shares is not None:
        text += f" (its share of the budget {numbers.percent(shares[channel], 0, signed=True)})"
    own = inputs.plan_roi
    if own is not None and channel in set(own["channel"].astype(str)):
        roi, which = own, "marginal ROI there"
    else:
        roi = inputs.channel_roi
        which = "national marginal ROI" if is_part(plan_scope(inputs.allocation)) else "marginal ROI"
    if roi is not None and channel in set(roi["channel"].astype(str)):
        row = roi.assign(channel=roi["channel"].astype(str)).set_index("channel").loc[channel]
        if numbers.finite(row["mroi"]) is not None:
            span = numbers.interval(row["mroi_lower"], row["mroi_upper"])
            level = numbers.percent(inputs.roi_level, 0)
            text += f" ({which} today {numbers.ratio(row['mroi'])}, {level} interval {span})"
    return text


def _channel_cards(inputs: SummaryInputs) -> list[Card]:
    moves = _moves(inputs)
    if not moves:
        return [Card("Which channels to grow or cut?", "not available", "Run 'mmm optimize' for a recommendation.")]
    allocation = inputs.allocation or {}
    where = for_part(plan_scope(allocation))
    # At a budget other than today's, a channel grows or is cut by its share of the budget: at a budget 50% above
    # today's, one that grows 16% is cut in the plan (before, the card said "grow" beside every channel).
    shares = _share_moves(allocation, moves)
    judged = moves if shares is None else shares
    # Judged as shown: a channel the table shows at +5.0% (4.96%) is one to grow (before, it was left out).
    shown = {c: round(100.0 * m, 1) for c, m in judged.items()}
    grow = sorted((c for c, m in shown.items() if m >= 100.0 * MOVE), key=lambda c: -judged[c])
    cut = sorted((c for c, m in shown.items() if m <= -100.0 * MOVE), key=lambda c: judged[c])
    reason = mroi_words(
        allocation.get("marginal_roi", {}), allocation.get("channel_status", {}), allocation.get("step")
    )
    what = "spend" if shares is None else "share of the budget"
    grow_detail = (
        "; ".join(_evidence(c, inputs, moves, shares) for c in grow) + f". {reason}"
        if grow
        else f"No channel's {what} grows by {MOVE:.0%} or more in the recommended mix."
    )
    cut_detail = (
        "; ".join(_evidence(c, inputs, moves, shares) for c in cut) + f". {_why_cut(inputs, bool(grow), what)}"
        if cut
        else f"No channel's {what} is cut by {MOVE:.0%} or more in the recommended mix."
    )
    if note := change_note(allocation):
        grow_detail, cut_detail = f"{grow_detail} {note}", f"{cut_detail} {note}"
    if shares is None:
        grow_title, cut_title = "to grow", "to cut"
    else:
        grow_title, cut_title = "get a larger share of the budget", "get a smaller share of the budget"
    return [
        Card(f"Which channels {grow_title}{where}?", ", ".join(grow) or "none", grow_detail, "good"),
        Card(f"Which channels {cut_title}{where}?", ", ".join(cut) or "none", cut_detail, "bad"),
    ]


def _why_cut(inputs: SummaryInputs, grown: bool, what: str) -> str:
    """Why the channels are cut, in a sentence the figures beside it bear out (``what`` the cards judge them by:
    ``spend``, or at a budget other than today's ``share of the budget``)."""
    if not grown:
        # Before, "than in the channels to grow" under a grow card that said "none" (a smaller budget).
        if what != "spend":
            return f"No channel's share of the budget grows by {MOVE:.0%} or more: the plan gives these less of it."
        return f"No channel grows by {MOVE:.0%} or more: the plan spends less on these."
    if inputs.plan_roi is None and is_part(plan_scope(inputs.allocation)):
        # Before, the claim stood beside national marginal ROIs that could say the opposite.
        return (
            "The marginal ROIs quoted are national; the advice weighs this part of the market's own curves, "
            "on which these channels' last rupees earn less than in the channels to grow."
        )
    # A channel cut may still pay back more than it costs: it is cut because its last rupees earn less
    # than they would in the channels grown, not because it is saturated.
    return "Their last rupees earn less than the same rupees would in the channels to grow."


def uplift_detail(allocation: Mapping[str, Any], fmt: NumberFormat, level: float = 0.9) -> str:
    """The expected uplift in rupees at the advice's budget, its interval and the chance of beating today's
    mix, when known; at a budget other than today's, what the plan brings against today's mix as it is.

    ``uplift_lower`` and ``uplift_upper`` are the interval of the weekly uplift in INR (plan minus
    today's mix scaled to the budget, over the parameter draws, at ``level``), ``prob_beats_current`` the share of
    draws in which the plan sells more.
    """
    current = float(allocation["current_incremental_sales"])
    gain = float(allocation["expected_incremental_sales"]) - current
    mix = baseline_words(allocation)
    # Before, "at the same weekly budget" was said of a budget 50% above today's too.
    text = f"{_money(gain, fmt)} more incremental sales per week (the sales media brings, "
    text += f"{_money(current, fmt)} a week with {mix}; other sales unchanged) at {budget_words(allocation, fmt)}"
    low, high = (numbers.finite(allocation.get(k)) for k in ("uplift_lower", "uplift_upper"))
    if low is not None and high is not None and current > 0:
        shares = f"{numbers.percent(low / current, signed=True)} to {numbers.percent(high / current, signed=True)}"
        text += f"; {numbers.percent(level, 0)} interval of the uplift {shares} "
        text += f"({_money(low, fmt)} to {_money(high, fmt)} per week)"
    else:
        text += "; the interval of the uplift is not available for this run"
    chance = numbers.finite(allocation.get("prob_beats_current"))
    if chance is not None:
        text += f"; {numbers.chance(chance)} chance of beating {mix}"
    today = against_today(allocation, fmt)
    return f"{text}. {today[:1].upper()}{today[1:]}." if today else f"{text}."


def _plan_card(inputs: SummaryInputs, fmt: NumberFormat) -> Card:
    plan = inputs.allocation
    if not plan:
        return Card("What should we do with the budget?", "not available", "Run 'mmm optimize' for a recommendation.")
    current = float(plan["current_incremental_sales"])
    uplift = float(plan["expected_incremental_sales"]) / current - 1.0 if current > 0 else None
    low = numbers.finite(plan.get("uplift_lower"))
    tone: Tone = "good" if (low is not None and low > 0) or (low is None and (uplift or 0) > 0) else "neutral"
    gain = float(plan["expected_incremental_sales"]) - current
    # Before, the headline was "+5.2% sales from media": a share of media's sales, read as one of all sales.
    if uplift is None:  # a budget of 0: today's mix scaled to it brings no media sales to measure the plan by
        shares = "No media sales to compare with: today's mix at this budget brings none"
    else:
        shares = f"{numbers.percent(uplift, signed=True)} of the sales media brings"
    sales = weekly_sales(inputs.decomposition, str(plan.get("brand", NATIONAL)), str(plan.get("region", NATIONAL)))
    if sales is not None and sales > 0 and uplift is not None:
        shares += f", {numbers.percent(gain / sales, signed=True)} of all weekly sales (their average over the data)"
    value = f"{_money(gain, fmt)} a week"
    title = f"What does the recommended reallocation bring{for_part(plan_scope(plan))}?"
    return Card(title, value, f"{shares}. {uplift_detail(plan, fmt, inputs.plan_level)}", tone)


def plan_table(plan: Mapping[str, Any] | None, fmt: NumberFormat) -> tuple[Table, ...]:
    """The recommended weekly spend per channel in INR beside today's: what to buy, not only the shares
    (none without a plan, or with one whose allocations are not numbers)."""
    if not plan:
        return ()
    current, advised = plan.get("current_allocation"), plan.get("allocation")
    if not isinstance(current, Mapping) or not isinstance(advised, Mapping):
        return ()
    # Before, "today's mix" was today's mix scaled to the budget: at a budget 50% above today's, every
    # change was read against spends the manager never made.
    today = plots.todays_allocation(plan)
    if any(
        numbers.finite(today.get(channel)) is None or numbers.finite(spend) is None
        for channel, spend in advised.items()
    ):
        return ()
    rows = allocation_rows(today, advised)
    columns = (
        Column("channel", "Channel"),
        Column("today", "Today's mix (INR a week)", "money"),
        Column("advised", "Recommended (INR a week)", "money"),
        Column("difference", "Difference (INR a week)", "money"),
        Column("change", "Change", "signed"),
    )
    scope = plan_scope(plan)
    where = f" for {scope_words(scope)}" if scope is not None and is_part(scope) else ""
    match budget_change(plan):
        case None:  # a file that does not give today's spend
            today_words = "today's mix (today's average weekly spend scaled to the budget)"
        case 0.0:
            today_words = "today's mix (today's average weekly spend)"
        case _:
            today_words = "today's mix as it is (today's average weekly spend): the changes include the budget's"
    caption = (
        f"The recommended weekly plan{where} at {budget_words(plan, fmt)}, beside {today_words}. The gain builds up "
        "over the first weeks as carryover fills in."
    )
    # Before, the page gave the plan as percentages only; the amounts were in the simulation report.
    return (records_table(rows, columns, fmt, caption=caption, id="table-plan"),)


def segment_budgets(plan: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The plan's ``segment_budgets`` (each brand x region's weekly budget and today's spend), or none when
    the file has no such key (written before it was added) or holds anything but rows of finite amounts."""
    rows = (plan or {}).get("segment_budgets")
    if not isinstance(rows, list) or not all(
        isinstance(row, Mapping)
        and all(numbers.finite(row.get(key)) is not None for key in ("weekly_budget", "today_weekly_spend"))
        and all(isinstance(row.get(key), str) for key in ("brand", "region"))
        for row in rows
    ):
        return []
    return rows


def segments_alone(inputs: SummaryInputs, fmt: NumberFormat) -> str:
    """What keeping each brand x region's budget as today brings, beside what the national advice brings by moving
    budget between them: the sum of each one's own advice (``mmm simulate``'s ``segment_optimization.csv``). ""
    unless the advice is national at today's budget and that table covers every brand x region of it."""
    plan, table = inputs.allocation, inputs.segment_plans
    if not plan or table is None or is_part(plan_scope(plan)) or budget_change(plan) != 0.0:
        return ""
    budget = numbers.finite(plan.get("weekly_budget"))
    if budget is None or not same_budget(float(table["weekly_budget"].sum()), budget):
        return ""  # the table covers the largest brand x regions only, or was made at another budget
    alone = float((table["optimal_incremental_sales"] - table["current_incremental_sales"]).sum())
    moved = float(plan["expected_incremental_sales"]) - float(plan["current_incremental_sales"])
    return (
        f"Keeping each brand x region's budget as today, each one's own best plan (the simulation report's advice "
        f"per brand x region) brings {_money(alone, fmt)} a week in all, against {_money(moved, fmt)} for this plan."
    )


def weekly_sales(decomposition: pd.DataFrame | None, brand: str, region: str) -> float | None:
    """Mean weekly Sales_Value (INR) of ``brand`` x ``region`` (``all``: every one) over the data weeks, from
    ``decomposition.csv`` (one row per brand, region and week); None without it or without those rows."""
    if decomposition is None or not {"brand", "region", "actual"} <= set(decomposition.columns):
        return None
    rows = decomposition
    if brand != NATIONAL:
        rows = rows[rows["brand"].astype(str) == brand]
    if region != NATIONAL:
        rows = rows[rows["region"].astype(str) == region]
    weekly = pd.to_numeric(rows["actual"], errors="coerce").groupby(rows["date"]).sum()
    return float(weekly.mean()) if len(weekly) and np.isfinite(weekly.mean()) else None


def fit_cautions(inputs: SummaryInputs) -> tuple[str, ...]:
    """What ``mmm train`` warned of its fit (too few weeks, a low R², a large holdout error), from the
    model's metrics and metadata: the page says it too, not only the terminal of the run."""
    from mmm_analytics.models.metrics import fit_warnings

    meta = inputs.metadata
    if inputs.metrics is None or meta is None:
        return ()
    return fit_warnings(inputs.metrics, meta.n_weeks - meta.holdout_weeks)


def _fit_card(inputs: SummaryInputs) -> Card | None:
    holdout = (inputs.metrics or {}).get("holdout", {}).get("overall", {})
    if not holdout:
        return None
    wmape, r2 = holdout.get("wmape"), holdout.get("r2")
    detail = f"On {inputs.metadata.holdout_weeks if inputs.metadata else 'the last'} weeks the model never saw, "
    detail += (
        f"each brand x region's weekly sales were off by {numbers.percent(wmape)} on average (weighted MAPE; "
        f"R² {numbers.ratio(r2)})"
    )
    national = (inputs.metrics or {}).get("holdout", {}).get("national", {})
    if isinstance(national, dict) and numbers.finite(national.get("wmape")) is not None:
        # Before, one pooled R² with no level: national weekly sales are far smoother, with their own R².
        detail += (
            f"; national weekly sales by {numbers.percent(national.get('wmape'))} "
            f"(R² {numbers.ratio(national.get('r2'))})"
        )
    detail += "."
    tone: Tone = "bad" if fit_cautions(inputs) else "neutral"
    if tone == "bad":
        detail += " Read the warning below before the figures."
    return Card("Can we trust the model?", f"{numbers.percent(wmape)} holdout error", detail, tone)


def headline_cards(inputs: SummaryInputs, fmt: NumberFormat) -> Cards:
    """The answers, one card per question."""
    cards = [*_media_cards(inputs, fmt), *_channel_cards(inputs), _plan_card(inputs, fmt)]
    fit = _fit_card(inputs)
    return Cards(tuple([*cards, fit] if fit is not None else cards))


def _roi_section(inputs: SummaryInputs, viz: VizConfig) -> Section:
    roi = inputs.channel_roi
    if roi is None:
        return Section(
            "roi", "Historical average ROI by channel", (Note("Run 'mmm curves' to see the ROI of each channel."),)
        )
    colors = palette.channel_colors(viz, inputs.channels or [str(c) for c in roi["channel"]])
    roi_caption = (
        "Historical average ROI: each channel's incremental sales over the data period divided by its spend, with the "
        f"{numbers.percent(inputs.roi_level, 0)} interval; the dotted line is 1 rupee of sales per rupee spent. ROI counts "
        "sales, not profit: a channel pays for itself in profit only above 1 divided by your gross margin (2.5 at a "
        "40% margin)."
    )
    share_caption = (
        f"Grey: {plots.SPEND_SHARE.lower()} (by the CPMs below). Blue: {plots.CONTRIBUTION_SHARE.lower()}. A channel "
        "whose blue bar is taller than its grey one earns more than its share of the budget."
    )
    return Section(
        "roi",
        "Historical average ROI by channel",
        (
            Chart("chart-roi", "", plots.roi_bars(roi, colors), roi_caption),
            *_break_even_note(roi, inputs.roi_level),
            Chart("chart-shares", "Share of spend and share of contribution", plots.share_bars(roi), share_caption),
            *_experiment_note(roi),
        ),
    )


def _other_levels(inputs: SummaryInputs) -> tuple[str, ...]:
    """One sentence when the ROIs or the advice were made at another level than ``intervals.level`` asks for
    (the config changed after their steps ran; ``mmm report`` alone makes neither again), none otherwise."""
    asked = numbers.percent(inputs.level, 0)
    other = []
    if inputs.channel_roi is not None and not math.isclose(inputs.roi_level, inputs.level):
        other.append((f"the ROIs' are {numbers.percent(inputs.roi_level, 0)}", "'mmm curves'"))
    if inputs.allocation and not math.isclose(inputs.plan_level, inputs.level):
        other.append((f"the advice's {numbers.percent(inputs.plan_level, 0)}", "'mmm optimize'"))
    if not other:
        return ()
    made, steps = numbers.listing([m for m, _ in other]), numbers.listing([s for _, s in other])
    return (f"But {made}, as made before the level changed: re-run {steps} for {asked} ones.",)


def _break_even_note(roi: pd.DataFrame, level: float) -> tuple[Note, ...]:
    """The channels whose ROI is above 1 at its centre but whose interval (at ``level``) reaches below it: the
    data do not say they paid back (none when there are none)."""
    unsure = roi[(roi["roi"] > 1.0) & (roi["roi_lower"] < 1.0)]
    if unsure.empty:
        return ()
    # Before, a bar at 1.45 over break-even told a manager Print paid back, with an interval from 0.83.
    names = numbers.listing(
        [f"{r.channel} ({numbers.ratio(r.roi_lower)} to {numbers.ratio(r.roi_upper)})" for r in unsure.itertuples()]
    )
    return (
        Note(
            f"The {numbers.percent(level, 0)} intervals of {names} reach below 1: the data do not say whether they "
            "returned a rupee of sales for each rupee spent; read their bars as not told apart from 1.",
            "note",
            "Above 1, or not?",
        ),
    )


def _experiment_note(roi: pd.DataFrame) -> tuple[Note, ...]:
    """Where a lift test would sharpen the answers most, in a sentence (none when no channel qualifies)."""
    names = [str(name) for name in experiment_candidates(roi)["channel"]]
    if not names:
        return ()
    return (
        Note(
            f"The sales credited to {numbers.listing(names)} are the least certain (the widest intervals in rupees). "
            "A lift study or geo holdout on one of them would sharpen these ROIs, and the recommended split, the most; "
            "bring its result in with mmm train --lift-tests (the ROI report lists them).",
            "note",
            "Where to test next.",
        ),
    )


def _curves_chart(curves: pd.DataFrame, inputs: SummaryInputs, viz: VizConfig, id: str, where: str) -> Chart:
    """A chart of ``curves`` with today's and the recommended spends marked; ``where`` names the part of the
    market in the caption (``nationally``, ``BrandA in EAST only``)."""
    today, best = plots.allocation_points(inputs.allocation)
    colors = palette.channel_colors(viz, inputs.channels)
    figure = plots.response_curves(curves, colors, today, best, viz.number_format)
    top = curves.groupby("channel")["spend"].max()
    beyond = [c for c, v in best.items() if c in top and v > top[c]]
    caption = (
        f"Weekly incremental sales (steady state) of a sustained weekly spend on each channel, {where}. Circles: "
        "today's average spend; diamonds: the recommended spend."
    )
    if beyond:
        caption += f" The recommended spend of {', '.join(beyond)} lies beyond the curve's range and is not marked."
    # Before, the marks' sales (point estimate, spends moved in step) were read against the cards' (mean over
    # the draws, each brand x region's own plan): three figures for today's mix on one page.
    caption += (
        " The curves are the model's point estimate (the mean of its fits' where it weighs several saturation forms), "
        "with the spend of each brand x region they cover moved in step; "
        "the plan's figures above are means over the model's draws of each brand x region's own spend, so the marks' "
        "sales need not add up to them."
    )
    return Chart(id, "", figure, caption, height=500)


def _curves_section(inputs: SummaryInputs, viz: VizConfig) -> Section:
    if inputs.curves is None:
        return Section("curves", "Response curves", (Note("Run 'mmm curves' to see the response curves."),))
    scope = plan_scope(inputs.allocation)
    if scope is None or not is_part(scope):
        return Section(
            "curves", "Response curves", (_curves_chart(inputs.curves, inputs, viz, "chart-curves", "nationally"),)
        )
    # Before, the spends of one brand x region's plan were marked on the national curves, as if national.
    where = scope_words(scope)
    national = plots.response_curves(
        inputs.curves, palette.channel_colors(viz, inputs.channels), {}, {}, viz.number_format
    )
    caption = (
        "Weekly incremental sales (steady state) of a sustained weekly spend on each channel, nationally (every "
        f"brand and region). The recommended plan is for {where}: "
    )
    if inputs.plan_curves is None:
        caption += "its spends are not marked on these national curves; the simulation report gives them."
        return Section("curves", "Response curves", (Chart("chart-curves", "", national, caption, height=500),))
    caption += "its spends are marked on that part's own curves below, not on these."
    part = _curves_chart(inputs.plan_curves, inputs, viz, "chart-plan-curves", where)
    charts = (
        Chart("chart-curves", "Nationally", national, caption, height=500),
        dataclasses.replace(part, title=f"{where[:1].upper()}{where[1:]}"),
    )
    return Section("curves", "Response curves", charts)


def _plan_point(plan: Mapping[str, Any]) -> tuple[float, float] | None:
    """The advice's weekly budget and expected weekly incremental sales (INR), to mark on the frontier;
    None when the file lacks either as a finite number."""
    budget, sales = numbers.finite(plan.get("weekly_budget")), numbers.finite(plan.get("expected_incremental_sales"))
    return None if budget is None or sales is None else (budget, sales)


def _frontier_section(inputs: SummaryInputs, viz: VizConfig) -> Section:
    if inputs.frontier is None:
        return Section("frontier", "Budget frontier", (Note("Run 'mmm simulate' to see the budget frontier."),))
    plan, scope = inputs.allocation or {}, frontier_scope(inputs.frontier)
    # The advice speaks for the frontier when both are of the same brand and region (or the file does not say).
    same = bool(plan) and (scope is None or scope == plan_scope(plan))
    advice = _plan_point(plan) if same else None
    figure = frontier_figure(inputs.frontier, viz.number_format, advice)
    reason = kept_reason(bool(plan.get("kept_current")), plan.get("warnings") or []) if same else None
    reason = for_managers(reason.rstrip(".")) + "." if reason is not None else None
    marked = f" {ADVICE_MARK}" if advice is not None else ""
    caption = f"{frontier_words(inputs.frontier)} {frontier_caption(reason)}{marked}"
    title = f"Budget frontier{for_part(scope)}"
    return Section("frontier", title, (Chart("chart-frontier", "", figure, caption),))


def _fit_section(inputs: SummaryInputs, viz: VizConfig) -> Section:
    if inputs.decomposition is None:
        return Section("fit", "Actual vs fitted sales", (Note("Run 'mmm train' to see the model's fit."),))
    holdout = inputs.metadata.holdout_weeks if inputs.metadata is not None else 0
    weekly = plots.national_fit(inputs.decomposition, holdout)
    caption = (
        "National weekly sales: actual (dark solid line and dots) and fitted by the model (blue dashed line). The band "
        "is the 90% prediction band: the fit plus and minus 1.645 standard deviations of the weekly residuals over "
        "the training weeks. Shaded in orange: the holdout weeks, not used for fitting."
    )
    figure = plots.fit_chart(weekly, viz.number_format, holdout)
    return Section("fit", "Actual vs fitted sales", (Chart("chart-fit", "", figure, caption),))


def _advice_forms_sentence(meta: ModelMetadata) -> tuple[str, ...]:
    """The saturation forms weighed in the advice beside the chosen one, in a sentence (none: nothing)."""
    pooled = meta.pooled_saturations
    if not pooled:
        return ()
    named = listed([f"'{form}' ({SATURATION_WORDS.get(form, form.replace('_', ' '))})" for form in pooled])
    every, span = ("both", "both") if len(pooled) == 1 else ("each", "them all")
    fits = the_count(len(pooled) + 1, "fits'")
    return (
        f"The data could not tell saturation '{meta.saturation}' from {named}: the recommended budget "
        f"split is judged under {every}, weighed equally, and the ROIs, curves and contributions on this page are "
        f"the mean of {fits}, with intervals that span {span}.",
    )


def _segment_curves_sentence(meta: ModelMetadata, allocation: Mapping[str, Any] | None) -> tuple[str, ...]:
    """How much brand x region segments saturate apart, in a sentence (none when they do not, or
    when the optimisation on the page read the fitted curves: its ``segment_curves`` is empty)."""
    differ = segment_spread_words(meta.extra.get("segment_curves") or {})
    if differ is None or (allocation is not None and allocation.get("segment_curves", None) == {}):
        return ()
    return (
        f"Brand x region segments saturate at levels of their own ({differ} beyond what their size explains): "
        "the recommended split judges each on its own curve, estimated from its own weeks and pulled toward the "
        "model's; the ROIs and curves on this page are the model's.",
    )


def _assumptions(inputs: SummaryInputs, fmt: NumberFormat) -> Section:
    meta, blocks = inputs.metadata, list[Block]()
    if meta is not None:
        carryover = CARRYOVER_WORDS.get(meta.carryover, meta.carryover.replace("_", " "))
        saturation = SATURATION_WORDS.get(meta.saturation, meta.saturation.replace("_", " "))
        blocks.append(
            Text(
                (
                    f"Data period: {meta.date_range[0]} to {meta.date_range[1]}, {meta.n_weeks} weeks, of which the last "
                    f"{meta.holdout_weeks} were held out to test the fit.",
                    f"Model form: carryover '{meta.carryover}' ({carryover}, over at most {meta.max_lag} weeks); "
                    f"saturation '{meta.saturation}' ({saturation}). Media add to the baseline sales; channels do "
                    "not interact.",
                    *_advice_forms_sentence(meta),
                    *_segment_curves_sentence(meta, inputs.allocation),
                    f"Intervals are {numbers.percent(inputs.level, 0)} intervals over parameter draws around the "
                    "fitted model; they do not cover a wrong model form.",
                    *_other_levels(inputs),
                )
            )
        )
    if inputs.cpm:
        blocks.append(
            Note(
                "The data carries exposures, not money: spend = exposures x CPM / 1000. Every spend and ROI on this "
                "page rests on these CPMs.",
                "assumption",
                "CPMs.",
            )
        )
        rows = [{"channel": c, "cpm": v} for c, v in inputs.cpm.items()]
        columns = (Column("channel", "Channel"), Column("cpm", "CPM (INR per 1,000 exposures)", "ratio"))
        blocks.append(records_table(rows, columns, fmt))
    return Section("assumptions", "Assumptions", tuple(blocks) or (Note("Run 'mmm train' first."),))


def _links(reports_dir: Path) -> Section:
    items = Markup("").join(
        Markup('<li><a href="{}">{}</a>{}</li>').format(
            name, report.label, "" if (reports_dir / name).is_file() else " (not made yet)"
        )
        for name, report in REPORTS.items()
        if name != FILE
    )
    return Section("reports", "The detailed reports", (Raw(Markup('<ul class="plain">') + items + Markup("</ul>")),))


def stale_words(stale: Sequence[str], where: str = "this page") -> str:
    """The sentence for the later steps' results left out of ``where`` because the model before the one this
    run trained made them (:func:`~mmm_analytics.reports.inputs.earlier_results`)."""
    reports = [
        report
        for report, step in (("the ROI report", "(mmm curves)"), ("the simulation report", "(mmm simulate)"))
        if any(step in words for words in stale)
    ]
    also = f" ({numbers.listing(reports)} {'is' if len(reports) == 1 else 'are'} that model's too)" if reports else ""
    return (
        f"Left out of {where}: {numbers.listing(list(stale))}, made from the model before the one trained "
        f"last{also}. Run those commands again, or 'mmm run' with every step, to see them for this model."
    )


#: A config key in brackets, ``(simulator.advice_confidence)``.
_KEY_IN_BRACKETS = re.compile(r"\s*\((?:[a-z_]+\.)+[a-z_]+\)")
#: A last clause that says which setting or option changes the advice (``; simulator.data_range: false ...
#: in model_config.yaml lets it go further``).
_SETTING_CLAUSE = re.compile(r";[^;]*(?:\.yaml|--[a-z])[^;]*$")


def eda_words(mismatch: tuple[str, str]) -> str:
    """The sentence saying the data report and the model describe different versions of one file, and what to run
    (``mismatch`` as :func:`~mmm_analytics.reports.inputs.eda_of_other_data` gives it)."""
    # Before, the page linked an EDA report of another panel without a word (mmm data, mmm eda after training).
    source, behind = mismatch
    match behind:
        case "model":
            return (
                f"The data report (eda_report.html) describes '{source}' as it is now, but the model was trained on "
                "an earlier version of it: run 'mmm features' and 'mmm train' to fit the data the report describes."
            )
        case "eda":
            return (
                f"The data report (eda_report.html) describes an earlier version of '{source}' than the model was "
                "trained on: run 'mmm eda' again to explore the model's data."
            )
        case _:
            return (
                f"The data report (eda_report.html) and the model describe different versions of '{source}', neither "
                "of them the file as it is now: run 'mmm eda', 'mmm features' and 'mmm train' again."
            )


def for_managers(line: str) -> str:
    """An optimiser line for the manager's page: without the config keys and options an analyst would
    change (the simulation report keeps them)."""
    return _SETTING_CLAUSE.sub("", _KEY_IN_BRACKETS.sub("", line)).rstrip()


def build_summary(inputs: SummaryInputs, viz: VizConfig, reports_dir: Path) -> Page:
    """The summary as a :class:`~mmm_analytics.style.page.Page`."""
    fmt = viz.number_format
    headlines: list[Block] = [headline_cards(inputs, fmt)]
    if (words := scope_note(plan_scope(inputs.allocation))) is not None:
        headlines.append(Note(words, "note", "Which part of the market."))
    headlines += [
        Note(f"{line[:1].upper()}{line[1:]}.", "warning", "Read the model with care.") for line in fit_cautions(inputs)
    ]
    if inputs.stale:
        headlines.append(Note(stale_words(inputs.stale), "warning", "Made from an earlier model."))
    if inputs.damaged:
        headlines.append(Note(" ".join(inputs.damaged), "warning", "Left out of this page: damaged files."))
    if inputs.eda_of_other_data is not None:
        headlines.append(Note(eda_words(inputs.eda_of_other_data), "warning", "The data report is of other data."))
    headlines += plan_table(inputs.allocation, fmt)
    headlines += segment_shift_tables(segment_budgets(inputs.allocation), fmt, note=segments_alone(inputs, fmt))
    if inputs.allocation and inputs.allocation.get("warnings"):
        headlines += [optimiser_note(for_managers(str(w))) for w in inputs.allocation["warnings"]]
    sections = (
        Section("headlines", "The answers", tuple(headlines)),
        _roi_section(inputs, viz),
        _curves_section(inputs, viz),
        _frontier_section(inputs, viz),
        _fit_section(inputs, viz),
        _assumptions(inputs, fmt),
        _links(reports_dir),
    )
    subtitle = "What media did for sales, and where the next rupee should go"
    return Page("Marketing mix: summary", subtitle, sections, FILE, contents=False, plotly=True)


def write_summary(
    paths: ProjectPaths,
    config: ProjectConfig,
    results: Mapping[str, Any] | None = None,
    inputs: SummaryInputs | None = None,
) -> Path:
    """Write ``outputs/reports/summary.html`` from what the run left; returns its path.

    Parameters
    ----------
    paths : ProjectPaths
        The project layout the steps wrote under.
    config : ProjectConfig
        Uses ``viz`` (colours, number format) and ``model.intervals.level``.
    results : mapping of step name to its result, optional
        The pipeline's results (``curves``, ``optimize``); files on disk are read for the rest.
    inputs : SummaryInputs, optional
        What :func:`~mmm_analytics.reports.inputs.load_inputs` read of them, when the caller has it already.
    """
    if inputs is None:
        inputs = load_inputs(paths, results, config.model.intervals.level)
    return write_page(paths.reports_dir / FILE, build_summary(inputs, config.viz, paths.reports_dir))
