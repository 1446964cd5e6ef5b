"""The work of the later steps with every path and option explicit: EDA, simulator, scenarios, optimum."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mmm_analytics.config import ProjectConfig
    from mmm_analytics.eda import EdaResult, QualityInputs
    from mmm_analytics.simulator import (
        BudgetConstraints,
        MarketingSimulator,
        OptimizationResult,
    )
    from mmm_analytics.simulator.batch import BatchProgress, BatchResults
    from mmm_analytics.simulator.terms import Terms

#: Called with a label after each EDA step.
type Progress = Callable[[str], None]


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
    source: Path | None = None,
) -> EdaResult:
    """The EDA step on a panel already read (``eda.read_panel``) and its cleaning outputs (``eda.load_quality``).

    ``dpi`` and ``workers`` override ``viz_config.yaml``; ``link_figures`` links the PNGs from
    the report instead of embedding them; ``progress`` is called with a label after each step.
    ``source`` (the file the panel was read from) is recorded by path and digest in ``tables``
    (:data:`~mmm_analytics.utils.paths.EDA_SOURCE_FILE`), so the summary can tell an EDA of other data.
    """
    from mmm_analytics.eda import run_eda
    from mmm_analytics.features.store import SOURCE_KEY
    from mmm_analytics.utils.io import source_record, write_json
    from mmm_analytics.utils.paths import EDA_SOURCE_FILE

    viz = config.viz.with_overrides(dpi, workers)
    if source is not None:  # before the report: an EDA cut short leaves no record of data it did not describe
        (Path(tables) / EDA_SOURCE_FILE).unlink(missing_ok=True)
    result = run_eda(
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
    if source is not None:
        write_json(Path(tables) / EDA_SOURCE_FILE, {SOURCE_KEY: source_record(source)})
    return result


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
    progress: BatchProgress | None = None,
) -> BatchResults:
    """Scenarios, optimisation, frontier and sensitivity of ``brand`` x ``region``: tables, figures, report;
    ``progress`` hears of each optimisation (see :data:`~mmm_analytics.simulator.batch.BatchProgress`)."""
    from mmm_analytics.simulator.batch import BatchPaths, run_batch

    paths = BatchPaths(scenarios, output, figures, report, export)
    return run_batch(simulator, paths, config.viz, brand, region, progress)


def optimize_to_file(
    simulator: MarketingSimulator,
    output: Path,
    budget: float | None = None,
    constraints: BudgetConstraints | None = None,
    brand: str = "all",
    region: str = "all",
    terms: Terms | None = None,
) -> OptimizationResult:
    """The best weekly allocation of ``budget`` (default: today's), written to ``output`` as JSON; its
    messages name the budget, limits and switches in ``terms`` (``mmm optimize``'s options by default)."""
    from mmm_analytics.simulator.terms import OPTIONS
    from mmm_analytics.utils.io import write_json

    result = simulator.optimize_budget(budget, constraints, brand, region, terms=terms or OPTIONS)
    write_json(output, result.to_json_dict())
    return result
