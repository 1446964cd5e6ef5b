"""A percentage of today's spend: signed a change, unsigned a share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.utils.percent import share_of_current, typed_spend


@pytest.mark.parametrize(
    ("text", "multiple"),
    [("+20%", 1.2), ("-10%", 0.9), ("80%", 0.8), ("120%", 1.2), (" 1,000 % ", 10.0), ("-100%", 0.0), ("0%", 0.0)],
)
def test_signed_is_a_change_and_unsigned_a_share(text: str, multiple: float) -> None:
    assert share_of_current(text) == pytest.approx(multiple, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("80", "is not a percentage"),
        ("lots%", "is not a percentage"),
        ("nan%", "is not a finite percentage"),
        ("+inf%", "is not a finite percentage"),
        ("-150%", "cuts more than all of today's spend"),
        # before, '--max TV=1e308%' overflowed (a numpy warning) and a minimum read 'TV=inf INR'
        ("+1e308%", r"is more than 10,000 times today's spend; 1,000,000% \(or \+999,900%\) is the most"),
        ("1000001%", "is more than 10,000 times today's spend"),
        ("+1000000%", "is more than 10,000 times today's spend"),  # a change: 10,001 times
    ],
)
def test_what_is_not_a_percentage_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        share_of_current(text)


@given(st.floats(min_value=-100, max_value=999_900, allow_nan=False))
def test_a_change_and_the_share_it_makes_agree(percent: float) -> None:
    """``+p%`` and ``(100 + p)%`` stand for the same spend (to rounding of the text)."""
    change = share_of_current(f"{percent:+.6f}%")
    share = share_of_current(f"{100 + percent:.6f}%")
    assert change >= 0 and change == pytest.approx(share, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "spend"),
    [("+5000", 9260.0), ("-2,000", 2260.0), ("+1.5k", 5760.0), ("5000", 5000.0), ("+20%", 5112.0), ("80%", 3408.0)],
)
def test_a_signed_amount_is_a_change_and_an_unsigned_one_the_spend(text: str, spend: float) -> None:
    """Today's spend 4,260 INR; before, '+5000' in a scenario or the menu was read as the spend 5,000."""
    assert typed_spend(text, 4260.0) == pytest.approx(spend, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5000", r"cuts more than today's spend of 4,260 INR; -100% is the most \(no spend\)"),
        ("lots", "is not a number"),
        ("-0", "is a change of nothing; write 0 for no spend"),  # before, '-0' kept today's spend
        ("+0.0", "is a change of nothing"),
    ],
)
def test_a_typed_spend_that_is_not_one_says_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        typed_spend(text, 4260.0)


@pytest.mark.parametrize(("text", "spend"), [("Rs +5000", 9259.647), ("₹+5000", 9259.647), ("INR -2000", 2259.647)])
def test_a_sign_after_a_currency_is_a_change(text: str, spend: float) -> None:
    """Before, 'Rs +5000' set the spend to 5,000 and 'INR -2000' was refused as a negative spend."""
    assert typed_spend(text, 4259.647) == pytest.approx(spend, rel=1e-12)


def test_a_cut_of_all_of_today_s_spend_as_shown_is_no_spend() -> None:
    """Today's 4,259.647 INR is shown as 4,260: a cut of '-4,260' (before, refused with '-4,260 is the
    most', the very figure typed) is no spend; one rupee more is refused."""
    assert typed_spend("-4,260", 4259.647) == 0.0
    with pytest.raises(ValueError, match="cuts more than today's spend"):
        typed_spend("-4,261", 4259.647)


@given(st.floats(0, 1e9), st.floats(0.01, 1e9))
def test_a_signed_change_adds_to_today_s_spend(current: float, change: float) -> None:
    assert typed_spend(f"+{change!r}", current) == pytest.approx(current + change, rel=1e-12)


@pytest.mark.parametrize(
    ("fmt", "shown"), [(NumberFormat.INDIAN, "12,34,567 INR"), (NumberFormat.WESTERN, "1,234,567 INR")]
)
def test_messages_group_today_s_spend_in_the_report_format(fmt: NumberFormat, shown: str) -> None:
    """Before, the message was grouped the Western way beside prompts in the configured format."""
    with pytest.raises(ValueError, match=f"cuts more than today's spend of {shown};"):
        typed_spend("-2,000,000", 1_234_567.0, fmt)
