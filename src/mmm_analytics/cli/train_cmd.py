"""`mmm train`: fit the Keras MMM, its intervals, and evaluate it."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    console,
    project_config,
    require_file,
    user_errors,
    warn,
    warn_stale_features,
)
from mmm_analytics.cli.progress import epoch_bar
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.compute import Backend, require_ray
from mmm_analytics.config.model import MAX_EPOCHS, SplitBy
from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import FEATURES_META_FILE, ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig
    from mmm_analytics.models.pipeline import TrainResult

DEFAULTS = ProjectPaths()
#: Each timed part of a training run, in plain words, in the order shown.
STEP_NAMES: dict[str, str] = {
    "form selection": "choice of model form (forecasts on rolling-origin folds)",
    "adam": "fit (gradient steps)",
    "polish": "refinement to the best fit",
    "gauss-newton": "fit (Gauss-Newton rounds, large panel)",
    "intervals": "intervals",
    "market fits": "fits of every market on its own (with their intervals)",
    "decomposition": "the markets' sales decompositions",
    "evaluation": "evaluation, report and figures",
}
EPOCHS_HELP = "Adam epochs at most (default: epochs in model_config.yaml); early stopping may end sooner."
CARRYOVER_HELP = (
    "Pin the carryover form (default: 'carryover' in model_config.yaml; auto = chosen by out-of-sample "
    "accuracy on rolling-origin folds). weibull lets the effect peak weeks after the spend."
)
BACKEND_HELP = (
    "Where the work that fans out runs (default: compute.backend in model_config.yaml): local (this process) or "
    "ray (Ray tasks on the cluster at RAY_ADDRESS, else a local Ray instance; pip install 'mmm-analytics\\[ray]')."
)
SPLIT_BY_HELP = (
    "Fit every brand (or region) on its own, with the forms chosen once on the whole panel, and merge the fits "
    "into one model folder (each market's own under markets/); the fits run on --backend "
    "(default: split_by in model_config.yaml, else one fit of the whole panel)."
)
LIFT_TESTS_HELP = (
    "A CSV of lift tests (experiments) to calibrate the fit to: channel,brand,region,start_date,end_date,"
    "incremental_sales,standard_error (default: lift_tests in model_config.yaml)."
)
SATURATION_HELP = "Pin the saturation form (default: 'saturation' in model_config.yaml; auto = chosen by evidence)."
SCALING_HELP = (
    "How half-saturation grows with a series' size: learned (default), relative (same multiple of each "
    "series' own average exposure) or absolute (same exposure: bigger spenders saturate sooner)."
)


class CarryoverChoice(StrEnum):
    AUTO = "auto"
    BETA_GAMMA = "beta_gamma"
    GEOMETRIC = "geometric"
    WEIBULL = "weibull"


class SaturationChoice(StrEnum):
    AUTO = "auto"
    HILL = "hill"
    LOGISTIC = "logistic"
    SIGMOID = "sigmoid"


class ScalingChoice(StrEnum):
    LEARNED = "learned"
    RELATIVE = "relative"
    ABSOLUTE = "absolute"


def with_forms(
    config: ProjectConfig,
    carryover: str | None,
    saturation: str | None,
    scaling: str | None,
    lift_tests: Path | None = None,
    split_by: str | None = None,
) -> ProjectConfig:
    """``config`` with the forms (lift tests, markets) given on the command line in place of the file's."""
    given = {
        "carryover": carryover,
        "saturation": saturation,
        "saturation_scaling": scaling,
        "lift_tests": lift_tests,
        "split_by": split_by,
    }
    update = {key: str(value) for key, value in given.items() if value is not None}
    if not update:
        return config
    from pydantic import ValidationError

    from mmm_analytics.config.base import error_message

    try:
        model = type(config.model).model_validate(config.model.model_dump() | update)
    except ValidationError as error:
        key = str(error.errors()[0]["loc"][0])
        given_as = f"--{key.replace('_', '-')} {update[key]!r}" if key in update else f"key '{key}'"
        raise InputError(f"{given_as}: {error_message(error)}") from None
    return dataclasses.replace(config, model=model)


def with_backend(config: ProjectConfig, backend: Backend | None) -> ProjectConfig:
    """``config`` with ``--backend`` in place of the file's ``compute.backend``; Ray checked when it is asked for."""
    if backend is not None:
        config = dataclasses.replace(config, model=config.model.with_backend(backend))
    if config.model.compute.backend == Backend.RAY:
        require_ray()
    return config


def step_times(seconds: dict[str, float]) -> list[tuple[str, str]]:
    """(plain name, "8.1 s") per timed part, then the total: ``total`` (the fit) plus the evaluation."""
    parts = {key: value for key, value in seconds.items() if key != "total"}
    rows = [(STEP_NAMES.get(key, key.replace("_", " ")), f"{value:.1f} s") for key, value in parts.items()]
    total = seconds["total"] + parts.get("evaluation", 0.0) if "total" in seconds else sum(parts.values())
    return [*rows, ("total", f"{total:.1f} s")]


def show(result: TrainResult, output: Path) -> None:
    """The time each part took and the headline metrics of a training run."""
    table = FitTable(title="Trained model")
    table.add_column("step or measure")
    table.add_column("value", justify="right")
    for name, value in [*step_times(result.seconds), *result.summary.items()]:
        table.add_row(escape(name), escape(value))
    if result.model is None:  # fitted per market
        table.add_row("model folder (each market's model in markets/)", escape(str(output)))
    else:
        table.add_row("model", escape(str(output / "mmm_model.keras")))
    console.print(table)
    for line in result.warnings:
        warn(line)


def train(
    data: Annotated[
        Path, typer.Option("--data", "--input", help="features.parquet from 'mmm features'.")
    ] = DEFAULTS.features,
    output: Annotated[
        Path, typer.Option("--output", help="Model folder (mmm_model.keras, metadata, logs).")
    ] = DEFAULTS.models_dir,
    reports: Annotated[
        Path, typer.Option("--reports", help="Folder for metrics, contributions and model_report.html.")
    ] = DEFAULTS.reports_dir,
    figures: Annotated[
        Path, typer.Option("--figures", help="Folder for the model's figures.")
    ] = DEFAULTS.model_figures,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, max=MAX_EPOCHS, help=EPOCHS_HELP)] = None,
    carryover: Annotated[
        CarryoverChoice | None, typer.Option("--carryover", case_sensitive=False, help=CARRYOVER_HELP)
    ] = None,
    saturation: Annotated[
        SaturationChoice | None, typer.Option("--saturation", case_sensitive=False, help=SATURATION_HELP)
    ] = None,
    saturation_scaling: Annotated[
        ScalingChoice | None, typer.Option("--saturation-scaling", case_sensitive=False, help=SCALING_HELP)
    ] = None,
    backend: Annotated[Backend | None, typer.Option("--backend", case_sensitive=False, help=BACKEND_HELP)] = None,
    lift_tests: Annotated[Path | None, typer.Option("--lift-tests", help=LIFT_TESTS_HELP)] = None,
    split_by: Annotated[SplitBy | None, typer.Option("--split-by", case_sensitive=False, help=SPLIT_BY_HELP)] = None,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Train the model on the training weeks, validate on the holdout weeks, save everything later steps need."""
    from mmm_analytics.features.store import meta_path, require_features_file  # pandas only when it runs

    with user_errors(Output("--output", output), Output("--reports", reports), Output("--figures", figures)):
        require_file(data, "mmm features")
        require_features_file(data, "--data")
        if (output / FEATURES_META_FILE).resolve() == meta_path(data).resolve():  # the model's own copy of it
            raise InputError(
                f"--output '{output}' is the folder of the features file --data; the model folder must be "
                f"another one (e.g. {DEFAULTS.models_dir})"
            )
        warn_stale_features(data)
        config = with_forms(
            project_config(config_dir, "model_config.yaml"),
            carryover,
            saturation,
            saturation_scaling,
            lift_tests,
            split_by,
        )
        config = with_backend(config, backend)
        from mmm_analytics.models.pipeline import train as run_training

        with epoch_bar() as progress:
            result = run_training(
                data, output, config, epochs, reports_dir=reports, figures_dir=figures, progress=progress
            )
    show(result, output)
