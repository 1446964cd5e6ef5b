"""Adam training: the progress callback (once per epoch with the objective, then once at the end)
and the guard that keeps finite weights when an epoch's objective is not finite."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import keras
import numpy as np
import pytest

from mmm_analytics.models import training
from mmm_analytics.models.posterior import current_theta
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


class _NanAfter(keras.optimizers.schedules.LearningRateSchedule):
    """Adam's usual step for the first ``steps`` steps, then a learning rate of NaN."""

    def __init__(self, steps: int, rate: float = 0.03) -> None:
        self.steps, self.rate = steps, rate

    def __call__(self, step):  # type: ignore[no-untyped-def]
        return keras.ops.where(step < self.steps, self.rate, math.nan)

    def get_config(self) -> dict[str, float]:
        """What saving the best model's optimizer (``best_model.keras``) needs."""
        return {"steps": self.steps, "rate": self.rate}


def _diverging_adam(monkeypatch: pytest.MonkeyPatch, steps: int) -> None:
    adam = keras.optimizers.Adam
    monkeypatch.setattr(training.keras.optimizers, "Adam", lambda rate: adam(_NanAfter(steps, rate)))


def test_adam_that_diverges_in_its_first_epoch_keeps_the_start(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = fast_config(epochs=3).model.model_copy(update={"steps_per_epoch": 5})
    panel = to_feature_panel(noiseless_panel, fast_config())
    keras.utils.set_random_seed(config.seed)  # as fit_model does: the same start
    start = current_theta(training.build_model(panel, config))
    _diverging_adam(monkeypatch, steps=0)
    fit = fit_model(panel, config)
    assert fit.diverged_epoch == 1
    assert fit.history == {} or all(len(v) == 0 for v in fit.history.values())
    assert fit.best_epoch == 0
    np.testing.assert_array_equal(current_theta(fit.model), start)


def test_adam_that_diverges_later_keeps_the_last_finite_epoch(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = fast_config(epochs=4).model.model_copy(update={"steps_per_epoch": 5})
    panel = to_feature_panel(noiseless_panel, fast_config())
    one_epoch = fit_model(panel, config, epochs=1)
    _diverging_adam(monkeypatch, steps=5)
    fit = fit_model(panel, config)
    assert fit.diverged_epoch == 2
    assert {k: len(v) for k, v in fit.history.items()} == {k: 1 for k in one_epoch.history}
    assert all(math.isfinite(x) for values in fit.history.values() for x in values)
    np.testing.assert_array_equal(current_theta(fit.model), current_theta(one_epoch.model))


def test_the_training_log_holds_no_number_that_is_not_finite(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before, the epoch where Adam diverged was written as a row of nan."""
    config = fast_config(epochs=3).model.model_copy(update={"steps_per_epoch": 5})
    panel = to_feature_panel(noiseless_panel, fast_config())
    _diverging_adam(monkeypatch, steps=5)
    fit = fit_model(panel, config, output_dir=tmp_path)
    assert fit.diverged_epoch == 2
    with open(tmp_path / "training_log.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["epoch"] for row in rows] == ["0", "1"]
    assert all(math.isfinite(float(value)) for value in rows[0].values())
    assert rows[1]["loss"] == "" and all(value == "" for key, value in rows[1].items() if key != "epoch")


def test_a_panel_of_more_cells_than_the_cap_is_built_without_their_offsets(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Brand x region offsets up to MAX_CELL_OFFSET_CELLS cells; past it none, in the model and in the
    priors it is saved with (so a reload builds the same weights)."""
    config = fast_config()
    panel = to_feature_panel(noiseless_panel, config)
    vocab = panel.vocabularies()
    cells = len(vocab["brand"]) * len(vocab["region"])
    assert config.model.priors.shrinkage.cell_sd > 0 and training.cells_left_out(panel, config.model) == 0
    assert training.build_model(panel, config.model).coefficients.cells
    monkeypatch.setattr(training, "MAX_CELL_OFFSET_CELLS", cells - 1)
    assert training.cells_left_out(panel, config.model) == cells
    model = training.build_model(panel, config.model)
    assert not model.coefficients.cells and model.priors["cell_sd"] == 0.0
    assert not type(model).from_config(model.get_config()).coefficients.cells


def test_a_fit_that_fails_closes_its_epoch_log(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Keras closes the CSV log at the end of a fit only: a fit stopped by an error left the file open (a
    ResourceWarning under 'python -X dev', the log's last lines unflushed)."""
    loggers: list[training.FiniteCsvLogger] = []

    class Recorded(training.FiniteCsvLogger):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            loggers.append(self)

    def stop(self: training.KeepFiniteWeights, epoch: int, logs: dict | None = None) -> None:
        raise RuntimeError("stopped")

    monkeypatch.setattr(training, "FiniteCsvLogger", Recorded)
    monkeypatch.setattr(training.KeepFiniteWeights, "on_epoch_end", stop)
    config = fast_config(epochs=3).model.model_copy(update={"steps_per_epoch": 5})
    with pytest.raises(RuntimeError, match="stopped"):
        fit_model(to_feature_panel(noiseless_panel, fast_config()), config, output_dir=tmp_path)
    (logger,) = loggers
    assert logger.csv_file is not None and logger.csv_file.closed
