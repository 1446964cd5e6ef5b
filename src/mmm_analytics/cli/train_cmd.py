"""`mmm train`: fit the Keras MMM, its intervals, and evaluate it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    console,
    project_config,
    require_file,
    user_errors,
)
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.models.pipeline import TrainResult

DEFAULTS = ProjectPaths()
STATUS = "Training the MMM (Adam, then the exact posterior mode and its Laplace intervals)..."


def show(result: TrainResult, output: Path) -> None:
    """The timings and headline metrics of a training run."""
    table = Table(title="Trained model")
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, seconds in result.seconds.items():
        table.add_row(f"time: {key}", f"{seconds:.1f} s")
    for key, value in result.summary.items():
        table.add_row(key, value)
    table.add_row("model", escape(str(output / "mmm_model.keras")))
    console.print(table)


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
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Adam epochs at most (default from model_config.yaml).")
    ] = None,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Train the model on the training weeks, validate on the holdout weeks, save everything later steps need."""
    from mmm_analytics.models.pipeline import train as run_training

    with user_errors(Output("--output", output), Output("--reports", reports), Output("--figures", figures)):
        require_file(data, "mmm features")
        config = project_config(config_dir)
        with console.status(STATUS):
            result = run_training(data, output, config, epochs, reports_dir=reports, figures_dir=figures)
    show(result, output)
