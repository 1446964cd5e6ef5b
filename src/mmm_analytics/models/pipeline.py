"""``mmm train``: features -> fitted model, its intervals, and everything later steps need."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.model import SplitBy
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.features.store import load_panel, meta_path
from mmm_analytics.models.decomposition import Decomposition, average_decompositions, decompose
from mmm_analytics.models.fitting import choose_forms, fit_and_summarise
from mmm_analytics.models.history_plot import history_figure
from mmm_analytics.models.lift_report import LiftFits
from mmm_analytics.models.lift_tests import LiftTests, lift_test_notes, read_lift_tests
from mmm_analytics.models.markets import fit_markets, market_folders, split_markets
from mmm_analytics.models.metrics import fit_warnings
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import markets_summary
from mmm_analytics.models.segment_curves import combined_summary
from mmm_analytics.models.training import MAX_CELL_OFFSET_CELLS, EpochProgress, cells_left_out
from mmm_analytics.response.artifacts import (
    MARKETS_DIR,
    MODEL_FILE,
    WEIGHTS_FILE,
    ModelMetadata,
    ResponseParams,
    pooled_file,
    pooled_files,
)
from mmm_analytics.utils.io import write_json, write_with
from mmm_analytics.utils.locks import only_writer
from mmm_analytics.utils.paths import FEATURES_META_FILE, FIT_LOGS


@dataclass(frozen=True, slots=True)
class TrainResult:
    model: MarketingMixModel | None  # None for a model fitted per market (--split-by)
    panel: FeaturePanel
    params: ResponseParams
    metadata: ModelMetadata
    noise_scale: np.ndarray
    seconds: dict[str, float]
    files: list[Path]
    summary: dict[str, str]
    warnings: tuple[str, ...] = ()


def metadata_for(
    panel: FeaturePanel,
    config: ProjectConfig,
    noise: np.ndarray,
    extra: dict,
    forms: tuple[str, str],
    lift_tests: LiftTests | None = None,
) -> ModelMetadata:
    """What a model folder records beside the weights; ``forms`` the fitted (carryover, saturation).
    With ``lift_tests``, the channels they measured (``lift_tested_channels``): the simulator lets
    their split with channels that moved with them go free."""
    vocab = panel.vocabularies()
    if lift_tests is not None and len(lift_tests):
        extra = extra | {"lift_tested_channels": sorted({panel.channels[int(c)] for c in lift_tests.channel})}
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
        saturation=forms[1],
        carryover=forms[0],
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


@dataclass(frozen=True, slots=True)
class _Fitted:
    """One training run's fit, whole-panel or per market, before evaluation."""

    model: MarketingMixModel | None
    params: ResponseParams
    uncalibrated: tuple[ResponseParams, ...]  # without the lift tests: the chosen form's, then any pooled ones'
    noise: np.ndarray
    forms: tuple[str, str]
    decomposition: Callable[[], Decomposition]
    info: dict
    files: list[Path]
    summary: dict[str, str]


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
    With ``split_by`` in the model config, every brand or region is fitted on its own (see
    :mod:`mmm_analytics.models.markets`) and the model folder holds the merged response.
    """
    with only_writer(output_dir, "another training"):
        return _train(features_path, output_dir, config, epochs, reports_dir, figures_dir, progress)


def _train(
    features_path: Path,
    output_dir: Path,
    config: ProjectConfig,
    epochs: int | None,
    reports_dir: Path | None,
    figures_dir: Path | None,
    progress: EpochProgress | None,
) -> TrainResult:
    """:func:`train`, with the model folder to itself."""
    panel = load_panel(features_path)
    output_dir.mkdir(parents=True, exist_ok=True)
    lift_tests = (
        None
        if config.model.lift_tests is None
        else read_lift_tests(config.model.lift_tests, panel, fmt=config.viz.number_format, max_lag=config.model.max_lag)
    )
    if config.model.split_by is None:
        fitted = _fit_whole(panel, config, output_dir, epochs, progress, lift_tests)
    else:
        fitted = _fit_split(panel, config, config.model.split_by, output_dir, lift_tests)
    params, noise, info, files = fitted.params, fitted.noise, fitted.info, fitted.files
    # An earlier run's pooled forms go first: never beside this run's response.
    for path in pooled_files(output_dir):
        path.unlink()
    files.append(params.save(output_dir))
    pooled: tuple[ResponseParams, ...] = info.pop("pooled", ())
    files += [form.save(output_dir, pooled_file(i)) for i, form in enumerate(pooled)]
    extra = {
        key: info[key]
        for key in (
            "timings",
            "best_epoch",
            "posterior",
            "selection",
            "form_note",
            "split_by",
            "markets",
            "segment_curves",
            "ceiling_scaling",
        )
        if key in info
    }
    metadata = metadata_for(panel, config, noise, extra, fitted.forms, lift_tests)
    files.append(metadata.save(output_dir))
    shutil.copyfile(meta_path(features_path), output_dir / FEATURES_META_FILE)
    summary = {
        "model form": f"{fitted.forms[0]} carryover, {fitted.forms[1]} saturation",
        "residual sd (share of mean sales)": f"{float(np.sqrt(np.mean(noise**2))):.4f}",
    } | fitted.summary
    if "selection" in info:
        summary["why this form"] = info["selection"]["reason"]
    if "form_note" in info:
        summary["why this form"] = info["form_note"]
    if config.model.split_by is None and (n_cells := cells_left_out(panel, config.model)):  # markets: their own
        summary["brand x region offsets"] = (
            f"left out: {n_cells:,} brand x region cells, more than {MAX_CELL_OFFSET_CELLS} (priors.shrinkage.cell_sd)"
        )
    if reports_dir is not None:
        from mmm_analytics.models.evaluator import evaluate

        t0 = time.perf_counter()
        training = {
            "timings_seconds": info["timings"],
            "best_adam_epoch": info["best_epoch"],
            "posterior_draws": info.get("posterior"),
            "residual_sd_share_of_mean_sales": float(np.sqrt(np.mean(noise**2))),
            "history": info["history"],
            "selection": info.get("selection"),
            "form_note": info.get("form_note"),
            "segment_curves": info.get("segment_curves"),
            "ceiling_scaling": info.get("ceiling_scaling"),
            "segment_curves_in_advice": config.model.simulator.segment_curves,
        }
        if "split_by" in info:
            training["fitted apart"] = (
                f"each {info['split_by']} on its own ({len(info['markets'])} markets; carryover, slope and size "
                f"scaling per market, averaged over series in the media table; each market's model in markets/)"
            )
        lift = None
        if lift_tests is not None and len(lift_tests) and fitted.uncalibrated:
            lift = LiftFits(lift_tests, (params, *pooled), fitted.uncalibrated)
        evaluation = evaluate(
            fitted.decomposition(),
            panel,
            params,
            reports_dir,
            figures_dir or output_dir,
            config.viz,
            training=training,
            lift=lift,
            level=config.model.intervals.level,
            pooled_forms=tuple(form.saturation for form in pooled),
        )
        info["timings"]["evaluation"] = time.perf_counter() - t0
        files += list(evaluation.files)
        summary |= headline(evaluation.metrics)
        if evaluation.lift:
            summary["lift tests"] = f"{len(lift_tests or ())} as evidence (lift_tests_fit.csv): {evaluation.lift}"
        warnings = fit_warnings(evaluation.metrics, panel.n_train_weeks)
    else:
        warnings = ()
    if lift_tests is not None:
        warnings = (*lift_test_notes(lift_tests, panel.n_train_weeks), *warnings)
    if "form_note" in info:
        warnings = (info["form_note"], *warnings)
    return TrainResult(fitted.model, panel, params, metadata, noise, info["timings"], files, summary, warnings)


#: The scratch folder's prefix, where the fit writes its logs (:data:`FIT_LOGS`) as it goes.
SCRATCH_PREFIX = ".training-"


def _fit_whole(
    panel: FeaturePanel,
    config: ProjectConfig,
    output_dir: Path,
    epochs: int | None,
    progress: EpochProgress | None,
    lift_tests: LiftTests | None,
) -> _Fitted:
    """One model of the whole panel, its Keras files and training history written to ``output_dir``.

    The fit's checkpoint and epoch log are written in a scratch folder and moved in beside the rest once the
    fit is done: before, a training killed half-way left its own ``best_model.keras`` and ``training_log.csv``
    beside the previous model."""
    for stale in output_dir.glob(f"{SCRATCH_PREFIX}*"):  # of a training killed before it could clean up
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=SCRATCH_PREFIX) as scratch:
        model, params, noise, info = fit_and_summarise(panel, config, Path(scratch), epochs, progress, lift_tests)
        for name in FIT_LOGS:
            if (Path(scratch) / name).is_file():
                os.replace(Path(scratch) / name, output_dir / name)
            else:  # no Adam epochs (a large panel): no checkpoint of this fit, none of an earlier one
                (output_dir / name).unlink(missing_ok=True)
    # The pooled forms' fits are weighed equally with the chosen one's, as in the ROIs and the advice.
    pooled = info.pop("pooled_decomposition", [])
    shutil.rmtree(output_dir / MARKETS_DIR, ignore_errors=True)  # a split model's, from an earlier run
    files = save_keras_model(model, output_dir)
    files.append(
        write_json(
            output_dir / "training_history.json",
            info["history"] | {k: info[k] for k in ("best_epoch", "adam_diverged_epoch") if k in info},
        )
    )
    figure = history_figure(info["history"], dpi=config.viz.dpi)
    files.append(write_with(output_dir / "training_history.png", lambda tmp: figure.savefig(tmp, format="png")))
    if diverged := info.get("adam_diverged_epoch"):
        summary = {
            "Adam": f"stopped at epoch {diverged}, whose objective was not finite; the polish went on from "
            + (f"epoch {diverged - 1}" if diverged > 1 else "the start")
        }
    elif info["best_epoch"]:
        summary = {"Adam epochs (best)": str(info["best_epoch"])}
    else:
        summary = {"fit": f"Gauss-Newton rounds alone ({len(panel.brand)} series)"}
    return _Fitted(
        model,
        params,
        tuple(
            part for part in (info.pop("uncalibrated", None), *info.pop("pooled_uncalibrated", [])) if part is not None
        ),
        noise,
        (model.carryover, model.saturation),
        lambda: average_decompositions([decompose(model, panel), *pooled]),
        info,
        files,
        summary,
    )


def _fit_split(
    panel: FeaturePanel, config: ProjectConfig, by: SplitBy, output_dir: Path, lift_tests: LiftTests | None
) -> _Fitted:
    """Every market of ``by`` fitted on its own (forms chosen once on the whole panel), merged;
    each market's own model folder written under ``output_dir/markets/``."""
    start = time.perf_counter()
    markets = split_markets(panel, by, lift_tests)  # a test spanning markets is refused before any fit
    # Each market fits the chosen form alone: no second form is pooled into the advice.
    one_form = config.model.selection.model_copy(update={"pool_saturation": False})
    choice = choose_forms(panel, config.model.model_copy(update={"selection": one_form}))
    timings = {} if choice.selection is None else {"form selection": choice.selection.seconds}
    pinned = dataclasses.replace(config, model=choice.config)
    fit = fit_markets(panel, pinned, markets)
    timings |= fit.seconds
    for name in (MODEL_FILE, WEIGHTS_FILE, *FIT_LOGS, "training_history.png"):
        (output_dir / name).unlink(missing_ok=True)
    root = output_dir / MARKETS_DIR
    shutil.rmtree(root, ignore_errors=True)
    files: list[Path] = []
    folders: dict[str, str] = {}
    names = market_folders(by, [market.name for market in fit.markets])
    for market, model, market_fit, name in zip(fit.markets, fit.models, fit.fits, names, strict=True):
        folder = root / name
        folder.mkdir(parents=True)
        files += save_keras_model(model, folder)
        files.append(market_fit.params.save(folder))
        extra = {
            "timings": market_fit.info["timings"],
            "best_epoch": market_fit.info["best_epoch"],
            "posterior": market_fit.info["posterior"],
            "market": market.name,
        } | ({"segment_curves": market_fit.info["segment_curves"]} if "segment_curves" in market_fit.info else {})
        files.append(
            metadata_for(market.panel, pinned, market_fit.noise, extra, fit.forms, market.lift_tests).save(folder)
        )
        folders[market.name] = folder.relative_to(output_dir).as_posix()
    timings["total"] = time.perf_counter() - start
    history = {"markets": {m.name: f.info["history"] for m, f in zip(fit.markets, fit.fits, strict=True)}}
    files.append(write_json(output_dir / "training_history.json", history))
    info: dict = {
        "timings": timings,
        "best_epoch": 0,
        "history": {},
        "split_by": by.value,
        "markets": folders,
    }
    info["posterior"] = markets_summary([market_fit.info["posterior"] for market_fit in fit.fits])
    if choice.selection is not None:
        info["selection"] = choice.selection.to_dict()
    if choice.note:
        info["form_note"] = choice.note
    found = {m.name: f.info["segment_curves"] for m, f in zip(fit.markets, fit.fits, strict=True)}
    info["segment_curves"] = combined_summary(found, {m.name: float(len(m.panel.brand)) for m in fit.markets})
    summary = {"fit": f"{len(fit.markets)} {by.value}s fitted apart ({config.model.compute.backend.value} backend)"}
    return _Fitted(
        None,
        fit.params,
        () if fit.uncalibrated is None else (fit.uncalibrated,),
        fit.noise,
        fit.forms,
        lambda: fit.decomposition,
        info,
        files,
        summary,
    )


def save_keras_model(model: MarketingMixModel, folder: Path) -> list[Path]:
    """Save ``model`` (``mmm_model.keras``) and its weights alone (``mmm_model.weights.h5``) to ``folder``."""
    files = [folder / MODEL_FILE, folder / WEIGHTS_FILE]
    save_keras_file(files[0], model.save)
    save_keras_file(files[1], model.save_weights)
    return files


def headline(metrics: dict) -> dict[str, str]:
    """Train and holdout R2 and wMAPE (all series pooled), and the holdout wMAPE of the flat forecast the model
    must beat, for the terminal summary."""
    out = {}
    for period in ("train", "holdout"):
        overall = metrics.get(period, {}).get("overall", {})
        for name in ("r2", "wmape"):
            if overall.get(name) is not None:
                out[f"{period} {name}"] = f"{overall[name]:.2%}" if name == "wmape" else f"{overall[name]:.4f}"
    flat = metrics.get("holdout", {}).get("overall", {}).get("flat_forecast_wmape")
    if flat is not None:
        out["holdout wmape of a flat forecast"] = f"{flat:.2%}"
    return out


def save_keras_file(path: Path, save: Callable[[str], None]) -> Path:
    """Atomically save with a Keras saver that insists on the file name's suffix."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".saving-") as folder:
        tmp = Path(folder) / path.name
        save(str(tmp))
        os.replace(tmp, path)
    return path
