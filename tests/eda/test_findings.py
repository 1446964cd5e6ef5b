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


def _weekly(values: list[float]) -> object:
    """A sales-trend result of one brand with these national weekly sales."""
    from types import SimpleNamespace

    return SimpleNamespace(sales=pd.DataFrame({"BrandA": values}))


def test_growth_compares_like_for_like_seasons() -> None:
    """Before, the last 13 weeks were set against the first 13 (a seasonal high against a low): +26% read for
    +10% of growth. 156 weeks: the last 52 against the first 52; 70 weeks: the last 13 against the same 13 a
    year before; under that the plain comparison, said to be one."""
    from mmm_analytics.eda.findings import _growth

    fmt = NumberFormat.INDIAN
    three_years = [100.0] * 52 + [105.0] * 52 + [110.0] * 52
    assert _growth({"sales_trend_brand": _weekly(three_years)}, None, fmt) == (  # type: ignore[arg-type]
        "National weekly sales in the last 52 weeks are 10.0% more than in the first 52 weeks."
    )
    seventy = [100.0] * 5 + [80.0] * 13 + [100.0] * 39 + [88.0] * 13
    sentence = _growth({"sales_trend_brand": _weekly(seventy)}, None, fmt)  # type: ignore[arg-type]
    assert (
        sentence == "National weekly sales in the last 13 weeks are 10.0% more than in the same 13 weeks a year before."
    )
    short = _growth({"sales_trend_brand": _weekly([100.0] * 13 + [90.0] * 13)}, None, fmt)  # type: ignore[arg-type]
    assert short is not None and short.endswith("(under 65 weeks of data: seasons are not compared like for like).")


def test_the_best_and_worst_months_name_a_tie() -> None:
    from types import SimpleNamespace

    from mmm_analytics.eda.findings import _season

    overall = pd.Series([1.0, 1.04697, 1.0, 1.04705, 1.0, 1.0, 0.96, 0.93, 0.96, 1.0, 1.0, 1.0], index=range(1, 13))
    sentence = _season(
        {"seasonal_profile": SimpleNamespace(overall=overall, over_trend=True)}, None, NumberFormat.INDIAN
    )  # type: ignore[arg-type]
    assert sentence == "February and April sell best (index 1.05 of the trend) and August worst (0.93)."
    # under two years the index is the plain one: "of the trend" was said of it
    plain = _season({"seasonal_profile": SimpleNamespace(overall=overall, over_trend=False)}, None, NumberFormat.INDIAN)  # type: ignore[arg-type]
    assert plain == "February and April sell best (index 1.05) and August worst (0.93)."


def test_a_flat_season_and_a_base_without_sales_give_no_sentence() -> None:
    """Every month at 1.00 named all twelve months best and worst; a first year without sales read "inf% more"."""
    from types import SimpleNamespace

    from mmm_analytics.eda.findings import _growth, _season

    flat = pd.Series([1.0, 1.001, 0.999] * 4, index=range(1, 13))
    assert (
        _season({"seasonal_profile": SimpleNamespace(overall=flat, over_trend=True)}, None, NumberFormat.INDIAN) is None
    )  # type: ignore[arg-type]
    nothing_first = [0.0] * 52 + [100.0] * 52
    assert _growth({"sales_trend_brand": _weekly(nothing_first)}, None, NumberFormat.INDIAN) is None  # type: ignore[arg-type]


def test_one_varying_promotion_is_not_said_to_hold_the_others_fixed(eda_run) -> None:
    from mmm_analytics.eda.findings import _promo

    results = _results(eda_run)
    table = results["promo_uplift"].table.assign(others_held_fixed=False)
    sentence = _promo(
        {"promo_uplift": replace(results["promo_uplift"], table=table)}, eda_run.overview, NumberFormat.INDIAN
    )
    assert sentence is not None and sentence.startswith("Weeks on promotion sell more than weeks off it")
