"""Header checks: missing/misspelled columns with a suggestion, accepted aliases, extra and reordered columns."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.data.columns import (
    canonical_key,
    check_channel_columns,
    closest_column,
    normalise_columns,
    shown_name,
)
from mmm_analytics.data.issues import Rule, raise_if_fatal
from mmm_analytics.errors import InputError

SOURCE = "panel.csv"


def _header_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([["1"] * len(columns)], columns=columns)


def _fatal_message(columns: list[str]) -> str:
    _, issues = normalise_columns(_header_frame(columns), SOURCE)
    with pytest.raises(InputError) as caught:
        raise_if_fatal(issues)
    return str(caught.value)


@pytest.mark.parametrize(
    ("renamed", "written"),
    [
        pytest.param("TV_Impressions", "TV_Impresions", id="typo"),
        pytest.param("Sales_Value", "SalesValue", id="no_underscore"),
        pytest.param("Weighted_Distribution", "Weighted_Distrib", id="truncated"),
    ],
)
def test_misspelled_column_is_fatal_with_closest_name(renamed: str, written: str) -> None:
    columns = [written if c == renamed else c for c in schema.ALL_COLUMNS]
    message = _fatal_message(columns)
    assert message.startswith(f"{SOURCE}: column '{renamed}': is missing")
    assert f"the file has '{written}': rename it to '{renamed}'" in message


def test_missing_column_without_close_name_says_what_is_expected() -> None:
    message = _fatal_message([c for c in schema.ALL_COLUMNS if c != "Rainfall_Index"])
    assert message == (
        f"{SOURCE}: column 'Rainfall_Index': is missing; add it "
        "(the panel needs all 28 columns of the MMM Weekly India schema)"
    )


def test_several_missing_columns_are_counted() -> None:
    message = _fatal_message(list(schema.ALL_COLUMNS[:-3]))
    assert message.startswith(f"{SOURCE}: column 'GDP_Growth': is missing")
    assert "(and 2 more problems in: Festival_Index, Rainfall_Index)" in message


def test_duplicated_header_is_fatal() -> None:
    frame = pd.DataFrame([["1"] * 29], columns=[*schema.ALL_COLUMNS, "CPI.1"])
    _, issues = normalise_columns(frame, SOURCE)
    with pytest.raises(InputError, match=r"column 'CPI': appears more than once in the header"):
        raise_if_fatal(issues)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("Week", schema.DATE, id="week"),
        pytest.param("date", schema.DATE, id="lower_case"),
        pytest.param(" Sales Units ", "Sales_Units", id="spaces"),
        pytest.param("tv-impressions", "TV_Impressions", id="hyphen"),
        pytest.param("Region", schema.GEO, id="region"),  # before: 'Geo' missing, 'add it'
        pytest.param("Sales\u200b_Value", "Sales_Value", id="zero-width-space"),
    ],
)
def test_near_exact_names_are_renamed_and_logged(written: str, expected: str) -> None:
    columns = [written if c == expected else c for c in schema.ALL_COLUMNS]
    frame, issues = normalise_columns(_header_frame(columns), SOURCE)
    assert list(frame.columns) == list(schema.ALL_COLUMNS)
    (issue,) = issues
    assert (issue.rule, issue.column, issue.example, issue.fatal) == (Rule.RENAMED_COLUMN, expected, written, False)


def test_week_beside_date_is_an_ignored_extra_column() -> None:
    frame, issues = normalise_columns(_header_frame([*schema.ALL_COLUMNS, "Week"]), SOURCE)
    assert list(frame.columns) == list(schema.ALL_COLUMNS)
    assert [(i.rule, i.column) for i in issues] == [(Rule.EXTRA_COLUMN, "Week")]


def test_reordered_columns_are_put_in_schema_order() -> None:
    columns = list(reversed(schema.ALL_COLUMNS))
    frame, issues = normalise_columns(_header_frame(columns), SOURCE)
    assert list(frame.columns) == list(schema.ALL_COLUMNS)
    assert [i.rule for i in issues] == [Rule.COLUMN_ORDER]


def test_exact_header_needs_no_fix() -> None:
    frame, issues = normalise_columns(_header_frame(list(schema.ALL_COLUMNS)), SOURCE)
    assert issues == []
    assert list(frame.columns) == list(schema.ALL_COLUMNS)


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        pytest.param("TV_Impressions", ["tv_impresion", "Radio"], "tv_impresion", id="close"),
        pytest.param("TV_Impressions", ["Geo", "Brand"], None, id="none_close"),
        pytest.param("NOS", [], None, id="no_candidates"),
    ],
)
def test_closest_column(name: str, candidates: list[str], expected: str | None) -> None:
    assert closest_column(name, candidates) == expected


def test_canonical_key() -> None:
    assert canonical_key("  Net - Price ") == "net_price"


def _table(column: str, spend_column: str | None = None) -> Channels:
    return Channels(
        names=("TV", "Radio"),
        columns=(column, "Radio_Listenership"),
        cpm=(1.2, 0.6),
        spend_column=(spend_column, None),
    )


@pytest.mark.parametrize(
    "column, spend_column, fragment",
    [
        ("Sales_Value", None, "channels.TV.column is 'Sales_Value', the schema's sales column (INR per week)"),
        ("Date", None, "channels.TV.column is 'Date', the schema's identifier column"),
        ("TV_Impressions", "Trade_Spend", "channels.TV.spend_column is 'Trade_Spend', the schema's promo column"),
        ("Weighted_Distribution", None, "the schema's distribution column (share 0-1)"),
    ],
    ids=["sales", "date", "trade-spend", "distribution"],
)
def test_a_channel_may_not_read_a_schema_column_that_is_not_media(
    column: str, spend_column: str | None, fragment: str
) -> None:
    """The model read Sales_Value as TV's exposure when the config said so: nothing stopped it."""
    with pytest.raises(InputError) as caught:
        check_channel_columns(_table(column, spend_column))
    message = str(caught.value)
    assert message.startswith("data_config.yaml: ") and fragment in message
    wanted = "weekly spend in INR outside the schema" if spend_column else "media columns: TV_Impressions"
    assert wanted in message


@pytest.mark.parametrize(
    "column, spend_column", [("TV_Impressions", None), ("TV_GRP", "TV_Spend"), ("YouTube_Impressions", None)]
)
def test_media_and_own_columns_are_accepted(column: str, spend_column: str | None) -> None:
    check_channel_columns(_table(column, spend_column))


def test_a_header_with_an_invisible_character_is_read_and_shown_escaped() -> None:
    """Before: "the file has 'Sales\u200b_Value': rename it to 'Sales_Value'", two names alike on screen."""
    assert canonical_key("Sales\u200b_Value") == canonical_key("Sales_Value") == "sales_value"
    assert shown_name("Sales\u200b_Value") == "Sales\\u200b_Value" and shown_name("TV") == "TV"
