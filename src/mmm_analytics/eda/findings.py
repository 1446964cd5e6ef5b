"""Key findings as short sentences, every number read from the analyses' results."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_drivers import ALL
from mmm_analytics.eda.tables import Overview
from mmm_analytics.style import numbers

type Results = Mapping[str, Any]
#: One finding from the results and the overview, its counts and amounts grouped per the number format.
type Finder = Callable[[Results, Overview, NumberFormat], str | None]


def _more(pct: float) -> str:
    return f"{abs(pct):.1f}% {'more' if pct >= 0 else 'less'}"


def _leaders(results: Results, overview: Overview, _fmt: NumberFormat) -> str | None:
    trend = results.get("sales_trend_brand")
    if trend is None or overview.total_sales_inr <= 0:
        return None
    # pandas sums skip the empty cells of a brand not sold every week, or a geo that lacks a brand
    share = 100.0 * trend.sales.sum() / trend.sales.sum().sum()
    text = f"{share.idxmax()} is the largest brand with {share.max():.1f}% of sales value"
    heat = results.get("geo_brand_heatmap")
    if heat is not None:
        geo_share = 100.0 * heat.sales.sum(axis=1) / heat.sales.sum().sum()
        text += f"; {geo_share.idxmax()} is the largest geo ({geo_share.max():.1f}%)"
    return text + "."


def _growth(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    trend = results.get("sales_trend_brand")
    window = defaults.GROWTH_WINDOW_WEEKS
    if trend is None or len(trend.sales) < 2 * window:
        return None
    total = trend.sales.sum(axis=1)
    year = defaults.STL_PERIOD

    def change_of(recent: pd.Series, base: pd.Series) -> float | None:
        """The % change of the mean; None when the base sells nothing (it read "inf% more")."""
        ratio = recent.mean() / base.mean() if base.mean() > 0 else float("nan")
        return 100.0 * (ratio - 1.0) if np.isfinite(ratio) else None

    # Like for like: two windows a season apart compared a seasonal low with a high (+26% for +10% of growth).
    if len(total) >= 2 * year:
        change = change_of(total.iloc[-year:], total.iloc[:year])
        text = f"National weekly sales in the last {year} weeks are {{}} than in the first {year} weeks."
    elif len(total) >= window + year:
        change = change_of(total.iloc[-window:], total.iloc[-window - year : -year])
        text = (
            f"National weekly sales in the last {window} weeks are {{}} than in the same {window} weeks a year before."
        )
    else:
        change = change_of(total.iloc[-window:], total.iloc[:window])
        text = (
            f"National weekly sales in the last {window} weeks are {{}} than in the first {window} weeks "
            f"(under {window + year} weeks of data: seasons are not compared like for like)."
        )
    return None if change is None else text.format(_more(change))


def _season(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    parts = []
    stl = results.get("stl_decomposition")
    if stl is not None:
        parts.append(
            f"Seasonal strength of national sales is {stl.seasonal_strength:.2f} and trend strength "
            f"{stl.trend_strength:.2f} (0 = none, 1 = all of the movement)"
        )
    profile = results.get("seasonal_profile")
    months = profile.overall.dropna() if profile is not None else None
    if months is not None and len(months) > 1 and f"{months.max():.2f}" != f"{months.min():.2f}":
        best, worst = _months_at(months, months.max()), _months_at(months, months.min())
        parts.append(
            f"{numbers.listing(best)} {'sell' if len(best) > 1 else 'sells'} best (index {months.max():.2f}"
            f"{' of the trend' if profile is not None and profile.over_trend else ''}) and {numbers.listing(worst)} worst "
            f"({months.min():.2f})"
        )
    return "; ".join(parts) + "." if parts else None


def _months_at(months: Any, value: float) -> list[str]:
    """The months whose index (a Series by month number) reads ``value`` at two decimals: a tie is named as one."""
    return [calendar.month_name[int(m)] for m, v in months.items() if f"{v:.2f}" == f"{value:.2f}"]


def _festive(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    uplift = results.get("festive_uplift")
    if uplift is None:
        return None
    table = uplift.table.set_index("group")
    brands = table.drop(index=ALL)["uplift_pct"]
    text = (
        f"Festive weeks ({defaults.FESTIVAL} >= {defaults.FESTIVE_THRESHOLD:.2f}) sell "
        f"{_more(table.loc[ALL, 'uplift_pct'])} than other weeks"
    )
    if len(brands) > 1:
        text += f", from {brands.min():+.1f}% ({brands.idxmin()}) to {brands.max():+.1f}% ({brands.idxmax()})"
    return text + "."


def _promo(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    uplift = results.get("promo_uplift")
    if uplift is None:
        return None
    overall_rows = uplift.table[uplift.table["group"] == ALL]
    overall = overall_rows.set_index("event")["uplift_pct"].sort_values(ascending=False)
    parts = [f"{flag.removesuffix('_Flag')} {value:+.1f}%" for flag, value in overall.items()]
    if not overall_rows["others_held_fixed"].all():
        return f"Weeks on promotion sell more than weeks off it: {', '.join(parts)} (mean sales index, all brands)."
    return (
        f"Each promotion's own lift, the others held fixed: {', '.join(parts)} (sales index, all brands; promotions "
        "often run together, so a plain on/off comparison credits each with the others' lift)."
    )


def _elasticity(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    fit = results.get("price_elasticity")
    if fit is None:
        return None
    table = fit.table.set_index("brand")["elasticity"]
    mean = table.mean()
    text = (
        f"A 1% higher net price goes with {abs(mean):.1f}% {'fewer' if mean < 0 else 'more'} units on average "
        "(log-log, within SKU)"
    )
    if len(table) > 1:
        text += f"; elasticity runs from {table.min():.2f} ({table.idxmin()}) to {table.max():.2f} ({table.idxmax()})"
    return text + "."


def _spend(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    spend = results.get("spend_share")
    if spend is None:
        return None
    share = spend.share.set_index("channel")["share_pct"]
    return (
        f"{share.idxmax()} takes the largest share of media spend ({share.max():.1f}%) and {share.idxmin()} the "
        f"smallest ({share.min():.1f}%); spend is exposure x CPM / 1000 (or a configured spend column), so these "
        "shares follow the configured CPMs."
    )


def _collinearity(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    pair, vif = results.get("collinear_pair"), results.get("vif")
    parts = []
    if pair is not None:
        parts.append(f"{pair.x_channel} and {pair.y_channel} exposure correlate at r = {pair.correlation:.2f}")
    if vif is not None:
        top = vif.table.iloc[0]
        level = "above" if top["vif"] >= defaults.VIF_WARNING else "below"
        parts.append(f"the highest VIF is {top['channel']}'s {top['vif']:.1f} ({level} {defaults.VIF_WARNING:g})")
    if not parts:
        return None
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _lag(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    cross = results.get("cross_correlation")
    if cross is None:
        return None
    best = cross.best.sort_values("correlation", ascending=False).iloc[0]
    return (
        f"Sales move most with {best['channel']} exposure (r = {best['correlation']:.2f} at a lag of "
        f"{numbers.counted(int(best['best_lag_weeks']), 'week')})."
    )


def _drivers(results: Results, _overview: Overview, _fmt: NumberFormat) -> str | None:
    drivers = results.get("driver_correlation")
    if drivers is None or drivers.table.empty:
        return None
    top = drivers.table.iloc[0]
    return f"Among non-media drivers, {top['driver']} moves most with sales (r = {top['correlation']:.2f})."


def _quality(results: Results, overview: Overview, fmt: NumberFormat) -> str | None:
    quality = results.get("data_quality")
    if quality is None:
        return None
    missing = int(quality.missing.sum())
    share = numbers.share_of_rows(quality.n_outliers / max(overview.rows, 1))  # 1 row of 11,232 read "0.0%"
    missing_text = (
        "no missing values remain" if missing == 0 else f"{numbers.count(missing, fmt)} missing values remain"
    )
    flagged = numbers.counted(int(quality.n_outliers), "row", fmt)
    return f"The cleaning step flagged {flagged} ({share}) as outliers; {missing_text}."


FINDERS: tuple[Finder, ...] = (
    _leaders,
    _growth,
    _season,
    _festive,
    _promo,
    _elasticity,
    _spend,
    _collinearity,
    _lag,
    _drivers,
    _quality,
)


def key_findings(results: Results, overview: Overview, fmt: NumberFormat = NumberFormat.INDIAN) -> list[str]:
    """Sentences for the analyses that ran (``results`` maps analysis slug to its result), counts and
    amounts grouped per ``fmt`` (``viz_config.yaml``'s ``number_format``)."""
    sentences = (find(results, overview, fmt) for find in FINDERS)
    return [sentence for sentence in sentences if sentence]
