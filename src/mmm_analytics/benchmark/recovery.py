"""One benchmark run: generate a panel, fit the model and the ridge baseline, compare with truth."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.data import SyntheticSetting, SyntheticSettings
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.models.pipeline import fit_and_summarise, metadata_for
from mmm_analytics.models.ridge import fit_ridge
from mmm_analytics.response import carryover
from mmm_analytics.response.artifacts import ModelMetadata, ResponseParams
from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.synthetic import GroundTruth, generate_panel


@dataclass(frozen=True, slots=True)
class RunResult:
    """Per-channel comparison rows and run-level figures of one (setting, seed)."""

    channels: pd.DataFrame
    summary: dict[str, float | str | int]
    params: ResponseParams
    metadata: ModelMetadata
    truth: GroundTruth


def wmape(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.abs(actual - predicted).sum() / np.abs(actual).sum())


def _panel(setting: SyntheticSetting, seed: int, config: ProjectConfig) -> tuple[FeaturePanel, GroundTruth]:
    synthetic = config.data.synthetic.model_copy(update={"seed": seed, "setting": setting})
    generated = generate_panel(SyntheticSettings.model_validate(synthetic.model_dump()), config.data.channel_table())
    frame = generated.frame.copy()
    frame["Date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    return build_panel(frame, config.data, config.features), generated.truth


def _channel_rows(
    params: ResponseParams, truth: GroundTruth, ridge_contribution: np.ndarray, level: float
) -> pd.DataFrame:
    spend = params.spend.sum(axis=(0, 1))
    point = historical_contribution(params).sum(axis=(0, 1))
    draws = np.stack([historical_contribution(params, d).sum(axis=(0, 1)) for d in range(params.n_draws)])
    low, high = np.quantile(draws / spend, [(1 - level) / 2, (1 + level) / 2], axis=0)
    true_contribution = truth.national_contribution()
    total = sum(true_contribution.values())
    rows = []
    for c, channel in enumerate(params.channels):
        true_roi = truth.national_roi()[channel]
        weights = params.lag_weights[:, c]
        retention = weights[2] / weights[1] if weights[1] > 0 else 0.0
        true_half_life = (truth.data["carryover"].get("half_life_weeks") or {}).get(channel)
        rows.append(
            {
                "channel": channel,
                "share_of_media": true_contribution[channel] / total,
                "true_contribution": true_contribution[channel],
                "contribution": point[c],
                "ridge_contribution": ridge_contribution[c],
                "true_roi": true_roi,
                "roi": point[c] / spend[c],
                "roi_lower": low[c],
                "roi_upper": high[c],
                "ridge_roi": ridge_contribution[c] / spend[c],
                "roi_error": point[c] / spend[c] / true_roi - 1.0,
                "covered": bool(low[c] <= true_roi <= high[c]),
                "interval_width": (high[c] - low[c]) / true_roi,
                "true_half_life": true_half_life,
                "half_life": float(carryover.half_life(retention)),
                "true_half_saturation": truth.data["saturation"]["half_saturation"][channel],
                "half_saturation": float(params.half_saturation[c]),
            }
        )
    return pd.DataFrame(rows)


def run_one(setting: SyntheticSetting, seed: int, config: ProjectConfig) -> RunResult:
    """Generate, fit (default config), and compare the recovered media effects with the truth."""
    panel, truth = _panel(setting, seed, config)
    start = time.perf_counter()
    _model, params, noise, _info = fit_and_summarise(panel, config)
    fit_seconds = time.perf_counter() - start
    ridge = fit_ridge(panel, config.features)
    rows = _channel_rows(params, truth, ridge.contribution.sum(axis=(0, 1)), config.model.intervals.level)
    total = rows["true_contribution"].sum()
    holdout = slice(panel.n_train_weeks, None)
    summary = {
        "setting": setting.value,
        "seed": seed,
        "contribution_error": float((rows["contribution"] - rows["true_contribution"]).abs().sum() / total),
        "ridge_contribution_error": float((rows["ridge_contribution"] - rows["true_contribution"]).abs().sum() / total),
        "holdout_wmape": wmape(panel.sales[:, holdout], params.predicted_sales[:, holdout]),
        "ridge_holdout_wmape": wmape(panel.sales[:, holdout], ridge.predicted[:, holdout]),
        "noise_floor_wmape": float(truth.data["noise_floor_wmape_last_13_weeks"]),
        "coverage": float(rows["covered"].mean()),
        "fit_seconds": fit_seconds,
    }
    metadata = metadata_for(panel, config, noise, {})
    return RunResult(rows.assign(setting=setting.value, seed=seed), summary, params, metadata, truth)
