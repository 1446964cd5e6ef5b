"""`mmm curves`: ROI curves, marginal ROI and intervals from a trained model's folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    console,
    project_config,
    user_errors,
    warn_model_file,
)
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    import pandas as pd

    from mmm_analytics.curves.pipeline import CurvesResult

MODEL_HELP = (
    "The trained model: mmm_model.keras or the folder holding it (needs metadata.json and response_params.npz)."
)
OUTPUT_HELP = "Folder for the curve figures (one per channel x brand x region, grids, national, carryover)."
REPORTS_HELP = (
    "Folder for channel_roi.csv, roi_by_segment.csv, roi_curves.parquet, roi_report.html and curves_summary.json."
)
FORMAT_HELP = "Figure format: png, svg or pdf."

_PATHS = ProjectPaths()


def _roi_table(frame: pd.DataFrame, level: float) -> Table:
    """The national ROI table (channel_roi.csv) for the terminal."""
    table = Table(title=f"ROI by channel (national, full data period; {level:.0%} intervals in brackets)")
    for name in ("Channel", "Spend (INR)", "Contribution (INR)", "ROI", "Marginal ROI"):
        table.add_column(name, justify="left" if name == "Channel" else "right")
    for row in frame.itertuples(index=False):
        table.add_row(
            escape(str(row.channel)),
            f"{row.spend:,.0f}",
            f"{row.contribution:,.0f}",
            f"{row.roi:.2f} [{row.roi_lower:.2f}, {row.roi_upper:.2f}]",
            f"{row.mroi:.2f} [{row.mroi_lower:.2f}, {row.mroi_upper:.2f}]",
        )
    return table


def show(result: CurvesResult, output: Path, reports: Path) -> None:
    """The national ROI table and where the curves went."""
    console.print(_roi_table(result.channel_roi, result.curves.level))
    console.print(
        f"[green]Wrote[/green] {len(result.figures)} figures ({result.segment_figures} curve figures) to "
        f"{escape(str(output))}, tables and the report to {escape(str(reports))} in {result.total_seconds:.1f} s."
    )


def curves(
    model: Annotated[Path, typer.Option("--model", help=MODEL_HELP)] = _PATHS.model_file,
    output: Annotated[Path, typer.Option("--output", help=OUTPUT_HELP)] = _PATHS.curve_figures,
    reports: Annotated[Path, typer.Option("--reports", help=REPORTS_HELP)] = _PATHS.reports_dir,
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "png",
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """ROI curves per channel x brand x region with average and marginal ROI and intervals."""
    with user_errors(Output("--output", output), Output("--reports", reports)):
        from mmm_analytics.curves.pipeline import generate_curves

        config = project_config(config_dir)
        result = generate_curves(model, output, reports, config, fmt)
        warn_model_file(model)
        show(result, output, reports)
