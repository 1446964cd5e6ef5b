"""Diminishing returns (saturation): 0 at 0, increasing, below 1.

Written once against an array namespace ``xp`` (``numpy`` by default, ``jax.numpy`` or
``keras.ops``) and read by the Keras :class:`~mmm_analytics.models.layers.saturation.ROICurveLayer`,
the steady-state response (curves, simulator) and the synthetic truth.

Inputs are carried-over exposure in scaled units (1 = the series' average weekly
exposure); ``half_saturation`` is in the same units. Negative inputs count as 0. A new
family is one curve function plus one :func:`register` call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, assert_never

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, Parameter, Registry, expit

type Array = Any
type Weekly = npt.NDArray[np.float64]
type ChannelParam = float | npt.NDArray[np.float64]

LOG3 = math.log(3.0)


class SaturationFamily(StrEnum):
    """Shapes of the saturation curve."""

    HILL = "hill"
    SIGMOID = "sigmoid"
    LOGISTIC = "logistic"


class SaturationScaling(StrEnum):
    """How a channel's half-saturation scales with the size of a series (its average exposure).

    ``relative``: at the same multiple of every series' own average exposure (scaling 1);
    ``absolute``: at the same absolute exposure in every series (scaling 0), so bigger spenders
    saturate sooner; ``learned``: the scaling in [0, 1] is estimated per channel.
    """

    RELATIVE = "relative"
    ABSOLUTE = "absolute"
    LEARNED = "learned"


type CurveFunction = Callable[[Array, Mapping[str, Array], Any], Array]


@dataclass(frozen=True, slots=True)
class SaturationForm:
    """A registered family: its parameters, ``curve(carried, params, xp)`` and
    ``slope_at_zero(params, xp)``, the curve's right-hand derivative at 0 (may be infinite),
    which automatic differentiation of a gradient-safe curve does not always give."""

    family: SaturationFamily
    parameters: tuple[Parameter, ...]
    curve: CurveFunction
    slope_at_zero: Callable[[Mapping[str, Array], Any], Array]


SATURATION_FORMS: Registry[SaturationFamily, SaturationForm] = Registry("saturation", SaturationFamily)
register = SATURATION_FORMS.register
form_of = SATURATION_FORMS.form_of


def constrain_params(family: SaturationFamily | str, raw: Mapping[str, Array], xp: Any = np) -> dict[str, Array]:
    """Constrained parameters keyed by name, from the raw weights keyed by ``raw_name`` (Keras weight names)."""
    return SATURATION_FORMS.constrain_params(family, raw, xp)


def _clamp(carried: Array, xp: Any) -> Array:
    # where, not maximum or clip: at exactly 0 the derivative is the right-hand one.
    return xp.where(carried >= 0.0, carried, 0.0)


def _hill(carried: Array, params: Mapping[str, Array], xp: Any) -> Array:
    """x**slope / (x**slope + half_saturation**slope); 0.5 at half-saturation, S-shaped for slope > 1."""
    x = _clamp(carried, xp)
    positive = x > 0.0
    # A logistic of the log ratio: no overflow for any input, and the log is taken of a safe
    # value so no gradient is NaN at 0 (whatever the slope), nor far below half-saturation.
    log_ratio = params["slope"] * (xp.log(xp.where(positive, x, 1.0)) - xp.log(params["half_saturation"]))
    return xp.where(positive, expit(log_ratio, xp), 0.0)


def _hill_slope_at_zero(params: Mapping[str, Array], xp: Any) -> Array:
    """Infinite for slope < 1, 1 / half_saturation for slope 1, 0 for slope > 1."""
    slope, half = params["slope"], params["half_saturation"]
    return xp.where(slope < 1.0, xp.inf, xp.where(slope == 1.0, 1.0 / half, 0.0))


def _sigmoid(carried: Array, params: Mapping[str, Array], xp: Any) -> Array:
    """Zero-anchored logistic tanh(k x / 2), k = ln 3 / half_saturation: concave, 0.5 at half-saturation."""
    # Written with exp/expm1: keras.ops.tanh computes in float32 under JAX even in float64.
    rate_x = LOG3 / params["half_saturation"] * _clamp(carried, xp)
    return -xp.expm1(-rate_x) / (1.0 + xp.exp(-rate_x))


def _sigmoid_slope_at_zero(params: Mapping[str, Array], xp: Any) -> Array:
    return LOG3 / (2.0 * params["half_saturation"])


def _logistic_inflection(params: Mapping[str, Array], xp: Any) -> tuple[Array, Array]:
    """The inflection point m of the logistic and its value at 0, L(0) = 1 / (1 + exp(slope)).

    m = h * slope / (slope + log((1 + L(0)) / (1 - L(0)))) puts half the ceiling exactly at
    h = ``half_saturation``; m < h, and m -> h as the slope grows.
    """
    steepness, half = params["slope"], params["half_saturation"]
    at_zero = expit(-steepness, xp)
    return half * steepness / (steepness + xp.log((1.0 + at_zero) / (1.0 - at_zero))), at_zero


def _logistic(carried: Array, params: Mapping[str, Array], xp: Any) -> Array:
    """S-shaped logistic anchored at 0: (L(x) - L(0)) / (1 - L(0)), L(x) = 1 / (1 + exp(-slope (x / m - 1))).

    ``slope`` is the log-odds steepness at the inflection m (see :func:`_logistic_inflection`);
    the curve is 0.5 at ``half_saturation`` and its ceiling is 1 (the asymptote is the
    model's coefficient).
    """
    inflection, at_zero = _logistic_inflection(params, xp)
    at_x = expit(params["slope"] * (_clamp(carried, xp) / inflection - 1.0), xp)
    return (at_x - at_zero) / (1.0 - at_zero)


def _logistic_slope_at_zero(params: Mapping[str, Array], xp: Any) -> Array:
    """slope / m * L(0): finite for every slope."""
    inflection, at_zero = _logistic_inflection(params, xp)
    return params["slope"] / inflection * at_zero


#: Every family's half-saturation: the carried-over scaled exposure at half the ceiling.
HALF_SATURATION = Parameter(
    "half_saturation", "half_saturation_raw", Link.POSITIVE, 1.5, "carried-over scaled exposure at half the ceiling"
)

#: The steepness of the families that have one (log-odds per log exposure at half-saturation).
SLOPE = Parameter("slope", "slope_raw", Link.POSITIVE, 1.0, "steepness (Hill: > 1 is S-shaped)")

#: The learned scaling of half-saturation with series size (0: absolute, 1: relative).
SIZE_SCALING = Parameter("scaling", "scaling_logit", Link.UNIT, 0.5, "half-saturation grows as series size**scaling")
#: How a series' media ceiling grows with its relative spend (see :func:`series_ceiling`).
CEILING_SCALING = Parameter(
    "scaling", "ceiling_scaling_logit", Link.UNIT, 0.5, "ceiling grows as relative spend**scaling"
)

register(SaturationForm(SaturationFamily.HILL, (HALF_SATURATION, SLOPE), _hill, _hill_slope_at_zero))
register(SaturationForm(SaturationFamily.SIGMOID, (HALF_SATURATION,), _sigmoid, _sigmoid_slope_at_zero))
register(SaturationForm(SaturationFamily.LOGISTIC, (HALF_SATURATION, SLOPE), _logistic, _logistic_slope_at_zero))


def has_slope(family: SaturationFamily | str) -> bool:
    """True when the family has a learned slope (steepness)."""
    return any(p.name == "slope" for p in form_of(family).parameters)


def is_concave(family: SaturationFamily | str, slope: Array) -> bool:
    """True when the curve is concave in exposure for every channel (one optimum for the optimiser)."""
    kind = SaturationFamily(family)
    match kind:
        case SaturationFamily.SIGMOID:
            return True
        case SaturationFamily.HILL:
            return bool(np.all(np.asarray(slope) <= 1.0))
        case SaturationFamily.LOGISTIC:
            return False
        case _:
            assert_never(kind)


def relative_size(exposure_scale: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Each series' average weekly exposure relative to the channel's typical series, (S, C).

    The typical series is the geometric mean over series with exposure; series without any
    exposure of a channel get 1 (their saturation never matters).
    """
    scale = np.asarray(exposure_scale, dtype=np.float64)
    positive = scale > 0
    log_scale = np.log(np.where(positive, scale, 1.0))
    count = np.maximum(positive.sum(axis=0), 1)
    typical = np.exp((log_scale * positive).sum(axis=0) / count)
    return np.where(positive, scale / typical, 1.0)


def series_half_saturation(half_saturation: Array, size: Array, scaling: Array, xp: Any = np) -> Array:
    """Half-saturation of each series in its own scaled exposure (1 = its average week).

    ``half_saturation`` (..., C) is that of a series of typical size, ``size`` the series'
    relative size (S, C) from :func:`relative_size` and ``scaling`` (..., C) in [0, 1]: the
    absolute half-saturation grows as size**scaling, so in the series' own units it is
    half_saturation * size**(scaling - 1). Returns (..., S, C).
    """
    return half_saturation[..., None, :] * xp.exp((scaling[..., None, :] - 1.0) * xp.log(size))


def series_ceiling(ceiling: Array, size: Array, scaling: Array, xp: Any = np) -> Array:
    """Each series' media ceiling (its weekly contribution at full saturation, scaled sales units).

    ``ceiling`` (..., S, C) is what the channel's level and the brand and region offsets give,
    ``size`` the series' relative spend (S, C) from :func:`relative_size` and ``scaling`` (..., C)
    in [0, 1] (:data:`CEILING_SCALING`): the ceiling grows as size**scaling. Returns (..., S, C).
    """
    return ceiling * xp.exp(scaling[..., None, :] * xp.log(size))


def _check_positive(name: str, value: ChannelParam) -> None:
    if np.any(np.asarray(value) <= 0):
        raise InputError(f"{name} must be > 0; got {value}")


def saturate(
    carried: Array, family: SaturationFamily | str, half_saturation: Array, slope: Array = 1.0, xp: Any = np
) -> Array:
    """Saturation of ``family`` at ``carried`` (any shape; parameters broadcast against it).

    ``slope`` is used by families that have one (Hill, logistic). With ``xp=numpy`` the parameters are
    validated (InputError for values <= 0) and the result is float64.
    """
    form = form_of(family)
    values = {"half_saturation": half_saturation, "slope": slope}
    params = {p.name: values[p.name] for p in form.parameters}
    if xp is np:
        for name, value in params.items():
            _check_positive(name, value)
        carried = np.asarray(carried, dtype=np.float64)
        params = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
        with np.errstate(over="ignore"):  # exp overflows to inf far below half-saturation: the curve is 0 there
            return form.curve(carried, params, xp)
    return form.curve(carried, params, xp)


def hill(x: Weekly, half_saturation: ChannelParam, slope: ChannelParam) -> Weekly:
    """Hill curve x**slope / (x**slope + half_saturation**slope), in [0, 1) (NumPy)."""
    return saturate(x, SaturationFamily.HILL, half_saturation, slope)


def sigmoid(x: Weekly, half_saturation: ChannelParam) -> Weekly:
    """Zero-anchored logistic (1 - exp(-k x)) / (1 + exp(-k x)), k = ln 3 / half_saturation (NumPy)."""
    return saturate(x, SaturationFamily.SIGMOID, half_saturation)


def logistic(x: Weekly, half_saturation: ChannelParam, slope: ChannelParam) -> Weekly:
    """S-shaped logistic anchored at 0, half its ceiling at ``half_saturation``, in [0, 1) (NumPy)."""
    return saturate(x, SaturationFamily.LOGISTIC, half_saturation, slope)
