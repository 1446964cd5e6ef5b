"""Interactive charts: one div per chart, no plotly library inside a chart."""

from __future__ import annotations

from mmm_analytics.eda.interactive import interactive_charts


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
        html = chart.html()
        assert f'id="chart-{chart.slug}"' in html
        assert "Plotly.newPlot" in html
        assert "<script src" not in html and len(html) < 200_000  # the library is inlined once by the report


def test_missing_results_drop_their_charts(eda_run, fast_viz) -> None:
    results = {o.slug: o.result for o in eda_run.outcomes if o.result is not None and o.slug != "spend_share"}
    slugs = [c.slug for c in interactive_charts(results, fast_viz)]
    assert "spend-over-time" not in slugs and "spend-share" not in slugs
    assert "sales-by-brand" in slugs
