"""Lift-test CSVs: parsing, alignment to the panel's series and weeks, and every bad row."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.features.scaling import Scalers
from mmm_analytics.models.lift_tests import HEADER, LIFT_TEST_COLUMNS, LiftTests, read_lift_tests

#: The panel's weeks: ten Mondays from 2 Jan 2023 to 6 Mar 2023.
DATES = pd.date_range("2023-01-02", periods=10, freq="7D")


def make_panel(skus: bool = False, regions: tuple[str, ...] = ("EAST", "WEST")) -> FeaturePanel:
    """2 brands x the regions (x 2 SKUs), 10 weeks, channels TV (used everywhere) and Radio
    (only in BrandB/WEST, from week 3 on); Sales_Value 10,000,000 INR per series and week."""
    keys = [(g, b, k) for g in regions for b in ("BrandA", "BrandB") for k in (("S1", "S2") if skus else (None,))]
    n_series, n_weeks = len(keys), len(DATES)
    exposure = np.zeros((n_series, n_weeks, 2))
    exposure[..., 0] = 1000.0
    for s, (geo, brand, _) in enumerate(keys):
        if (geo, brand) == ("WEST", "BrandB"):
            exposure[s, 3:, 1] = 50.0
    controls = np.linspace(0.0, 1.0, n_series * n_weeks).reshape(n_series, n_weeks, 1)
    sales = np.full((n_series, n_weeks), 1e7)
    return FeaturePanel(
        dates=DATES,
        geo=tuple(g for g, _, _ in keys),
        brand=tuple(b for _, b, _ in keys),
        sku=tuple(str(k) for _, _, k in keys) if skus else None,
        channels=("TV", "Radio"),
        cpm=np.array([1.2, 0.6]),
        exposure=exposure,
        sales=sales,
        relative_price=np.ones((n_series, n_weeks)),
        controls=controls,
        control_names=("trend",),
        holdout_weeks=2,
        scalers=Scalers.fit(exposure, controls, sales, n_weeks - 2, ("trend",)),
    )


PANEL = make_panel()
GOOD_ROW = "TV,BrandA,WEST,2023-01-09,2023-01-30,4100000,500000"


def write(folder: Path, *rows: str, header: str = HEADER) -> Path:
    path = folder / "lift_tests.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- good files -------------------------------------------------------------------------


def test_one_test_is_aligned_to_its_series_and_weeks(tmp_path: Path) -> None:
    tests = read_lift_tests(write(tmp_path, GOOD_ROW), PANEL)
    assert len(tests) == 1 and tests.channel.tolist() == [0]
    # Series order: EAST/BrandA, EAST/BrandB, WEST/BrandA, WEST/BrandB.
    assert tests.series.tolist() == [[0.0, 0.0, 1.0, 0.0]]
    assert tests.weeks.tolist() == [[0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]]  # inclusive, 4 weeks
    assert tests.incremental_sales.tolist() == [4.1e6] and tests.standard_error.tolist() == [5e5]
    assert tests.labels == ("TV, BrandA, WEST, 2023-01-09 to 2023-01-30",)


@pytest.mark.parametrize(
    "brand, region, expected, label",
    [
        ("all", "WEST", [0, 0, 1, 1], "all brands, WEST"),
        ("BrandB", "ALL", [0, 1, 0, 1], "BrandB, all regions"),
        ("All", "all", [1, 1, 1, 1], "all brands, all regions"),
    ],
    ids=["all_brands", "all_regions", "everything"],
)
def test_all_takes_every_brand_or_region(tmp_path: Path, brand: str, region: str, expected: list, label: str) -> None:
    tests = read_lift_tests(write(tmp_path, f"TV,{brand},{region},2023-01-02,2023-01-02,1,1"), PANEL)
    assert tests.series.tolist() == [[float(v) for v in expected]]
    assert tests.labels == (f"TV, {label}, 2023-01-02 to 2023-01-02",)


def test_every_sku_of_the_slice_counts(tmp_path: Path) -> None:
    panel = make_panel(skus=True)  # 8 series: region x brand x (S1, S2)
    tests = read_lift_tests(write(tmp_path, GOOD_ROW, "TV,all,EAST,2023-01-02,2023-01-02,1,1"), panel)
    assert tests.series.shape == (2, 8)
    assert tests.series.tolist() == [[0, 0, 0, 0, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0]]


@pytest.mark.parametrize(
    "start, end",
    [
        ("1/9/2023", "1/30/2023"),
        ("01/09/2023", "01/30/2023"),
        ("2023-01-09", "2023-01-30"),
        ("2023-01-09T00:00:00", "2023/01/30"),
        (" 2023-01-09 ", "1/30/2023"),
    ],
    ids=["m_d_yyyy", "mm_dd_yyyy", "iso", "iso_time_and_slashes", "spaces_and_mixed"],
)
def test_dates_in_each_format_of_the_data(tmp_path: Path, start: str, end: str) -> None:
    tests = read_lift_tests(write(tmp_path, f"TV,BrandA,WEST,{start},{end},1,1"), PANEL)
    assert np.flatnonzero(tests.weeks[0]).tolist() == [1, 2, 3, 4]


def test_names_match_up_to_case_and_columns_in_any_order(tmp_path: Path) -> None:
    header = "standard_error,incremental_sales,end_date,start_date,region,brand,channel"
    path = write(tmp_path, "2,-3.5,2023-03-06,2023-03-06,west,brandb,radio", header=header)
    tests = read_lift_tests(path, PANEL)
    assert tests.channel.tolist() == [1] and tests.series.tolist() == [[0.0, 0.0, 0.0, 1.0]]
    assert tests.weeks[0, -1] == 1.0 and tests.weeks.sum() == 1.0
    # A measured lift may be negative or 0 (an experiment that found nothing); its error may not.
    assert tests.incremental_sales.tolist() == [-3.5] and tests.standard_error.tolist() == [2.0]


def test_byte_order_mark_blank_lines_and_spaces_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lift.csv"
    text = f"\ufeff {HEADER.replace(',', ' , ')}\n\n{GOOD_ROW}\n,,,,,,\n\nTV , all , all , 2023-01-02 , 2023-01-02 , 1e6 , 2e5\n"
    path.write_text(text, encoding="utf-8")
    tests = read_lift_tests(path, PANEL)
    assert len(tests) == 2 and tests.incremental_sales.tolist() == [4.1e6, 1e6]


def test_blank_lines_before_the_header_and_trailing_commas(tmp_path: Path) -> None:
    path = tmp_path / "lift.csv"
    path.write_text(f"\n\n{HEADER},,\n{GOOD_ROW},,\n\nTV,BrandZ,WEST,2023-01-09,2023-01-30,1,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 6, column 'brand'"):
        read_lift_tests(path, PANEL)
    path.write_text(f"\n{HEADER.replace('brand', 'brandt')}\n{GOOD_ROW}\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2 \\(header\\): unknown column 'brandt'"):
        read_lift_tests(path, PANEL)


def test_channel_index_follows_the_given_order(tmp_path: Path) -> None:
    tests = read_lift_tests(write(tmp_path, GOOD_ROW), PANEL, channels=("Radio", "TV"))
    assert tests.channel.tolist() == [1]


def test_carryover_from_earlier_weeks_counts_as_exposure(tmp_path: Path) -> None:
    # Radio runs in BrandB/WEST from week 3 on, so any window ending in week 3 or later is valid.
    tests = read_lift_tests(write(tmp_path, "Radio,all,WEST,2023-01-23,2023-01-23,10,1"), PANEL)
    assert tests.series.tolist() == [[0.0, 0.0, 1.0, 1.0]]


def test_exposure_beyond_the_carryover_s_reach_is_no_exposure(tmp_path: Path) -> None:
    """Radio in BrandB/WEST in weeks 0-1 only: a test of weeks 5-8 has a contribution of exactly 0 with a carryover of
    2 weeks, and was accepted (its row then moved nothing in the fit); with 4 weeks week 1 reaches week 5."""
    exposure = PANEL.exposure.copy()
    exposure[..., 1] = 0.0
    exposure[3, :2, 1] = 50.0  # the series of WEST / BrandB
    panel = dataclasses.replace(PANEL, exposure=exposure)
    path = write(tmp_path, "Radio,BrandB,WEST,2023-02-06,2023-02-27,10,1")
    with pytest.raises(
        InputError,
        match=r"line 2, column 'channel': Radio has no exposure in BrandB, WEST from "
        r"2023-01-23 \(the carryover's 2 weeks\) up to 2023-02-27",
    ):
        read_lift_tests(path, panel, max_lag=2)
    assert len(read_lift_tests(path, panel, max_lag=4)) == 1
    assert len(read_lift_tests(path, panel)) == 1  # no carryover given: any earlier week counts


def test_result_round_trips_through_its_config(tmp_path: Path) -> None:
    tests = read_lift_tests(write(tmp_path, GOOD_ROW, "Radio,all,all,2023-02-06,2023-03-06,7,3"), PANEL)
    again = LiftTests.from_config(tests.to_config())
    for name in ("channel", "series", "weeks", "incremental_sales", "standard_error"):
        np.testing.assert_array_equal(getattr(again, name), getattr(tests, name))
    assert again.labels == tests.labels


# --- bad rows: one line naming the file, line and column, and the fix --------------------

BAD_ROWS = {
    "unknown_channel": (
        "Cinema,BrandA,WEST,2023-01-09,2023-01-30,1,1",
        "column 'channel': unknown channel 'Cinema'; use one of TV, Radio",
    ),
    "empty_channel": (",BrandA,WEST,2023-01-09,2023-01-30,1,1", "column 'channel': is empty; give a channel name"),
    "unknown_brand": (
        "TV,BrandZ,WEST,2023-01-09,2023-01-30,1,1",
        "column 'brand': unknown brand 'BrandZ'; use one of BrandA, BrandB, all",
    ),
    "unknown_region": (
        "TV,BrandA,NORTH,2023-01-09,2023-01-30,1,1",
        "column 'region': unknown region 'NORTH'; use one of EAST, WEST, all",
    ),
    "empty_region": ("TV,BrandA,,2023-01-09,2023-01-30,1,1", "column 'region': is empty; give a region name"),
    "start_not_a_date": (
        "TV,BrandA,WEST,soon,2023-01-30,1,1",
        "column 'start_date': 'soon' is not a date; use M/D/YYYY",
    ),
    "start_day_first": ("TV,BrandA,WEST,30/01/2023,2023-01-30,1,1", "column 'start_date': '30/01/2023' is not a date"),
    "start_before_data": (
        "TV,BrandA,WEST,2022-12-26,2023-01-30,1,1",
        "column 'start_date': '2022-12-26' is outside the data \\(weeks 2023-01-02 to 2023-03-06\\)",
    ),
    "end_after_data": (
        "TV,BrandA,WEST,2023-01-09,2023-03-13,1,1",
        "column 'end_date': '2023-03-13' is outside the data",
    ),
    "start_not_a_week_row": (
        "TV,BrandA,WEST,2023-01-10,2023-01-30,1,1",
        "column 'start_date': '2023-01-10' is not the start of a week in the data; use the date of its week's row \\(2023-01-09 or 2023-01-16\\)",
    ),
    "start_day_first_outside_the_data": (
        "TV,BrandA,WEST,09/01/2023,2023-01-30,1,1",
        "column 'start_date': '09/01/2023' is outside the data \\(weeks 2023-01-02 to 2023-03-06\\); written day first "
        "\\(D/M/YYYY\\)\\? the week of 2023-01-09 is 01/09/2023 month first",
    ),
    "start_day_first_no_such_month": (
        "TV,BrandA,WEST,16/01/2023,2023-01-30,1,1",
        "column 'start_date': '16/01/2023' is not a date; written day first \\(D/M/YYYY\\)\\? the week of 2023-01-16 "
        "is 01/16/2023 month first",
    ),
    "end_day_first": (
        "TV,BrandA,WEST,2023-01-09,06/02/2023,1,1",
        "column 'end_date': '06/02/2023' is outside the data .*the week of 2023-02-06 is 02/06/2023 month first",
    ),
    "start_day_first_not_a_week_row": (
        "TV,BrandA,WEST,02/01/2023,2023-01-30,1,1",
        "column 'start_date': '02/01/2023' is not the start of a week in the data; written day first "
        "\\(D/M/YYYY\\)\\? the week of 2023-01-02 is 01/02/2023 month first",
    ),
    "end_not_a_week_row": (
        "TV,BrandA,WEST,2023-01-09,2023-02-05,1,1",
        "column 'end_date': '2023-02-05' is not the start of a week",
    ),
    "empty_end": ("TV,BrandA,WEST,2023-01-09,,1,1", "column 'end_date': is empty; give a week-start date"),
    "end_before_start": (
        "TV,BrandA,WEST,2023-01-30,2023-01-09,1,1",
        "column 'end_date': '2023-01-09' is before start_date 2023-01-30",
    ),
    "sales_missing": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,,1",
        "column 'incremental_sales': is empty; give the channel's incremental Sales_Value in INR",
    ),
    "sales_na": ("TV,BrandA,WEST,2023-01-09,2023-01-30,NA,1", "column 'incremental_sales': is empty"),
    "sales_not_numeric": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,4.1M,1",
        "column 'incremental_sales': '4.1M' is not a number",
    ),
    "sales_with_separators": (
        'TV,BrandA,WEST,2023-01-09,2023-01-30,"41,00,000",1',
        "column 'incremental_sales': '41,00,000' is not a number; .*no separators",
    ),
    "sales_infinite": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,inf,1",
        "column 'incremental_sales': 'inf' is not a finite number",
    ),
    "error_zero": ("TV,BrandA,WEST,2023-01-09,2023-01-30,1,0", "column 'standard_error': '0' is not > 0"),
    "error_negative": ("TV,BrandA,WEST,2023-01-09,2023-01-30,1,-5e5", "column 'standard_error': '-5e5' is not > 0"),
    "error_missing": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1,",
        "column 'standard_error': is empty; give the standard error",
    ),
    "error_not_numeric": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1,half",
        "column 'standard_error': 'half' is not a number",
    ),
    "error_nan": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1,nan",
        "column 'standard_error': 'nan' is not a finite number; give the standard error",
    ),
    "sales_nan": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,NaN,1",
        "column 'incremental_sales': 'NaN' is not a finite number; give the channel's incremental Sales_Value",
    ),
    "sales_above_the_slice_total": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1e20,1",
        "column 'incremental_sales': 1e\\+20 INR is more than all Sales_Value of BrandA, WEST from 2023-01-09 to "
        "2023-01-30 \\(4,00,00,000 INR\\), and a channel cannot add more than the sales there were; give the "
        "channel's incremental Sales_Value in INR summed over that slice and those weeks",
    ),
    "negative_sales_above_the_slice_total": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,-40000001,1",
        "column 'incremental_sales': -4,00,00,001 INR \\(a fall of 4,00,00,001 INR\\) is more than "
        "all Sales_Value of BrandA, WEST",
    ),
    "error_above_the_slice_total": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1,5e7",
        "column 'standard_error': 5,00,00,000 INR is more than all Sales_Value of BrandA, WEST from 2023-01-09 to "
        "2023-01-30 \\(4,00,00,000 INR\\); give the standard error of incremental_sales in INR",
    ),
    "error_too_small_to_be_measured": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1000,1e-300",
        "column 'standard_error': 1e-300 INR is below a hundred-millionth of all Sales_Value of BrandA, WEST from 2023-01-09 "
        "to 2023-01-30 \\(4,00,00,000 INR\\): no experiment measures that precisely",
    ),
    # before, 30 paise of standard error on 4 crore of sales passed, and the test outweighed all the data
    "error_of_a_paisa": (
        "TV,BrandA,WEST,2023-01-09,2023-01-30,1000,0.3",
        "column 'standard_error': 0.3 INR is below a hundred-millionth of all Sales_Value of BrandA, WEST",
    ),
    "no_exposure": (
        "Radio,BrandA,all,2023-01-09,2023-03-06,1,1",
        "column 'channel': Radio has no exposure in BrandA, all regions up to 2023-03-06",
    ),
    "no_exposure_yet": (
        "Radio,all,WEST,2023-01-02,2023-01-16,1,1",
        "column 'channel': Radio has no exposure in all brands, WEST up to 2023-01-16",
    ),
}


@pytest.mark.parametrize("row, message", list(BAD_ROWS.values()), ids=list(BAD_ROWS))
def test_bad_row_names_file_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, GOOD_ROW, row)
    with pytest.raises(InputError, match=f"^{path}: line 3, {message}") as caught:
        read_lift_tests(path, PANEL)
    assert "\n" not in str(caught.value)


def test_amounts_up_to_the_slice_total_of_sales_are_accepted(tmp_path: Path) -> None:
    # Each series sells 10,000,000 INR a week: BrandA/WEST over 4 weeks 4,00,00,000 INR in all.
    tests = read_lift_tests(write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,4e7,4e7"), PANEL)
    assert tests.incremental_sales.tolist() == [4e7] and tests.standard_error.tolist() == [4e7]
    # The total is summed over the slice's series: every brand and region is 4 series, 160,000,000 INR.
    path = write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,1e8,1", "TV,all,all,2023-01-09,2023-01-30,1e8,1")
    with pytest.raises(InputError, match="line 2, column 'incremental_sales': 10,00,00,000 INR is more than"):
        read_lift_tests(path, PANEL)
    assert len(read_lift_tests(write(tmp_path, "TV,all,all,2023-01-09,2023-01-30,1e8,10"), PANEL)) == 1


def test_amounts_in_messages_follow_the_number_format(tmp_path: Path) -> None:
    """Before, the messages grouped amounts the Western way whatever the project's number_format."""
    from mmm_analytics.config.viz import NumberFormat

    path = write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,6e7,1")
    with pytest.raises(InputError, match=r"6,00,00,000 INR is more than .*\(4,00,00,000 INR\)"):
        read_lift_tests(path, PANEL)
    with pytest.raises(InputError, match=r"60,000,000 INR is more than .*\(40,000,000 INR\)"):
        read_lift_tests(path, PANEL, fmt=NumberFormat.WESTERN)


def test_slice_total_counts_every_sku_of_the_slice(tmp_path: Path) -> None:
    path = write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,6e7,1")
    with pytest.raises(InputError, match=r"\(4,00,00,000 INR\)"):
        read_lift_tests(path, PANEL)
    assert read_lift_tests(path, make_panel(skus=True)).incremental_sales.tolist() == [6e7]  # 2 SKUs: 80,000,000


def test_first_bad_column_of_a_row_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "Cinema,BrandZ,WEST,soon,2023-01-30,x,0")
    with pytest.raises(InputError, match="line 2, column 'channel'"):
        read_lift_tests(path, PANEL)


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ROW, "", "", "TV,BrandA,NORTH,2023-01-09,2023-01-30,1,1")
    with pytest.raises(InputError, match="line 5, column 'region'"):
        read_lift_tests(path, PANEL)


def test_name_matching_only_up_to_case_and_ambiguous(tmp_path: Path) -> None:
    panel = make_panel(regions=("WEST", "West"))
    path = write(tmp_path, "TV,BrandA,west,2023-01-09,2023-01-30,1,1")
    with pytest.raises(InputError, match="line 2, column 'region': region 'west' matches WEST, West up to case"):
        read_lift_tests(path, panel)
    assert read_lift_tests(write(tmp_path, "TV,BrandA,West,2023-01-09,2023-01-30,1,1"), panel).series.sum() == 1.0


def test_a_region_typed_decomposed_is_the_data_s_region(tmp_path: Path) -> None:
    """Before, 'Quere\u0301taro' (a combining accent) was an unknown region beside the data's 'Querétaro'."""
    panel = make_panel(regions=("Quer\u00e9taro", "WEST"))
    path = write(tmp_path, "TV,BrandA,Quere\u0301taro,2023-01-09,2023-01-30,1,1")
    assert (
        read_lift_tests(path, panel).series.tolist()
        == read_lift_tests(write(tmp_path, "TV,BrandA,Quer\u00e9taro,2023-01-09,2023-01-30,1,1"), panel).series.tolist()
    )


@pytest.mark.parametrize(
    "second",
    ["TV,BrandA,WEST,2023-01-09,2023-01-30,4200000,600000", "tv,branda,west,1/9/2023,1/30/2023,4100000,500000"],
    ids=["same_slice_other_result", "same_row_other_spelling"],
)
def test_duplicate_rows(tmp_path: Path, second: str) -> None:
    path = write(tmp_path, GOOD_ROW, second)
    with pytest.raises(InputError, match="line 3, columns 'channel' to 'end_date': repeats the test on line 2"):
        read_lift_tests(path, PANEL)


def test_overlapping_but_different_slices_are_kept(tmp_path: Path) -> None:
    tests = read_lift_tests(write(tmp_path, GOOD_ROW, "TV,all,WEST,2023-01-09,2023-01-30,9e6,1e6"), PANEL)
    assert len(tests) == 2


# --- bad files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, message",
    [
        ("channel,brand,region,start_date,end_date,incremental_sales", "missing column 'standard_error'"),
        ("channel,brand,region,start,end_date,incremental_sales,standard_error", "unknown column 'start'"),
        (f"{HEADER},note", "unknown column 'note'"),
        (f"{HEADER},brand", "column 'brand' appears 2 times"),
    ],
    ids=["missing", "misspelt", "extra", "repeated"],
)
def test_wrong_columns(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, GOOD_ROW, header=header)
    with pytest.raises(
        InputError, match=f"^{path}: line 1 \\(header\\): {message}; the header must be exactly {HEADER}$"
    ):
        read_lift_tests(path, PANEL)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (f"{HEADER}\n\n".encode(), "the file has a header but no tests"),
        (HEADER.encode("utf-16"), "not UTF-8 text"),
        (f"{HEADER}\nTV,Br\xe4ndA,WEST,1,2,3,4\n".encode("latin-1"), "not a readable CSV"),
        (f"{HEADER}\n{GOOD_ROW},extra\n".encode(), "line 2 has a value in cell 8, beyond the header's 7 columns"),
        (f"{HEADER}\n{GOOD_ROW}{',x' * 70}\n".encode(), "not a readable CSV \\(.*line 2, saw 77"),
    ],
    ids=["empty", "blank_lines", "header_only", "utf16", "latin1", "too_many_cells", "far_too_many_cells"],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "lift.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=f"^{path}: {message}"):
        read_lift_tests(path, PANEL)


@pytest.mark.parametrize("blank_lines", ["", "\n\n"], ids=["header_first", "under_blank_lines"])
def test_a_semicolon_separated_file_is_named_as_such(tmp_path: Path, blank_lines: str) -> None:
    """Before: unknown column 'channel;brand;region;...'."""
    path = tmp_path / "lift.csv"
    path.write_text(blank_lines + "\n".join(line.replace(",", ";") for line in (HEADER, GOOD_ROW)) + "\n")
    with pytest.raises(
        InputError, match=f"^{path}: the file looks semicolon-separated .*save it as comma-separated CSV"
    ):
        read_lift_tests(path, PANEL)


def test_short_row_reads_as_empty_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30")
    with pytest.raises(InputError, match="line 2, column 'incremental_sales': is empty"):
        read_lift_tests(path, PANEL)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lift-test file not found"):
        read_lift_tests(tmp_path / "nope.csv", PANEL)
    with pytest.raises(InputError, match="is a folder"):
        read_lift_tests(tmp_path, PANEL)
    pipe = tmp_path / "lift.csv"
    os.mkfifo(pipe)  # before: "lift-test file not found" for a file that is there
    with pytest.raises(InputError, match="lift.csv: is not a regular file"):
        read_lift_tests(pipe, PANEL)


def test_errors_are_input_errors_for_the_command_line() -> None:
    assert issubclass(InputError, ValueError)  # the CLI turns exactly these into one line and exit code 2


# --- fuzzing: whatever the file holds, the only error is an InputError ------------------

GARBAGE = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "nan", "NA", "all", "2023-01-10", "99999-01-01", "1/1/1800", "1e400", "0"]),
)
#: Per column: a good value or garbage, so that whole good rows (and repeats) come up too.
COLUMN_VALUES = {
    "channel": ["TV", "tv", "radio"],
    "brand": ["BrandA", "branda", "all"],
    "region": ["WEST", "east", "ALL"],
    "start_date": ["2023-01-02", "1/23/2023", "2023-03-06"],
    "end_date": ["2023-01-30", "3/6/2023", "2023-01-02"],
    "incremental_sales": ["4100000", "-2.5", "1e6"],
    "standard_error": ["500000", "1", "2.5e5"],
}


def _mostly[T](good: st.SearchStrategy[T], bad: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``good`` five times in six, else ``bad``."""
    return st.integers(0, 5).flatmap(lambda k: bad if k == 0 else good)


ROW = st.tuples(*(_mostly(st.sampled_from(values), GARBAGE) for values in COLUMN_VALUES.values())).map(list)
ROWS = st.lists(_mostly(ROW, st.lists(GARBAGE, max_size=9)), max_size=5)


def _fuzz(path: Path) -> None:
    try:
        tests = read_lift_tests(path, PANEL)
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert tests.series.shape == (len(tests), 4) and tests.weeks.shape == (len(tests), 10)
    assert (tests.standard_error > 0).all() and np.isfinite(tests.incremental_sales).all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, header=st.sampled_from([list(LIFT_TEST_COLUMNS), list(reversed(LIFT_TEST_COLUMNS)), ["channel"]]))
def test_fuzzed_rows_raise_only_input_errors(rows: list[list[str]], header: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lift.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        _fuzz(path)


@settings(max_examples=100, deadline=None)
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: (HEADER + "\n" + t).encode())))
def test_fuzzed_bytes_raise_only_input_errors(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lift.csv"
        path.write_bytes(content)
        _fuzz(path)


def test_a_packed_or_unreadable_lift_test_file_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzipped lift-test file got 'not UTF-8 text (NUL bytes)'; an unreadable one the fix for an output
    ('choose a folder you can write to')."""
    import builtins
    import gzip

    packed = tmp_path / "lift.csv.gz"
    packed.write_bytes(gzip.compress(write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,1000,100").read_bytes()))
    with pytest.raises(InputError, match=r"lift\.csv\.gz: a gzip-compressed file, not a CSV; unpack it"):
        read_lift_tests(packed, PANEL)
    path = write(tmp_path, "TV,BrandA,WEST,2023-01-09,2023-01-30,1000,100")
    real_open = builtins.open

    def refused(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(str(file)) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refused)
    with pytest.raises(InputError, match=r"cannot be read \(permission denied\); make it readable"):
        read_lift_tests(path, PANEL)


def test_overlapping_tests_and_tests_in_the_holdout_are_named(tmp_path: Path) -> None:
    """Before, the same experiment given as a regional and a brand row over the same weeks counted twice without a
    word, and a test wholly in the holdout weeks went into the fit unremarked."""
    from mmm_analytics.models.lift_tests import lift_test_notes

    alone = read_lift_tests(write(tmp_path, GOOD_ROW, "TV,BrandB,EAST,2023-01-09,2023-01-30,4100000,500000"), PANEL)
    assert lift_test_notes(alone, PANEL.n_train_weeks) == ()  # other series: no overlap
    rows = (
        GOOD_ROW,
        "TV,all,WEST,2023-01-23,2023-02-06,4100000,500000",
        "TV,BrandA,EAST,2023-02-27,2023-03-06,1000,500",
    )
    path = write(tmp_path, *rows)
    overlap, holdout = lift_test_notes(read_lift_tests(path, PANEL), PANEL.n_train_weeks)
    assert overlap.startswith(
        f"lift tests 'TV, BrandA, WEST, 2023-01-09 to 2023-01-30' ({path}: line 2) and 'TV, all brands, WEST, "
    )
    assert f"({path}: line 3) measure overlapping sales" in overlap
    assert holdout.startswith(
        f"lift test 'TV, BrandA, EAST, 2023-02-27 to 2023-03-06' ({path}: line 4) lies wholly in the holdout weeks"
    )


def test_a_selection_of_tests_keeps_each_test_s_file_and_line(tmp_path: Path) -> None:
    """The file and line go with each test into a market's selection; a saved model's tests (no file) are named by
    their label alone."""
    path = write(tmp_path, GOOD_ROW, "Radio,all,all,2023-02-06,2023-03-06,7,3")
    tests = read_lift_tests(path, PANEL)
    assert tests.sources == (f"{path}: line 2", f"{path}: line 3")
    picked = tests.select(np.array([1]), np.array([1, 3]))
    assert picked.sources == (f"{path}: line 3",) and picked.named(0) == f"'{picked.labels[0]}' ({path}: line 3)"
    saved = LiftTests.from_config(tests.to_config())
    assert saved.named(1) == f"'{tests.labels[1]}'" and saved.select(np.array([0]), np.array([0])).sources == ()


def test_the_readme_s_example_is_accepted_on_the_bundled_panel_and_near_its_truth(tmp_path: Path) -> None:
    """README's example was refused on the panel `make run` makes (4,100,000 INR of TV in WEST over 8 weeks,
    more than all the sales there were)."""
    from mmm_analytics.config import load_config
    from mmm_analytics.synthetic import generate_panel

    from .conftest import CONFIG_DIR, to_feature_panel

    readme = (CONFIG_DIR.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    config = load_config(CONFIG_DIR)
    generated = generate_panel(config.data.synthetic)
    panel = to_feature_panel(generated, config)
    path = tmp_path / "lift_tests.csv"
    path.write_text(example, encoding="utf-8")
    tests = read_lift_tests(path, panel, max_lag=config.model.max_lag)
    assert len(tests) == 3
    geos, brands = list(generated.geos), list(generated.brands)
    truth = np.stack(  # (S, T, C): the true contribution of each series of the panel, summed over its SKUs
        [generated.contribution[geos.index(g), brands.index(b)] for g, b in zip(panel.geo, panel.brand, strict=True)]
    )
    for n in range(len(tests)):
        true = float((tests.series[n][:, None] * tests.weeks[n][None, :] * truth[..., tests.channel[n]]).sum())
        assert abs(tests.incremental_sales[n] - true) < 3 * tests.standard_error[n], (n, true)
