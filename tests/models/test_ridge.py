"""Ridge baseline on fixed transforms."""

from __future__ import annotations

import numpy as np

from mmm_analytics.models.ridge import fit_ridge
from tests.models.conftest import fast_config, to_feature_panel


def test_ridge_predicts_and_splits_contributions(noiseless_panel) -> None:
    config = fast_config()
    panel = to_feature_panel(noiseless_panel, config)
    fit = fit_ridge(panel, config.features, alpha=1.0)
    assert fit.contribution.shape == panel.exposure.shape
    assert fit.predicted.shape == panel.sales.shape
    train = slice(0, panel.n_train_weeks)
    wmape = np.abs(fit.predicted[:, train] - panel.sales[:, train]).sum() / panel.sales[:, train].sum()
    assert wmape < 0.05  # a linear fit on the right controls explains most of the variation
    from mmm_analytics.features.store import fixed_transform_columns

    fixed = fixed_transform_columns(panel, config.features)
    np.testing.assert_allclose(fit.contribution, fixed * fit.media_effect * panel.scalers.sales_scale, rtol=1e-12)


def test_stronger_penalty_shrinks_media_effects(noiseless_panel) -> None:
    config = fast_config()
    panel = to_feature_panel(noiseless_panel, config)
    weak, strong = fit_ridge(panel, config.features, 0.01), fit_ridge(panel, config.features, 1e4)
    assert np.abs(strong.media_effect).sum() < np.abs(weak.media_effect).sum()
