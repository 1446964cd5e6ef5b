"""`mmm features`: cleaned panel -> model-ready features."""

from __future__ import annotations

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
from mmm_analytics.style import numbers
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig
    from mmm_analytics.features.panel import FeaturePanel

DEFAULTS = ProjectPaths()


def show(panel: FeaturePanel, config: ProjectConfig, output: Path) -> None:
    """The features summary table, counts grouped in ``config.viz.number_format``."""
    fmt = config.viz.number_format
    table = FitTable(title="Features", show_header=False)
    table.add_row("series", f"{numbers.count(panel.sales.shape[0], fmt)} ({config.features.granularity.value})")
    weeks, holdout = numbers.count(len(panel.dates), fmt), numbers.count(panel.holdout_weeks, fmt)
    table.add_row("weeks", f"{weeks} ({panel.dates[0].date()} to {panel.dates[-1].date()}), holdout {holdout}")
    table.add_row("channels", escape(", ".join(panel.channels)))
    table.add_row("controls", str(len(panel.control_names)))
    for note in panel.notes:
        table.add_row("note", escape(note))
    table.add_row("written", escape(str(output)))
    console.print(table)


def features(
    input: Annotated[
        Path, typer.Option("--input", help="Cleaned panel (parquet from 'mmm data') or a CSV in the panel schema.")
    ] = DEFAULTS.clean_panel,
    output: Annotated[
        Path, typer.Option("--output", help="Where to write features.parquet (features_meta.json goes beside it).")
    ] = DEFAULTS.features,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Aggregate to the configured granularity, compute spend, scale inputs and write features.parquet."""
    from mmm_analytics.features.pipeline import build_features, check_panel_input

    with user_errors():  # the input first: its own output given back is the input's mistake
        check_panel_input(input, "--input")
    with user_errors(Output("--output", output, folder=False, suffix=".parquet"), reads=(input,)):
        require_file(input, "mmm data")
        config = project_config(config_dir, "feature_config.yaml")
        panel = build_features(input, output, config)
    show(panel, config, output)
