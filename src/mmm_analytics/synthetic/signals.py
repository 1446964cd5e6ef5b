"""Behaviourally realistic weekly signals for the synthetic world.

Festive peaks (Diwali in late Oct/Nov, Holi in March), monsoon rainfall, CPI drift,
distribution growth, promotion episodes and burst media flighting. Each function takes
a ``np.random.Generator`` and returns arrays with weeks on the last axis.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

type Array = npt.NDArray[np.float64]

DIWALI = (
    dt.date(2021, 11, 4),
    dt.date(2022, 10, 24),
    dt.date(2023, 11, 12),
    dt.date(2024, 10, 31),
    dt.date(2025, 10, 20),
    dt.date(2026, 11, 8),
    dt.date(2027, 10, 29),
)
HOLI = (
    dt.date(2022, 3, 18),
    dt.date(2023, 3, 8),
    dt.date(2024, 3, 25),
    dt.date(2025, 3, 14),
    dt.date(2026, 3, 4),
    dt.date(2027, 3, 22),
)


def _bump(dates: list[dt.date], centres: tuple[dt.date, ...], width_weeks: float) -> Array:
    days = np.array([[(d - c).days for c in centres] for d in dates], dtype=np.float64)
    return np.exp(-0.5 * (days / (7.0 * width_weeks)) ** 2).sum(axis=1)


def festival_index(dates: list[dt.date], n_geos: int, rng: np.random.Generator) -> Array:
    """Festival intensity per geo and week, 1 = ordinary week; peaks at Diwali and Holi."""
    diwali = _bump(dates, DIWALI, 1.3)
    holi = _bump(dates, HOLI, 0.8)
    year_end = np.array(
        [1.0 if (d.month == 12 and d.day >= 18) or (d.month == 1 and d.day <= 3) else 0.0 for d in dates]
    )
    geo_scale = rng.uniform(0.75, 1.25, size=(n_geos, 1))
    base = 0.85 * diwali + 0.35 * holi + 0.2 * year_end
    return 1.0 + geo_scale * base + rng.normal(0.0, 0.03, size=(n_geos, len(dates)))


def rainfall_index(dates: list[dt.date], n_geos: int, rng: np.random.Generator) -> Array:
    """Monsoon rainfall per geo: high from June to September, low otherwise, >= 0."""
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=np.float64)
    monsoon = np.exp(-0.5 * ((doy - 205.0) / 35.0) ** 2)
    geo_scale = rng.uniform(0.6, 1.5, size=(n_geos, 1))
    noise = rng.gamma(2.0, 0.4, size=(n_geos, len(dates)))
    return 1.0 + 9.0 * geo_scale * monsoon + noise


def random_walk(n_rows: int, n_weeks: int, start: Array, step_sd: float, rng: np.random.Generator) -> Array:
    steps = rng.normal(0.0, step_sd, size=(n_rows, n_weeks))
    steps[:, 0] = 0.0
    return start[:, None] + np.cumsum(steps, axis=1)


def growth_curve(n_rows: int, n_weeks: int, low: float, high: float, rng: np.random.Generator) -> Array:
    """Logistic growth from about ``low`` to about ``high`` with row-level variation."""
    t = np.linspace(-3.0, 3.0, n_weeks)
    start = rng.uniform(0.9, 1.1, size=(n_rows, 1)) * low
    end = rng.uniform(0.9, 1.1, size=(n_rows, 1)) * high
    return start + (end - start) / (1.0 + np.exp(-t)) + rng.normal(0.0, 0.004 * high, size=(n_rows, n_weeks))


def episodes(n_weeks: int, rate: float, length: tuple[int, int], rng: np.random.Generator) -> Array:
    """0/1 flags with episodes of ``length`` weeks starting at ``rate`` per week."""
    flags = np.zeros(n_weeks)
    week = int(rng.integers(0, 6))
    while week < n_weeks:
        if rng.random() < rate:
            run = int(rng.integers(length[0], length[1] + 1))
            flags[week : week + run] = 1.0
            week += run + 2
        else:
            week += 1
    return flags


def flighting(
    n_weeks: int, burst: tuple[int, int], gap: tuple[int, int], floor: float, rng: np.random.Generator
) -> Array:
    """Burst flighting pattern with mean 1: on-air bursts separated by low-weight gaps."""
    level = np.full(n_weeks, floor)
    week = int(rng.integers(0, gap[1] + 1))
    while week < n_weeks:
        run = int(rng.integers(burst[0], burst[1] + 1))
        level[week : week + run] = rng.uniform(0.7, 1.8)
        week += run + int(rng.integers(gap[0], gap[1] + 1))
    return level / level.mean()


def split_shares(total: Array, shares: Array, jitter_sd: float, rng: np.random.Generator) -> Array:
    """Split ``total`` of shape (..., n_weeks) into parts (..., n_parts, n_weeks) that sum to it exactly."""
    n_parts = shares.shape[-1]
    weights = shares[..., :, None] * np.exp(
        rng.normal(0.0, jitter_sd, size=(*total.shape[:-1], n_parts, total.shape[-1]))
    )
    weights /= weights.sum(axis=-2, keepdims=True)
    return weights * total[..., None, :]
