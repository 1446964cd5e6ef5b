"""Rendering: in-process and in worker processes give the same files; progress is reported per figure;
temp files an interrupted run left are removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.eda.pipeline import compute_outcomes
from mmm_analytics.eda.registry import ANALYSES
from mmm_analytics.eda.render import RenderJob, render_all

CHEAP = ("vif", "sku_mix", "collinear_pair", "geo_brand_heatmap")


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "workers"])
def test_render_all_writes_every_figure_and_reports_progress(view, tmp_path: Path, fast_viz, workers: int) -> None:
    outcomes = {o.slug: o for o in compute_outcomes(view)}
    jobs = [RenderJob(a, outcomes[a.slug].result, tmp_path / a.file_name) for a in ANALYSES if a.slug in CHEAP]
    seen: list[str] = []
    viz = fast_viz.model_copy(update={"max_workers": workers})
    seconds = render_all(jobs, viz, lambda job, _s: seen.append(job.path.name))
    assert sorted(seen) == sorted(job.path.name for job in jobs)
    assert set(seconds) == {job.path for job in jobs}
    assert all(job.path.stat().st_size > 1000 for job in jobs)


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "workers"])
def test_render_all_removes_temp_files_an_interrupted_run_left(view, tmp_path: Path, fast_viz, workers: int) -> None:
    outcomes = {o.slug: o for o in compute_outcomes(view)}
    jobs = [RenderJob(a, outcomes[a.slug].result, tmp_path / a.file_name) for a in ANALYSES if a.slug in CHEAP[:2]]
    stale = tmp_path / f".{Path(jobs[0].path).stem}.k3j2_h1g.png"
    kept = [tmp_path / ".notes.a1b2c3d4.txt", tmp_path / "keep.png"]
    for path in (stale, *kept):
        path.write_bytes(b"partial")
    render_all(jobs, fast_viz.model_copy(update={"max_workers": workers}))
    assert not stale.exists()
    assert all(path.exists() for path in kept)
    assert sorted(p.name for p in tmp_path.glob(".*")) == [".notes.a1b2c3d4.txt"]
