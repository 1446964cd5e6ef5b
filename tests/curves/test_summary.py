"""Tests of contribution, ROI and marginal ROI tables against independent NumPy references."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.curves.evaluation import evaluate
from mmm_analytics.curves.summary import (
    ROI_COLUMNS,
    SEGMENT_COLUMNS,
    SKU_SEGMENT_COLUMNS,
    RoiEstimates,
    channel_roi_table,
    estimate_roi,
    experiment_candidates,
    segment_roi_table,
)
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import contribution_totals

from .hand_model import build_params

LEVEL = 0.9


@pytest.fixture(scope="module")
def estimates(params: ResponseParams) -> RoiEstimates:
    return estimate_roi(params)


def reference_contribution(params: ResponseParams, draw: int | None = None) -> np.ndarray:
    """Sum over weeks of coef * hill(causal convolution of scaled exposure with the lag weights), (S, C)."""
    pick = (lambda a, d: a) if draw is None else (lambda a, d: a[d])
    weights = pick(params.lag_weights[0] if draw is None else params.lag_weights_draws[:, 0], draw)
    half = pick(params.half_saturation if draw is None else params.half_saturation_draws, draw)
    slope = pick(params.slope[0] if draw is None else params.slope_draws[:, 0], draw)
    coef = pick(params.coefficient if draw is None else params.coefficient_draws, draw)
    n_series, n_weeks, n_channels = params.exposure.shape
    total = np.zeros((n_series, n_channels))
    for s in range(n_series):
        for c in range(n_channels):
            carried = np.convolve(params.exposure[s, :, c] / params.exposure_scale[s, c], weights[:, c])[:n_weeks]
            ratio = (carried / half[s, c]) ** slope[c]
            total[s, c] = coef[s, c] * (ratio / (1.0 + ratio)).sum()
    return total


def test_csv_columns_are_exactly_as_specified(estimates: RoiEstimates) -> None:
    assert ROI_COLUMNS == (
        "channel",
        "spend",
        "contribution",
        "roi",
        "roi_lower",
        "roi_upper",
        "mroi",
        "mroi_lower",
        "mroi_upper",
    )
    assert tuple(channel_roi_table(estimates, LEVEL).columns) == ROI_COLUMNS
    assert tuple(segment_roi_table(estimates, LEVEL).columns) == ("brand", "region", *ROI_COLUMNS)
    assert ("brand", "region", *ROI_COLUMNS) == SEGMENT_COLUMNS


def test_contributions_equal_the_numpy_reference(estimates: RoiEstimates, params: ResponseParams) -> None:
    expected = reference_contribution(params)
    np.testing.assert_allclose(estimates.contribution, expected, rtol=1e-10)
    national = channel_roi_table(estimates, LEVEL)
    np.testing.assert_allclose(national["contribution"], expected.sum(axis=0), rtol=1e-10)
    segment = segment_roi_table(estimates, LEVEL)
    np.testing.assert_allclose(segment["contribution"], expected.reshape(-1), rtol=1e-10)


def test_contribution_equals_prediction_minus_baseline(estimates: RoiEstimates, params: ResponseParams) -> None:
    # The hand-set model's prediction is baseline + media, so the counterfactual difference is the media sum.
    counterfactual = (params.predicted_sales - params.baseline_sales).sum(axis=1)
    np.testing.assert_allclose(estimates.contribution.sum(axis=1), counterfactual, rtol=1e-10)


def test_roi_is_contribution_over_spend(estimates: RoiEstimates, params: ResponseParams) -> None:
    spend = (params.exposure * params.cpm / 1000.0).sum(axis=1)
    national = channel_roi_table(estimates, LEVEL)
    np.testing.assert_allclose(national["spend"], spend.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        national["roi"], reference_contribution(params).sum(axis=0) / spend.sum(axis=0), rtol=1e-10
    )


def test_roi_interval_is_the_quantile_of_per_draw_references(params: ResponseParams, estimates: RoiEstimates) -> None:
    spend = params.spend.sum(axis=1)
    per_draw = np.stack([reference_contribution(params, d) for d in range(params.n_draws)]) / spend
    segment = segment_roi_table(estimates, LEVEL)
    np.testing.assert_allclose(segment["roi_lower"], np.quantile(per_draw, 0.05, axis=0).reshape(-1), rtol=1e-10)
    np.testing.assert_allclose(segment["roi_upper"], np.quantile(per_draw, 0.95, axis=0).reshape(-1), rtol=1e-10)


def test_mroi_is_the_derivative_at_average_weekly_spend(estimates: RoiEstimates, params: ResponseParams) -> None:
    average = params.spend.mean(axis=1)
    step = 1e-4 * average
    high, _ = evaluate(params, (average + step)[:, None, :])
    low, _ = evaluate(params, (average - step)[:, None, :])
    numeric = (high - low)[:, 0, :] / (2.0 * step)
    np.testing.assert_allclose(estimates.mroi, numeric, rtol=1e-4)
    national = channel_roi_table(estimates, LEVEL)
    # Every series moves by the same share of its own average: d(sum response) / d(sum spend).
    np.testing.assert_allclose(
        national["mroi"], (high - low)[:, 0, :].sum(axis=0) / (2.0 * step.sum(axis=0)), rtol=1e-4
    )


@pytest.mark.parametrize("table", ["national", "segment"])
def test_intervals_contain_the_point_estimate(estimates: RoiEstimates, table: str) -> None:
    frame: pd.DataFrame = (channel_roi_table if table == "national" else segment_roi_table)(estimates, LEVEL)
    for name in ("roi", "mroi"):
        assert (frame[f"{name}_lower"] <= frame[name]).all() and (frame[name] <= frame[f"{name}_upper"]).all()
        assert (frame[f"{name}_upper"] > frame[f"{name}_lower"]).all()


def test_segment_rows_follow_series_then_channels(estimates: RoiEstimates, params: ResponseParams) -> None:
    frame = segment_roi_table(estimates, LEVEL)
    assert list(frame["brand"][:3]) == ["BrandA"] * 3 and list(frame["channel"][:3]) == list(params.channels)
    assert len(frame) == len(params.series_brand) * len(params.channels)
    assert isinstance(frame["channel"].dtype, pd.StringDtype)


def test_sku_granularity_gives_one_row_per_series_and_channel(
    sku_params: tuple[ResponseParams, tuple[str, ...]],
) -> None:
    params, skus = sku_params
    table = segment_roi_table(estimate_roi(params, skus), LEVEL)
    assert tuple(table.columns) == SKU_SEGMENT_COLUMNS
    assert len(table) == len(params.series_brand) * len(params.channels) == 24
    assert not table.duplicated(["brand", "region", "sku", "channel"]).any()
    first = table[(table["brand"] == "BrandA") & (table["region"] == "NORTH") & (table["channel"] == "TV")]
    assert list(first["sku"]) == ["BrandA_SKU1", "BrandA_SKU2"]
    plain = segment_roi_table(estimate_roi(params), LEVEL)
    pd.testing.assert_frame_equal(table.drop(columns="sku"), plain)


def test_a_series_that_never_spent_on_a_channel_has_no_roi_or_marginal_roi(params: ResponseParams) -> None:
    """Before, such a row showed the curve's slope at zero spend (tens of millions) as its marginal ROI."""
    exposure = params.exposure.copy()
    exposure[0, :, 1] = 0.0  # the first series never spent on the second channel
    unused = estimate_roi(dataclasses.replace(params, exposure=exposure))
    segments = segment_roi_table(unused, LEVEL)
    row = segments.iloc[1]
    assert row["contribution"] == 0.0
    assert row[["roi", "roi_lower", "roi_upper", "mroi", "mroi_lower", "mroi_upper"]].isna().all()
    numbers = segments.drop(index=1)[["roi", "mroi", "mroi_lower", "mroi_upper"]].to_numpy()
    assert np.isfinite(numbers).all()
    national = channel_roi_table(unused, LEVEL)
    assert np.isfinite(national[["roi", "mroi", "mroi_lower", "mroi_upper"]].to_numpy()).all()
    exposure[:, :, 1] = 0.0  # nobody spent on it
    nowhere = channel_roi_table(estimate_roi(dataclasses.replace(params, exposure=exposure)), LEVEL)
    assert nowhere.iloc[1][["roi", "mroi", "mroi_lower", "mroi_upper"]].isna().all()


def _channels(contribution: list[float], lower: list[float], upper: list[float]) -> pd.DataFrame:
    """Channels A, B, ... of ROI 2 with a fitted contribution and a 90% ROI interval."""
    names = [chr(ord("A") + k) for k in range(len(contribution))]
    return pd.DataFrame(
        {"channel": names, "contribution": contribution, "roi": 2.0, "roi_lower": lower, "roi_upper": upper}
    )


@pytest.mark.parametrize(
    "contribution, lower, upper, n, expected",
    [
        # contribution widths 30 x 1 / 2 = 15, 30 x 3 / 2 = 45, 40 x 1 / 2 = 20 INR
        ([30.0, 30.0, 40.0], [1.0, 1.0, 2.0], [2.0, 4.0, 3.0], 2, ["B", "C"]),
        # a big channel known to +-25% leaves more sales unexplained than a small one known to 10x
        ([90.0, 10.0], [1.5, 0.3], [2.5, 3.0], 2, ["A", "B"]),
        ([50.0, 2.0, 48.0], [1.0, 0.1, 1.0], [2.0, 90.0, 3.0], 3, ["C", "A"]),  # B holds 2% of the media
        ([50.0, -5.0, 55.0], [1.0, 0.1, 1.0], [2.0, 90.0, 3.0], 3, ["C", "A"]),  # a negative contribution is none
        ([50.0, 50.0, 50.0], [1.0, np.nan, 1.0], [2.0, 3.0, np.inf], 3, ["A"]),  # an unknown width is never named
        ([50.0, 50.0], [1.0, 1.0], [2.0, 3.0], 0, []),
        ([0.0, 0.0], [1.0, 1.0], [2.0, 3.0], 2, []),  # no media contribution: nothing to suggest
    ],
    ids=["widest_first", "inr_not_ratio", "small_share", "negative", "unknown_never", "none_wanted", "no_media"],
)
def test_experiments_go_where_the_contribution_interval_is_widest_in_inr(
    contribution: list[float], lower: list[float], upper: list[float], n: int, expected: list[str]
) -> None:
    chosen = experiment_candidates(_channels(contribution, lower, upper), n)
    assert list(chosen["channel"]) == expected
    if expected:
        positive = sum(max(c, 0.0) for c in contribution)
        np.testing.assert_allclose(chosen["share"], np.clip(chosen["contribution"], 0, None) / positive)


def test_the_channel_table_ranks_its_own_channels(estimates: RoiEstimates) -> None:
    """On a real table the width is the contribution interval: (roi_upper - roi_lower) x spend."""
    table = channel_roi_table(estimates, 0.9)
    chosen = experiment_candidates(table, n=len(table))
    assert set(chosen["channel"]) <= set(table["channel"])
    widths = chosen["contribution_width"].to_numpy()
    np.testing.assert_allclose(
        widths, ((chosen["roi_upper"] - chosen["roi_lower"]) * chosen["spend"]).to_numpy(), rtol=1e-9
    )
    assert (np.diff(widths) <= 0).all() and (widths > 0).all()


def test_a_pooled_form_widens_the_intervals_and_averages_the_point_values(params: ResponseParams) -> None:
    """With a pooled form the ROI interval is the quantile of both forms' draws (equal counts: weighed
    equally), and contribution, roi and mroi are the mean of the two forms' (tolerance 1e-12). Before,
    they were the chosen form's alone, while the advice weighed both."""

    logistic = build_params(saturation="logistic")
    alone, pooled = estimate_roi(params), estimate_roi(params, pooled=(logistic,))
    assert pooled.contribution_draws.shape[0] == 2 * params.n_draws == pooled.mroi_draws.shape[0]
    table, table_alone = channel_roi_table(pooled, LEVEL), channel_roi_table(alone, LEVEL)
    table_other = channel_roi_table(estimate_roi(logistic), LEVEL)
    np.testing.assert_allclose(table["spend"], table_alone["spend"], rtol=1e-12)
    for column in ("contribution", "roi", "mroi"):
        mean = (table_alone[column] + table_other[column]) / 2
        np.testing.assert_allclose(table[column], mean, rtol=1e-12, err_msg=column)
        assert not np.allclose(table[column], table_alone[column], rtol=1e-6), column
    segments = segment_roi_table(pooled, LEVEL)
    mean = (segment_roi_table(alone, LEVEL)["mroi"] + segment_roi_table(estimate_roi(logistic), LEVEL)["mroi"]) / 2
    np.testing.assert_allclose(segments["mroi"], mean, rtol=1e-12)
    draws = np.concatenate([contribution_totals(params), contribution_totals(logistic)]).sum(axis=1)
    lower, upper = np.quantile(draws / table["spend"].to_numpy(), [0.05, 0.95], axis=0)
    np.testing.assert_allclose(table["roi_lower"], lower, rtol=1e-12)
    np.testing.assert_allclose(table["roi_upper"], upper, rtol=1e-12)
    assert not np.allclose(table["roi_lower"], table_alone["roi_lower"])
