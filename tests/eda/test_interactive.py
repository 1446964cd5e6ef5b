"""Interactive charts: one block per chart, plotly's JSON with no library inside, the shared palette."""

from __future__ import annotations

import json

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
