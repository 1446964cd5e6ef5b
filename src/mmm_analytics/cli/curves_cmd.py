"""`mmm curves`: ROI curves, marginal ROI and intervals from a trained model's folder."""

from __future__ import annotations

from enum import StrEnum
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
    user_errors,
    warn_config_channels,
    warn_model_file,
)
from mmm_analytics.cli.progress import figure_bar
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.style import numbers
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    import pandas as pd

    from mmm_analytics.config.viz import NumberFormat
    from mmm_analytics.curves.pipeline import CurvesResult

MODEL_HELP = (
    "The trained model: mmm_model.keras or the folder holding it (needs metadata.json and response_params.npz)."
)
OUTPUT_HELP = "Folder for the curve figures (national, channel grids, carryover and the cells of largest spend)."
REPORTS_HELP = (
    "Folder for channel_roi.csv, roi_by_segment.csv/.parquet, roi_curves.parquet, roi_report.html (with "
    "roi_report_data/) and curves_summary.json."
)
FORMAT_HELP = "Figure format."
ALL_FIGURES_HELP = (
    "Draw a curve figure for every channel x brand x region, not only the cells of largest spend "
    "(top_curve_figures in viz_config.yaml); national, grid and carryover figures are always drawn."
)
#: Each timed part of the curves step, in plain words.
STEP_NAMES: dict[str, str] = {
    "curves": "curves and intervals",
    "roi": "ROI and marginal ROI",
    "tables": "tables",
    "figures": "figures",
    "report": "report",
}

_PATHS = ProjectPaths()


class FigureFormat(StrEnum):
    """The figure formats of ``--format`` (the same as ``mmm_analytics.curves.render.FigureFormat``)."""

    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


def _roi_table(frame: pd.DataFrame, level: float, fmt: NumberFormat) -> FitTable:
    """The national ROI table (channel_roi.csv) for the terminal, amounts grouped per ``fmt``."""
    table = FitTable(title=f"ROI by channel (national, full data period; {level:.0%} intervals in brackets)")
    for name in ("Channel", "Spend (INR)", "Contribution (INR)", "ROI", "Marginal ROI"):
        table.add_column(name, justify="left" if name == "Channel" else "right")
    for row in frame.itertuples(index=False):
        table.add_row(
            escape(str(row.channel)),
            numbers.grouped(row.spend, fmt),
            numbers.grouped(row.contribution, fmt),
            _with_interval(row.roi, row.roi_lower, row.roi_upper),
            _with_interval(row.mroi, row.mroi_lower, row.mroi_upper),
        )
    return table


def _with_interval(value: float, lower: float, upper: float) -> str:
    """``2.45 [1.90, 3.10]``; ``n/a`` for a channel the data never spent on (no ROI to estimate)."""
    if numbers.finite(value) is None:
        return numbers.MISSING
    return f"{numbers.ratio(value)} [{numbers.ratio(lower)}, {numbers.ratio(upper)}]"


def step_times(seconds: dict[str, float]) -> str:
    """``curves and intervals 3.1 s, ROI and marginal ROI 0.4 s, ...`` (the total left out)."""
    return ", ".join(
        f"{STEP_NAMES.get(key, key.replace('_', ' '))} {value:.1f} s"
        for key, value in seconds.items()
        if key != "total"
    )


def experiment_line(frame: pd.DataFrame, level: float, fmt: NumberFormat) -> str:
    """One line naming the channels whose contribution is least certain in INR (where a lift test
    would teach the most), amounts grouped per ``fmt``; "" when no channel qualifies."""
    from mmm_analytics.curves.summary import experiment_candidates

    chosen = experiment_candidates(frame)
    if chosen.empty:
        return ""
    named = "; ".join(
        f"{row.channel} {numbers.message_inr(row.roi_lower * row.spend, fmt)} to "
        f"{numbers.message_inr(row.roi_upper * row.spend, fmt)}"
        for row in chosen.itertuples(index=False)
    )
    return (
        f"Least certain sales credit ({level:.0%} interval of the contribution over the period), where a lift "
        f"test would teach the most (mmm train --lift-tests PATH.csv): {named}."
    )


def show(result: CurvesResult, output: Path, reports: Path, fmt: NumberFormat) -> None:
    """The national ROI table, the channels a lift test would teach most about, where the curves
    went and what took how long; amounts grouped per ``fmt``."""
    console.print(_roi_table(result.channel_roi, result.curves.level, fmt))
    line = experiment_line(result.channel_roi, result.curves.level, fmt)
    if line:
        console.print(escape(line))
    console.print(
        f"[green]Wrote[/green] {len(result.figures)} figures ({result.segment_figures} curve figures) to "
        f"{escape(str(output))}, tables and the report to {escape(str(reports))} in {result.total_seconds:.1f} s "
        f"({escape(step_times(result.seconds))})."
    )


def curves(
    model: Annotated[Path, typer.Option("--model", help=MODEL_HELP)] = _PATHS.model_file,
    output: Annotated[Path, typer.Option("--output", help=OUTPUT_HELP)] = _PATHS.curve_figures,
    reports: Annotated[Path, typer.Option("--reports", help=REPORTS_HELP)] = _PATHS.reports_dir,
    fmt: Annotated[FigureFormat, typer.Option("--format", case_sensitive=False, help=FORMAT_HELP)] = FigureFormat.PNG,
    all_figures: Annotated[bool, typer.Option("--all-figures", help=ALL_FIGURES_HELP)] = False,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """ROI curves per channel x brand x region with average and marginal ROI and intervals."""
    with user_errors(Output("--output", output), Output("--reports", reports)):
        from mmm_analytics.curves.pipeline import generate_curves

        config = project_config(config_dir, "model_config.yaml")
        with figure_bar() as progress:
            result = generate_curves(model, output, reports, config, fmt.value, progress, all_figures)
        warn_model_file(model)
        warn_config_channels(model, config_dir, config)
        show(result, output, reports, config.viz.number_format)
