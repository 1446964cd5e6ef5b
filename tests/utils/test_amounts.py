"""Amounts typed by a person: separators, a trailing INR and scale words read the same everywhere."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style.numbers import grouped
from mmm_analytics.utils.amounts import SCALES, parse_inr, same_budget


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("125000", 125_000.0),
        ("1,25,000", 125_000.0),
        ("125,000", 125_000.0),
        ("2.5e5", 250_000.0),
        (" 150000 INR ", 150_000.0),
        ("1_000", 1_000.0),
        ("10k", 10_000.0),
        ("7 K", 7_000.0),
        ("2.5L", 250_000.0),
        ("10 lakh", 1_000_000.0),
        ("1.2 Cr", 12_000_000.0),
        ("3 crore INR", 30_000_000.0),
        ("3M", 3_000_000.0),
        ("-5", -5.0),
        ("1,250,000", 1_250_000.0),
        ("12,50,000", 1_250_000.0),
        ("INR 150000", 150_000.0),
        ("₹5L", 500_000.0),
        ("Rs. 1.5Cr", 15_000_000.0),
        ("5 lac", 500_000.0),
        ("150000INR", 150_000.0),
        (".5k", 500.0),
    ],
)
def test_amounts_as_people_write_them(text: str, value: float) -> None:
    assert parse_inr(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("lots", "'lots' is not a number"),
        ("", "'' is not a number"),
        ("INR", "'INR' is not a number"),
        ("10x", "'10x': unknown scale 'x'"),
        ("1e", "'1e' is not a number"),
        ("inf", "'inf' is not a finite number"),
        ("nan", "'nan' is not a finite number"),
        ("1e308k", "'1e308k' is not a finite number"),
        ("1,5L", "'1,5L' is not a number"),  # a decimal comma would be a silent 10x
        ("1,,,5", "'1,,,5' is not a number"),
        ("1,50", "'1,50' is not a number"),
        ("1234,567", "'1234,567' is not a number"),
        ("1 2", "'1 2' is not a number"),  # two numbers typed are not glued into one
    ],
)
def test_what_is_not_an_amount_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="^" + reason.replace("(", r"\(")):
        parse_inr(text)


@given(value=st.floats(0, 1e12, allow_nan=False), fmt=st.sampled_from(list(NumberFormat)))
def test_a_grouped_amount_reads_back(value: float, fmt: NumberFormat) -> None:
    """Whatever the reports print (grouped either way, 2 decimals) reads back to the same rupees."""
    assert parse_inr(grouped(value, fmt, 2)) == pytest.approx(round(value, 2), rel=1e-12, abs=1e-9)


@given(number=st.floats(0, 1e6, allow_nan=False), scale=st.sampled_from(sorted(SCALES)))
def test_a_scale_word_multiplies_in_any_case(number: float, scale: str) -> None:
    for written in (f"{number!r}{scale}", f"{number!r} {scale.upper()}"):
        value = parse_inr(written)
        assert math.isclose(value, number * SCALES[scale], rel_tol=1e-12)


@pytest.mark.parametrize(
    ("budget", "today", "same"),
    [
        (100_000.0, 100_000.0, True),
        (100_000.0 * (1 + 5e-10), 100_000.0, True),  # a budget typed as today's, rounded on the way
        (100_000.0 * (1 + 1e-6), 100_000.0, False),  # 10 paise a week more: a budget of its own
        (0.5 + 5e-10, 0.5, True),  # below 1 INR the tolerance is 1e-9 INR
        (0.5 + 1e-8, 0.5, False),
        (0.0, 0.0, True),
    ],
)
def test_same_budget_is_today_s_within_a_billionth(budget: float, today: float, same: bool) -> None:
    assert same_budget(budget, today) is same
    assert same_budget(today, budget) is same  # symmetric for budgets this close


@given(st.floats(1.0, 1e12), st.floats(-1e-6, 1e-6))
def test_the_advice_and_the_reports_agree_on_a_same_budget(today: float, change: float) -> None:
    """The optimiser (``current_is_scaled``) and the reports (``budget_change``) read one rule: before,
    each had its own test, 1e-9 relative in one and 1e-9 of max(today, 1 INR) in the other."""
    from mmm_analytics.reports.budget import budget_change

    budget = today * (1.0 + change)
    reported = budget_change({"weekly_budget": budget, "today_weekly_spend": today})
    assert (reported == 0.0) is same_budget(budget, today)
