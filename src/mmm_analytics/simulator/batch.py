"""The batch run behind ``mmm simulate``: scenarios, optimisation, frontier, sensitivity,
tables, figures, the HTML report and (optionally) provenance-stamped exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.simulator import figures
from mmm_analytics.simulator.defaults import ALL, FRONTIER_POINTS, SEGMENT_OPTIMISATION_ROWS
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.export import export_result, provenance
from mmm_analytics.simulator.frontier import efficiency_frontier
from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.simulator.report import ReportInputs, write_report
from mmm_analytics.simulator.scenarios import compare_scenarios, scenarios_from_file
from mmm_analytics.simulator.sensitivity import sensitivity
from mmm_analytics.simulator.terms import BATCH
from mmm_analytics.utils.io import write_csv, write_json

#: What the batch run reports as it goes: (what it is doing, units done, units in all).
type BatchProgress = Callable[[str, int, int], None]


class _Ticker:
    """Counts the batch run's units (one per optimisation, plus the scenarios and the writing) for a
    :data:`BatchProgress` callback; silent without one."""

    def __init__(self, progress: BatchProgress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, label: str, units: int = 1) -> None:
        """``units`` more are done; the next ones are ``label``."""
        self.done = min(self.done + units, self.total)
        if self.progress is not None:
            self.progress(label, self.done, self.total)


@dataclass(frozen=True, slots=True)
class BatchPaths:
    """Where the batch run writes."""

    scenarios: Path
    output: Path
    figures: Path
    report: Path
    export: bool = False


#: The advice's summary, which also records the model the run was made from (``model_digest``).
SUMMARY_FILE = "optimization_summary.json"
#: The tables the batch run writes into its output folder, and the figures into its figures folder.
TABLE_FILES = (
    "scenario_comparison.csv",
    "scenario_channels.csv",
    "optimal_allocation.csv",
    "optimal_allocation.json",
    SUMMARY_FILE,
    "segment_optimization.csv",
    "efficiency_frontier.csv",
    "sensitivity.csv",
)
FIGURE_FILES = (
    "scenario_comparison.png",
    "efficiency_frontier.png",
    "sensitivity_current.png",
    "sensitivity_optimum.png",
)


def planned_files(paths: BatchPaths) -> list[Path]:
    """Every file of fixed name the batch run writes (not the stamped exports): to check before the work."""
    return [
        *(paths.output / name for name in TABLE_FILES),
        *(paths.figures / name for name in FIGURE_FILES),
        paths.report,
    ]


@dataclass(slots=True)
class BatchResults:
    scenarios: pd.DataFrame
    scenario_channels: pd.DataFrame
    optimum: OptimizationResult
    segments: pd.DataFrame
    frontier: pd.DataFrame
    sensitivity: pd.DataFrame
    written: list[Path] = field(default_factory=list)


def largest_segments(simulator: MarketingSimulator, count: int = SEGMENT_OPTIMISATION_ROWS) -> list[tuple[str, str]]:
    """The ``count`` brand x region segments of the largest current weekly spend, in model order; a
    segment without media spend in the data is left out (it has no today's mix to improve on)."""
    spend = simulator.current_matrix.sum(axis=1)
    keep = set(np.argsort(-spend, kind="stable")[:count].tolist()) & set(np.flatnonzero(spend > 0).tolist())
    return [segment for index, segment in enumerate(simulator.segments) if index in keep]


def segment_optimisation(
    simulator: MarketingSimulator,
    count: int = SEGMENT_OPTIMISATION_ROWS,
    each: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Each brand x region optimised on its own current weekly budget: one row per segment, for the
    ``count`` segments of the largest current weekly spend (every segment of a smaller model);
    ``each`` is called after each segment."""
    rows = []
    for brand, region in largest_segments(simulator, count):
        result = simulator.optimize_budget(None, None, brand, region, terms=BATCH)
        if each is not None:
            each()
        rows.append(
            {
                "brand": brand,
                "region": region,
                "weekly_budget": result.weekly_budget,
                "current_incremental_sales": result.current_incremental_sales,
                "optimal_incremental_sales": result.expected_incremental_sales,
                "uplift": result.uplift,
                **{f"optimal_{c}": v for c, v in result.allocation.items()},
            }
        )
    return pd.DataFrame(rows)


#: Units of the batch run besides the segments' and the frontier's optimisations: the scenarios, the
#: recommended plan, the two sensitivity tables and the writing of tables, figures and report.
_OTHER_UNITS = 5


def batch_units(simulator: MarketingSimulator) -> int:
    """How many units a :data:`BatchProgress` callback counts to for ``simulator``'s batch run."""
    return _OTHER_UNITS + len(largest_segments(simulator)) + FRONTIER_POINTS


def compute(
    simulator: MarketingSimulator,
    scenarios_path: Path,
    brand: str = ALL,
    region: str = ALL,
    progress: BatchProgress | None = None,
) -> BatchResults:
    """Every batch result, nothing written yet: the optimum, sensitivity and frontier of ``brand`` x
    ``region``, and the scenarios, each run for its own brand and region or, naming none, for these.
    ``progress`` hears of each optimisation (:data:`BatchProgress`; the writing is the last unit)."""
    return _compute(simulator, scenarios_path, brand, region, _Ticker(progress, batch_units(simulator)))


def _compute(
    simulator: MarketingSimulator, scenarios_path: Path, brand: str, region: str, tick: _Ticker
) -> BatchResults:
    """:func:`compute`, telling ``tick`` of each unit done."""
    tick("scenarios", 0)
    scenarios = scenarios_from_file(scenarios_path, simulator, brand, region)
    summary, channels = compare_scenarios(simulator, scenarios)
    tick("the recommended plan")
    optimum = simulator.optimize_budget(None, None, brand, region, terms=BATCH)
    tick("sensitivity of each channel")
    around_current = sensitivity(simulator, "current", brand, region)
    around_optimum = sensitivity(simulator, "optimum", brand, region, optimum=optimum)
    own_plans = f"each brand x region's own plan ({len(largest_segments(simulator))} in all)"
    tick(own_plans, 2)
    segments = segment_optimisation(simulator, each=lambda: tick(own_plans))
    budgets = f"efficiency frontier ({FRONTIER_POINTS} budgets)"
    tick(budgets, 0)
    frontier = efficiency_frontier(simulator, brand, region, each=lambda: tick(budgets))
    tick("tables, figures and the report", 0)
    return BatchResults(
        scenarios=summary,
        scenario_channels=channels,
        optimum=optimum,
        segments=segments,
        frontier=frontier,
        sensitivity=pd.concat([around_current, around_optimum], ignore_index=True),
    )


def write_outputs(
    simulator: MarketingSimulator, results: BatchResults, paths: BatchPaths, viz: VizConfig
) -> BatchResults:
    """Tables (CSV/JSON), figures (PNG), the report and, with ``paths.export``, stamped exports."""
    out = paths.output
    comparison, channels, cells, plan, summary, segments, frontier, around = (out / name for name in TABLE_FILES)
    written = [
        write_csv(comparison, results.scenarios, for_spreadsheets=True),
        write_csv(channels, results.scenario_channels, for_spreadsheets=True),
        write_csv(cells, results.optimum.cells, for_spreadsheets=True),
        write_json(plan, results.optimum.to_json_dict()),
        write_json(summary, results.optimum.summary()),
        write_csv(segments, results.segments, for_spreadsheets=True),
        write_csv(frontier, results.frontier),  # read back by the report
        write_csv(around, results.sensitivity, for_spreadsheets=True),
    ]
    scope = f"{results.optimum.brand} / {results.optimum.region}"
    table = results.sensitivity
    plots = (
        figures.scenario_figure(results.scenarios, simulator.channels, viz),
        figures.frontier_figure(results.frontier, viz, f"Efficiency frontier ({scope})"),
        figures.tornado_figure(table[table["base"] == "current"], viz, f"Sensitivity around the current mix ({scope})"),
        figures.tornado_figure(
            table[table["base"] == "optimum"], viz, f"Sensitivity around the recommended plan ({scope})"
        ),
    )
    written += [
        figures.save_figure(fig, paths.figures / name, viz) for name, fig in zip(FIGURE_FILES, plots, strict=True)
    ]
    written.append(
        write_report(
            paths.report,
            ReportInputs(
                provenance=provenance(simulator),
                scenarios=results.scenarios,
                optimum=results.optimum,
                segments=results.segments,
                frontier=results.frontier,
                sensitivity=results.sensitivity,
                channels=simulator.channels,
                viz=viz,
            ),
        )
    )
    if paths.export:
        exports = out / "exports"
        for name, result in (
            ("scenario_comparison", results.scenarios),
            ("scenario_channels", results.scenario_channels),
            ("optimal_allocation", results.optimum),
            ("segment_optimization", results.segments),
            ("efficiency_frontier", results.frontier),
            ("sensitivity", results.sensitivity),
        ):
            written += export_result(result, name, exports, simulator)
    results.written = written
    return results


def run_batch(
    simulator: MarketingSimulator,
    paths: BatchPaths,
    viz: VizConfig,
    brand: str = ALL,
    region: str = ALL,
    progress: BatchProgress | None = None,
) -> BatchResults:
    """Compute every result and write tables, figures, report (and exports); ``progress`` as in :func:`compute`."""
    tick = _Ticker(progress, batch_units(simulator))
    results = write_outputs(simulator, _compute(simulator, paths.scenarios, brand, region, tick), paths, viz)
    tick("done")  # the writing, the last unit
    return results
