"""Sales drivers besides media: festivals, rainfall, price, promotions, distribution, macro, creative."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.outcome import NotApplicable, require_weeks
from mmm_analytics.eda.prepare import PanelView, series_index
from mmm_analytics.eda.smoothing import Scatter, scatter
from mmm_analytics.style import numbers

ALL = "All brands"


@dataclass(frozen=True, slots=True)
class Uplift:
    """Mean sales index (series mean = 1) in weeks with and without an event, per group, and the uplift.

    ``table`` columns: event, group, mean_index_with, mean_index_without, uplift_pct, rows_with, rows_without;
    for promotions also uplift_pct_unadjusted, share_with_other_flag and others_held_fixed (:func:`promo_uplift`).
    ``weekly`` (festive only): national weekly Sales_Value (INR) and whether the week is festive.
    """

    name: str
    table: pd.DataFrame
    weekly: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {self.name: self.table}


@dataclass(frozen=True, slots=True)
class ScatterGrid:
    """One scatter per driver column (x) against a sales measure (y), keyed by column name."""

    name: str
    panels: dict[str, Scatter]
    y_label: str
    profile: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    hue_labels: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        rows = [{"driver": k, "correlation_with_sales": p.correlation, "n": p.n} for k, p in self.panels.items()]
        tables = {self.name: pd.DataFrame(rows)}
        if self.profile is not None:
            tables[f"{self.name}_by_month"] = self.profile.reset_index()
        return tables


@dataclass(frozen=True, slots=True)
class DriverCorrelation:
    """Within-series correlation of the sales index with each control; columns driver, correlation, unit."""

    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"driver_correlation": self.table}


@dataclass(frozen=True, slots=True)
class Elasticity:
    """Within-SKU log-log fit of Sales_Units on Net_Price per brand (slope = price elasticity of units)."""

    table: pd.DataFrame
    points: dict[str, pd.DataFrame]
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"elasticity": self.table}


@dataclass(frozen=True, slots=True)
class MacroTrends:
    """National weekly CPI (index), GDP growth (% per year, geo mean) and Sales_Value (INR)."""

    weekly: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"macro_weekly": self.weekly.reset_index()}


def _within_series(view: PanelView, event: pd.Series) -> bool:
    """Whether some SKU series has weeks both with and without the event (the index compares within series)."""
    grouped = event.groupby([view.rows[k] for k in defaults.ROW_SERIES_KEY])
    return bool((grouped.any() & ~grouped.all()).any())


def _row_index(view: PanelView) -> pd.Series:
    return series_index(view.rows, [schema.SALES_VALUE], defaults.ROW_SERIES_KEY)[schema.SALES_VALUE]


def event_uplift(index: pd.Series, event: pd.Series, brands: pd.Series, name: str) -> pd.DataFrame:
    """Uplift of the mean sales index in event rows over other rows, per brand and for all brands.

    Parameters
    ----------
    index : Series of shape (n_rows,)
        Sales index of each row (its series mean = 1).
    event : Series of bool, shape (n_rows,)
        Whether the row's week has the event.
    brands : Series of str, shape (n_rows,)
        Brand of each row.
    name : str
        Event label written in the ``event`` column.

    Returns
    -------
    DataFrame
        One row per brand plus "All brands"; ``uplift_pct = 100 * (with / without - 1)``.
    """
    rows = []
    groups = [(ALL, pd.Series(True, index=index.index)), *[(b, brands == b) for b in sorted(brands.unique())]]
    for group, mask in groups:
        with_, without = index[mask & event], index[mask & ~event]
        rows.append(
            {
                "event": name,
                "group": group,
                "mean_index_with": with_.mean(),
                "mean_index_without": without.mean(),
                "rows_with": len(with_),
                "rows_without": len(without),
            }
        )
    table = pd.DataFrame(rows)
    table["uplift_pct"] = 100.0 * (table["mean_index_with"] / table["mean_index_without"] - 1.0)
    return table


def festive_uplift(view: PanelView, threshold: float = defaults.FESTIVE_THRESHOLD) -> Uplift:
    """Sales in festive weeks (Festival_Index >= threshold) against other weeks."""
    festival = view.rows[defaults.FESTIVAL]
    festive = festival >= threshold
    if not _within_series(view, festive):
        kind = (
            "every week is festive"
            if festive.all()
            else "there are no festive weeks"
            if not festive.any()
            else "no series has both festive and ordinary weeks"
        )
        raise NotApplicable(
            f"{defaults.FESTIVAL} ranges {festival.min():.2f}-{festival.max():.2f} against the festive threshold "
            f"{threshold:.2f}: {kind} to compare"
        )
    table = event_uplift(_row_index(view), festive, view.rows[schema.BRAND], "festive week")
    weekly = pd.DataFrame(
        {schema.SALES_VALUE: view.weekly[schema.SALES_VALUE], "festive": view.weekly[defaults.FESTIVAL] >= threshold}
    )
    return Uplift("festive_uplift", table, weekly)


def promo_uplift(view: PanelView) -> Uplift:
    """Sales with each promotion flag (feature, display, TPR) on, the other flags held fixed.

    Promotions run together (a feature often comes with a TPR), so a flag's weeks on against its weeks off
    credit it with the others' lift: ``uplift_pct`` is each flag's own, from a least-squares fit of the
    log sales index on every varying flag (per brand and for all brands); ``uplift_pct_unadjusted`` the
    plain on-against-off comparison, and ``share_with_other_flag`` the share of the flag's rows on which
    another flag is on too (in that group); ``others_held_fixed`` says which rows are the fit's. Where there is
    nothing to hold fixed (one flag varies in the group) or the flags cannot be told apart (one always on
    with another), the plain comparison stands, the latter with a note.
    """
    index, brands = _row_index(view), view.rows[schema.BRAND]
    flags, notes = [], []
    for flag in defaults.PROMO_FLAGS:
        on = view.rows[flag] > 0
        if not _within_series(view, on):
            state = "always on" if on.all() else "never on" if not on.any() else "never both on and off in a series"
            notes.append(f"{flag} is {state}: no uplift to measure")
            continue
        flags.append(flag)
    if not flags:
        raise NotApplicable("no promotion flag varies: " + "; ".join(notes))
    on = pd.DataFrame({flag: view.rows[flag] > 0 for flag in flags})
    table = pd.concat([event_uplift(index, on[flag], brands, flag) for flag in flags], ignore_index=True)
    table["uplift_pct_unadjusted"] = table["uplift_pct"]
    table["share_with_other_flag"], table["others_held_fixed"] = np.nan, False
    groups = [(ALL, pd.Series(True, index=index.index)), *[(b, brands == b) for b in sorted(brands.unique())]]
    for group, mask in groups:
        part = on[mask]
        rows = {flag: (table["group"] == group) & (table["event"] == flag) for flag in flags}
        for flag in flags:
            alongside = part.drop(columns=flag).any(axis=1)[part[flag]]
            table.loc[rows[flag], "share_with_other_flag"] = float(alongside.mean()) if len(alongside) else np.nan
        varying = [flag for flag in flags if part[flag].any() and not part[flag].all()]
        if len(varying) < 2:  # nothing to hold fixed: the plain comparison is the flag's own
            continue
        own = _own_uplifts(index[mask], part[varying])
        if own is None:
            notes.append(
                f"{group}: {numbers.listing(varying)} run together every week, so each one's uplift is its plain "
                "on/off one"
            )
            continue
        for flag, uplift in own.items():
            table.loc[rows[flag], "uplift_pct"], table.loc[rows[flag], "others_held_fixed"] = uplift, True
    return Uplift("promo_uplift", table, notes=tuple(notes))


def _own_uplifts(index: pd.Series, on: pd.DataFrame) -> dict[str, float] | None:
    """Each flag's uplift in % (``100 * (exp(b) - 1)``) from least squares of the log sales index on an
    intercept and every flag of ``on``, over the rows with sales; None when the flags (with the intercept)
    are not linearly independent there, so no fit can tell them apart."""
    rows = (index > 0).to_numpy()
    design = np.column_stack([np.ones(int(rows.sum())), on.to_numpy(float)[rows]])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None
    coefficients = np.linalg.lstsq(design, np.log(index.to_numpy(float)[rows]), rcond=None)[0]
    return {flag: float(100.0 * np.expm1(b)) for flag, b in zip(on.columns, coefficients[1:], strict=True)}


def _brand_elasticity(rows: pd.DataFrame) -> tuple[dict[str, float], pd.DataFrame] | None:
    """OLS slope of demeaned log units on demeaned log price within each SKU series; None if price never moves."""
    keys = list(defaults.ROW_SERIES_KEY)
    logs = pd.DataFrame({"x": np.log(rows[schema.NET_PRICE]), "y": np.log(rows[schema.SALES_UNITS])})
    demeaned = logs - logs.groupby([rows[k] for k in keys]).transform("mean")
    x, y = demeaned["x"].to_numpy(), demeaned["y"].to_numpy()
    sxx = float(x @ x)
    if sxx <= 1e-12 or len(x) < 3:
        return None
    slope = float(x @ y) / sxx
    residual = y - slope * x
    dof = max(len(x) - rows.groupby(keys).ngroups - 1, 1)
    fit = {
        "elasticity": slope,
        "std_error": float(np.sqrt(residual @ residual / dof / sxx)),
        "r_squared": float(1.0 - residual @ residual / (y @ y)) if y @ y > 0 else float("nan"),
        "n_rows": len(x),
        "price_range_pct": float(100.0 * (np.exp(logs["x"].max() - logs["x"].min()) - 1.0)),
    }
    return fit, demeaned.assign(tpr=rows[defaults.TPR_FLAG].to_numpy() > 0)


def price_elasticity(view: PanelView) -> Elasticity:
    """Log-log price elasticity of units per brand, SKU levels removed (within-SKU variation only)."""
    fits, points, notes = [], {}, []
    for brand, rows in view.rows.groupby(schema.BRAND, sort=True):
        rows = rows[(rows[schema.NET_PRICE] > 0) & (rows[schema.SALES_UNITS] > 0)]
        if rows.empty:
            notes.append(f"{brand}: no week sells units ({schema.SALES_UNITS} above 0) at a {schema.NET_PRICE} above 0")
            continue
        result = _brand_elasticity(rows)
        if result is None:
            notes.append(f"{brand}: {schema.NET_PRICE} never changes within a SKU, so no elasticity can be fitted")
            continue
        fits.append({"brand": brand, **result[0]})
        shown = min(len(result[1]), defaults.MAX_SCATTER_POINTS)
        points[str(brand)] = result[1].sample(shown, random_state=defaults.SAMPLE_SEED)
    if not fits:
        raise NotApplicable("no brand's price elasticity can be fitted: " + "; ".join(notes))
    return Elasticity(pd.DataFrame(fits), points, tuple(notes))


def _geo_week(view: PanelView, columns: list[str]) -> pd.DataFrame:
    """Per geo and week: total Sales_Value (INR), its index (geo mean = 1) and geo-mean of ``columns``."""
    frame = (
        view.series.groupby([schema.GEO, schema.DATE])
        .agg({schema.SALES_VALUE: "sum", **{c: "mean" for c in columns}})
        .reset_index()
    )
    frame[defaults.SALES_INDEX] = series_index(frame, [schema.SALES_VALUE], (schema.GEO,))[schema.SALES_VALUE]
    return frame


def _varying(frame: pd.DataFrame, columns: list[str]) -> tuple[list[str], list[str]]:
    """The ``columns`` that vary, and a note for each left out; none varying skips the analysis (its title
    is shown beside the reason, so the reason does not repeat it)."""
    keep = [c for c in columns if frame[c].std() > 0]
    notes = [f"{c} is constant: left out" for c in columns if c not in keep]
    if not keep:
        raise NotApplicable(f"{', '.join(columns)} never {'varies' if len(columns) == 1 else 'vary'}")
    return keep, notes


def rainfall_vs_sales(view: PanelView) -> ScatterGrid:
    """Geo weekly sales index against the rainfall index, plus both by calendar month."""
    require_weeks(view.n_weeks, "a scatter of sales against rainfall")
    frame = _geo_week(view, [defaults.RAINFALL])
    _varying(frame, [defaults.RAINFALL])
    panel = scatter(frame[defaults.RAINFALL], frame[defaults.SALES_INDEX])
    profile = frame.groupby(frame[schema.DATE].dt.month)[[defaults.RAINFALL, defaults.SALES_INDEX]].mean()
    return ScatterGrid(
        "rainfall_vs_sales", {defaults.RAINFALL: panel}, "sales index (geo mean = 1)", profile.rename_axis("month")
    )


def distribution_vs_sales(view: PanelView) -> ScatterGrid:
    """Geo weekly Sales_Value (INR) against each distribution measure, coloured by geo."""
    columns = list(defaults.DISTRIBUTION_COLUMNS)
    require_weeks(view.n_weeks, "a scatter of sales against distribution")
    frame = _geo_week(view, columns)
    keep, notes = _varying(frame, columns)
    panels = {c: scatter(frame[c], frame[schema.SALES_VALUE], frame[schema.GEO]) for c in keep}
    return ScatterGrid("distribution_vs_sales", panels, "Sales_Value (INR per geo-week)", notes=tuple(notes))


def creative_scores(view: PanelView) -> ScatterGrid:
    """Geo x brand weekly sales index against each creative score, coloured by the matching channel's exposure."""
    columns = list(defaults.CREATIVE_PAIRS)
    require_weeks(view.n_weeks, "a scatter of sales against creative scores")
    keep, notes = _varying(view.series, columns)
    names = {column: name for name, column in view.channels.items()}
    panels, hue_labels = {}, {}
    for column in keep:
        exposure = defaults.CREATIVE_PAIRS[column]
        hue = series_index(view.series, [exposure])[exposure] if exposure in view.series else None
        panels[column] = scatter(view.series[column], view.series[defaults.SALES_INDEX], hue)
        hue_labels[column] = f"{names.get(exposure, exposure)} exposure index (series mean = 1)"
    return ScatterGrid(
        "creative_vs_sales", panels, "sales index (series mean = 1)", notes=tuple(notes), hue_labels=hue_labels
    )


def macro_trends(view: PanelView) -> MacroTrends:
    """CPI and GDP growth (averaged over geos) next to national sales."""
    weekly = view.weekly[[defaults.CPI, defaults.GDP, schema.SALES_VALUE]]
    return MacroTrends(weekly)


def driver_correlation(view: PanelView) -> DriverCorrelation:
    """Within-series correlation of the sales index with each control (deviation from its series mean).

    Constant drivers are left out with a note.
    """
    require_weeks(view.n_weeks, "a correlation of sales with the controls")
    drivers = [c for c in defaults.DRIVER_COLUMNS if view.series[c].std() > 0]
    notes = tuple(f"{c} is constant: left out" for c in defaults.DRIVER_COLUMNS if c not in drivers)
    if not drivers:
        raise NotApplicable("no control column varies: there is nothing to correlate with sales")
    means = view.series.groupby(list(defaults.SERIES_KEY))[drivers].transform("mean")
    centred = view.series[drivers] - means
    correlation = centred.corrwith(view.series[defaults.SALES_INDEX]).dropna()
    table = pd.DataFrame({"driver": correlation.index, "correlation": correlation.to_numpy()})
    table["unit"] = [defaults.unit_of(c) for c in table["driver"]]
    return DriverCorrelation(table.sort_values("correlation", key=np.abs, ascending=False, ignore_index=True), notes)
