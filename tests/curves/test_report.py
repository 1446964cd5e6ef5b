"""Tests of the self-contained interactive ROI report."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves import report
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.curves.pipeline import write_report_data
from mmm_analytics.curves.report import (
    build_report,
    curve_payload,
    data_file,
    data_script,
    experiment_section,
    inline_rows,
    roi_table,
    segment_curves,
)
from mmm_analytics.curves.summary import (
    channel_roi_table,
    estimate_roi,
    segment_roi_table,
)
from mmm_analytics.reports.browser import Browser, find_chromium
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import build_params, metadata_for


def _page(params: ResponseParams, viz: VizConfig | None = None) -> str:
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
        viz,
    )


@pytest.fixture(scope="module")
def page(params: ResponseParams) -> str:
    return _page(params)


def _data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S).group(1))


def test_the_report_suggests_lift_tests_where_the_sales_credit_is_least_certain(page: str) -> None:
    assert 'id="experiments"' in page and "Where a lift test would teach the most" in page
    # right under the national table, before the long table of segments
    assert page.index('id="channels"') < page.index('id="experiments"') < page.index('id="segments"')
    assert "mmm train --lift-tests PATH.csv" in page and "Width of the 90% contribution interval (INR)" in page
    table = pd.DataFrame(
        {
            "channel": ["TV", "YouTube", "Print"],
            "contribution": [500000.0, 480000.0, 20000.0],
            "roi": [2.0, 1.5, 1.0],
            "roi_lower": [1.5, 0.5, 0.1],
            "roi_upper": [2.5, 3.0, 9.0],
        }
    )
    section = experiment_section(table, 0.9, VizConfig())
    text, shown = section.blocks
    assert "YouTube and TV have the widest 90% contribution intervals" in text.paragraphs[0]  # Print: 2%
    assert [row[0].text for row in shown.rows] == ["YouTube", "TV"]
    # widths: 480,000 x 2.5 / 1.5 = 8,00,000 and 500,000 x 1 / 2 = 2,50,000 INR (Indian grouping)
    assert [row[1].text for row in shown.rows] == ["8,00,000", "2,50,000"] and shown.rows[0][3].text == "48%"
    empty = experiment_section(table.assign(contribution=0.0), 0.9, VizConfig())
    assert "No channel holds 5% or more" in empty.blocks[0].paragraphs[0]


def test_plotly_is_inlined_once_and_nothing_is_fetched(page: str) -> None:
    assert page.count("plotly.js v") == 1
    assert not re.search(r"<script[^>]+src=", page)
    assert "cdn.plot.ly" not in page.split("</script>", 1)[1]


def test_cpm_assumption_is_at_the_top(page: str, params: ResponseParams) -> None:
    body = page[page.index("<main>") :]
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


def test_the_curve_data_hold_no_roi_at_zero_spend(params: ResponseParams) -> None:
    """Every curve's ROI and marginal ROI start empty (null) at spend 0, where the response is 0, and are
    numbers from the first positive spend on; the data stay valid JSON without NaN. Before, the zero point
    carried the marginal ROI at 0 (the TV curves' steepest slope, 0 for the steeper channels)."""
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    payload = curve_payload(curves)
    json.dumps(payload, allow_nan=False)
    for key, entry in payload["curves"].items():
        assert entry["spend"][0] == entry["response"][0] == 0.0, key
        assert entry["roi"][0] is None and entry["mroi"][0] is None, key
        assert None not in entry["roi"][1:] + entry["mroi"][1:], key
    script = data_script(curves, 0)
    assert json.loads(script[len("mmmRoiCurves(") : -3])["TV|BrandA|NORTH"]["roi"][0] is None


def test_table_cells_carry_sortable_values_and_intervals(params: ResponseParams) -> None:
    table = roi_table(channel_roi_table(estimate_roi(params), 0.9), VizConfig(), 0.9)
    assert len(table.rows) == len(params.channels)
    assert "Historical average ROI (90% interval)" in table.headers
    roi = table.rows[0][table.headers.index("Historical average ROI (90% interval)")]
    assert re.fullmatch(r"\d+\.\d\d \(\d+\.\d\d to \d+\.\d\d\)", roi.text) and isinstance(roi.sort, float)
    # Before, the headers said 90% whatever intervals.level was.
    other = roi_table(channel_roi_table(estimate_roi(params), 0.8), VizConfig(), 0.8)
    assert [h for h in other.headers if "interval" in h] == [
        "Contribution over the period (INR, 80% interval)",
        "Historical average ROI (80% interval)",
        "Marginal ROI at today's spend (80% interval)",
    ]


def test_every_roi_is_named_and_headers_are_human(page: str) -> None:
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert headers and not [h for h in headers if "_" in h]
    for text in headers:
        if "ROI" in text:
            assert text.startswith(("Historical average ROI", "Marginal ROI")), text
    assert "steady-state ROI" in page


def test_the_caption_promises_a_marker_only_when_it_is_drawn(page: str) -> None:
    """The purple (90% of ceiling) and gold (break-even) lines are named only when inside the x axis."""
    script = page[page.index("function draw()") :]
    assert 'shown(d.ceiling_spend) ? " (purple, dash-dot)" : ", " + beyond' in script
    assert "if (shown(d.ceiling_spend)) shapes.push" in script
    assert "range: [0, top]" in script  # the axis the markers are judged against


@pytest.mark.parametrize(
    ("number_format", "locale", "pattern"),
    [("indian", "en-IN", r">\d{1,2},\d{2},\d{3} \("), ("western", "en-US", r">\d,\d{3},\d{3} \(")],
    ids=["indian", "western"],
)
def test_one_number_format_in_tables_and_script(
    params: ResponseParams, number_format: str, locale: str, pattern: str
) -> None:
    """The tables group digits and the chart's captions format numbers the same way."""
    page = _page(params, VizConfig(number_format=number_format))
    assert _data(page)["locale"] == locale
    assert re.search(pattern, page)
    other = "en-US" if locale == "en-IN" else "en-IN"
    assert other not in page.replace(get_plotlyjs(), "")


@pytest.mark.parametrize(
    ("number_format", "draws"), [("indian", "1,00,000"), ("western", "100,000")], ids=["indian", "western"]
)
def test_the_method_counts_follow_the_number_format(params: ResponseParams, number_format: str, draws: str) -> None:
    """Before, the method note read "over 100000 parameter draws" in either format."""
    curves = extract_curves(params, CurveSettings(points=7), 0.9)
    estimates = estimate_roi(params)
    page = build_report(
        curves,
        channel_roi_table(estimates, 0.9),
        segment_roi_table(estimates, 0.9),
        metadata_for(params),
        params.cpm_by_channel,
        100_000,
        2.0,
        VizConfig(number_format=number_format),
    )
    assert f"over {draws} parameter draws" in page


def test_rows_left_out_of_the_page_are_named_with_their_data_file(params: ResponseParams) -> None:
    curves = extract_curves(params, CurveSettings(points=5), 0.9)
    inline = inline_rows(curves, count=1)
    payload = curve_payload(curves, inline)
    assert len(inline) == 2 and inline[-1] == curves.n_rows - 1  # the largest series and national
    assert len(payload["curves"]) == 2 * len(params.channels)
    assert len(payload["files"]) == curves.n_rows - 2
    row = next(r for r in range(curves.n_rows - 1) if r not in inline)
    key = f"{curves.brands[row]}|{curves.regions[row]}"
    assert payload["files"][key] == data_file(row) == f"roi_report_data/segment_{row:05d}.js"
    script = data_script(curves, row)
    assert script.startswith("mmmRoiCurves({") and script.endswith(");\n")
    assert json.loads(script[len("mmmRoiCurves(") : -3]) == segment_curves(curves, row)


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
def test_a_series_off_the_page_loads_from_its_data_file(
    params: ResponseParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "INLINE_SERIES", 0)
    curves = extract_curves(params, CurveSettings(points=7), 0.9)
    (tmp_path / report.FILE).write_text(_page(params), encoding="utf-8")
    written = write_report_data(tmp_path, curves)
    assert written == curves.n_rows - 1
    pick = (
        "new Promise(done => { const b = document.getElementById('brand'), r = document.getElementById('region');"
        f" b.value = {json.dumps(curves.brands[0])}; r.value = {json.dumps(curves.regions[0])};"
        " r.dispatchEvent(new Event('change'));"
        " const info = document.getElementById('info'); let tries = 0;"
        " const look = () => { if (info.textContent.startsWith('Current') || ++tries > 100)"
        " done(JSON.stringify({info: info.textContent, title: document.getElementById('curve-title').textContent}));"
        " else setTimeout(look, 50); }; look(); })"
    )
    with Browser() as browser:
        session = browser._open(tmp_path / report.FILE, 1366, 768)
        try:
            seen = json.loads(browser._evaluate(pick, session))
            errors = browser._console_errors(session)
        finally:
            browser._close(session)
    assert seen["info"].startswith("Current average spend") and errors == ()
    assert f"{curves.brands[0]} / {curves.regions[0]}" in seen["title"]


def _unspent(params: ResponseParams) -> ResponseParams:
    """``params`` with no spend on TV in any week of any series."""
    exposure = params.exposure.copy()
    exposure[:, :, 0] = 0.0
    return dataclasses.replace(params, exposure=exposure)


def test_a_channel_never_spent_on_carries_no_roi_or_ceiling_in_the_curve_data(params: ResponseParams) -> None:
    """Before, its curves (every point at spend 0) carried the slope at zero spend as ROI and marginal
    ROI, and the ceiling sentence named the priors' coefficient."""
    unspent = _unspent(params)
    page = _page(unspent)
    curves = _data(page)["curves"]
    tv = {key: entry for key, entry in curves.items() if key.startswith("TV|")}
    assert len(tv) == len(params.series_brand) + 1
    for key, entry in tv.items():
        assert set(entry["roi"]) == set(entry["mroi"]) == {None}, key
        assert entry["ceiling"] is entry["ceiling_spend"] is entry["breakeven"] is None, key
    radio = curves["Radio|all|all"]
    assert None not in radio["mroi"][1:] and radio["ceiling"] is not None  # none at spend 0, as every curve
    data = segment_curves(extract_curves(unspent, CurveSettings(points=7), 0.9), 0)
    assert data["TV|BrandA|NORTH"]["roi"] == [None] * 7
    assert "No spend on {channel} in the data {where}" in page


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
@pytest.mark.parametrize(
    ("brand", "region", "where"), [("all", "all", "any brand and region"), ("BrandA", "NORTH", "BrandA / NORTH")]
)
def test_the_chart_of_a_channel_never_spent_on_names_no_ceiling(
    params: ResponseParams, tmp_path: Path, brand: str, region: str, where: str
) -> None:
    (tmp_path / report.FILE).write_text(_page(_unspent(params)), encoding="utf-8")
    pick = (
        "(() => { const c = document.getElementById('channel'), b = document.getElementById('brand'),"
        f" r = document.getElementById('region'); c.value = 'TV'; b.value = {json.dumps(brand)};"
        f" r.value = {json.dumps(region)}; c.dispatchEvent(new Event('change'));"
        " return document.getElementById('info').textContent; })()"
    )
    with Browser() as browser:
        session = browser._open(tmp_path / report.FILE, 1366, 768)
        try:
            info = browser._evaluate(pick, session)
            errors = browser._console_errors(session)
        finally:
            browser._close(session)
    assert info == (
        f"No spend on TV in the data in {where}: its curve is the priors' alone, so it has no ROI, marginal ROI "
        "or ceiling to show."
    )
    assert errors == ()


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
def test_the_roi_axis_has_round_ticks_that_show_break_even(params: ResponseParams, tmp_path: Path) -> None:
    """Plotly's own ticks on the ROI axis came out as 1.62, 3.24, 4.86: break-even (1) had no tick."""
    (tmp_path / report.FILE).write_text(_page(params), encoding="utf-8")
    with Browser() as browser:
        ticks = json.loads(
            browser.evaluate(
                tmp_path / report.FILE,
                "JSON.stringify([...document.querySelectorAll('.y2tick text')].map(e => e.textContent))",
            )
        )
    values = [float(t) for t in ticks]
    assert "1" in ticks and values[0] == 0.0
    steps = {round(b - a, 6) for a, b in itertools.pairwise(values) if 1.0 not in (a, b)}
    assert len(steps) <= 1 and all(step in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0) for step in steps)


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
def test_a_long_brand_name_keeps_its_select_within_a_phone(tmp_path: Path) -> None:
    """Before, the brand select took the width of its longest name: a brand of 40 characters made it end at
    407 px, and the page scroll sideways, on a 390 px phone."""
    brand = "Sunrise Organic Breakfast Cereals Family"
    (tmp_path / report.FILE).write_text(_page(build_params(brands=(brand, "BrandB"))), encoding="utf-8")
    edges = "JSON.stringify([...document.querySelectorAll('select')].map(s => s.getBoundingClientRect().right))"
    with Browser() as browser:
        view = browser.inspect(tmp_path / report.FILE, 390, 844)
        rights = json.loads(browser.evaluate(tmp_path / report.FILE, edges, 390, 844))
    assert view.problems(scrolling_tables=True) == [] and view.scroll_width <= view.inner_width
    assert len(rights) == 3 and max(rights) <= view.client_width
