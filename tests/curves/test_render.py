"""Tests of figure planning and (parallel) rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves.carryover import carryover_curves
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.curves.render import (
    FigureFormat,
    FigureKind,
    figure_format,
    plan_figures,
    render_figures,
    safe_name,
)
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import ResponseParams

VIZ = VizConfig(dpi=50, figure_width=4.0, figure_height=2.5, max_workers=2)


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


@pytest.mark.parametrize(("text", "expected"), [("TV", "TV"), ("Tamil Nadu", "Tamil_Nadu"), ("a/b", "a_b")])
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_unknown_format_lists_the_choices() -> None:
    assert figure_format("PNG") is FigureFormat.PNG
    with pytest.raises(InputError, match="unknown figure format 'gif'.*png, svg, pdf"):
        figure_format("gif")
