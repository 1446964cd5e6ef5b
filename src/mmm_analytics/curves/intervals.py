"""Uncertainty intervals of the curves step: equal-tailed quantiles over parameter draws.

Method
------
The trained model saves, beside its point estimate, D draws of the media-response
parameters (carryover weights, half-saturation, slope and the per-series
coefficients; ``ResponseParams.*_draws``). They come from a Laplace approximation of
the posterior around the fitted weights: a Gaussian centred on the fitted
(unconstrained) weights with the inverse of the Hessian of the training loss (data
fit plus the economic priors) as covariance, pushed through the same constraints as
the model (sigmoid, softplus). Every derived quantity (a curve point, ROI, marginal
ROI, contribution) is computed once per draw, and its interval at level ``q`` is the
pair of equal-tailed quantiles ``(1 - q) / 2`` and ``(1 + q) / 2`` over the draws
(linear interpolation between order statistics). The point estimate itself comes
from the fitted weights, not from the draws. Nothing is a fixed +-x% band: a channel
the data pin down gets a narrow interval, a collinear or rarely used one a wide
interval.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError

type Draws = npt.NDArray[np.float64]


def tail_probabilities(level: float) -> tuple[float, float]:
    """Lower and upper quantile probabilities of an equal-tailed interval at ``level``."""
    if not 0.0 < level < 1.0:
        raise InputError(f"interval level must be in (0, 1) (model_config.yaml intervals.level); got {level}")
    return (1.0 - level) / 2.0, (1.0 + level) / 2.0


def equal_tailed(draws: Draws, level: float, axis: int = 0) -> tuple[Draws, Draws]:
    """Equal-tailed interval over the draw axis.

    Parameters
    ----------
    draws : ndarray of shape (D, ...) (draw axis given by ``axis``)
        One value per parameter draw, in the quantity's units (INR, INR per INR).
    level : float in (0, 1)
        Coverage of the interval, e.g. 0.9.
    axis : int
        The draw axis.

    Returns
    -------
    (lower, upper) : ndarrays of the shape of ``draws`` without ``axis``
        NaN draws are ignored; all-NaN positions give NaN (as do positions whose
        bracketing draws are both infinite).
    """
    low, high = tail_probabilities(level)
    values = np.asarray(draws, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf between two infinite draws gives NaN
        if not np.isnan(values).any():
            lower, upper = np.quantile(values, [low, high], axis=axis)
            return lower, upper
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="All-NaN slice encountered", category=RuntimeWarning)
            lower, upper = np.nanquantile(values, [low, high], axis=axis)
    return lower, upper
