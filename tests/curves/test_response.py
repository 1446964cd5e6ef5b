"""Tests of the shared steady-state response and its marginal ROI (float64 via jax.enable_x64)."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.curves.response import saturate_jnp, steady_state_mroi, steady_state_response

CPM = np.array([1.2, 4.5])
SCALE = np.array([[1.0e6, 3.0e5]])
CARRY = np.array([1.5, 1.2])


def _response(spend: np.ndarray, coefficient: np.ndarray, half: np.ndarray, slope: np.ndarray, family: str):
    with jax.enable_x64(True):
        return np.asarray(steady_state_response(np.asarray(spend), coefficient, SCALE, CPM, CARRY, half, slope, family))


def _mroi(spend: np.ndarray, coefficient: np.ndarray, half: np.ndarray, slope: np.ndarray, family: str):
    with jax.enable_x64(True):
        return np.asarray(steady_state_mroi(np.asarray(spend), coefficient, SCALE, CPM, CARRY, half, slope, family))


@pytest.mark.parametrize("family", ["hill", "sigmoid"])
def test_mroi_at_zero_is_the_right_derivative(family: str) -> None:
    # slope 1: d/dspend coef * x/(x+K) at 0 is coef * a / K; sigmoid: coef * a * ln3 / (2K); a = dx/dspend.
    coefficient, half, slope = np.array([[50_000.0, 20_000.0]]), np.array([0.8, 2.0]), np.array([1.0, 1.0])
    a = 1000.0 / CPM / SCALE[0] * CARRY
    expected = coefficient[0] * a / half * (1.0 if family == "hill" else np.log(3.0) / 2.0)
    got = _mroi(np.zeros((1, 2)), coefficient, half, slope, family)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_saturate_clamps_negative_input_to_zero() -> None:
    out = np.asarray(saturate_jnp(np.array([-1.0, 0.0]), "hill", np.array([1.0]), np.array([2.0])))
    np.testing.assert_array_equal(out, [0.0, 0.0])


def test_unknown_family_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown saturation family 'gamma'"):
        saturate_jnp(np.array([1.0]), "gamma", np.array([1.0]), np.array([1.0]))


def test_mroi_broadcasts_over_draws() -> None:
    # Draw-shaped parameters give one derivative per draw, not a sum over draws.
    coefficient = np.array([[[10_000.0, 10_000.0]], [[20_000.0, 20_000.0]]])  # (D=2, S=1, C=2)
    spend = np.full((1, 2), 500.0)
    with jax.enable_x64(True):
        mroi = np.asarray(steady_state_mroi(spend, coefficient, SCALE, CPM, CARRY, np.ones(2), np.ones(2), "hill"))
    assert mroi.shape == (2, 1, 2)
    np.testing.assert_allclose(mroi[1], 2.0 * mroi[0], rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    spend=st.floats(10.0, 1.0e5),
    coefficient=st.floats(1.0e3, 1.0e6),
    half=st.floats(0.1, 5.0),
    slope=st.floats(0.5, 3.0),
    family=st.sampled_from(["hill", "sigmoid"]),
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
