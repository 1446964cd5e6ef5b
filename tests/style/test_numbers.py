"""One number format: Indian or Western grouping, money, shares as percentages, whole counts, n/a."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers
from mmm_analytics.utils.words import numbered

INDIAN, WESTERN = NumberFormat.INDIAN, NumberFormat.WESTERN


@pytest.mark.parametrize(
    ("value", "indian", "western"),
    [
        (0.0, "0", "0"),
        (999.0, "999", "999"),
        (1234.0, "1,234", "1,234"),
        (123456.0, "1,23,456", "123,456"),
        (12345678.0, "1,23,45,678", "12,345,678"),
        (-98765432.4, "-9,87,65,432", "-98,765,432"),
        (np.float64(1e9), "1,00,00,00,000", "1,000,000,000"),
    ],
    ids=["zero", "hundreds", "thousands", "lakh", "crore", "negative", "numpy"],
)
def test_grouping(value: float, indian: str, western: str) -> None:
    assert numbers.grouped(value, INDIAN) == indian
    assert numbers.grouped(value, WESTERN) == western


@pytest.mark.parametrize(
    ("value", "indian", "western"),
    [
        (1234567.0, "+12,34,567", "+1,234,567"),
        (-1234567.0, "-12,34,567", "-1,234,567"),
        (0.0, "+0", "+0"),
        (-0.4, "+0", "+0"),
    ],
    ids=["gain", "loss", "zero", "rounds_to_zero"],
)
def test_signed_grouping_shows_the_sign_and_never_minus_zero(value: float, indian: str, western: str) -> None:
    assert numbers.grouped(value, INDIAN, signed=True) == indian
    assert numbers.grouped(value, WESTERN, signed=True) == western
    assert numbers.grouped(math.nan, INDIAN, signed=True) == numbers.MISSING


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, "text"], ids=str)
def test_missing_values_read_n_a(value: object) -> None:
    for show in (numbers.grouped, numbers.count, numbers.money, numbers.compact, numbers.percent, numbers.ratio):
        assert show(value) == numbers.MISSING


def test_money_compact_percent_count_and_ratio() -> None:
    assert numbers.money(1234567.8) == "INR 12,34,568"
    assert numbers.money(1234567.8, WESTERN, 2) == "INR 1,234,567.80"
    assert [numbers.compact(v) for v in (950, 23456, 234567, 12345678)] == ["950", "23,456", "2.35 L", "1.23 Cr"]
    assert [numbers.compact(v, WESTERN) for v in (23456, 2345678, 1.2e9)] == ["23.5K", "2.35M", "1.2B"]
    assert numbers.compact_money(12345678) == "INR 1.23 Cr"
    assert numbers.percent(0.261) == "26.1%" and numbers.percent(0.05, signed=True) == "+5.0%"
    assert numbers.percent(-0.00001) == "0.0%" and numbers.ratio(-0.0001) == "0.00"  # no negative zero
    assert numbers.count(11232.0) == "11,232" and numbers.count(1234567, WESTERN) == "1,234,567"
    assert numbers.interval(1.5, 2.25) == "1.50 to 2.25" and numbers.interval(None, 2.0) == numbers.MISSING


def test_an_indian_amount_below_a_lakh_is_written_out() -> None:
    """Before, "26.7K" stood beside "5.28 L" on the summary, and an axis read "20K 40K" beside lakh ones."""
    assert [numbers.compact(v) for v in (26718.4, -99_940.0, 1000.0)] == ["26,718", "-99,940", "1,000"]
    assert numbers.compact_money(17786.2) == "INR 17,786"
    assert numbers.nice_ticks(0.0, 80_000.0, INDIAN)[1] == ["0", "20,000", "40,000", "60,000", "80,000"]


@pytest.mark.parametrize(
    ("value", "indian", "western"),
    [
        (999.6, "1,000", "1K"),
        (99_950, "1 L", "100K"),
        (9_995_000, "1 Cr", "9.99M"),
        (999_999_999, "100 Cr", "1B"),
        (-99_950, "-1 L", "-100K"),
        (1e12, "1,00,000 Cr", "1,000B"),
    ],
)
def test_a_compact_amount_that_rounds_up_to_the_next_unit_takes_it(value: float, indian: str, western: str) -> None:
    """999,500 read "1e+03K" and 99,950 "100K" beside "1 L": the unit was chosen before the rounding."""
    assert (numbers.compact(value), numbers.compact(value, WESTERN)) == (indian, western)
    # an axis too: its unit was chosen from the unrounded largest tick ("1,000K" beside a compact "1M")
    assert numbers.tick_labels([0.0, value], INDIAN)[-1] == indian
    assert numbers.tick_labels([0.0, value], WESTERN)[-1] == western


@pytest.mark.parametrize(("value", "text"), [(1.234e-5, "0.0000123"), (-4.5e-7, "-0.00000045"), (2.5e-3, "0.0025")])
def test_a_tiny_amount_is_never_in_exponent_form(value: float, text: str) -> None:
    assert numbers.compact(value) == text


@pytest.mark.parametrize(
    ("low", "high", "fmt", "labels"),
    [
        (0.0, 567628.0, INDIAN, ["0", "2 L", "4 L", "6 L"]),
        (-77433.0, 30000.0, WESTERN, ["-100K", "-75K", "-50K", "-25K", "0", "25K", "50K"]),
        (0.0, 0.0, INDIAN, ["0"]),
        # one unit on an axis: before, "0, 50K, 1 L, 1.5 L"
        (0.0, 150000.0, INDIAN, ["0", "0.5 L", "1 L", "1.5 L"]),
        (0.0, 1.3e6, WESTERN, ["0", "0.5M", "1M", "1.5M"]),
        (0.0, 800.0, INDIAN, ["0", "200", "400", "600", "800"]),
    ],
    ids=["indian", "negative_western", "empty", "lakh_axis", "million_axis", "small"],
)
def test_nice_ticks_cover_the_values(low: float, high: float, fmt: NumberFormat, labels: list[str]) -> None:
    values, texts = numbers.nice_ticks(low, high, fmt)
    assert texts == labels
    assert values[0] <= min(low, 0.0) and values[-1] >= high


def test_axis_formatter_follows_the_format_in_one_unit_an_axis() -> None:
    """Before, each tick in its own unit: "0, 50K, 1 L" on one axis."""
    assert numbers.axis_formatter(INDIAN)(2.5e7, 0) == "2.5 Cr"
    assert numbers.axis_formatter(WESTERN)(2.5e7, 0) == "25M"
    formatter = numbers.axis_formatter(INDIAN)
    assert formatter.format_ticks([0.0, 50_000.0, 100_000.0, 150_000.0]) == ["0", "0.5 L", "1 L", "1.5 L"]


def test_message_amounts_are_whole_rupees_until_huge() -> None:
    """One formatter for the amounts in one-line messages (the simulator's limits, the lift-test checks)."""
    assert numbers.message_inr(1234567.4) == "12,34,567 INR"
    assert numbers.message_inr(-2500.0) == "-2,500 INR"
    assert numbers.message_inr(1e20) == "1e+20 INR"


@pytest.mark.parametrize(
    ("fmt", "shown"), [(INDIAN, "12,34,567 INR"), (WESTERN, "1,234,567 INR")], ids=["indian", "western"]
)
def test_message_amounts_are_grouped_in_the_format_given(fmt: NumberFormat, shown: str) -> None:
    """Before, a message read 1,234,567 INR whatever the project's number_format."""
    assert numbers.message_inr(1234567.4, fmt) == shown
    assert numbers.message_inr(12.5, fmt) == "12.50 INR" and numbers.message_inr(-2500.0, fmt) == "-2,500 INR"


def test_message_amounts_below_100_inr_keep_their_paise() -> None:
    """``--min TV=0.5 --max TV=0.4`` said "minimum 0 INR is above maximum 0 INR"."""
    assert numbers.message_inr(0.5) == "0.50 INR"
    assert numbers.message_inr(0.4) == "0.40 INR"
    assert numbers.message_inr(40.0) == "40 INR"
    assert numbers.message_inr(0.0) == "0 INR"


@pytest.mark.parametrize(
    "names, text", [([], ""), (["TV"], "TV"), (["TV", "Radio"], "TV and Radio"), (["A", "B", "C"], "A, B and C")]
)
def test_listing_joins_names_as_a_sentence_does(names: list[str], text: str) -> None:
    assert numbers.listing(names) == text


def test_an_axis_off_zero_is_labelled_in_one_unit_too() -> None:
    """The national-sales axis (zero=False) still read 75 L, 85 L, 95 L, 1.05 Cr, 1.15 Cr."""
    from mmm_analytics.style.charts import money_axis

    axis = money_axis([9.2e6, 1.15e7], INDIAN, zero=False)
    assert all(text.endswith(" Cr") for text in axis["ticktext"]) and len(set(axis["ticktext"])) == len(
        axis["ticktext"]
    )


def test_a_count_takes_its_noun_in_the_number_it_needs() -> None:
    """Before, "flagged 1 rows" and "a lag of 1 week(s)"."""
    assert numbers.counted(1, "row") == "1 row" and numbers.counted(0, "row") == "0 rows"
    assert numbers.counted(123456, "week") == "1,23,456 weeks"
    assert numbers.counted(1234, "week", NumberFormat.WESTERN) == "1,234 weeks"
    assert numbers.counted(2, "series", plural="series") == "2 series"


def test_counted_is_the_number_then_the_word_numbered_gives() -> None:
    for n in (0, 1, 7):
        assert numbers.counted(n, "value") == f"{n} {numbered(n, 'value')}"


@pytest.mark.parametrize(
    ("largest", "fmt", "unit"),
    [
        (4.5e9, NumberFormat.INDIAN, (1e7, "INR crore")),
        (4.5e6, NumberFormat.INDIAN, (1e5, "INR lakh")),
        (4.5e9, NumberFormat.WESTERN, (1e9, "INR billions")),
        (4.5e7, NumberFormat.WESTERN, (1e6, "INR millions")),
        (-2.0e4, NumberFormat.WESTERN, (1e3, "INR thousands")),
        (999.0, NumberFormat.INDIAN, (1.0, "INR")),
        (float("nan"), NumberFormat.INDIAN, (1.0, "INR")),
    ],
    ids=["crore", "lakh", "billions", "millions", "negative", "under-a-thousand", "missing"],
)
def test_amounts_in_one_unit_name_it_in_the_number_format(largest: float, fmt: NumberFormat, unit: tuple) -> None:
    assert numbers.unit_of(largest, fmt) == unit


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (0.996, "99.6%"),
        (0.9996, "over 99.9%"),
        (0.003, "0.3%"),
        (0.0004, "under 0.1%"),
        (1.0, "100%"),
        (0.0, "0%"),
        (0.62, "62%"),
        (float("nan"), "n/a"),
    ],
)
def test_a_chance_reads_certain_only_when_it_is(share: float, shown: str) -> None:
    """Before, P(beats today) = 0.996 read "100% of draws", a certainty the draws do not give."""
    assert numbers.chance(share) == shown


def test_a_share_of_rows_reads_0_only_when_it_is() -> None:
    """The EDA said the cleaning step flagged "1 row (0.0%)" of 11,232."""
    assert numbers.share_of_rows(1 / 11_232) == "under 0.1%"
    assert numbers.share_of_rows(0.0) == "0.0%" and numbers.share_of_rows(0.0123) == "1.2%"
    assert numbers.share_of_rows(0.0005) == "0.1%" and numbers.share_of_rows(None) == numbers.MISSING


def test_ticks_of_a_narrow_axis_never_read_alike() -> None:
    """A distribution scatter's axis read "1.22 L, 1.22 L, 1.22 L, 1.21 L, 1.21 L"."""
    values = [121_000.0, 121_250.0, 121_500.0, 121_750.0, 122_000.0]
    assert numbers.tick_labels(values, INDIAN) == ["1.21 L", "1.2125 L", "1.215 L", "1.2175 L", "1.22 L"]
    assert numbers.tick_labels([100.1, 100.2, 100.3], INDIAN) == ["100.1", "100.2", "100.3"]
    assert numbers.tick_labels([0.0, 50_000.0, 100_000.0], INDIAN) == ["0", "0.5 L", "1 L"]  # as before


def test_two_different_amounts_in_one_message_never_read_the_same() -> None:
    """``--min TV=13324`` at a budget of 13,323.70 INR read "add up to 13,324 INR, above the weekly budget 13,324 INR"."""
    assert numbers.message_inr_apart(13_324.0, 13_323.7) == ("13,324.00 INR", "13,323.70 INR")
    assert numbers.message_inr_apart(13_324.0, 13_000.0) == ("13,324 INR", "13,000 INR")
    assert numbers.message_inr_apart(1_234_567.4, 1_234_567.2, WESTERN) == ("1,234,567.40 INR", "1,234,567.20 INR")
    assert numbers.message_inr_apart(5.0, 5.0) == ("5 INR", "5 INR")
    # the texts differ but the amounts shown do not: 100.00 and 100
    assert numbers.message_inr_apart(99.999, 100.001) == ("99.999 INR", "100.001 INR")
    assert numbers.message_inr_apart(1_000_000.004, 1e6) == ("10,00,000.004 INR", "10,00,000.000 INR")
    assert numbers.message_inr_apart(-13_324.0, -13_323.7) == ("-13,324.00 INR", "-13,323.70 INR")
