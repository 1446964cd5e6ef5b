"""Each segment's own curve: found where segments differ, left alone where they do not, shrunk by evidence."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mmm_analytics.models.segment_curves import (
    _between_spread,
    _estimates,
    _shrunk,
    combined_summary,
    estimate_segment_curves,
)
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import historical_contribution
from tests.simulator.hand_built import build_params

N_WEEKS, N_TRAIN = 130, 117


def _panel(seed: int = 5) -> ResponseParams:
    """24 segments x 4 channels, the fitted response of a hand-built model."""
    return build_params(n_brands=3, n_regions=8, n_channels=4, n_weeks=N_WEEKS, saturation="hill", seed=seed)


def _sales(params: ResponseParams, own: ResponseParams, noise: float, seed: int = 1) -> np.ndarray:
    """Weekly sales (S, T) from the segments' own response ``own`` plus noise (share of the baseline)."""
    rng = np.random.default_rng(seed)
    baseline = params.baseline_sales
    return (
        baseline + historical_contribution(own).sum(axis=-1) + noise * baseline.mean() * rng.normal(size=baseline.shape)
    )


def test_segments_on_the_fitted_curve_keep_it() -> None:
    params = _panel()
    segments = estimate_segment_curves(params, _sales(params, params, noise=0.01), N_TRAIN)
    assert segments.spread["half_saturation"] < 0.08 and segments.spread["slope"] < 0.08
    assert np.abs(segments.half_saturation_shift).max() < 0.1
    assert np.all(np.abs(np.log(segments.coefficient_factor)) < 0.2)


def test_segments_with_their_own_half_saturation_are_found_and_fit_better() -> None:
    params = _panel()
    rng = np.random.default_rng(11)
    true_shift = 0.45 * rng.normal(size=params.half_saturation.shape)
    own = dataclasses.replace(params, half_saturation=params.half_saturation * np.exp(true_shift))
    sales = _sales(params, own, noise=0.002)
    segments = estimate_segment_curves(params, sales, N_TRAIN)
    assert 0.25 < segments.spread["half_saturation"] < 0.8, segments.spread
    assert np.corrcoef(segments.half_saturation_shift.ravel(), true_shift.ravel())[0, 1] > 0.6
    moved = dataclasses.replace(
        params,
        half_saturation=params.half_saturation * np.exp(segments.half_saturation_shift),
        slope=params.slope,
        coefficient=params.coefficient * segments.coefficient_factor,
    )
    weeks = slice(0, N_TRAIN)

    def error(response: ResponseParams) -> float:
        fitted = params.baseline_sales + historical_contribution(response).sum(axis=-1)
        return float(np.mean((sales - fitted)[:, weeks] ** 2))

    assert error(moved) < 0.97 * error(params)
    assert segments.identified["half_saturation"] > 0.5
    assert set(segments.by_channel) == set(params.channels)


def test_weeks_whose_sales_were_filled_in_say_nothing_of_the_curves() -> None:
    """Before, the segment curves read every training week, those whose sales the cleaning copied in too."""
    params = _panel()
    rng = np.random.default_rng(11)
    own = dataclasses.replace(
        params, half_saturation=params.half_saturation * np.exp(0.45 * rng.normal(size=params.half_saturation.shape))
    )
    sales = _sales(params, own, noise=0.002)
    observed = np.ones(sales.shape, dtype=bool)
    observed[:6, :40] = False  # six series started 40 weeks late; their filled-in weeks are garbage
    filled = sales.copy()
    filled[:6, :40] = 3.0 * sales[:6, :40].max()
    clean = estimate_segment_curves(params, sales, N_TRAIN, observed=observed)
    masked = estimate_segment_curves(params, filled, N_TRAIN, observed=observed)
    np.testing.assert_allclose(masked.half_saturation_shift, clean.half_saturation_shift, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(masked.coefficient_factor, clean.coefficient_factor, rtol=1e-9)
    misread = estimate_segment_curves(params, filled, N_TRAIN)
    assert np.abs(misread.half_saturation_shift[:6] - clean.half_saturation_shift[:6]).max() > 0.05
    whole = estimate_segment_curves(params, sales, N_TRAIN, observed=np.ones(sales.shape, dtype=bool))
    np.testing.assert_allclose(
        whole.half_saturation_shift, estimate_segment_curves(params, sales, N_TRAIN).half_saturation_shift, atol=1e-9
    )


def test_a_sigmoid_has_no_slope_to_move() -> None:
    params = build_params(n_brands=2, n_regions=4, n_weeks=N_WEEKS, saturation="sigmoid", seed=2)
    segments = estimate_segment_curves(params, _sales(params, params, noise=0.01), N_TRAIN)
    assert segments.spread["slope"] == 0.0 and np.all(segments.slope_shift == 0.0)
    assert set(segments.identified) == {"half_saturation"}


def test_the_profile_refines_the_grid_to_the_parabola_vertex() -> None:
    grid = np.linspace(-1.0, 1.0, 21)
    centre, se = np.array([[0.237, -0.51], [0.99, 0.0]]), np.array([[0.1, 0.3], [0.2, 0.05]])
    loglik = -0.5 * ((grid[:, None, None] - centre[None]) / se[None]) ** 2
    estimate, standard_error = _estimates(loglik, grid)
    # 0.99 lies nearest the last grid point, the edge: its shift is not pinned.
    assert np.isnan(estimate[1, 0]) and np.isinf(standard_error[1, 0])
    pinned = np.isfinite(estimate)
    np.testing.assert_allclose(estimate[pinned], centre[pinned], atol=1e-12)
    np.testing.assert_allclose(standard_error[pinned], se[pinned], rtol=1e-9)


def test_a_flat_profile_pins_nothing() -> None:
    grid = np.linspace(-1.0, 1.0, 21)
    estimate, standard_error = _estimates(np.zeros((21, 3, 2)), grid)
    assert np.isnan(estimate).all() and np.isinf(standard_error).all()


@pytest.mark.parametrize("tau", [0.0, 0.3, 0.6])
def test_the_between_segment_spread_recovers_the_true_one(tau: float) -> None:
    """DerSimonian-Laird over 400 segments x 3 channels, each with its own standard error; within 0.06."""
    rng = np.random.default_rng(4)
    se = rng.uniform(0.05, 0.3, size=(400, 3))
    means = np.array([0.0, 0.4, -0.2])
    estimate = means + tau * rng.normal(size=se.shape) + se * rng.normal(size=se.shape)
    spread, by_channel = _between_spread(estimate, se, np.zeros(400, dtype=np.int64))
    assert spread == pytest.approx(tau, abs=0.06)
    np.testing.assert_allclose(by_channel, tau, atol=0.1)


def test_markets_fitted_apart_are_summed_up_weighed_by_their_series() -> None:
    one = {"spread": {"half_saturation": 0.2, "slope": 0.0}, "identified": {"half_saturation": 0.5, "slope": 1.0}}
    two = {"spread": {"half_saturation": 0.5, "slope": 0.3}, "identified": {"half_saturation": 1.0, "slope": 0.0}}
    parts = {"A": one | {"by_channel": {"TV": one["spread"]}}, "B": two | {"by_channel": {"TV": two["spread"]}}}
    combined = combined_summary(parts, {"A": 3.0, "B": 1.0})
    assert combined["spread"] == {"half_saturation": 0.275, "slope": 0.075}
    assert combined["identified"] == {"half_saturation": 0.625, "slope": 0.75}
    assert combined["by_channel"] == {"TV": {"half_saturation": 0.275, "slope": 0.075}}
    assert combined["markets"] == parts


def test_each_market_is_measured_around_its_own_mean() -> None:
    """Two markets whose segments sit at different means but agree within each: no spread between segments."""
    se = np.full((40, 1), 0.05)
    markets = np.repeat([0, 1], 20)
    estimate = np.where(markets[:, None] == 0, -0.5, 0.5) + 0.0 * se
    assert _between_spread(estimate, se, markets)[0] == 0.0
    assert _between_spread(estimate, se, np.zeros(40, dtype=np.int64))[0] > 0.4


def test_shrinkage_follows_the_evidence() -> None:
    """Posterior over each whole profile under N(0, tau^2): a sharp interior peak keeps its place and
    width, a weak one falls back on the prior, and one still rising at the grid's edge moves there."""
    grid = np.linspace(-1.0, 1.0, 21)
    centre = np.array([[0.5, 0.5, 1.6, 0.0]])
    se = np.array([[0.02, 10.0, 0.2, np.inf]])
    loglik = np.where(np.isfinite(se), -0.5 * ((grid[:, None, None] - centre) / se) ** 2, 0.0)
    shift, spread = _shrunk(loglik, grid, tau=0.3)
    # A sharp peak: the estimate scaled by tau^2 / (tau^2 + se^2), with sd close to se.
    assert shift[0, 0] == pytest.approx(0.5 * 0.09 / (0.09 + 0.0004), abs=2e-3)
    assert spread[0, 0] == pytest.approx(0.02, rel=0.05)
    # Weak evidence: the prior, 0 give or take tau.
    assert abs(shift[0, 1]) < 0.01 and spread[0, 1] == pytest.approx(0.3, rel=0.05)
    # The profile peaks past the grid's edge: the segment's value lies high, not unknown.
    assert shift[0, 2] > 0.5 and spread[0, 2] < 0.25
    # A flat profile keeps 0 and about tau (the prior cut at the grid's ends).
    assert abs(shift[0, 3]) < 1e-9 and spread[0, 3] == pytest.approx(0.3, rel=0.1)
    no_spread = _shrunk(loglik, grid, tau=0.0)
    assert np.all(no_spread[0] == 0.0) and np.all(no_spread[1] == 0.0)


def test_the_summary_is_json_ready_and_the_arrays_fit_the_params() -> None:
    params = _panel()
    segments = estimate_segment_curves(params, _sales(params, params, noise=0.02), N_TRAIN)
    summary = segments.summary()
    assert set(summary) == {"spread", "identified", "by_channel"}
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    carried = segments.apply_to(params)
    for name, array in segments.arrays().items():
        assert getattr(carried, name).shape == params.coefficient.shape
        np.testing.assert_array_equal(getattr(carried, name), array)
        assert np.isfinite(array).all()
