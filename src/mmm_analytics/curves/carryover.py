"""The learned carryover (impulse response) per channel, with its interval over the draws.

The impulse response of channel c is its lag weights ``lag_weights[:, c]``: the
carried-over exposure in week ``t + lag`` per unit of (scaled) exposure in week t.
Their sum is the steady-state multiplier (carried exposure per unit of a sustained
weekly exposure). Bands are equal-tailed quantiles over ``lag_weights_draws``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mmm_analytics.curves.intervals import equal_tailed
from mmm_analytics.response.artifacts import ResponseParams

type Array = npt.NDArray[np.float64]

HALF_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class CarryoverCurve:
    """One channel's impulse response: arrays of shape (L + 1,) indexed by lag in weeks."""

    channel: str
    weights: Array
    lower: Array
    upper: Array
    steady_state: float
    steady_state_lower: float
    steady_state_upper: float
    half_weeks: float
    level: float


def cumulative_half_weeks(weights: Array) -> float:
    """Weeks until half of the total carried-over effect is delivered, counting from the start
    of the exposure week (week l delivers its weight evenly; linear interpolation)."""
    cumulative = np.cumsum(weights) / np.sum(weights)
    return float(np.interp(HALF_SHARE, np.concatenate([[0.0], cumulative]), np.arange(weights.size + 1.0)))


def carryover_curves(params: ResponseParams, level: float) -> list[CarryoverCurve]:
    """Impulse responses of every channel with intervals at ``level``."""
    draws = params.typical_lag_weights_draws
    lower, upper = equal_tailed(draws, level)
    sums_lower, sums_upper = equal_tailed(draws.sum(axis=1), level)
    typical = params.typical_lag_weights
    curves = []
    for index, channel in enumerate(params.channels):
        weights = typical[:, index]
        curves.append(
            CarryoverCurve(
                channel=channel,
                weights=weights,
                lower=lower[:, index],
                upper=upper[:, index],
                steady_state=float(weights.sum()),
                steady_state_lower=float(sums_lower[index]),
                steady_state_upper=float(sums_upper[index]),
                half_weeks=cumulative_half_weeks(weights),
                level=level,
            )
        )
    return curves
