"""Media response functions shared by the curves and the simulator (JAX, differentiable).

A sustained weekly spend ``s`` (INR) on channel c of series i gives weekly exposure
``s * 1000 / cpm_c``; at steady state the carried-over scaled exposure is
``exposure / exposure_scale[i, c] * sum(lag_weights[:, c])`` and the weekly
incremental Sales_Value is ``coefficient[i, c] * saturation(carried)``.

:func:`steady_state_mroi` is the derivative of that response with respect to the
weekly spend (marginal ROI), by automatic differentiation (``jax.grad``). Every
function here is elementwise in the channel and series axes, so the derivative of a
summed response with respect to a spend of the output's shape is exact.

Precision: JAX computes in float32 unless 64-bit mode is on; the curves step runs
these functions inside ``jax.enable_x64(True)`` for float64 results.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mmm_analytics.features import adstock, saturation
from mmm_analytics.models.artifacts import ResponseParams

LOG3 = float(np.log(3.0))


def saturate_jnp(carried: jnp.ndarray, family: str, half_saturation: jnp.ndarray, slope: jnp.ndarray) -> jnp.ndarray:
    """JAX twin of :func:`mmm_analytics.features.saturation.saturate` (0 at 0, increasing).

    Negative inputs count as 0. The clamp keeps the input itself at exactly 0, so the
    derivative at 0 is the right-hand derivative (``jnp.clip`` would halve it there).
    """
    carried = jnp.where(carried >= 0.0, carried, 0.0)
    match family:
        case "hill":
            ratio = (carried / half_saturation) ** slope
            return ratio / (1.0 + ratio)
        case "sigmoid":
            return jnp.tanh(LOG3 / half_saturation * carried / 2.0)
        case _:
            raise ValueError(f"unknown saturation family {family!r}")


def steady_state_response(
    weekly_spend: jnp.ndarray,
    coefficient: jnp.ndarray,
    exposure_scale: jnp.ndarray,
    cpm: jnp.ndarray,
    carry_sum: jnp.ndarray,
    half_saturation: jnp.ndarray,
    slope: jnp.ndarray,
    family: str,
) -> jnp.ndarray:
    """Weekly incremental sales (INR) per channel for a sustained weekly spend.

    All arguments broadcast against ``weekly_spend`` of shape (..., C):
    ``coefficient`` and ``exposure_scale`` (..., C); ``cpm``, ``carry_sum``,
    ``half_saturation`` and ``slope`` (C,). Returns shape (..., C).
    """
    exposure = weekly_spend * 1000.0 / cpm
    carried = exposure / exposure_scale * carry_sum
    return coefficient * saturate_jnp(carried, family, half_saturation, slope)


def steady_state_mroi(
    weekly_spend: jnp.ndarray,
    coefficient: jnp.ndarray,
    exposure_scale: jnp.ndarray,
    cpm: jnp.ndarray,
    carry_sum: jnp.ndarray,
    half_saturation: jnp.ndarray,
    slope: jnp.ndarray,
    family: str,
) -> jnp.ndarray:
    """Marginal ROI: d(weekly incremental sales) / d(weekly spend), INR per INR.

    Same arguments as :func:`steady_state_response`; the result has the broadcast
    shape of the response (e.g. (D, S, P, C) for draws of the parameters). At spend 0
    it is the right-hand derivative. Computed with ``jax.grad`` of the summed response
    with respect to the spend broadcast to the output shape (each output depends on its
    own spend only).
    """
    args = (coefficient, exposure_scale, cpm, carry_sum, half_saturation, slope)

    def total(spend: jnp.ndarray) -> jnp.ndarray:
        return jnp.sum(steady_state_response(spend, *args, family))

    spend = jnp.asarray(weekly_spend)
    shape = jax.eval_shape(lambda s: steady_state_response(s, *args, family), spend).shape
    return jax.grad(total)(jnp.broadcast_to(spend, shape))


def point_response(params: ResponseParams, weekly_spend: np.ndarray) -> np.ndarray:
    """Steady-state weekly response (S, C) or (..., S, C) at the point estimate."""
    return np.asarray(
        steady_state_response(
            jnp.asarray(weekly_spend), params.coefficient, params.exposure_scale, params.cpm,
            params.lag_weights.sum(axis=0), params.half_saturation, params.slope, params.saturation,
        )
    )


def draw_response(params: ResponseParams, weekly_spend: np.ndarray) -> np.ndarray:
    """Steady-state weekly response for every draw: (D, S, C) for ``weekly_spend`` of shape (S, C)."""
    return np.asarray(
        steady_state_response(
            jnp.asarray(weekly_spend)[None],
            params.coefficient_draws,
            params.exposure_scale[None],
            params.cpm,
            params.lag_weights_draws.sum(axis=1)[:, None, :],
            params.half_saturation_draws[:, None, :],
            params.slope_draws[:, None, :],
            params.saturation,
        )
    )


def historical_contribution(params: ResponseParams, draw: int | None = None) -> np.ndarray:
    """Weekly media contribution over the data (INR), shape (S, T, C), at the point
    estimate (``draw=None``) or for one parameter draw (NumPy reference transforms)."""
    if draw is None:
        weights, half_sat, slope, coef = params.lag_weights, params.half_saturation, params.slope, params.coefficient
    else:
        weights = params.lag_weights_draws[draw]
        half_sat, slope = params.half_saturation_draws[draw], params.slope_draws[draw]
        coef = params.coefficient_draws[draw]
    carried = adstock.apply_carryover(params.exposure / params.exposure_scale[:, None, :], weights)
    return coef[:, None, :] * saturation.saturate(carried, params.saturation, half_sat, slope)
