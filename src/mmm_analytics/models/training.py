"""Fit the MMM: seeded, full-batch, jit-compiled steps with early stopping on the holdout weeks."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from mmm_analytics.config.model import ModelConfig
from mmm_analytics.features.panel import FeaturePanel, require_fittable
from mmm_analytics.models.inputs import ModelInputs, model_inputs, prior_values
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import assign_theta
from mmm_analytics.response.saturation import SaturationScaling
from mmm_analytics.utils.paths import CHECKPOINT_FILE, EPOCH_LOG_FILE

#: Called after each Adam epoch with (epoch, epochs at most, training objective).
type EpochProgress = Callable[[int, int, float], None]


#: Most brand x region cells that get their own offsets (``priors.shrinkage.cell_sd``): each cell adds
#: a weight per channel to the dense block of the Gauss-Newton fit and of the posterior, whose cost
#: grows with the cube of that block; a panel of more cells is fitted without them.
MAX_CELL_OFFSET_CELLS = 200


def cells_left_out(panel: FeaturePanel, config: ModelConfig) -> int:
    """The brand x region cells of ``panel`` when ``config`` asks for their own offsets but there
    are more than :data:`MAX_CELL_OFFSET_CELLS` of them (they are then left out), else 0."""
    vocab = panel.vocabularies()
    cells = len(vocab["brand"]) * len(vocab["region"])
    return cells if config.priors.shrinkage.cell_sd > 0 and cells > MAX_CELL_OFFSET_CELLS else 0


@dataclass(frozen=True, slots=True)
class FitResult:
    model: MarketingMixModel
    inputs: ModelInputs
    history: dict[str, list[float]]
    seconds: float
    best_epoch: int
    #: The Adam epoch whose objective was not finite (Adam stopped there and the weights of the
    #: epoch before it, or the start, were kept); None when every epoch was finite.
    diverged_epoch: int | None = None


def build_model(panel: FeaturePanel, config: ModelConfig, lift_tests: LiftTests | None = None) -> MarketingMixModel:
    """A model sized for ``panel``, initialised near a sensible start (intercepts at series means);
    ``lift_tests`` (aligned to ``panel``) enter its likelihood."""
    vocab = panel.vocabularies()
    spend = panel.spend[:, : panel.n_train_weeks].sum(axis=(0, 1))
    inputs = model_inputs(panel)
    priors = prior_values(config, panel.channels)
    if cells_left_out(panel, config):
        priors["cell_sd"] = 0.0  # the model and its saved config: no brand x region offsets
    model = MarketingMixModel(
        n_series=panel.sales.shape[0],
        n_brands=len(vocab["brand"]),
        n_regions=len(vocab["region"]),
        n_channels=len(panel.channels),
        n_controls=panel.scalers.whitening.shape[1],
        n_train_weeks=panel.n_train_weeks,
        train_spend=spend.tolist(),
        sales_scale=panel.scalers.sales_scale,
        priors=priors,
        max_lag=config.max_lag,
        carryover=config.carryover_family().value,
        saturation=config.saturation_family().value,
        saturation_scaling=SaturationScaling(config.saturation_scaling).value,
        ceiling_scaling=config.ceiling_scaling,
        hidden_units=config.dense_units if config.baseline.value == "dense" else 0,
        noise_scale=config.noise_scale,
        lift_tests=lift_tests.to_config() if lift_tests is not None and len(lift_tests) else None,
        n_series_controls=inputs.x["series_controls"].shape[-1] if config.series_baseline else 0,
    )
    model(inputs.x)
    series_mean = inputs.y[:, : panel.n_train_weeks].mean(axis=1)
    model.baseline.intercept.assign(0.8 * series_mean)
    return model


def _tile(inputs: ModelInputs, times: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    x = {k: np.concatenate([v] * times, axis=0) for k, v in inputs.x.items()}
    return x, np.concatenate([inputs.y] * times), np.concatenate([inputs.train_mask] * times)


def _progress_callback(report: EpochProgress, epochs: int, monitor: str) -> keras.callbacks.Callback:
    """Calls ``report`` after each epoch, then with (epochs run, epochs run, objective) at the end."""
    last = [0, float("nan")]

    def epoch_end(epoch: int, logs: dict | None) -> None:
        last[:] = [epoch + 1, float((logs or {}).get(monitor, np.nan))]
        report(int(last[0]), epochs, last[1])

    return keras.callbacks.LambdaCallback(
        on_epoch_end=epoch_end, on_train_end=lambda logs: report(int(last[0]), int(last[0]), last[1])
    )


def _finite_or_empty(value: object) -> object:
    """``value``, or an empty cell when it is a number that is not finite (a diverged epoch's)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value
    return value if math.isfinite(number) else ""


class FiniteCsvLogger(keras.callbacks.CSVLogger):
    """Keras's CSV log of the epochs, with an empty cell in place of a value that is not finite
    (the objective of the epoch where Adam diverged), so the file holds finite numbers only."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        super().on_epoch_end(epoch, {key: _finite_or_empty(value) for key, value in (logs or {}).items()})


class KeepFiniteWeights(keras.callbacks.Callback):
    """Stops Adam at the first epoch whose objective or weights are not finite and puts back the
    weights of the last finite epoch (the start's when there is none), so the polish that follows
    starts from finite weights. Place it after early stopping: its restore comes last."""

    def __init__(self, monitor: str) -> None:
        super().__init__()
        self.monitor = monitor
        self.kept: list[np.ndarray] = []
        self.diverged_epoch: int | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.kept, self.diverged_epoch = self.model.get_weights(), None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        weights = self.model.get_weights()
        objective = float((logs or {}).get(self.monitor, math.nan))
        if math.isfinite(objective) and all(np.isfinite(w).all() for w in weights):
            self.kept = weights
            return
        self.diverged_epoch = epoch + 1
        self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.diverged_epoch is not None and not all(np.isfinite(w).all() for w in self.model.get_weights()):
            self.model.set_weights(self.kept)


def fit_model(
    panel: FeaturePanel,
    config: ModelConfig,
    output_dir: Path | None = None,
    epochs: int | None = None,
    verbose: int = 0,
    progress: EpochProgress | None = None,
    initial: np.ndarray | None = None,
    validate: bool = True,
    lift_tests: LiftTests | None = None,
) -> FitResult:
    """Train with Adam on the training weeks; validate on the last ``holdout_weeks`` weeks.

    ``initial`` (flat trainable weights, see :func:`~mmm_analytics.models.posterior.current_theta`)
    starts from a previous fit of the same form instead of the default start, with a tenth of
    the learning rate so the first steps do not throw the start away. ``validate=False`` skips
    scoring the holdout weeks each epoch (no second compiled function). ``lift_tests``
    (aligned to ``panel``) enter the likelihood.

    ``progress`` is called after each epoch with (epoch, epochs at most, training objective),
    and once more when the epochs end, with (epochs run, epochs run, last objective).

    Raises
    ------
    InputError
        When the panel has a missing or non-finite value or a series without sales in every
        training week (see :func:`~mmm_analytics.features.panel.require_fittable`).
    """
    require_fittable(panel, "re-run 'mmm data' and 'mmm features' to rebuild the features")
    keras.utils.set_random_seed(config.seed)
    model = build_model(panel, config, lift_tests)
    learning_rate = config.learning_rate
    if initial is not None:
        assign_theta(model, initial)
        learning_rate /= 10.0
    inputs = model_inputs(panel)
    n_series = panel.sales.shape[0]
    steps = config.steps_per_epoch
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), steps_per_execution=steps, jit_compile=True)
    has_holdout = validate and panel.holdout_weeks > 0
    # Stop when the training objective stops improving (the fit has converged); the holdout
    # weeks are scored every epoch (val_mse, val_wmape) but do not pick the weights, because
    # media parameters move along directions that barely change a 13-week holdout error.
    monitor = "loss"
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.EarlyStopping(
            monitor=monitor,
            patience=config.early_stopping.patience,
            min_delta=config.early_stopping.min_delta,
            restore_best_weights=True,
        ),
    ]
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(str(output_dir / CHECKPOINT_FILE), monitor=monitor, save_best_only=True),
            FiniteCsvLogger(str(output_dir / EPOCH_LOG_FILE)),
        ]
    if progress is not None:
        callbacks.append(_progress_callback(progress, epochs or config.epochs, monitor))
    guard = KeepFiniteWeights(monitor)
    callbacks.append(guard)
    x, y, mask = _tile(inputs, steps)
    validation = (inputs.x, inputs.y, inputs.holdout_mask) if has_holdout else None
    start = time.perf_counter()
    try:
        history = model.fit(
            x,
            y,
            sample_weight=mask,
            batch_size=n_series,
            epochs=epochs or config.epochs,
            shuffle=False,
            validation_data=validation,
            validation_batch_size=n_series,
            callbacks=callbacks,
            verbose=verbose,
        )
    finally:  # Keras closes the epoch log at the end of a fit only: one that failed left it open
        for callback in callbacks:
            if isinstance(callback, FiniteCsvLogger):
                callback.on_train_end()
    seconds = time.perf_counter() - start
    # The epochs before a divergence only: every number of the history is finite.
    finite = len(history.history.get(monitor, [])) if guard.diverged_epoch is None else guard.diverged_epoch - 1
    values = {k: [float(v) for v in vs[:finite]] for k, vs in history.history.items()}
    best = int(np.nanargmin(values[monitor])) + 1 if values.get(monitor) else 0
    return FitResult(model, inputs, values, seconds, best, guard.diverged_epoch)
