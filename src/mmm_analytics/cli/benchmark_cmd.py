"""`mmm benchmark`: recovery of known truth on synthetic panels (not part of the timed tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    check_seed,
    console,
    project_config,
    user_errors,
)
from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import ProjectPaths

DEFAULTS = ProjectPaths()


def _parse_list[T](text: str, kind: Callable[[str], T], name: str) -> list[T]:
    try:
        return [kind(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--{name}: could not read {text!r}; give a comma-separated list") from None


def benchmark(
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds (>= 5 for coverage).")] = "1,2,3,4,5",
    settings: Annotated[
        str, typer.Option("--settings", help="Comma-separated: default, noisy, misspecified.")
    ] = "default,noisy,misspecified",
    output: Annotated[
        Path, typer.Option("--output", help="Folder for benchmark.md and the CSVs.")
    ] = DEFAULTS.reports_dir,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Generate synthetic panels, fit each with the default config, and compare with the truth."""
    from mmm_analytics.benchmark.pipeline import run_benchmark
    from mmm_analytics.config.data import SyntheticSetting

    with user_errors(Output("--output", output)):
        config = project_config(config_dir)
        chosen = _parse_list(settings, SyntheticSetting, "settings")
        seed_list = _parse_list(seeds, int, "seeds")
        for seed in seed_list:
            check_seed(seed, "--seeds")

        def progress(run: dict) -> None:
            console.print(
                f"{run['setting']:>12} seed {run['seed']:>3}: contribution error {run['contribution_error']:.1%}, "
                f"coverage {run['coverage']:.0%}, regret {run['regret']:.2%}, fit {run['fit_seconds']:.1f} s"
            )

        result = run_benchmark(chosen, seed_list, config, output, progress)
    table = Table(title="Benchmark (mean over seeds)")
    for column in (
        "setting",
        "contribution_error",
        "ridge_contribution_error",
        "coverage",
        "wmape_ratio",
        "regret",
        "fit_seconds",
    ):
        table.add_column(column)
    for row in result.summary.itertuples():
        table.add_row(
            row.setting,
            f"{row.contribution_error:.1%}",
            f"{row.ridge_contribution_error:.1%}",
            f"{row.coverage:.0%}",
            f"{row.wmape_ratio:.2f}",
            f"{row.regret:.2%}",
            f"{row.fit_seconds:.1f} s",
        )
    console.print(table)
    console.print(Text(f"written: {', '.join(str(f) for f in result.files)}"))
