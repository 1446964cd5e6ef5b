"""Tests of curve extraction on the hand-set model: analytic curves, mroi, intervals, saturation points."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.curves.evaluation import evaluate
from mmm_analytics.curves.extraction import (
    CURVE_COLUMNS,
    NATIONAL,
    SKU_CURVE_COLUMNS,
    CurveSet,
    average_weekly_spend,
    extract_curves,
)
from mmm_analytics.response.artifacts import ResponseParams

SETTINGS = CurveSettings(max_spend_multiple=2.0, points=21)
LEVEL = 0.9


@pytest.fixture(scope="module")
def curves(params: ResponseParams) -> CurveSet:
    return extract_curves(params, SETTINGS, LEVEL)


@pytest.fixture(scope="module")
def sigmoid_curves(sigmoid_params: ResponseParams) -> CurveSet:
    return extract_curves(sigmoid_params, SETTINGS, LEVEL)


def _carried_per_inr(params: ResponseParams) -> np.ndarray:
    """Steady-state carried scaled exposure per INR of weekly spend, shape (S, C)."""
    return 1000.0 / params.cpm / params.exposure_scale * params.carry_sum


def analytic_curve(params: ResponseParams, spend: np.ndarray) -> np.ndarray:
    """coef * x^s / (x^s + K^s) (Hill) or coef * tanh(ln3 x / (2K)) with x = spend*1000/cpm/scale*sum(w)."""
    x = spend * _carried_per_inr(params)[:, None, :]
    coef, half, slope = (
        params.coefficient[:, None, :],
        params.half_saturation[:, None, :],
        params.series_slope[:, None, :],
    )
    if params.saturation == "hill":
        return coef * x**slope / (x**slope + half**slope)
    return coef * np.tanh(np.log(3.0) / half * x / 2.0)


@pytest.mark.parametrize("which", ["curves", "sigmoid_curves"])
def test_extracted_curve_equals_the_analytic_steady_state(request: pytest.FixtureRequest, which: str) -> None:
    curve_set: CurveSet = request.getfixturevalue(which)
    params = request.getfixturevalue("params" if which == "curves" else "sigmoid_params")
    n_series = len(params.series_brand)
    expected = analytic_curve(params, curve_set.spend[:n_series])
    np.testing.assert_allclose(curve_set.response[:n_series], expected, rtol=1e-6, atol=0.0)
    np.testing.assert_allclose(curve_set.response[-1], expected.sum(axis=0), rtol=1e-6)


def test_spend_grid_runs_to_the_multiple_of_average_spend(curves: CurveSet, params: ResponseParams) -> None:
    average = average_weekly_spend(params)
    np.testing.assert_allclose(curves.spend[:-1, -1, :], 2.0 * average, rtol=1e-12)
    np.testing.assert_allclose(curves.current_spend[-1], average.sum(axis=0), rtol=1e-12)
    assert curves.spend.shape == (len(params.series_brand) + 1, SETTINGS.points, len(params.channels))


def test_curve_at_zero_spend_is_zero_with_a_zero_band(curves: CurveSet) -> None:
    for values in (curves.response, curves.response_lower, curves.response_upper):
        np.testing.assert_array_equal(values[:, 0, :], 0.0)


def test_curves_and_bands_are_monotone(curves: CurveSet, sigmoid_curves: CurveSet) -> None:
    for curve_set in (curves, sigmoid_curves):
        for values in (curve_set.response, curve_set.response_lower, curve_set.response_upper):
            assert np.all(np.diff(values, axis=1) >= 0.0)


def test_intervals_contain_the_point_estimate(curves: CurveSet) -> None:
    tolerance = 1e-9 * np.abs(curves.response).max()
    assert np.all(curves.response_lower <= curves.response + tolerance)
    assert np.all(curves.response <= curves.response_upper + tolerance)
    positive = curves.spend > 0
    assert np.all(curves.mroi_lower[positive] <= curves.mroi[positive] * (1 + 1e-9))
    assert np.all(curves.mroi[positive] <= curves.mroi_upper[positive] * (1 + 1e-9))
    assert np.all(curves.roi_lower[positive] <= curves.roi[positive] * (1 + 1e-9))
    assert np.all(curves.roi[positive] <= curves.roi_upper[positive] * (1 + 1e-9))


def test_mroi_matches_a_central_difference_of_the_response(curves: CurveSet, params: ResponseParams) -> None:
    spend = curves.spend[:-1, 1:, :]  # positive spends of the series rows
    step = 1e-4 * spend
    high, _ = evaluate(params, spend + step)
    low, _ = evaluate(params, spend - step)
    np.testing.assert_allclose(curves.mroi[:-1, 1:, :], (high - low) / (2.0 * step), rtol=1e-4)


def test_national_mroi_matches_a_central_difference_of_the_national_response(
    curves: CurveSet, params: ResponseParams
) -> None:
    average = average_weekly_spend(params)
    multiples = curves.multiples[1:]
    step = 1e-4 * multiples

    def national(m: np.ndarray) -> np.ndarray:
        return evaluate(params, m[None, :, None] * average[:, None, :])[0].sum(axis=0)

    numeric = (national(multiples + step) - national(multiples - step)) / (2.0 * step[:, None] * average.sum(axis=0))
    np.testing.assert_allclose(curves.mroi[-1, 1:, :], numeric, rtol=1e-4)


def test_average_roi_is_response_over_spend(curves: CurveSet) -> None:
    np.testing.assert_allclose(curves.roi[:, 1:, :], curves.response[:, 1:, :] / curves.spend[:, 1:, :], rtol=1e-12)


def test_ceiling_spend_matches_the_closed_form(curves: CurveSet, params: ResponseParams) -> None:
    # Hill reaches 90% of its ceiling at x = K * 9 ** (1 / slope).
    x90 = params.half_saturation * 9.0 ** (1.0 / params.series_slope)
    expected = x90 / _carried_per_inr(params)
    np.testing.assert_allclose(curves.ceiling_spend[:-1], expected, rtol=1e-8)
    national = curves.ceiling_spend[-1] / average_weekly_spend(params).sum(axis=0)
    reached, _ = evaluate(params, national[None, None, :] * average_weekly_spend(params)[:, None, :])
    np.testing.assert_allclose(reached.sum(axis=0)[0], 0.9 * params.coefficient.sum(axis=0), rtol=1e-8)


def test_breakeven_spend_is_where_mroi_falls_to_one(curves: CurveSet, params: ResponseParams) -> None:
    # Channel 0 has slope 1: mroi = coef * a * K / (K + a s)^2 = 1  =>  s = (sqrt(coef * a * K) - K) / a.
    a = _carried_per_inr(params)[:, 0]
    coef, half = params.coefficient[:, 0], params.half_saturation[:, 0]
    expected = np.maximum((np.sqrt(coef * a * half) - half) / a, 0.0)
    np.testing.assert_allclose(curves.breakeven_spend[:-1, 0], expected, rtol=1e-8)
    _, mroi = evaluate(params, curves.breakeven_spend[:-1, None, :])
    np.testing.assert_allclose(mroi[:, 0, :], 1.0, rtol=1e-8)
    _, beyond = evaluate(params, 1.01 * curves.breakeven_spend[:-1, None, :])
    assert np.all(beyond < 1.0)


def test_with_a_pooled_form_the_saturation_points_lie_on_the_two_forms_average_curve(params: ResponseParams) -> None:
    """A pooled form (weighed equally) moves the point curves to the mean of the two forms'; break-even
    and 90%-of-ceiling spends are found on that average curve, not the chosen form's (tolerance 1e-6).
    Before, the points were the chosen form's alone while the advice weighed both."""
    from mmm_analytics.curves.evaluation import evaluate_forms

    logistic = dataclasses.replace(params, saturation="logistic")
    forms = (params, logistic)
    pooled = extract_curves(params, SETTINGS, LEVEL, pooled=(logistic,))
    average = average_weekly_spend(params)
    ceiling = (params.coefficient + logistic.coefficient) / 2
    np.testing.assert_allclose(pooled.ceiling[:-1], ceiling, rtol=1e-12)
    reached, _ = evaluate_forms(forms, pooled.ceiling_spend[:-1, None, :])
    np.testing.assert_allclose(reached[:, 0, :], 0.9 * ceiling, rtol=1e-6)
    found = np.isfinite(pooled.breakeven_spend[:-1]) & (pooled.breakeven_spend[:-1] > 0)
    assert found.any()
    _, mroi = evaluate_forms(forms, pooled.breakeven_spend[:-1, None, :])
    np.testing.assert_allclose(mroi[:, 0, :][found], 1.0, rtol=1e-6)
    alone = extract_curves(params, SETTINGS, LEVEL)
    assert not np.allclose(pooled.breakeven_spend[:-1][found], alone.breakeven_spend[:-1][found])
    national = pooled.ceiling_spend[-1] / average.sum(axis=0)
    total, _ = evaluate_forms(forms, national[None, None, :] * average[:, None, :])
    np.testing.assert_allclose(total.sum(axis=0)[0], 0.9 * ceiling.sum(axis=0), rtol=1e-6)


def test_frame_has_exactly_the_curve_columns(curves: CurveSet, params: ResponseParams) -> None:
    frame = curves.to_frame()
    assert tuple(frame.columns) == CURVE_COLUMNS
    assert len(frame) == len(params.channels) * (len(params.series_brand) + 1) * SETTINGS.points
    national = frame[(frame["brand"] == NATIONAL) & (frame["region"] == NATIONAL) & (frame["channel"] == "Radio")]
    np.testing.assert_allclose(national["response"].to_numpy(), curves.response[-1, :, 1], rtol=1e-12)
    one = frame[(frame["brand"] == "BrandB") & (frame["region"] == "NORTH") & (frame["channel"] == "Search")]
    row = params.series_index("BrandB", "NORTH")
    np.testing.assert_allclose(one["spend"].to_numpy(), curves.spend[row, :, 2], rtol=1e-12)


def test_segment_view_matches_the_arrays(curves: CurveSet) -> None:
    segment = curves.segment(1, 2)
    assert (segment.channel, segment.brand, segment.region) == ("Search", "BrandA", "SOUTH")
    np.testing.assert_array_equal(segment.response_upper, curves.response_upper[1, :, 2])
    assert segment.breakeven_spend == curves.breakeven_spend[1, 2]


def test_sku_granularity_keeps_every_series_apart(sku_params: tuple[ResponseParams, tuple[str, ...]]) -> None:
    params, skus = sku_params
    curves = extract_curves(params, SETTINGS, LEVEL, skus)
    assert curves.skus == (*skus, NATIONAL)
    assert curves.segment(2, 0).sku == skus[2] and curves.segment(2, 0).brand_label == f"BrandA ({skus[2]})"
    frame = curves.to_frame()
    assert tuple(frame.columns) == SKU_CURVE_COLUMNS
    points = frame.groupby(["channel", "brand", "region", "sku"]).size()
    assert len(points) == len(params.channels) * (len(params.series_brand) + 1)
    assert (points == SETTINGS.points).all()
    without = extract_curves(params, SETTINGS, LEVEL)
    np.testing.assert_array_equal(curves.response, without.response)
    with pytest.raises(ValueError, match="3 SKUs for 8 series"):
        extract_curves(params, SETTINGS, LEVEL, skus[:3])


def test_a_series_that_never_spent_on_a_channel_has_no_curve_numbers(params: ResponseParams) -> None:
    """Before, such a curve (41 points at spend 0) carried the slope at zero spend as its ROI and
    marginal ROI (millions) and the coefficient of the priors as its ceiling; the ROI tables read n/a."""
    exposure = params.exposure.copy()
    exposure[0, :, 0] = 0.0  # the first series never spent on TV (slope 1: a finite slope at zero spend)
    some = extract_curves(dataclasses.replace(params, exposure=exposure), SETTINGS, LEVEL)
    curve_numbers = ("roi", "roi_lower", "roi_upper", "mroi", "mroi_lower", "mroi_upper")
    for name in curve_numbers:
        assert np.isnan(getattr(some, name)[0, :, 0]).all(), name
    assert np.isnan([some.ceiling[0, 0], some.breakeven_spend[0, 0], some.ceiling_spend[0, 0]]).all()
    np.testing.assert_array_equal(some.spend[0, :, 0], 0.0)
    np.testing.assert_array_equal(some.response[0, :, 0], 0.0)
    tv = some.to_frame().query("channel == 'TV' and brand == 'BrandA' and region == 'NORTH'")
    assert len(tv) == SETTINGS.points and tv[["roi", "mroi"]].isna().all().all()
    # Every other curve keeps its numbers (exactly: the same arithmetic on the same inputs).
    everywhere = extract_curves(params, SETTINGS, LEVEL)
    for name in (*curve_numbers, "response", "spend", "ceiling", "ceiling_spend", "breakeven_spend"):
        kept, before = getattr(some, name), getattr(everywhere, name)
        np.testing.assert_array_equal(kept[1:-1], before[1:-1], err_msg=name)
        np.testing.assert_array_equal(kept[:, ..., 1:], before[:, ..., 1:], err_msg=name)
    # The national TV curve is the other series' alone: its ceiling is theirs, and it reaches 90% of it.
    assert some.ceiling[-1, 0] == pytest.approx(params.coefficient[1:, 0].sum(), rel=1e-12)
    multiple = some.ceiling_spend[-1, 0] / some.current_spend[-1, 0]
    reached, _ = evaluate(params, multiple * average_weekly_spend(params)[1:, None, :], rows=slice(1, None))
    assert reached[:, 0, 0].sum() == pytest.approx(0.9 * params.coefficient[1:, 0].sum(), rel=1e-8)
    assert np.isfinite(some.roi[-1, 1:, 0]).all() and np.isfinite(some.mroi[-1, 1:, 0]).all()  # none at spend 0


def test_a_channel_never_spent_on_has_no_national_curve_numbers(params: ResponseParams) -> None:
    exposure = params.exposure.copy()
    exposure[:, :, 0] = 0.0  # nobody spent on TV
    none = extract_curves(dataclasses.replace(params, exposure=exposure), SETTINGS, LEVEL)
    for name in ("roi", "roi_lower", "roi_upper", "mroi", "mroi_lower", "mroi_upper"):
        assert np.isnan(getattr(none, name)[:, :, 0]).all(), name
    assert np.isnan(none.ceiling[:, 0]).all() and np.isnan(none.ceiling_spend[:, 0]).all()
    frame = none.to_frame()
    numbers = frame[frame["channel"] != "TV"][["roi", "mroi"]].to_numpy()
    assert np.isfinite(numbers[~np.isnan(numbers)]).all()  # what is not missing is finite
    assert frame[frame["channel"] == "TV"][["roi", "mroi"]].isna().all().all()


CURVE_RATIOS = ("roi", "roi_lower", "roi_upper", "mroi", "mroi_lower", "mroi_upper")


def _with_tv_slope(params: ResponseParams, slope: float) -> ResponseParams:
    """``params`` with TV's Hill slope set to ``slope`` (its draws scaled alike)."""
    slopes = params.slope.copy()
    slopes[..., 0] = slope
    draws = params.slope_draws.copy()
    draws[..., 0] *= slope / params.slope[..., 0]
    return dataclasses.replace(params, slope=slopes, slope_draws=draws)


@pytest.mark.parametrize("which", ["curves", "sigmoid_curves"])
def test_every_curve_has_no_roi_or_marginal_roi_at_zero_spend(request: pytest.FixtureRequest, which: str) -> None:
    """At spend 0 the response is 0 and the ROI, the marginal ROI and their bands are NaN (ROI is 0 / 0
    there), for every channel and row, in the arrays and in the frame; every later point is finite.
    Before, the zero point held the marginal ROI at 0: the Hill slope-1 channel's steepest slope, 0 for
    the steeper ones."""
    curve_set: CurveSet = request.getfixturevalue(which)
    for name in CURVE_RATIOS:
        values = getattr(curve_set, name)
        assert np.isnan(values[:, 0, :]).all(), name
        assert np.isfinite(values[:, 1:, :]).all(), name
    frame = curve_set.to_frame()
    zero = frame[frame["spend"] == 0.0]
    assert len(zero) == len(curve_set.channels) * curve_set.n_rows
    assert zero[["roi", "mroi"]].isna().all().all() and (zero["response"] == 0.0).all()
    assert np.isfinite(frame.loc[frame["spend"] > 0.0, ["roi", "mroi"]].to_numpy()).all()


@pytest.mark.parametrize("slope", [0.8, 1.0, 1.01])
@pytest.mark.parametrize("pooled", [False, True], ids=["alone", "pooled"])
def test_a_hill_slope_near_one_draws_no_spike_at_zero_spend(params: ResponseParams, slope: float, pooled: bool) -> None:
    """Whether the Hill slope is just below, at or just above 1 (the marginal ROI at spend 0 infinite,
    finite or 0), the ROI and marginal ROI curves (and bands) start at the first positive spend, each
    within 50% of the next point's value: no spike or dip at the chart's left edge. Before, with slope
    1.01 the national TV ROI at spend 0 was 0 against 13.5 at the first positive spend, and 3.3
    against 10.2 pooled with a logistic form (the mean of 0 and the logistic's limit); the bands
    at 0 were 0 (lower) and NaN (upper)."""
    hill = _with_tv_slope(params, slope)
    forms = (dataclasses.replace(hill, saturation="logistic"),) if pooled else ()
    curve_set = extract_curves(hill, SETTINGS, LEVEL, pooled=forms)
    np.testing.assert_array_equal(curve_set.response[:, 0, 0], 0.0)
    for name in CURVE_RATIOS:
        tv = getattr(curve_set, name)[:, :, 0]
        assert np.isnan(tv[:, 0]).all(), name
        first = tv[:, 1]  # the first value a chart draws
        np.testing.assert_allclose(first, tv[:, 2], rtol=0.5, err_msg=name)
