"""A simple ridge-regression MMM on fixed-parameter media transforms (the baseline to beat).

sales[s, t] / sales_scale = intercept[s] + controls[s, t] @ b + e * log(relative_price[s, t])
                            + sum_c slope_c * fixed[s, t, c]

``fixed`` is the adstocked and saturated media of ``feature_config.yaml`` (fixed carryover
and Hill curve), so nothing about carryover or saturation is learned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.features.store import fixed_transform_columns


@dataclass(frozen=True, slots=True)
class RidgeFit:
    media_effect: np.ndarray  # (C,) scaled sales per unit of fixed-transform media
    contribution: np.ndarray  # (S, T, C) INR
    predicted: np.ndarray  # (S, T) INR


def fit_ridge(panel: FeaturePanel, config: FeatureConfig, alpha: float = 1.0) -> RidgeFit:
    """Closed-form ridge on the training weeks (series intercepts are not penalised)."""
    n_series, n_weeks = panel.sales.shape
    fixed = fixed_transform_columns(panel, config)
    design = np.concatenate(
        [
            np.broadcast_to(np.eye(n_series)[:, None, :], (n_series, n_weeks, n_series)),
            panel.scaled_controls,
            np.log(panel.relative_price)[..., None],
            fixed,
        ],
        axis=-1,
    )
    target = panel.sales / panel.scalers.sales_scale
    train = slice(0, panel.n_train_weeks)
    x = design[:, train].reshape(-1, design.shape[-1])
    penalty = np.full(design.shape[-1], alpha)
    penalty[:n_series] = 0.0
    coefficients = np.linalg.solve(x.T @ x + np.diag(penalty), x.T @ target[:, train].ravel())
    media_effect = coefficients[-fixed.shape[-1] :]
    scale = panel.scalers.sales_scale
    return RidgeFit(media_effect, fixed * media_effect * scale, design @ coefficients * scale)
