"""Today's budget and the scope read back from a frontier table, whatever state the file came back in."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mmm_analytics.simulator.frontier_table import frontier_scope, todays_budget


def test_todays_budget_is_each_rows_budget_over_its_multiple() -> None:
    table = pd.DataFrame({"weekly_budget": [100.0, 300.0, 400.0], "budget_multiple": [0.5, 1.5, 2.0]})
    assert todays_budget(table) == 200.0


@pytest.mark.parametrize(
    "table",
    [
        pd.DataFrame({"weekly_budget": [0.0], "budget_multiple": [0.0]}),
        pd.DataFrame({"weekly_budget": [100.0]}),  # a file without the column
        pd.DataFrame({"weekly_budget": ["abc"], "budget_multiple": ["x"]}),
        pd.DataFrame({"weekly_budget": [math.nan], "budget_multiple": [1.0]}),
        pd.DataFrame({"weekly_budget": [], "budget_multiple": []}),
    ],
    ids=["zero-multiple", "no-column", "text", "nan-budget", "no-rows"],
)
def test_no_budget_where_the_table_gives_none(table: pd.DataFrame) -> None:
    """Before, a frontier file without budget_multiple or with text in it ended the summary in a traceback."""
    assert todays_budget(table) is None


def test_a_row_it_cannot_read_is_passed_over() -> None:
    table = pd.DataFrame({"weekly_budget": [math.nan, 300.0], "budget_multiple": [0.5, 1.5]})
    assert todays_budget(table) == 200.0


@pytest.mark.parametrize(
    ("table", "scope"),
    [
        (pd.DataFrame({"brand": ["BrandA"] * 2, "region": ["EAST"] * 2}), ("BrandA", "EAST")),
        (pd.DataFrame({"brand": ["all"], "region": ["all"]}), ("all", "all")),
        (pd.DataFrame({"weekly_budget": [100.0]}), None),  # written before the table named its scope
        (pd.DataFrame({"brand": ["BrandA", "BrandB"], "region": ["EAST"] * 2}), None),
        (pd.DataFrame({"brand": [], "region": []}), None),
    ],
    ids=["segment", "national", "no-columns", "two-brands", "no-rows"],
)
def test_the_scope_is_the_one_brand_and_region_of_every_row(table: pd.DataFrame, scope: tuple[str, str] | None) -> None:
    assert frontier_scope(table) == scope
