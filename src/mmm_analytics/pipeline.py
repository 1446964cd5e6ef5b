"""The whole pipeline as plain functions: data -> eda -> features -> train -> curves -> simulate -> optimize.

Each step function takes a :class:`PipelineRun` (the project folder layout, the config and
the run's options), reads what the earlier steps wrote under ``run.paths`` and returns its
result; nothing is printed. :func:`run_pipeline` runs a chosen list of steps in order. The
``mmm`` commands call the same functions (``mmm run`` is a thin wrapper over this module),
so a step gives the same files from the pipeline as from its own command.

The source of the panel is resolved here, not in the data step: ``"synthetic"`` becomes
:func:`write_synthetic` (the bundled generator), anything else is passed to
:func:`mmm_analytics.data.pipeline.run_data` as is (``"kaggle"`` or a CSV path).

Importing this module is cheap; every step imports its packages when it runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    import pandas as pd

    from mmm_analytics.config import DataConfig, ProjectConfig
    from mmm_analytics.curves.pipeline import CurvesResult
    from mmm_analytics.data.pipeline import DataResult, RawPanel
    from mmm_analytics.eda import EdaResult, QualityInputs
    from mmm_analytics.features.panel import FeaturePanel
    from mmm_analytics.models.pipeline import TrainResult
    from mmm_analytics.simulator import (
        BudgetConstraints,
        MarketingSimulator,
        OptimizationResult,
    )
    from mmm_analytics.simulator.batch import BatchResults

#: The steps, in pipeline order.
STEPS: tuple[str, ...] = ("data", "eda", "features", "train", "curves", "simulate", "optimize")

type Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """Where a pipeline run reads and writes, and its options.

    ``source`` is ``"synthetic"``, ``"kaggle"`` or a CSV path; ``seed`` overrides the synthetic
    seed; ``epochs`` caps the Adam epochs; ``config_dir`` holds ``scenarios.yaml``.
    """

    paths: ProjectPaths
    config: ProjectConfig
    config_dir: Path
    source: str = "synthetic"
    seed: int | None = None
    epochs: int | None = None

    @property
    def scenarios(self) -> Path:
        return self.config_dir / "scenarios.yaml"


@dataclass(slots=True)
class PipelineResult:
    """What each step returned, by step name, and the seconds it took (plus ``total``)."""

    results: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


#: Longest file or folder name most file systems allow (bytes).
NAME_MAX = 255
#: Longest path Linux allows (bytes, with the final NUL).
PATH_MAX = 4096
#: Paths longer than this (characters) are shortened in messages.
SHOWN_PATH_MAX = 100


def shown_path(path: str | Path) -> str:
    """``path`` for a one-line message: long paths keep their start and end and say their length."""
    text = str(path)
    if len(text) <= SHOWN_PATH_MAX:
        return text
    return f"{text[:40]}...{text[-40:]} ({len(text):,} characters)"


def require_file(path: Path, made_by: str) -> Path:
    """Raise a one-line error naming ``path`` and the command that makes it when it is not a readable file."""
    file = Path(path)
    if file.is_dir():
        raise InputError(f"'{shown_path(file)}' is a folder; give the file itself (made by '{made_by}')")
    if not file.exists():
        raise InputError(f"'{shown_path(file)}' not found; run '{made_by}' first (or pass its path)")
    if not file.is_file():
        raise InputError(f"'{shown_path(file)}' is not a regular file; give the file made by '{made_by}'")
    return file


def check_output(path: Path, option: str, *, folder: bool) -> Path:
    """Raise a one-line error naming ``option`` when ``path`` cannot be written; nothing is created.

    ``folder`` says whether ``path`` is a folder to write into or the path of a file. Caught:
    a name too long for the file system, a file where a folder is needed (the path itself or
    a parent), a folder where a file is needed and a folder without write permission.
    """
    target = Path(path)
    where = f"{option} '{shown_path(target)}'"
    longest = max((len(os.fsencode(part)) for part in target.parts), default=0)
    if longest > NAME_MAX:
        raise InputError(
            f"{where}: a name in it is {longest:,} characters long (at most {NAME_MAX}); use a shorter path"
        )
    if len(os.fsencode(target.absolute())) >= PATH_MAX:
        raise InputError(f"{where}: the path is too long (at most {PATH_MAX - 1:,} characters); use a shorter path")
    if target.exists():
        if folder and not target.is_dir():
            kind = "a file, not a folder" if target.is_file() else "not a folder"
            raise InputError(f"{where} is {kind}; give a folder to write into")
        if not folder and target.is_dir():
            raise InputError(f"{where} is a folder; give the path of a file (e.g. inside that folder)")
    parent = next(p for p in (target, *target.parents) if p.exists() or p == p.parent)
    if parent != target and not parent.is_dir():
        kind = "a file" if parent.is_file() else "not a folder"
        raise InputError(
            f"{where}: '{shown_path(parent)}' is {kind}, so nothing can be written under it; choose another {option}"
        )
    writable = parent if parent.is_dir() else parent.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise InputError(
            f"{where}: no permission to write in '{shown_path(writable)}'; choose a folder you can write to"
        )
    return target


# ----- the work of each step, with every path and option explicit ------------------------------
def write_synthetic(config: DataConfig, seed: int | None, output_dir: Path) -> RawPanel:
    """Generate the synthetic panel and write ``mmm_data.csv`` and ``ground_truth.json`` into ``output_dir``."""
    from mmm_analytics.data.pipeline import RAW_FILE, TRUTH_FILE, RawPanel
    from mmm_analytics.synthetic import generate_panel
    from mmm_analytics.utils.io import write_csv, write_text

    settings = config.synthetic if seed is None else config.synthetic.model_copy(update={"seed": int(seed)})
    panel = generate_panel(settings, config.channel_table())
    raw = write_csv(output_dir / RAW_FILE, panel.frame)
    truth = write_text(output_dir / TRUTH_FILE, panel.truth.to_json() + "\n")
    return RawPanel(raw, truth, f"synthetic (setting {settings.setting.value}, seed {settings.seed})")


def prepare_data(
    source: str,
    output_dir: Path,
    processed_dir: Path,
    config: DataConfig,
    seed: int | None,
    *,
    kaggle_json: Path | None = None,
) -> DataResult:
    """The data step: ``source`` ``"synthetic"`` (generated here), ``"kaggle"`` or a CSV path.

    See :func:`mmm_analytics.data.pipeline.run_data` for what is written.
    """
    from mmm_analytics.data.pipeline import SourceKind, run_data, source_kind

    panel_source = write_synthetic if source_kind(source) is SourceKind.SYNTHETIC else source
    return run_data(panel_source, output_dir, processed_dir, config, seed, kaggle_json=kaggle_json)


def explore(
    panel: pd.DataFrame,
    quality: QualityInputs | dict[str, Any] | None,
    output: Path,
    tables: Path,
    report: Path,
    config: ProjectConfig,
    *,
    dpi: int | None = None,
    workers: int | None = None,
    link_figures: bool = False,
    progress: Progress | None = None,
) -> EdaResult:
    """The EDA step on a panel already read (``eda.read_panel``) and its cleaning outputs (``eda.load_quality``).

    ``dpi`` and ``workers`` override ``viz_config.yaml``; ``link_figures`` links the PNGs from
    the report instead of embedding them; ``progress`` is called with a label after each step.
    """
    from mmm_analytics.eda import run_eda

    updates = {key: value for key, value in (("dpi", dpi), ("max_workers", workers)) if value is not None}
    viz = config.viz.model_copy(update=updates)
    return run_eda(
        panel,
        output,
        tables,
        report,
        viz,
        config.data.channel_table(),
        quality,
        embed_images=not link_figures,
        progress=progress,
    )


def load_simulator(model: Path, config: ProjectConfig) -> MarketingSimulator:
    """The simulator of a trained model (its folder or the ``.keras`` file inside it)."""
    from mmm_analytics.response.artifacts import model_folder
    from mmm_analytics.simulator import MarketingSimulator

    return MarketingSimulator.from_model_dir(model_folder(model), config)


def simulate_batch(
    simulator: MarketingSimulator,
    scenarios: Path,
    output: Path,
    figures: Path,
    report: Path,
    config: ProjectConfig,
    *,
    export: bool = False,
    brand: str = "all",
    region: str = "all",
) -> BatchResults:
    """Scenarios, optimisation, frontier and sensitivity of ``brand`` x ``region``: tables, figures, report."""
    from mmm_analytics.simulator.batch import BatchPaths, run_batch

    return run_batch(simulator, BatchPaths(scenarios, output, figures, report, export), config.viz, brand, region)


def optimize_to_file(
    simulator: MarketingSimulator,
    output: Path,
    budget: float | None = None,
    constraints: BudgetConstraints | None = None,
    brand: str = "all",
    region: str = "all",
) -> OptimizationResult:
    """The best weekly allocation of ``budget`` (default: today's), written to ``output`` as JSON."""
    from mmm_analytics.utils.io import write_json

    result = simulator.optimize_budget(budget, constraints, brand, region)
    write_json(output, result.to_json_dict())
    return result


# ----- the steps on the project layout ---------------------------------------------------------
def data(run: PipelineRun, progress: Progress | None = None) -> DataResult:
    """Load (``run.source``), validate and clean the panel into ``data/raw`` and ``data/processed``."""
    return prepare_data(run.source, run.paths.raw_dir, run.paths.processed_dir, run.config.data, run.seed)


def eda(run: PipelineRun, progress: Progress | None = None) -> EdaResult:
    """Figures, tables and the HTML report of the cleaned panel."""
    from mmm_analytics.eda import load_quality, read_panel

    paths = run.paths
    panel, quality = read_panel(paths.clean_panel), load_quality(paths.processed_dir)
    return explore(
        panel,
        quality,
        paths.eda_figures,
        paths.reports_dir / "eda",
        paths.reports_dir / "eda_report.html",
        run.config,
        progress=progress,
    )


def features(run: PipelineRun, progress: Progress | None = None) -> FeaturePanel:
    """The model-ready panel, written to ``features.parquet``."""
    from mmm_analytics.features.pipeline import build_features

    return build_features(run.paths.clean_panel, run.paths.features, run.config)


def train(run: PipelineRun, progress: Progress | None = None) -> TrainResult:
    """Fit, save and evaluate the model."""
    from mmm_analytics.models.pipeline import train as fit

    paths = run.paths
    require_file(paths.features, "mmm features")
    return fit(
        paths.features,
        paths.models_dir,
        run.config,
        run.epochs,
        reports_dir=paths.reports_dir,
        figures_dir=paths.model_figures,
    )


def curves(run: PipelineRun, progress: Progress | None = None) -> CurvesResult:
    """ROI curves, tables and the ROI report of the trained model."""
    from mmm_analytics.curves.pipeline import generate_curves

    paths = run.paths
    return generate_curves(paths.models_dir, paths.curve_figures, paths.reports_dir, run.config, "png")


def simulate(run: PipelineRun, progress: Progress | None = None) -> BatchResults:
    """The batch simulation over ``scenarios.yaml`` (national), with stamped exports."""
    paths = run.paths
    simulator = load_simulator(paths.models_dir, run.config)
    return simulate_batch(
        simulator,
        run.scenarios,
        paths.simulations_dir,
        paths.simulation_figures,
        paths.reports_dir / "simulation_report.html",
        run.config,
        export=True,
    )


def optimize(run: PipelineRun, progress: Progress | None = None) -> OptimizationResult:
    """The national optimum at today's weekly budget, written to ``optimal_allocation.json``."""
    paths = run.paths
    simulator = load_simulator(paths.models_dir, run.config)
    return optimize_to_file(simulator, paths.simulations_dir / "optimal_allocation.json")


#: The function of each step; each takes the run and an optional progress callback.
STEP_FUNCTIONS: Mapping[str, Callable[[PipelineRun, Progress | None], Any]] = {
    "data": data,
    "eda": eda,
    "features": features,
    "train": train,
    "curves": curves,
    "simulate": simulate,
    "optimize": optimize,
}


def choose_steps(steps: str | None, skip: str | None) -> list[str]:
    """The steps to run, in pipeline order, from comma-separated ``steps`` (default all) minus ``skip``."""

    def parse(text: str | None, option: str) -> list[str]:
        names = [part.strip() for part in (text or "").split(",") if part.strip()]
        unknown = [n for n in names if n not in STEPS]
        if unknown:
            raise InputError(f"{option}: unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
        return names

    chosen = parse(steps, "--steps") or list(STEPS)
    skipped = set(parse(skip, "--skip"))
    return [s for s in STEPS if s in chosen and s not in skipped]


def run_pipeline(
    run: PipelineRun,
    steps: Sequence[str] = STEPS,
    *,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[str, Any, float], None] | None = None,
    around: Callable[[str], AbstractContextManager[Progress | None]] | None = None,
) -> PipelineResult:
    """Run ``steps`` in pipeline order; returns every step's result and timings.

    ``on_start(step)`` is called before a step and ``on_done(step, result, seconds)`` after it;
    each step runs inside ``around(step)`` (e.g. a progress display), whose value, a callback
    for the step's progress labels or None, is handed to the step. Figures are drawn with
    matplotlib's Agg backend unless ``MPLBACKEND`` says otherwise.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures are files; no window is ever opened
    outcome = PipelineResult()
    start = time.time()
    for step in steps:
        if on_start is not None:
            on_start(step)
        t0 = time.perf_counter()
        with around(step) if around is not None else contextlib.nullcontext() as progress:
            result = STEP_FUNCTIONS[step](run, progress)
        outcome.seconds[step] = time.perf_counter() - t0
        outcome.results[step] = result
        if on_done is not None:
            on_done(step, result, outcome.seconds[step])
    outcome.seconds["total"] = time.time() - start
    return outcome


def key_numbers(paths: ProjectPaths, results: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """Headline figures: holdout wMAPE, the top channel by ROI and the optimiser's uplift.

    Taken from ``results`` for the steps that ran, else from the files earlier runs wrote.
    """
    results = results or {}
    numbers = []
    metrics = paths.reports_dir / "model_metrics.json"
    if metrics.is_file():
        wmape = json.loads(metrics.read_text())["holdout"]["overall"]["wmape"]
        numbers.append(("holdout wMAPE", f"{wmape:.2%}"))
    roi = _channel_roi(paths, results.get("curves"))
    if roi is not None:
        top = roi.sort_values("roi", ascending=False).iloc[0]
        numbers.append(
            ("top channel by ROI", f"{top.channel}: {top.roi:.2f} [{top.roi_lower:.2f}, {top.roi_upper:.2f}]")
        )
    plan = _allocation(paths, results.get("optimize"))
    if plan is not None:
        uplift = plan["expected_incremental_sales"] / plan["current_incremental_sales"] - 1.0
        numbers.append(("optimiser uplift (same budget)", f"{uplift:+.1%} incremental sales per week"))
    return numbers


def _channel_roi(paths: ProjectPaths, result: CurvesResult | None) -> pd.DataFrame | None:
    if result is not None:
        return result.channel_roi
    file = paths.reports_dir / "channel_roi.csv"
    if not file.is_file():
        return None
    import pandas as pd

    return pd.read_csv(file)


def _allocation(paths: ProjectPaths, result: OptimizationResult | None) -> dict[str, Any] | None:
    if result is not None:
        return result.to_json_dict()
    file = paths.simulations_dir / "optimal_allocation.json"
    return json.loads(file.read_text()) if file.is_file() else None
