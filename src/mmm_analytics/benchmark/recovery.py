"""One benchmark fit: generate a world's panel, fit it, and compare the media effects with the truth.

:func:`world` builds the model's panel of a (setting, seed) beside the generated one; :func:`fit_one` fits it with
a config (ours, or the true-form floor) and returns per-channel rows and run figures;
:func:`ridge_baseline` gives the ridge baseline's figures for scale.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.data import SyntheticSetting, SyntheticSettings
from mmm_analytics.curves.intervals import equal_tailed
from mmm_analytics.curves.summary import RoiEstimates, channel_roi_table, estimate_roi
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.models.fitting import fit_and_summarise
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.pipeline import metadata_for
from mmm_analytics.models.ridge import fit_ridge
from mmm_analytics.response import carryover
from mmm_analytics.response.artifacts import DRAW_FIELDS, ModelMetadata, ResponseParams
from mmm_analytics.synthetic import GroundTruth, SyntheticPanel, generate_panel
from mmm_analytics.synthetic.world import world_settings


@dataclass(frozen=True, slots=True)
class FitResult:
    """Per-channel comparison rows and run-level figures of one fit of one (setting, seed)."""

    channels: pd.DataFrame
    summary: dict[str, float | str | int]
    params: ResponseParams
    metadata: ModelMetadata
    truth: GroundTruth
    #: The responses of other forms the fit pools into its advice (``mmm train``'s pooled form).
    pooled: tuple[ResponseParams, ...] = ()


@dataclass(frozen=True, slots=True)
class RidgeBaseline:
    """The ridge baseline of a panel: national contribution per channel (C,) in INR, and figures."""

    contribution: np.ndarray
    summary: dict[str, float]


def wmape(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.abs(actual - predicted).sum() / np.abs(actual).sum())


def world(setting: SyntheticSetting, seed: int, config: ProjectConfig) -> tuple[FeaturePanel, SyntheticPanel]:
    """The model's panel of the synthetic world ``setting`` with ``seed``, and the generated panel
    (truth, true contribution per week: what lift tests are drawn from)."""
    synthetic = config.data.synthetic.model_copy(update={"seed": seed, "setting": setting})
    generated = generate_panel(SyntheticSettings.model_validate(synthetic.model_dump()), config.data.channel_table())
    frame = generated.frame.copy()
    frame["Date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    return build_panel(frame, config.data, config.features), generated


def world_noise(setting: SyntheticSetting, config: ProjectConfig) -> float:
    """The weekly sales noise of world ``setting`` (sd as a share of a series' mean weekly sales):
    the world's own, or ``synthetic.noise_sd`` of the config (``mmm benchmark --noise``)."""
    return world_settings(setting, config.data.synthetic.noise_sd).noise_sd


def world_panel(setting: SyntheticSetting, seed: int, config: ProjectConfig) -> tuple[FeaturePanel, GroundTruth]:
    """The model's panel of the synthetic world ``setting`` with ``seed``, and its truth."""
    panel, generated = world(setting, seed, config)
    return panel, generated.truth


def channel_errors(estimate: pd.Series, truth: pd.Series) -> pd.Series:
    """|estimate - truth| per channel (KPI units); a channel without a finite estimate misses all of its
    truth (it counted as no error: a broken fit scored better)."""
    return (estimate - truth).abs().where(np.isfinite(estimate), truth.abs())


def _error_share(estimate: pd.Series, truth: pd.Series) -> float:
    """Sum over channels of :func:`channel_errors` / total true contribution."""
    return float(channel_errors(estimate, truth).sum() / truth.sum())


def ridge_baseline(panel: FeaturePanel, truth: GroundTruth, config: ProjectConfig) -> RidgeBaseline:
    """Fit the ridge baseline: its contribution error and holdout wMAPE."""
    ridge = fit_ridge(panel, config.features)
    contribution = ridge.contribution.sum(axis=(0, 1))
    true = pd.Series(truth.national_contribution())[list(panel.channels)]
    holdout = slice(panel.n_train_weeks, None)
    summary = {
        "ridge_contribution_error": _error_share(pd.Series(contribution, index=true.index), true),
        "ridge_holdout_wmape": wmape(panel.sales[:, holdout], ridge.predicted[:, holdout]),
    }
    return RidgeBaseline(contribution, summary)


#: Carryover families whose weights decay geometrically after lag 1 (a half-life means something).
GEOMETRIC_TAIL = ("beta_gamma", "geometric")


def _half_life(weights: np.ndarray, family: str) -> float:
    """Half-life (weeks) of a geometric tail of ``weights`` (L + 1,); NaN for other families."""
    if family not in GEOMETRIC_TAIL:
        return float("nan")
    return float(carryover.half_life(weights[2] / weights[1] if weights[1] > 0 else 0.0))


def interval_z(true_value: float, lower: float, upper: float, level: float) -> float:
    """Where ``true_value`` lies against an equal-tailed interval at ``level``, on the log scale, in
    standard deviations of the normal the interval would be: (log true - centre) / (half-width /
    z), z the normal quantile of (1 + level) / 2. Over many intervals its root mean square is about
    1 when they are calibrated, below 1 when they are too wide, above when too narrow. NaN where the
    interval has no positive width or a bound (or the truth) is not positive."""
    if not (0 < lower < upper and true_value > 0 and np.isfinite(upper)):
        return float("nan")
    half = (np.log(upper) - np.log(lower)) / 2.0
    centre = (np.log(upper) + np.log(lower)) / 2.0
    return float((np.log(true_value) - centre) / (half / norm.ppf((1.0 + level) / 2.0)))


def _channel_rows(
    params: ResponseParams,
    estimates: RoiEstimates,
    truth: GroundTruth,
    ridge: RidgeBaseline,
    level: float,
    family: str,
) -> pd.DataFrame:
    """One row per channel: true and recovered contribution and ROI (the interval at ``level`` of
    ``channel_roi.csv`` from ``estimates``, :func:`estimate_roi` of ``params`` with the forms it
    pools), carryover (half-life for ``family``es with a geometric tail, peak lag) and half-saturation."""
    table = channel_roi_table(estimates, level)
    spend, point = table["spend"].to_numpy(), table["contribution"].to_numpy()
    low, high = table["roi_lower"].to_numpy(), table["roi_upper"].to_numpy()
    true_contribution = truth.national_contribution()
    total = sum(true_contribution.values())
    rows = []
    typical_weights = params.typical_lag_weights
    for c, channel in enumerate(params.channels):
        true_roi = truth.national_roi()[channel]
        weights = typical_weights[:, c]
        true_half_life = (truth.data["carryover"].get("half_life_weeks") or {}).get(channel)
        rows.append(
            {
                "channel": channel,
                "share_of_media": true_contribution[channel] / total,
                "true_contribution": true_contribution[channel],
                "contribution": point[c],
                "ridge_contribution": ridge.contribution[c],
                "true_roi": true_roi,
                "roi": point[c] / spend[c],
                "roi_lower": low[c],
                "roi_upper": high[c],
                "ridge_roi": ridge.contribution[c] / spend[c],
                "roi_error": point[c] / spend[c] / true_roi - 1.0,
                "covered": bool(low[c] <= true_roi <= high[c]),
                "interval_width": (high[c] - low[c]) / true_roi,
                "interval_z": interval_z(true_roi, low[c], high[c], level),
                "true_half_life": true_half_life,
                "half_life": _half_life(weights, family),
                "true_peak_lag": int(np.argmax(truth.data["carryover"]["weights"][channel])),
                "peak_lag": int(np.argmax(weights)),
                "true_half_saturation": truth.data["saturation"]["half_saturation"][channel],
                "half_saturation": float(params.typical_half_saturation[c]),
            }
        )
    return pd.DataFrame(rows)


def cell_roi_figures(estimates: RoiEstimates, truth: GroundTruth, level: float) -> dict[str, float]:
    """How well each brand x region's own ROI on each channel is found, beyond the channel's level.

    ``cell_roi_correlation``: the correlation of the fitted log ROI (over the data period) with the
    true one over every cell x channel, after each channel's mean over cells is taken out of both (a
    fit that gives every cell its channel's ROI scores 0, one that follows each cell's own 1);
    ``cell_roi_coverage``: the share of cell x channels whose true ROI lies inside the interval at
    ``level`` (a cell without a finite interval misses). Series of one brand x region (SKUs) are summed; cells
    without spend on a channel are left out, and from the correlation those with a fitted or true ROI <= 0.
    ``estimates``: :func:`estimate_roi` of the fit.
    """
    keys = list(zip(estimates.brands, estimates.regions, strict=True))
    cells = list(dict.fromkeys(keys))
    members = np.array([[key == cell for key in keys] for cell in cells], dtype=float)  # (cells, S)
    spend = members @ estimates.spend
    # Each cell's own series summed (a product with the membership matrix spread one series' NaN draw to every cell).
    draws = np.stack([estimates.contribution_draws[:, rows].sum(axis=1) for rows in members.astype(bool)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = members @ estimates.contribution / spend
        low, high = equal_tailed(draws / spend, level)
    true_roi = np.array([[truth.series(b, r)["roi"][c] for c in estimates.channels] for b, r in cells])
    known = (spend > 0) & np.isfinite(true_roi)
    coverage = float(((low <= true_roi) & (true_roi <= high))[known].mean()) if known.any() else float("nan")
    logged = known & np.isfinite(roi) & (roi > 0) & (true_roi > 0)
    counts = logged.sum(axis=0)

    def within_channel(values: np.ndarray) -> np.ndarray:
        """log values less their channel's mean over the cells kept, at the cells kept (1-D)."""
        logs = np.log(np.where(logged, values, 1.0))
        return (logs - (logs * logged).sum(axis=0) / np.maximum(counts, 1))[logged]

    fitted, true = within_channel(roi), within_channel(true_roi)
    spread = len(fitted) > 2 and np.std(fitted) > 0 and np.std(true) > 0
    correlation = float(np.corrcoef(fitted, true)[0, 1]) if spread else float("nan")
    return {"cell_roi_correlation": correlation, "cell_roi_coverage": coverage}


def fitted_forms(model: object, params: ResponseParams, pooled: tuple[ResponseParams, ...] = ()) -> str:
    """``carryover+saturation/scaling`` of a fitted model; a learned scaling shows its mean over channels;
    a pooled saturation form follows the chosen one (``hill&logistic``)."""
    scaling = str(getattr(model, "saturation_scaling", "relative"))
    if scaling == "learned":
        scaling = f"learned {float(np.mean(params.typical_scaling)):.2f}"
    saturation = "&".join([params.saturation, *(p.saturation for p in pooled)])
    return f"{getattr(model, 'carryover', '?')}+{saturation}/{scaling}"


def nonfinite_draws(params: ResponseParams) -> float:
    """Share of the parameter draws with a non-finite lag weight, half-saturation, slope or coefficient."""
    bad = np.zeros(params.n_draws, dtype=bool)
    for name in DRAW_FIELDS:
        values = np.asarray(getattr(params, name), dtype=np.float64).reshape(params.n_draws, -1)
        bad |= ~np.isfinite(values).all(axis=1)
    return float(bad.mean())


def fit_one(
    panel: FeaturePanel,
    truth: GroundTruth,
    config: ProjectConfig,
    ridge: RidgeBaseline,
    fit: str = "ours",
    lift_tests: LiftTests | None = None,
) -> FitResult:
    """Fit ``panel`` with ``config`` (and ``lift_tests`` as evidence, if given) and compare the
    recovered media effects with the truth.

    ``fit`` labels the rows (``ours``, ``floor`` or ``lift``). Summary: contribution error (share of the
    true media contribution), holdout wMAPE, interval coverage, the share of non-finite
    parameter draws (a broken posterior; its intervals then miss), the fitted forms and the
    fit time (s).
    """
    start = time.perf_counter()
    model, params, noise, info = fit_and_summarise(panel, config, lift_tests=lift_tests)
    fit_seconds = time.perf_counter() - start
    pooled: tuple[ResponseParams, ...] = info.get("pooled", ())
    family = str(getattr(model, "carryover", config.model.carryover_family().value))
    estimates = estimate_roi(params, pooled=pooled)  # the ROI intervals channel_roi.csv ships, pooled forms too
    rows = _channel_rows(params, estimates, truth, ridge, config.model.intervals.level, family)
    holdout = slice(panel.n_train_weeks, None)
    summary: dict[str, float | str | int] = {
        "contribution_error": _error_share(rows["contribution"], rows["true_contribution"]),
        "holdout_wmape": wmape(panel.sales[:, holdout], params.predicted_sales[:, holdout]),
        "coverage": float(rows["covered"].mean()),
        **cell_roi_figures(estimates, truth, config.model.intervals.level),
        "nonfinite_draws": nonfinite_draws(params),
        "forms": fitted_forms(model, params, pooled),
        "fit_seconds": fit_seconds,
    }
    # As `mmm train` records it: the simulator frees the split of the channels the lift tests measured.
    metadata = metadata_for(panel, config, noise, {}, (model.carryover, model.saturation), lift_tests)
    return FitResult(rows.assign(fit=fit), summary, params, metadata, truth, pooled)
