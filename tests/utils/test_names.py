"""Names typed by a user matched to the data's: as written, in another Unicode spelling, up to case."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.errors import InputError
from mmm_analytics.utils.names import case_twins, composed, matching_names, one_name

NAMES = ["Caf\u00e9", "CAF\u00c9", "NORTH", "Mumbai"]


def test_as_written_wins_over_a_match_up_to_case() -> None:
    assert matching_names("CAF\u00c9", NAMES) == ["CAF\u00c9"]
    assert matching_names("Mumbai", NAMES) == ["Mumbai"]


def test_a_decomposed_spelling_is_the_composed_name() -> None:
    assert matching_names("Cafe\u0301", NAMES) == ["Caf\u00e9"]
    assert matching_names("CAFE\u0301", NAMES) == ["CAF\u00c9"]


def test_a_name_stored_decomposed_is_found_by_its_composed_spelling() -> None:
    assert matching_names("Caf\u00e9", ["Cafe\u0301", "Tea"]) == ["Cafe\u0301"]


def test_case_alone_gives_every_name_it_could_be() -> None:
    assert matching_names("north", NAMES) == ["NORTH"]
    assert matching_names("caf\u00e9", NAMES) == ["Caf\u00e9", "CAF\u00c9"]
    assert matching_names("Cafe", NAMES) == []
    assert matching_names("", NAMES) == []


@given(st.text(min_size=1, max_size=12), st.lists(st.text(max_size=12), max_size=5))
def test_any_spelling_of_a_name_finds_it(name: str, others: list[str]) -> None:
    """NFC and NFD spellings of the same text always find a name, and only names equal to it up to case."""
    names = [*others, composed(name)]
    for spelling in (unicodedata.normalize("NFD", name), composed(name), name):
        found = matching_names(spelling, names)
        assert found and all(composed(f).casefold() == composed(name).casefold() for f in found)


def test_case_twins_are_grouped_in_the_order_seen() -> None:
    names = ["North", "SOUTH", "NORTH", "Cafe\u0301", "North", "CAF\u00c9", "East"]
    assert case_twins(names) == [["North", "NORTH"], ["Cafe\u0301", "CAF\u00c9"]]
    assert case_twins(["A", "B"]) == []


def test_one_name_says_which_names_clash_or_that_none_matches() -> None:
    assert one_name(" north ", NAMES, "region", "choose one") == "NORTH"
    with pytest.raises(
        InputError, match=r"^region 'caf\u00e9' matches Caf\u00e9, CAF\u00c9 up to case; write it as one of them$"
    ):
        one_name("caf\u00e9", NAMES, "region", "choose one")
    with pytest.raises(InputError, match=r"^unknown region 'West' in a file; choose one$"):
        one_name("West", NAMES, "region", "choose one", where=" in a file")


@pytest.mark.parametrize("text", ["all", " ALL ", "All"])
def test_the_word_for_every_name_stands_for_itself(text: str) -> None:
    assert one_name(text, ["North", "South"], "region", "choose one", every="all") == "all"
    with pytest.raises(InputError, match="unknown region"):
        one_name(text, ["North", "South"], "region", "choose one")


def test_a_name_that_is_the_word_for_every_name_is_still_found_without_it() -> None:
    assert one_name("north", ["North", "South"], "region", "choose one", every="all") == "North"
