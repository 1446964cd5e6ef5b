"""`mmm benchmark`: recovery of known truth on synthetic worlds, ours beside the true-form floor."""

from __future__ import annotations

import dataclasses
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.cli.train_cmd import BACKEND_HELP, with_backend
from mmm_analytics.compute import Backend
from mmm_analytics.errors import InputError
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.options import comma_list
from mmm_analytics.utils.paths import ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig

DEFAULTS = ProjectPaths()
LIFT_SLICES_HELP = (
    "Where the lift tests are run: national (every brand and region, as a platform's lift study or a "
    "country-wide geo experiment) or mixed (in turn one region, one brand x region, one brand, national)."
)


class LiftSlicesChoice(StrEnum):
    """The choices of ``--lift-slices`` (those of :class:`mmm_analytics.benchmark.lift.LiftSlices`)."""

    NATIONAL = "national"
    MIXED = "mixed"


LIFT_CHOICE_HELP = (
    "Which channels get the lift tests: error (those our fit got most wrong, found with the truth) or "
    "uncertain (those whose contribution interval is widest in INR, found from the fit alone, as the ROI "
    "report suggests to an analyst)."
)


class LiftChoiceOption(StrEnum):
    """The choices of ``--lift-choice`` (those of :class:`mmm_analytics.benchmark.lift.LiftChoice`)."""

    ERROR = "error"
    UNCERTAIN = "uncertain"


SETTINGS_HELP = (
    "Comma-separated worlds: default, delayed, logistic, absolute, noise6, noise12, collinear, segments, "
    "cell_roi, noisy, misspecified (noise6 is the default world at its 6% noise)."
)
DEFAULT_WORLDS = "default,delayed,logistic,absolute,noise12,collinear,segments"
SCALE_HELP = (
    "Instead of the worlds: time and peak memory of mmm data, features and train on synthetic panels of "
    "these sizes in series (24, 400, 1000, 4000), e.g. --scale 24,400; writes benchmark_scale.md and .csv."
)
NOISE_HELP = (
    "Weekly sales noise of every world instead of its own (sd as a share of each series' mean weekly sales, "
    "e.g. 0.02 for 2%; the worlds' own is 6%, noise12's 12%): how the figures depend on how noisy the data are."
)
LIFT_TESTS_HELP = (
    "After our fit of each world, draw this many lift tests from the truth (one per channel, on the channels "
    "--lift-choice picks among those with >= 5% of media) and fit again with them; 0: off."
)


def _share(value: float, digits: int = 1) -> str:
    """A percentage; a figure that could not be scored (NaN) shows as ``-``."""
    return "-" if math.isnan(value) else f"{value:.{digits}%}"


def _pair(ours: float, floor: float, digits: int = 1) -> str:
    """``ours / floor`` as percentages."""
    return f"{_share(ours, digits)} / {_share(floor, digits)}"


def _parse_settings[S: StrEnum](text: str, kind: type[S]) -> list[S]:
    """``--settings``: comma-separated world names, each one of ``kind``'s (in any case)."""
    unknown = [
        name for name in comma_list(text, "--settings", "default,delayed", str, "world") if name.lower() not in kind
    ]
    if unknown:
        raise InputError(f"--settings: unknown world {unknown[0]!r}; choose from {', '.join(kind)}")
    return [kind(name) for name in comma_list(text.lower(), "--settings", "default,delayed", str, "world")]


#: The options of the worlds' run (parameter name -> option), which a --scale run does not read.
WORLD_OPTIONS = {
    "seeds": "--seeds",
    "settings": "--settings",
    "backend": "--backend",
    "noise": "--noise",
    "lift_tests": "--lift-tests",
    "lift_slices": "--lift-slices",
    "lift_choice": "--lift-choice",
}


def _with_noise(config: ProjectConfig, noise: float | None) -> ProjectConfig:
    """``config`` whose synthetic worlds all have weekly noise ``noise`` (None: as they are)."""
    from mmm_analytics.config.data import MAX_NOISE_SD

    if noise is None:
        return config
    if not (math.isfinite(noise) and 0.0 <= noise <= MAX_NOISE_SD):
        raise InputError(
            f"--noise {noise}: give the weekly noise as a share from 0 to {MAX_NOISE_SD}, e.g. 0.02 for 2%"
        )
    synthetic = config.data.synthetic.model_copy(update={"noise_sd": noise})
    return dataclasses.replace(config, data=config.data.model_copy(update={"synthetic": synthetic}))


def _world_options_given(context: typer.Context) -> list[str]:
    """The options of :data:`WORLD_OPTIONS` given on this command line (not left at their defaults)."""
    sources = {name: context.get_parameter_source(name) for name in WORLD_OPTIONS}
    return [WORLD_OPTIONS[name] for name, source in sources.items() if source is not None and source.name != "DEFAULT"]


def benchmark(
    context: typer.Context,
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds (>= 5 for coverage).")] = "1,2,3,4,5",
    settings: Annotated[str, typer.Option("--settings", help=SETTINGS_HELP)] = DEFAULT_WORLDS,
    output: Annotated[
        Path, typer.Option("--output", help="Folder for benchmark.md and the CSVs.")
    ] = DEFAULTS.reports_dir,
    backend: Annotated[Backend | None, typer.Option("--backend", case_sensitive=False, help=BACKEND_HELP)] = None,
    scale: Annotated[str | None, typer.Option("--scale", help=SCALE_HELP)] = None,
    noise: Annotated[float | None, typer.Option("--noise", help=NOISE_HELP)] = None,
    lift_tests: Annotated[int, typer.Option("--lift-tests", help=LIFT_TESTS_HELP)] = 0,
    lift_slices: Annotated[
        LiftSlicesChoice, typer.Option("--lift-slices", case_sensitive=False, help=LIFT_SLICES_HELP)
    ] = LiftSlicesChoice.NATIONAL,
    lift_choice: Annotated[
        LiftChoiceOption, typer.Option("--lift-choice", case_sensitive=False, help=LIFT_CHOICE_HELP)
    ] = LiftChoiceOption.ERROR,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Generate synthetic worlds, fit each with the config and with the truth's forms (the floor), compare with the truth."""
    from mmm_analytics.benchmark.lift_design import LiftChoice, LiftDesign, LiftSlices
    from mmm_analytics.benchmark.pipeline import run_benchmark
    from mmm_analytics.config.data import SyntheticSetting
    from mmm_analytics.synthetic.world import CHANNELS

    if scale is not None:
        with user_errors(Output("--output", output)):
            if given := _world_options_given(context):
                raise InputError(f"{given[0]} applies to the worlds, not to --scale; drop one of them")
            _scale(comma_list(scale, "--scale", "24,400", int, "panel size"), output, config_dir)
        return
    with user_errors(Output("--output", output)):
        from mmm_analytics.benchmark.pipeline import OUTPUT_FILES
        from mmm_analytics.pipeline.checks import check_files_to_write

        check_files_to_write([output / name for name in OUTPUT_FILES])
        config = _with_noise(with_backend(project_config(config_dir, "model_config.yaml"), backend), noise)
        chosen = _parse_settings(settings, SyntheticSetting)
        seed_list = comma_list(seeds, "--seeds", "1,2,3", int, "seed")
        for seed in seed_list:
            check_seed(seed, "--seeds")
        if lift_tests < 0:
            raise InputError(f"--lift-tests {lift_tests}: give a number of tests >= 1, or 0 for none")
        if lift_tests > len(CHANNELS):  # before, 100 ran as 6 without a word
            raise InputError(
                f"--lift-tests {lift_tests}: a world has {len(CHANNELS)} channels and each gets at most one test; "
                f"give 1 to {len(CHANNELS)}, or 0 for none"
            )

        def progress(run: dict) -> None:
            console.print(
                f"{run['setting']:>12} seed {run['seed']:>3}, ours / floor: contribution error "
                f"{_pair(run['contribution_error'], run['floor_contribution_error'])}, coverage "
                f"{_pair(run['coverage'], run['floor_coverage'], 0)}, regret "
                f"{_pair(run['regret'], run['floor_regret'], 2)}, fit {run['fit_seconds']:.1f} s"
            )
            if lift_tests:
                console.print(_lift_line(run))

        fits = len(chosen) * len(seed_list) * (2 + 2 * bool(lift_tests))
        console.print(
            f"benchmark: {counted(len(chosen), 'world')} x {counted(len(seed_list), 'seed')}, {fits} fits "
            f"(ours, the true-form floor{', each with and without lift tests' if lift_tests else ''}) on the "
            f"{config.model.compute.backend} "
            "backend, a minute or more each on 2 cores; a line per world and seed as it ends"
        )
        result = run_benchmark(
            chosen,
            seed_list,
            config,
            output,
            progress,
            lift=LiftDesign(lift_tests, LiftSlices(lift_slices), LiftChoice(lift_choice)),
        )
    table = FitTable(title="Benchmark, ours / true-form floor (mean over seeds)")
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


def _lift_line(run: dict) -> str:
    """The progress line of a run's fit with lift tests: errors 0 -> N tests, coverage and time, and
    the floor's error and coverage with the same tests."""
    before, after = run["lift_tested_error_before"], run["lift_tested_error_after"]
    return (
        f"{'':>12} {run['lift_tests']} lift tests ({run['lift_channels'] or 'no channel qualifies'}): "
        f"contribution error {_share(run['contribution_error'])} -> {_share(run['lift_contribution_error'])}, "
        f"tested channels {_share(before)} -> {_share(after)}, coverage {_share(run['lift_coverage'], 0)} "
        f"(tested {_share(run['lift_tested_coverage_before'], 0)} -> {_share(run['lift_tested_coverage'], 0)}), "
        f"fit {run['lift_fit_seconds']:.1f} s ({run['lift_fit_time_ratio']:.2f}x); the floor with them: "
        f"contribution error {_share(run['floor_contribution_error'])} -> {_share(run['floor_lift_contribution_error'])}, "
        f"coverage {_share(run['floor_lift_coverage'], 0)}"
    )


def _scale(sizes: list[int], output: Path, config_dir: Path) -> None:
    """``--scale``: one row per panel size, printed as it finishes, then the table's files."""
    from mmm_analytics.benchmark.scale import COLUMNS, SIZES, scale_markdown, scale_row
    from mmm_analytics.utils.io import write_csv, write_text

    unknown = [n for n in sizes if n not in SIZES]
    if unknown or not sizes:
        given = f" {unknown[0]}" if unknown else ""
        raise InputError(f"--scale{given}: choose sizes among {', '.join(map(str, SIZES))}")
    import pandas as pd

    rows = []
    for n in sizes:
        rows.append(scale_row(n, output / "scale" / f"series_{n}", config_dir))
        row = rows[-1]
        console.print(
            f"{n:>6,} series: data {row['data_seconds']:.1f} s, features {row['features_seconds']:.1f} s, "
            f"fit + intervals {row['fit_seconds']:.1f} s (train {row['train_seconds']:.1f} s, peak "
            f"{row['train_peak_gb']:.2f} GB), contribution error {row['contribution_error']:.1%}"
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    files = [
        write_csv(output / "benchmark_scale.csv", table),
        write_text(output / "benchmark_scale.md", scale_markdown(table)),
    ]
    console.print(Text(f"written: {', '.join(str(f) for f in files)}"))
