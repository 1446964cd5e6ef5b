"""Constraint resolution: limits in INR or as shares of current spend, locks, infeasible requests."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator.constraints import (
    BudgetConstraints,
    ChannelLimits,
    parse_limits,
    resolve_limits,
)
from mmm_analytics.simulator.terms import Terms

CHANNELS = ("TV", "YouTube", "Radio")
CURRENT = np.array([100.0, 50.0, 25.0])


def test_fractions_and_absolute_limits_combine() -> None:
    limits = resolve_limits(
        BudgetConstraints(
            min_spend={"TV": 60.0},
            min_fraction={"TV": 0.8},
            max_fraction={"Radio": 2.0},
            max_spend={"Radio": 40.0},
            locked=("YouTube",),
        ),
        CHANNELS,
        CURRENT,
        175.0,
    )
    np.testing.assert_allclose(limits.lower, [80.0, 50.0, 0.0])
    np.testing.assert_allclose(limits.upper, [np.inf, 50.0, 40.0])
    assert limits.locked.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("constraints", "budget", "message"),
    [
        (
            BudgetConstraints(min_spend={"TV": 90.0}, max_spend={"TV": 80.0}),
            175.0,
            r"constraint on 'TV': minimum 90 INR is above maximum 80 INR",
        ),
        (
            BudgetConstraints(min_spend={"TV": 150.0, "Radio": 40.0}),
            175.0,
            r"minimum spends \(TV=150 INR, Radio=40 INR\) add up to 190 INR, above the weekly budget 175 INR",
        ),
        (BudgetConstraints(min_spend={"TV": 150.0}, locked=("YouTube",)), 175.0, r"locked YouTube=50 INR"),
        (
            BudgetConstraints(max_spend={"TV": 10.0, "YouTube": 10.0, "Radio": 10.0}),
            175.0,
            r"maximum spends .* add up to 30 INR, below the weekly budget 175 INR",
        ),
        (BudgetConstraints(min_spend={"Cinema": 1.0}), 175.0, r"unknown channel 'Cinema' in minimum"),
        (BudgetConstraints(max_spend={"TV": -1.0}), 175.0, r"maximum .* for 'TV' must be a number >= 0"),
        (BudgetConstraints(locked=("TV",), max_spend={"TV": 50.0}), 175.0, r"'TV' is locked .* outside its limits"),
        (BudgetConstraints(), -5.0, r"weekly budget must be a number >= 0"),
        (BudgetConstraints(locked=("TV", "Radio", "TV")), 175.0, r"TV is locked twice \(--lock\); give one --lock"),
        (BudgetConstraints(locked=("TV", "tv")), 175.0, r"TV is locked twice \(--lock\)"),
        (BudgetConstraints(min_spend={"TV": 1.0, "tv": 2.0}), 175.0, r"TV is given twice in minimum .*; give each"),
        (
            BudgetConstraints(min_spend={"TV": 60.0}, min_fraction={"tv": 0.1}),
            175.0,
            r"TV is given twice in the minimum limits \(--min\), as 'TV' and 'tv'; give each channel once",
        ),
        # before: "raise a maximum", though no maximum was given
        (
            BudgetConstraints(locked=("TV", "YouTube", "Radio")),
            500.0,
            r"maximum spends \(locked TV=.*, locked Radio=.*\) add up to .*; unlock a channel, lower the budget",
        ),
    ],
    ids=[
        "min-above-max",
        "mins-above-budget",
        "lock-counts",
        "maxes-below-budget",
        "unknown-channel",
        "negative-max",
        "lock-outside-limits",
        "negative-budget",
        "locked-twice",  # before, accepted as one lock
        "locked-twice-in-two-cases",
        "min-twice-in-two-cases",
        "min-in-inr-and-share-in-two-cases",  # before, the tighter of the two held, silently
        "all-locked-below-budget",
    ],
)
def test_infeasible_requests_name_the_constraint(constraints, budget, message) -> None:
    with pytest.raises(InputError, match=message):
        resolve_limits(constraints, CHANNELS, CURRENT, budget)


@pytest.mark.parametrize(
    ("constraints", "limits"),
    [
        (BudgetConstraints(locked=("TV",), min_spend={"TV": 500.0}), "at least 500 INR"),
        (BudgetConstraints(locked=("TV",), max_spend={"TV": 50.0}), "at most 50 INR"),
        (
            BudgetConstraints(locked=("TV",), min_spend={"TV": 10.0}, max_spend={"TV": 50.0}),
            "between 10 INR and 50 INR",
        ),
    ],
    ids=["only-a-minimum", "only-a-maximum", "both"],
)
def test_a_lock_outside_the_limits_says_them_in_words(constraints: BudgetConstraints, limits: str) -> None:
    """With only a minimum the line read "[5,000 INR, inf INR]": a number that is not finite."""
    with pytest.raises(InputError, match=rf"'TV' is locked .* outside its limits \({limits}\)") as raised:
        resolve_limits(constraints, CHANNELS, CURRENT, 175.0)
    assert "inf" not in str(raised.value)


def test_maxes_below_budget_allowed_with_at_most() -> None:
    limits = resolve_limits(
        BudgetConstraints(max_spend={c: 10.0 for c in CHANNELS}, at_most=True), CHANNELS, CURRENT, 175.0
    )
    assert limits.upper.sum() == 30.0


@pytest.mark.parametrize(
    ("items", "absolute", "fraction"),
    [
        (["TV=5000"], {"TV": 5000.0}, {}),
        (["TV=80%", "Radio=1,500"], {"Radio": 1500.0}, {"TV": 0.8}),
        ([], {}, {}),
        (["TV=+20%", "Radio=-20%", "Print=120%"], {}, {"TV": 1.2, "Radio": 0.8, "Print": 1.2}),
    ],
    ids=["inr", "percent-and-commas", "none", "signed-is-a-change"],
)
def test_parse_limits(items, absolute, fraction) -> None:
    assert parse_limits(items, "--min") == (absolute, fraction)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("TV", "expected CHANNEL=INR"),
        ("=5", "expected CHANNEL=INR"),
        ("TV=", "expected CHANNEL=INR"),
        ("TV=abc", "'abc' is not a number; write an amount in INR"),
        ("TV=5x", "'5x': unknown scale 'x'"),  # the amount's own reason, not a generic line
        # before, read as the spend 5,000 (a change unsaid); -1000 said only "must be 0 or more"
        ("TV=+5000", "a signed amount would be a change, and a limit takes a change in percent only (TV=+20%)"),
        ("TV=-1000", "write the weekly spend itself (TV=250000) or the change in percent"),
    ],
    ids=["no-equals", "no-channel", "no-value", "text", "scale", "signed-plus", "signed-minus"],
)
def test_parse_limits_rejects_bad_items(item: str, reason: str) -> None:
    with pytest.raises(InputError, match=rf"^--min '{re.escape(item)}': .*{re.escape(reason)}") as raised:
        parse_limits([item], "--min")
    assert str(raised.value).count("--min") == 1  # before, a signed amount's line named '--min ...' twice


@pytest.mark.parametrize("item", ["TV=Rs +5000", "TV=₹-2,000", "TV=INR +1L"])
def test_a_sign_after_a_currency_is_a_signed_amount(item: str) -> None:
    """Before, 'TV=₹+5000' was taken as the limit 5,000 (the sign after the currency went unseen)."""
    with pytest.raises(InputError, match=rf"^--max '{re.escape(item)}': a signed amount would be a change"):
        parse_limits([item], "--max")


def test_parse_limits_reads_amounts_as_people_write_them() -> None:
    assert parse_limits(["TV=2.5L", "Print=1,50,000", "Radio=80%"], "--max") == (
        {"TV": 250_000.0, "Print": 150_000.0},
        {"Radio": 0.8},
    )


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("TV=5%%", "'5%%' is not a percentage"),
        ("TV=-150%", "'-150%' cuts more than all of today's spend"),
        ("TV=nan%", "'nan%' is not a finite percentage"),
    ],
    ids=["bad-percent", "cut-too-deep", "nan-percent"],
)
def test_parse_limits_says_what_is_wrong_with_a_percentage(item: str, reason: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"--min {item!r}: {reason}")):
        parse_limits([item], "--min")


@pytest.mark.parametrize("items", [["TV=1000", "TV=90000"], ["TV=10%", "TV=1000"]], ids=["twice", "two-forms"])
def test_a_channel_limited_twice_is_an_error(items: list[str]) -> None:
    """The last of two limits on one channel was kept without a word."""
    with pytest.raises(InputError, match=r"--min 'TV=.*': TV is limited twice by --min; give one --min per channel"):
        parse_limits(items, "--min")


def test_shares_refer_to_the_reference_and_locks_to_today() -> None:
    """Shares are of the "current" column (today's mix scaled to the budget); a lock keeps today's spend."""
    reference = 2.0 * CURRENT
    limits = resolve_limits(
        BudgetConstraints(min_fraction={"TV": 0.5}, max_fraction={"Radio": 0.8}, locked=("YouTube",)),
        CHANNELS,
        CURRENT,
        350.0,
        reference,
    )
    np.testing.assert_allclose(limits.lower, [100.0, 50.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(limits.upper, [np.inf, 50.0, 40.0], rtol=1e-12)
    zero = resolve_limits(BudgetConstraints(max_fraction={"Radio": 0.8}), CHANNELS, CURRENT, 0.0, np.zeros(3))
    assert zero.upper.tolist() == [np.inf, np.inf, 0.0]  # no NaN from inf x 0


def test_a_maximum_of_zero_is_named_as_the_limit_that_holds_the_channel() -> None:
    """``--max Print=0``: the channel sits at 0, which is also the default minimum; the status names the
    user's maximum (it said "at minimum")."""
    limits = ChannelLimits(
        lower=np.array([0.0, 0.0, 10.0]), upper=np.array([0.0, 100.0, 100.0]), locked=np.zeros(3, dtype=bool)
    )
    assert limits.status(np.array([0.0, 0.0, 10.0]), budget=100.0) == ["at maximum", "at minimum", "at minimum"]
    assert limits.status(np.array([0.0, 100.0, 50.0]), budget=100.0) == ["at maximum", "at maximum", "free"]


def test_a_channel_named_in_another_case_is_the_model_s_channel() -> None:
    """Before, '--min tv=100' was an unknown channel, while the menu and lift tests took 'tv' for TV."""
    typed = resolve_limits(
        BudgetConstraints(min_spend={"tv": 60.0}, max_fraction={"RADIO": 2.0}, locked=("youtube",)),
        CHANNELS,
        CURRENT,
        175.0,
    )
    exact = resolve_limits(
        BudgetConstraints(min_spend={"TV": 60.0}, max_fraction={"Radio": 2.0}, locked=("YouTube",)),
        CHANNELS,
        CURRENT,
        175.0,
    )
    for name in ("lower", "upper", "locked"):
        np.testing.assert_array_equal(getattr(typed, name), getattr(exact, name))


def test_a_channel_matching_several_up_to_case_asks_for_one() -> None:
    with pytest.raises(
        InputError, match=r"^channel 'tv' in minimum .* matches TV, Tv up to case; write it as one of them$"
    ):
        resolve_limits(BudgetConstraints(min_spend={"tv": 1.0}), ("TV", "Tv"), np.array([1.0, 1.0]), 2.0)


def test_an_infeasible_budget_offers_only_the_remedies_the_caller_has() -> None:
    """Before, a budget beyond the maximums asked for ``--at-most`` where there is none (the menu), and
    minimums above the budget asked to unlock a channel when none was locked."""
    menu = Terms(at_most=None)
    caps = BudgetConstraints(max_spend={"TV": 10.0, "YouTube": 10.0, "Radio": 10.0})
    with pytest.raises(InputError) as caught:
        resolve_limits(caps, CHANNELS, CURRENT, 175.0, terms=menu)
    assert str(caught.value).endswith("below the weekly budget 175 INR; raise a maximum or lower the budget")
    with pytest.raises(
        InputError, match=re.escape("raise a maximum, lower the budget or allow spending less (at_most / --at-most)")
    ):
        resolve_limits(caps, CHANNELS, CURRENT, 175.0)
    floors = BudgetConstraints(min_spend={"TV": 200.0})
    with pytest.raises(InputError) as caught:
        resolve_limits(floors, CHANNELS, CURRENT, 175.0, terms=menu)
    assert str(caught.value).endswith("above the weekly budget 175 INR; lower a minimum or raise the budget")
    locked = BudgetConstraints(min_spend={"TV": 150.0}, locked=("YouTube",))
    with pytest.raises(InputError, match="lower a minimum, unlock a channel or raise the budget"):
        resolve_limits(locked, CHANNELS, CURRENT, 175.0)


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [(NumberFormat.INDIAN, "12,00,000"), (NumberFormat.WESTERN, "1,200,000")],
    ids=["indian", "western"],
)
def test_the_messages_group_amounts_in_the_format_given(fmt: NumberFormat, shown: str) -> None:
    """Before, they read 1,200,000 INR whatever the project's number_format."""
    floors = BudgetConstraints(min_spend={"TV": 1_200_000.0})
    expected = f"minimum spends (TV={shown} INR) add up to {shown} INR, above the weekly budget 175 INR"
    with pytest.raises(InputError, match=re.escape(expected)):
        resolve_limits(floors, CHANNELS, CURRENT, 175.0, fmt=fmt)


def test_a_minimum_just_above_the_budget_reads_above_it() -> None:
    """Before: "add up to 13,324 INR, above the weekly budget 13,324 INR" (the budget was 13,323.70 INR)."""
    floors = BudgetConstraints(min_spend={"TV": 13_324.0})
    expected = "add up to 13,324.00 INR, above the weekly budget 13,323.70 INR"
    with pytest.raises(InputError, match=re.escape(expected)):
        resolve_limits(floors, CHANNELS, CURRENT, 13_323.7)
