"""Every registered analysis: numbered, distinct, and its figure created and saved by a full run."""

from __future__ import annotations

import re

import pytest

from mmm_analytics.eda.registry import ANALYSES, Analysis

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_at_least_twenty_distinct_numbered_analyses() -> None:
    assert len(ANALYSES) >= 20
    assert [a.number for a in ANALYSES] == list(range(1, len(ANALYSES) + 1))
    assert len({a.slug for a in ANALYSES}) == len(ANALYSES)
    assert len({a.compute for a in ANALYSES}) == len(ANALYSES)
    assert all(re.fullmatch(r"\d{2}_[a-z_]+\.png", a.file_name) for a in ANALYSES)
    assert all(a.question.endswith("?") for a in ANALYSES)


@pytest.mark.parametrize("analysis", ANALYSES, ids=[a.slug for a in ANALYSES])
def test_each_analysis_ran_and_saved_its_figure(eda_run, analysis: Analysis, fast_viz) -> None:
    outcome = eda_run.outcome(analysis.slug)
    assert outcome.skipped is None
    assert outcome.figure is not None and outcome.figure.name == analysis.file_name
    data = outcome.figure.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width = int.from_bytes(data[16:20], "big")
    assert width == round(fast_viz.figure_width * fast_viz.dpi)
