"""The advice's weekly budget against today's spend, in words."""

from __future__ import annotations

import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.reports.budget import against_today, baseline_words, budget_change, budget_words, change_note

PLAN = {
    "weekly_budget": 150_000.0,
    "today_weekly_spend": 100_000.0,
    "expected_incremental_sales": 500_000.0,
    "today_incremental_sales": 400_000.0,
}


@pytest.mark.parametrize(
    ("plan", "change", "words"),
    [
        (PLAN, 0.5, "a weekly budget of INR 1,50,000, 50% above today's INR 1,00,000"),
        (PLAN | {"weekly_budget": 80_000.0}, -0.2, "a weekly budget of INR 80,000, 20% below today's INR 1,00,000"),
        (
            PLAN | {"weekly_budget": 100_400.0},
            0.004,
            "a weekly budget of INR 1,00,400, 0.4% above today's INR 1,00,000",
        ),
        (PLAN | {"weekly_budget": 100_000.0}, 0.0, "the same weekly budget as today, INR 1,00,000"),
        ({"weekly_budget": 150_000.0}, None, "a weekly budget of INR 1,50,000"),  # written before the key
        (PLAN | {"today_weekly_spend": 0.0}, None, "a weekly budget of INR 1,50,000"),
    ],
    ids=["grown", "cut", "a-little", "same", "not-given", "no-spend-today"],
)
def test_the_budget_is_named_against_today_s(plan: dict, change: float | None, words: str) -> None:
    assert budget_change(plan) == (None if change is None else pytest.approx(change, rel=1e-9))
    assert budget_words(plan, NumberFormat.INDIAN) == words
    assert (baseline_words(plan) == "today's mix") == (change == 0.0)
    assert (change_note(plan) == "") == (not change)


def test_against_today_s_mix_as_it_is_the_extra_sales_beside_the_extra_spend() -> None:
    assert against_today(PLAN, NumberFormat.INDIAN) == (
        "against today's mix as it is (INR 4 L a week of incremental sales), the plan brings INR 1 L more a week "
        "for INR 50,000 more spend a week"
    )
    cut = PLAN | {"weekly_budget": 80_000.0, "expected_incremental_sales": 350_000.0}
    assert "INR 50,000 less a week for INR 20,000 less spend a week" in against_today(cut, NumberFormat.INDIAN)
    assert against_today(PLAN | {"weekly_budget": 100_000.0}, NumberFormat.INDIAN) == ""
    assert against_today({k: v for k, v in PLAN.items() if k != "today_incremental_sales"}, NumberFormat.INDIAN) == ""
