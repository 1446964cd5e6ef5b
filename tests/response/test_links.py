"""Links between raw weights and constrained parameters: values and gradients everywhere."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.response import carryover
from mmm_analytics.response.links import UNIT_REACH, Link, constrain, unconstrain


@pytest.mark.parametrize("raw", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_unit_link_and_its_gradient_are_finite_far_in_the_tails(raw: float) -> None:
    """A weight pushed to -750 by the polish once made every later gradient NaN."""
    with jax.enable_x64(True):
        value, grad = jax.value_and_grad(lambda r: constrain(Link.UNIT, r, jnp))(jnp.float64(raw))
    assert np.isfinite(float(value)) and np.isfinite(float(grad))
    assert 0.0 < float(value) < 1.0
    np.testing.assert_allclose(float(value), scipy.special.expit(raw), rtol=1e-12, atol=1e-15)


@given(st.floats(min_value=-1e6, max_value=1e6))
def test_every_raw_weight_maps_strictly_inside_the_domain(raw: float) -> None:
    """A Laplace draw far along a flat direction (a fit with the priors off) once gave a retention of
    exactly 1.0, which the carryover's domain check refused: training ended in a one-line error."""
    unit, positive = constrain(Link.UNIT, np.float64(raw), np), constrain(Link.POSITIVE, np.float64(raw), np)
    assert 0.0 < unit < 1.0
    assert positive > 0.0 and np.isfinite(positive)
    if abs(raw) <= UNIT_REACH:
        np.testing.assert_allclose(unit, scipy.special.expit(raw), rtol=1e-15)


def test_lag_weights_accept_draws_with_any_raw_retention() -> None:
    raw = {"beta_logit": np.array([0.0, 50.0, -900.0]), "retention_logit": np.array([900.0, 37.0, -900.0])}
    params = carryover.constrain_params("beta_gamma", raw)
    weights = carryover.lag_weights("beta_gamma", params, 8)
    assert np.isfinite(weights).all() and weights.shape == (9, 3)
    geometric = carryover.lag_weights("geometric", carryover.constrain_params("geometric", raw), 8)
    np.testing.assert_allclose(geometric.sum(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    "link, value", [(Link.UNIT, 0.2), (Link.UNIT, 0.9), (Link.POSITIVE, 0.5), (Link.POSITIVE, 30.0)]
)
def test_unconstrain_inverts_constrain(link: Link, value: float) -> None:
    np.testing.assert_allclose(constrain(link, np.float64(unconstrain(link, value)), np), value, rtol=1e-12)
