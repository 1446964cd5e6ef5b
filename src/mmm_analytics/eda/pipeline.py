"""``run_eda``: compute every analysis, render its figure, write the tables and the HTML report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda import tables as descriptive
from mmm_analytics.eda.findings import key_findings
from mmm_analytics.eda.interactive import interactive_charts
from mmm_analytics.eda.outcome import AnalysisOutcome, NotApplicable
from mmm_analytics.eda.prepare import PanelView, QualityInputs, build_view
from mmm_analytics.eda.registry import ANALYSES, Analysis
from mmm_analytics.eda.render import RenderJob, render_all
from mmm_analytics.eda.report import build_report
from mmm_analytics.eda.tables import Overview
from mmm_analytics.errors import InputError
from mmm_analytics.style.page import write_report
from mmm_analytics.utils.io import read_parquet, write_csv

#: Called once per finished step with a short label; there are ``PROGRESS_STEPS`` steps.
type Progress = Callable[[str], None]
PROGRESS_STEPS = len(ANALYSES) + 2
CLEANING_REPORT = "cleaning_report.json"
OUTLIER_LIST = "outliers.csv"
#: Tables shown in the report (all tables are written as CSV).
REPORT_TABLES: tuple[str, ...] = (
    "festive_uplift",
    "promo_uplift",
    "elasticity",
    "vif",
    "stl_strength",
    "spend_share",
    "cross_correlation",
    "driver_correlation",
    "descriptive_stats",
)


@dataclass(frozen=True, slots=True)
class EdaResult:
    """Everything one EDA run produced."""

    outcomes: tuple[AnalysisOutcome, ...]
    overview: Overview
    findings: tuple[str, ...]
    tables: dict[str, Path]
    report: Path
    seconds: float

    @property
    def figures(self) -> list[Path]:
        return [o.figure for o in self.outcomes if o.figure is not None]

    @property
    def skipped(self) -> list[AnalysisOutcome]:
        return [o for o in self.outcomes if o.skipped]

    def outcome(self, slug: str) -> AnalysisOutcome:
        """The outcome of the analysis named ``slug`` (KeyError if there is none)."""
        return {o.slug: o for o in self.outcomes}[slug]


def load_quality(folder: Path) -> QualityInputs:
    """Read the cleaning step's ``cleaning_report.json`` and ``outliers.csv`` from ``folder`` when present;
    a damaged one is an :class:`InputError` naming it."""
    report_path, outlier_path = Path(folder) / CLEANING_REPORT, Path(folder) / OUTLIER_LIST
    report = None
    if report_path.is_file():
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InputError(
                f"{report_path}: not valid JSON (line {error.lineno}); re-run 'mmm data' to rebuild it"
            ) from None
    outliers = None
    if outlier_path.is_file():
        try:
            outliers = pd.read_csv(outlier_path)
        except pd.errors.EmptyDataError:
            raise InputError(
                f"{outlier_path}: empty (not even a header line); re-run 'mmm data' to rebuild it"
            ) from None
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            reason = " ".join(str(error).split())[:120]
            raise InputError(
                f"{outlier_path}: not a readable CSV ({reason}); re-run 'mmm data' to rebuild it"
            ) from None
    return QualityInputs(report if isinstance(report, dict) else None, outliers)


def read_panel(path: Path, config: DataConfig | None = None) -> pd.DataFrame:
    """Read the panel: parquet (the cleaned panel, its contract checked against ``config``'s channels
    and bounds) or a CSV in the schema (validated by the data step's loader).

    Raises
    ------
    InputError
        The file is missing, unreadable or neither ``.parquet`` nor ``.csv``.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"'{file}' not found; run 'mmm data' first (or pass --input)")
    match file.suffix.lower():
        case ".csv":
            from mmm_analytics.data.loader import (
                load_panel,  # the data step validates and types CSVs
            )

            return load_panel(file)
        case ".parquet" | ".pq":
            from mmm_analytics.data.validation import check_clean_panel

            frame = read_parquet(file, "re-run 'mmm data' to rebuild it")
            data = config or DataConfig()
            check_clean_panel(frame, str(file), data.channel_table(), data.validation)
            return frame
        case _:
            raise InputError(f"{file}: expected a .parquet (cleaned panel) or .csv file; got '{file.suffix}'")


def _quality(quality: QualityInputs | dict[str, Any] | None) -> QualityInputs:
    match quality:
        case QualityInputs():
            return quality
        case dict():
            return QualityInputs(report=quality)
        case None:
            return QualityInputs()
        case _:
            raise TypeError(f"quality must be QualityInputs, a dict or None; got {type(quality).__name__}")


def _compute(analysis: Analysis, view: PanelView) -> AnalysisOutcome:
    outcome = AnalysisOutcome(analysis.number, analysis.slug, analysis.title, analysis.question)
    notes: tuple[str, ...] = ()
    if analysis.uses_channel_variation and view.idle_channels:
        notes = tuple(f"{name} has no varying exposure (all zero or constant): left out" for name in view.idle_channels)
    try:
        result = analysis.compute(view)
    except NotApplicable as reason:
        return replace(outcome, skipped=str(reason), notes=notes)
    return replace(outcome, result=result, notes=notes + tuple(result.notes))


def compute_outcomes(view: PanelView) -> list[AnalysisOutcome]:
    """Run every analysis' computation; those the data cannot support come back skipped with the reason."""
    return [_compute(analysis, view) for analysis in ANALYSES]


def _render(outcomes: list[AnalysisOutcome], folder: Path, viz: VizConfig, progress: Progress) -> list[AnalysisOutcome]:
    by_number = {a.number: a for a in ANALYSES}
    jobs = []
    for outcome in outcomes:
        path = folder / by_number[outcome.number].file_name
        if outcome.skipped:
            path.unlink(missing_ok=True)  # a figure left by an earlier run would contradict the report
            progress(f"skipped {path.name}")
        else:
            jobs.append(RenderJob(by_number[outcome.number], outcome.result, path))
    folder.mkdir(parents=True, exist_ok=True)
    render_all(jobs, viz, lambda job, _seconds: progress(job.path.name))
    rendered = {job.analysis.number: job.path for job in jobs}
    return [replace(o, figure=rendered.get(o.number)) for o in outcomes]


def _index_table(outcomes: list[AnalysisOutcome]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "number": [o.number for o in outcomes],
            "analysis": [o.slug for o in outcomes],
            "question": [o.question for o in outcomes],
            "status": ["skipped" if o.skipped else "done" for o in outcomes],
            "figure": [o.figure.name if o.figure else "" for o in outcomes],
            "notes": ["; ".join(filter(None, (o.skipped, *o.notes))) for o in outcomes],
        }
    )


def collect_tables(view: PanelView, outcomes: list[AnalysisOutcome]) -> dict[str, pd.DataFrame]:
    """Descriptive tables plus every table of the analyses that ran, by file stem."""
    tables = {
        "descriptive_stats": descriptive.describe_columns(view.rows),
        "descriptive_by_brand": descriptive.describe_by(view.rows, schema.BRAND),
        "descriptive_by_geo": descriptive.describe_by(view.rows, schema.GEO),
        "analyses": _index_table(outcomes),
    }
    for outcome in outcomes:
        if outcome.result is not None:
            tables.update(outcome.result.tables())
    return tables


def run_eda(
    panel: pd.DataFrame,
    figures_dir: Path,
    tables_dir: Path,
    report_path: Path,
    viz: VizConfig,
    channels: Channels,
    quality: QualityInputs | dict[str, Any] | None = None,
    *,
    progress: Progress | None = None,
    embed_images: bool = True,
) -> EdaResult:
    """Run the whole exploratory analysis of a cleaned panel.

    Parameters
    ----------
    panel : DataFrame of shape (n_rows, 28 or 29)
        The cleaned panel in the published schema (optionally with a boolean ``outlier_flag``).
    figures_dir, tables_dir, report_path : Path
        Where the numbered PNGs, the CSV tables and the HTML report go.
    viz : VizConfig
        dpi, style, palette, figure size and worker processes.
    channels : Channels
        The channel table (``DataConfig.channel_table()``): exposure columns, CPMs and spend columns.
    quality : QualityInputs, dict or None
        The cleaning step's outputs (see :func:`load_quality`); a dict is taken as the parsed cleaning report.
    progress : callable, optional
        Called with a label after each of ``PROGRESS_STEPS`` steps.
    embed_images : bool
        Embed the PNGs in the report (self-contained) instead of linking them.

    Raises
    ------
    InputError
        The panel lacks a schema, exposure or spend column, or dates do not parse.
    """
    start = time.perf_counter()
    step = progress or (lambda _label: None)
    view = build_view(panel, channels, _quality(quality))
    outcomes = _render(compute_outcomes(view), Path(figures_dir), viz, step)
    tables = collect_tables(view, outcomes)
    written = {
        name: write_csv(Path(tables_dir) / f"{name}.csv", frame, for_spreadsheets=True)
        for name, frame in tables.items()
    }
    step("tables")
    overview = descriptive.overview(view)
    results = {o.slug: o.result for o in outcomes if o.result is not None}
    findings = key_findings(results, overview, viz.number_format)
    shown = {name: tables[name] for name in REPORT_TABLES if name in tables}
    html = build_report(
        overview,
        findings,
        interactive_charts(results, viz),
        outcomes,
        shown,
        Path(report_path).parent,
        embed_images,
        number_format=viz.number_format,
    )
    write_report(report_path, html)
    step("report")
    seconds = time.perf_counter() - start
    return EdaResult(tuple(outcomes), overview, tuple(findings), written, Path(report_path), seconds)
