"""Carryover (adstock) of media exposure: pure NumPy references.

Every function takes exposure of shape ``(..., n_weeks, n_channels)`` (time second to
last, channel last) or ``(n_weeks,)`` and parameters that are scalars or arrays of
shape ``(n_channels,)``. All are causal: the output at week t uses weeks <= t only,
and there is no wrap-around (unlike ``np.roll``). The Keras twin is
:class:`mmm_analytics.models.layers.adstock.AdstockLayer`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError

type Weekly = npt.NDArray[np.float64]
type ChannelParam = float | npt.NDArray[np.float64]

DEFAULT_MAX_LAG = 16


def _check_max_lag(max_lag: int) -> None:
    if int(max_lag) != max_lag or max_lag < 0:
        raise InputError(f"max_lag must be a whole number >= 0; got {max_lag}")


def apply_carryover(exposure: Weekly, weights: npt.ArrayLike) -> Weekly:
    """Causal convolution of exposure with lag weights.

    Parameters
    ----------
    exposure : ndarray of shape (..., n_weeks, n_channels) or (n_weeks,)
    weights : ndarray of shape (max_lag + 1,) or (max_lag + 1, n_channels)
        Weight of the exposure ``lag`` weeks ago; row 0 is the same week.

    Returns
    -------
    ndarray of the shape of ``exposure``: carried-over exposure.
    """
    x = np.asarray(exposure, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    vector = x.ndim == 1
    if vector:
        x = x[:, None]
        w = w.reshape(w.shape[0], -1)
    n_weeks = x.shape[-2]
    carried = np.zeros_like(x)
    for lag in range(min(w.shape[0], n_weeks)):
        carried[..., lag:, :] += w[lag] * x[..., : n_weeks - lag, :]
    return carried[:, 0] if vector else carried


def beta_gamma_weights(beta: ChannelParam, retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Lag weights w_0 = 1, w_l = beta * retention**l for l = 1..max_lag.

    ``beta`` (>= 0) scales how much of the exposure carries over at all; ``retention``
    (gamma, in [0, 1)) is the share of the carried effect left one week later.
    Returns an array of shape (max_lag + 1,) or (max_lag + 1, n_channels).
    """
    _check_max_lag(max_lag)
    beta_arr, retention_arr = np.asarray(beta, dtype=np.float64), np.asarray(retention, dtype=np.float64)
    if np.any(beta_arr < 0):
        raise InputError(f"carryover beta must be >= 0; got {beta}")
    if np.any((retention_arr < 0) | (retention_arr >= 1)):
        raise InputError(f"retention (gamma) must be in [0, 1); got {retention}")
    lags = np.arange(max_lag + 1, dtype=np.float64).reshape((-1,) + (1,) * retention_arr.ndim)
    weights = beta_arr * retention_arr**lags
    weights[0] = 1.0
    return weights


def beta_gamma_decay(
    x: Weekly, beta: ChannelParam, gamma: ChannelParam, max_lag: int = DEFAULT_MAX_LAG
) -> Weekly:
    """Beta-gamma carryover: y_t = x_t + beta * sum_{l=1..max_lag} gamma**l * x_{t-l}.

    Parameters
    ----------
    x : ndarray of shape (..., n_weeks, n_channels) or (n_weeks,)
        Exposure per week, >= 0.
    beta : float or ndarray of shape (n_channels,), >= 0
        Carryover strength.
    gamma : float or ndarray of shape (n_channels,), in [0, 1)
        Weekly retention of the carried-over effect (half-life ln 0.5 / ln gamma weeks).
    max_lag : int >= 0
        Weeks of carryover (16 by default).
    """
    return apply_carryover(x, beta_gamma_weights(beta, gamma, max_lag))


def geometric_weights(retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Normalised geometric weights retention**l / sum(retention**l), l = 0..max_lag."""
    _check_max_lag(max_lag)
    retention_arr = np.asarray(retention, dtype=np.float64)
    if np.any((retention_arr < 0) | (retention_arr > 1)):
        raise InputError(f"retention must be in [0, 1]; got {retention}")
    lags = np.arange(max_lag + 1, dtype=np.float64).reshape((-1,) + (1,) * retention_arr.ndim)
    weights = retention_arr**lags
    return weights / weights.sum(axis=0)


def geometric_carryover(x: Weekly, retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Geometric carryover with weights that sum to 1 (total exposure is preserved)."""
    return apply_carryover(x, geometric_weights(retention, max_lag))


def weibull_weights(shape: ChannelParam, scale: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Weibull-PDF lag weights normalised so the largest weight is 1.

    ``shape`` > 1 gives a delayed peak (the effect builds up before it decays);
    ``scale`` (weeks, > 0) stretches the curve. Evaluated at lag + 0.5 weeks.
    """
    _check_max_lag(max_lag)
    shape_arr, scale_arr = np.asarray(shape, dtype=np.float64), np.asarray(scale, dtype=np.float64)
    if np.any(shape_arr <= 0) or np.any(scale_arr <= 0):
        raise InputError(f"Weibull shape and scale must be > 0; got shape={shape}, scale={scale}")
    lags = np.arange(max_lag + 1, dtype=np.float64).reshape((-1,) + (1,) * shape_arr.ndim) + 0.5
    ratio = lags / scale_arr
    pdf = (shape_arr / scale_arr) * ratio ** (shape_arr - 1) * np.exp(-(ratio**shape_arr))
    return pdf / pdf.max(axis=0)


def weibull_carryover(
    x: Weekly, shape: ChannelParam, scale: ChannelParam, max_lag: int = DEFAULT_MAX_LAG
) -> Weekly:
    """Weibull (delayed-peak) carryover; see :func:`weibull_weights`."""
    return apply_carryover(x, weibull_weights(shape, scale, max_lag))


def half_life(retention: ChannelParam) -> ChannelParam:
    """Weeks for the carried-over effect to halve: ln(0.5) / ln(retention); 0 for retention 0."""
    retention_arr = np.asarray(retention, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(retention_arr > 0, np.log(0.5) / np.log(np.clip(retention_arr, 1e-12, 1 - 1e-12)), 0.0)
    return out if out.ndim else float(out)


def steady_state_multiplier(weights: npt.ArrayLike) -> Weekly:
    """Carried-over exposure per unit of a sustained weekly exposure: the sum of the weights."""
    return np.asarray(weights, dtype=np.float64).sum(axis=0)
