"""Evaluate a trained model: fit metrics, sales decomposition, contributions, diagnostics, figures, report.

:func:`evaluate` writes to ``reports_dir``:

- ``model_metrics.csv`` / ``model_metrics.json``: train and holdout R2, MAPE, wMAPE,
  NRMSE and bias, overall, national, per brand, per region and per brand x region
  (see :mod:`mmm_analytics.models.metrics`);
- ``decomposition.csv``: per series and week, actual and predicted Sales_Value and its
  parts base, price, promotions and one column per channel (INR; see
  :mod:`mmm_analytics.models.decomposition`);
- ``channel_contributions.csv``: ``channel,spend,contribution,roi``, national totals
  over the whole data period (spend = exposure x CPM / 1000, INR);
- ``residual_diagnostics.csv``: Durbin-Watson and residual ACF at lags 1-8;
- ``model_report.html``: the self-contained report;

and the figures of :mod:`mmm_analytics.models.evaluation_figures` to ``figures_dir``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.decomposition import (
    Decomposition,
    channel_contributions,
    decomposition_frame,
)
from mmm_analytics.models.evaluation_figures import (
    FitPanels,
    PlotData,
    part_colors,
    render_figures,
)
from mmm_analytics.models.lift_report import (
    LiftFits,
    ParamsContributions,
    forms_totals,
    lift_comparison,
    lift_insight,
    lift_section,
    roi_comparison,
)
from mmm_analytics.models.metrics import (
    Level,
    Period,
    flat_forecast_wmape,
    metrics_summary,
    metrics_table,
    residual_diagnostics,
)
from mmm_analytics.models.report import ReportContent, build_report
from mmm_analytics.models.selection_report import form_section
from mmm_analytics.response import saturation
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.style.page import write_report
from mmm_analytics.utils.io import write_csv, write_json

METRICS_CSV = "model_metrics.csv"
METRICS_JSON = "model_metrics.json"
LIFT_CSV = "lift_tests_fit.csv"
LIFT_ROI_CSV = "lift_tests_roi.csv"
DECOMPOSITION_CSV = "decomposition.csv"
CONTRIBUTIONS_CSV = "channel_contributions.csv"
DIAGNOSTICS_CSV = "residual_diagnostics.csv"
REPORT_HTML = "model_report.html"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What :func:`evaluate` found and wrote.

    Attributes
    ----------
    metrics : dict
        The content of ``model_metrics.json``: ``{period: {level: metrics}}`` plus residual
        summaries under ``"residuals"``.
    decomposition : DataFrame
        ``decomposition.csv``: one row per series and week.
    contributions : DataFrame
        ``channel_contributions.csv``: ``channel, spend, contribution, roi``.
    diagnostics : DataFrame
        ``residual_diagnostics.csv``.
    files : tuple of Path
        Every file written (reports, then figures, then the HTML report).
    seconds : dict of str to float
        Time spent per step.
    lift : str
        With lift tests, one sentence on how many measured values the model's intervals hold,
        with and without calibration; otherwise empty.
    """

    metrics: dict[str, Any]
    decomposition: pd.DataFrame
    contributions: pd.DataFrame
    diagnostics: pd.DataFrame
    files: tuple[Path, ...]
    seconds: dict[str, float]
    lift: str = ""

    def headline(self) -> dict[str, float]:
        """Overall train and holdout R2 and wMAPE, holdout bias and the pooled Durbin-Watson."""
        picks = [
            ("train", "r2", "train R2"),
            ("train", "wmape", "train wMAPE"),
            ("holdout", "r2", "holdout R2"),
            ("holdout", "wmape", "holdout wMAPE"),
            ("holdout", "bias", "holdout bias"),
        ]
        values = {
            label: self.metrics[period]["overall"][name] for period, name, label in picks if period in self.metrics
        }
        values["Durbin-Watson (train)"] = self.metrics["residuals"]["overall"]["durbin_watson"]
        return {label: float("nan") if value is None else float(value) for label, value in values.items()}


def series_keys(panel: FeaturePanel) -> pd.DataFrame:
    """Brand and region of every series, in panel order."""
    return pd.DataFrame({"brand": list(panel.brand), "region": list(panel.geo)})


def _check_matches(decomposition: Decomposition, panel: FeaturePanel, params: ResponseParams) -> None:
    if tuple(params.channels) != tuple(panel.channels) or tuple(decomposition.channels) != tuple(panel.channels):
        raise InputError(
            f"the model's channels {list(params.channels)} differ from the features' "
            f"{list(panel.channels)}; re-run 'mmm train' on these features"
        )
    if decomposition.predicted.shape != panel.sales.shape or params.predicted_sales.shape != panel.sales.shape:
        n_series, n_weeks = decomposition.predicted.shape
        raise InputError(
            f"the model has {n_series} series x {n_weeks} weeks, the features {len(panel.brand)} "
            f"x {len(panel.dates)} weeks; re-run 'mmm train' on these features"
        )


#: Groups (brands or regions) drawn in the fit figures and charts: the largest by sales.
MAX_FIT_PANELS = 12


def _grouped(
    panel: FeaturePanel, decomposition: Decomposition, names: tuple[str, ...], top: int = MAX_FIT_PANELS
) -> FitPanels:
    """Weekly actual and predicted sales of each group, the ``top`` largest by total sales
    (alphabetical when they all fit), with the number of groups in all."""
    keys = np.asarray(names)
    labels, index = np.unique(keys, return_inverse=True)
    actual = np.zeros((len(labels), panel.sales.shape[1]))
    predicted = np.zeros_like(actual)
    np.add.at(actual, index, panel.sales)
    np.add.at(predicted, index, decomposition.predicted)
    keep = np.arange(len(labels)) if len(labels) <= top else np.sort(np.argsort(-actual.sum(axis=1))[:top])
    return FitPanels(tuple(str(v) for v in labels[keep]), actual[keep], predicted[keep], n_groups=len(labels))


def plot_data(panel: FeaturePanel, decomposition: Decomposition, diagnostics: pd.DataFrame, viz: VizConfig) -> PlotData:
    """National, per-brand and per-region series and totals for the figures and the report."""
    return PlotData(
        dates=panel.dates,
        holdout_weeks=panel.holdout_weeks,
        by_brand=_grouped(panel, decomposition, panel.brand),
        by_region=_grouped(panel, decomposition, panel.geo),
        national_actual=panel.sales.sum(axis=0),
        national_predicted=decomposition.predicted.sum(axis=0),
        national_parts=decomposition.national(),
        totals=decomposition.totals(),
        diagnostics=diagnostics,
        colors=part_colors(viz, tuple(panel.channels)),
    )


def media_response(params: ResponseParams) -> pd.DataFrame:
    """Learned carryover and saturation per channel (point estimates) for the report."""
    weights = params.typical_lag_weights
    lags = np.arange(weights.shape[0])[:, None]
    table = pd.DataFrame(
        {
            "channel": list(params.channels),
            "carryover_total": weights.sum(axis=0),
            "mean_lag_weeks": (lags * weights).sum(axis=0) / weights.sum(axis=0),
            "half_saturation": params.typical_half_saturation,
            "size_scaling": params.typical_scaling,
            "slope": params.typical_slope,
            "coefficient_inr": params.coefficient.mean(axis=0),
        }
    )
    return table if saturation.has_slope(params.saturation) else table.drop(columns="slope")


def _residual_summary(diagnostics: pd.DataFrame) -> dict[str, Any]:
    summary: dict[str, Any] = {"period": "train"}
    for level in (Level.OVERALL, Level.NATIONAL):
        row = diagnostics[diagnostics["level"] == level.value].iloc[0]
        acf_values = {c: float(row[c]) for c in diagnostics.columns if c.startswith("acf_lag_")}
        summary[level.value] = {"durbin_watson": float(row["durbin_watson"]), **acf_values}
    return summary


def evaluate(
    decomposition: Decomposition,
    panel: FeaturePanel,
    params: ResponseParams,
    reports_dir: Path,
    figures_dir: Path,
    viz: VizConfig,
    training: Mapping[str, Any] | None = None,
    lift: LiftFits | None = None,
    level: float = 0.9,
    pooled_forms: tuple[str, ...] = (),
) -> Evaluation:
    """Evaluate a trained model on ``panel`` and write the reports, figures and ``model_report.html``.

    Parameters
    ----------
    decomposition : Decomposition
        The trained model's sales decomposition on ``panel``
        (:func:`~mmm_analytics.models.decomposition.decompose`).
    panel : FeaturePanel
        The features it was trained on (its last ``holdout_weeks`` weeks are the holdout).
    params : ResponseParams
        The model's learned media response (CPMs, lag weights, saturation, draws).
    lift : LiftFits, optional
        The lift tests the fit was calibrated to and the fitted forms' responses with and without
        their evidence: the report then compares each test with the fit (``lift_tests_fit.csv``),
        with and without, at the mean of the forms.
    level : float
        Interval level of that comparison.
    pooled_forms : tuple of str
        The other saturation forms fitted beside ``params``' and weighed equally with it (the report
        says how many draws the intervals pool).
    reports_dir, figures_dir : Path
        Output folders (created when missing).
    viz : VizConfig
        Style, dpi and worker count of the figures.
    training : mapping, optional
        Training summary for the report (e.g. timings, best epoch, noise scale, history).
    """
    _check_matches(decomposition, panel, params)
    clock = _Clock()
    keys = series_keys(panel)
    observed = panel.sales_observed  # weeks whose sales the cleaning filled in are not scored
    table = metrics_table(panel.sales, decomposition.predicted, keys, panel.holdout_weeks, observed)
    diagnostics = residual_diagnostics(
        panel.sales, decomposition.predicted, keys, panel.holdout_weeks, observed=observed
    )
    metrics = metrics_summary(table) | {"residuals": _residual_summary(diagnostics)}
    if isinstance(metrics.get(Period.HOLDOUT.value), dict):  # beside the model's holdout wMAPE, what it must beat
        flat = flat_forecast_wmape(panel.sales, panel.holdout_weeks, observed)
        metrics[Period.HOLDOUT.value][Level.OVERALL.value]["flat_forecast_wmape"] = (
            flat if math.isfinite(flat) else None
        )
    frame = decomposition_frame(decomposition, panel)
    contributions = channel_contributions(decomposition, panel)
    files = [
        write_csv(reports_dir / METRICS_CSV, table),
        write_json(reports_dir / METRICS_JSON, metrics, nulls=True),
        write_csv(reports_dir / DECOMPOSITION_CSV, frame),
        write_csv(reports_dir / CONTRIBUTIONS_CSV, contributions),
        write_csv(reports_dir / DIAGNOSTICS_CSV, diagnostics),
    ]
    clock.lap("tables")
    plots = plot_data(panel, decomposition, diagnostics, viz)
    figures = render_figures(plots, figures_dir, viz)
    clock.lap("figures")
    sections = [
        form_section(
            (training or {}).get("selection"),
            panel.channels,
            params.typical_scaling.tolist(),
            (training or {}).get("segment_curves"),
            bool((training or {}).get("segment_curves_in_advice", True)),
            str((training or {}).get("form_note") or ""),
            (training or {}).get("ceiling_scaling"),
        )
    ]
    insight = ""
    if lift is not None:
        tests = lift.tests
        calibrated_totals = forms_totals(tests, [ParamsContributions(form) for form in lift.calibrated])
        uncalibrated_totals = forms_totals(tests, [ParamsContributions(form) for form in lift.uncalibrated])
        comparison = lift_comparison(tests, panel.channels, calibrated_totals, uncalibrated_totals, level)
        roi = roi_comparison(
            tests, panel.channels, panel.spend.sum(axis=(0, 1)), calibrated_totals, uncalibrated_totals, level
        )
        files += [write_csv(reports_dir / LIFT_CSV, comparison), write_csv(reports_dir / LIFT_ROI_CSV, roi)]
        forms = (len(lift.calibrated), len(lift.uncalibrated))
        sections.append(lift_section(comparison, roi, level, viz.number_format, forms))
        insight = lift_insight(comparison, level)
        clock.lap("lift tests")
    content = ReportContent(
        plots=plots,
        metrics=table,
        contributions=contributions,
        media_response=media_response(params),
        cpm={c: float(v) for c, v in zip(panel.channels, panel.cpm)},
        n_series=len(panel.brand),
        saturation=params.saturation,
        n_draws=params.n_draws,
        figures=tuple(figures),
        training=dict(training or {}),
        number_format=viz.number_format,
        extra_sections=tuple(sections),
        pooled_forms=pooled_forms,
    )
    report = write_report(reports_dir / REPORT_HTML, build_report(content))
    clock.lap("report")
    return Evaluation(metrics, frame, contributions, diagnostics, (*files, *figures, report), clock.seconds(), insight)


class _Clock:
    """Wall-clock seconds per step, plus the total."""

    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self.mark = now - self.mark, now

    def seconds(self) -> dict[str, float]:
        return self.laps | {"total": self.mark - self.start}
