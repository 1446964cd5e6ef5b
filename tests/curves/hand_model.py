"""A hand-set model for the curves tests: response parameters and metadata written to a folder.

Default: 2 brands x 2 regions x 3 channels, 60 weeks, Hill saturation, 40 draws made by
perturbing the point estimate with a seeded generator (lognormal factors); with
:func:`build_sku_params`, each brand x region once per SKU.
Also loaded by tests/cli/test_curves_cmd.py; :func:`pool_form` by the simulator's tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from mmm_analytics.response import carryover
from mmm_analytics.response.artifacts import METADATA_FILE, ModelMetadata, ResponseParams, pooled_file
from mmm_analytics.response.steady_state import historical_contribution

CHANNELS = ("TV", "Radio", "Search")
CPM = {"TV": 1.2, "Radio": 0.6, "Search": 2.0, "YouTube": 1.6, "Facebook": 2.0, "Instagram": 4.5, "Print": 6.0}
BASE_EXPOSURE = 2.0e6


def build_params(
    saturation: str = "hill",
    brands: tuple[str, ...] = ("BrandA", "BrandB"),
    regions: tuple[str, ...] = ("NORTH", "SOUTH"),
    channels: tuple[str, ...] = CHANNELS,
    n_weeks: int = 60,
    n_draws: int = 40,
    max_lag: int = 4,
    seed: int = 0,
) -> ResponseParams:
    """Response parameters set by hand; draws perturb them multiplicatively (lognormal)."""
    rng = np.random.default_rng(seed)
    n_channels, n_series = len(channels), len(brands) * len(regions)
    series = [(b, r) for b in brands for r in regions]
    exposure = BASE_EXPOSURE * rng.lognormal(0.0, 0.4, size=(n_series, n_weeks, n_channels))
    exposure *= rng.uniform(0.5, 1.5, size=(n_series, 1, n_channels))
    weights = carryover.beta_gamma_weights(
        np.linspace(0.4, 0.8, n_channels), np.linspace(0.3, 0.6, n_channels), max_lag
    )
    half_saturation = np.linspace(0.8, 2.0, n_channels)
    slope = np.linspace(1.0, 2.0, n_channels)
    coefficient = rng.uniform(20_000.0, 60_000.0, size=(n_series, n_channels))

    def jitter(values: np.ndarray, sd: float) -> np.ndarray:
        return values[None] * rng.lognormal(0.0, sd, size=(n_draws, *values.shape))

    lag_draws = jitter(weights, 0.05)
    lag_draws[:, 0, :] = 1.0
    params = ResponseParams(
        channels=channels,
        series_brand=tuple(b for b, _ in series),
        series_region=tuple(r for _, r in series),
        saturation=saturation,
        cpm=np.array([CPM[c] for c in channels]),
        exposure_scale=exposure.mean(axis=1),
        exposure=exposure,
        dates=tuple((dt.date(2023, 1, 2) + dt.timedelta(weeks=t)).isoformat() for t in range(n_weeks)),
        lag_weights=weights,
        half_saturation=half_saturation,
        slope=slope,
        coefficient=coefficient,
        lag_weights_draws=lag_draws,
        half_saturation_draws=jitter(half_saturation, 0.1),
        slope_draws=jitter(slope, 0.05),
        coefficient_draws=jitter(coefficient, 0.1),
        predicted_sales=np.zeros((n_series, n_weeks)),
        baseline_sales=np.zeros((n_series, n_weeks)),
    )
    baseline = rng.uniform(3e5, 5e5, size=(n_series, n_weeks))
    predicted = baseline + historical_contribution(params).sum(axis=-1)
    return dataclasses.replace(params, predicted_sales=predicted, baseline_sales=baseline)


def build_sku_params(
    brands: tuple[str, ...] = ("BrandA", "BrandB"),
    regions: tuple[str, ...] = ("NORTH", "SOUTH"),
    skus: tuple[str, ...] = ("SKU1", "SKU2"),
    **options: Any,
) -> tuple[ResponseParams, tuple[str, ...]]:
    """Series of brand x region x SKU (``geo_brand_sku`` granularity): every brand x region pair
    appears once per SKU. Returns the parameters and each series' SKU (``BrandA_SKU1``, ...)."""
    params = build_params(brands=tuple(b for b in brands for _ in skus), regions=regions, **options)
    return params, tuple(f"{b}_{k}" for b in brands for k in skus for _ in regions)


def metadata_for(params: ResponseParams, max_lag: int = 4, skus: tuple[str, ...] | None = None) -> ModelMetadata:
    keys = zip(params.series_brand, params.series_region, skus or [None] * len(params.series_brand))
    return ModelMetadata(
        channels=list(params.channels),
        brands=sorted(set(params.series_brand)),
        regions=sorted(set(params.series_region)),
        series=[{"brand": b, "region": r} | ({} if k is None else {"sku": k}) for b, r, k in keys],
        date_range=(params.dates[0], params.dates[-1]),
        n_weeks=len(params.dates),
        holdout_weeks=8,
        seed=7,
        saturation=params.saturation,
        max_lag=max_lag,
        interval_level=0.9,
    )


def write_model(folder: Path, params: ResponseParams, skus: tuple[str, ...] | None = None) -> Path:
    """A model folder with ``response_params.npz`` and ``metadata.json`` (series with their SKU when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    params.save(folder)
    metadata_for(params, skus=skus).save(folder)
    return folder


def pool_form(folder: Path, params: ResponseParams, said: str | None = "", legacy: bool = False) -> None:
    """Save ``params`` as the model folder's next pooled form, and name ``said`` (default: its own
    saturation; None: nothing) in the metadata as ``mmm train`` does (``legacy``: as a model saved
    before several forms could be pooled, its one form under ``pooled_saturation``)."""
    meta = json.loads((folder / METADATA_FILE).read_text())
    selection = meta.setdefault("extra", {}).setdefault("selection", {})
    named = selection.setdefault("pooled_saturations", [])
    params.save(folder, pooled_file(len(named)))
    if said is not None:
        named.append(params.saturation if said == "" else said)
    if legacy:
        selection["pooled_saturation"] = selection.pop("pooled_saturations")[0]
    (folder / METADATA_FILE).write_text(json.dumps(meta))


def write_fast_config(folder: Path) -> Path:
    """A config folder with a low dpi, small figures and few curve points, for speed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "viz_config.yaml").write_text("dpi: 50\nfigure_width: 6.0\nfigure_height: 3.5\nmax_workers: 2\n")
    (folder / "model_config.yaml").write_text("curves:\n  points: 11\nintervals:\n  level: 0.9\n  draws: 40\n")
    return folder
