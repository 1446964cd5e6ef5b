"""`mmm data`: load the panel (synthetic, Kaggle or a CSV), validate, clean and describe it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

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
)
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.config.viz import NumberFormat
    from mmm_analytics.data.pipeline import DataResult

SOURCE_HELP = (
    "Where the panel comes from: 'synthetic' (bundled generator, also writes ground_truth.json; the default), "
    "'kaggle' (downloads the dataset of --dataset, else kaggle.dataset in data_config.yaml, with kagglehub) "
    "or the path of a CSV in the schema."
)
DATASET_HELP = (
    "The Kaggle dataset to download, OWNER/NAME (e.g. subhagatoadak/mmm-weekly-data-geoindia); implies --source kaggle."
)
OUTPUT_HELP = "Folder for mmm_data.csv (the panel as loaded), ground_truth.json (synthetic) and data_dictionary.json."
PROCESSED_HELP = "Folder for clean_panel.parquet, cleaning_report.json and outliers.csv."
SEED_HELP = "Seed of the synthetic panel (default: synthetic.seed in data_config.yaml)."
GEOS_HELP = (
    "Synthetic source only: geos in the panel, 1 or more (default: synthetic.n_geos, 8). The first 8 are the "
    "published regions, then GEO009, GEO010, ...; e.g. --geos 200 --brands 20 --skus 1 makes 4,000 series."
)
BRANDS_HELP = (
    "Synthetic source only: brands, 1 or more (default: synthetic.n_brands, 3): BrandA, BrandB, BrandC, then "
    "BrandD, ... with drawn size, price and elasticity."
)
SKUS_HELP = "Synthetic source only: SKUs per brand, 1 or more (default: synthetic.n_skus, 3)."
WEEKS_HELP = "Synthetic source only: weeks, 40 or more (default: synthetic.n_weeks, 156)."
LIFT_TESTS_HELP = (
    "Synthetic source only: also write N lift tests drawn from the truth to lift_tests.csv beside "
    "ground_truth.json (8-week windows, standard error 10-20% of the true lift; default: synthetic.lift_tests, "
    "0 = no file, and an earlier synthetic panel's lift_tests.csv there is removed), e.g. --lift-tests 3."
)
KAGGLE_JSON_HELP = (
    "kaggle.json holding your Kaggle username and key (default: KAGGLE_USERNAME/KAGGLE_KEY, "
    "e.g. from .env, or ~/.kaggle/kaggle.json)."
)
#: Fix messages shown on screen; the rest are in cleaning_report.json.
MAX_FIXES_SHOWN = 10
STATUS = "Loading, validating and cleaning the panel..."
_PATHS = ProjectPaths()


def show(result: DataResult, fmt: NumberFormat, output_option: str = "--output") -> None:
    """The fixes, notes on files of an earlier synthetic panel and the summary table of a data step,
    counts grouped per ``fmt``."""
    for message in result.fixes[:MAX_FIXES_SHOWN]:
        # one line per fix, as warnings and errors are: grep and logs see each whole
        console.print(f"[dim]fixed:[/dim] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)
    if len(result.fixes) > MAX_FIXES_SHOWN:
        more = numbers.count(len(result.fixes) - MAX_FIXES_SHOWN, fmt)
        console.print(f"[dim]... {more} more fixes in {escape(str(result.cleaning_report))}[/dim]")
    for warning in result.warnings:
        warn(warning)
    for path in result.removed:
        console.print(
            f"[yellow]note:[/yellow] removed {escape(str(path))}: the lift tests of an earlier synthetic panel, "
            "which do not describe this one (--lift-tests N draws new ones)",
            highlight=False,
        )
    stale = [path for path in (result.stale_truth, result.stale_lift_tests) if path is not None]
    if stale:
        one = len(stale) == 1
        console.print(
            f"[yellow]note:[/yellow] {escape(' and '.join(str(path) for path in stale))} "
            f"{'is' if one else 'are'} from an earlier synthetic panel and {'does' if one else 'do'} not describe "
            f"this data; delete {'it' if one else 'them'} or use another {output_option}",
            highlight=False,
        )
    table = FitTable(title="mmm data", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Source", escape(result.source))
    table.add_row("Rows", numbers.count(result.n_rows, fmt))
    table.add_row("Series (Geo x Brand x SKU)", numbers.count(result.n_series, fmt))
    table.add_row("Weeks", numbers.count(result.n_weeks, fmt))
    table.add_row("Date range", f"{result.first_date.isoformat()} to {result.last_date.isoformat()}")
    table.add_row("Fixes made", numbers.count(result.n_fixes, fmt))
    table.add_row("Outliers flagged (rows)", numbers.count(result.n_outliers, fmt))
    table.add_row("Files written", escape("\n".join(str(path) for path in result.files)))
    console.print(table)


def data(
    source: Annotated[str | None, typer.Option("--source", help=SOURCE_HELP)] = None,
    input: Annotated[str | None, typer.Option("--input", help="The same as --source (give one of them).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
    output: Annotated[Path, typer.Option("--output", help=OUTPUT_HELP)] = _PATHS.raw_dir,
    processed_dir: Annotated[Path, typer.Option("--processed-dir", help=PROCESSED_HELP)] = _PATHS.processed_dir,
    seed: Annotated[int | None, typer.Option("--seed", help=SEED_HELP)] = None,
    kaggle_json: Annotated[Path | None, typer.Option("--kaggle-json", help=KAGGLE_JSON_HELP)] = None,
    geos: Annotated[int | None, typer.Option("--geos", help=GEOS_HELP)] = None,
    brands: Annotated[int | None, typer.Option("--brands", help=BRANDS_HELP)] = None,
    skus: Annotated[int | None, typer.Option("--skus", help=SKUS_HELP)] = None,
    weeks: Annotated[int | None, typer.Option("--weeks", help=WEEKS_HELP)] = None,
    lift_tests: Annotated[int | None, typer.Option("--lift-tests", help=LIFT_TESTS_HELP)] = None,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Load the panel, validate and clean it; write the raw copy, data dictionary and cleaned panel."""
    from mmm_analytics.data.pipeline import SourceKind, source_kind
    from mmm_analytics.pipeline import (  # pandas is imported only when a command runs
        choose_source,
        prepare_data,
        with_dataset,
    )
    from mmm_analytics.pipeline.sources import with_synthetic_options

    sizes = {"--geos": geos, "--brands": brands, "--skus": skus, "--weeks": weeks, "--lift-tests": lift_tests}
    with user_errors(Output("--output", output), Output("--processed-dir", processed_dir)):
        check_seed(seed)
        # Before, --input and --source were one option and the last given won without a word.
        chosen = choose_source(source, dataset, input=input)
        config = with_dataset(project_config(config_dir, "data_config.yaml"), dataset)
        warn_empty_data_config(config_dir)
        config = with_synthetic_options(config, chosen, sizes)
        if seed is not None and source_kind(chosen) is not SourceKind.SYNTHETIC:
            raise InputError(
                f"--seed applies to --source synthetic only, but --source is {chosen!r}; "
                "leave --seed out or use --source synthetic"
            )
        with console.status(STATUS):
            result = prepare_data(
                chosen, output, processed_dir, config.data, seed, kaggle_json=kaggle_json, fmt=config.viz.number_format
            )
    show(result, config.viz.number_format)
