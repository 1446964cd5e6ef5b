"""The training's progress callback: once per Adam epoch with the objective, then once at the end."""

from __future__ import annotations

import math

import pytest

from mmm_analytics.models.training import fit_model
from mmm_analytics.synthetic import SyntheticPanel

from .conftest import fast_config, to_feature_panel


@pytest.mark.slow
def test_fit_reports_each_epoch_then_the_end(noiseless_panel: SyntheticPanel) -> None:
    config = fast_config(epochs=3)
    panel = to_feature_panel(noiseless_panel, config)
    calls: list[tuple[int, int, float]] = []
    fit = fit_model(panel, config.model.model_copy(update={"steps_per_epoch": 5}), progress=lambda *a: calls.append(a))
    assert [(epoch, epochs) for epoch, epochs, _ in calls] == [(1, 3), (2, 3), (3, 3), (3, 3)]
    assert all(math.isfinite(objective) for *_, objective in calls)
    assert [objective for *_, objective in calls[:3]] == pytest.approx(fit.history["loss"], rel=1e-12)
