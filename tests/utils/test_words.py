"""The form a word takes in a message, and lists in words."""

from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.utils.words import listed, numbered, the_count


def test_numbered_is_the_word_without_the_number() -> None:
    assert [numbered(n, "channel") for n in (0, 1, 2)] == ["channels", "channel", "channels"]
    assert numbered(1, "is", "are") == "is" and numbered(3, "is", "are") == "are"


def test_listed_joins_the_last_item_with_and() -> None:
    assert [listed(items) for items in ([], ["hill"], ["hill", "logistic"], ["a", "b", "c"])] == [
        "",
        "hill",
        "hill and logistic",
        "a, b and c",
    ]


@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=5), max_size=6))
def test_listed_keeps_every_item_in_order(items: list[str]) -> None:
    text = listed(items)
    assert text.count(" and ") == (len(items) > 1) and text.count(", ") == max(len(items) - 2, 0)
    assert text.replace(" and ", ", ").split(", ") == (items or [""])


def test_the_count_spells_two_and_gives_other_counts_in_digits() -> None:
    assert the_count(2, "fits") == "the two fits" and the_count(3, "saturation forms") == "the 3 saturation forms"
