"""The whole pipeline (`mmm run`) on a reduced synthetic panel: every artefact exists and agrees.

2 geos x 2 brands x 1 SKU x 104 weeks, few Adam epochs and draws, low dpi.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.simulator.optimizer import JSON_KEYS

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = ["TV", "YouTube", "Facebook", "Instagram", "Print", "Radio"]


def _reduced_config(folder: Path) -> Path:
    shutil.copytree(ROOT / "config", folder)
    edits = {
        "data_config.yaml": {"synthetic": {"seed": 11, "n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 104}},
        "model_config.yaml": {"epochs": 6, "intervals": {"draws": 60}},
        "viz_config.yaml": {"dpi": 50},
    }
    for name, changes in edits.items():
        data = yaml.safe_load((folder / name).read_text())
        for key, value in changes.items():
            data[key] = data[key] | value if isinstance(value, dict) else value
        (folder / name).write_text(yaml.safe_dump(data))
    return folder


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("pipeline")
    config = _reduced_config(root / "config")
    result = CliRunner().invoke(app, ["run", "--output-dir", str(root / "project"), "--config-dir", str(config)])
    assert result.exit_code == 0, result.output
    return root / "project", result.output


@pytest.mark.slow
def test_every_artefact_exists(pipeline_run: tuple[Path, str]) -> None:
    project, _ = pipeline_run
    for relative in (
        "data/raw/mmm_data.csv",
        "data/raw/ground_truth.json",
        "data/raw/data_dictionary.json",
        "data/processed/clean_panel.parquet",
        "data/processed/features.parquet",
        "outputs/models/mmm_model.keras",
        "outputs/models/metadata.json",
        "outputs/models/response_params.npz",
        "outputs/reports/eda_report.html",
        "outputs/reports/model_report.html",
        "outputs/reports/roi_report.html",
        "outputs/reports/simulation_report.html",
        "outputs/reports/channel_roi.csv",
        "outputs/reports/roi_by_segment.csv",
        "outputs/reports/roi_curves.parquet",
        "outputs/reports/channel_contributions.csv",
        "outputs/simulations/optimal_allocation.json",
    ):
        assert (project / relative).is_file(), relative
    assert len(list((project / "outputs/figures/eda").glob("*.png"))) >= 20
    # Single-curve figures for the cells of largest spend only (viz_config.yaml top_curve_figures).
    top = yaml.safe_load((ROOT / "config" / "viz_config.yaml").read_text())["top_curve_figures"]
    assert len(list((project / "outputs/figures/roi_curves").glob("roi_*_*_*.png"))) == min(2 * 2 * 6, top)


@pytest.mark.slow
def test_contributions_and_baseline_add_up_to_the_predictions(pipeline_run: tuple[Path, str]) -> None:
    project, _ = pipeline_run
    roi = pd.read_csv(project / "outputs/reports/channel_roi.csv")
    assert list(roi.columns) == [
        "channel",
        "spend",
        "contribution",
        "roi",
        "roi_lower",
        "roi_upper",
        "mroi",
        "mroi_lower",
        "mroi_upper",
    ]
    decomposition = pd.read_csv(project / "outputs/reports/decomposition.csv")
    non_media = decomposition[["base", "price", "promotions"]].to_numpy().sum()
    assert non_media + roi["contribution"].sum() == pytest.approx(decomposition["predicted"].sum(), rel=1e-6)
    contributions = pd.read_csv(project / "outputs/reports/channel_contributions.csv")
    np.testing.assert_allclose(contributions["contribution"], roi["contribution"], rtol=1e-6)
    assert (roi["roi_lower"] <= roi["roi"]).all() and (roi["roi"] <= roi["roi_upper"]).all()


@pytest.mark.slow
def test_optimiser_allocation_sums_to_the_budget(pipeline_run: tuple[Path, str]) -> None:
    project, _ = pipeline_run
    plan = json.loads((project / "outputs/simulations/optimal_allocation.json").read_text())
    assert tuple(plan) == JSON_KEYS  # the keys of `mmm optimize`'s JSON, in its order
    assert {"uplift_lower", "uplift_upper", "prob_beats_current", "data_range"} <= set(plan)
    # Every channel has spend in the bundled panel: each has a marginal ROI (null only where the data has none).
    assert all(isinstance(value, float) for value in plan["marginal_roi"].values())
    assert plan["converged"] is True
    assert plan["uplift_lower"] <= plan["uplift_upper"] and 0.0 <= plan["prob_beats_current"] <= 1.0
    assert sum(plan["allocation"].values()) == pytest.approx(plan["weekly_budget"], rel=1e-6)
    assert sum(plan["current_allocation"].values()) == pytest.approx(plan["weekly_budget"], rel=1e-6)
    assert plan["expected_incremental_sales"] >= plan["current_incremental_sales"] * (1 - 1e-9)


@pytest.mark.slow
def test_summary_reports_the_key_numbers(pipeline_run: tuple[Path, str]) -> None:
    _, output = pipeline_run
    for text in ("Pipeline summary", "holdout wMAPE", "highest ROI", "optimiser uplift"):
        assert text in output


def test_a_missing_input_names_the_command_that_makes_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--output-dir", str(tmp_path), "--steps", "train"])
    assert result.exit_code == 2
    assert "mmm features" in result.output


def test_unknown_step_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--output-dir", str(tmp_path), "--steps", "data,modelling"])
    assert result.exit_code == 2
    assert "unknown step 'modelling'" in result.output
