"""Per-series imputation and robust outlier handling; the clean-panel contract and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.config.data import (
    CleaningSettings,
    DataConfig,
    ImputeMethod,
    OutlierAction,
    OutlierMethod,
    OutlierSettings,
)
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import (
    MIN_OFF_SALE_WEEKS,
    OUTLIER_COLUMNS,
    OUTLIER_FLAG,
    SALES_OBSERVED,
    clean_panel,
    cleaning_report,
    extreme_outlier_notes,
    handle_outliers,
    impute,
    off_sale_notes,
    to_contract,
    total_changes,
    unreported_end_notes,
)
from mmm_analytics.data.validation import validate_panel
from mmm_analytics.errors import InputError

N_WEEKS = 12
#: Small deterministic wiggle so the robust scale of a series is not 0.
WIGGLE = np.array([0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.5, -1.5, 0.0, 1.0, -1.0])


def _tiny_frame(n_series: int = 2) -> pd.DataFrame:
    """``n_series`` series x 12 weeks, every numeric column 1.0 except Sales_Value = 100 + wiggle."""
    dates = pd.date_range("2023-01-02", periods=N_WEEKS, freq="7D").astype("datetime64[ns]")
    rows = []
    for s in range(n_series):
        for t, date in enumerate(dates):
            row = {c: 1.0 for c in schema.NUMERIC_COLUMNS}
            row.update(
                {
                    schema.DATE: date,
                    schema.GEO: f"G{s}",
                    schema.BRAND: "BrandA",
                    schema.SKU: "BrandA_SKU1",
                    "Sales_Value": 100.0 + 10 * s + WIGGLE[t],
                    "TPR_Flag": 0.0,
                }
            )
            rows.append(row)
    return pd.DataFrame(rows)[list(schema.ALL_COLUMNS)]


def _series(frame: pd.DataFrame, geo: str, column: str) -> np.ndarray:
    return frame.loc[frame[schema.GEO] == geo, column].to_numpy()


def test_linear_interpolates_inside_and_holds_the_ends() -> None:
    frame = _tiny_frame()
    values = _series(frame, "G0", "Sales_Value").copy()
    frame.loc[[0, 3, 4], "Sales_Value"] = np.nan
    filled, imputed, borrowed = impute(frame, ImputeMethod.LINEAR)
    got = _series(filled, "G0", "Sales_Value")
    expected_inside = values[2] + (values[5] - values[2]) * np.array([1, 2]) / 3
    np.testing.assert_allclose(got[[3, 4]], expected_inside, rtol=1e-12)
    assert got[0] == values[1]
    assert imputed == {"Sales_Value": 3}
    assert borrowed == {}


def test_ffill_carries_forward_and_back_fills_the_start() -> None:
    frame = _tiny_frame()
    values = _series(frame, "G0", "Sales_Value").copy()
    frame.loc[[0, 3, 4], "Sales_Value"] = np.nan
    got = _series(impute(frame, ImputeMethod.FFILL)[0], "G0", "Sales_Value")
    np.testing.assert_array_equal(got[[0, 3, 4]], [values[1], values[2], values[2]])


def test_median_uses_the_series_median() -> None:
    frame = _tiny_frame()
    frame.loc[[12 + 5], "Sales_Value"] = np.nan  # series G1
    expected = np.nanmedian(_series(frame, "G1", "Sales_Value"))
    got = _series(impute(frame, ImputeMethod.MEDIAN)[0], "G1", "Sales_Value")
    assert got[5] == pytest.approx(expected, rel=1e-12)


def test_series_without_values_borrows_the_week_median_of_others() -> None:
    frame = _tiny_frame(n_series=3)
    frame.loc[frame[schema.GEO] == "G0", "Sales_Value"] = np.nan
    filled, imputed, borrowed = impute(frame, ImputeMethod.LINEAR)
    others = (_series(frame, "G1", "Sales_Value") + _series(frame, "G2", "Sales_Value")) / 2
    np.testing.assert_allclose(_series(filled, "G0", "Sales_Value"), others, rtol=1e-12)
    assert imputed == {"Sales_Value": N_WEEKS}
    assert borrowed == {"Sales_Value": N_WEEKS}


def test_imputed_flags_stay_zero_or_one() -> None:
    frame = _tiny_frame()
    frame.loc[0:3, "TPR_Flag"] = [0.0, 1.0, np.nan, 1.0]
    frame.loc[4:6, "Feature_Flag"] = [0.0, np.nan, 1.0]
    filled, _, _ = impute(frame, ImputeMethod.LINEAR)
    assert set(filled["TPR_Flag"].unique()) <= {0.0, 1.0}
    assert filled.loc[2, "TPR_Flag"] == 1.0
    assert filled.loc[5, "Feature_Flag"] in (0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(
    missing=st.lists(st.booleans(), min_size=2 * N_WEEKS, max_size=2 * N_WEEKS).filter(lambda m: not all(m)),
    method=st.sampled_from(list(ImputeMethod)),
)
def test_imputation_fills_every_gap_and_keeps_observed_values(missing: list[bool], method: ImputeMethod) -> None:
    frame = _tiny_frame()
    observed = frame["Sales_Value"].copy()
    mask = np.array(missing)
    frame.loc[mask, "Sales_Value"] = np.nan
    filled, imputed, _ = impute(frame, method)
    assert not filled["Sales_Value"].isna().any()
    np.testing.assert_array_equal(filled.loc[~mask, "Sales_Value"], observed[~mask])
    assert imputed.get("Sales_Value", 0) == int(mask.sum())
    assert filled["Sales_Value"].between(observed.min(), observed.max()).all()


@settings(max_examples=25, deadline=None)
@given(missing=st.lists(st.booleans(), min_size=2 * N_WEEKS, max_size=2 * N_WEEKS))
def test_linear_matches_pandas_interpolate_per_series(missing: list[bool]) -> None:
    frame = _tiny_frame()
    frame.loc[np.array(missing), "Sales_Value"] = np.nan
    filled, _, _ = impute(frame, ImputeMethod.LINEAR)
    reference = frame.groupby(schema.GEO)["Sales_Value"].transform(
        lambda s: s.interpolate(method="linear", limit_direction="both")
    )
    has_values = frame.groupby(schema.GEO)["Sales_Value"].transform("count") > 0
    np.testing.assert_allclose(filled.loc[has_values, "Sales_Value"], reference[has_values], rtol=1e-12)


def _with_spike(spike: float = 180.0) -> pd.DataFrame:
    frame = _tiny_frame()
    frame.loc[6, "Sales_Value"] = spike  # series G0, week 6
    frame.loc[[2, 3, 9], "TPR_Flag"] = 1.0  # a promotion in G0 lifts sales by 30%
    frame.loc[[2, 3, 9], "Sales_Value"] *= 1.3
    return frame


@pytest.mark.parametrize("method", [OutlierMethod.MAD, OutlierMethod.IQR], ids=["mad", "iqr"])
def test_spike_is_flagged_but_promotion_uplift_is_not(method: OutlierMethod) -> None:
    frame = _with_spike()
    out, table, flagged, clipped = handle_outliers(frame, OutlierSettings(method=method, columns=["Sales_Value"]))
    assert out.index[out[OUTLIER_FLAG]].tolist() == [6]
    assert flagged == {"Sales_Value": 1}
    assert clipped == {}
    assert out.loc[6, "Sales_Value"] == 180.0
    assert list(table.columns) == list(OUTLIER_COLUMNS)
    record = table.iloc[0]
    assert (record["column"], record["value"], record["value_after"]) == ("Sales_Value", 180.0, 180.0)
    assert "above the series median of non-promotion weeks" in record["reason"]


def test_a_value_kept_far_beyond_any_real_week_is_named() -> None:
    """Before, a Sales_Value typed 10,000 times too large was only counted among the flagged outliers and went
    on to wreck every ROI without a word."""
    spike = _with_spike(spike=1e7)
    _, table, _, _ = handle_outliers(spike, OutlierSettings(columns=["Sales_Value"]))
    (note,) = extreme_outlier_notes(table)
    assert note.startswith("Sales_Value of G0/") and "is 1,00,00,000" in note and "kept as it is" in note
    (western,) = extreme_outlier_notes(table, NumberFormat.WESTERN)
    assert "is 10,000,000" in western and "1,00,00,000" not in western
    assert note.endswith("fix the row, or set cleaning.outliers.action: clip in data_config.yaml")
    _, ordinary, _, _ = handle_outliers(_with_spike(), OutlierSettings(columns=["Sales_Value"]))
    assert not ordinary.empty and extreme_outlier_notes(ordinary) == ()  # a spike of an ordinary size
    # A festival week of four times the usual sales in a quiet series: far in robust spreads, not a slip.
    festival = _tiny_frame()
    festival["Sales_Value"] = 100.0 + np.linspace(-1.0, 1.0, len(festival))
    festival.loc[6, "Sales_Value"] = 400.0
    _, table, _, _ = handle_outliers(festival, OutlierSettings(columns=["Sales_Value"]))
    assert table["score"].max() > 50 and extreme_outlier_notes(table) == ()
    clip = OutlierSettings(columns=["Sales_Value"], action=OutlierAction.CLIP)
    assert extreme_outlier_notes(handle_outliers(spike, clip)[1]) == ()  # clipped: nothing kept


def test_clip_moves_the_value_to_the_threshold() -> None:
    settings_ = OutlierSettings(
        method=OutlierMethod.MAD, threshold=4.0, action=OutlierAction.CLIP, columns=["Sales_Value"]
    )
    out, table, flagged, clipped = handle_outliers(_with_spike(), settings_)
    record = table.iloc[0]
    expected = record["series_median"] + 4.0 * record["robust_scale"]
    assert out.loc[6, "Sales_Value"] == pytest.approx(expected, rel=1e-12)
    assert record["value_after"] == pytest.approx(expected, rel=1e-12)
    assert clipped == flagged == {"Sales_Value": 1}


def test_mad_scale_is_the_scaled_median_absolute_distance() -> None:
    frame = _tiny_frame()
    frame.loc[6, "Sales_Value"] = 180.0
    _, table, _, _ = handle_outliers(frame, OutlierSettings(columns=["Sales_Value"]))
    values = _series(frame, "G0", "Sales_Value")
    centre = np.median(values)
    scale = 1.4826 * np.median(np.abs(values - centre))
    assert table.iloc[0]["score"] == pytest.approx((180.0 - centre) / scale, rel=1e-12)


def test_method_none_and_constant_series_flag_nothing() -> None:
    frame = _with_spike()
    out, table, flagged, _ = handle_outliers(frame, OutlierSettings(method=OutlierMethod.NONE))
    assert not out[OUTLIER_FLAG].any() and table.empty and flagged == {}
    out, table, _, _ = handle_outliers(_tiny_frame(), OutlierSettings(columns=["CPI"]))  # CPI constant 1.0
    assert not out[OUTLIER_FLAG].any() and list(table.columns) == list(OUTLIER_COLUMNS)


def test_unknown_outlier_column_names_the_config_key() -> None:
    with pytest.raises(InputError, match=r"'cleaning\.outliers\.columns': 'Sales_Valu' .* did you mean 'Sales_Value'"):
        handle_outliers(_tiny_frame(), OutlierSettings(columns=["Sales_Valu"]))


def test_clean_panel_meets_the_contract_and_report_counts_changes(raw_small: pd.DataFrame) -> None:
    raw = raw_small.drop(index=[8]).reset_index(drop=True)  # one missing week -> one row added
    raw.loc[[20, 30], "TV_Impressions"] = ""
    validated = validate_panel(raw, "small.csv")
    cleaned = clean_panel(validated.frame.sample(frac=1.0, random_state=0), CleaningSettings())
    frame = cleaned.frame
    assert list(frame.columns) == [*schema.ALL_COLUMNS, OUTLIER_FLAG, SALES_OBSERVED]
    assert frame[schema.DATE].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == "int64" for c in schema.FLAG_COLUMNS)
    other = [c for c in schema.NUMERIC_COLUMNS if c not in schema.FLAG_COLUMNS]
    assert all(frame[c].dtype == "float64" for c in other)
    assert frame[OUTLIER_FLAG].dtype == bool and frame[SALES_OBSERVED].dtype == bool
    # Before, the added week's sales, copied from its neighbours, were as good as any observed week's.
    assert (~frame[SALES_OBSERVED]).sum() == 1
    added = frame.loc[~frame[SALES_OBSERVED]].iloc[0]
    assert (added[schema.DATE], added[schema.GEO]) == (
        pd.Timestamp(raw_small.loc[8, schema.DATE]),
        raw_small.loc[8, schema.GEO],
    )
    assert not frame.isna().any().any()
    assert frame.equals(frame.sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True))
    report = cleaning_report(validated, cleaned, CleaningSettings(), "small.csv")
    assert report["rows_added_for_missing_weeks"] == 1
    assert report["rows_out"] == 416 and report["rows_dropped"] == 0
    assert report["imputation"]["cells"]["TV_Impressions"] == 3
    assert report["imputation"]["cells"]["CPI"] == 1
    assert report["imputation"]["total"] == 24 + 2
    assert report["total_changes"] == total_changes(validated, cleaned) == 1 + 26
    assert report["outliers"]["flagged_rows"] == int(frame[OUTLIER_FLAG].sum())


# ----- a channel given by a spend column outside the schema (TV: {column: TV_Impressions, spend_column: TV_Spend})
SPEND_CONFIG = DataConfig.model_validate(
    {
        "channels": {
            "TV": {"column": "TV_Impressions", "spend_column": "TV_Spend"},
            "Radio": {"column": "Radio_Listenership", "cpm": 0.6},
        }
    }
)


@pytest.mark.parametrize("method", list(ImputeMethod), ids=[m.value for m in ImputeMethod])
def test_spend_column_is_imputed_per_series_like_media(method: ImputeMethod) -> None:
    frame = _tiny_frame()
    frame["TV_Spend"] = 500.0 + 40.0 * (frame[schema.GEO] == "G1") + 7.0 * np.tile(WIGGLE, 2)
    frame["TV_Impressions"] = frame["TV_Spend"]
    observed = frame["TV_Spend"].copy()
    gaps = [0, 3, 4, 12 + 7]
    frame.loc[gaps, ["TV_Spend", "TV_Impressions"]] = np.nan
    filled, imputed, borrowed = impute(frame, method)
    assert not filled["TV_Spend"].isna().any()
    np.testing.assert_array_equal(filled["TV_Spend"], filled["TV_Impressions"])
    kept = ~frame.index.isin(gaps)
    np.testing.assert_array_equal(filled.loc[kept, "TV_Spend"], observed[kept])
    assert imputed == {"TV_Impressions": 4, "TV_Spend": 4}
    assert borrowed == {}


def test_series_without_spend_borrows_the_week_median_of_others() -> None:
    frame = _tiny_frame(n_series=3)
    frame["TV_Spend"] = 100.0 * (frame.groupby(schema.GEO).ngroup() + 1)
    frame.loc[frame[schema.GEO] == "G0", "TV_Spend"] = np.nan
    filled, imputed, borrowed = impute(frame, ImputeMethod.LINEAR)
    np.testing.assert_array_equal(_series(filled, "G0", "TV_Spend"), np.full(N_WEEKS, 250.0))
    assert imputed == borrowed == {"TV_Spend": N_WEEKS}


def test_clean_panel_keeps_the_spend_column(raw_small: pd.DataFrame) -> None:
    raw = raw_small.assign(TV_Spend=(raw_small["TV_Impressions"].astype(float) * 1.2 / 1000).map(repr))
    raw.loc[[20, 30], "TV_Spend"] = ""
    raw = raw.drop(index=[8]).reset_index(drop=True)  # one missing week -> one row added
    validated = validate_panel(raw, "small.csv", SPEND_CONFIG.channel_table())
    cleaned = clean_panel(validated.frame.sample(frac=1.0, random_state=0), CleaningSettings())
    frame = cleaned.frame
    assert list(frame.columns) == [*schema.ALL_COLUMNS, "TV_Spend", OUTLIER_FLAG, SALES_OBSERVED]
    assert frame["TV_Spend"].dtype == "float64"
    assert not frame.isna().any().any()
    assert frame.equals(frame.sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True))
    observed = validated.frame["TV_Spend"].notna().to_numpy()
    np.testing.assert_array_equal(frame.loc[observed, "TV_Spend"], validated.frame.loc[observed, "TV_Spend"])
    assert (frame["TV_Spend"] >= 0).all()
    assert cleaned.imputed["TV_Spend"] == 3
    report = cleaning_report(validated, cleaned, CleaningSettings(), "small.csv")
    assert report["imputation"]["cells"]["TV_Spend"] == 3
    pd.testing.assert_frame_equal(to_contract(frame), frame)  # what reading clean_panel.parquet back applies


def test_contract_casts_a_spend_column_to_float(raw_small: pd.DataFrame) -> None:
    validated = validate_panel(raw_small, "small.csv")
    cleaned = clean_panel(validated.frame, CleaningSettings())
    spent = cleaned.frame.assign(TV_Spend=np.arange(len(cleaned.frame)))  # int64 as a reader may give it
    out = to_contract(spent[[OUTLIER_FLAG, "TV_Spend", *schema.ALL_COLUMNS]])  # no sales_observed: all observed
    assert list(out.columns) == [*schema.ALL_COLUMNS, "TV_Spend", OUTLIER_FLAG, SALES_OBSERVED]
    assert out[SALES_OBSERVED].all()
    assert out["TV_Spend"].dtype == "float64"


def _off_sale(raw_small: pd.DataFrame, weeks: int, at_end: bool = False) -> pd.DataFrame:
    """The small panel typed, with the first (or last) ``weeks`` weeks of one series at no sales and price 0."""
    frame = validate_panel(raw_small, "small.csv").frame
    first = frame[list(schema.KEY_COLUMNS)].iloc[0]
    series = (frame[list(schema.KEY_COLUMNS)] == first).all(axis=1)
    dates = np.sort(frame[schema.DATE].unique())
    span = dates[-weeks:] if at_end else dates[:weeks]
    rows = series & frame[schema.DATE].isin(span)
    frame.loc[rows, [schema.SALES_VALUE, schema.SALES_UNITS, schema.NET_PRICE, schema.MRP]] = 0.0
    return frame


def test_weeks_before_a_launch_written_as_zeros_are_named(raw_small: pd.DataFrame) -> None:
    """Before, 30 weeks of zero sales at price 0 before a launch passed without a word, and the EDA led
    with the price moving most with sales."""
    [note] = off_sale_notes(_off_sale(raw_small, 30))
    assert note.startswith("series ") and "no sales at a price of 0 in its first 30 of 104 weeks (" in note
    assert "start the file at the launch" in note and "\n" not in note


def test_weeks_after_a_delisting_are_named_and_a_short_gap_is_not(raw_small: pd.DataFrame) -> None:
    [note] = off_sale_notes(_off_sale(raw_small, 8, at_end=True))
    assert "in its last 8 of 104 weeks" in note
    assert off_sale_notes(_off_sale(raw_small, MIN_OFF_SALE_WEEKS - 1)) == ()
    assert off_sale_notes(validate_panel(raw_small, "small.csv").frame) == ()


@pytest.mark.parametrize("at_end", [False, True], ids=["starts-late", "ends-early"])
def test_weeks_a_series_has_no_row_for_at_its_ends_are_named(raw_small: pd.DataFrame, at_end: bool) -> None:
    """Before, a series that started 20 weeks late got its first week's sales and media copied into them,
    said only as "N row(s) added for missing weeks" under 'fixed'."""
    assert unreported_end_notes(validate_panel(raw_small, "small.csv").frame) == ()
    keys = list(schema.KEY_COLUMNS)
    series = (raw_small[keys] == raw_small[keys].iloc[0]).all(axis=1)
    dates = pd.to_datetime(raw_small[schema.DATE], format="mixed")
    weeks = np.sort(dates.unique())

    def without(span: np.ndarray) -> pd.DataFrame:
        return raw_small.loc[~(series & dates.isin(span))]

    padded = validate_panel(without(weeks[-20:] if at_end else weeks[:20]), "small.csv").frame  # rows added back
    [note] = unreported_end_notes(padded)
    assert f"has no row for its {'last' if at_end else 'first'} 20 of 104 weeks (" in note
    assert "the model leaves those weeks' sales out of its fit and its scores" in note
    short = validate_panel(without(weeks[: MIN_OFF_SALE_WEEKS - 1]), "small.csv").frame
    assert unreported_end_notes(short) == ()
