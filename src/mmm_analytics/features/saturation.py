"""Diminishing returns (saturation): pure NumPy references, 0 at 0 and increasing.

Inputs are carried-over exposure in scaled units (1 = the series' average weekly
exposure); ``half_saturation`` is in the same units. The Keras twin is
:class:`mmm_analytics.models.layers.saturation.ROICurveLayer`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError

type Weekly = npt.NDArray[np.float64]
type ChannelParam = float | npt.NDArray[np.float64]

LOG3 = float(np.log(3.0))


class SaturationFamily(StrEnum):
    HILL = "hill"
    SIGMOID = "sigmoid"


def _check_positive(name: str, value: ChannelParam) -> None:
    if np.any(np.asarray(value) <= 0):
        raise InputError(f"{name} must be > 0; got {value}")


def hill(x: Weekly, half_saturation: ChannelParam, slope: ChannelParam) -> Weekly:
    """Hill curve x**slope / (x**slope + half_saturation**slope), in [0, 1).

    Equals 0.5 at ``x = half_saturation``; ``slope`` > 1 gives an S shape.
    """
    _check_positive("half_saturation", half_saturation)
    _check_positive("slope", slope)
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    ratio = (x / np.asarray(half_saturation, dtype=np.float64)) ** np.asarray(slope, dtype=np.float64)
    return ratio / (1.0 + ratio)


def sigmoid(x: Weekly, half_saturation: ChannelParam) -> Weekly:
    """Zero-anchored logistic (1 - exp(-k x)) / (1 + exp(-k x)) with k = ln 3 / half_saturation.

    Concave, 0 at 0, tends to 1, equals 0.5 at ``x = half_saturation``.
    """
    _check_positive("half_saturation", half_saturation)
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    rate = LOG3 / np.asarray(half_saturation, dtype=np.float64)
    return np.tanh(rate * x / 2.0)


def saturate(
    x: Weekly, family: SaturationFamily | str, half_saturation: ChannelParam, slope: ChannelParam = 1.0
) -> Weekly:
    """Dispatch to :func:`hill` or :func:`sigmoid` by name."""
    try:
        chosen = SaturationFamily(family)
    except ValueError:
        raise InputError(f"unknown saturation '{family}'; choose one of: hill, sigmoid") from None
    match chosen:
        case SaturationFamily.HILL:
            return hill(x, half_saturation, slope)
        case SaturationFamily.SIGMOID:
            return sigmoid(x, half_saturation)
        case _:
            assert_never(chosen)
