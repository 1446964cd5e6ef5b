"""The one compiled kernel of the steady-state response, shared by the curves and the simulator.

:func:`evaluate` jit-compiles :func:`~mmm_analytics.response.steady_state.steady_state_response`
with JAX in float64 and returns, by ``order``, the response (0), its derivative with respect
to each weekly spend, the marginal ROI (1), and that derivative's derivative, the curvature (2).
Every output cell depends on its own spend only, so the derivatives are those of the summed
response with respect to the spend broadcast to the output's shape; at spend 0 they are the
right-hand ones: the marginal ROI there comes from the family's ``slope_at_zero``
(infinite for a Hill curve with slope < 1).
Importing this module imports JAX, set up as :func:`mmm_analytics.backend.use_jax` says (an
environment JAX cannot start with is one line naming the variable).
"""

from __future__ import annotations

from functools import partial

from mmm_analytics.backend import use_jax

use_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.typing import ArrayLike  # noqa: E402

from mmm_analytics.response import saturation  # noqa: E402
from mmm_analytics.response.steady_state import steady_state_response  # noqa: E402

type Arrays = tuple[np.ndarray, ...]


@partial(jax.jit, static_argnames=("family", "order"))
def _kernel(spend: jax.Array, *args: jax.Array, family: str, order: int) -> tuple[jax.Array, ...]:
    coefficient, exposure_scale, cpm, carry_sum, half_saturation, slope = args

    def cells(x: jax.Array) -> jax.Array:
        return steady_state_response(
            x, coefficient, exposure_scale, cpm, carry_sum, half_saturation, slope, family, xp=jnp
        )

    shape = jax.eval_shape(cells, spend).shape
    spend = jnp.broadcast_to(spend, shape)
    response = cells(spend)
    if order == 0:
        return (response,)

    def mroi(x: jax.Array) -> jax.Array:
        return jax.grad(lambda y: cells(y).sum())(x)

    form = saturation.form_of(family)
    at_zero = (
        coefficient
        * 1000.0
        / cpm
        / exposure_scale
        * carry_sum
        * form.slope_at_zero({"half_saturation": half_saturation, "slope": slope}, jnp)
    )
    if order == 1:
        return response, jnp.where(spend == 0.0, at_zero, mroi(spend))
    # The total is a sum of one-cell functions, so its Hessian is diagonal and H @ 1 is that diagonal.
    marginal, curvature = jax.jvp(mroi, (spend,), (jnp.ones_like(spend),))
    return response, jnp.where(spend == 0.0, at_zero, marginal), curvature


def evaluate(spend: ArrayLike, *args: ArrayLike, family: str, order: int = 0) -> Arrays:
    """Response (INR per week), and with ``order`` >= 1 the marginal ROI (INR per INR) and with
    ``order`` 2 its curvature (per INR), at weekly ``spend``; float64 NumPy arrays of the
    broadcast shape of the spend and the arguments of ``steady_state_response``
    (``coefficient, exposure_scale, cpm, carry_sum, half_saturation, slope``)."""
    with jax.enable_x64(True):
        # Device arrays pass through; NumPy goes to the compiled kernel as it is (a jnp.asarray per
        # argument and call would cost more than the evaluation itself).
        inputs = [v if isinstance(v, jax.Array) else np.asarray(v, dtype=np.float64) for v in (spend, *args)]
        out = _kernel(*inputs, family=family, order=order)
        return tuple(np.asarray(value) for value in out)


def device_arrays(*values: np.ndarray) -> tuple[jax.Array, ...]:
    """Arguments as float64 device arrays, so repeated calls skip the conversion."""
    with jax.enable_x64(True):
        return tuple(jnp.asarray(value, dtype=jnp.float64) for value in values)
