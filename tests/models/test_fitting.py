"""Fitting one model: the large-panel path (Gauss-Newton alone) and the series sample it chooses forms on."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.synthetic import SyntheticPanel


@pytest.mark.slow
def test_large_panel_path_fits_by_gauss_newton_alone(noiseless_panel: SyntheticPanel) -> None:
    """Panels above ``adam_max_series`` skip Adam and reach the same optimum (noiseless: the truth)."""
    import dataclasses

    from mmm_analytics.models.fitting import fit_and_summarise
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(prior_weight=0.0)
    config = dataclasses.replace(config, model=config.model.model_copy(update={"adam_max_series": 1}))
    panel = to_feature_panel(noiseless_panel, config)
    model, params, _, info = fit_and_summarise(panel, config)
    assert "adam" not in info["timings"] and info["timings"]["gauss-newton"] > 0
    assert info["best_epoch"] == 0 and len(info["history"]["loss"]) == 3
    contribution = historical_contribution(params).sum(axis=(0, 1))
    expected = np.array([noiseless_panel.truth.national_contribution()[c] for c in params.channels])
    np.testing.assert_allclose(contribution, expected, rtol=0.02)


def test_series_sample_keeps_every_brand(noiseless_panel: SyntheticPanel) -> None:
    from mmm_analytics.models.fitting import series_sample
    from tests.models.conftest import fast_config, to_feature_panel

    panel = to_feature_panel(noiseless_panel, fast_config())
    assert series_sample(panel, 10, seed=0) is panel
    sample = series_sample(panel, 1, seed=0)
    assert set(sample.brand) == set(panel.brand) and len(sample.brand) == len(set(panel.brand)) < len(panel.brand)
    assert len(series_sample(panel, 3, seed=0).brand) == 3
    kept = [panel.series_labels().index(label) for label in sample.series_labels()]
    np.testing.assert_array_equal(sample.sales, panel.sales[kept])
    np.testing.assert_array_equal(sample.scalers.exposure_scale, panel.scalers.exposure_scale[kept])
