"""Comma-separated option values: one reader for --seeds, --settings, --scale, --steps and --skip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.errors import InputError
from mmm_analytics.utils.options import comma_list


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8, unique=True))
def test_distinct_items_come_back_in_order(seeds: list[int]) -> None:
    text = " , ".join(str(seed) for seed in seeds)
    assert comma_list(text, "--seeds", "1,2,3", int, "seed") == seeds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--seeds names no seed; give e.g. --seeds 1,2,3"),
        (" , ", "--seeds names no seed"),
        ("1,,2", "--seeds: '1,,2' has an empty item"),
        ("1,2,", "--seeds: '1,2,' has an empty item"),
        ("1,two", "--seeds: could not read '1,two'; give a comma-separated list, e.g. 1,2,3"),
        ("3,1,3", "--seeds: seed 3 is given twice; name each once"),
    ],
)
def test_a_list_that_cannot_be_meant_is_refused_naming_the_option(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        comma_list(text, "--seeds", "1,2,3", int, "seed")
    assert str(error.value).startswith(message)
