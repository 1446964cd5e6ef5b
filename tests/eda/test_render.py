"""Rendering: in-process and in forked workers give the same files; progress is reported per figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.eda.pipeline import compute_outcomes
from mmm_analytics.eda.registry import ANALYSES
from mmm_analytics.eda.render import RenderJob, render_all

CHEAP = ("vif", "sku_mix", "collinear_pair", "geo_brand_heatmap")


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "forked"])
def test_render_all_writes_every_figure_and_reports_progress(view, tmp_path: Path, fast_viz, workers: int) -> None:
    outcomes = {o.slug: o for o in compute_outcomes(view)}
    jobs = [RenderJob(a, outcomes[a.slug].result, tmp_path / a.file_name) for a in ANALYSES if a.slug in CHEAP]
    seen: list[str] = []
    viz = fast_viz.model_copy(update={"max_workers": workers})
    seconds = render_all(jobs, viz, lambda job, _s: seen.append(job.path.name))
    assert sorted(seen) == sorted(job.path.name for job in jobs)
    assert set(seconds) == {job.path for job in jobs}
    assert all(job.path.stat().st_size > 1000 for job in jobs)
