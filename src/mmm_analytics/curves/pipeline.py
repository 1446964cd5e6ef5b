"""The curves step end to end: model folder in; tables, figures, report and a summary out.

Reads ``metadata.json`` and ``response_params.npz`` from the model folder (see
:mod:`mmm_analytics.response.artifacts`) and writes, atomically:

- ``reports/channel_roi.csv`` (:data:`~mmm_analytics.curves.summary.ROI_COLUMNS`) and
  ``reports/roi_by_segment.csv`` (:data:`~mmm_analytics.curves.summary.SEGMENT_COLUMNS`, also as
  ``roi_by_segment.parquet``);
- ``reports/roi_curves.parquet`` (:data:`~mmm_analytics.curves.extraction.CURVE_COLUMNS`);
- ``reports/roi_report.html`` with ``reports/roi_report_data/`` (the curves of the series the
  page does not carry, one script each, see :mod:`mmm_analytics.curves.report`) and
  ``reports/curves_summary.json`` (timings and counts);
- the figures listed in :mod:`mmm_analytics.curves.render`.

Intervals are equal-tailed quantiles at ``ModelConfig.intervals.level`` over the
Laplace-approximation parameter draws saved with the model
(:mod:`mmm_analytics.curves.intervals`).

At SKU granularity every series is a brand x region x SKU: the tables, the curve grid and
the figure names carry the SKU (see :func:`series_skus`), so each series has its own row
and figure. Temp files a killed run left among these outputs are removed first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mmm_analytics.config.loader import ProjectConfig
from mmm_analytics.curves.carryover import carryover_curves
from mmm_analytics.curves.extraction import NATIONAL, CurveSet, brand_label, extract_curves
from mmm_analytics.curves.render import (
    FigureKind,
    FigureProgress,
    figure_format,
    plan_figures,
    render_figures,
)
from mmm_analytics.curves.report import DATA_FOLDER, build_report, data_file, data_script, inline_rows
from mmm_analytics.curves.summary import (
    channel_roi_table,
    estimate_roi,
    segment_roi_table,
)
from mmm_analytics.response.artifacts import (
    ModelMetadata,
    ResponseParams,
    load_model_files,
    load_pooled,
    model_digest,
    model_folder,
)
from mmm_analytics.style.page import write_report
from mmm_analytics.utils.io import write_csv, write_json, write_parquet, write_text
from mmm_analytics.utils.workers import remove_stale_temps

CHANNEL_ROI_FILE = "channel_roi.csv"
SEGMENT_ROI_FILE = "roi_by_segment.csv"
SEGMENT_ROI_PARQUET = "roi_by_segment.parquet"
CURVES_FILE = "roi_curves.parquet"
REPORT_FILE = "roi_report.html"
SUMMARY_FILE = "curves_summary.json"
REPORT_FILES: tuple[str, ...] = (
    CHANNEL_ROI_FILE,
    SEGMENT_ROI_FILE,
    SEGMENT_ROI_PARQUET,
    CURVES_FILE,
    REPORT_FILE,
    SUMMARY_FILE,
)


@dataclass(frozen=True, slots=True)
class CurvesResult:
    """What :func:`generate_curves` made: tables, curve set, written paths and timings (seconds)."""

    channel_roi: pd.DataFrame
    roi_by_segment: pd.DataFrame
    curves: CurveSet
    outputs: dict[str, Path]
    figures: list[Path]
    segment_figures: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return self.seconds.get("total", 0.0)


@contextlib.contextmanager
def _timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds[name] = round(time.perf_counter() - start, 3)


def load_model(model: Path) -> tuple[ModelMetadata, ResponseParams]:
    """Metadata and response parameters of the model at ``model`` (folder or ``.keras`` file)."""
    return load_model_files(model_folder(model))


def load_model_forms(model: Path) -> tuple[ModelMetadata, ResponseParams, tuple[ResponseParams, ...]]:
    """:func:`load_model`, and the pooled forms' response parameters (none when nothing is pooled)."""
    metadata, params = load_model(model)
    return metadata, params, load_pooled(model_folder(model), params, metadata.pooled_saturations)


def series_skus(metadata: ModelMetadata, params: ResponseParams) -> tuple[str, ...] | None:
    """The SKU of every series (length S) at SKU granularity, else None.

    Read from the ``sku`` of each entry of ``metadata.json``'s ``series``. A model folder
    without them whose series repeat a brand x region gets ``series_{index}`` instead,
    ``index`` being the series' ``series_id`` in ``features.parquet``.
    """
    entries = metadata.series
    if entries and len(entries) == len(params.series_brand) and all("sku" in entry for entry in entries):
        return tuple(str(entry["sku"]) for entry in entries)
    pairs = list(zip(params.series_brand, params.series_region))
    if len(set(pairs)) == len(pairs):
        return None
    return tuple(f"series_{index}" for index in range(len(pairs)))


def _report_view(curves: CurveSet, segment: pd.DataFrame) -> tuple[CurveSet, pd.DataFrame]:
    """Curves and segment table for the HTML report, which keys series by brand x region:
    at SKU granularity the brand reads ``BrandA (BrandA_SKU1)``."""
    if curves.skus is None:
        return curves, segment
    brands = tuple(
        b if b == r == NATIONAL else brand_label(b, s) for b, r, s in zip(curves.brands, curves.regions, curves.skus)
    )
    labels = [brand_label(b, s) for b, s in zip(segment["brand"], segment["sku"])]
    table = segment.drop(columns="sku").assign(brand=pd.array(labels, dtype="string"))
    return dataclasses.replace(curves, brands=brands, skus=None), table


def _write_tables(reports_dir: Path, channel: pd.DataFrame, segment: pd.DataFrame, curves: CurveSet) -> dict[str, Path]:
    return {
        "channel_roi": write_csv(reports_dir / CHANNEL_ROI_FILE, channel),
        "roi_by_segment": write_csv(reports_dir / SEGMENT_ROI_FILE, segment),
        "roi_by_segment_parquet": write_parquet(reports_dir / SEGMENT_ROI_PARQUET, segment),
        "roi_curves": write_parquet(reports_dir / CURVES_FILE, curves.to_frame()),
    }


def write_report_data(reports_dir: Path, curves: CurveSet) -> int:
    """One script of curve data per series the report does not carry itself (in ``roi_report_data/``,
    its earlier scripts removed first); returns how many were written."""
    folder = Path(reports_dir) / DATA_FOLDER
    for old in folder.glob("segment_*.js"):
        old.unlink()
    inline = set(inline_rows(curves))
    rows = [row for row in range(curves.n_rows) if row not in inline]
    for row in rows:
        write_text(Path(reports_dir) / data_file(row), data_script(curves, row))
    return len(rows)


def generate_curves(
    model_dir: Path,
    figures_dir: Path,
    reports_dir: Path,
    config: ProjectConfig,
    fmt: str = "png",
    progress: FigureProgress | None = None,
    all_figures: bool = False,
) -> CurvesResult:
    """Extract every ROI curve of a trained model and write tables, figures and the report.

    Parameters
    ----------
    model_dir : Path
        The model folder, or the ``mmm_model.keras`` file inside it.
    figures_dir, reports_dir : Path
        Where figures and tables/report go (created if missing).
    config : ProjectConfig
        Uses ``model.intervals.level``, ``model.curves`` and ``viz``.
    fmt : str
        Figure format: png, svg or pdf.
    progress : callable, optional
        Called with (figures saved, figures in all) after each batch of figures.
    all_figures : bool
        A single-curve figure for every series x channel cell, not only the
        ``viz.top_curve_figures`` of largest spend.
    """
    figure_kind = figure_format(fmt)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    metadata, params, pooled = load_model_forms(Path(model_dir))
    level = config.model.intervals.level
    skus = series_skus(metadata, params)
    remove_stale_temps(Path(reports_dir), stems={Path(name).stem for name in REPORT_FILES})
    with _timed(seconds, "curves"):
        curves = extract_curves(params, config.model.curves, level, skus, pooled)
    with _timed(seconds, "roi"):
        estimates = estimate_roi(params, skus, pooled)
        channel, segment = channel_roi_table(estimates, level), segment_roi_table(estimates, level)
    with _timed(seconds, "tables"):
        outputs = _write_tables(Path(reports_dir), channel, segment, curves)
    with _timed(seconds, "figures"):
        top = None if all_figures else config.viz.top_curve_figures
        jobs = plan_figures(curves, carryover_curves(params, level), Path(figures_dir), figure_kind, config.viz, top)
        figures = render_figures(jobs, config.viz, figure_kind, progress)
    with _timed(seconds, "report"):
        report_curves, report_segment = _report_view(curves, segment)
        page = build_report(
            report_curves,
            channel,
            report_segment,
            metadata,
            params.cpm_by_channel,
            params.n_draws,
            config.model.curves.max_spend_multiple,
            config.viz,
        )
        outputs["report"] = write_report(Path(reports_dir) / REPORT_FILE, page)
        data_files = write_report_data(Path(reports_dir), report_curves)
    seconds["total"] = round(time.perf_counter() - started, 3)
    segment_figures = sum(job.kind is FigureKind.SEGMENT for job in jobs)
    outputs["summary"] = write_json(
        Path(reports_dir) / SUMMARY_FILE,
        {
            "seconds": seconds,
            "counts": {
                "channels": len(params.channels),
                "series": len(params.series_brand),
                "draws": params.n_draws,
                "curves": curves.n_rows * len(params.channels),
                "points_per_curve": config.model.curves.points,
                "figures": len(figures),
                "segment_figures": segment_figures,
                "report_data_files": data_files,
            },
            "interval": {
                "level": level,
                "method": "equal-tailed quantiles over Laplace-approximation parameter draws",
                "pooled_saturation": [form.saturation for form in pooled],
            },
            "figure_format": figure_kind.value,
            "dpi": config.viz.dpi,
            "workers": config.viz.max_workers,
            "model": str(model_folder(Path(model_dir))),
            "model_digest": model_digest(model_folder(Path(model_dir))),
        },
    )
    return CurvesResult(channel, segment, curves, outputs, figures, segment_figures, seconds)
