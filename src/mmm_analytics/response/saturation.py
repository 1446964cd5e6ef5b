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
from typing import Any

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, Parameter, Registry

type Array = Any
type Weekly = npt.NDArray[np.float64]
type ChannelParam = float | npt.NDArray[np.float64]

LOG3 = math.log(3.0)


class SaturationFamily(StrEnum):
    """Shapes of the saturation curve."""

    HILL = "hill"
    SIGMOID = "sigmoid"


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
    # A logistic of the log ratio: no overflow or underflow for any input, and the log is
    # taken of a safe value so no gradient is NaN at 0 (whatever the slope).
    log_ratio = params["slope"] * (xp.log(xp.where(positive, x, 1.0)) - xp.log(params["half_saturation"]))
    return xp.where(positive, 1.0 / (1.0 + xp.exp(-log_ratio)), 0.0)


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


#: Every family's half-saturation: the carried-over scaled exposure at half the ceiling.
HALF_SATURATION = Parameter(
    "half_saturation", "half_saturation_raw", Link.POSITIVE, 1.5, "carried-over scaled exposure at half the ceiling"
)

register(
    SaturationForm(
        SaturationFamily.HILL,
        (
            HALF_SATURATION,
            Parameter("slope", "slope_raw", Link.POSITIVE, 1.0, "Hill exponent (> 1: S-shaped)"),
        ),
        _hill,
        _hill_slope_at_zero,
    )
)
register(
    SaturationForm(
        SaturationFamily.SIGMOID,
        (HALF_SATURATION,),
        _sigmoid,
        _sigmoid_slope_at_zero,
    )
)


def _check_positive(name: str, value: ChannelParam) -> None:
    if np.any(np.asarray(value) <= 0):
        raise InputError(f"{name} must be > 0; got {value}")


def saturate(
    carried: Array, family: SaturationFamily | str, half_saturation: Array, slope: Array = 1.0, xp: Any = np
) -> Array:
    """Saturation of ``family`` at ``carried`` (any shape; parameters broadcast against it).

    ``slope`` is used by families that have one (Hill). With ``xp=numpy`` the parameters are
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
