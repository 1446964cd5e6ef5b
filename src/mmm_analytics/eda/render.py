"""Render the figures of finished analyses, in parallel worker processes when configured.

Workers come from :func:`mmm_analytics.utils.workers.worker_pool`: started without forking
the parent, importing matplotlib and the EDA figure modules only, and ending with the run.
Temp files an interrupted run left in the figure folders are removed first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.eda.figures_common import save_figure
from mmm_analytics.eda.registry import Analysis
from mmm_analytics.utils.workers import remove_stale_temps, sigterm_raises, worker_pool


@dataclass(frozen=True, slots=True)
class RenderJob:
    """Draw ``analysis`` from ``result`` into ``path``."""

    analysis: Analysis
    result: Any
    path: Path


type OnRendered = Callable[[RenderJob, float], None]


def render_one(job: RenderJob, viz: VizConfig) -> float:
    """Draw and save one figure; returns the seconds it took."""
    start = time.perf_counter()
    figure = job.analysis.plot(job.result, viz)
    save_figure(figure, job.path, viz.dpi)
    figure.clear()
    return time.perf_counter() - start


def render_all(jobs: list[RenderJob], viz: VizConfig, on_rendered: OnRendered | None = None) -> dict[Path, float]:
    """Render every job; with ``viz.max_workers > 1`` in that many worker processes.

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

    for folder in sorted({job.path.parent for job in jobs}):
        remove_stale_temps(folder, suffixes={".png"})
    workers = min(viz.max_workers, len(jobs))
    if workers <= 1:
        with sigterm_raises():
            for job in jobs:
                done(job, render_one(job, viz))
        return seconds
    with worker_pool(workers) as pool:
        futures = {pool.submit(render_one, job, viz): job for job in jobs}
        for future in as_completed(futures):
            done(futures[future], future.result())
    return seconds
