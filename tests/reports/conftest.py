"""A small finished run, made without training: every report and the summary, written once per session.

The model is the simulator tests' hand-built one (2 brands x 2 regions x 3 channels, 60 weeks,
8 draws); the EDA runs on the EDA tests' small panel. Figures are drawn small and fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config import load_config
from mmm_analytics.config.loader import ProjectConfig
from mmm_analytics.config.model import CurveSettings, SimulatorSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.curves.report import build_report as roi_report
from mmm_analytics.curves.summary import channel_roi_table, estimate_roi, segment_roi_table
from mmm_analytics.eda import run_eda
from mmm_analytics.models.evaluation_figures import FitPanels, PlotData, part_colors
from mmm_analytics.models.metrics import metrics_summary, metrics_table, residual_diagnostics
from mmm_analytics.models.report import ReportContent
from mmm_analytics.models.report import build_report as model_report
from mmm_analytics.reports.summary import write_summary
from mmm_analytics.response.artifacts import ModelMetadata, ResponseParams
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.batch import BatchPaths, run_batch
from mmm_analytics.utils.paths import ProjectPaths
from tests.eda.conftest import FAST_VIZ, TABLE, as_clean_panel
from tests.simulator.hand_built import build_params, write_model

SCENARIOS = """scenarios:
  - name: current_mix
    description: Today's average weekly spend on every channel
  - name: tv_plus_20
    description: TV up a fifth, everything else unchanged
    spend: {TV: "+20%"}
  - name: brand_a_tv_push
    description: BrandA only, TV up by half
    brand: BrandA
    spend: {TV: "+50%"}
"""
VIZ = VizConfig(dpi=50, figure_width=6.0, figure_height=3.5, max_workers=1)


@dataclass(frozen=True, slots=True)
class Run:
    """Where the small run wrote, and what it used."""

    paths: ProjectPaths
    config: ProjectConfig
    params: ResponseParams

    @property
    def reports(self) -> Path:
        return self.paths.reports_dir


def _config(viz: VizConfig) -> ProjectConfig:
    config = load_config(Path("/nonexistent-config-folder"))
    return ProjectConfig(data=config.data, features=config.features, model=config.model, viz=viz)


def _fit_tables(params: ResponseParams, folder: Path, holdout: int) -> PlotData:
    """decomposition.csv, model_metrics.json and the plot data of a fit with 2% noise."""
    rng = np.random.default_rng(5)
    predicted = params.predicted_sales
    actual = predicted * (1.0 + 0.02 * rng.normal(size=predicted.shape))
    dates = pd.DatetimeIndex(pd.to_datetime(list(params.dates)))
    keys = pd.DataFrame({"brand": list(params.series_brand), "region": list(params.series_region)})
    rows = [
        {"date": d.date().isoformat(), "brand": b, "region": r, "actual": actual[s, t], "predicted": predicted[s, t]}
        for s, (b, r) in enumerate(zip(params.series_brand, params.series_region))
        for t, d in enumerate(dates)
    ]
    pd.DataFrame(rows).to_csv(folder / "decomposition.csv", index=False)
    table = metrics_table(actual, predicted, keys, holdout)
    (folder / "model_metrics.json").write_text(json.dumps(metrics_summary(table), default=float))
    by = {k: keys[k].to_numpy() for k in ("brand", "region")}
    panels = {
        k: FitPanels(
            tuple(sorted(set(v))),
            np.stack([actual[v == x].sum(0) for x in sorted(set(v))]),
            np.stack([predicted[v == x].sum(0) for x in sorted(set(v))]),
        )
        for k, v in by.items()
    }
    media = {c: np.full(len(dates), 1000.0 * (k + 1)) for k, c in enumerate(params.channels)}
    parts = {
        "base": predicted.sum(0) - 7000.0,
        "price": np.full(len(dates), -1000.0),
        "promotions": np.full(len(dates), 2000.0),
    }
    parts |= media
    return PlotData(
        dates=dates,
        holdout_weeks=holdout,
        by_brand=panels["brand"],
        by_region=panels["region"],
        national_actual=actual.sum(0),
        national_predicted=predicted.sum(0),
        national_parts=parts,
        totals={k: float(v.sum()) for k, v in parts.items()},
        diagnostics=residual_diagnostics(actual, predicted, keys, holdout),
        colors=part_colors(VIZ, params.channels),
    ), table


def make_run(root: Path, viz: VizConfig = VIZ, eda: bool = True) -> Run:
    """Every report of a small run under ``root``, then the summary."""
    paths = ProjectPaths(root)
    config = _config(viz)
    params = build_params()
    write_model(paths.models_dir, params)
    metadata = ModelMetadata.load(paths.models_dir)
    metadata_file = paths.models_dir / "metadata.json"
    raw = json.loads(metadata_file.read_text())
    metadata_file.write_text(json.dumps(raw | {"holdout_weeks": 8}))
    reports = paths.reports_dir
    reports.mkdir(parents=True, exist_ok=True)
    plots, metrics = _fit_tables(params, reports, 8)
    contributions = channel_roi_table(estimate_roi(params), 0.9)
    content = ReportContent(
        plots=plots,
        metrics=metrics,
        contributions=contributions[["channel", "spend", "contribution", "roi"]],
        media_response=pd.DataFrame(
            {"channel": list(params.channels), "carryover_total": params.typical_lag_weights.sum(0)}
        ),
        cpm=params.cpm_by_channel,
        n_series=len(params.series_brand),
        saturation=params.saturation,
        n_draws=params.n_draws,
        figures=(),
        training={"timings": {"adam": 1.0}},
        number_format=viz.number_format,
    )
    (reports / "model_report.html").write_text(model_report(content), encoding="utf-8")
    curves = extract_curves(params, CurveSettings(points=15), 0.9)
    estimates = estimate_roi(params)
    channel, segment = channel_roi_table(estimates, 0.9), segment_roi_table(estimates, 0.9)
    channel.to_csv(reports / "channel_roi.csv", index=False)
    segment.to_csv(reports / "roi_by_segment.csv", index=False)
    curves.to_frame().to_parquet(reports / "roi_curves.parquet")
    page = roi_report(curves, channel, segment, metadata, params.cpm_by_channel, params.n_draws, 2.0, viz)
    (reports / "roi_report.html").write_text(page, encoding="utf-8")
    scenarios = root / "scenarios.yaml"
    scenarios.write_text(SCENARIOS)
    simulator = MarketingSimulator.from_model_dir(paths.models_dir, SimulatorSettings(horizon_weeks=13, starts=2))
    batch = BatchPaths(scenarios, paths.simulations_dir, paths.simulation_figures, reports / "simulation_report.html")
    run_batch(simulator, batch, viz)
    if eda:
        from mmm_analytics.config.data import SyntheticSettings
        from mmm_analytics.synthetic import generate_panel

        frame = generate_panel(SyntheticSettings(seed=11, n_geos=2, n_brands=2, n_skus=1, n_weeks=104)).frame
        run_eda(
            as_clean_panel(frame),
            paths.eda_figures,
            reports / "eda",
            reports / "eda_report.html",
            FAST_VIZ.model_copy(update={"max_workers": 1}),
            TABLE,
            None,
        )
    write_summary(paths, config)
    return Run(paths, config, params)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every report of a small run but the EDA's (tested with the EDA tests' run), Indian number format."""
    return make_run(tmp_path_factory.mktemp("run"), eda=False)


@pytest.fixture(scope="session")
def segment_run(small_run: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The small run, then 'mmm simulate --brand BrandA --region EAST': its advice and frontier are of that
    brand x region alone; the summary written again."""
    import shutil

    root = tmp_path_factory.mktemp("segment") / "project"
    shutil.copytree(small_run.paths.root, root)
    paths = ProjectPaths(root)
    simulator = MarketingSimulator.from_model_dir(paths.models_dir, SimulatorSettings(horizon_weeks=13, starts=2))
    reports = paths.reports_dir
    batch = BatchPaths(
        root / "scenarios.yaml", paths.simulations_dir, paths.simulation_figures, reports / "simulation_report.html"
    )
    run_batch(simulator, batch, small_run.config.viz, "BrandA", "EAST")
    write_summary(paths, small_run.config)
    return Run(paths, small_run.config, small_run.params)
