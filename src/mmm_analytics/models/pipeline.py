"""``mmm train``: features -> fitted model, its intervals, and everything later steps need."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.features.store import load_panel, meta_path
from mmm_analytics.models.export import predictions, response_params
from mmm_analytics.models.history_plot import history_figure
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import (
    CompiledResiduals,
    assign_theta,
    current_theta,
    laplace_draws,
    polish,
    residual_noise_scale,
    weight_key,
)
from mmm_analytics.models.selection import Start, select_forms
from mmm_analytics.models.training import EpochProgress, build_model, fit_model
from mmm_analytics.response.artifacts import MODEL_FILE, ModelMetadata, ResponseParams
from mmm_analytics.utils.io import write_json, write_with


@dataclass(frozen=True, slots=True)
class TrainResult:
    model: MarketingMixModel
    panel: FeaturePanel
    params: ResponseParams
    metadata: ModelMetadata
    noise_scale: np.ndarray
    seconds: dict[str, float]
    files: list[Path]
    summary: dict[str, str]


def forecast_fit(panel: FeaturePanel, config: ModelConfig, start: Start | None) -> tuple[np.ndarray, Start]:
    """Fit on the panel's training weeks and predict every week: Sales_Value (S, T) in INR,
    and the fitted weights. The fit model selection scores on its folds.

    Without ``start``: ``selection.epochs`` Adam epochs, then the MAP polish. From ``start``
    (the same form on fewer weeks, or another form's fit, whose shared weights are copied):
    the polish alone.
    """
    if start is None:
        fit = fit_model(panel, config, epochs=config.selection.epochs, validate=False)
        model, inputs = fit.model, fit.inputs
    else:
        model, inputs = build_model(panel, config), model_inputs(panel)
        if (start.carryover, start.saturation) == (model.carryover, model.saturation):
            assign_theta(model, start.theta)
        else:
            donor = build_model(panel, config.pinned(start.carryover, start.saturation))
            assign_theta(donor, start.theta)
            copy_shared_weights(donor, model)
    polish(model, inputs, residual_noise_scale(model, inputs), max_evaluations=100)
    return predictions(model, inputs)[0], Start(model.carryover, model.saturation, current_theta(model))


def copy_shared_weights(donor: MarketingMixModel, model: MarketingMixModel) -> None:
    """Give ``model`` every trainable weight of ``donor`` with the same layer, name and shape."""
    named = {weight_key(v): v for v in donor.trainable_variables}
    for variable in model.trainable_variables:
        source = named.get(weight_key(variable))
        if source is not None and tuple(source.shape) == tuple(variable.shape):
            variable.assign(source.value)


def fit_and_summarise(
    panel: FeaturePanel,
    config: ProjectConfig,
    output_dir: Path | None = None,
    epochs: int | None = None,
    progress: EpochProgress | None = None,
) -> tuple[MarketingMixModel, ResponseParams, np.ndarray, dict]:
    """Form selection (unless pinned), Adam fit (Keras, callbacks; ``progress`` after each epoch),
    MAP polish, Laplace draws -> response parameters. ``info`` holds timings, history, best
    epoch and the form selection."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    model_config, selection = config.model, None
    if not model_config.is_pinned:
        selection = select_forms(panel, model_config, forecast_fit)
        model_config = model_config.pinned(selection.carryover, selection.saturation)
        timings["form selection"] = selection.seconds
    start_theta = selection.chosen.starts[-1].theta if selection is not None else None
    fit = fit_model(panel, model_config, output_dir, epochs, progress=progress, initial=start_theta)
    timings["adam"] = fit.seconds
    model, inputs = fit.model, fit.inputs
    noise = residual_noise_scale(model, inputs)
    compiled = CompiledResiduals.of(model, inputs)
    if config.model.polish:
        t0 = time.perf_counter()
        polish(model, inputs, noise, compiled=compiled)
        noise = residual_noise_scale(model, inputs)
        timings["polish"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    draws = laplace_draws(model, inputs, noise, config.model.intervals.draws, config.model.seed, compiled)
    params = response_params(model, panel, inputs, draws)
    timings["intervals"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    info = {"timings": timings, "history": fit.history, "best_epoch": fit.best_epoch}
    return model, params, noise, info | ({"selection": selection.to_dict()} if selection else {})


def metadata_for(
    panel: FeaturePanel, config: ProjectConfig, noise: np.ndarray, extra: dict, model: MarketingMixModel
) -> ModelMetadata:
    """What a model folder records beside the weights; the forms are the fitted ``model``'s."""
    vocab = panel.vocabularies()
    return ModelMetadata(
        channels=list(panel.channels),
        brands=list(vocab["brand"].values),
        regions=list(vocab["region"].values),
        series=[
            {"brand": b, "region": g} | ({} if k is None else {"sku": k})
            for b, g, k in zip(panel.brand, panel.geo, panel.sku or [None] * len(panel.brand), strict=True)
        ],
        date_range=(panel.dates[0].date().isoformat(), panel.dates[-1].date().isoformat()),
        n_weeks=len(panel.dates),
        holdout_weeks=panel.holdout_weeks,
        seed=config.model.seed,
        saturation=model.saturation,
        carryover=model.carryover,
        max_lag=config.model.max_lag,
        interval_level=config.model.intervals.level,
        scalers=panel.scalers.to_dict(),
        extra={
            "noise_scale_by_series": np.asarray(noise).tolist(),
            "control_names": list(panel.control_names),
            "vocabularies": {k: v.to_dict() for k, v in vocab.items()},
            **extra,
        },
    )


def train(
    features_path: Path,
    output_dir: Path,
    config: ProjectConfig,
    epochs: int | None = None,
    reports_dir: Path | None = None,
    figures_dir: Path | None = None,
    progress: EpochProgress | None = None,
) -> TrainResult:
    """Train on ``features.parquet``, write the model folder and (with ``reports_dir``) evaluate.

    ``progress`` is called after each Adam epoch with (epoch, epochs at most, training objective).
    """
    panel = load_panel(features_path)
    output_dir.mkdir(parents=True, exist_ok=True)
    model, params, noise, info = fit_and_summarise(panel, config, output_dir, epochs, progress)
    files = [output_dir / MODEL_FILE, output_dir / "mmm_model.weights.h5"]
    save_keras_file(files[0], model.save)
    save_keras_file(files[1], model.save_weights)
    files.append(params.save(output_dir))
    extra = {key: info[key] for key in ("timings", "best_epoch", "selection") if key in info}
    metadata = metadata_for(panel, config, noise, extra, model)
    files.append(metadata.save(output_dir))
    files.append(write_json(output_dir / "training_history.json", info["history"] | {"best_epoch": info["best_epoch"]}))
    figure = history_figure(info["history"], dpi=config.viz.dpi)
    files.append(write_with(output_dir / "training_history.png", lambda tmp: figure.savefig(tmp, format="png")))
    shutil.copyfile(meta_path(features_path), output_dir / "features_meta.json")
    summary = {
        "model form": f"{model.carryover} carryover, {model.saturation} saturation",
        "residual sd (share of mean sales)": f"{float(np.sqrt(np.mean(noise**2))):.4f}",
        "Adam epochs (best)": str(info["best_epoch"]),
    }
    if "selection" in info:
        summary["why this form"] = info["selection"]["reason"]
    if reports_dir is not None:
        from mmm_analytics.models.evaluator import evaluate

        t0 = time.perf_counter()
        training = {
            "timings_seconds": info["timings"],
            "best_adam_epoch": info["best_epoch"],
            "residual_sd_share_of_mean_sales": float(np.sqrt(np.mean(noise**2))),
            "history": info["history"],
            "selection": info.get("selection"),
        }
        evaluation = evaluate(
            model, panel, params, reports_dir, figures_dir or output_dir, config.viz, training=training
        )
        info["timings"]["evaluation"] = time.perf_counter() - t0
        files += list(evaluation.files)
        summary |= headline(evaluation.metrics)
    return TrainResult(model, panel, params, metadata, noise, info["timings"], files, summary)


def headline(metrics: dict) -> dict[str, str]:
    """Train and holdout R2 and wMAPE (all series pooled) for the terminal summary."""
    out = {}
    for period in ("train", "holdout"):
        overall = metrics.get(period, {}).get("overall", {})
        for name in ("r2", "wmape"):
            if overall.get(name) is not None:
                out[f"{period} {name}"] = f"{overall[name]:.2%}" if name == "wmape" else f"{overall[name]:.4f}"
    return out


def save_keras_file(path: Path, save: Callable[[str], None]) -> Path:
    """Atomically save with a Keras saver that insists on the file name's suffix."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".saving-") as folder:
        tmp = Path(folder) / path.name
        save(str(tmp))
        os.replace(tmp, path)
    return path
