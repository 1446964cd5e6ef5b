"""`mmm run`: the whole pipeline, data -> EDA -> features -> training -> curves -> scenarios -> optimisation.

A thin layer over :mod:`mmm_analytics.pipeline`: each step prints what its own command prints.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table

from mmm_analytics.cli import (
    curves_cmd,
    data_cmd,
    eda_cmd,
    features_cmd,
    simulate_cmd,
    train_cmd,
)
from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    check_seed,
    console,
    project_config,
    user_errors,
    warn_model_file,
)
from mmm_analytics.pipeline import STEPS
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.pipeline import PipelineRun

#: Steps that read the trained model folder (metadata.json and response_params.npz only).
MODEL_READERS = ("curves", "simulate", "optimize")
STEPS_HELP = f"Comma-separated steps to run, in pipeline order (default: all of {', '.join(STEPS)})."
SKIP_HELP = "Comma-separated steps to leave out."

#: The spinner shown while a step runs (the EDA step shows a progress bar instead).
STATUS: dict[str, str] = {
    "data": data_cmd.STATUS,
    "train": train_cmd.STATUS,
    "simulate": simulate_cmd.SIMULATE_STATUS,
    "optimize": simulate_cmd.OPTIMIZE_STATUS,
}


def _around(step: str) -> contextlib.AbstractContextManager[Callable[[str], None] | None]:
    if step == "eda":
        return eda_cmd.progress_bar()
    if step in STATUS:
        return _status(STATUS[step])
    return contextlib.nullcontext()


@contextlib.contextmanager
def _status(message: str) -> Iterator[None]:
    with console.status(message):
        yield None


def _show(run: PipelineRun, step: str, result: Any) -> None:
    """Print what the step's own command prints."""
    paths = run.paths
    match step:
        case "data":
            data_cmd.show(result)
        case "eda":
            eda_cmd.show(result)
        case "features":
            features_cmd.show(result, run.config, paths.features)
        case "train":
            train_cmd.show(result, paths.models_dir)
        case "curves":
            curves_cmd.show(result, paths.curve_figures, paths.reports_dir)
        case "simulate":
            simulate_cmd.show_batch(result, paths.reports_dir / "simulation_report.html")
        case "optimize":
            simulate_cmd.show_optimum(result, paths.simulations_dir / "optimal_allocation.json")


def _summary(root: Path, since: float, timings: dict[str, float], numbers: list[tuple[str, str]]) -> Table:
    table = Table(title="Pipeline summary")
    table.add_column("what")
    table.add_column("value", overflow="fold")
    for step, seconds in timings.items():
        table.add_row(f"step {step}", f"{seconds:.1f} s")
    folders: dict[Path, int] = {}
    for file in root.rglob("*"):
        if file.is_file() and not file.name.startswith(".") and file.stat().st_mtime >= since - 1:
            folders[file.parent] = folders.get(file.parent, 0) + 1
    for folder, count in sorted(folders.items()):
        table.add_row(escape(f"files in {folder}"), str(count))
    for name, value in numbers:
        table.add_row(name, escape(value))
    return table


def run(
    input: Annotated[
        str | None, typer.Option("--input", help="A CSV in the panel schema (default: the bundled synthetic panel).")
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="synthetic, kaggle, or a CSV path; --input wins when given.")
    ] = "synthetic",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the synthetic panel (default from data_config.yaml).")
    ] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Root folder for data/ and outputs/.")] = Path("."),
    steps: Annotated[str | None, typer.Option("--steps", help=STEPS_HELP)] = None,
    skip: Annotated[str | None, typer.Option("--skip", help=SKIP_HELP)] = None,
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Adam epochs at most (default from model_config.yaml).")
    ] = None,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Run the whole pipeline on the bundled synthetic data (or --input), writing everything under --output-dir."""
    from mmm_analytics.pipeline import (
        PipelineRun,
        choose_steps,
        key_numbers,
        run_pipeline,
    )

    with user_errors(Output("--output-dir", output_dir)):
        check_seed(seed)
        chosen = choose_steps(steps, skip)
        paths = ProjectPaths(output_dir)
        pipeline = PipelineRun(paths, project_config(config_dir), config_dir, input or source, seed, epochs)
        start = time.time()

        def on_start(step: str) -> None:
            console.print(Rule(f"[bold]Step {chosen.index(step) + 1}/{len(chosen)}: {step}"))

        def on_done(step: str, result: Any, seconds: float) -> None:
            _show(pipeline, step, result)
            console.print(f"[green]done[/green] {step} in {seconds:.1f} s")
            if step in MODEL_READERS and step == next(s for s in chosen if s in MODEL_READERS):
                warn_model_file(paths.models_dir)

        outcome = run_pipeline(pipeline, chosen, on_start=on_start, on_done=on_done, around=_around)
    console.print(_summary(output_dir, start, outcome.seconds, key_numbers(paths, outcome.results)))
