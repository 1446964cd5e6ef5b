"""The whole pipeline as plain functions: data -> eda -> features -> train -> curves -> simulate -> optimize.

Each step function takes a :class:`PipelineRun` (the project folder layout, the config and
the run's options), reads what the earlier steps wrote under ``run.paths`` and returns its
result; nothing is printed. :func:`run_pipeline` runs a chosen list of steps in order. The
``mmm`` commands call the same functions (``mmm run`` is a thin wrapper over this package),
so a step gives the same files from the pipeline as from its own command.

The modules: :mod:`.checks` (paths checked before any work), :mod:`.sources` (where the
panel comes from, and the data step), :mod:`.tasks` (the work of the later steps with every
path explicit) and :mod:`.summary` (headline numbers and the files a run wrote).

Importing this package is cheap; every step imports its packages when it runs.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mmm_analytics.errors import InputError
from mmm_analytics.pipeline.checks import check_output, require_file, shown_path
from mmm_analytics.pipeline.sources import (
    choose_source,
    kaggle_dataset,
    prepare_data,
    with_dataset,
    write_synthetic,
)
from mmm_analytics.pipeline.summary import key_numbers, written_files
from mmm_analytics.pipeline.tasks import (
    Progress,
    explore,
    load_simulator,
    optimize_to_file,
    simulate_batch,
)
from mmm_analytics.utils.options import comma_list
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig
    from mmm_analytics.curves.pipeline import CurvesResult
    from mmm_analytics.curves.render import FigureProgress
    from mmm_analytics.data.pipeline import DataResult
    from mmm_analytics.eda import EdaResult
    from mmm_analytics.features.panel import FeaturePanel
    from mmm_analytics.models.pipeline import TrainResult
    from mmm_analytics.models.training import EpochProgress
    from mmm_analytics.reports.inputs import SummaryInputs
    from mmm_analytics.simulator import OptimizationResult
    from mmm_analytics.simulator.batch import BatchProgress, BatchResults

__all__ = [
    "STEPS",
    "STEP_FUNCTIONS",
    "PipelineResult",
    "PipelineRun",
    "Progress",
    "check_output",
    "choose_source",
    "choose_steps",
    "explore",
    "kaggle_dataset",
    "key_numbers",
    "load_simulator",
    "optimize_to_file",
    "planned_outputs",
    "prepare_data",
    "require_file",
    "run_pipeline",
    "shown_path",
    "simulate_batch",
    "with_dataset",
    "write_synthetic",
    "written_files",
]

#: The steps, in pipeline order.
STEPS: tuple[str, ...] = ("data", "eda", "features", "train", "curves", "simulate", "optimize")
#: The plan the optimize step writes under ``simulations_dir``.
OPTIMUM_FILE = "optimal_allocation.json"


def planned_outputs(steps: Sequence[str], paths: ProjectPaths) -> list[Path]:
    """The files of fixed name that ``steps`` write at the end of their work (the EDA report, the model and
    its report and tables, the curves' tables and report, the simulation's tables, figures and report, the
    plan): checked before a run starts, so that a folder in the way does not stop it after the steps before."""
    planned: list[Path] = []
    if "eda" in steps:
        from mmm_analytics.eda.report import FILE as EDA_REPORT

        planned.append(paths.reports_dir / EDA_REPORT)
    if "train" in steps:
        from mmm_analytics.models import evaluator
        from mmm_analytics.response.artifacts import METADATA_FILE, MODEL_FILE, PARAMS_FILE

        planned += [paths.models_dir / name for name in (MODEL_FILE, PARAMS_FILE, METADATA_FILE)]
        reports = (evaluator.REPORT_HTML, evaluator.METRICS_CSV, evaluator.METRICS_JSON, evaluator.DECOMPOSITION_CSV)
        planned += [
            paths.reports_dir / name for name in (*reports, evaluator.CONTRIBUTIONS_CSV, evaluator.DIAGNOSTICS_CSV)
        ]
    if "curves" in steps:
        from mmm_analytics.curves.pipeline import REPORT_FILES

        planned += [paths.reports_dir / name for name in REPORT_FILES]
    if "simulate" in steps:
        from mmm_analytics.simulator.batch import BatchPaths, planned_files
        from mmm_analytics.simulator.report import FILE as SIMULATION_REPORT

        report = paths.reports_dir / SIMULATION_REPORT
        planned += planned_files(BatchPaths(Path(), paths.simulations_dir, paths.simulation_figures, report))
    if "optimize" in steps:
        planned.append(paths.simulations_dir / OPTIMUM_FILE)
    return planned


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """Where a pipeline run reads and writes, and its options.

    ``source`` is ``"synthetic"``, ``"kaggle"`` or a CSV path; ``seed`` overrides the synthetic
    seed; ``epochs`` caps the Adam epochs; ``config_dir`` holds ``scenarios.yaml``;
    ``screenshots`` saves a PNG of every report at the end (needs Chromium).
    """

    paths: ProjectPaths
    config: ProjectConfig
    config_dir: Path
    source: str = "synthetic"
    seed: int | None = None
    epochs: int | None = None
    screenshots: bool = False
    #: What a step solved that a later step of the same run asks again: ``national_optimum``, the simulate
    #: step's optimum of today's budget, which the optimize step writes instead of solving it twice.
    solved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def scenarios(self) -> Path:
        """``scenarios.yaml`` of the config folder (the folder of ``config_dir`` when that is a YAML file)."""
        from mmm_analytics.config.loader import config_folder

        return config_folder(self.config_dir) / "scenarios.yaml"

    @property
    def default_scenarios_path(self) -> Path:
        """Where the simulate step writes the scenarios it asks when the config folder has none."""
        return self.paths.simulations_dir / DEFAULT_SCENARIOS_FILE

    def scenarios_to_run(self, channels: Sequence[str]) -> Path:
        """``scenarios.yaml`` of the config folder, or, when there is none, :func:`default_scenarios`
        for the model's ``channels`` written to :attr:`default_scenarios_path`."""
        if self.scenarios.exists():
            return self.scenarios
        from mmm_analytics.utils.io import write_text

        return write_text(self.default_scenarios_path, default_scenarios(channels))


#: The scenarios file the simulate step writes (beside its exports) when the config folder has none.
DEFAULT_SCENARIOS_FILE = "default_scenarios.yaml"


def default_scenarios(channels: Sequence[str]) -> str:
    """Scenarios that fit any panel of ``channels`` (no brand or region named), as a scenarios file:
    today's mix, every channel up and down a tenth, and each channel up a fifth alone."""
    import yaml

    scenarios: list[dict[str, Any]] = [
        {"name": "current_mix", "description": "Today's average weekly spend on every channel"},
        {"name": "all_plus_10", "description": "Every channel up 10%", "spend": dict.fromkeys(channels, "+10%")},
        {"name": "all_minus_10", "description": "Every channel cut by 10%", "spend": dict.fromkeys(channels, "-10%")},
    ]
    scenarios += [
        {
            "name": f"{name}_plus_20",
            "description": f"{name} up a fifth, everything else unchanged",
            "spend": {name: "+20%"},
        }
        for name in channels
    ]
    head = (
        "# The scenarios 'mmm run' asked because its config folder has no scenarios.yaml.\n"
        "# Copy this file to that folder as scenarios.yaml and edit it to ask your own (format: see the\n"
        "# project's config/scenarios.yaml). '+10%' changes a channel's current weekly spend.\n"
    )
    return head + yaml.safe_dump({"scenarios": scenarios}, sort_keys=False, allow_unicode=True, width=100)


@dataclass(slots=True)
class PipelineResult:
    """What each step returned, by step name, and the seconds it took (plus ``total``)."""

    results: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: What the closing summary read of the steps' outputs (None without a summary): the page, the
    #: closing table and the warnings about stale or damaged files all come from this one reading.
    summary_inputs: SummaryInputs | None = None


def data(run: PipelineRun, progress: Progress | None = None) -> DataResult:
    """Load (``run.source``), validate and clean the panel into ``data/raw`` and ``data/processed``."""
    return prepare_data(
        run.source,
        run.paths.raw_dir,
        run.paths.processed_dir,
        run.config.data,
        run.seed,
        fmt=run.config.viz.number_format,
    )


def eda(run: PipelineRun, progress: Progress | None = None) -> EdaResult:
    """Figures, tables and the HTML report of the cleaned panel."""
    from mmm_analytics.eda import load_quality, read_panel
    from mmm_analytics.eda.report import FILE as EDA_REPORT

    paths = run.paths
    panel, quality = read_panel(paths.clean_panel, run.config.data), load_quality(paths.processed_dir)
    return explore(
        panel,
        quality,
        paths.eda_figures,
        paths.eda_tables,
        paths.reports_dir / EDA_REPORT,
        run.config,
        progress=progress,
        source=paths.clean_panel,
    )


def features(run: PipelineRun, progress: Progress | None = None) -> FeaturePanel:
    """The model-ready panel, written to ``features.parquet``."""
    from mmm_analytics.features.pipeline import build_features

    return build_features(run.paths.clean_panel, run.paths.features, run.config)


def train(run: PipelineRun, progress: EpochProgress | None = None) -> TrainResult:
    """Fit, save and evaluate the model; ``progress`` is called after each Adam epoch."""
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
        progress=progress,
    )


def curves(run: PipelineRun, progress: FigureProgress | None = None) -> CurvesResult:
    """ROI curves, tables and the ROI report of the trained model; ``progress`` after each figure batch."""
    from mmm_analytics.curves.pipeline import generate_curves

    paths = run.paths
    return generate_curves(paths.models_dir, paths.curve_figures, paths.reports_dir, run.config, "png", progress)


def simulate(run: PipelineRun, progress: BatchProgress | None = None) -> BatchResults:
    """The batch simulation over ``scenarios.yaml`` (national; :func:`default_scenarios` when the config
    folder has none), with stamped exports; ``progress`` hears of each optimisation."""
    from mmm_analytics.simulator.report import FILE as SIMULATION_REPORT

    paths = run.paths
    simulator = load_simulator(paths.models_dir, run.config)
    results = simulate_batch(
        simulator,
        run.scenarios_to_run(simulator.channels),
        paths.simulations_dir,
        paths.simulation_figures,
        paths.reports_dir / SIMULATION_REPORT,
        run.config,
        export=True,
        progress=progress,
    )
    run.solved["national_optimum"] = results.optimum  # the optimize step's question, with the same terms
    return results


def optimize(run: PipelineRun, progress: Progress | None = None) -> OptimizationResult:
    """The national optimum at today's weekly budget, written to ``optimal_allocation.json``."""
    paths = run.paths
    target = paths.simulations_dir / OPTIMUM_FILE
    if (solved := run.solved.get("national_optimum")) is not None:
        # Before, the optimum the simulate step had just solved was solved again (4 min on 100 series).
        from mmm_analytics.utils.io import write_json

        write_json(target, solved.to_json_dict())
        return cast("OptimizationResult", solved)
    simulator = load_simulator(paths.models_dir, run.config)
    from mmm_analytics.simulator.terms import BATCH

    return optimize_to_file(simulator, target, terms=BATCH)


#: The function of each step; each takes the run and an optional progress callback (its own kind).
STEP_FUNCTIONS: Mapping[str, Callable[[PipelineRun, Any], Any]] = {
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
        if text is None:
            return []
        names = comma_list(text, option, "data,features", str, "step")
        unknown = [n for n in names if n not in STEPS]
        if unknown:
            raise InputError(f"{option}: unknown step {unknown[0]!r}; choose from {', '.join(STEPS)}")
        return names

    chosen = parse(steps, "--steps") or list(STEPS)
    skipped = set(parse(skip, "--skip"))
    left = [s for s in STEPS if s in chosen and s not in skipped]
    if not left:
        raise InputError("--skip leaves no step of --steps to run; skip fewer steps or choose others")
    return left


def check_scenarios(path: Path) -> None:
    """Raise :class:`InputError` when the simulate step's ``scenarios.yaml`` is missing or malformed (its
    brands, regions and channels are checked against the model when the step runs)."""
    from mmm_analytics.simulator.scenarios import load_scenarios

    if not path.exists():
        raise InputError(
            f"scenarios file '{path}' not found: the simulate step reads it; copy config/scenarios.yaml of the "
            "project there, point --config-dir at a folder that has one, or leave the step out (--skip simulate)"
        )
    load_scenarios(path)


def check_scenario_scopes(path: Path, clean_panel: Path) -> None:
    """Raise :class:`InputError` when a scenario of ``path`` names a brand or region the panel just
    cleaned (``clean_panel``) does not have: the simulate step would stop on it after the training."""
    import pandas as pd

    from mmm_analytics.data import schema
    from mmm_analytics.simulator.defaults import ALL
    from mmm_analytics.simulator.scenarios import load_scenarios
    from mmm_analytics.utils.names import one_name

    frame = pd.read_parquet(clean_panel, columns=[schema.BRAND, schema.GEO])
    known = {"brand": sorted(set(frame[schema.BRAND])), "region": sorted(set(frame[schema.GEO]))}
    for spec in load_scenarios(path):
        for key, value in (("brand", spec.brand), ("region", spec.region)):
            try:
                one_name(value, known[key], key, f"the data has {', '.join(known[key])} or all", every=ALL)
            except InputError as error:
                raise InputError(
                    f"{path}: scenario {spec.name!r}, key {key!r}: {error}; or remove the scenario "
                    "(checked before the training)"
                ) from None


def step_input(paths: ProjectPaths, step: str) -> tuple[str, Path] | None:
    """The step that makes what ``step`` reads, and the file it reads (None for the data step)."""
    match step:
        case "eda" | "features":
            return "data", paths.clean_panel
        case "train":
            return "features", paths.features
        case "curves" | "simulate" | "optimize":
            return "train", paths.models_dir / "metadata.json"
        case _:
            return None


def run_pipeline(
    run: PipelineRun,
    steps: Sequence[str] = STEPS,
    *,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[str, Any, float], None] | None = None,
    around: Callable[[str], AbstractContextManager[Any]] | None = None,
    summary: bool = True,
) -> PipelineResult:
    """Run ``steps`` in pipeline order; returns every step's result and timings.

    ``on_start(step)`` is called before a step and ``on_done(step, result, seconds)`` after it;
    each step runs inside ``around(step)`` (e.g. a progress display), whose value, the step's
    progress callback (labels for eda, epochs for train, figure batches for curves) or None, is
    handed to the step. Figures are drawn with
    matplotlib's Agg backend unless ``MPLBACKEND`` says otherwise. With ``summary`` the run ends
    by writing ``summary.html`` from what the steps left (and the reports' screenshots when the
    run asks for them); its path is ``results["summary"]``.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures are files; no window is ever opened
    if "data" in steps:
        from mmm_analytics.data.loader import check_csv_path
        from mmm_analytics.data.pipeline import SourceKind, source_kind

        if source_kind(run.source) is SourceKind.CSV:
            check_csv_path(Path(run.source))  # the input first: it is what the run was given
    if "simulate" in steps and run.scenarios.exists():  # none: the step asks default_scenarios
        check_scenarios(run.scenarios)  # before the steps ahead of it spend minutes
    for step in steps:  # what a step reads from an earlier run, when this run does not make it first
        if (needs := step_input(run.paths, step)) is not None and needs[0] not in steps:
            require_file(needs[1], f"mmm {needs[0]}")
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
        if step == "data" and "simulate" in steps and run.scenarios.exists():
            check_scenario_scopes(run.scenarios, result.clean_panel)  # before the training
    if summary:
        from mmm_analytics.reports.inputs import load_inputs
        from mmm_analytics.reports.summary import write_summary

        inputs = load_inputs(run.paths, outcome.results, run.config.model.intervals.level)
        outcome.summary_inputs = inputs
        outcome.results["summary"] = write_summary(run.paths, run.config, outcome.results, inputs)
    if summary and run.screenshots:
        from mmm_analytics.reports.screenshots import take_screenshots

        outcome.results["screenshots"] = take_screenshots(run.paths.reports_dir)
    outcome.seconds["total"] = time.time() - start
    return outcome
