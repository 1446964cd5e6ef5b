"""Links between raw weights and constrained parameters: values and gradients everywhere."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special

from mmm_analytics.response.links import Link, constrain, unconstrain


@pytest.mark.parametrize("raw", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_unit_link_and_its_gradient_are_finite_far_in_the_tails(raw: float) -> None:
    """A weight pushed to -750 by the polish once made every later gradient NaN."""
    with jax.enable_x64(True):
        value, grad = jax.value_and_grad(lambda r: constrain(Link.UNIT, r, jnp))(jnp.float64(raw))
    assert np.isfinite(float(value)) and np.isfinite(float(grad))
    assert 0.0 <= float(value) <= 1.0
    np.testing.assert_allclose(float(value), scipy.special.expit(raw), rtol=1e-12)


@pytest.mark.parametrize(
    "link, value", [(Link.UNIT, 0.2), (Link.UNIT, 0.9), (Link.POSITIVE, 0.5), (Link.POSITIVE, 30.0)]
)
def test_unconstrain_inverts_constrain(link: Link, value: float) -> None:
    np.testing.assert_allclose(constrain(link, np.float64(unconstrain(link, value)), np), value, rtol=1e-12)
