"""Tests of the self-contained interactive ROI report."""

from __future__ import annotations

import json
import re

import pytest

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.curves.report import build_report, curve_payload, html_table
from mmm_analytics.curves.summary import (
    channel_roi_table,
    estimate_roi,
    segment_roi_table,
)
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import metadata_for


@pytest.fixture(scope="module")
def page(params: ResponseParams) -> str:
    curves = extract_curves(params, CurveSettings(points=7), 0.9)
    estimates = estimate_roi(params)
    return build_report(
        curves,
        channel_roi_table(estimates, 0.9),
        segment_roi_table(estimates, 0.9),
        metadata_for(params),
        params.cpm_by_channel,
        params.n_draws,
        2.0,
    )


def test_plotly_is_inlined_once_and_nothing_is_fetched(page: str) -> None:
    assert page.count("Plotly=") + page.count("plotly.js v") >= 1
    assert len(re.findall(r"<script>", page)) == 2  # the plotly bundle and the page script
    assert not re.search(r"<script[^>]+src=", page)
    assert "cdn.plot.ly" not in page.split("</script>", 1)[1]


def test_cpm_assumption_is_at_the_top(page: str, params: ResponseParams) -> None:
    body = page[page.index("<body>") :]
    assumption = body[: body.index("<select")]
    assert "CPM assumption" in assumption
    for channel, cpm in zip(params.channels, params.cpm):
        assert f"{channel} {cpm:,.2f}" in assumption


def test_dropdowns_and_sortable_tables(page: str) -> None:
    for name in ("channel", "brand", "region"):
        assert f'<select id="{name}">' in page
    assert page.count('<table class="sortable">') == 2
    assert "function sortTable" in page


def test_payload_has_every_curve_and_national(params: ResponseParams) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    payload = curve_payload(curves)
    assert len(payload["curves"]) == len(params.channels) * (len(params.series_brand) + 1)
    assert payload["brands"] == ["all", "BrandA", "BrandB"] and payload["regions"] == ["all", "NORTH", "SOUTH"]
    national = payload["curves"]["Radio|all|all"]
    assert national["spend"][0] == 0.0 and len(national["response"]) == 5
    json.dumps(payload, allow_nan=False)  # NaN and infinities are written as null


def test_table_cells_carry_sortable_values(params: ResponseParams) -> None:
    table = html_table(channel_roi_table(estimate_roi(params), 0.9))
    assert table.count("<tr>") == len(params.channels) + 1
    assert re.search(r'<td data-v="[0-9.e+-]+">[0-9,]+</td>', table)
