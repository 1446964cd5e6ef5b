"""End-to-end tests of generate_curves on the hand-set model (low dpi, few points)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config import load_config
from mmm_analytics.curves.extraction import CURVE_COLUMNS
from mmm_analytics.curves.pipeline import CurvesResult, generate_curves, load_model
from mmm_analytics.curves.summary import ROI_COLUMNS, SKU_SEGMENT_COLUMNS
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    METADATA_FILE,
    PARAMS_FILE,
    ModelMetadata,
    ResponseParams,
    model_digest,
)

from .hand_model import build_params, build_sku_params, pool_form, write_fast_config, write_model


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


def test_the_curves_table_leaves_roi_empty_at_zero_spend(run: tuple[Path, CurvesResult]) -> None:
    """roi_curves.parquet: at spend 0 the response is 0 and the ROI and marginal ROI are empty (NaN), on
    every curve; every other point's are finite numbers. Before, the zero row held the marginal ROI at 0."""
    root, _ = run
    curves = pd.read_parquet(root / "reports" / "roi_curves.parquet")
    zero = curves[curves["spend"] == 0.0]
    assert len(zero) == 2 * 3  # one point per curve: 2 channels x (2 series + national)
    assert (zero["response"] == 0.0).all() and zero[["roi", "mroi"]].isna().all().all()
    assert np.isfinite(curves.loc[curves["spend"] > 0.0, ["roi", "mroi"]].to_numpy()).all()


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
    with pytest.raises(InputError, match="model (folder|file) .*nowhere.* not found"):
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


@pytest.fixture(scope="module")
def sku_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CurvesResult]:
    """A model of brand x region x SKU series (1 brand x 2 regions x 2 SKUs x 2 channels)."""
    root = tmp_path_factory.mktemp("curves_sku_run")
    params, skus = build_sku_params(brands=("BrandA",), channels=("TV", "Radio"), n_draws=30)
    model = write_model(root / "model", params, skus)
    config = load_config(write_fast_config(root / "config"), required=True)
    (root / "reports").mkdir()
    for name in (".channel_roi.k3j2_h1g.csv", ".roi_curves.a1b2c3d4.parquet", ".other.a1b2c3d4.csv"):
        (root / "reports" / name).write_text("partial", encoding="utf-8")
    return root, generate_curves(model, root / "figures", root / "reports", config)


def test_sku_granularity_writes_a_figure_per_series_and_channel(sku_run: tuple[Path, CurvesResult]) -> None:
    root, result = sku_run
    segment_names = {path.name for path in result.figures if path.name.startswith("roi_") and "_grid_" not in path.name}
    segment_names.discard("roi_national.png")
    assert result.segment_figures == len(segment_names) == 4 * 2
    assert "roi_Radio_BrandA_SOUTH_BrandA_SKU2.png" in segment_names
    assert len({p.name for p in (root / "figures").glob("*.png")}) == len(result.figures)


def test_sku_granularity_tables_have_a_row_per_series(sku_run: tuple[Path, CurvesResult]) -> None:
    root, _ = sku_run
    segments = pd.read_csv(root / "reports" / "roi_by_segment.csv")
    assert tuple(segments.columns) == SKU_SEGMENT_COLUMNS
    assert len(segments) == 8 and not segments.duplicated(["brand", "region", "sku", "channel"]).any()
    national = pd.read_csv(root / "reports" / "channel_roi.csv").set_index("channel")
    sums = segments.groupby("channel")[["spend", "contribution"]].sum().loc[national.index]
    pd.testing.assert_frame_equal(national[["spend", "contribution"]], sums, rtol=1e-9)
    curves = pd.read_parquet(root / "reports" / "roi_curves.parquet")
    assert curves.groupby(["channel", "brand", "region", "sku"]).size().eq(11).all()
    assert "BrandA (BrandA_SKU2)" in (root / "reports" / "roi_report.html").read_text(encoding="utf-8")


def test_a_rerun_removes_the_temp_files_of_its_own_tables(sku_run: tuple[Path, CurvesResult]) -> None:
    root, _ = sku_run
    assert sorted(path.name for path in (root / "reports").glob(".*")) == [".other.a1b2c3d4.csv"]


def test_series_of_a_model_saved_without_skus_are_told_apart(tmp_path: Path) -> None:
    params, _ = build_sku_params(brands=("BrandA",), regions=("NORTH",), channels=("TV",), n_draws=4)
    model = write_model(tmp_path / "model", params)
    config = load_config(write_fast_config(tmp_path / "config"), required=True)
    result = generate_curves(model, tmp_path / "figures", tmp_path / "reports", config)
    assert list(result.roi_by_segment["sku"]) == ["series_0", "series_1"]
    assert {"roi_TV_BrandA_NORTH_series_0.png", "roi_TV_BrandA_NORTH_series_1.png"} <= {
        path.name for path in result.figures
    }


def test_a_pooled_form_in_the_model_folder_widens_the_tables_intervals_and_is_named(
    run: tuple[Path, CurvesResult], tmp_path: Path
) -> None:
    """``mmm train`` saves the saturation form it could not rule out; ``mmm curves`` pools its draws
    into every interval (tables, curve bands) and says so in the summary and the report. Point
    values are the mean of the two forms' (tolerance 1e-9): the tables', the curves' and their
    saturation points'."""
    from mmm_analytics.curves.extraction import extract_curves
    from mmm_analytics.curves.summary import channel_roi_table, estimate_roi

    root, alone = run
    params = build_params(brands=("BrandA",), regions=("NORTH", "SOUTH"), channels=("TV", "Radio"), n_draws=30)
    logistic = dataclasses.replace(params, saturation="logistic")
    model = write_model(tmp_path / "model", params)
    pool_form(model, logistic)
    config = load_config(write_fast_config(tmp_path / "config"), required=True)
    result = generate_curves(model, tmp_path / "figures", tmp_path / "reports", config)
    other = channel_roi_table(estimate_roi(logistic), 0.9)
    np.testing.assert_allclose(result.channel_roi["spend"], alone.channel_roi["spend"], rtol=1e-12)
    for column in ("contribution", "roi", "mroi"):
        mean = (alone.channel_roi[column] + other[column]) / 2
        np.testing.assert_allclose(result.channel_roi[column], mean, rtol=1e-9, err_msg=column)
    other_curves = extract_curves(logistic, config.model.curves, 0.9)
    for name in ("response", "mroi", "ceiling"):
        mean = (getattr(alone.curves, name) + getattr(other_curves, name)) / 2
        np.testing.assert_allclose(getattr(result.curves, name), mean, rtol=1e-9, err_msg=name)
    assert not np.allclose(result.curves.response, alone.curves.response)
    assert not np.allclose(result.channel_roi["roi_lower"], alone.channel_roi["roi_lower"])
    assert not np.allclose(result.curves.response_lower, alone.curves.response_lower, equal_nan=True)
    summary = json.loads((tmp_path / "reports" / "curves_summary.json").read_text(encoding="utf-8"))
    assert summary["interval"]["pooled_saturation"] == ["logistic"]
    assert summary["model_digest"] == model_digest(model) != ""  # which training mmm report reads it as
    page = (tmp_path / "reports" / "roi_report.html").read_text(encoding="utf-8")
    assert "The curves and ROIs are the mean of the two fits" in page
    assert "the intervals pool the 30 draws of each" in page
    assert "the intervals pool" not in (root / "reports" / "roi_report.html").read_text(encoding="utf-8")
