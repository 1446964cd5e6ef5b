"""Render the figures of finished analyses, in parallel worker processes when configured."""

from __future__ import annotations

import io
import multiprocessing
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.eda.figures_common import new_figure, save_figure
from mmm_analytics.eda.registry import Analysis


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Draw ``analysis`` from ``result`` into ``path``."""

    analysis: Analysis
    result: Any
    path: Path


type OnRendered = Callable[[RenderJob, float], None]

#: Jobs of the current batch; forked workers inherit them, so only a position crosses the process boundary.
_BATCH: list[RenderJob] = []


def render_one(job: RenderJob, viz: VizConfig) -> float:
    """Draw and save one figure; returns the seconds it took."""
    start = time.perf_counter()
    figure = job.analysis.plot(job.result, viz)
    save_figure(figure, job.path, viz.dpi)
    figure.clear()
    return time.perf_counter() - start


def _render_position(position: int, viz: VizConfig) -> tuple[int, float]:
    return position, render_one(_BATCH[position], viz)


def _warm_up(viz: VizConfig) -> None:
    """Draw a tiny figure in the parent so fonts and the renderer load once and forked workers inherit them."""
    figure, axes = new_figure(viz)
    axes[0, 0].plot([0.0, 1.0])
    axes[0, 0].set_title("warm-up")
    figure.savefig(io.BytesIO(), format="png", dpi=50)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def render_all(jobs: list[RenderJob], viz: VizConfig, on_rendered: OnRendered | None = None) -> dict[Path, float]:
    """Render every job; with ``viz.max_workers > 1`` in that many forked processes.

    Returns
    -------
    dict of Path to float
        Seconds spent on each figure.
    """
    seconds: dict[Path, float] = {}

    def done(job: RenderJob, elapsed: float) -> None:
        seconds[job.path] = elapsed
        if on_rendered is not None:
            on_rendered(job, elapsed)

    workers = min(viz.max_workers, len(jobs))
    if workers <= 1 or not _can_fork():
        for job in jobs:
            done(job, render_one(job, viz))
        return seconds
    _warm_up(viz)
    _BATCH[:] = jobs
    try:
        with warnings.catch_warnings():
            # Workers only draw with matplotlib; no lock held by another thread of the parent is used there.
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = [pool.submit(_render_position, position, viz) for position in range(len(jobs))]
                for future in as_completed(futures):
                    position, elapsed = future.result()
                    done(jobs[position], elapsed)
    finally:
        _BATCH.clear()
    return seconds
