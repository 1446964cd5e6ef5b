"""End-to-end tests of generate_curves on the hand-set model (low dpi, few points)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.config import load_config
from mmm_analytics.curves.extraction import CURVE_COLUMNS
from mmm_analytics.curves.pipeline import CurvesResult, generate_curves, load_model
from mmm_analytics.curves.summary import ROI_COLUMNS
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    METADATA_FILE,
    PARAMS_FILE,
    ModelMetadata,
    ResponseParams,
)

from .hand_model import build_params, write_fast_config, write_model


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CurvesResult]:
    root = tmp_path_factory.mktemp("curves_run")
    params = build_params(brands=("BrandA",), regions=("NORTH", "SOUTH"), channels=("TV", "Radio"), n_draws=30)
    model = write_model(root / "model", params)
    config = load_config(write_fast_config(root / "config"), required=True)
    return root, generate_curves(model / "mmm_model.keras", root / "figures", root / "reports", config)


def test_tables_have_exactly_the_specified_columns(run: tuple[Path, CurvesResult]) -> None:
    root, _ = run
    with open(root / "reports" / "channel_roi.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(ROI_COLUMNS)
    with open(root / "reports" / "roi_by_segment.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(("brand", "region", *ROI_COLUMNS))
    curves = pd.read_parquet(root / "reports" / "roi_curves.parquet")
    assert tuple(curves.columns) == CURVE_COLUMNS
    assert set(curves.loc[curves["brand"] == "all", "region"]) == {"all"}
    assert len(curves) == 2 * 3 * 11


def test_national_table_sums_the_segments(run: tuple[Path, CurvesResult]) -> None:
    root, _ = run
    national = pd.read_csv(root / "reports" / "channel_roi.csv").set_index("channel")
    segments = pd.read_csv(root / "reports" / "roi_by_segment.csv").groupby("channel")[["spend", "contribution"]].sum()
    pd.testing.assert_frame_equal(national[["spend", "contribution"]], segments.loc[national.index], rtol=1e-9)


def test_figures_report_and_summary(run: tuple[Path, CurvesResult]) -> None:
    root, result = run
    names = sorted(path.name for path in (root / "figures").glob("*.png"))
    assert len(names) == 2 * 2 + 2 + 2 + 1 and "roi_TV_BrandA_SOUTH.png" in names
    assert result.segment_figures == 4
    assert (root / "reports" / "roi_report.html").stat().st_size > 1_000_000  # plotly inlined
    summary = json.loads((root / "reports" / "curves_summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["segment_figures"] == 4 and summary["counts"]["draws"] == 30
    assert summary["seconds"]["total"] >= summary["seconds"]["figures"] > 0


@pytest.mark.parametrize("missing", [METADATA_FILE, PARAMS_FILE])
def test_missing_model_file_is_named(model_dir: Path, missing: str) -> None:
    (model_dir / missing).unlink()
    with pytest.raises(InputError, match=missing.replace(".", r"\.")):
        load_model(model_dir)


def test_missing_model_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="model folder .*nowhere.* not found"):
        load_model(tmp_path / "nowhere" / "mmm_model.keras")


def test_channel_mismatch_names_both_files(model_dir: Path, params: ResponseParams) -> None:
    metadata = ModelMetadata.load(model_dir)
    ModelMetadata(**{**metadata.__dict_for_json__(), "channels": ["TV", "Print", "Search"]}).save(model_dir)
    with pytest.raises(InputError, match="response_params.npz.*metadata.json"):
        load_model(model_dir)


def test_bad_format_fails_before_any_work(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown figure format"):
        generate_curves(model_dir, tmp_path / "f", tmp_path / "r", load_config(tmp_path / "none"), fmt="bmp")
    assert not (tmp_path / "r").exists()
