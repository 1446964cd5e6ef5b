"""Hand-built response parameters and model folders (no training) for the simulator tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from mmm_analytics.channels import Channels
from mmm_analytics.response import carryover
from mmm_analytics.response.artifacts import ModelMetadata, ResponseParams
from mmm_analytics.response.steady_state import historical_contribution, steady_state_response

BRANDS = ("BrandA", "BrandB", "BrandC")
REGIONS = (
    *("CENTRAL", "EAST", "NORTH", "NORTHEAST", "SOUTH", "WEST", "NORTHWEST", "SOUTHWEST"),
    *(f"GEO{k:03d}" for k in range(9, 41)),  # as the synthetic source names regions past 8
)
MAX_LAG = 8


def _draws(value: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    return value[None] * np.exp(rng.normal(0.0, 0.05, size=(n_draws, *value.shape)))


def build_params(
    n_brands: int = 2,
    n_regions: int = 2,
    n_channels: int = 3,
    n_weeks: int = 60,
    n_draws: int = 8,
    saturation: str = "hill",
    seed: int = 3,
) -> ResponseParams:
    """Response parameters of a plausible trained model, built by hand (no training)."""
    rng = np.random.default_rng(seed)
    table = Channels.default()
    channels = table.names[:n_channels]
    cpm = table.cpm_array()[:n_channels]
    series = [(b, r) for b in BRANDS[:n_brands] for r in REGIONS[:n_regions]]
    n_series = len(series)
    base = rng.uniform(0.3e6, 2.0e6, size=(1, 1, n_channels))
    exposure = base * rng.uniform(0.6, 1.5, (n_series, 1, 1)) * rng.lognormal(0.0, 0.4, (n_series, n_weeks, n_channels))
    retention = rng.uniform(0.2, 0.7, n_channels)
    lag_weights = carryover.beta_gamma_weights(0.6, retention, MAX_LAG)
    half_saturation = lag_weights.sum(axis=0) * rng.uniform(0.7, 1.6, n_channels)
    slope = rng.uniform(1.05, 1.6, n_channels) if saturation == "hill" else np.ones(n_channels)
    coefficient = rng.uniform(15_000.0, 60_000.0, (n_series, n_channels))
    weights_draws = lag_weights[None] * np.exp(rng.normal(0.0, 0.03, (n_draws, 1, n_channels)))
    baseline = rng.uniform(1.5e5, 3.0e5, (n_series, 1)) * (1 + 0.05 * rng.normal(size=(n_series, n_weeks)))
    start = dt.date(2023, 1, 2)
    params = ResponseParams(
        channels=channels,
        series_brand=tuple(b for b, _ in series),
        series_region=tuple(r for _, r in series),
        saturation=saturation,
        cpm=cpm,
        exposure_scale=exposure.mean(axis=1),
        exposure=exposure,
        dates=tuple((start + dt.timedelta(weeks=k)).isoformat() for k in range(n_weeks)),
        lag_weights=lag_weights,
        half_saturation=half_saturation,
        slope=slope,
        coefficient=coefficient,
        lag_weights_draws=weights_draws,
        half_saturation_draws=_draws(half_saturation, n_draws, rng),
        slope_draws=_draws(slope, n_draws, rng),
        coefficient_draws=_draws(coefficient, n_draws, rng),
        predicted_sales=baseline,
        baseline_sales=baseline,
    )
    predicted = baseline + historical_contribution(params).sum(axis=-1)
    return ResponseParams(
        **{**{name: getattr(params, name) for name in params.__dataclass_fields__}, "predicted_sales": predicted}
    )


def write_model(folder: Path, params: ResponseParams) -> Path:
    """Save ``params`` and matching metadata into ``folder`` (a model folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    params.save(folder)
    ModelMetadata(
        channels=list(params.channels),
        brands=sorted(set(params.series_brand)),
        regions=sorted(set(params.series_region)),
        series=[{"brand": b, "region": r} for b, r in zip(params.series_brand, params.series_region)],
        date_range=(params.dates[0], params.dates[-1]),
        n_weeks=len(params.dates),
        holdout_weeks=0,
        seed=3,
        saturation=params.saturation,
        max_lag=MAX_LAG,
        interval_level=0.9,
    ).save(folder)
    return folder


def reference_response(params: ResponseParams, spend: np.ndarray) -> np.ndarray:
    """The NumPy reference of the steady-state response at the point estimate, (..., S, C)."""
    return steady_state_response(
        spend,
        params.coefficient,
        params.exposure_scale,
        params.cpm,
        params.carry_sum,
        params.half_saturation,
        params.series_slope,
        params.saturation,
    )


def replace_params(params: ResponseParams, **changes: object) -> ResponseParams:
    """``params`` with some fields replaced (the constructor re-checks and broadcasts them)."""
    return dataclasses.replace(params, **changes)  # type: ignore[arg-type]


def per_cell(values: np.ndarray, params: ResponseParams) -> np.ndarray:
    """A per-channel parameter (..., C) or per-series one (..., S, C) as (..., S, C): hand-built
    half-saturations work with either layout."""
    values = np.asarray(values)
    series, channels = params.coefficient.shape
    return (
        values
        if values.shape[-2:] == (series, channels)
        else np.broadcast_to(values[..., None, :], (*values.shape[:-1], series, channels))
    )


def coefficient_only_draws(params: ResponseParams, factors: np.ndarray) -> ResponseParams:
    """Draws in which only the coefficients vary: draw d, channel c has ``factors[d, c]`` x the point
    coefficient; carryover, half-saturation and slope equal the point estimate in every draw.

    With Hill slope 1 the expected response is then the point curve with the mean coefficient.
    """
    n_draws = factors.shape[0]
    return replace_params(
        params,
        coefficient_draws=params.coefficient[None] * factors[:, None, :],
        lag_weights_draws=np.broadcast_to(params.lag_weights, (n_draws, *params.lag_weights.shape)).copy(),
        half_saturation_draws=np.broadcast_to(params.half_saturation, (n_draws, *params.half_saturation.shape)).copy(),
        slope_draws=np.broadcast_to(params.slope, (n_draws, *params.slope.shape)).copy(),
    )


def two_channel_draws(factors: np.ndarray, coefficient: tuple[float, float] = (40_000.0, 25_000.0)) -> ResponseParams:
    """One segment (BrandA / CENTRAL), two channels of Hill slope 1 in every draw, point coefficients
    ``coefficient`` (INR per week); draw d has ``factors[d]`` (D, 2) x them (:func:`coefficient_only_draws`)."""
    n_draws = factors.shape[0]
    base = build_params(n_brands=1, n_regions=1, n_channels=2, n_weeks=30, n_draws=n_draws)
    params = replace_params(base, slope=np.ones(2), coefficient=np.array([coefficient]))
    return coefficient_only_draws(replace_params(params, slope_draws=np.ones((n_draws, 2))), factors)


def steady_history(params: ResponseParams, spread: float, seed: int = 11) -> ResponseParams:
    """``params`` whose weekly exposure of every series and channel stays within its mean x
    (1 +- ``spread``), the mean unchanged: a narrow range of spend in the data."""
    rng = np.random.default_rng(seed)
    mean = params.exposure.mean(axis=1, keepdims=True)
    wobble = rng.uniform(-spread, spread, params.exposure.shape)
    wobble -= wobble.mean(axis=1, keepdims=True)
    wobble *= spread / max(float(np.abs(wobble).max()), 1e-300)
    return replace_params(params, exposure=mean * (1.0 + wobble))
