"""Evaluating a model's curves: the response kernel on spend grids, and intervals over the draws.

Shapes: S series, P curve points, C channels, D draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from mmm_analytics.curves.intervals import equal_tailed
from mmm_analytics.response.artifacts import ResponseParams

type Array = npt.NDArray[np.float64]

#: Values of per-draw curves evaluated at once (draws x series x points x channels): about 32 MB
#: per array, whatever the number of series.
DRAW_BLOCK_VALUES = 4_000_000


def _response_args(params: ResponseParams, draws: bool, rows: slice = slice(None)) -> tuple[Array, ...]:
    """Arguments of the response kernel for spends of shape (S, P, C) (the series ``rows`` only)."""
    if draws:
        return (
            params.coefficient_draws[:, rows, None, :],
            params.exposure_scale[rows, None, :],
            params.cpm,
            params.carry_sum_draws[:, rows, None, :],
            params.half_saturation_draws[:, rows, None, :],
            params.series_slope_draws[:, rows, None, :],
        )
    return (
        params.coefficient[rows, None, :],
        params.exposure_scale[rows, None, :],
        params.cpm,
        params.carry_sum[rows, None, :],
        params.half_saturation[rows, None, :],
        params.series_slope[rows, None, :],
    )


def evaluate(
    params: ResponseParams, spend: Array, draws: bool = False, rows: slice = slice(None)
) -> tuple[Array, Array]:
    """Steady-state response and marginal ROI at weekly spends, in float64.

    Parameters
    ----------
    params : ResponseParams
    spend : ndarray of shape (S, P, C)
        Sustained weekly spend (INR) per series, point and channel.
    draws : bool
        False: at the point estimate, results of shape (S, P, C);
        True: for every parameter draw, results of shape (D, S, P, C).
    rows : slice
        The series ``spend`` is for (all of them by default).

    Returns
    -------
    response : INR per week; mroi : INR of sales per INR of spend.
    """
    from mmm_analytics.response import kernels  # JAX: loaded here, not when figure workers import this module

    response, mroi = kernels.evaluate(spend, *_response_args(params, draws, rows), family=params.saturation, order=1)
    return response, mroi


def evaluate_forms(forms: Sequence[ResponseParams], spend: Array, rows: slice = slice(None)) -> tuple[Array, Array]:
    """The point response (INR per week) and marginal ROI of ``forms`` weighed equally, each of
    ``spend``'s shape (S, P, C): the mean of every form's :func:`evaluate` at its point estimate.

    ``forms`` is the chosen fit, then any pooled ones (saturation forms the form choice could not
    rule out): as the advice weighs their draws equally, the point is their average curve. One form
    gives its own :func:`evaluate` exactly.
    """
    first, *others = forms
    response, mroi = evaluate(first, spend, rows=rows)
    if not others:
        return response, mroi
    parts = [(response, mroi), *(evaluate(form, spend, rows=rows) for form in others)]
    return np.mean([part[0] for part in parts], axis=0), np.mean([part[1] for part in parts], axis=0)


def spend_weighted(values: Array, average: Array, axis: int) -> Array:
    """Mean over the series axis weighted by average spend (S, C): the national marginal ROI."""
    shape = [1] * values.ndim
    shape[axis], shape[-1] = average.shape
    weights = average.reshape(shape)
    used = np.where(weights > 0, values, 0.0)  # a series that never used the channel has weight 0 (and NaN mroi)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (used * weights).sum(axis=axis) / weights.sum(axis=axis)


def draw_bands(
    params: ResponseParams, spend: Array, average: Array, level: float, pooled: Sequence[ResponseParams] = ()
) -> tuple[Array, Array]:
    """Intervals of the response and marginal ROI of every series and nationally, each (2, S + 1, P, C).

    ``pooled`` holds other fitted forms of the same series (the saturation form the form choice could
    not rule out): their draws join those of ``params``, so the intervals span every form weighed.
    The draws are evaluated a block of series at a time (about :data:`DRAW_BLOCK_VALUES` values of
    shape (D, block, P, C)), so memory stays flat however many series there are; the national row
    sums the responses and spend-weights the marginal ROIs of every block, draw by draw.
    """
    forms = (params, *pooled)
    n_draws = sum(form.n_draws for form in forms)
    n_series, n_points, n_channels = spend.shape
    block = max(1, DRAW_BLOCK_VALUES // (n_draws * n_points * n_channels))
    response_band, mroi_band = [], []
    total = np.zeros((n_draws, n_points, n_channels))
    weighted = np.zeros_like(total)
    for start in range(0, n_series, block):
        rows = slice(start, min(start + block, n_series))
        parts = [evaluate(form, spend[rows], draws=True, rows=rows) for form in forms]
        response = np.concatenate([part[0] for part in parts])
        mroi = np.concatenate([part[1] for part in parts])
        response_band.append(np.stack(equal_tailed(response, level)))
        mroi_band.append(np.stack(equal_tailed(mroi, level)))
        weights = average[rows][None, :, None, :]
        total += response.sum(axis=1)
        weighted += (np.where(weights > 0, mroi, 0.0) * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        national_mroi = weighted / average.sum(axis=0)
    national_response = np.stack(equal_tailed(total, level))[:, None]
    national_mroi_band = np.stack(equal_tailed(national_mroi, level))[:, None]
    return (
        np.concatenate([*response_band, national_response], axis=1),
        np.concatenate([*mroi_band, national_mroi_band], axis=1),
    )
