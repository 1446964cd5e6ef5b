"""Turn a :class:`FeaturePanel` and the model config into the model's input arrays and priors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mmm_analytics.config.model import ModelConfig
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.response.saturation import relative_size

#: Calendar controls each series may follow on its own (see ``series_baseline`` in the model
#: config): the trend and the first yearly Fourier pair, where the panel has them.
SERIES_CONTROLS: tuple[str, ...] = ("trend", "fourier_sin_1", "fourier_cos_1")


def series_controls(panel: FeaturePanel) -> np.ndarray:
    """The panel's :data:`SERIES_CONTROLS`, standardised with the training weeks' scalers,
    (S, T, k); k = 0 when the panel has none of them."""
    picked = [panel.control_names.index(name) for name in SERIES_CONTROLS if name in panel.control_names]
    raw = panel.controls[..., picked]
    mean, sd = panel.scalers.control_mean[picked], panel.scalers.control_sd[picked]
    return (raw - mean) / np.where(sd > 0, sd, 1.0)


@dataclass(frozen=True, slots=True)
class ModelInputs:
    """``x`` (dict of float32/int32 arrays), ``y`` (S, T) scaled sales, masks (S, T): 1 on the training
    (holdout) weeks whose sales were observed, 0 elsewhere."""

    x: dict[str, np.ndarray]
    y: np.ndarray
    train_mask: np.ndarray
    holdout_mask: np.ndarray


def model_inputs(panel: FeaturePanel) -> ModelInputs:
    vocab = panel.vocabularies()
    n_series, n_weeks = panel.sales.shape
    x: dict[str, np.ndarray] = {
        "media": panel.scaled_exposure.astype(np.float32),
        "controls": panel.scaled_controls.astype(np.float32),
        "series_controls": series_controls(panel).astype(np.float32),
        "relative_price": panel.relative_price.astype(np.float32),
        "series": np.arange(n_series, dtype=np.int32),
        "brand": vocab["brand"].encode(panel.brand).astype(np.int32),
        "region": vocab["region"].encode(panel.geo).astype(np.int32),
        "size": relative_size(panel.scalers.exposure_scale),
    }
    train = np.zeros((n_series, n_weeks), dtype=np.float32)
    train[:, : panel.n_train_weeks] = 1.0
    observed = panel.observed.astype(np.float32)  # weeks whose sales the cleaning filled in count in neither
    y = (panel.sales / panel.scalers.sales_scale).astype(np.float32)
    return ModelInputs(x, y, train * observed, (1.0 - train) * observed)


def prior_values(config: ModelConfig, channels: tuple[str, ...]) -> dict[str, Any]:
    """Plain numbers for :class:`MarketingMixModel`'s ``priors`` argument: one value per channel
    (in ``channels`` order) for the priors a channel may have its own of, one for the rest."""
    p = config.priors
    roi = [p.channel_roi.get(c, p.roi) for c in channels]
    half_life = [p.channel_half_life.get(c, p.half_life) for c in channels]
    shape = [p.channel_weibull_shape.get(c, p.weibull_shape) for c in channels]
    half_saturation = [p.channel_half_saturation.get(c, p.half_saturation) for c in channels]
    slope = [p.channel_slope.get(c, p.slope) for c in channels]
    return {
        "weight": p.weight,
        "roi_mean": [r.mean for r in roi],
        "roi_spread": [r.spread for r in roi],
        "half_life_mean": [h.mean_weeks for h in half_life],
        "half_life_spread": [h.spread for h in half_life],
        "weibull_shape_mean": [w.mean for w in shape],
        "weibull_shape_spread": [w.spread for w in shape],
        "elasticity_mean": p.elasticity.mean,
        "elasticity_spread": p.elasticity.spread,
        "half_saturation_mean": [h.mean for h in half_saturation],
        "half_saturation_spread": [h.spread for h in half_saturation],
        "slope_mean": [s.mean for s in slope],
        "slope_spread": [s.spread for s in slope],
        "scaling_mean": p.saturation_scaling.mean,
        "scaling_spread": p.saturation_scaling.spread,
        "ceiling_scaling_mean": p.ceiling_scaling.mean,
        "ceiling_scaling_spread": p.ceiling_scaling.spread,
        "brand_sd": p.shrinkage.brand_sd,
        "region_sd": p.shrinkage.region_sd,
        "cell_sd": p.shrinkage.cell_sd,
        "series_sd": p.shrinkage.series_sd,
    }
