"""Which part of the market each figure of the summary covers, in words."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.reports.scope import for_part, frontier_words, plan_scope, scope_note, scope_words


@pytest.mark.parametrize(
    ("allocation", "scope", "heading"),
    [
        ({"brand": "BrandA", "region": "EAST"}, ("BrandA", "EAST"), " (BrandA in EAST only)"),
        ({"brand": "BrandA", "region": "all"}, ("BrandA", "all"), " (BrandA only)"),
        ({"brand": "all", "region": "all"}, ("all", "all"), ""),
        ({"weekly_budget": 1.0}, ("all", "all"), ""),  # a file without the keys is national
        (None, None, ""),
    ],
    ids=["segment", "brand", "national", "no-keys", "no-advice"],
)
def test_the_advice_s_scope_and_its_heading(allocation: dict | None, scope: tuple | None, heading: str) -> None:
    assert plan_scope(allocation) == scope and for_part(scope) == heading
    assert (scope_note(scope) is None) == (heading == "")


def test_the_whole_market_is_every_brand_and_region() -> None:
    assert scope_words(("all", "all")) == "every brand and region"
    assert scope_words(("all", "NORTH")) == "NORTH only"


@pytest.mark.parametrize(
    ("table", "opening"),
    [
        (pd.DataFrame({"brand": ["BrandA"], "region": ["EAST"]}), "BrandA in EAST only: "),
        (pd.DataFrame({"brand": ["all"], "region": ["all"]}), "National: "),
        (pd.DataFrame({"weekly_budget": [1.0]}), "The frontier of what the last 'mmm simulate' was asked for"),
    ],
    ids=["segment", "national", "not-recorded"],
)
def test_the_frontier_s_caption_opens_with_what_it_covers(table: pd.DataFrame, opening: str) -> None:
    assert frontier_words(table).startswith(opening)
