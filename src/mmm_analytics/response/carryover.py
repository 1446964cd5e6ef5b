"""Carryover (adstock): how an exposure keeps working in the weeks after it.

Written once against an array namespace ``xp`` (``numpy`` by default, ``jax.numpy`` or
``keras.ops``): the Keras :class:`~mmm_analytics.models.layers.adstock.AdstockLayer`, the
model export, the synthetic truth and the fixed-parameter features all call these.

Exposure has shape ``(..., n_weeks, n_channels)`` (time second to last, channel last) or
``(n_weeks,)``; a family's parameters are scalars or arrays of shape ``(n_channels,)`` (or
``(n_draws, n_channels)``), and its lag weights have shape ``(max_lag + 1, *param_shape)``:
row ``l`` is the weight of the exposure ``l`` weeks ago. Every transform is causal (week t
uses weeks <= t) with no wrap-around.

A new family is one weights function plus one :func:`register` call; the registry is
what the layer, the export and the truth read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, Parameter, Registry

type Array = Any
type Weekly = npt.NDArray[np.float64]
type ChannelParam = float | npt.NDArray[np.float64]

DEFAULT_MAX_LAG = 16


class CarryoverFamily(StrEnum):
    """Shapes of the lag weights."""

    BETA_GAMMA = "beta_gamma"
    GEOMETRIC = "geometric"
    WEIBULL = "weibull"


type WeightsFunction = Callable[[Array, Mapping[str, Array], Any], Array]


@dataclass(frozen=True, slots=True)
class CarryoverForm:
    """A registered family: its parameters and ``weights(lags, params, xp)``.

    ``lags`` is a float64 NumPy column of shape ``(max_lag + 1, 1, ...)`` that broadcasts
    against the parameters; ``check`` validates NumPy parameter values (raises InputError).
    """

    family: CarryoverFamily
    parameters: tuple[Parameter, ...]
    weights: WeightsFunction
    check: Callable[[Mapping[str, np.ndarray]], None]


CARRYOVER_FORMS: Registry[CarryoverFamily, CarryoverForm] = Registry("carryover", CarryoverFamily)
register = CARRYOVER_FORMS.register
form_of = CARRYOVER_FORMS.form_of


def _check_max_lag(max_lag: int) -> None:
    if int(max_lag) != max_lag or max_lag < 0:
        raise InputError(f"max_lag must be a whole number >= 0; got {max_lag}")


def lag_grid(max_lag: int, param_ndim: int) -> npt.NDArray[np.float64]:
    """Lags 0..max_lag as float64, shape ``(max_lag + 1,) + (1,) * param_ndim``."""
    _check_max_lag(max_lag)
    return np.arange(max_lag + 1, dtype=np.float64).reshape((-1,) + (1,) * param_ndim)


def constrain_params(family: CarryoverFamily | str, raw: Mapping[str, Array], xp: Any = np) -> dict[str, Array]:
    """Constrained parameters keyed by name, from the raw weights keyed by ``raw_name`` (Keras weight names)."""
    return CARRYOVER_FORMS.constrain_params(family, raw, xp)


def lag_weights(
    family: CarryoverFamily | str, params: Mapping[str, Array], max_lag: int = DEFAULT_MAX_LAG, xp: Any = np
) -> Array:
    """Lag weights of shape ``(max_lag + 1, *param_shape)`` for constrained ``params``.

    With ``xp=numpy`` the parameters are validated (InputError on values outside the domain).
    """
    form = form_of(family)
    if xp is np:
        params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
        form.check(params)
    first = params[form.parameters[0].name]
    return form.weights(lag_grid(max_lag, len(xp.shape(first))), params, xp)


def apply_carryover(exposure: Array, weights: Array, xp: Any = np) -> Array:
    """Causal convolution of exposure with lag weights.

    Parameters
    ----------
    exposure : array of shape (..., n_weeks, n_channels) or (n_weeks,)
    weights : array of shape (max_lag + 1,) or (max_lag + 1, n_channels)
        Weight of the exposure ``lag`` weeks ago; row 0 is the same week.

    Returns
    -------
    array of the shape of ``exposure``: carried-over exposure.
    """
    x, w = exposure, weights
    if xp is np:
        x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    vector = len(xp.shape(x)) == 1
    if vector:
        x = x[:, None]
        w = xp.reshape(w, (xp.shape(w)[0], -1))
    n_weeks = xp.shape(x)[-2]
    n_lags = min(int(xp.shape(w)[0]), int(n_weeks))
    pad = [(0, 0)] * (len(xp.shape(x)) - 2) + [(n_lags - 1, 0), (0, 0)]
    padded = xp.pad(x, pad) if n_lags > 1 else x
    carried = w[0] * x
    for lag in range(1, n_lags):
        start = n_lags - 1 - lag
        carried = carried + w[lag] * padded[..., start : start + n_weeks, :]
    return carried[:, 0] if vector else carried


# --- families --------------------------------------------------------------------------


def _beta_gamma(lags: npt.NDArray[np.float64], params: Mapping[str, Array], xp: Any) -> Array:
    """w_0 = 1, w_l = beta * retention**l."""
    beta, retention = params["beta"], params["retention"]
    head = xp.ones_like(beta * retention)[None]
    return xp.concatenate([head, beta * retention ** lags[1:]], axis=0)


def _check_beta_gamma(params: Mapping[str, np.ndarray]) -> None:
    if np.any(params["beta"] < 0):
        raise InputError(f"carryover beta must be >= 0; got {params['beta']}")
    if np.any((params["retention"] < 0) | (params["retention"] >= 1)):
        raise InputError(f"retention (gamma) must be in [0, 1); got {params['retention']}")


def _geometric(lags: npt.NDArray[np.float64], params: Mapping[str, Array], xp: Any) -> Array:
    """retention**l / sum(retention**l): total exposure is preserved."""
    weights = params["retention"] ** lags
    return weights / xp.sum(weights, axis=0)


def _check_geometric(params: Mapping[str, np.ndarray]) -> None:
    if np.any((params["retention"] < 0) | (params["retention"] > 1)):
        raise InputError(f"retention must be in [0, 1]; got {params['retention']}")


def _weibull(lags: npt.NDArray[np.float64], params: Mapping[str, Array], xp: Any) -> Array:
    """Weibull PDF at lag + 0.5 weeks, normalised so the largest weight is 1 (shape > 1: delayed peak)."""
    shape, scale = params["shape"], params["scale"]
    log_ratio = xp.log((lags + 0.5) / scale)
    # In logs, relative to the largest: finite weights in [0, 1] for any shape and scale.
    log_pdf = (shape - 1.0) * log_ratio - xp.exp(xp.minimum(shape * log_ratio, 700.0))
    return xp.exp(log_pdf - xp.max(log_pdf, axis=0))


def _check_weibull(params: Mapping[str, np.ndarray]) -> None:
    if np.any(params["shape"] <= 0) or np.any(params["scale"] <= 0):
        raise InputError(f"Weibull shape and scale must be > 0; got shape={params['shape']}, scale={params['scale']}")


register(
    CarryoverForm(
        CarryoverFamily.BETA_GAMMA,
        (
            Parameter("beta", "beta_logit", Link.UNIT, 0.5, "share of the exposure that carries over"),
            Parameter("retention", "retention_logit", Link.UNIT, 0.5, "share of the carried effect left a week later"),
        ),
        _beta_gamma,
        _check_beta_gamma,
    )
)
register(
    CarryoverForm(
        CarryoverFamily.GEOMETRIC,
        (Parameter("retention", "retention_logit", Link.UNIT, 0.5, "share of the effect left a week later"),),
        _geometric,
        _check_geometric,
    )
)
register(
    CarryoverForm(
        CarryoverFamily.WEIBULL,
        (
            Parameter(
                "shape", "shape_raw", Link.POSITIVE, 1.5, "Weibull shape (> 1: the effect peaks after the spend)"
            ),
            Parameter("scale", "scale_raw", Link.POSITIVE, 2.0, "Weibull scale, weeks"),
        ),
        _weibull,
        _check_weibull,
    )
)


# --- NumPy conveniences ------------------------------------------------------------------


def beta_gamma_weights(beta: ChannelParam, retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Lag weights w_0 = 1, w_l = beta * retention**l for l = 1..max_lag.

    ``beta`` (>= 0) scales how much of the exposure carries over at all; ``retention``
    (gamma, in [0, 1)) is the share of the carried effect left one week later.
    Returns an array of shape (max_lag + 1,) or (max_lag + 1, n_channels).
    """
    beta_arr, retention_arr = np.broadcast_arrays(np.asarray(beta, float), np.asarray(retention, float))
    return lag_weights(CarryoverFamily.BETA_GAMMA, {"beta": beta_arr, "retention": retention_arr}, max_lag)


def beta_gamma_decay(x: Weekly, beta: ChannelParam, gamma: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Beta-gamma carryover: y_t = x_t + beta * sum_{l=1..max_lag} gamma**l * x_{t-l}.

    ``x`` (..., n_weeks, n_channels) or (n_weeks,), exposure >= 0; ``beta`` >= 0 and
    ``gamma`` in [0, 1) are floats or (n_channels,) arrays (half-life ln 0.5 / ln gamma weeks).
    """
    return apply_carryover(x, beta_gamma_weights(beta, gamma, max_lag))


def geometric_weights(retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Normalised geometric weights retention**l / sum(retention**l), l = 0..max_lag."""
    return lag_weights(CarryoverFamily.GEOMETRIC, {"retention": np.asarray(retention, float)}, max_lag)


def geometric_carryover(x: Weekly, retention: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Geometric carryover with weights that sum to 1 (total exposure is preserved)."""
    return apply_carryover(x, geometric_weights(retention, max_lag))


def weibull_weights(shape: ChannelParam, scale: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Weibull-PDF lag weights normalised so the largest weight is 1.

    ``shape`` > 1 gives a delayed peak (the effect builds up before it decays);
    ``scale`` (weeks, > 0) stretches the curve. Evaluated at lag + 0.5 weeks.
    """
    shape_arr, scale_arr = np.broadcast_arrays(np.asarray(shape, float), np.asarray(scale, float))
    return lag_weights(CarryoverFamily.WEIBULL, {"shape": shape_arr, "scale": scale_arr}, max_lag)


def weibull_carryover(x: Weekly, shape: ChannelParam, scale: ChannelParam, max_lag: int = DEFAULT_MAX_LAG) -> Weekly:
    """Weibull (delayed-peak) carryover; see :func:`weibull_weights`."""
    return apply_carryover(x, weibull_weights(shape, scale, max_lag))


def half_life(retention: ChannelParam) -> ChannelParam:
    """Weeks for the carried-over effect to halve: ln(0.5) / ln(retention); 0 for retention 0."""
    retention_arr = np.asarray(retention, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(retention_arr > 0, np.log(0.5) / np.log(np.clip(retention_arr, 1e-12, 1 - 1e-12)), 0.0)
    return out if out.ndim else float(out)
