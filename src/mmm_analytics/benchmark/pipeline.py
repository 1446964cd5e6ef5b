"""``mmm benchmark``: recovery, interval coverage, optimiser regret and timings over seeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics.benchmark.recovery import RunResult, run_one
from mmm_analytics.benchmark.report import channel_summary, markdown, setting_summary
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


def _regret(run: RunResult, config: ProjectConfig, with_timings: bool) -> tuple[dict[str, float], dict]:
    """Optimiser regret over the brand x region cells under the true response: mean, max, and
    the cells where the advice sells less than today's mix (and, once, the simulator's timings)."""
    from mmm_analytics.benchmark.regret import regret_per_segment
    from mmm_analytics.benchmark.timing import measure_speed
    from mmm_analytics.simulator.engine import MarketingSimulator

    simulator = MarketingSimulator(run.params, run.metadata, config.model.simulator)
    regret = regret_per_segment(simulator, run.truth)
    figures = {
        "regret": float(regret["regret"].mean()),
        "max_regret": float(regret["regret"].max()),
        "cells_worse_than_current": int((regret["regret"] > regret["current_mix_regret"]).sum()),
        "cells": len(regret),
    }
    return figures, measure_speed(simulator) if with_timings else {}


def run_benchmark(
    settings: list[SyntheticSetting],
    seeds: list[int],
    config: ProjectConfig,
    output_dir: Path,
    on_run: Callable[[dict], None] | None = None,
) -> BenchmarkResult:
    """Fit every (setting, seed) panel and write ``benchmark.csv``, ``benchmark_channels.csv``, ``benchmark.md``."""
    runs, channels = [], []
    timings: dict[str, Any] = {}
    for setting in settings:
        for seed in seeds:
            run = run_one(setting, seed, config)
            summary = dict(run.summary)
            regret, speed = _regret(run, config, with_timings=not timings)
            summary |= regret
            timings = timings or speed
            runs.append(summary)
            channels.append(run.channels)
            if on_run is not None:
                on_run(summary)
    runs_frame, channel_frame = pd.DataFrame(runs), pd.concat(channels, ignore_index=True)
    summary_frame = setting_summary(runs_frame, channel_frame)
    per_channel = channel_summary(channel_frame)
    text = markdown(summary_frame, per_channel, timings)
    files = [
        write_csv(output_dir / "benchmark.csv", summary_frame),
        write_csv(output_dir / "benchmark_runs.csv", runs_frame),
        write_csv(output_dir / "benchmark_channels.csv", channel_frame),
        write_text(output_dir / "benchmark.md", text),
    ]
    return BenchmarkResult(summary_frame, channel_frame, runs_frame, text, files)
