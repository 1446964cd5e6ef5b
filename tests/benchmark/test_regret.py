"""Regret under the true response: zero for a model that is the truth, positive for a wrong one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mmm_analytics.benchmark.regret import (
    REGRET_COLUMNS,
    regret_per_segment,
    truth_surface,
)
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import ModelMetadata, ResponseParams
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.synthetic import (
    GroundTruth,
    SyntheticPanel,
    true_steady_state_response,
)


def _params_from_truth(truth: GroundTruth, n_weeks: int = 30) -> ResponseParams:
    """A 'trained model' whose response is exactly the truth (history flat at the mean exposure)."""
    data, channels = truth.data, tuple(truth.channels)
    entries = data["series"]
    surface = truth_surface(truth, channels, [(e["brand"], e["region"]) for e in entries])
    weights = np.array([data["carryover"]["weights"][c] for c in channels]).T
    exposure = np.repeat(surface.exposure_scale[:, None, :], n_weeks, axis=1)
    baseline = np.full((len(entries), n_weeks), 1e5)
    return ResponseParams(
        channels=channels,
        series_brand=tuple(e["brand"] for e in entries),
        series_region=tuple(e["region"] for e in entries),
        saturation=surface.family,
        cpm=surface.cpm,
        exposure_scale=surface.exposure_scale,
        exposure=exposure,
        dates=tuple(f"2024-01-{d:02d}" for d in range(1, n_weeks + 1)),
        lag_weights=weights,
        half_saturation=surface.half_saturation,
        slope=surface.slope,
        coefficient=surface.coefficient,
        lag_weights_draws=weights[None],
        half_saturation_draws=surface.half_saturation[None],
        slope_draws=surface.slope[None],
        coefficient_draws=surface.coefficient[None],
        predicted_sales=baseline,
        baseline_sales=baseline,
    )


def _simulator(params: ResponseParams) -> MarketingSimulator:
    metadata = ModelMetadata(
        channels=list(params.channels),
        brands=sorted(set(params.series_brand)),
        regions=sorted(set(params.series_region)),
        series=[{"brand": b, "region": r} for b, r in zip(params.series_brand, params.series_region)],
        date_range=(params.dates[0], params.dates[-1]),
        n_weeks=len(params.dates),
        holdout_weeks=0,
        seed=0,
        saturation=params.saturation,
        max_lag=params.lag_weights.shape[0] - 1,
        interval_level=0.9,
    )
    return MarketingSimulator(params, metadata)


def test_jax_twin_equals_true_response(small_panel: SyntheticPanel) -> None:
    truth = small_panel.truth
    entry = truth.data["series"][1]
    surface = truth_surface(truth, tuple(truth.channels), [(entry["brand"], entry["region"])])
    spend = np.random.default_rng(0).uniform(0.0, 5000.0, size=(1, len(truth.channels)))
    expected = true_steady_state_response(truth, entry["brand"], entry["region"], dict(zip(truth.channels, spend[0])))
    assert surface.cells(np.array([0])).value_and_grad(spend)[0] == pytest.approx(expected, rel=1e-9)


def test_truth_model_has_no_regret(small_panel: SyntheticPanel) -> None:
    table = regret_per_segment(_simulator(_params_from_truth(small_panel.truth)), small_panel.truth)
    assert tuple(table.columns) == REGRET_COLUMNS and len(table) == 4
    assert np.all(np.abs(table["regret"]) < 1e-6)
    assert np.all(table["current_mix_regret"] >= -1e-9)


def test_wrong_model_has_positive_regret(small_panel: SyntheticPanel) -> None:
    params = _params_from_truth(small_panel.truth)
    wrong = params.coefficient * np.array([4.0, 0.25, 1.0, 1.0, 0.25, 4.0])
    table = regret_per_segment(_simulator(dataclasses.replace(params, coefficient=wrong)), small_panel.truth)
    assert np.all(table["regret"] > 1e-4) and np.all(table["regret"] < 1.0)


def test_unknown_channel_in_truth(small_panel: SyntheticPanel) -> None:
    with pytest.raises(InputError, match="no channel"):
        truth_surface(small_panel.truth, ("TV", "Cinema"), [])
