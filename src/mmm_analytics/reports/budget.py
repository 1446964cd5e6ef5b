"""The advice's weekly budget against today's spend, in words.

``mmm optimize --budget 150%`` advises on a budget other than today's: its ``current_allocation`` is
today's mix scaled to that budget (what the uplift is measured over), while ``today_weekly_spend``,
``today_allocation`` and ``today_incremental_sales`` are today's mix as it is, what the manager does now.
A file written before those keys were added does not say how the budget compares with today's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers
from mmm_analytics.utils.amounts import same_budget


def budget_change(plan: Mapping[str, Any]) -> float | None:
    """The advice's weekly budget as a change of today's weekly spend (0.5: 50% above, 0 the same),
    None when the plan does not give today's spend."""
    today, budget = numbers.finite(plan.get("today_weekly_spend")), numbers.finite(plan.get("weekly_budget"))
    if today is None or budget is None or today <= 0:
        return None
    return 0.0 if same_budget(budget, today) else budget / today - 1.0


def change_note(plan: Mapping[str, Any]) -> str:
    """The sentence saying the channels' changes are from today's mix as it is and by how much the budget
    differs from today's; "" at today's budget or when the plan does not give today's spend."""
    change = budget_change(plan)
    if not change:
        return ""
    return f"Changes are from today's mix as it is, on a budget {budget_against_today(change)}."


def change_share(change: float) -> str:
    """The size of a budget change, ``50%``, or ``0.4%`` for one that rounds to no whole percent."""
    shown = numbers.percent(abs(change), 0)
    return numbers.percent(abs(change), 1) if shown == "0%" else shown


def budget_against_today(change: float) -> str:
    """``50% above today's``, ``0.4% below today's`` (``change`` as :func:`budget_change` gives it, not 0)."""
    return f"{change_share(change)} {'above' if change > 0 else 'below'} today's"


def budget_words(plan: Mapping[str, Any], fmt: NumberFormat) -> str:
    """``the same weekly budget as today, INR 2,53,056``; ``a weekly budget of INR 3,79,584, 50% above
    today's INR 2,53,056``; ``a weekly budget of INR 2,53,056`` when today's spend is not given."""
    budget = numbers.money(plan.get("weekly_budget"), fmt)
    change = budget_change(plan)
    if change is None:
        return f"a weekly budget of {budget}"
    if change == 0.0:
        return f"the same weekly budget as today, {budget}"
    today = numbers.money(plan.get("today_weekly_spend"), fmt)
    return f"a weekly budget of {budget}, {budget_against_today(change)} {today}"


def baseline_words(plan: Mapping[str, Any]) -> str:
    """What the uplift is measured over: ``today's mix`` at today's budget, else ``today's mix scaled to
    the budget`` (also when the plan does not say, as it then may be)."""
    return "today's mix" if budget_change(plan) == 0.0 else "today's mix scaled to the budget"


def against_today(plan: Mapping[str, Any], fmt: NumberFormat) -> str:
    """For a budget other than today's: what the plan brings against today's mix as it is, the extra (or
    lost) sales beside the extra (or saved) spend, in a clause; "" at today's budget or when not given."""
    change = budget_change(plan)
    today_sales = numbers.finite(plan.get("today_incremental_sales"))
    if not change or today_sales is None:
        return ""
    sales = float(plan["expected_incremental_sales"]) - today_sales
    spend = float(plan["weekly_budget"]) - float(plan["today_weekly_spend"])
    return (
        f"against today's mix as it is ({numbers.compact_money(today_sales, fmt)} a week of incremental sales), the "
        "plan brings "
        f"{numbers.compact_money(abs(sales), fmt)} {'more' if sales >= 0 else 'less'} a week for "
        f"{numbers.compact_money(abs(spend), fmt)} {'more' if spend > 0 else 'less'} spend a week"
    )
