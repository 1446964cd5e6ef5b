"""`mmm benchmark`: recovery of known truth on synthetic worlds, ours beside the true-form floor."""

from __future__ import annotations

import math
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
SETTINGS_HELP = (
    "Comma-separated worlds: default, delayed, logistic, absolute, noise6, noise12, collinear, "
    "noisy, misspecified (noise6 is the default world at its 6% noise)."
)
DEFAULT_WORLDS = "default,delayed,logistic,absolute,noise12,collinear"


def _pair(ours: float, floor: float, digits: int = 1) -> str:
    """``ours / floor`` as percentages; a figure that could not be scored (NaN) shows as ``-``."""
    return " / ".join("-" if math.isnan(v) else f"{v:.{digits}%}" for v in (ours, floor))


def _parse_list[T](text: str, kind: Callable[[str], T], name: str) -> list[T]:
    try:
        return [kind(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--{name}: could not read {text!r}; give a comma-separated list") from None


def benchmark(
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds (>= 5 for coverage).")] = "1,2,3,4,5",
    settings: Annotated[str, typer.Option("--settings", help=SETTINGS_HELP)] = DEFAULT_WORLDS,
    output: Annotated[
        Path, typer.Option("--output", help="Folder for benchmark.md and the CSVs.")
    ] = DEFAULTS.reports_dir,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Generate synthetic worlds, fit each with the config and with the truth's forms (the floor), compare with the truth."""
    from mmm_analytics.benchmark.pipeline import run_benchmark
    from mmm_analytics.config.data import SyntheticSetting

    with user_errors(Output("--output", output)):
        config = project_config(config_dir, "model_config.yaml")
        chosen = _parse_list(settings, SyntheticSetting, "settings")
        seed_list = _parse_list(seeds, int, "seeds")
        for seed in seed_list:
            check_seed(seed, "--seeds")

        def progress(run: dict) -> None:
            console.print(
                f"{run['setting']:>12} seed {run['seed']:>3}, ours / floor: contribution error "
                f"{_pair(run['contribution_error'], run['floor_contribution_error'])}, coverage "
                f"{_pair(run['coverage'], run['floor_coverage'], 0)}, regret "
                f"{_pair(run['regret'], run['floor_regret'], 2)}, fit {run['fit_seconds']:.1f} s"
            )

        result = run_benchmark(chosen, seed_list, config, output, progress)
    table = Table(title="Benchmark, ours / true-form floor (mean over seeds)")
    for column in ("world", "contribution error", "ratio", "coverage", "regret", "ridge", "fit"):
        table.add_column(column)
    for row in result.summary.itertuples():
        table.add_row(
            row.setting,
            _pair(row.contribution_error, row.floor_contribution_error),
            f"{row.contribution_error_ratio:.2f}x",
            _pair(row.coverage, row.floor_coverage, 0),
            _pair(row.regret, row.floor_regret, 2),
            f"{row.ridge_contribution_error:.1%}",
            f"{row.fit_seconds:.1f} s / {row.floor_fit_seconds:.1f} s",
        )
    console.print(table)
    console.print(Text(f"written: {', '.join(str(f) for f in result.files)}"))
