"""The steady-state response (NumPy reference) and its compiled kernel: values, marginal ROI, curvature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.response import kernels, saturation
from mmm_analytics.response.saturation import SATURATION_FORMS
from mmm_analytics.response.steady_state import steady_state_response

CPM = np.array([1.2, 4.5])
SCALE = np.array([[1.0e6, 3.0e5]])
CARRY = np.array([1.5, 1.2])


def _response(spend: np.ndarray, coefficient: np.ndarray, half: np.ndarray, slope: np.ndarray, family: str):
    return kernels.evaluate(spend, coefficient, SCALE, CPM, CARRY, half, slope, family=family)[0]


def _mroi(spend: np.ndarray, coefficient: np.ndarray, half: np.ndarray, slope: np.ndarray, family: str):
    return kernels.evaluate(spend, coefficient, SCALE, CPM, CARRY, half, slope, family=family, order=1)[1]


@pytest.mark.parametrize("family", [f.value for f in SATURATION_FORMS])
def test_kernel_equals_numpy_reference(family: str) -> None:
    rng = np.random.default_rng(3)
    spend = rng.uniform(0.0, 4.0e4, size=(5, 2))
    coefficient, half, slope = rng.uniform(1e3, 1e5, size=(5, 2)), np.array([0.8, 2.0]), np.array([0.7, 2.5])
    reference = steady_state_response(spend, coefficient, SCALE, CPM, CARRY, half, slope, family)
    np.testing.assert_allclose(_response(spend, coefficient, half, slope, family), reference, rtol=1e-12)


def test_hill_mroi_at_zero_is_infinite_below_slope_one_and_zero_above() -> None:
    got = _mroi(np.zeros((1, 2)), np.full((1, 2), 1e4), np.ones(2), np.array([0.5, 2.0]), "hill")[0]
    assert np.isposinf(got[0]) and got[1] == 0.0


def test_curvature_matches_difference_of_marginal_roi() -> None:
    args = (np.full((1, 2), 4e4), SCALE, CPM, CARRY, np.array([0.8, 2.0]), np.array([1.3, 2.5]))
    spend, step = np.full((1, 2), 3000.0), 1e-3
    _, mroi, curvature = kernels.evaluate(spend, *args, family="hill", order=2)
    higher = kernels.evaluate(spend + step, *args, family="hill", order=1)[1]
    lower = kernels.evaluate(spend - step, *args, family="hill", order=1)[1]
    np.testing.assert_allclose(curvature, (higher - lower) / (2 * step), rtol=1e-5)
    assert mroi.shape == curvature.shape == (1, 2)


@pytest.mark.parametrize("family", [f.value for f in SATURATION_FORMS])
def test_mroi_at_zero_is_the_right_derivative(family: str) -> None:
    # slope 1: d/dspend coef * x/(x+K) at 0 is coef * a / K; sigmoid: coef * a * ln3 / (2K); a = dx/dspend.
    coefficient, half, slope = np.array([[50_000.0, 20_000.0]]), np.array([0.8, 2.0]), np.array([1.0, 1.0])
    a = 1000.0 / CPM / SCALE[0] * CARRY
    closed_form = {"hill": 1.0 / half, "sigmoid": np.log(3.0) / (2.0 * half)}
    if family in closed_form:
        expected = coefficient[0] * a * closed_form[family]
        np.testing.assert_allclose(_mroi(np.zeros((1, 2)), coefficient, half, slope, family)[0], expected, rtol=1e-12)
    # Every family: the right-hand difference quotient at 0 (Richardson, steps of 1e-4 and 2e-4 INR).
    step = 1e-4
    one = _response(np.full((1, 2), step), coefficient, half, slope, family)[0] / step
    two = _response(np.full((1, 2), 2 * step), coefficient, half, slope, family)[0] / (2 * step)
    got = _mroi(np.zeros((1, 2)), coefficient, half, slope, family)[0]
    np.testing.assert_allclose(got, 2 * one - two, rtol=1e-6)


@pytest.mark.parametrize("family", [f.value for f in SATURATION_FORMS])
def test_saturate_clamps_negative_input_to_zero(family: str) -> None:
    out = saturation.saturate(np.array([-1.0, 0.0]), family, np.array([1.0]), np.array([2.0]))
    np.testing.assert_array_equal(out, [0.0, 0.0])


def test_mroi_broadcasts_over_draws() -> None:
    # Draw-shaped parameters give one derivative per draw, not a sum over draws.
    coefficient = np.array([[[10_000.0, 10_000.0]], [[20_000.0, 20_000.0]]])  # (D=2, S=1, C=2)
    spend = np.full((1, 2), 500.0)
    mroi = _mroi(spend, coefficient, np.ones(2), np.ones(2), "hill")
    assert mroi.shape == (2, 1, 2)
    np.testing.assert_allclose(mroi[1], 2.0 * mroi[0], rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    spend=st.floats(10.0, 1.0e5),
    coefficient=st.floats(1.0e3, 1.0e6),
    half=st.floats(0.1, 5.0),
    slope=st.floats(0.5, 3.0),
    family=st.sampled_from([f.value for f in SATURATION_FORMS]),
)
def test_mroi_matches_central_difference_and_response_increases(
    spend: float, coefficient: float, half: float, slope: float, family: str
) -> None:
    args = (np.full((1, 2), coefficient), np.full(2, half), np.full(2, slope), family)
    step = 1e-4 * spend
    grid = np.array([[spend - step] * 2, [spend] * 2, [spend + step] * 2])
    low, mid, high = _response(grid, *args)
    numeric = (high - low) / (2.0 * step)
    # rtol 1e-4 for the truncation error; atol = the rounding error of the difference (100 eps |f| / h),
    # which dominates deep in saturation where the derivative is ~1e-10 of the response.
    rounding = 100.0 * np.finfo(float).eps * coefficient / step
    np.testing.assert_allclose(_mroi(np.full((1, 2), spend), *args)[0], numeric, rtol=1e-4, atol=rounding)
    ulps = 4.0 * np.finfo(float).eps * coefficient  # tanh near 1 is monotone only up to rounding
    assert np.all(high >= mid - ulps) and np.all(mid >= low - ulps)


@pytest.mark.parametrize("family", ["hill", "logistic"])
def test_contribution_totals_equal_the_draw_by_draw_sums(family: str) -> None:
    """Batched over draws (one matrix product per channel) = historical_contribution per draw."""
    import dataclasses

    from mmm_analytics.response.steady_state import contribution_totals, historical_contribution
    from tests.curves.hand_model import build_params

    params = dataclasses.replace(build_params(), saturation=family)
    weeks = (np.arange(params.exposure.shape[1]) % 3 == 0).astype(float)
    expected = np.stack(
        [np.einsum("stc,t->sc", historical_contribution(params, d), weeks) for d in range(params.n_draws)]
    )
    # Tolerance: float64 sums in another order.
    np.testing.assert_allclose(contribution_totals(params, weeks, batch=3), expected, rtol=1e-12, atol=1e-9)
    assert contribution_totals(params).shape == (params.n_draws, *params.coefficient.shape)


@pytest.mark.parametrize("family", ["hill", "sigmoid"])
def test_weighted_contribution_totals_read_every_weighting_from_one_pass(family: str) -> None:
    """W week weightings at once (the lift tests' windows and the whole period) = each weighting's
    :func:`contribution_totals`, in a model fitted per market too."""
    import dataclasses

    from mmm_analytics.response.steady_state import contribution_totals, weighted_contribution_totals
    from tests.curves.hand_model import build_params
    from tests.response.test_artifacts import merged_markets

    params = dataclasses.replace(build_params(), saturation=family)
    merged, _ = merged_markets()
    for model in (params, merged):
        n_weeks = model.exposure.shape[1]
        weeks = np.stack([np.arange(n_weeks) < 4, np.arange(n_weeks) % 2 == 1, np.ones(n_weeks)]).astype(float)
        totals = weighted_contribution_totals(model, weeks, batch=5)
        assert totals.shape == (3, model.n_draws, *model.coefficient.shape)
        for w in range(3):
            # Tolerance: float64 sums in another order.
            np.testing.assert_allclose(totals[w], contribution_totals(model, weeks[w]), rtol=1e-12, atol=1e-9)


def test_contributions_of_merged_markets_are_each_markets_own() -> None:
    """A model fitted per market: each series' contribution uses its market's carryover and slope."""
    from mmm_analytics.response.steady_state import contribution_totals, historical_contribution
    from tests.response.test_artifacts import merged_markets

    merged, parts = merged_markets()
    point, totals = historical_contribution(merged), contribution_totals(merged)
    for _, rows, part in parts:
        np.testing.assert_array_equal(point[rows], historical_contribution(part))
        np.testing.assert_array_equal(historical_contribution(merged, 2)[rows], historical_contribution(part, 2))
        np.testing.assert_array_equal(totals[:, rows], contribution_totals(part))
    # The markets' carryovers differ, so one shared carryover would not give these numbers.
    assert not np.allclose(parts[0][2].lag_weights, parts[1][2].lag_weights)
