"""Plan and save every figure of the curves step, in parallel worker processes.

Figures are rendered by ``VizConfig.max_workers`` worker processes (serially when that is
1) from :func:`mmm_analytics.utils.workers.worker_pool`: started without forking the
parent, they import matplotlib and this module only, and end when the run does. Workers
run matplotlib on NumPy arrays they receive; each figure is saved atomically and closed.
Temp files an interrupted run left in the figure folder are removed first.

File names (``fmt`` is png, svg or pdf; names keep letters, digits, ``.``, ``-`` and
``_``, other characters become ``_``):

- ``roi_{channel}_{brand}_{region}.{fmt}``: one per channel x brand x region, or
  ``roi_{channel}_{brand}_{region}_{sku}.{fmt}`` per channel x series at SKU granularity; by
  default only for the ``VizConfig.top_curve_figures`` cells of the largest average weekly
  spend (``mmm curves --all-figures``: every cell);
- ``roi_grid_{channel}.{fmt}``: small multiples per channel (at most :data:`GRID_SERIES` series,
  the largest spenders on the channel);
- ``roi_national.{fmt}``: national curves of every channel;
- ``carryover_{channel}.{fmt}``: learned impulse response per channel.

Two segments whose names would only differ in characters replaced by ``_`` get ``_2``,
``_3``, ... so that no figure overwrites another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, assert_never

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves import plots
from mmm_analytics.curves.carryover import CarryoverCurve
from mmm_analytics.curves.extraction import CurveSet, SegmentCurve
from mmm_analytics.errors import InputError
from mmm_analytics.style import palette
from mmm_analytics.utils.file_names import file_name_part
from mmm_analytics.utils.io import write_with
from mmm_analytics.utils.workers import remove_stale_temps, sigterm_raises, worker_pool

PNG_COMPRESS_LEVEL = 3  # zlib level: much faster than the default with files about 10% larger
#: A channel's grid shows at most this many series: all of them up to this size, else the largest spenders.
GRID_SERIES = 24


class FigureFormat(StrEnum):
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


FIGURE_SUFFIXES = frozenset(f".{f.value}" for f in FigureFormat)

#: Called with (figures saved, figures in all) after each batch of figures.
type FigureProgress = Callable[[int, int], None]


class FigureKind(StrEnum):
    SEGMENT = "segment"
    GRID = "grid"
    NATIONAL = "national"
    CARRYOVER = "carryover"


@dataclass(frozen=True, slots=True)
class FigureJob:
    """One figure to draw: its kind, target path, data and colours."""

    kind: FigureKind
    path: Path
    curves: tuple[SegmentCurve, ...] = ()
    carryover: CarryoverCurve | None = None
    colors: tuple[str, ...] = ()


def figure_format(value: str) -> FigureFormat:
    try:
        return FigureFormat(value.lower())
    except ValueError:
        choices = ", ".join(f.value for f in FigureFormat)
        raise InputError(f"unknown figure format '{value}' (--format); choose one of: {choices}") from None


def channel_color(viz: VizConfig, channel: str, index: int) -> str:
    """The channel's colour in every figure and report (:mod:`mmm_analytics.style.palette`)."""
    return palette.channel_color(viz, channel, index)


def segment_stem(curve: SegmentCurve) -> str:
    """``roi_{channel}_{brand}_{region}``, with ``_{sku}`` at SKU granularity."""
    keys = (curve.channel, curve.brand, curve.region) + (() if curve.sku is None else (curve.sku,))
    return "_".join(["roi", *(file_name_part(key) for key in keys)])


def _unique(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem_2``, ``stem_3``, ... if it is taken up to case (a disk that ignores case,
    as on macOS and Windows, would hold 'NORTH' and 'North' as one file); marks the result taken."""
    name, number = stem, 1
    while name.casefold() in taken:
        number += 1
        name = f"{stem}_{number}"
    taken.add(name.casefold())
    return name


def top_cells(curves: CurveSet, count: int | None) -> set[tuple[int, int]]:
    """The (series row, channel) cells of the ``count`` largest average weekly spends (all when None)."""
    spend = curves.current_spend[:-1]
    if count is None or count >= spend.size:
        return {(int(r), int(c)) for r, c in np.ndindex(*spend.shape)}
    order = np.argsort(-spend, axis=None, kind="stable")[: max(count, 0)]
    return {(int(r), int(c)) for r, c in zip(*np.unravel_index(order, spend.shape))}


def grid_rows(curves: CurveSet, channel: int) -> list[int]:
    """Series rows in a channel's grid: all, or the :data:`GRID_SERIES` largest spenders on it, in row order."""
    spend = curves.current_spend[:-1, channel]
    if spend.size <= GRID_SERIES:
        return list(range(spend.size))
    return sorted(int(r) for r in np.argsort(-spend, kind="stable")[:GRID_SERIES])


def plan_figures(
    curves: CurveSet,
    carryover: list[CarryoverCurve],
    folder: Path,
    fmt: FigureFormat,
    viz: VizConfig,
    top: int | None = None,
) -> list[FigureJob]:
    """The figures of the curves step, in rendering order; every path is distinct.

    Always the national figure and each channel's grid and carryover; single-curve figures for
    the ``top`` series x channel cells by average weekly spend (every cell when None).
    """
    national_row = curves.n_rows - 1
    chosen = top_cells(curves, top)
    jobs: list[FigureJob] = []
    fixed = (
        "roi_national",
        *(f"{prefix}_{file_name_part(c)}" for c in curves.channels for prefix in ("roi_grid", "carryover")),
    )
    taken = {name.casefold() for name in fixed}  # compared up to case, as _unique does
    for index, channel in enumerate(curves.channels):
        color = channel_color(viz, channel, index)
        for row in range(national_row):
            if (row, index) in chosen:
                curve = curves.segment(row, index)
                name = f"{_unique(segment_stem(curve), taken)}.{fmt}"
                jobs.append(FigureJob(FigureKind.SEGMENT, folder / name, (curve,), colors=(color,)))
        grid = tuple(curves.segment(row, index) for row in grid_rows(curves, index))
        jobs.append(
            FigureJob(FigureKind.GRID, folder / f"roi_grid_{file_name_part(channel)}.{fmt}", grid, colors=(color,))
        )
        jobs.append(
            FigureJob(
                FigureKind.CARRYOVER,
                folder / f"carryover_{file_name_part(channel)}.{fmt}",
                carryover=carryover[index],
                colors=(color,),
            )
        )
    national = tuple(curves.segment(national_row, index) for index in range(len(curves.channels)))
    colors = tuple(channel_color(viz, channel, index) for index, channel in enumerate(curves.channels))
    jobs.append(FigureJob(FigureKind.NATIONAL, folder / f"roi_national.{fmt}", national, colors=colors))
    return jobs


def build_figure(job: FigureJob, viz: VizConfig) -> Figure:
    match job.kind:
        case FigureKind.SEGMENT:
            return plots.segment_figure(job.curves[0], viz, job.colors[0])
        case FigureKind.GRID:
            return plots.channel_grid_figure(job.curves, viz, job.colors[0])
        case FigureKind.NATIONAL:
            return plots.national_figure(job.curves, viz, job.colors)
        case FigureKind.CARRYOVER:
            assert job.carryover is not None
            return plots.carryover_figure(job.carryover, viz, job.colors[0])
        case _:
            assert_never(job.kind)


_canvas: list[tuple[VizConfig, plots.SegmentCanvas]] = []  # this process's reusable canvas, at most one


def _set_style(viz: VizConfig) -> None:
    sns.set_theme(style=viz.style, palette=viz.palette)


def _close_canvas() -> None:
    for _, canvas in _canvas:
        plt.close(canvas.figure)
    _canvas.clear()


def _segment_canvas(viz: VizConfig) -> plots.SegmentCanvas:
    """This process's reusable single-curve canvas for ``viz`` (rebuilt when ``viz`` changes)."""
    if not _canvas or _canvas[0][0] != viz:
        _close_canvas()
        _canvas.append((viz, plots.SegmentCanvas(viz)))
    return _canvas[0][1]


def render_one(job: FigureJob, viz: VizConfig, fmt: FigureFormat) -> Path:
    """Draw and save one figure atomically; single-curve figures reuse this process's canvas,
    the others are closed after saving."""
    reuse = job.kind is FigureKind.SEGMENT
    figure = _segment_canvas(viz).draw(job.curves[0], job.colors[0]) if reuse else build_figure(job, viz)
    try:
        extra: dict[str, Any] = (
            {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt is FigureFormat.PNG else {}
        )
        write_with(job.path, lambda tmp: figure.savefig(tmp, dpi=viz.dpi, format=fmt.value, **extra))
    finally:
        if not reuse:
            plt.close(figure)
    return job.path


def render_figures(
    jobs: list[FigureJob], viz: VizConfig, fmt: FigureFormat, progress: FigureProgress | None = None
) -> list[Path]:
    """Render ``jobs`` in ``viz.max_workers`` worker processes; returns the saved paths in order.

    Temp files of an interrupted earlier run are removed from the jobs' folders first.
    ``progress`` is called with (figures saved, figures in all) after each batch.
    """
    for folder in sorted({job.path.parent for job in jobs}):
        remove_stale_temps(folder, suffixes=FIGURE_SUFFIXES)
    _set_style(viz)
    workers = min(viz.max_workers, len(jobs))
    n = len(jobs)
    chunk = max(1, n // (4 * max(workers, 1)))
    report = progress or (lambda done, total: None)
    saved: list[Path] = []
    if workers <= 1:
        try:
            with sigterm_raises():
                for job in jobs:
                    saved.append(render_one(job, viz, fmt))
                    if len(saved) % chunk == 0 or len(saved) == n:
                        report(len(saved), n)
                return saved
        finally:
            _close_canvas()
    with worker_pool(workers, initializer=_set_style, initargs=(viz,)) as pool:
        for path in pool.map(render_one, jobs, [viz] * n, [fmt] * n, chunksize=chunk):
            saved.append(path)
            if len(saved) % chunk == 0 or len(saved) == n:
                report(len(saved), n)
        return saved
