"""Sales analyses: trends, distribution, seasonal profile, STL, geo x brand and SKU mix."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.eda import analyses_sales as sales
from mmm_analytics.eda.outcome import NotApplicable

RTOL = 1e-9


def test_brand_trend_sums_weekly_sales_per_brand(view, eda_panel: pd.DataFrame) -> None:
    trend = sales.sales_trend(view, "Brand")
    expected = eda_panel.groupby(["Date", "Brand"])["Sales_Value"].sum().unstack()
    np.testing.assert_allclose(trend.sales.to_numpy(), expected.to_numpy(), rtol=RTOL)
    assert list(trend.tables()) == ["weekly_sales_by_brand"]


def test_geo_trend_is_skipped_for_a_single_geo(panel: pd.DataFrame, make_view) -> None:
    single = make_view(panel[panel["Geo"] == "CENTRAL"])
    with pytest.raises(NotApplicable, match="single geo"):
        sales.sales_trend(single, "Geo")


def test_distribution_skewness_matches_pandas(view) -> None:
    result = sales.sales_distribution(view)
    np.testing.assert_allclose(result.skew_raw, view.series["Sales_Value"].skew(), rtol=RTOL)
    np.testing.assert_allclose(result.skew_log, np.log(view.series["Sales_Value"]).skew(), rtol=RTOL)


def _seasonal_panel(panel: pd.DataFrame, weeks: int, growth: float) -> pd.DataFrame:
    """The first ``weeks`` weeks, moved to start in July 2022; sales flat but for October and November (x 1.3)
    and a growth of ``growth`` a year."""
    week = (panel["Date"] - panel["Date"].min()).dt.days // 7
    short = panel[week < weeks].copy()
    week = week[week < weeks]
    short["Date"] = pd.Timestamp("2022-07-03") + pd.to_timedelta(7 * week, unit="D")
    level = short.groupby(["Geo", "Brand", "SKU"])["Sales_Value"].transform("mean")
    season = np.where(short["Date"].dt.month.isin([10, 11]), 1.3, 1.0)
    return short.assign(Sales_Value=level * growth ** (week / 52.0) * season)


def test_seasonal_profile_takes_growth_out_before_comparing_months(panel: pd.DataFrame, make_view) -> None:
    """Before, a panel growing 20% a year read January to June (from its later years) as the best months: the
    plain index compared months of different years. Here only October and November sell more (30%)."""
    result = sales.seasonal_profile(make_view(_seasonal_panel(panel, 104, 1.2)))
    assert list(result.overall.index) == list(range(1, 13)) and not result.notes
    others = result.overall.drop(index=[10, 11])
    assert others.max() - others.min() < 0.01  # flat once the trend is out (the plain index spread ~0.2)
    np.testing.assert_allclose(result.overall.loc[[10, 11]] / others.mean(), 1.3, rtol=0.01)


def test_under_two_years_the_season_is_not_taken_for_a_trend(panel: pd.DataFrame, make_view) -> None:
    """A trend fitted on 52 weeks from July soaked up the autumn's lift: ten flat months read 0.92 to 1.00 and
    July "worst". Under two years months are compared on the plain index, said so in a note."""
    result = sales.seasonal_profile(make_view(_seasonal_panel(panel, 52, 1.0)))
    others = result.overall.drop(index=[10, 11])
    np.testing.assert_allclose(others.to_numpy(), others.iloc[0], rtol=1e-9)
    np.testing.assert_allclose(result.overall.loc[[10, 11]] / others.mean(), 1.3, rtol=1e-9)
    assert result.notes and "a trend cannot be told from the season" in result.notes[0] and not result.over_trend


def test_stl_strengths_are_in_unit_interval_and_components_add_up(view) -> None:
    result = sales.decomposition(view)
    parts = result.components
    np.testing.assert_allclose(parts["trend"] + parts["seasonal"] + parts["residual"], parts["observed"], rtol=1e-9)
    assert 0.0 <= result.seasonal_strength <= 1.0 and 0.0 <= result.trend_strength <= 1.0
    table = result.tables()["stl_strength"]
    assert table.loc[0, "seasonal_strength"] == result.seasonal_strength


def test_stl_finds_a_strong_season_in_a_purely_seasonal_series(view) -> None:
    weeks = np.arange(view.n_weeks)
    seasonal = 1e6 * (1.0 + 0.3 * np.sin(2 * np.pi * weeks / 52.0))
    weekly = view.weekly.assign(Sales_Value=seasonal)
    result = sales.decomposition(dataclasses.replace(view, weekly=weekly))
    assert result.seasonal_strength > 0.95


def test_stl_is_skipped_with_fewer_than_two_years(panel: pd.DataFrame, make_view) -> None:
    short = make_view(panel[panel["Date"] < panel["Date"].min() + pd.Timedelta(weeks=80)])
    with pytest.raises(NotApplicable, match="at least 104 weeks"):
        sales.decomposition(short)


def test_geo_brand_sales_sum_to_the_panel_total(view, eda_panel: pd.DataFrame) -> None:
    result = sales.geo_brand_sales(view)
    assert result.sales.shape == (2, 2)
    np.testing.assert_allclose(result.sales.to_numpy().sum(), eda_panel["Sales_Value"].sum(), rtol=RTOL)


def test_sku_mix_shares_sum_to_100_per_brand(view) -> None:
    mix = sales.sku_mix(view).mix
    np.testing.assert_allclose(mix.groupby("Brand")["share_of_brand_pct"].sum().to_numpy(), 100.0, rtol=RTOL)


def test_sku_mix_is_skipped_with_one_sku_per_brand(panel: pd.DataFrame, make_view) -> None:
    with pytest.raises(NotApplicable, match="single SKU"):
        sales.sku_mix(make_view(panel[panel["SKU"].str.endswith("SKU1")]))
