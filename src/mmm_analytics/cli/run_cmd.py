"""`mmm run`: the whole pipeline, data -> EDA -> features -> training -> curves -> scenarios -> optimisation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.rule import Rule
from rich.table import Table

from mmm_analytics.cli import curves_cmd, data_cmd, eda_cmd, features_cmd, simulate_cmd, train_cmd
from mmm_analytics.cli.common import DEFAULT_CONFIG_DIR, ConfigDirOption, console, user_errors
from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import ProjectPaths

STEPS: tuple[str, ...] = ("data", "eda", "features", "train", "curves", "simulate", "optimize")
STEPS_HELP = f"Comma-separated steps to run, in pipeline order (default: all of {', '.join(STEPS)})."
SKIP_HELP = "Comma-separated steps to leave out."


def _choose(steps: str | None, skip: str | None) -> list[str]:
    def parse(text: str | None, option: str) -> list[str]:
        names = [part.strip() for part in (text or "").split(",") if part.strip()]
        unknown = [n for n in names if n not in STEPS]
        if unknown:
            raise InputError(f"{option}: unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
        return names

    chosen = parse(steps, "--steps") or list(STEPS)
    skipped = set(parse(skip, "--skip"))
    return [s for s in STEPS if s in chosen and s not in skipped]


def _actions(paths: ProjectPaths, source: str, seed: int | None, config_dir: Path, epochs: int | None) -> dict[str, Callable[[], None]]:
    scenarios = config_dir / "scenarios.yaml"
    return {
        "data": lambda: data_cmd.data(source=source, output=paths.raw_dir, processed_dir=paths.processed_dir,
                                      seed=seed, kaggle_json=None, config_dir=config_dir),
        "eda": lambda: eda_cmd.eda(input_path=paths.clean_panel, output=paths.eda_figures,
                                   tables=paths.reports_dir / "eda", report=paths.reports_dir / "eda_report.html",
                                   quality_dir=paths.processed_dir, dpi=None, workers=None, link_figures=False,
                                   config_dir=config_dir),
        "features": lambda: features_cmd.features(input=paths.clean_panel, output=paths.features, config_dir=config_dir),
        "train": lambda: train_cmd.train(data=paths.features, output=paths.models_dir, reports=paths.reports_dir,
                                         figures=paths.model_figures, epochs=epochs, config_dir=config_dir),
        "curves": lambda: curves_cmd.curves(model=paths.models_dir, output=paths.curve_figures,
                                            reports=paths.reports_dir, fmt="png", config_dir=config_dir),
        "simulate": lambda: simulate_cmd.simulate(
            model=paths.models_dir, scenarios=scenarios, output=paths.simulations_dir, figures=paths.simulation_figures,
            report=paths.reports_dir / "simulation_report.html", export=True, interactive=False, brand="all",
            region="all", config_dir=config_dir),
        "optimize": lambda: simulate_cmd.optimize(
            model=paths.models_dir, budget=None, brand="all", region="all", minimum=None, maximum=None, lock=None,
            at_most=False, output=paths.simulations_dir / "optimal_allocation.json", config_dir=config_dir),
    }


def _key_numbers(paths: ProjectPaths) -> list[tuple[str, str]]:
    """Headline figures read back from the files the steps wrote."""
    numbers = []
    metrics = paths.reports_dir / "model_metrics.json"
    if metrics.is_file():
        wmape = json.loads(metrics.read_text())["holdout"]["overall"]["wmape"]
        numbers.append(("holdout wMAPE", f"{wmape:.2%}"))
    roi = paths.reports_dir / "channel_roi.csv"
    if roi.is_file():
        top = pd.read_csv(roi).sort_values("roi", ascending=False).iloc[0]
        numbers.append(("top channel by ROI", f"{top.channel}: {top.roi:.2f} [{top.roi_lower:.2f}, {top.roi_upper:.2f}]"))
    allocation = paths.simulations_dir / "optimal_allocation.json"
    if allocation.is_file():
        plan = json.loads(allocation.read_text())
        uplift = plan["expected_incremental_sales"] / plan["current_incremental_sales"] - 1.0
        numbers.append(("optimiser uplift (same budget)", f"{uplift:+.1%} incremental sales per week"))
    return numbers


def _summary(root: Path, since: float, timings: dict[str, float], paths: ProjectPaths) -> Table:
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
        table.add_row(f"files in {folder}", str(count))
    for name, value in _key_numbers(paths):
        table.add_row(name, value)
    return table


def run(
    input: Annotated[str | None, typer.Option("--input", help="A CSV in the panel schema (default: the bundled synthetic panel).")] = None,
    source: Annotated[str, typer.Option("--source", help="synthetic, kaggle, or a CSV path; --input wins when given.")] = "synthetic",
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the synthetic panel (default from data_config.yaml).")] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Root folder for data/ and outputs/.")] = Path("."),
    steps: Annotated[str | None, typer.Option("--steps", help=STEPS_HELP)] = None,
    skip: Annotated[str | None, typer.Option("--skip", help=SKIP_HELP)] = None,
    epochs: Annotated[int | None, typer.Option("--epochs", min=1, help="Adam epochs at most (default from model_config.yaml).")] = None,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Run the whole pipeline on the bundled synthetic data (or --input), writing everything under --output-dir."""
    with user_errors():
        chosen = _choose(steps, skip)
        paths = ProjectPaths(output_dir)
        actions = _actions(paths, input or source, seed, config_dir, epochs)
    start = time.time()
    timings: dict[str, float] = {}
    for number, step in enumerate(chosen, start=1):
        console.print(Rule(f"[bold]Step {number}/{len(chosen)}: {step}"))
        t0 = time.perf_counter()
        actions[step]()
        timings[step] = time.perf_counter() - t0
        console.print(f"[green]done[/green] {step} in {timings[step]:.1f} s")
    timings["total"] = time.time() - start
    console.print(_summary(output_dir, start, timings, paths))
