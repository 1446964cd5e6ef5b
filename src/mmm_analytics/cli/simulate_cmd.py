"""`mmm simulate` (batch scenarios or --interactive) and `mmm optimize`.

Budget semantics: an allocation is a sustained weekly spend per channel (INR); results are
weekly Sales_Value (INR) at steady state, plus totals over the configured horizon.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    console,
    project_config,
    user_errors,
    warn,
    warn_config_channels,
    warn_model_file,
)
from mmm_analytics.cli.progress import simulation_bar
from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import ProjectPaths, folder_of

if TYPE_CHECKING:
    from mmm_analytics.config.loader import ProjectConfig
    from mmm_analytics.config.viz import NumberFormat
    from mmm_analytics.simulator import OptimizationResult
    from mmm_analytics.simulator.batch import BatchResults
    from mmm_analytics.simulator.terms import Terms

PATHS = ProjectPaths()
DEFAULT_SCENARIOS = Path("config") / "scenarios.yaml"
DEFAULT_REPORT = PATHS.reports_dir / "simulation_report.html"
DEFAULT_ALLOCATION = PATHS.simulations_dir / "optimal_allocation.json"

MODEL_HELP = "Trained model: the .keras file or its folder (holding metadata.json and response_params.npz)."
SCENARIOS_HELP = (
    "YAML file of named scenarios (weekly INR amounts or '+20%'-style changes per channel); default: "
    "scenarios.yaml in the --config folder."
)
OUTPUT_HELP = "Folder for the result tables (CSV/JSON)."
FIGURES_HELP = (
    f"Folder for the PNG figures; default: {PATHS.simulation_figures}, or figures/ in --output when that is given."
)
REPORT_HELP = (
    f"Path of the self-contained HTML report; default: {DEFAULT_REPORT}, or simulation_report.html in --output "
    "when that is given."
)
EXPORT_HELP = "Also export every result as CSV and JSON stamped with model path, date range, CPMs and semantics."
INTERACTIVE_HELP = (
    "Open the interactive menu instead of the batch run. Ctrl-C abandons the current action; "
    "Ctrl-C or Ctrl-D at the menu, or Exit, leaves with exit code 0."
)
BRAND_HELP = "Brand name, or 'all' for every brand."
REGION_HELP = "Region name, or 'all' for every region ('all' and 'all' = national joint optimisation)."


def _selection_help(key: str) -> str:
    """The help of ``mmm simulate --brand`` or ``--region`` (``key``)."""
    return (
        f"{key.capitalize()}, or 'all' for every {key}: of the optimisation, sensitivity and frontier, and of every "
        f"scenario that names no {key} of its own (one that names its own keeps it). With --interactive: the "
        f"{key} the menu's prompts start from, and that of the scenarios it reads from a file (the same rule)."
    )


SIMULATE_BRAND_HELP = _selection_help("brand")
SIMULATE_REGION_HELP = _selection_help("region")
BUDGET_HELP = (
    "Weekly budget in INR, e.g. 500000, 5,00,000, 500k or 5L; or a change of the selection's current average "
    "weekly spend (+20%, -50000) or a share of it (80%) (default: that spend itself)."
)
MIN_HELP = (
    "Minimum weekly spend of a channel: CHANNEL=INR, CHANNEL=P% of its spend in the 'Current mix' column "
    "(today's mix, scaled to --budget when that differs from today's spend) or CHANNEL=+P% / -P% for a "
    "change of it (TV=+20% is TV=120%). Once per channel; repeatable."
)
MAX_HELP = (
    "Maximum weekly spend of a channel: CHANNEL=INR, CHANNEL=P% of its spend in the 'Current mix' column "
    "(today's mix, scaled to --budget when that differs from today's spend) or CHANNEL=+P% / -P% for a "
    "change of it (TV=+20% is TV=120%). Once per channel; repeatable."
)
LOCK_HELP = "Keep a channel at today's weekly spend (not scaled to --budget). Repeatable."
DATA_RANGE_HELP = (
    "Keep each channel's weekly spend within the range seen in the data, per brand x region "
    "(default: model_config.yaml simulator.data_range)."
)
AT_MOST_HELP = "Spend at most the budget (default: exactly the budget)."
ALLOCATION_HELP = "JSON file for the allocation."
OPTIMIZE_STATUS = "Optimising..."
SCENARIO_COLUMNS = [
    "scenario",
    "total_spend",
    "predicted_sales",
    "expected_incremental_sales",
    "roi",
    "delta_expected_vs_current",
]


def show_batch(results: BatchResults, report: Path, fmt: NumberFormat, *, optimum: bool = True) -> None:
    """The scenario table, the optimum (unless ``optimum`` is False) and how many files were written,
    amounts grouped per ``fmt``."""
    from mmm_analytics.cli import tables
    from mmm_analytics.simulator.figures import scope_label
    from mmm_analytics.simulator.scenarios import on_expected_basis, warning_lines
    from mmm_analytics.simulator.terms import BATCH

    for name, line in warning_lines(results.scenarios):
        warn(f"scenario {name!r}: {line}")
    # Expected sales, the mean over the posterior draws, as the advice below: before, the point estimate, whose
    # today's mix read 13,000 INR a week less than the advice's.
    shown = on_expected_basis(results.scenarios)[SCENARIO_COLUMNS]
    where = [scope_label(str(b), str(r)) for b, r in zip(results.scenarios["brand"], results.scenarios["region"])]
    shown.insert(1, "where", where)  # a scenario may cover one brand or region, the advice below another
    console.print(
        tables.frame_table(
            shown,
            "Scenarios (INR per week, expected: the mean over the posterior draws)",
            fmt,
            money=("total_spend", "predicted_sales", "expected_incremental_sales", "delta_expected_vs_current"),
        )
    )
    if optimum:
        console.print(tables.optimization_table(results.optimum, fmt, BATCH))
        for line in tables.optimization_summary(results.optimum, fmt):
            console.print(Text(line))
    console.print(Text(f"Wrote {len(results.written)} files; report: {report}"))


def show_optimum(result: OptimizationResult, output: Path, fmt: NumberFormat, terms: Terms | None = None) -> None:
    """The advised allocation table with its caption (in ``terms``), its summary and the file written,
    amounts grouped per ``fmt``."""
    from mmm_analytics.cli import tables

    console.print(tables.optimization_table(result, fmt, terms))
    for line in tables.optimization_summary(result, fmt):
        console.print(Text(line))
    console.print(Text(f"Wrote {output}"))


def _check_scenarios(path: Path) -> None:
    """A scenarios path that exists must be a regular file (a missing one is reported when it is read)."""
    if path.is_dir():
        raise InputError(f"--scenarios '{path}' is a folder; give a YAML file of scenarios (e.g. {DEFAULT_SCENARIOS})")
    if path.exists() and not path.is_file():
        raise InputError(f"--scenarios '{path}' is not a regular file; give a YAML file (e.g. {DEFAULT_SCENARIOS})")


def simulate(
    model: Annotated[Path, typer.Option("--model", help=MODEL_HELP)] = PATHS.models_dir,
    scenarios: Annotated[Path | None, typer.Option("--scenarios", help=SCENARIOS_HELP)] = None,
    output: Annotated[Path, typer.Option("--output", help=OUTPUT_HELP)] = PATHS.simulations_dir,
    figures: Annotated[Path | None, typer.Option("--figures", help=FIGURES_HELP, show_default=False)] = None,
    report: Annotated[Path | None, typer.Option("--report", help=REPORT_HELP, show_default=False)] = None,
    export: Annotated[bool, typer.Option("--export/--no-export", help=EXPORT_HELP)] = False,
    interactive: Annotated[bool, typer.Option("--interactive/--batch", "-i", help=INTERACTIVE_HELP)] = False,
    brand: Annotated[str, typer.Option("--brand", help=SIMULATE_BRAND_HELP)] = "all",
    region: Annotated[str, typer.Option("--region", help=SIMULATE_REGION_HELP)] = "all",
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """What-if scenarios, optimisation, frontier and sensitivity (batch), or the interactive menu.

    Allocations are sustained weekly spends per channel (INR); results are weekly sales at steady state.

    Totals over the horizon (model_config.yaml simulator.horizon_weeks) are reported too.
    """
    from mmm_analytics.config.loader import config_folder
    from mmm_analytics.pipeline import load_simulator, simulate_batch

    if scenarios is None:  # before, config/scenarios.yaml whatever --config said ('mmm run' reads the folder's)
        scenarios = config_folder(config_dir) / DEFAULT_SCENARIOS.name
    # Before, '--output DIR' alone wrote the tables there and replaced the project's report and figures with
    # that run's: the report then described scenarios outputs/simulations/ did not hold.
    elsewhere = output.resolve() != PATHS.simulations_dir.resolve()
    if figures is None:
        figures = output / "figures" if elsewhere else PATHS.simulation_figures
    if report is None:
        report = output / DEFAULT_REPORT.name if elsewhere else DEFAULT_REPORT
    outputs = (
        Output("--output", output),
        Output("--figures", figures),
        Output("--report", report, folder=False, suffix=".html"),
    )
    with user_errors(*(() if interactive else outputs), reads=(folder_of(model), scenarios)):
        if not interactive:
            from mmm_analytics.pipeline.checks import check_files_to_write
            from mmm_analytics.simulator.batch import BatchPaths, planned_files

            _check_scenarios(scenarios)
            check_files_to_write(planned_files(BatchPaths(scenarios, output, figures, report)))
        elif sys.stdin is None or sys.stdin.closed:  # `mmm simulate -i <&-`: input() would raise
            raise InputError("--interactive needs answers on standard input, which is closed; run it in a terminal")
        config = project_config(config_dir, "model_config.yaml")
        simulator = load_simulator(model, config)
        warn_model_file(model)
        warn_config_channels(model, config_dir, config)
        brand, region = simulator.named("brand", brand), simulator.named("region", region)
        if interactive:
            from mmm_analytics.cli.interactive import run_interactive

            raise typer.Exit(run_interactive(simulator, scenarios, output, console, brand, region))
        with simulation_bar() as progress:
            results = simulate_batch(
                simulator,
                scenarios,
                output,
                figures,
                report,
                config,
                export=export,
                brand=brand,
                region=region,
                progress=progress,
            )
        show_batch(results, report, config.viz.number_format)


def optimize(
    model: Annotated[Path, typer.Option("--model", help=MODEL_HELP)] = PATHS.models_dir,
    budget: Annotated[str | None, typer.Option("--budget", help=BUDGET_HELP, metavar="INR")] = None,
    brand: Annotated[str, typer.Option("--brand", help=BRAND_HELP)] = "all",
    region: Annotated[str, typer.Option("--region", help=REGION_HELP)] = "all",
    minimum: Annotated[list[str] | None, typer.Option("--min", help=MIN_HELP)] = None,
    maximum: Annotated[list[str] | None, typer.Option("--max", help=MAX_HELP)] = None,
    lock: Annotated[list[str] | None, typer.Option("--lock", help=LOCK_HELP)] = None,
    at_most: Annotated[bool, typer.Option("--at-most", help=AT_MOST_HELP)] = False,
    data_range: Annotated[bool | None, typer.Option("--data-range/--no-data-range", help=DATA_RANGE_HELP)] = None,
    output: Annotated[Path, typer.Option("--output", help=ALLOCATION_HELP)] = DEFAULT_ALLOCATION,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Best weekly allocation of a budget across channels (and brand x region cells for 'all').

    Budget and allocation are sustained weekly spends (INR); incremental sales are weekly at steady state,
    expected over the model's posterior draws. A plan that does not beat today's mix in expectation is
    never recommended: today's mix is.

    In the JSON, current_allocation is today's mix scaled to the same weekly budget; uplift_lower and
    uplift_upper bound the weekly uplift over it (intervals.level) and prob_beats_current is the share of
    draws in which the allocation sells more. today_weekly_spend, today_allocation and
    today_incremental_sales are today's mix as it is, not scaled.
    """
    with user_errors(Output("--output", output, folder=False, suffix=".json"), reads=(folder_of(model),)):
        from mmm_analytics.pipeline import load_simulator, optimize_to_file
        from mmm_analytics.simulator import BudgetConstraints
        from mmm_analytics.simulator.constraints import parse_limits

        config = _with_data_range(project_config(config_dir, "model_config.yaml"), data_range)
        if budget is not None:
            _budget_form(budget)  # a budget that is no amount is refused before the model is read
        min_spend, min_fraction = parse_limits(minimum or [], "--min")
        max_spend, max_fraction = parse_limits(maximum or [], "--max")
        constraints = BudgetConstraints(
            min_spend=min_spend,
            min_fraction=min_fraction,
            max_spend=max_spend,
            max_fraction=max_fraction,
            locked=tuple(lock or ()),
            at_most=at_most,
        )
        simulator = load_simulator(model, config)
        warn_model_file(model)
        warn_config_channels(model, config_dir, config)
        brand, region = simulator.named("brand", brand), simulator.named("region", region)
        today = sum(simulator.current_spend(brand, region).values())
        weekly_budget = None if budget is None else _budget(budget, today, config.viz.number_format)
        with console.status(OPTIMIZE_STATUS):
            result = optimize_to_file(simulator, output, weekly_budget, constraints, brand, region)
        show_optimum(result, output, config.viz.number_format)


def _budget_form(text: str) -> None:
    """Refuse a ``--budget`` that is neither an amount nor a percentage, before the model is read."""
    from mmm_analytics.utils.amounts import parse_inr
    from mmm_analytics.utils.percent import share_of_current

    try:
        share_of_current(text) if text.strip().endswith("%") else parse_inr(text)
    except ValueError as error:
        raise InputError(f"--budget {error}") from None


def _budget(text: str, today: float, fmt: NumberFormat) -> float:
    """``--budget`` in INR per week, read as the menu and scenario files read a spend
    (:func:`~mmm_analytics.utils.percent.typed_spend`): an amount, a change of ``today``'s weekly spend
    of the selection (``+20%``, ``-5000``) or a share of it (``80%``); the range is checked with the model."""
    from mmm_analytics.utils.percent import typed_spend

    try:
        return typed_spend(text, today, fmt)
    except ValueError as error:
        raise InputError(f"--budget {error}") from None


def _with_data_range(config: ProjectConfig, data_range: bool | None) -> ProjectConfig:
    """``config`` with ``simulator.data_range`` set by ``--data-range/--no-data-range`` (None: as configured)."""
    if data_range is None:
        return config
    simulator = config.model.simulator.model_copy(update={"data_range": data_range})
    return dataclasses.replace(config, model=config.model.model_copy(update={"simulator": simulator}))
