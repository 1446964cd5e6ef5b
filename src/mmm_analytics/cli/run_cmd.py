"""`mmm run`: the whole pipeline, data -> EDA -> features -> training -> curves -> scenarios -> optimisation.

A thin layer over :mod:`mmm_analytics.pipeline`: each step prints what its own command prints,
and the closing summary lists the files this run wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.rule import Rule

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
    warn,
    warn_empty_data_config,
    warn_model_file,
)
from mmm_analytics.cli.progress import epoch_bar, figure_bar, simulation_bar
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.config.model import MAX_EPOCHS
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import STEPS
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.pipeline import PipelineRun

#: Steps that read the trained model folder (metadata.json and response_params.npz only).
MODEL_READERS = ("curves", "simulate", "optimize")
STEPS_HELP = f"Comma-separated steps to run, in pipeline order (default: all of {', '.join(STEPS)})."
SKIP_HELP = "Comma-separated steps to leave out."
ALL_HELP = "Run every step (also the default when neither --steps nor --skip is given)."
INPUT_HELP = "A CSV in the panel schema (default: the bundled synthetic panel)."
SOURCE_HELP = "synthetic (the default), kaggle, or a CSV path (or give the CSV as --input instead)."
DATASET_HELP = "The Kaggle dataset to download, OWNER/NAME; implies --source kaggle."
SEED_HELP = "Seed of the synthetic panel (default from data_config.yaml)."
SCREENSHOTS_HELP = "Save a PNG of each HTML report under outputs/reports/screenshots/ (needs Chromium)."
EPOCHS_HELP = "Adam epochs at most (default from model_config.yaml)."
#: A folder with more files written than this is summarised by a count and its first names.
FILES_LISTED = 3

#: The spinner shown while a step runs (EDA, training, curves and simulation show a progress bar instead).
STATUS: dict[str, str] = {
    "data": data_cmd.STATUS,
    "optimize": simulate_cmd.OPTIMIZE_STATUS,
}


def _around(step: str) -> contextlib.AbstractContextManager[Any]:
    """The progress display of ``step``; its value is the callback the step reports to (or None)."""
    match step:
        case "eda":
            return eda_cmd.progress_bar()
        case "train":
            return epoch_bar()
        case "curves":
            return figure_bar()
        case "simulate":
            return simulation_bar()
        case _ if step in STATUS:
            return _status(STATUS[step])
        case _:
            return contextlib.nullcontext()


@contextlib.contextmanager
def _status(message: str) -> Iterator[None]:
    with console.status(message):
        yield None


def _show(run: PipelineRun, step: str, result: Any, steps: list[str]) -> None:
    """Print what the step's own command prints; the optimum once (by the optimize step when it runs)."""
    paths, fmt = run.paths, run.config.viz.number_format
    match step:
        case "data":
            data_cmd.show(result, fmt, "--output-dir")
        case "eda":
            eda_cmd.show(result, fmt)
        case "features":
            features_cmd.show(result, run.config, paths.features)
        case "train":
            train_cmd.show(result, paths.models_dir)
        case "curves":
            curves_cmd.show(result, paths.curve_figures, paths.reports_dir, fmt)
        case "simulate":
            report = paths.reports_dir / "simulation_report.html"
            simulate_cmd.show_batch(result, report, fmt, optimum="optimize" not in steps)
        case "optimize":
            from mmm_analytics.simulator.terms import BATCH

            simulate_cmd.show_optimum(result, paths.simulations_dir / "optimal_allocation.json", fmt, BATCH)


def files_in(files: list[Path]) -> str:
    """The names of one folder's ``files``, or their count and the first few names."""
    names = sorted(file.name for file in files)
    if len(names) <= FILES_LISTED:
        return ", ".join(names)
    return f"{len(names)} files: {', '.join(names[:FILES_LISTED])}, ..."


def earlier_model_note(steps: list[str], paths: ProjectPaths) -> str | None:
    """The line for a run that prepared the data again but did not train, while a model from an
    earlier run is in the project: the model's figures of the summary are that model's. Before,
    ``mmm run --steps data,eda`` on a new panel reprinted the earlier model's figures without a word."""
    from mmm_analytics.response.artifacts import METADATA_FILE

    if "data" not in steps or "train" in steps or not (paths.models_dir / METADATA_FILE).is_file():
        return None
    return (
        "this run prepared the data again but did not train: the model's figures in the summary above and in summary.html "
        "are the earlier model's; add features,train and the steps after them to --steps to refresh them"
    )


def summary(written: list[Path], timings: dict[str, float], numbers: list[tuple[str, str]]) -> FitTable:
    """Step times, the files this run wrote (by folder) and the headline numbers."""
    table = FitTable(title="Pipeline summary")
    table.add_column("what")
    table.add_column("value", overflow="fold")
    for step, seconds in timings.items():
        table.add_row(f"step {step}", f"{seconds:.1f} s")
    folders: dict[Path, list[Path]] = {}
    for file in dict.fromkeys(written):  # each file once
        folders.setdefault(file.parent, []).append(file)
    for folder, files in sorted(folders.items()):
        table.add_row(escape(f"wrote in {folder}"), escape(files_in(files)))
    for name, value in numbers:
        table.add_row(name, escape(value))
    return table


def run(
    input: Annotated[str | None, typer.Option("--input", help=INPUT_HELP)] = None,
    source: Annotated[str | None, typer.Option("--source", help=SOURCE_HELP)] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    seed: Annotated[int | None, typer.Option("--seed", help=SEED_HELP)] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Root folder for data/ and outputs/.")] = Path("."),
    steps: Annotated[str | None, typer.Option("--steps", help=STEPS_HELP)] = None,
    skip: Annotated[str | None, typer.Option("--skip", help=SKIP_HELP)] = None,
    every_step: Annotated[bool, typer.Option("--all", help=ALL_HELP)] = False,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, max=MAX_EPOCHS, help=EPOCHS_HELP)] = None,
    screenshots: Annotated[bool, typer.Option("--screenshots", help=SCREENSHOTS_HELP)] = False,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Run the whole pipeline on the bundled synthetic data (or --input), writing everything under --output-dir."""
    from mmm_analytics.pipeline import (
        PipelineRun,
        choose_source,
        choose_steps,
        key_numbers,
        planned_outputs,
        run_pipeline,
        with_dataset,
        written_files,
    )
    from mmm_analytics.pipeline.checks import check_files_to_write
    from mmm_analytics.reports.summary import FILE as SUMMARY_FILE

    with user_errors(Output("--output-dir", output_dir)):
        check_seed(seed)
        if every_step and (steps or skip):
            raise InputError("--all runs every step; leave out --steps and --skip, or leave out --all")
        chosen = choose_steps(steps, skip)
        given = next((flag for flag, value in (("--input", input), ("--source", source)) if value), None)
        if given and "data" not in chosen:
            raise InputError(
                f"{given} is read by the data step, which this run leaves out (the other steps read data/ as it is); "
                f"add 'data' to --steps, or drop {given}"
            )
        panel = choose_source(source, dataset, input=input)
        if epochs is not None and "train" not in chosen:
            raise InputError(
                "--epochs is read by the train step, which this run leaves out; add 'train' or drop --epochs"
            )
        if seed is not None and ("data" not in chosen or panel.strip().lower() != "synthetic"):
            why = "this run leaves out the data step" if "data" not in chosen else f"the panel is {panel!r}"
            raise InputError(f"--seed seeds the synthetic panel only, and {why}; leave --seed out")
        paths = ProjectPaths(output_dir)
        check_files_to_write([*planned_outputs(chosen, paths), paths.reports_dir / SUMMARY_FILE])
        config = with_dataset(project_config(config_dir), dataset)
        if "data" in chosen:
            warn_empty_data_config(config_dir)
        pipeline = PipelineRun(paths, config, config_dir, panel, seed, epochs, screenshots)
        written: list[Path] = []

        def on_start(step: str) -> None:
            console.print(Rule(f"[bold]Step {chosen.index(step) + 1}/{len(chosen)}: {step}"))

        def on_done(step: str, result: Any, seconds: float) -> None:
            _show(pipeline, step, result, chosen)
            written.extend(written_files(step, result, paths))
            console.print(f"[green]done[/green] {step} in {seconds:.1f} s")
            if step in MODEL_READERS and step == next(s for s in chosen if s in MODEL_READERS):
                warn_model_file(paths.models_dir, paths.features)

        outcome = run_pipeline(pipeline, chosen, on_start=on_start, on_done=on_done, around=_around)
        written += [outcome.results["summary"], *outcome.results.get("screenshots", [])]
    read = outcome.summary_inputs
    console.print(summary(written, outcome.seconds, [] if read is None else key_numbers(read)))
    if note := earlier_model_note(chosen, paths):
        warn(note)
    from mmm_analytics.reports.summary import eda_words, stale_words

    if read is not None and read.stale:
        warn(stale_words(read.stale, "summary.html and the table above"))
    for problem in () if read is None else read.damaged:
        warn(f"left out of summary.html: {problem}")
    if read is not None and read.eda_of_other_data is not None:
        warn(eda_words(read.eda_of_other_data))
    if "simulate" in chosen and not pipeline.scenarios.exists():
        console.print(
            f"[yellow]note:[/yellow] {escape(str(pipeline.scenarios))} not found: the simulate step asked the default "
            f"scenarios ({escape(str(pipeline.default_scenarios_path))}); copy that file there and edit it to ask your own",
            highlight=False,
        )
    # Before, the run ended on its table of files, cut short, without naming the page to open first.
    page = Path(outcome.results["summary"])
    with contextlib.suppress(ValueError):
        page = page.resolve().relative_to(Path.cwd().resolve())
    console.print(
        f"Open {escape(str(page))} first: the page to hand to a manager, with a link to every report.", highlight=False
    )
