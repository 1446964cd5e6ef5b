"""The media response of a series to spend: over the data, and at steady state.

A sustained weekly spend ``s`` (INR) on channel c of series i gives weekly exposure
``s * 1000 / cpm_c``; at steady state the carried-over scaled exposure is
``exposure / exposure_scale[i, c] * carry_sum[c]`` (``carry_sum`` = sum of the lag
weights) and the weekly incremental Sales_Value is ``coefficient[i, c] * saturation(carried)``.
Written once against an array namespace; :mod:`mmm_analytics.response.kernels` compiles
it (and its derivatives) with JAX for the curves and the simulator, and the synthetic
truth evaluates it with NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.artifacts import ResponseParams, scatter_series

type Array = Any


def steady_state_response(
    weekly_spend: Array,
    coefficient: Array,
    exposure_scale: Array,
    cpm: Array,
    carry_sum: Array,
    half_saturation: Array,
    slope: Array,
    family: str,
    xp: Any = np,
) -> Array:
    """Weekly incremental sales (INR) per channel for a sustained weekly spend (INR).

    All arguments broadcast against ``weekly_spend`` of shape (..., C): ``coefficient``
    (INR per week at full saturation) and ``exposure_scale`` (mean weekly exposure)
    (..., C); ``half_saturation`` (carried-over scaled units) as wide or (C,); ``cpm`` (INR per
    1000 exposures), ``carry_sum`` and ``slope`` (C,), per series (..., C), or with leading draw axes. Returns the broadcast shape.
    """
    carried = weekly_spend * 1000.0 / cpm / exposure_scale * carry_sum
    return coefficient * saturation.saturate(carried, family, half_saturation, slope, xp=xp)


def scaled_exposure(params: ResponseParams) -> np.ndarray:
    """Exposure over each series' average week, (S, T, C). A series that never used a channel
    (exposure scale 0) has exposure 0 in every week and stays at 0."""
    scale = np.where(params.exposure_scale > 0, params.exposure_scale, 1.0)
    return params.exposure / scale[:, None, :]


def historical_contribution(params: ResponseParams, draw: int | None = None) -> np.ndarray:
    """Weekly media contribution over the data (INR), shape (S, T, C), at the point
    estimate (``draw=None``) or for one parameter draw."""
    if params.n_markets > 1:
        parts = [(rows, historical_contribution(params.market(m), draw)) for m, rows in params.market_rows()]
        return scatter_series(parts, len(params.series_brand))
    if draw is None:
        weights, half_sat, slope, coef = (
            params.lag_weights[0],
            params.half_saturation,
            params.slope[0],
            params.coefficient,
        )
    else:
        weights = params.lag_weights_draws[draw, 0]
        half_sat, slope = params.half_saturation_draws[draw], params.slope_draws[draw, 0]
        coef = params.coefficient_draws[draw]
    carried = carryover.apply_carryover(scaled_exposure(params), weights)
    return coef[:, None, :] * saturation.saturate(carried, params.saturation, half_sat[:, None, :], slope)


def contribution_totals(params: ResponseParams, weeks: Array | None = None, batch: int = 8) -> np.ndarray:
    """Media contribution (INR) of every parameter draw summed over weeks, shape (D, S, C).

    ``weeks`` (T,) weights each week (1 = counted; default every week); see
    :func:`weighted_contribution_totals`. Equal to summing :func:`historical_contribution` draw by draw.
    """
    week_weights = np.ones((1, len(params.dates))) if weeks is None else np.asarray(weeks, dtype=np.float64)[None]
    return weighted_contribution_totals(params, week_weights, batch)[0]


def weighted_contribution_totals(params: ResponseParams, weeks: Array, batch: int = 8) -> np.ndarray:
    """Media contribution (INR) of every parameter draw summed over weeks under each of ``weeks``'
    W week weightings (W, T), shape (W, D, S, C).

    The carryover is linear in the exposure, so the lagged exposures are stacked once and each batch
    of ``batch`` draws is carried over with one matrix product per channel; every weighting reads the
    same batch.
    """
    week_weights = np.asarray(weeks, dtype=np.float64)
    if params.n_markets > 1:
        parts = [
            (rows, weighted_contribution_totals(params.market(m), week_weights, batch))
            for m, rows in params.market_rows()
        ]
        return scatter_series(parts, len(params.series_brand), axis=2)
    exposure = scaled_exposure(params)  # (S, T, C)
    n_series, n_weeks, n_channels = exposure.shape
    n_lags = min(params.lag_weights_draws.shape[2], n_weeks)
    padded = np.pad(exposure, ((0, 0), (n_lags - 1, 0), (0, 0)))
    # (C, L, S*T): per channel, the exposure ``lag`` weeks earlier, one row per lag.
    lagged = np.stack(
        [
            np.stack([padded[:, n_lags - 1 - lag : n_lags - 1 - lag + n_weeks, c].ravel() for lag in range(n_lags)])
            for c in range(n_channels)
        ]
    )
    totals = np.empty((len(week_weights), params.n_draws, n_series, n_channels))
    for start in range(0, params.n_draws, batch):
        draws = slice(start, min(start + batch, params.n_draws))
        weights = params.lag_weights_draws[draws, 0, :n_lags]  # (d, L, C)
        carried = np.empty((weights.shape[0], n_series, n_weeks, n_channels))
        for c in range(n_channels):
            carried[..., c] = (weights[:, :, c] @ lagged[c]).reshape(-1, n_series, n_weeks)
        half = params.half_saturation_draws[draws][:, :, None, :]
        slope = params.slope_draws[draws, 0][:, None, None, :]
        response = saturation.saturate(carried, params.saturation, half, slope)
        totals[:, draws] = params.coefficient_draws[draws] * np.einsum("dstc,wt->wdsc", response, week_weights)
    return totals
