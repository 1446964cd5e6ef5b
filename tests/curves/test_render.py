"""Tests of figure planning and (parallel) rendering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves import render
from mmm_analytics.curves.carryover import carryover_curves
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.curves.render import (
    FigureFormat,
    FigureKind,
    figure_format,
    grid_rows,
    plan_figures,
    render_figures,
)
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import build_params

VIZ = VizConfig(dpi=50, figure_width=6.0, figure_height=3.5, max_workers=2)


def test_plan_names_every_figure(params: ResponseParams, tmp_path: Path) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ)
    names = {job.path.name for job in jobs}
    n_channels, n_series = len(params.channels), len(params.series_brand)
    assert len(jobs) == n_channels * n_series + 2 * n_channels + 1
    assert {
        "roi_TV_BrandA_NORTH.png",
        "roi_Search_BrandB_SOUTH.png",
        "roi_grid_Radio.png",
        "carryover_TV.png",
        "roi_national.png",
    } <= names
    assert sum(job.kind is FigureKind.SEGMENT for job in jobs) == n_channels * n_series


def test_render_in_parallel_writes_every_file(params: ResponseParams, tmp_path: Path) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.SVG, VIZ)
    jobs = [next(job for job in jobs if job.kind is kind) for kind in FigureKind]
    paths = render_figures(jobs, VIZ, FigureFormat.SVG)
    assert paths == [job.path for job in jobs]
    for path in paths:
        assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_unknown_format_lists_the_choices() -> None:
    assert figure_format("PNG") is FigureFormat.PNG
    with pytest.raises(InputError, match="unknown figure format 'gif'.*png, svg, pdf"):
        figure_format("gif")


def test_every_series_of_sku_granularity_gets_its_own_figure(
    sku_params: tuple[ResponseParams, tuple[str, ...]], tmp_path: Path
) -> None:
    params, skus = sku_params
    curves = extract_curves(params, CurveSettings(points=5), 0.9, skus)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ)
    paths = [job.path for job in jobs]
    assert len(set(paths)) == len(paths)
    segments = [job for job in jobs if job.kind is FigureKind.SEGMENT]
    assert len(segments) == len(params.channels) * len(params.series_brand) == 24
    names = {job.path.name for job in segments}
    assert {"roi_TV_BrandA_NORTH_BrandA_SKU1.png", "roi_TV_BrandA_NORTH_BrandA_SKU2.png"} <= names
    assert all(job.curves[0].sku is not None and job.curves[0].sku in job.path.name for job in segments)


def test_names_equal_after_cleaning_get_a_number(tmp_path: Path) -> None:
    params = build_params(brands=("A B", "A/B"), regions=("N",), channels=("TV",), n_draws=4)
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ)
    names = [job.path.name for job in jobs if job.kind is FigureKind.SEGMENT]
    assert names == ["roi_TV_A_B_N.png", "roi_TV_A_B_N_2.png"]


def test_names_equal_up_to_case_get_a_number(tmp_path: Path) -> None:
    """Before, regions 'North' and 'NORTH' made roi_TV_A_North.png and roi_TV_A_NORTH.png, one file on a
    disk that ignores case (macOS, Windows): one figure replaced the other."""
    params = build_params(brands=("A",), regions=("North", "NORTH"), channels=("TV",), n_draws=4)
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ)
    names = [job.path.name for job in jobs if job.kind is FigureKind.SEGMENT]
    assert sorted(name.casefold() for name in names) == ["roi_tv_a_north.png", "roi_tv_a_north_2.png"]


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "workers"])
def test_render_removes_temp_files_an_interrupted_run_left(
    params: ResponseParams, tmp_path: Path, workers: int
) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ)[:2]
    stale = [tmp_path / ".roi_TV_BrandA_NORTH.k3j2_h1g.png", tmp_path / ".roi_national.a1b2c3d4.pdf"]
    kept = [tmp_path / ".notes.txt", tmp_path / "mine.png", tmp_path / ".roi_TV.png"]
    for path in stale + kept:
        path.write_bytes(b"partial")
    render_figures(jobs, VIZ.model_copy(update={"max_workers": workers}), FigureFormat.PNG)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)
    assert all(job.path.stat().st_size > 1000 for job in jobs)


@pytest.mark.parametrize("top", [0, 1, 3], ids=lambda n: f"top-{n}")
def test_default_plan_draws_the_cells_of_largest_spend(params: ResponseParams, tmp_path: Path, top: int) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    jobs = plan_figures(curves, carryover_curves(params, 0.9), tmp_path, FigureFormat.PNG, VIZ, top)
    drawn = {
        (job.curves[0].brand, job.curves[0].region, job.curves[0].channel)
        for job in jobs
        if job.kind is FigureKind.SEGMENT
    }
    spend = curves.current_spend[:-1]
    largest = sorted(np.ndindex(*spend.shape), key=lambda cell: -spend[cell])[:top]
    assert drawn == {(curves.brands[r], curves.regions[r], curves.channels[c]) for r, c in largest}
    assert sum(job.kind is not FigureKind.SEGMENT for job in jobs) == 2 * len(params.channels) + 1


def test_grid_keeps_the_largest_spenders(params: ResponseParams, monkeypatch: pytest.MonkeyPatch) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    monkeypatch.setattr(render, "GRID_SERIES", 2)
    rows = grid_rows(curves, 0)
    spend = curves.current_spend[:-1, 0]
    assert rows == sorted(rows) and len(rows) == 2
    assert set(rows) == set(np.argsort(-spend)[:2].tolist())
