"""`mmm eda`: numbered figures, CSV tables and an HTML report of the cleaned panel."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
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
)
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.config.viz import MAX_WORKERS, NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.eda import EdaResult

INPUT_HELP = "Cleaned panel (.parquet from 'mmm data') or a CSV in the panel schema."
OUTPUT_HELP = "Folder for the numbered figures NN_name.png."
TABLES_HELP = (
    "Folder for the CSV tables (descriptive statistics, correlation, VIF, STL, uplift, elasticity...); default: "
    "'eda' beside the report."
)
REPORT_HELP = "Path of the self-contained HTML report."
QUALITY_HELP = (
    "Folder with the cleaning step's cleaning_report.json and outliers.csv (skipped when absent); default: the "
    "folder of --input, where 'mmm data' writes them beside the cleaned panel."
)
DPI_HELP = "Figure resolution (default: dpi in viz_config.yaml; 300 for print)."
WORKERS_HELP = "Processes rendering figures in parallel (default: max_workers in viz_config.yaml)."
LINK_HELP = "Link the PNGs from the report instead of embedding them (smaller file, not self-contained)."
_PATHS = ProjectPaths()


@contextlib.contextmanager
def progress_bar() -> Iterator[Callable[[str], None]]:
    """A transient progress bar over the EDA steps; yields the callback that advances it."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from mmm_analytics.eda import PROGRESS_STEPS

    columns = [TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("computing analyses", total=PROGRESS_STEPS)
        yield lambda label: progress.update(task, advance=1, description=label)


def show(result: EdaResult, fmt: NumberFormat) -> None:
    """The summary table and findings of an EDA run, counts grouped per ``fmt``."""
    table = FitTable(title="mmm eda", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    overview = result.overview
    sizes = {"row": overview.rows, "week": overview.weeks, "geo": len(overview.geos)}
    sizes |= {"brand": len(overview.brands), "SKU": overview.skus}
    table.add_row("Panel", ", ".join(numbers.counted(size, noun, fmt) for noun, size in sizes.items()))
    table.add_row("Figures", escape(f"{len(result.figures)} in {result.figures[0].parent if result.figures else '-'}"))
    for outcome in result.skipped:
        table.add_row(f"Skipped {outcome.number:02d}", escape(f"{outcome.title}: {outcome.skipped}"))
    table.add_row("Tables", escape(f"{len(result.tables)} CSV in {next(iter(result.tables.values())).parent}"))
    size = result.report.stat().st_size / 1e6
    table.add_row("Report", escape(f"{result.report} ({size:.1f} MB)"))
    table.add_row("Time", f"{result.seconds:.1f} s")
    console.print(table)
    for sentence in result.findings:
        console.print(f"  - {escape(sentence)}", highlight=False)


def eda(
    input_path: Annotated[Path, typer.Option("--input", "-i", help=INPUT_HELP)] = _PATHS.clean_panel,
    output: Annotated[Path, typer.Option("--output", "-o", help=OUTPUT_HELP)] = _PATHS.eda_figures,
    tables: Annotated[Path | None, typer.Option("--tables", help=TABLES_HELP)] = None,
    report: Annotated[Path, typer.Option("--report", help=REPORT_HELP)] = _PATHS.reports_dir / "eda_report.html",
    quality_dir: Annotated[Path | None, typer.Option("--quality-dir", help=QUALITY_HELP)] = None,
    dpi: Annotated[int | None, typer.Option("--dpi", min=50, max=600, help=DPI_HELP)] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=MAX_WORKERS, help=WORKERS_HELP)] = None,
    link_figures: Annotated[bool, typer.Option("--link-figures/--embed-figures", help=LINK_HELP)] = False,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Explore the panel: 20+ numbered figures, statistical tables and an interactive HTML report."""
    from mmm_analytics.eda import (  # heavy imports only when run
        load_quality,
        read_panel,
    )
    from mmm_analytics.eda.pipeline import CLEANING_REPORT, OUTLIER_LIST
    from mmm_analytics.pipeline import explore

    # Before, the tables went to the project's folder and the cleaning report was the project's whatever --input
    # and --report named: another panel's EDA showed the project's data quality and overwrote its tables.
    given_quality = quality_dir is not None
    quality_dir = input_path.parent if quality_dir is None else quality_dir
    tables = report.parent / _PATHS.eda_tables.name if tables is None else tables
    outputs = (
        Output("--output", output),
        Output("--tables", tables),
        Output("--report", report, folder=False, suffix=".html"),
    )
    with user_errors(*outputs, reads=(input_path, quality_dir / CLEANING_REPORT, quality_dir / OUTLIER_LIST)):
        require_file(input_path, "mmm data")
        if given_quality and not quality_dir.is_dir():  # given, so meant to be read
            what = "a file, not a folder" if quality_dir.exists() else "not found"
            raise InputError(
                f"--quality-dir '{quality_dir}' is {what}; give the folder where 'mmm data' wrote "
                f"{CLEANING_REPORT} and {OUTLIER_LIST} (default: the folder of --input), or leave the option out"
            )
        config = project_config(config_dir, "viz_config.yaml")
        with console.status(escape(f"Reading {input_path}...")):
            panel = read_panel(input_path, config.data)
            quality = load_quality(quality_dir)
        with progress_bar() as progress:
            result = explore(
                panel,
                quality,
                output,
                tables,
                report,
                config,
                dpi=dpi,
                workers=workers,
                link_figures=link_figures,
                progress=progress,
                source=input_path,
            )
    show(result, config.viz.number_format)
