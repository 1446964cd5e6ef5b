"""``mmm benchmark``: ours beside the true-form floor on synthetic worlds, over seeds.

Each (world, seed) panel is fitted twice: with the project config (ours) and with the truth's
own forms pinned (the floor, :mod:`mmm_analytics.benchmark.floor`). Both are scored the same
way: contribution error, ROI error per channel, 90% interval coverage and width, and the
optimiser's regret over every brand x region cell under the true response. With lift tests,
our fit is repeated with tests drawn from the truth on the channels the design chooses: those it
got most wrong, or those whose sales credit it is least sure of (:mod:`mmm_analytics.benchmark.lift`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics.benchmark.floor import floor_config, true_forms
from mmm_analytics.benchmark.lift import calibrated_fit
from mmm_analytics.benchmark.lift_design import NO_LIFT_TESTS, LiftDesign
from mmm_analytics.benchmark.recovery import FitResult, fit_one, ridge_baseline, world
from mmm_analytics.benchmark.report import FLOOR_PREFIX, REGRET_FIGURES, channel_summary, markdown, setting_summary
from mmm_analytics.compute import Backend, run_tasks
from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.data import SyntheticSetting
from mmm_analytics.utils.io import write_csv, write_text


@dataclass(frozen=True, slots=True)
class BenchmarkResult:
    summary: pd.DataFrame
    channels: pd.DataFrame
    runs: pd.DataFrame
    markdown: str
    files: list[Path]


def _regret(
    run: FitResult, config: ProjectConfig, with_timings: bool, kinds: tuple[tuple[str, bool], ...] | None = None
) -> tuple[dict[str, Any], dict]:
    """Optimiser regret over the brand x region cells under the true response: mean, max, the
    cells where the advice sells less than today's mix and those where it keeps today's mix (the
    cost of caution), and, once, the simulator's timings; for each of ``kinds`` (default
    :data:`REGRET_KINDS`).

    A model whose response is not finite (a broken posterior) gets no regret: NaN figures and
    the reason in ``regret_failure``, so one broken fit does not end the benchmark.
    """
    from mmm_analytics.benchmark.regret import regret_per_segment
    from mmm_analytics.benchmark.timing import measure_speed
    from mmm_analytics.simulator.engine import MarketingSimulator
    from mmm_analytics.simulator.optimizer import NonFiniteResultError

    kinds = REGRET_KINDS if kinds is None else kinds
    simulator = MarketingSimulator(run.params, run.metadata, config.model.simulator, pooled=run.pooled)
    try:
        tables = {prefix: regret_per_segment(simulator, run.truth, bounded) for prefix, bounded in kinds}
    except NonFiniteResultError as error:
        nan = float("nan")
        failed = {f"{prefix}{name}": nan for prefix, _ in kinds for name in REGRET_FIGURES}
        return failed | {"cells": len(simulator.segments), "regret_failure": str(error)}, {}
    figures: dict[str, Any] = {"cells": len(simulator.segments)}
    for prefix, regret in tables.items():
        figures |= {
            f"{prefix}regret": float(regret["regret"].mean()),
            f"{prefix}max_regret": float(regret["regret"].max()),
            f"{prefix}regret_of_sales": float(regret["regret_of_sales"].mean()),
            f"{prefix}max_regret_of_sales": float(regret["regret_of_sales"].max()),
            f"{prefix}cells_worse_than_current": int((regret["regret"] > regret["current_mix_regret"]).sum()),
            f"{prefix}cells_kept_current": int(regret["kept_current"].sum()),
        }
    return figures, measure_speed(simulator) if with_timings else {}


#: (prefix, data-range bounds on?): the model's own advice (no bounds), and the advice of
#: ``mmm optimize`` as it is shipped (each channel within its range of weekly spend in the data).
REGRET_KINDS: tuple[tuple[str, bool], ...] = (("", False), ("bounded_", True))


def _scored(run: FitResult, config: ProjectConfig, with_timings: bool) -> tuple[dict[str, Any], dict]:
    """The fit's figures with its regret, and the timings when asked for."""
    regret, speed = _regret(run, config, with_timings)
    return dict(run.summary) | regret, speed


#: The regret figures of the fit with lift tests (the model's own advice, as for ours), ``lift_`` prefixed.
LIFT_REGRET_FIGURES = ("regret", "max_regret", "regret_of_sales", "max_regret_of_sales", "cells_worse_than_current")


def _lift_regret(fit: FitResult | None, config: ProjectConfig) -> dict[str, float]:
    """The regret of the advice of the fit with lift tests (NaN without one: no channel qualified)."""
    if fit is None:
        return {f"lift_{name}": float("nan") for name in LIFT_REGRET_FIGURES}
    figures, _ = _regret(fit, config, with_timings=False, kinds=REGRET_KINDS[:1])  # the model's own advice
    return {f"lift_{name}": figures[name] for name in LIFT_REGRET_FIGURES}


@dataclass(frozen=True, slots=True)
class WorldResult:
    """One (world, seed): its run row, the channel rows of every fit, the simulator's timings (or
    empty) and the lift tests drawn for it (empty without ``--lift-tests``)."""

    row: dict[str, Any]
    channels: pd.DataFrame
    timings: dict
    lift_tests: pd.DataFrame


def benchmark_world(
    setting: SyntheticSetting,
    seed: int,
    config: ProjectConfig,
    with_timings: bool = False,
    lift: LiftDesign = NO_LIFT_TESTS,
) -> WorldResult:
    """Fit one world twice (ours, floor), and a third time with ``lift.tests`` lift tests when > 0.

    The floor reuses our fit when our config already pins the truth's forms. The calibrated fit
    (:func:`~mmm_analytics.benchmark.lift.calibrated_fit`) adds the ``lift_`` figures to the row
    and its channel rows with ``fit = "lift"``.
    """
    panel, generated = world(setting, seed, config)
    truth = generated.truth
    ridge = ridge_baseline(panel, truth, config)
    ours = fit_one(panel, truth, config, ridge, "ours")
    ours_figures, timings = _scored(ours, config, with_timings)
    pinned = floor_config(config, truth)
    if pinned == config:
        floor, floor_figures = ours, ours_figures
    else:
        floor = fit_one(panel, truth, pinned, ridge, "floor")
        floor_figures, _ = _scored(floor, pinned, False)
    row = {
        "setting": setting.value,
        "seed": seed,
        "true_forms": true_forms(truth).label(),
        **ours_figures,
        **{f"{FLOOR_PREFIX}{key}": value for key, value in floor_figures.items()},
        **ridge.summary,
        "noise_floor_wmape": float(truth.data["noise_floor_wmape_last_13_weeks"]),
    }
    fits = [ours.channels, floor.channels.assign(fit="floor")]
    tests = pd.DataFrame()
    if lift.tests > 0:
        calibrated = calibrated_fit(generated, panel, ours, config, ridge, lift, seed)
        row |= calibrated.figures | _lift_regret(calibrated.fit, config)
        fits += [] if calibrated.fit is None else [calibrated.fit.channels]
        tests = calibrated.tests
    channels = pd.concat(fits, ignore_index=True).assign(setting=setting.value, seed=seed)
    return WorldResult(row, channels, timings, tests)


def _world_job(config: ProjectConfig, job: tuple[SyntheticSetting, int, bool, LiftDesign]) -> WorldResult:
    """One (setting, seed, time the simulator?, lift tests) task: :func:`benchmark_world`."""
    setting, seed, with_timings, lift = job
    return benchmark_world(setting, seed, config, with_timings, lift)


def lift_test_path(output_dir: Path, setting: str, seed: int) -> Path:
    """Where the lift tests of a (setting, seed) are written: a CSV ``mmm train`` can read."""
    return output_dir / "lift_tests" / f"{setting}_seed_{seed}.csv"


def run_benchmark(
    settings: list[SyntheticSetting],
    seeds: list[int],
    config: ProjectConfig,
    output_dir: Path,
    on_run: Callable[[dict], None] | None = None,
    with_timings: bool = True,
    lift: LiftDesign = NO_LIFT_TESTS,
) -> BenchmarkResult:
    """Fit every (setting, seed) panel, ours and the floor, and write ``benchmark.csv``,
    ``benchmark_runs.csv``, ``benchmark_channels.csv`` and ``benchmark.md`` into ``output_dir``.

    The (setting, seed) fits are independent tasks on ``config.model.compute.backend`` (each fit
    inside one runs locally); the results are the same on every backend. ``on_run`` is called
    with each run's row, in order; ``with_timings`` times the simulator once (on the first
    run's model). With ``lift.tests`` > 0 each world is also fitted with that many lift tests of
    that design, written to ``lift_tests/SETTING_seed_SEED.csv`` beside the report.
    """
    pairs = enumerate(product(settings, seeds))
    jobs = [(setting, seed, with_timings and i == 0, lift) for i, (setting, seed) in pairs]
    done = run_tasks(
        _world_job,
        jobs,
        config.model.compute.backend,
        shared=(dataclasses.replace(config, model=config.model.with_backend(Backend.LOCAL)),),
        on_result=None if on_run is None else lambda result: on_run(result.row),
    )
    timings = next((result.timings for result in done if result.timings), {})
    runs_frame = pd.DataFrame([result.row for result in done])
    channel_frame = pd.concat([result.channels for result in done], ignore_index=True)
    summary_frame = setting_summary(runs_frame, channel_frame)
    per_channel = channel_summary(channel_frame)
    text = markdown(summary_frame, per_channel, timings, lift)
    files = [
        write_csv(output_dir / "benchmark.csv", summary_frame),
        write_csv(output_dir / "benchmark_runs.csv", runs_frame),
        write_csv(output_dir / "benchmark_channels.csv", channel_frame),
        write_text(output_dir / "benchmark.md", text),
    ]
    files += [
        write_csv(lift_test_path(output_dir, result.row["setting"], result.row["seed"]), result.lift_tests)
        for result in done
        if not result.lift_tests.empty
    ]
    return BenchmarkResult(summary_frame, channel_frame, runs_frame, text, files)
