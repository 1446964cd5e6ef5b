"""Every validation rule on a small bad frame: fatal ones name the file and column, fixes are counted."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmm_analytics.config.data import DataConfig, ValidationSettings
from mmm_analytics.data import schema
from mmm_analytics.data.issues import Rule
from mmm_analytics.data.loader import read_raw_csv
from mmm_analytics.data.validation import (
    MAX_MISSING_WEEK_SHARE,
    case_twin_notes,
    check_clean_panel,
    parse_dates,
    plausibility_notes,
    validate_panel,
)
from mmm_analytics.errors import InputError

SOURCE = "bad.csv"


def _set(row: int, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(raw: pd.DataFrame) -> pd.DataFrame:
        out = raw.copy()
        out.loc[row, column] = value
        return out

    return mutate


def _duplicate_row(raw: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([raw, raw.iloc[[3]]], ignore_index=True)


def _off_grid_week(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    last = out[schema.DATE].iloc[-1]
    shifted = pd.to_datetime(last, format="%m/%d/%Y") + pd.Timedelta(days=3)
    out.loc[out[schema.DATE] == last, schema.DATE] = shifted.strftime("%Y-%m-%d")
    return out


def _empty_column(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.assign(CPI="")


def _brand_called_all(raw: pd.DataFrame) -> pd.DataFrame:
    """A brand named as the selection of every brand (it was accepted, then never selectable alone)."""
    out = raw.copy()
    out.loc[out[schema.BRAND] == out[schema.BRAND].iloc[-1], schema.BRAND] = "All"
    return out


def _first_series_rows(raw: pd.DataFrame) -> np.ndarray:
    """Positions of the rows of the file's first series (its Geo, Brand and SKU)."""
    keys = raw[list(schema.KEY_COLUMNS)]
    return np.flatnonzero((keys == keys.iloc[0]).all(axis=1))


def _series_without_sales(raw: pd.DataFrame) -> pd.DataFrame:
    """One series' sales all empty: they were filled with the other series' median, a copy."""
    out = raw.copy()
    out.loc[_first_series_rows(out), "Sales_Value"] = ""
    return out


def _series_mostly_without_tv(raw: pd.DataFrame) -> pd.DataFrame:
    """A third of one series' TV weeks empty: more than the 25% that may be imputed."""
    out = raw.copy()
    rows = _first_series_rows(out)
    out.loc[rows[: len(rows) // 3 + 1], "TV_Impressions"] = ""
    return out


FATAL_CASES = [
    pytest.param(_set(5, "TV_Impressions", "abc"), "column 'TV_Impressions'", "line 7: 'abc'", id="text_in_tv"),
    pytest.param(
        _set(9, "Radio_Listenership", "inf"),
        "column 'Radio_Listenership'",
        "is not a number (line 11: 'inf')",
        id="infinite",
    ),
    pytest.param(_set(2, "Sales_Value", "1,234.5"), "column 'Sales_Value'", "'1,234.5'", id="thousands_separator"),
    pytest.param(_set(4, schema.DATE, "31/12/2022"), "column 'Date'", "M/D/YYYY", id="day_first_date"),
    pytest.param(_set(4, schema.DATE, ""), "column 'Date'", "line 6", id="empty_date"),
    pytest.param(_set(1, schema.GEO, "  "), "column 'Geo'", "line 3", id="empty_geo"),
    pytest.param(_duplicate_row, "columns Date, Geo, Brand, SKU", "lines 5 and 418", id="duplicate_row"),
    pytest.param(_off_grid_week, "column 'Date'", "not on one weekly grid", id="off_grid"),
    pytest.param(_set(8, "Sales_Units", "-3"), "column 'Sales_Units'", "negative", id="negative_sales"),
    pytest.param(
        _set(8, "YouTube_Impressions", "-1e5"), "column 'YouTube_Impressions'", "line 10", id="negative_exposure"
    ),
    pytest.param(_set(3, "TPR_Flag", "2"), "column 'TPR_Flag'", "outside {0, 1}", id="flag_two"),
    pytest.param(_set(3, "Display_Flag", "0.5"), "column 'Display_Flag'", "0.5", id="flag_half"),
    pytest.param(_empty_column, "column 'CPI'", "has no values", id="empty_column"),
    pytest.param(_brand_called_all, "column 'Brand'", "'All' (first on line", id="brand_called_all"),
    pytest.param(_series_without_sales, "column 'Sales_Value'", "has no value in", id="series_without_sales"),
    pytest.param(_series_mostly_without_tv, "column 'TV_Impressions'", "at most 25% can be imputed", id="tv_gaps"),
]


@pytest.mark.parametrize(("mutate", "names", "detail"), FATAL_CASES)
def test_fatal_rule_names_file_and_column(raw_small: pd.DataFrame, mutate, names: str, detail: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_panel(mutate(raw_small), SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: {names}")
    assert detail in message
    assert "\n" not in message


def test_negative_gdp_growth_is_allowed(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[0, "GDP_Growth"] = "-2.5"
    assert validate_panel(raw, SOURCE).frame["GDP_Growth"].min() == pytest.approx(-2.5, rel=1e-12)


def test_several_problems_are_summarised_on_one_line(raw_small: pd.DataFrame) -> None:
    raw = _set(5, "TV_Impressions", "abc")(_set(6, "MRP", "x")(raw_small))
    with pytest.raises(InputError, match=r"column 'MRP'.*\(and 1 more problem in: TV_Impressions\)"):
        validate_panel(raw, SOURCE)


def test_header_only_file_is_fatal(raw_small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=f"{SOURCE}: the file has a header but no data rows"):
        validate_panel(raw_small.iloc[:0], SOURCE)


def test_valid_panel_is_typed_sorted_and_unchanged(raw_small: pd.DataFrame) -> None:
    validated = validate_panel(raw_small, SOURCE)
    frame = validated.frame
    assert list(frame.columns) == list(schema.ALL_COLUMNS)
    assert frame[schema.DATE].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == "float64" for c in schema.NUMERIC_COLUMNS)
    assert all(isinstance(v, str) for v in frame[schema.GEO])
    ordered = frame.sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, ordered)
    assert validated.issues == ()
    assert (validated.rows_in_file, validated.rows_inserted, validated.n_series, validated.n_weeks) == (416, 0, 4, 104)
    np.testing.assert_array_equal(np.sort(frame["Sales_Value"]), np.sort(raw_small["Sales_Value"].astype(float)))


def test_real_format_fixture_validates(kaggle_head_path) -> None:
    validated = validate_panel(read_raw_csv(kaggle_head_path), str(kaggle_head_path))
    assert len(validated.frame) == 18
    assert validated.n_weeks == 1
    assert validated.frame[schema.GEO].nunique() == 2
    assert validated.issues == ()
    assert validated.frame[schema.DATE].iloc[0] == pd.Timestamp("2022-07-04")


def test_empty_cells_are_fixable_and_counted(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[[10, 20, 30], "TV_Impressions"] = ["", "NA", " nan "]
    validated = validate_panel(raw, SOURCE)
    assert validated.missing_in_file["TV_Impressions"] == 3
    assert validated.frame["TV_Impressions"].isna().sum() == 3
    (issue,) = validated.issues
    assert (issue.rule, issue.column, issue.count, issue.fatal) == (Rule.MISSING_VALUES, "TV_Impressions", 3, False)
    assert "line 12" in issue.message


def test_a_no_value_mark_is_named_as_such_not_as_an_empty_cell(raw_small: pd.DataFrame) -> None:
    """Before, Excel's '#N/A' in Sales_Value was reported as "1 empty value(s)", though the cell was not empty."""
    raw = raw_small.copy()
    raw.loc[[10, 20], "Sales_Value"] = ["", "#N/A"]
    (issue,) = validate_panel(raw, SOURCE).issues
    assert "2 missing values (first on line 12; written as '#N/A' on line 22) will be imputed" in issue.message
    raw.loc[10, "Sales_Value"] = " n/a "
    (issue,) = validate_panel(raw, SOURCE).issues
    assert "2 missing values (first on line 12: 'n/a') will be imputed" in issue.message


def test_missing_weeks_are_added_as_empty_rows(raw_small: pd.DataFrame) -> None:
    dropped = raw_small.drop(index=[8, 13])  # two different series, weeks 3 and 4
    validated = validate_panel(dropped.reset_index(drop=True), SOURCE)
    assert validated.rows_inserted == 2
    assert len(validated.frame) == 416
    assert validated.frame["Sales_Value"].isna().sum() == 2
    (issue,) = validated.issues
    assert (issue.rule, issue.column, issue.fatal) == (Rule.MISSING_WEEKS, schema.DATE, False)


def test_a_week_missing_from_every_series_is_added(raw_small: pd.DataFrame) -> None:
    week = raw_small[schema.DATE].iloc[40]
    validated = validate_panel(raw_small[raw_small[schema.DATE] != week].reset_index(drop=True), SOURCE)
    assert validated.rows_inserted == 4
    assert validated.n_weeks == 104


def test_series_missing_too_many_weeks_is_fatal(raw_small: pd.DataFrame) -> None:
    series = (raw_small[schema.GEO] == raw_small[schema.GEO].iloc[0]) & (raw_small[schema.BRAND] == "BrandA")
    weeks = raw_small[schema.DATE].unique()
    n_drop = int(MAX_MISSING_WEEK_SHARE * len(weeks)) + 2
    drop = series & raw_small[schema.DATE].isin(weeks[1 : 1 + n_drop])
    with pytest.raises(InputError, match=rf"column 'Date': series .*BrandA.* has no row for {n_drop} of 104 weeks"):
        validate_panel(raw_small[~drop].reset_index(drop=True), SOURCE)


def test_a_row_under_a_wrong_name_is_named_as_a_likely_typo(raw_small: pd.DataFrame) -> None:
    """Before, one row with the wrong brand asked to "add the missing weeks" of a series that does not exist."""
    raw = raw_small.copy()
    row = raw.index[raw[schema.BRAND] == "BrandB"][7]
    raw.loc[row, schema.BRAND] = "BrandA"
    stray = "/".join(raw.loc[row, [schema.GEO, schema.BRAND, schema.SKU]])
    with pytest.raises(InputError, match=rf"series {stray} appears in only 1 of 104 weeks \(e\.g\. \d{{4}}-") as caught:
        validate_panel(raw, SOURCE)
    assert "check that row's Geo, Brand, SKU for a typo" in str(caught.value)


def test_spaces_around_ids_are_removed(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[0, schema.BRAND] = " BrandA "
    validated = validate_panel(raw, SOURCE)
    assert validated.frame[schema.BRAND].nunique() == 2
    assert [i.rule for i in validated.issues] == [Rule.STRIPPED_TEXT]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("7/4/2022", "2022-07-04", id="us_no_padding"),
        pytest.param("07/04/2022", "2022-07-04", id="us_padded"),
        pytest.param("2022-07-04", "2022-07-04", id="iso"),
        pytest.param("2022-07-04T00:00:00", "2022-07-04", id="iso_time"),
        pytest.param(" 12/26/2022 ", "2022-12-26", id="spaces"),
    ],
)
def test_dates_parse_in_both_formats(text: str, expected: str) -> None:
    dates, issues = parse_dates(pd.Series([text]), SOURCE)
    assert issues == []
    assert dates.iloc[0] == pd.Timestamp(expected)
    assert dates.dtype == "datetime64[ns]"


def test_iso_dates_with_other_utc_offsets_keep_their_own_day() -> None:
    """Before, offsets that differ between rows (summer and winter time, or 'Z' beside a plain date) ended
    'mmm data' in pandas' "Mixed timezones detected" traceback; each keeps the day it was written with."""
    text = [
        "2022-07-04T00:00:00+02:00",
        "2022-12-26T00:00:00+01:00",
        "2023-01-02T00:00:00Z",
        "2023-01-09",
        "2023-01-16 00:00-0530",
    ]
    dates, issues = parse_dates(pd.Series(text), SOURCE)
    assert issues == []
    assert list(dates) == [
        pd.Timestamp(d) for d in ("2022-07-04", "2022-12-26", "2023-01-02", "2023-01-09", "2023-01-16")
    ]
    assert dates.dtype == "datetime64[ns]"


def test_dates_written_day_first_get_the_hint() -> None:
    """Before, '13/01/2022' got only "use M/D/YYYY or YYYY-MM-DD", with no word that day and month are swapped."""
    _, issues = parse_dates(pd.Series(["6/1/2022", "13/1/2022", "20/01/2022"]), SOURCE)
    (issue,) = issues
    assert "2 values are not dates" in issue.message and "(line 3: '13/1/2022')" in issue.message
    assert issue.message.endswith("written D/M/YYYY? use M/D/YYYY (e.g. 7/4/2022) or YYYY-MM-DD")
    _, typo = parse_dates(pd.Series(["1/3/2022", "1/10/2022", "1/177/2022"]), SOURCE)
    assert "D/M/YYYY" not in typo[0].message


@pytest.mark.parametrize(
    ("dates", "form"), [(["04-07-2022", "11-07-2022"], "D-M-YYYY (day first)"), (["04.07.2022"], "D.M.YYYY")]
)
def test_dates_written_day_first_with_dashes_or_dots_get_the_hint(dates: list[str], form: str) -> None:
    """Before, '04-07-2022' (the common Indian way) was only "not dates between 1900 and 2200"."""
    (issue,) = parse_dates(pd.Series(dates), SOURCE)[1]
    assert issue.message.endswith(f"written {form}? use M/D/YYYY (e.g. 7/4/2022) or YYYY-MM-DD")


def test_day_first_dates_that_parse_month_first_are_named_as_swapped(raw_small: pd.DataFrame) -> None:
    """Two weeks written D/M/YYYY (3 and 10 January) read as 1 March and 1 October: before, only "not on one
    weekly grid", with no word that day and month may be swapped."""
    weeks = raw_small[schema.DATE].unique()[:2]
    raw = raw_small[raw_small[schema.DATE].isin(weeks)].reset_index(drop=True)
    raw[schema.DATE] = raw[schema.DATE].map({weeks[0]: "3/1/2022", weeks[1]: "10/1/2022"})
    with pytest.raises(InputError) as raised:
        validate_panel(raw, SOURCE)
    message = str(raised.value)
    assert "2022-03-01 is followed by 2022-10-01" in message
    assert "read with day and month swapped they are weekly: written D/M/YYYY?" in message
    raw[schema.DATE] = raw[schema.DATE].map({"3/1/2022": "3/1/2022", "10/1/2022": "11/1/2022"})
    with pytest.raises(InputError) as irregular:
        validate_panel(raw, SOURCE)
    assert "swapped" not in str(irregular.value)


def test_iso_dates_and_week_column_validate(raw_small: pd.DataFrame) -> None:
    raw = raw_small.rename(columns={schema.DATE: "Week"})
    raw["Week"] = pd.to_datetime(raw["Week"], format="%m/%d/%Y").dt.strftime("%Y-%m-%d")
    validated = validate_panel(raw, SOURCE)
    assert validated.n_weeks == 104
    assert [i.rule for i in validated.issues] == [Rule.RENAMED_COLUMN]


def test_a_bad_date_in_a_week_column_names_the_column_as_written(raw_small: pd.DataFrame) -> None:
    """Before, ISO weeks in a column headed Week were reported in column 'Date', which the file lacks."""
    raw = raw_small.rename(columns={schema.DATE: "Week"})
    raw["Week"] = pd.to_datetime(raw["Week"], format="%m/%d/%Y").dt.strftime("%G-W%V")
    with pytest.raises(InputError, match=r"^bad\.csv: column 'Week': 416 values are not dates .*'20\d\d-W\d\d'"):
        validate_panel(raw, SOURCE)


def test_a_row_key_problem_names_a_renamed_column_as_written(raw_small: pd.DataFrame) -> None:
    raw = pd.concat([raw_small, raw_small.iloc[[3]]], ignore_index=True).rename(columns={schema.DATE: "week start"})
    with pytest.raises(InputError, match=r"^bad\.csv: columns week start, Geo, Brand, SKU: "):
        validate_panel(raw, SOURCE)


# ----- a channel given by a spend column outside the schema (TV: {column: TV_Impressions, spend_column: TV_Spend})
SPEND_CONFIG = DataConfig.model_validate(
    {
        "channels": {
            "TV": {"column": "TV_Impressions", "spend_column": "TV_Spend"},
            "Radio": {"column": "Radio_Listenership", "cpm": 0.6},
        }
    }
)


@pytest.fixture()
def raw_with_spend(raw_small: pd.DataFrame) -> pd.DataFrame:
    """The small panel as text plus a ``TV_Spend`` column (INR per week), written last."""
    spend = raw_small["TV_Impressions"].astype(float) * 1.2 / 1000 + 0.25
    return raw_small.assign(TV_Spend=spend.map(repr))


def test_spend_column_is_checked_typed_and_kept(raw_with_spend: pd.DataFrame) -> None:
    validated = validate_panel(raw_with_spend, SOURCE, SPEND_CONFIG.channel_table())
    frame = validated.frame
    assert list(frame.columns) == [*schema.ALL_COLUMNS, "TV_Spend"]
    assert validated.channel_columns == ("TV_Spend",)
    assert frame["TV_Spend"].dtype == "float64"
    assert validated.issues == ()
    assert validated.missing_in_file["TV_Spend"] == 0
    expected = raw_with_spend.assign(**{schema.DATE: pd.to_datetime(raw_with_spend[schema.DATE], format="%m/%d/%Y")})
    expected = expected.sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True)
    np.testing.assert_array_equal(frame["TV_Spend"], expected["TV_Spend"].astype(float))
    np.testing.assert_array_equal(frame["TV_Impressions"], expected["TV_Impressions"].astype(float))


def test_without_a_channel_table_a_spend_column_is_ignored(raw_with_spend: pd.DataFrame) -> None:
    validated = validate_panel(raw_with_spend, SOURCE)
    assert list(validated.frame.columns) == list(schema.ALL_COLUMNS)
    assert validated.channel_columns == ()
    (issue,) = validated.issues
    assert (issue.rule, issue.column, issue.fatal) == (Rule.EXTRA_COLUMN, "TV_Spend", False)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        pytest.param("-250", "1 negative value (line 9: -250); media spend and exposures must be >= 0", id="negative"),
        pytest.param("12k", "1 value is not a number (line 9: '12k')", id="text"),
        pytest.param("inf", "1 value is not a number (line 9: 'inf')", id="infinite"),
    ],
)
def test_bad_spend_values_are_fatal_and_name_the_column(raw_with_spend: pd.DataFrame, value: str, detail: str) -> None:
    raw = _set(7, "TV_Spend", value)(raw_with_spend)
    with pytest.raises(InputError) as caught:
        validate_panel(raw, SOURCE, SPEND_CONFIG.channel_table())
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'TV_Spend': ")
    assert detail in message
    assert "\n" not in message


def test_missing_spend_column_names_the_column_and_the_config_key(raw_small: pd.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        validate_panel(raw_small, SOURCE, SPEND_CONFIG.channel_table())
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'TV_Spend': is missing; ")
    assert "'channels.TV.spend_column'" in message
    assert "Trade_Spend" not in message  # a schema column is not offered as a spend column
    assert "\n" not in message


def test_misspelt_spend_column_is_suggested(raw_with_spend: pd.DataFrame) -> None:
    raw = raw_with_spend.rename(columns={"TV_Spend": "TV_Spends"})
    with pytest.raises(InputError, match=r"column 'TV_Spend': is missing; .*'channels\.TV\.spend_column'.*'TV_Spends'"):
        validate_panel(raw, SOURCE, SPEND_CONFIG.channel_table())


def test_misspelt_exposure_column_in_the_config_is_fatal_with_a_suggestion(raw_small: pd.DataFrame) -> None:
    config = DataConfig.model_validate({"channels": {"TV": {"column": "TV_Impresions", "cpm": 1.2}}})
    with pytest.raises(
        InputError,
        match=r"column 'TV_Impresions': is missing; .*'channels\.TV\.column'.*"
        r"did you mean 'TV_Impressions'",
    ):
        validate_panel(raw_small, SOURCE, config.channel_table())


def test_spend_column_header_is_matched_like_schema_columns(raw_with_spend: pd.DataFrame) -> None:
    raw = raw_with_spend.rename(columns={"TV_Spend": " tv spend "})
    validated = validate_panel(raw, SOURCE, SPEND_CONFIG.channel_table())
    assert "TV_Spend" in validated.frame.columns
    (issue,) = validated.issues
    assert (issue.rule, issue.column, issue.example) == (Rule.RENAMED_COLUMN, "TV_Spend", " tv spend ")


def test_empty_spend_cells_and_missing_weeks_are_left_for_imputation(raw_with_spend: pd.DataFrame) -> None:
    raw = raw_with_spend.copy()
    raw.loc[[10, 20], "TV_Spend"] = ["", "NA"]
    validated = validate_panel(raw.drop(index=[8]).reset_index(drop=True), SOURCE, SPEND_CONFIG.channel_table())
    assert validated.missing_in_file["TV_Spend"] == 2
    assert validated.rows_inserted == 1
    assert validated.frame["TV_Spend"].isna().sum() == 3
    rules = {(i.rule, i.column) for i in validated.issues}
    assert rules == {(Rule.MISSING_VALUES, "TV_Spend"), (Rule.MISSING_WEEKS, schema.DATE)}


# ----- plausible ranges: every number finite and below its configured bound; sales not all zero
LIMITS = ValidationSettings()


def test_a_huge_exposure_names_column_line_and_the_key_to_raise(raw_small: pd.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        validate_panel(_set(7, "TV_Impressions", "1e308")(raw_small), SOURCE, DataConfig().channel_table())
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'TV_Impressions': 1 value above 1e+12 exposures per week ")
    assert "(line 9: 1e+308)" in message
    assert "data_config.yaml key 'validation.max_weekly_exposure'" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("column", "value", "key"),
    [
        pytest.param("Sales_Value", "1e308", "max_weekly_sales", id="sales_value"),
        pytest.param("Sales_Units", "5e12", "max_weekly_sales", id="sales_units"),
        pytest.param("Trade_Spend", "2e12", "max_weekly_spend_inr", id="trade_spend"),
        pytest.param("Net_Price", "1e300", "max_abs_value", id="price"),
        pytest.param("GDP_Growth", "-1e300", "max_abs_value", id="negative_macro"),
    ],
)
def test_every_numeric_column_has_a_bound(raw_small: pd.DataFrame, column: str, value: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_panel(_set(3, column, value)(raw_small), SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column '{column}': 1 value above ")
    assert "line 5" in message and f"'validation.{key}'" in message


def test_a_raised_bound_accepts_the_value(raw_small: pd.DataFrame) -> None:
    raw = _set(7, "TV_Impressions", "5e12")(raw_small)
    with pytest.raises(InputError, match="max_weekly_exposure"):
        validate_panel(raw, SOURCE)
    validated = validate_panel(raw, SOURCE, limits=ValidationSettings(max_weekly_exposure=1e13))
    assert validated.frame["TV_Impressions"].max() == 5e12


def test_an_exposure_whose_spend_is_implausible_names_the_cpm_key(raw_small: pd.DataFrame) -> None:
    channels = DataConfig.model_validate({"channels": {"TV": {"column": "TV_Impressions", "cpm": 5e6}}}).channel_table()
    with pytest.raises(InputError) as caught:
        validate_panel(_set(7, "TV_Impressions", "4e8")(raw_small), SOURCE, channels)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'TV_Impressions': 1 value implies a weekly spend above 1e+12 INR")
    assert "line 9: 4e+08 x cpm 5e+06 / 1000 = 2e+12 INR" in message
    assert "'channels.TV.cpm'" in message and "'validation.max_weekly_spend_inr'" in message


def test_a_huge_spend_column_value_names_the_spend_key(raw_with_spend: pd.DataFrame) -> None:
    raw = _set(7, "TV_Spend", "3e12")(raw_with_spend)
    with pytest.raises(InputError, match=r"column 'TV_Spend': 1 value above 1e\+12 INR per week \(line 9"):
        validate_panel(raw, SOURCE, SPEND_CONFIG.channel_table())


def test_the_shipped_panels_are_within_the_default_bounds(raw_small: pd.DataFrame, kaggle_head_path) -> None:
    for raw, source in ((raw_small, SOURCE), (read_raw_csv(kaggle_head_path), str(kaggle_head_path))):
        validated = validate_panel(raw, source, DataConfig().channel_table(), LIMITS)
        assert not [i for i in validated.issues if i.rule is Rule.OUT_OF_RANGE]


def _zero_sales(raw: pd.DataFrame, geo: str | None = None, brand: str | None = None) -> pd.DataFrame:
    """Sales_Value "0" in every row of ``geo`` (and ``brand``); every row when both are None."""
    out = raw.copy()
    rows = pd.Series(True, index=out.index)
    if geo is not None:
        rows &= out[schema.GEO] == geo
    if brand is not None:
        rows &= out[schema.BRAND] == brand
    out.loc[rows, "Sales_Value"] = "0"
    return out


def test_a_series_without_sales_is_named(raw_small: pd.DataFrame) -> None:
    raw = _zero_sales(raw_small, "CENTRAL")
    raw.loc[raw.index[raw[schema.GEO] == "CENTRAL"][0], "Sales_Value"] = ""  # an empty week does not count as a sale
    with pytest.raises(InputError) as caught:
        validate_panel(raw, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'Sales_Value': series CENTRAL/BrandA/")
    assert "(and 1 more series) has zero sales in all 103 weeks with a value" in message
    assert "remove its rows" in message and "\n" not in message


def test_a_panel_without_sales_is_fatal(raw_small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=rf"^{SOURCE}: column 'Sales_Value': is 0 in every row of the panel"):
        validate_panel(_zero_sales(raw_small), SOURCE)


def test_a_series_whose_sales_never_move_is_named(raw_small: pd.DataFrame) -> None:
    """Before, a Sales_Value filled with one number in every week passed without a word."""
    raw = raw_small.copy()
    series = raw.index[(raw[schema.GEO] == "CENTRAL") & (raw[schema.BRAND] == "BrandA")]
    raw.loc[series, "Sales_Value"] = "1234567.891"
    with pytest.raises(InputError) as caught:
        validate_panel(raw, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column 'Sales_Value': series CENTRAL/BrandA/")
    assert "has the same value, 1,234,567.891, in all 104 weeks with a value" in message  # not 1.23457e+06
    assert "remove the series' rows" in message and "\n" not in message


def test_a_panel_whose_sales_never_move_is_fatal(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw["Sales_Value"] = "99"
    with pytest.raises(
        InputError, match=r"every series' value is the same in all its weeks \(e.g. .*: 99 in 104 weeks\)"
    ):
        validate_panel(raw, SOURCE)


def test_a_short_series_of_one_value_passes(raw_small: pd.DataFrame) -> None:
    """Three weeks of the same sales can be real; from four on it is refused."""
    dates = sorted(raw_small[schema.DATE].unique(), key=pd.Timestamp)[:3]
    raw = raw_small[raw_small[schema.DATE].isin(dates)].copy()
    raw["Sales_Value"] = "99"
    assert validate_panel(raw, SOURCE).n_weeks == 3


@pytest.mark.parametrize("column", ["Net_Price", "MRP"])
def test_a_price_of_zero_in_a_week_with_sales_is_fatal(raw_small: pd.DataFrame, column: str) -> None:
    """It passed without a word, and the price features read it as a 100% discount."""
    raw = raw_small.copy()
    rows = raw.index[raw[schema.BRAND] == "BrandA"]
    raw.loc[rows, column] = "0"
    with pytest.raises(InputError) as caught:
        validate_panel(raw, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column '{column}': {len(rows)} rows with a price of 0 in a week with sales")
    assert "leave the cell empty for the cleaning step to fill" in message and "\n" not in message


def test_a_price_of_zero_in_a_week_without_sales_is_kept(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[raw.index[0], ["Net_Price", "Sales_Value"]] = ["0", "0"]
    assert validate_panel(raw, SOURCE).n_series == 4


def test_a_series_with_a_single_sale_is_kept(raw_small: pd.DataFrame) -> None:
    raw = _zero_sales(raw_small, "CENTRAL", "BrandA")
    first = raw.index[(raw[schema.GEO] == "CENTRAL") & (raw[schema.BRAND] == "BrandA")][0]
    raw.loc[first, "Sales_Value"] = "125.5"
    assert validate_panel(raw, SOURCE).n_series == 4


NON_FINITE_TEXT = st.sampled_from(["inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e400"])
HUGE = st.floats(min_value=1.001e12, max_value=1e308, allow_nan=False, allow_infinity=False)
NUMERIC = sorted(set(schema.NUMERIC_COLUMNS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    column=st.sampled_from(NUMERIC),
    row=st.integers(min_value=0, max_value=415),
    value=st.one_of(NON_FINITE_TEXT, HUGE.map(repr), HUGE.map(lambda v: repr(-v))),
)
def test_a_non_finite_or_huge_cell_is_an_input_error_naming_its_column(
    raw_small: pd.DataFrame, column: str, row: int, value: str
) -> None:
    raw = raw_small.copy()
    raw.loc[row, column] = value
    with pytest.raises(InputError) as caught:
        validate_panel(raw, SOURCE, DataConfig().channel_table(), LIMITS)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: column '{column}': ")
    assert f"line {row + 2}" in message and "\n" not in message


def test_a_name_written_decomposed_joins_its_composed_series(raw_small: pd.DataFrame) -> None:
    """Before, 'Cafe' + a combining accent in some rows and 'Café' in the others made two brands that
    print alike (and a series with most of its weeks missing)."""
    raw = raw_small.copy()
    raw[schema.BRAND] = raw[schema.BRAND].replace({"BrandA": "Caf\u00e9"})
    rows = raw.index[raw[schema.BRAND] == "Caf\u00e9"][::2]
    raw.loc[rows, schema.BRAND] = "Cafe\u0301"
    validated = validate_panel(raw, SOURCE)
    assert sorted(validated.frame[schema.BRAND].unique()) == ["BrandB", "Caf\u00e9"]
    [issue] = validated.issues
    assert issue.rule == Rule.COMPOSED_TEXT and issue.count == len(rows)


def test_names_that_differ_only_in_case_are_noted(raw_small: pd.DataFrame) -> None:
    """Before, geos 'North' and 'NORTH' passed as two without a word; a command given 'north' cannot
    tell them apart, and a disk that ignores case would mix up their figure files."""
    raw = raw_small.copy()
    first = raw[schema.GEO].iloc[0]
    raw.loc[raw[schema.GEO] == first, schema.GEO] = "North"
    raw.loc[raw[schema.GEO] != "North", schema.GEO] = "NORTH"
    [note] = case_twin_notes(validate_panel(raw, SOURCE).frame)
    assert note.startswith("column 'Geo': 'NORTH' and 'North' differ only in case; they are kept apart")
    assert case_twin_notes(validate_panel(raw_small, SOURCE).frame) == ()


def test_a_repeated_header_line_is_named_as_such(raw_small: pd.DataFrame) -> None:
    """Before: "column 'Date': 1 value(s) are not dates (line 12: 'Date') (and 24 more problem(s) ...)"."""
    raw = raw_small.copy()
    raw.loc[10] = list(raw.columns)
    with pytest.raises(InputError, match=r"line 12 repeats the header \(1 such line; two files joined\?\); remove it"):
        validate_panel(raw, SOURCE)


def test_a_totals_row_is_named_as_such(raw_small: pd.DataFrame) -> None:
    """Before: "column 'Geo': 1 empty value(s) (first on line ...)", with no word of the totals row."""
    total = pd.DataFrame([{**{c: "" for c in raw_small.columns}, schema.DATE: "Total", "Sales_Value": "123"}])
    raw = pd.concat([raw_small, total], ignore_index=True)
    with pytest.raises(InputError, match=r"empty values? .*; that line looks like a totals row: remove it"):
        validate_panel(raw, SOURCE)


def test_a_repeated_header_of_a_second_file_with_its_byte_order_mark_is_named(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[10] = ["\ufeff" + str(raw.columns[0]), *raw.columns[1:]]
    with pytest.raises(InputError, match=r"line 12 repeats the header"):
        validate_panel(raw, SOURCE)


def test_a_name_holding_the_word_total_is_not_taken_for_a_totals_row(raw_small: pd.DataFrame) -> None:
    raw = raw_small.copy()
    raw.loc[3, schema.BRAND] = "TotalEnergies"
    raw.loc[3, schema.SKU] = ""
    with pytest.raises(InputError, match=r"1 empty value \(first on line 5\); every row needs a value$"):
        validate_panel(raw, SOURCE)


@pytest.fixture()
def clean_frame(raw_small: pd.DataFrame) -> pd.DataFrame:
    """The small panel as ``mmm data`` types it (the contract of clean_panel.parquet)."""
    return validate_panel(raw_small, SOURCE).frame


def _text_sales(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(Sales_Value=frame["Sales_Value"].astype(str))


def _twice(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[:3]], ignore_index=True)


def _week_dropped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame[schema.DATE] != frame[schema.DATE].unique()[10]]


def _one_row_dropped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(index=frame.index[5])


def _shifted_day(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[0], schema.DATE] += pd.Timedelta(days=2)
    return out


def _negative_tv(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[3], "TV_Impressions"] = -5.0
    return out


def _huge_sales(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[3], "Sales_Value"] = 1e300
    return out


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns="CPI"), r"column 'CPI' is missing \(not a cleaned panel\?\)"),
        (lambda f: f.assign(Date=f["Date"].astype(str)), r"column 'Date' holds \w+ values, not dates"),
        (_text_sales, r"column 'Sales_Value' holds \w+ values, not numbers"),
        (_twice, r"3 duplicate series-week rows \(e\.g\. \w+/\w+/\w+, week of \d{4}-\d\d-\d\d\)"),
        (_week_dropped, r"series \w+/\w+/\w+ has rows for 103 of the 104 weeks"),
        (_one_row_dropped, r"series \w+/\w+/\w+ has rows for 103 of the 104 weeks .*\(1 series short of weeks\)"),
        (_shifted_day, r"column 'Date': 1 row off the weekly grid"),
        (
            _negative_tv,
            r"column 'TV_Impressions': 1 negative value \(\w+/\w+/\w+, week of [-\d]+: -5\); .* >= 0; re-run",
        ),
        (
            _huge_sales,
            r"column 'Sales_Value': 1 value above 1e\+12 INR per week \(\w+/\w+/\w+, week of [-\d]+: 1e\+300\); "
            r".*validation\.max_weekly_sales",
        ),
    ],
    ids=[
        "missing column",
        "text dates",
        "text sales",
        "duplicates",
        "missing week",
        "missing row",
        "off grid",
        "negative",
        "above bound",
    ],
)
def test_a_parquet_given_as_the_cleaned_panel_keeps_its_contract(
    clean_frame: pd.DataFrame, mutate: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    """Before, a parquet edited or written by another tool went into the features as it was: duplicate rows
    summed, a missing week closed up, negative and huge values kept, text sales a traceback."""
    check_clean_panel(clean_frame, "panel.parquet")  # as mmm data writes it: accepted
    with pytest.raises(InputError, match=rf"^panel\.parquet: {message}") as raised:
        check_clean_panel(mutate(clean_frame), "panel.parquet")
    assert "\n" not in str(raised.value)


def test_a_parquet_exposure_whose_spend_is_implausible_names_the_series_and_the_cpm_key(
    clean_frame: pd.DataFrame,
) -> None:
    """The cleaned panel's check is the CSV's rule, read by series and week: before, a parquet skipped the
    spend an exposure implies at its channel's CPM."""
    channels = DataConfig.model_validate({"channels": {"TV": {"column": "TV_Impressions", "cpm": 5e6}}}).channel_table()
    check_clean_panel(clean_frame, "panel.parquet", channels)
    dear = clean_frame.copy()
    dear.loc[dear.index[6], "TV_Impressions"] = 4e8
    with pytest.raises(InputError) as raised:
        check_clean_panel(dear, "panel.parquet", channels)
    message = str(raised.value)
    assert message.startswith("panel.parquet: column 'TV_Impressions': 1 value implies a weekly spend above 1e+12 INR")
    row = dear.iloc[6]
    where = f"{row['Geo']}/{row['Brand']}/{row['SKU']}, week of {row['Date'].date().isoformat()}"
    assert f"({where}: 4e+08 x cpm 5e+06 / 1000 = 2e+12 INR)" in message and "line " not in message


def test_implausible_but_usable_values_are_named(clean_frame: pd.DataFrame) -> None:
    """Before, a distribution given in percent and a net price above the list price passed without a word."""
    assert plausibility_notes(clean_frame) == ()
    odd = clean_frame.copy()
    odd.loc[odd.index[4], "Weighted_Distribution"] = 45.0
    odd.loc[odd.index[[2, 7]], "Net_Price"] = odd.loc[odd.index[[2, 7]], "MRP"] * 5
    share, price = plausibility_notes(odd)
    assert share.startswith("column 'Weighted_Distribution': 1 value above 1 (e.g. 45 in ")
    assert share.endswith("given in percent? divide the column by 100")
    assert price.startswith("column 'Net_Price': 2 rows above 'MRP' (e.g. ")
    assert price.endswith("check that the two columns are not swapped")
