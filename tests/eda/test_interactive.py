"""Interactive charts: one block per chart, plotly's JSON with no library inside, the shared palette."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.interactive import interactive_charts
from mmm_analytics.reports.browser import Browser, find_chromium
from mmm_analytics.style.page import Page, Section, write_page


def test_charts_for_every_available_result(eda_run, fast_viz) -> None:
    results = {o.slug: o.result for o in eda_run.outcomes if o.result is not None}
    charts = interactive_charts(results, fast_viz)
    slugs = [c.slug for c in charts]
    assert slugs == [
        "sales-by-brand",
        "spend-over-time",
        "spend-share",
        "stl",
        "channel-correlation",
        "cross-correlation",
        "uplift",
        "geo-brand",
    ]
    for chart in charts:
        spec = chart.spec()
        assert spec.id == f"chart-{chart.slug}" and spec.title == chart.title
        assert spec.figure["data"] and "layout" in spec.figure
        assert len(json.dumps(spec.figure)) < 200_000  # data only: the report inlines the library once
    share = next(c for c in charts if c.slug == "spend-share").spec().figure["data"][0]
    assert share["marker"]["colors"][0] == fast_viz.palette[0]


def test_missing_results_drop_their_charts(eda_run, fast_viz) -> None:
    results = {o.slug: o.result for o in eda_run.outcomes if o.result is not None and o.slug != "spend_share"}
    slugs = [c.slug for c in interactive_charts(results, fast_viz)]
    assert "spend-over-time" not in slugs and "spend-share" not in slugs
    assert "sales-by-brand" in slugs


ODD_BRAND = "Q <b>bold</b> & Co"
ODD_GEO = "North-East &amp; <i>Sikkim</i>"


def _odd_results() -> dict:
    weeks = pd.date_range("2024-01-07", periods=4, freq="W")
    sales = pd.DataFrame({ODD_BRAND: [1.0, 2.0, 3.0, 4.0], "Plain": [2.0, 2.0, 2.0, 2.0]}, index=weeks)
    heat = pd.DataFrame([[5.0, 6.0]], index=[ODD_GEO], columns=[ODD_BRAND, "Plain"])
    uplift = pd.DataFrame({"event": ["Diwali <br>"], "group": [ODD_BRAND], "uplift_pct": [4.0]})
    return {
        "sales_trend_brand": SimpleNamespace(sales=sales),
        "geo_brand_heatmap": SimpleNamespace(sales=heat),
        "festive_uplift": SimpleNamespace(table=uplift),
    }


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
def test_names_from_the_data_are_drawn_letter_for_letter(tmp_path, fast_viz) -> None:
    """Plotly reads tags and entities in labels: a brand named with '<b>' lost its tags and turned bold."""
    charts = interactive_charts(_odd_results(), fast_viz)
    page = Page("Odd names", "", (Section("charts", "Charts", tuple(c.spec() for c in charts)),), "eda_report.html")
    path = write_page(tmp_path / "odd.html", page)
    expression = (
        "JSON.stringify([...document.querySelectorAll('.legendtext, .xtick text, .ytick text')]"
        ".map(e => e.textContent))"
    )
    with Browser() as browser:
        shown = json.loads(browser.evaluate(path, expression))
        bold = browser.evaluate(path, "document.querySelectorAll('.legendtext b, .xtick b, .ytick i').length")
    assert ODD_BRAND in shown and ODD_GEO in shown and "Diwali <br>" in shown
    assert bold == 0


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        pytest.param(NumberFormat.INDIAN, "12,34,567", id="indian"),
        pytest.param(NumberFormat.WESTERN, "1,234,567", id="western"),
    ],
)
def test_amounts_in_cells_and_hovers_follow_the_number_format(fast_viz, fmt, shown) -> None:
    heat = pd.DataFrame([[1_234_567.0, 6.0]], index=["NORTH"], columns=["A", "B"])
    share = pd.DataFrame({"channel": ["TV", "Radio"], "spend_inr": [1_234_567.0, 10.0], "share_pct": [99.0, 1.0]})
    weekly = pd.DataFrame(
        {"TV": [1.0, 2.0], "Radio": [3.0, 4.0]}, index=pd.date_range("2024-01-07", periods=2, freq="W")
    )
    spend = SimpleNamespace(share=share, weekly=weekly)
    results = {"geo_brand_heatmap": SimpleNamespace(sales=heat), "spend_share": spend}
    charts = {
        c.slug: c.spec().figure["data"][0]
        for c in interactive_charts(results, fast_viz.model_copy(update={"number_format": fmt}))
    }
    assert charts["geo-brand"]["text"][0] == [shown, "6"] and charts["geo-brand"]["texttemplate"] == "%{text}"
    assert list(charts["spend-share"]["customdata"]) == [shown, "10"]
    assert "%{customdata} INR" in charts["spend-share"]["hovertemplate"]
    # the colour bar too (plotly's own read "1M" beside cells in lakh)
    colorbar = charts["geo-brand"]["colorbar"]
    assert colorbar["tickmode"] == "array" and colorbar["ticktext"][-1] == (
        "12.5 L" if fmt is NumberFormat.INDIAN else "1.25M"
    )


def test_the_stl_chart_labels_its_axis_in_the_number_format(eda_run, fast_viz) -> None:
    """Its axis read "1.1M-1.9M" beside the static figure's "12 L-18 L"."""
    results = {o.slug: o.result for o in eda_run.outcomes if o.result is not None}
    stl = next(c for c in interactive_charts(results, fast_viz) if c.slug == "stl").spec().figure
    labels = stl["layout"]["yaxis"]["ticktext"]
    assert stl["layout"]["yaxis"]["tickmode"] == "array" and any(label.endswith(" L") for label in labels)
    # Sales and trend on their own axis, not from 0 (squeezed into the top fifth beside the season's -5 L)
    assert min(stl["layout"]["yaxis"]["tickvals"]) > 0 and min(stl["layout"]["yaxis2"]["tickvals"]) < 0
    assert {t["name"]: t.get("yaxis", "y") for t in stl["data"]} == {
        "observed": "y",
        "trend": "y",
        "seasonal": "y2",
        "residual": "y2",
    }


def test_the_colour_bar_of_a_heatmap_with_a_missing_cell_keeps_its_labels(fast_viz) -> None:
    """A geo without one brand (NaN cell) gave the colour bar a single "0" label outside its range."""
    heat = pd.DataFrame([[1_234_567.0, float("nan")], [600_000.0, 900_000.0]], index=["N", "S"], columns=["A", "B"])
    results = {"geo_brand_heatmap": SimpleNamespace(sales=heat)}
    chart = next(c for c in interactive_charts(results, fast_viz) if c.slug == "geo-brand")
    assert len(chart.spec().figure["data"][0]["colorbar"]["ticktext"]) > 2
