"""Key findings are sentences built from the results' tables, never fixed numbers."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.analyses_drivers import ALL
from mmm_analytics.eda.findings import key_findings


def _results(eda_run) -> dict:
    return {o.slug: o.result for o in eda_run.outcomes if o.result is not None}


def test_findings_quote_the_uplift_tables(eda_run) -> None:
    results = _results(eda_run)
    festive = results["festive_uplift"].table.set_index("group").loc[ALL, "uplift_pct"]
    sentence = next(s for s in eda_run.findings if s.startswith("Festive weeks"))
    assert f"{abs(festive):.1f}% {'more' if festive >= 0 else 'less'}" in sentence
    tpr = results["promo_uplift"].table.query("group == @ALL and event == 'TPR_Flag'")["uplift_pct"].iloc[0]
    assert any(f"TPR {tpr:+.1f}%" in s for s in eda_run.findings)


def test_changing_a_table_changes_the_sentence(eda_run) -> None:
    results = _results(eda_run)
    table = results["festive_uplift"].table.copy()
    table.loc[table["group"] == ALL, "uplift_pct"] = -17.25
    changed = {**results, "festive_uplift": replace(results["festive_uplift"], table=table)}
    sentence = next(s for s in key_findings(changed, eda_run.overview) if s.startswith("Festive weeks"))
    assert "17.2% less than other weeks" in sentence or "17.3% less than other weeks" in sentence


def test_skipped_analyses_give_no_sentence(eda_run) -> None:
    results = {k: v for k, v in _results(eda_run).items() if k not in {"festive_uplift", "price_elasticity"}}
    sentences = key_findings(results, eda_run.overview)
    assert not any(s.startswith("Festive") or "net price" in s for s in sentences)
    assert len(sentences) == len(eda_run.findings) - 2


def test_spend_and_vif_sentences_name_the_extremes(eda_run) -> None:
    results = _results(eda_run)
    share = results["spend_share"].share.set_index("channel")["share_pct"]
    assert any(
        s.startswith(f"{share.idxmax()} takes the largest share") and f"({share.max():.1f}%)" in s
        for s in eda_run.findings
    )
    top = results["vif"].table.iloc[0]
    assert any(f"{top['channel']}'s {top['vif']:.1f}" in s for s in eda_run.findings)
    assert isinstance(results["spend_share"].share, pd.DataFrame)


@pytest.mark.parametrize(
    ("fmt", "flagged", "missing"),
    [
        pytest.param(None, "1,23,456", "2,34,567", id="default_indian"),
        pytest.param(NumberFormat.INDIAN, "1,23,456", "2,34,567", id="indian"),
        pytest.param(NumberFormat.WESTERN, "123,456", "234,567", id="western"),
    ],
)
def test_counts_of_a_lakh_and_more_follow_the_number_format(eda_run, fmt, flagged, missing) -> None:
    results = _results(eda_run)
    quality = replace(
        results["data_quality"],
        outliers_by_geo=pd.Series({"NORTH": 100_000, "SOUTH": 23_456}),
        missing=pd.Series({"Sales_Value": 200_000, "Price": 34_567}),
    )
    overview = replace(eda_run.overview, rows=10_000_000)
    changed = {**results, "data_quality": quality}
    sentences = key_findings(changed, overview) if fmt is None else key_findings(changed, overview, fmt)
    sentence = next(s for s in sentences if s.startswith("The cleaning step flagged"))
    assert sentence == f"The cleaning step flagged {flagged} rows (1.2%) as outliers; {missing} missing values remain."


def test_a_geo_without_one_brand_still_names_the_leaders(eda_run) -> None:
    """A brand not sold in one geo leaves an empty geo x brand cell: the shares were all NaN and
    `mmm eda` ended in idxmax's "Encountered all NA values" traceback."""
    results = _results(eda_run)
    heat = results["geo_brand_heatmap"]
    sales = heat.sales.copy()
    sales.iloc[0, 0] = float("nan")
    trend = results["sales_trend_brand"]
    weekly = trend.sales.copy()
    weekly.iloc[:5, 0] = float("nan")  # a brand launched after the first weeks
    changed = {
        **results,
        "geo_brand_heatmap": replace(heat, sales=sales),
        "sales_trend_brand": replace(trend, sales=weekly),
    }
    sentence = next(s for s in key_findings(changed, eda_run.overview) if "largest brand" in s)
    geo_share = 100.0 * sales.sum(axis=1) / sales.sum().sum()
    assert f"{geo_share.idxmax()} is the largest geo ({geo_share.max():.1f}%)" in sentence
    assert "nan" not in sentence
