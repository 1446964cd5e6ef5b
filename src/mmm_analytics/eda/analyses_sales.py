"""Sales analyses: trends, distribution, seasonality (calendar and STL), geo x brand and SKU mix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import STL

from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.outcome import NotApplicable
from mmm_analytics.eda.prepare import PanelView


@dataclass(frozen=True, slots=True)
class Trend:
    """Weekly sales per group. ``sales`` has shape (n_weeks, n_groups), INR per week, indexed by Date."""

    by: str
    sales: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f"weekly_sales_by_{self.by.lower()}": self.sales.reset_index()}


@dataclass(frozen=True, slots=True)
class SalesDistribution:
    """Weekly Sales_Value of every geo x brand series (INR), with skewness of raw and log values."""

    values: pd.Series
    skew_raw: float
    skew_log: float
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {}


@dataclass(frozen=True, slots=True)
class SeasonalProfile:
    """Mean sales index over each series' trend (trend = 1; the plain index, series mean = 1, where
    ``over_trend`` is False) by calendar month (rows 1-12) and year (columns); ``overall`` each month's
    median over the years (:func:`seasonal_profile`)."""

    by_year: pd.DataFrame
    overall: pd.Series
    notes: tuple[str, ...] = ()
    over_trend: bool = True

    def tables(self) -> dict[str, pd.DataFrame]:
        frame = self.by_year.assign(all_years=self.overall)
        return {"monthly_sales_index": frame.rename_axis("month").reset_index()}


@dataclass(frozen=True, slots=True)
class Decomposition:
    """STL of national weekly Sales_Value (INR): observed, trend, seasonal and residual, plus strengths."""

    components: pd.DataFrame
    seasonal_strength: float
    trend_strength: float
    period: int
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        strength = pd.DataFrame(
            {
                "series": ["national Sales_Value"],
                "period_weeks": [self.period],
                "n_weeks": [len(self.components)],
                "seasonal_strength": [self.seasonal_strength],
                "trend_strength": [self.trend_strength],
            }
        )
        return {"stl_strength": strength, "stl_components": self.components.reset_index()}


@dataclass(frozen=True, slots=True)
class GeoBrandSales:
    """Total Sales_Value (INR) of shape (n_geos, n_brands)."""

    sales: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"geo_brand_sales": self.sales.reset_index()}


@dataclass(frozen=True, slots=True)
class SkuMix:
    """Total Sales_Value (INR) and share within brand (%) per brand x SKU."""

    mix: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"sku_mix": self.mix}


def sales_trend(view: PanelView, by: str) -> Trend:
    """National weekly Sales_Value per ``by`` group (Brand or Geo); one geo has nothing to compare."""
    if view.series[by].nunique() < 2 and by == schema.GEO:
        only = view.series[by].iloc[0]
        raise NotApplicable(f"the panel has a single geo ({only}): there are no geos to compare")
    sales = view.series.pivot_table(index=schema.DATE, columns=by, values=schema.SALES_VALUE, aggfunc="sum")
    sales.columns = sales.columns.astype(str)
    sales.columns.name = by
    return Trend(by=by, sales=sales)


def sales_distribution(view: PanelView) -> SalesDistribution:
    """Skewness of weekly geo x brand sales before and after a log transform."""
    values = view.series[schema.SALES_VALUE]
    positive = values[values > 0]
    return SalesDistribution(values, float(values.skew()), float(np.log(positive).skew()))


def seasonal_profile(view: PanelView) -> SeasonalProfile:
    """Average sales index by calendar month, per year and over all years, with each series' trend taken out.

    The plain index compared months of different years (January to June of the later years of a growing
    panel, July to December of the earlier ones): with two years of weeks or more, each geo x brand's index
    is divided by its log-linear trend, fitted together with a level per calendar month so the season does
    not lean on the slope. Under two years a trend cannot be told from the season: the plain index stands,
    with a note. The all-years figure of a month is its median over the years, so one odd year (a panel's
    first weeks, while media builds up) does not decide it.
    """
    dates = view.series[schema.DATE]
    index = view.series[defaults.SALES_INDEX]
    notes: tuple[str, ...] = ()
    if view.n_weeks >= defaults.STL_MIN_WEEKS:
        keys = [view.series[k] for k in defaults.SERIES_KEY]
        weeks = (dates - dates.min()).dt.days / 7.0
        trend = pd.concat(
            [_log_linear_trend(weeks[rows.index], dates.dt.month[rows.index], rows) for _, rows in index.groupby(keys)]
        )
        index = index / trend.loc[index.index]
    else:
        notes = (
            f"under {defaults.STL_MIN_WEEKS} weeks a trend cannot be told from the season: months are compared on "
            "the plain sales index",
        )
    frame = pd.DataFrame({"month": dates.dt.month, "year": dates.dt.year, "index": index})
    by_year = frame.pivot_table(index="month", columns="year", values="index", aggfunc="mean")
    by_year.columns = [str(year) for year in by_year.columns]
    return SeasonalProfile(by_year, by_year.median(axis=1).rename("index"), notes, over_trend=not notes)


def _log_linear_trend(weeks: pd.Series, months: pd.Series, index: pd.Series) -> pd.Series:
    """``exp(a + b * weeks)`` from least squares of the log of ``index`` (where positive) on an intercept, the
    weeks and a level per calendar month (``months``) but the first; 1 where the fit is not determined."""
    rows = (index > 0).to_numpy() & np.isfinite(index.to_numpy(float))
    t = weeks.to_numpy(float)
    dummies = pd.get_dummies(months, drop_first=True).to_numpy(float)
    design = np.column_stack([np.ones(len(t)), t, dummies])[rows]
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return pd.Series(1.0, index=index.index)
    intercept, slope = np.linalg.lstsq(design, np.log(index.to_numpy(float)[rows]), rcond=None)[0][:2]
    return pd.Series(np.exp(intercept + slope * t), index=index.index)


def _strength(residual: np.ndarray, component: np.ndarray) -> float:
    """Hyndman's strength: max(0, 1 - Var(R) / Var(component + R)), in [0, 1]."""
    total = np.var(component + residual)
    return float(max(0.0, 1.0 - np.var(residual) / total)) if total > 0 else 0.0


def decomposition(view: PanelView, period: int = defaults.STL_PERIOD) -> Decomposition:
    """STL (robust, seasonal degree ``STL_SEASONAL_DEGREE``) of national weekly sales with seasonal and trend strength.

    Strengths follow Wang, Smith and Hyndman (2006): ``max(0, 1 - Var(R) / Var(S + R))`` for the season and
    the same with the trend.

    Raises
    ------
    NotApplicable
        Fewer than two full seasonal periods of weeks.
    """
    if view.n_weeks < 2 * period:
        raise NotApplicable(
            f"STL needs at least {2 * period} weeks (two {period}-week years); the panel has {view.n_weeks}"
        )
    sales = view.weekly[schema.SALES_VALUE]
    fit = STL(sales.to_numpy(), period=period, seasonal_deg=defaults.STL_SEASONAL_DEGREE, robust=True).fit()
    components = pd.DataFrame(
        {"observed": sales.to_numpy(), "trend": fit.trend, "seasonal": fit.seasonal, "residual": fit.resid},
        index=sales.index,
    )
    return Decomposition(
        components,
        seasonal_strength=_strength(fit.resid, fit.seasonal),
        trend_strength=_strength(fit.resid, fit.trend),
        period=period,
    )


def geo_brand_sales(view: PanelView) -> GeoBrandSales:
    """Total sales per geo x brand; needs two geos to be a comparison."""
    if len(view.geos) < 2:
        raise NotApplicable(f"the panel has a single geo ({view.geos[0]}): a geo x brand heatmap needs two or more")
    sales = view.rows.pivot_table(index=schema.GEO, columns=schema.BRAND, values=schema.SALES_VALUE, aggfunc="sum")
    return GeoBrandSales(sales)


def sku_mix(view: PanelView) -> SkuMix:
    """Each SKU's share of its brand's sales; skipped when every brand has one SKU."""
    totals = view.rows.groupby([schema.BRAND, schema.SKU])[schema.SALES_VALUE].sum().rename("sales_value_inr")
    if totals.groupby(level=schema.BRAND).size().max() < 2:
        raise NotApplicable("every brand has a single SKU: there is no SKU mix to show")
    share = 100.0 * totals / totals.groupby(level=schema.BRAND).transform("sum")
    return SkuMix(pd.DataFrame({"sales_value_inr": totals, "share_of_brand_pct": share}).reset_index())
