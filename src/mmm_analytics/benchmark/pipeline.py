"""``mmm benchmark``: ours beside the true-form floor on synthetic worlds, over seeds.

Each (world, seed) panel is fitted twice: with the project config (ours) and with the truth's
own forms pinned (the floor, :mod:`mmm_analytics.benchmark.floor`). Both are scored the same
way: contribution error, ROI error per channel, 90% interval coverage and width, and the
optimiser's regret over every brand x region cell under the true response. With lift tests,
our fit is repeated with tests drawn from the truth on the channels the design chooses: those it
got most wrong, or those whose sales credit it is least sure of (:mod:`mmm_analytics.benchmark.lift`),
and the floor is repeated with the same tests.
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
from mmm_analytics.benchmark.lift import calibrated_fit, floor_calibrated_fit
from mmm_analytics.benchmark.lift_design import FLOOR_LIFT_PREFIX, LIFT_PREFIX, NO_LIFT_TESTS, LiftDesign, with_prefix
from mmm_analytics.benchmark.recovery import FitResult, fit_one, ridge_baseline, world, world_noise
from mmm_analytics.benchmark.regret import REGRET_COLUMNS
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
    cells: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


@dataclass(frozen=True, slots=True)
class Scored:
    """A fit's figures, the simulator's timings (or empty) and its advice per brand x region
    (:data:`~mmm_analytics.benchmark.regret.REGRET_COLUMNS` and ``advice``: a row per cell and kind
    of advice; empty when the response was not finite)."""

    figures: dict[str, Any]
    timings: dict
    cells: pd.DataFrame


#: What a run of the worlds writes into its output folder, the report first.
OUTPUT_FILES = ("benchmark.md", "benchmark.csv", "benchmark_runs.csv", "benchmark_channels.csv", "benchmark_cells.csv")


def _regret(
    run: FitResult, config: ProjectConfig, with_timings: bool, kinds: tuple[tuple[str, bool], ...] | None = None
) -> Scored:
    """Optimiser regret over the brand x region cells under the true response: mean, max, the
    cells where the advice sells less than today's mix and those where it keeps today's mix (the
    cost of caution), the cells themselves and, once, the simulator's timings; for each of
    ``kinds`` (default :data:`REGRET_KINDS`).

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
        # Timed first, so that its first calls include the compilation they are named for (after the regret's
        # optimisations every kernel was compiled: 0.03 s reported for a first call of 0.4 s).
        timings = measure_speed(simulator) if with_timings else {}
        tables = {prefix: regret_per_segment(simulator, run.truth, bounded) for prefix, bounded in kinds}
    except NonFiniteResultError as error:
        nan = float("nan")
        failed = {f"{prefix}{name}": nan for prefix, _ in kinds for name in REGRET_FIGURES}
        return Scored(failed | {"cells": len(simulator.segments), "regret_failure": str(error)}, {}, pd.DataFrame())
    figures: dict[str, Any] = {"cells": len(simulator.segments)}
    for prefix, regret in tables.items():
        figures |= {
            f"{prefix}regret": float(regret["regret"].mean()),
            f"{prefix}max_regret": float(regret["regret"].max()),
            f"{prefix}regret_of_sales": float(regret["regret_of_sales"].mean()),
            f"{prefix}max_regret_of_sales": float(regret["regret_of_sales"].max()),
            f"{prefix}cells_worse_than_current": int((regret["regret"] > regret["current_mix_regret"]).sum()),
            f"{prefix}cells_kept_current": int(regret["kept_current"].sum()),
            **_uplift_figures(regret, prefix),
        }
    cells = pd.concat(
        [table.assign(advice=ADVICE_KINDS[prefix]) for prefix, table in tables.items()], ignore_index=True
    )
    return Scored(figures, timings, cells)


def _uplift_figures(regret: pd.DataFrame, prefix: str) -> dict[str, int]:
    """The cells whose advice moves away from today's mix, and those of them whose 90% uplift
    interval holds the true uplift: their ratio is the advice's interval coverage."""
    moved = ~regret["kept_current"].astype(bool)
    inside = (regret["true_uplift"] >= regret["uplift_lower"]) & (regret["true_uplift"] <= regret["uplift_upper"])
    return {f"{prefix}cells_moved": int(moved.sum()), f"{prefix}uplift_inside": int((moved & inside).sum())}


#: (prefix, data-range bounds on?): the model's own advice (no bounds), and the advice of
#: ``mmm optimize`` as it is shipped (each channel within its range of weekly spend in the data).
REGRET_KINDS: tuple[tuple[str, bool], ...] = (("", False), ("bounded_", True))
#: How ``benchmark_cells.csv`` names each kind of advice: the model's own, and as shipped.
ADVICE_KINDS: dict[str, str] = {"": "model", "bounded_": "shipped"}


def _scored(run: FitResult, config: ProjectConfig, with_timings: bool) -> Scored:
    """The fit's figures with its regret, its cells, and the timings when asked for."""
    scored = _regret(run, config, with_timings)
    return dataclasses.replace(scored, figures=dict(run.summary) | scored.figures)


#: The regret figures of the fit with lift tests (the model's own advice, as for ours), ``lift_`` prefixed.
LIFT_REGRET_FIGURES = ("regret", "max_regret", "regret_of_sales", "max_regret_of_sales", "cells_worse_than_current")


def _lift_regret(fit: FitResult | None, config: ProjectConfig, prefix: str = LIFT_PREFIX) -> Scored:
    """The regret of the advice of a fit with lift tests, ``prefix``-ed (``lift_``: ours;
    ``floor_lift_``: the floor's), and its cells (NaN and none without one: no channel qualified)."""
    if fit is None:
        return Scored({f"{prefix}{name}": float("nan") for name in LIFT_REGRET_FIGURES}, {}, pd.DataFrame())
    scored = _regret(fit, config, with_timings=False, kinds=REGRET_KINDS[:1])  # the model's own advice
    return dataclasses.replace(
        scored, figures={f"{prefix}{name}": scored.figures[name] for name in LIFT_REGRET_FIGURES}
    )


#: The columns of ``benchmark_cells.csv``: which world, seed, fit and advice, then the cell's regret.
CELL_COLUMNS: list[str] = ["setting", "seed", "fit", "advice", *REGRET_COLUMNS]


@dataclass(frozen=True, slots=True)
class WorldResult:
    """One (world, seed): its run row, the channel rows of every fit, the simulator's timings (or
    empty), the lift tests drawn for it (empty without ``--lift-tests``) and every fit's advice per
    brand x region (``fit``: ours, floor or lift)."""

    row: dict[str, Any]
    channels: pd.DataFrame
    timings: dict
    lift_tests: pd.DataFrame
    cells: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def benchmark_world(
    setting: SyntheticSetting,
    seed: int,
    config: ProjectConfig,
    with_timings: bool = False,
    lift: LiftDesign = NO_LIFT_TESTS,
) -> WorldResult:
    """Fit one world twice (ours, floor), and with ``lift.tests`` lift tests when > 0 both again.

    The floor reuses our fit when our config already pins the truth's forms. The calibrated fit
    (:func:`~mmm_analytics.benchmark.lift.calibrated_fit`) adds the ``lift_`` figures to the row
    and its channel rows with ``fit = "lift"``; the floor with the same tests
    (:func:`~mmm_analytics.benchmark.lift.floor_calibrated_fit`) the ``floor_lift_`` figures and
    ``fit = "floor_lift"``.
    """
    panel, generated = world(setting, seed, config)
    truth = generated.truth
    ridge = ridge_baseline(panel, truth, config)
    ours = fit_one(panel, truth, config, ridge, "ours")
    ours_scored = _scored(ours, config, with_timings)
    pinned = floor_config(config, truth)
    if pinned == config:
        floor, floor_scored = ours, ours_scored
    else:
        floor = fit_one(panel, truth, pinned, ridge, "floor")
        floor_scored = _scored(floor, pinned, False)
    row = {
        "setting": setting.value,
        "seed": seed,
        "true_forms": true_forms(truth).label(),
        "noise_sd": world_noise(setting, config),
        **ours_scored.figures,
        **{f"{FLOOR_PREFIX}{key}": value for key, value in floor_scored.figures.items()},
        **ridge.summary,
        "noise_floor_wmape": float(truth.data["noise_floor_wmape_last_13_weeks"]),
    }
    fits = [ours.channels, floor.channels.assign(fit="floor")]
    cells = [ours_scored.cells.assign(fit="ours"), floor_scored.cells.assign(fit="floor")]
    tests = pd.DataFrame()
    if lift.tests > 0:
        calibrated = calibrated_fit(generated, panel, ours, config, ridge, lift, seed)
        lift_scored = _lift_regret(calibrated.fit, config)
        same = pinned == config
        floor_lift = floor_calibrated_fit(calibrated, panel, floor, pinned, ridge, same_as_ours=same)
        floor_lift_scored = (
            dataclasses.replace(lift_scored, figures=with_prefix(lift_scored.figures, FLOOR_LIFT_PREFIX))
            if same
            else _lift_regret(floor_lift.fit, pinned, FLOOR_LIFT_PREFIX)
        )
        row |= calibrated.figures | lift_scored.figures | floor_lift.figures | floor_lift_scored.figures
        fits += [run.fit.channels for run in (calibrated, floor_lift) if run.fit is not None]
        cells += [lift_scored.cells.assign(fit="lift"), floor_lift_scored.cells.assign(fit="floor_lift")]
        tests = calibrated.tests
    channels = pd.concat(fits, ignore_index=True).assign(setting=setting.value, seed=seed)
    advice = pd.concat(cells, ignore_index=True).assign(setting=setting.value, seed=seed)
    return WorldResult(row, channels, ours_scored.timings, tests, advice.reindex(columns=CELL_COLUMNS))


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
    ``benchmark_runs.csv``, ``benchmark_channels.csv``, ``benchmark_cells.csv`` (every fit's advice
    per brand x region, scored under the truth) and ``benchmark.md`` into ``output_dir``.

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
    cell_frame = pd.concat([result.cells for result in done], ignore_index=True)
    summary_frame = setting_summary(runs_frame, channel_frame)
    per_channel = channel_summary(channel_frame)
    text = markdown(summary_frame, per_channel, timings, lift, cell_frame)
    files = [
        write_csv(output_dir / OUTPUT_FILES[1], summary_frame),
        write_csv(output_dir / OUTPUT_FILES[2], runs_frame),
        write_csv(output_dir / OUTPUT_FILES[3], channel_frame),
        write_csv(output_dir / OUTPUT_FILES[4], cell_frame),
        write_text(output_dir / OUTPUT_FILES[0], text),
    ]
    files += [
        write_csv(lift_test_path(output_dir, result.row["setting"], result.row["seed"]), result.lift_tests)
        for result in done
        if not result.lift_tests.empty
    ]
    return BenchmarkResult(summary_frame, channel_frame, runs_frame, text, files, cell_frame)
