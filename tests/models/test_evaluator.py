"""``evaluate`` end to end on the trained model of ``trained_model_dir`` (conftest.py).

Tolerances: contributions against the NumPy response rtol=1e-6; metrics against a
hand computation rtol=1e-9; decomposition sums within 1e-6 of the largest prediction.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.errors import InputError
from mmm_analytics.models.decomposition import decompose
from mmm_analytics.models.evaluation_figures import FigureKind
from mmm_analytics.models.evaluator import (
    CONTRIBUTIONS_CSV,
    DECOMPOSITION_CSV,
    DIAGNOSTICS_CSV,
    METRICS_CSV,
    METRICS_JSON,
    REPORT_HTML,
    evaluate,
)
from mmm_analytics.models.metrics import fit_metrics, flat_forecast_wmape
from mmm_analytics.models.report import CHART_IDS, SECTIONS
from mmm_analytics.response.steady_state import historical_contribution

VIZ = VizConfig(dpi=50, max_workers=1, figure_width=6.0, figure_height=3.5)
TRAINING = {"timings": {"adam": 1.25}, "best_epoch": 4, "noise_scale": 0.01}


@pytest.fixture(scope="module")
def evaluation(fitted, tmp_path_factory):
    model, panel, params = fitted
    root = tmp_path_factory.mktemp("evaluation")
    return evaluate(decompose(model, panel), panel, params, root / "reports", root / "figures", VIZ, training=TRAINING)


def test_every_file_is_written(evaluation):
    names = [path.name for path in evaluation.files]
    assert names == [
        METRICS_CSV,
        METRICS_JSON,
        DECOMPOSITION_CSV,
        CONTRIBUTIONS_CSV,
        DIAGNOSTICS_CSV,
        *[f"{kind.value}.png" for kind in FigureKind],
        REPORT_HTML,
    ]
    assert all(path.is_file() and path.stat().st_size > 0 for path in evaluation.files)


def _report(evaluation, name):
    return next(path for path in evaluation.files if path.name == name)


def test_channel_contributions_csv_has_exactly_the_columns_and_matches_params(fitted, evaluation):
    _, panel, params = fitted
    table = pd.read_csv(_report(evaluation, CONTRIBUTIONS_CSV))
    assert list(table.columns) == ["channel", "spend", "contribution", "roi"]
    assert table["channel"].tolist() == list(panel.channels)
    np.testing.assert_allclose(table["contribution"], historical_contribution(params).sum(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_allclose(table["spend"], params.spend.sum(axis=(0, 1)), rtol=1e-12)


def test_metrics_files_match_a_hand_computation(fitted, evaluation):
    _, panel, params = fitted
    table = pd.read_csv(_report(evaluation, METRICS_CSV))
    assert list(table.columns) == [
        "level",
        "brand",
        "region",
        "period",
        "n_obs",
        "r2",
        "mape",
        "wmape",
        "nrmse",
        "bias",
    ]
    n_train = panel.n_train_weeks
    for period, weeks in (("train", slice(0, n_train)), ("holdout", slice(n_train, None))):
        row = table.query(f"level == 'overall' and period == '{period}'").iloc[0]
        expected = fit_metrics(panel.sales[:, weeks], params.predicted_sales[:, weeks])
        assert row[list(expected)].to_dict() == pytest.approx(expected, rel=1e-9)
    saved = json.loads(_report(evaluation, METRICS_JSON).read_text())
    assert saved == json.loads(json.dumps(evaluation.metrics))
    assert saved["holdout"]["overall"]["n_obs"] == panel.holdout_weeks * len(panel.brand)
    assert len(saved["train"]["series"]) == len(panel.brand)
    # beside the model's holdout wMAPE, that of the flat forecast it must beat (the warning reads both)
    flat = flat_forecast_wmape(panel.sales, panel.holdout_weeks, panel.sales_observed)
    assert saved["holdout"]["overall"]["flat_forecast_wmape"] == pytest.approx(flat, rel=1e-12) and flat > 0


def test_headline_reports_fit_and_residual_autocorrelation(evaluation):
    headline = evaluation.headline()
    assert headline["holdout wMAPE"] == evaluation.metrics["holdout"]["overall"]["wmape"]
    assert {"train R2", "holdout R2", "holdout bias", "Durbin-Watson (train)"} <= headline.keys()
    assert all(math.isfinite(v) for v in headline.values())


def test_decomposition_csv_adds_up(fitted, evaluation):
    _, panel, _ = fitted
    frame = pd.read_csv(_report(evaluation, DECOMPOSITION_CSV))
    parts = ["base", "price", "promotions", *panel.channels]
    assert list(frame.columns) == ["date", "brand", "region", "actual", "predicted", *parts]
    scale = frame["predicted"].abs().max()
    np.testing.assert_allclose(frame[parts].sum(axis=1), frame["predicted"], rtol=0.0, atol=1e-6 * scale)
    np.testing.assert_allclose(frame["actual"], panel.sales.reshape(-1), rtol=1e-12)


def test_residual_diagnostics_csv(fitted, evaluation):
    _, panel, _ = fitted
    table = pd.read_csv(_report(evaluation, DIAGNOSTICS_CSV))
    assert list(table.columns) == [
        "level",
        "brand",
        "region",
        "n_weeks",
        "durbin_watson",
        *[f"acf_lag_{lag}" for lag in range(1, 9)],
    ]
    assert table["level"].tolist() == ["overall", "national", *["series"] * len(panel.brand)]
    assert table["durbin_watson"].between(0.0, 4.0).all()
    assert (table["n_weeks"] == panel.n_train_weeks).all()


def test_report_has_every_section_chart_and_figure(fitted, evaluation):
    _, panel, _ = fitted
    page = _report(evaluation, REPORT_HTML).read_text(encoding="utf-8")
    assert page.count(get_plotlyjs()) == 1
    assert all(f'<section id="{key}">' in page for key in SECTIONS)
    assert all(f'<div id="{chart}" class="chart">' in page for chart in CHART_IDS)
    assert page.count('<img src="data:image/png;base64,') == len(FigureKind)
    assert all(f"{channel} {cpm:,.2f}" in page for channel, cpm in zip(panel.channels, panel.cpm))
    assert "Adam 1.2 s" in page and "Noise scale" in page


def test_training_run_wrote_the_reports(trained_model_dir):
    """``train`` evaluates with the shipped viz settings (figures in forked workers)."""
    table = pd.read_csv(trained_model_dir / "reports" / CONTRIBUTIONS_CSV)
    assert list(table.columns) == ["channel", "spend", "contribution", "roi"]
    assert all((trained_model_dir / "figures" / f"{kind.value}.png").is_file() for kind in FigureKind)


def test_features_of_another_model_are_refused(fitted, tmp_path):
    model, panel, params = fitted
    other = dataclasses.replace(params, channels=tuple(reversed(params.channels)))
    with pytest.raises(InputError, match="re-run 'mmm train'"):
        evaluate(decompose(model, panel), panel, other, tmp_path, tmp_path, VIZ)
    assert not any(tmp_path.iterdir())


def test_fit_panels_keep_the_largest_groups_and_say_so() -> None:
    """Big panels draw the largest groups by sales only; the caption names how many in all."""
    from types import SimpleNamespace

    from mmm_analytics.models.evaluator import _grouped

    sales = np.arange(1, 21, dtype=float)[:, None] * np.ones((20, 4))
    panel = SimpleNamespace(sales=sales)
    decomposition = SimpleNamespace(predicted=sales * 1.1)
    names = tuple(f"R{i % 10:02d}" for i in range(20))  # 10 regions, R09 the largest
    panels = _grouped(panel, decomposition, names, top=3)
    assert panels.labels == ("R07", "R08", "R09") and panels.n_groups == 10
    np.testing.assert_allclose(panels.actual[:, 0], [8 + 18, 9 + 19, 10 + 20])
    np.testing.assert_allclose(panels.predicted, panels.actual * 1.1)
    assert panels.caption == " (top 3 of 10 by sales)"
    assert _grouped(panel, decomposition, names, top=10).caption == ""
    assert pd.Index(_grouped(panel, decomposition, names).labels).is_monotonic_increasing
