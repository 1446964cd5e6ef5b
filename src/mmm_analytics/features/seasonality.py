"""Calendar features: yearly Fourier terms and festive indicators."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

type Weekly = npt.NDArray[np.float64]

DAYS_PER_YEAR = 365.25


def fourier_terms(dates: pd.DatetimeIndex | pd.Series, order: int) -> tuple[Weekly, list[str]]:
    """Yearly Fourier terms of the day of year.

    Returns an array of shape (n_weeks, 2 * order), columns sin_1, cos_1, ..., and their names.
    """
    day = pd.DatetimeIndex(dates).day_of_year.to_numpy(dtype=np.float64)
    angle = 2.0 * np.pi * day / DAYS_PER_YEAR
    columns, names = [], []
    for k in range(1, order + 1):
        columns += [np.sin(k * angle), np.cos(k * angle)]
        names += [f"fourier_sin_{k}", f"fourier_cos_{k}"]
    terms = np.stack(columns, axis=-1) if columns else np.zeros((len(day), 0))
    return terms, names


def festive_indicator(festival_index: Weekly, threshold: float | None = None) -> Weekly:
    """1.0 in festive weeks: Festival_Index above ``threshold`` (default: median + 2 MAD-sd).

    A series with no variation has no festive weeks (all 0).
    """
    values = np.asarray(festival_index, dtype=np.float64)
    if threshold is None:
        median = np.median(values)
        spread = 1.4826 * np.median(np.abs(values - median))
        if spread == 0:
            return np.zeros_like(values)
        threshold = median + 2.0 * spread
    return (values > threshold).astype(np.float64)
