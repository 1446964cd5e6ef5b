"""Per-series cleaning: time-aware imputation and robust outlier handling; nothing is dropped.

Imputation (``cleaning.impute``) works inside each (Geo, Brand, SKU) series in week order:
``linear`` interpolates between the neighbouring weeks (ends take the nearest value),
``ffill`` carries the last value forward (leading gaps take the first value), ``median``
uses the series median. A series with no value at all in a column takes the median of
the other series in the same week. Promotion flags are rounded back to 0/1. The channel
table's columns outside the schema (e.g. a ``TV_Spend`` spend column, see
:attr:`~mmm_analytics.data.validation.ValidatedPanel.channel_columns`) are imputed the
same way and kept.

Outliers (``cleaning.outliers``) are scored per series against the median of the
series' weeks in the same promotion state (``TPR_Flag`` 0 or 1), so promotion uplifts
are not flagged: ``mad`` divides the distance by 1.4826 x the median absolute distance
(a robust standard deviation), ``iqr`` by the interquartile range of the distances; a
score above ``threshold`` flags the row, and ``clip`` also moves the value to the
threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

import numpy as np
import pandas as pd

from mmm_analytics.config.data import (
    CleaningSettings,
    ImputeMethod,
    OutlierAction,
    OutlierMethod,
    OutlierSettings,
)
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.data.columns import closest_column
from mmm_analytics.data.issues import Rule
from mmm_analytics.data.validation import ValidatedPanel
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers

#: Scales a median absolute deviation to a standard deviation for normal data.
MAD_TO_SD = 1.4826
OUTLIER_FLAG = "outlier_flag"
#: False where the week's ``Sales_Value`` was filled in by the cleaning (the file had no row for the
#: week, or no value): the model neither trains on those sales nor scores its fit on them.
SALES_OBSERVED = "sales_observed"
#: Outliers are judged against weeks in the same promotion state, so a planned price
#: promotion (and its sales uplift) is not mistaken for an outlier.
PROMOTION_STATE = "TPR_Flag"
OUTLIER_COLUMNS: tuple[str, ...] = (
    *schema.ID_COLUMNS,
    "column",
    "value",
    "series_median",
    "robust_scale",
    "score",
    "threshold",
    "method",
    "action",
    "value_after",
    "reason",
)
_KEY = list(schema.KEY_COLUMNS)


@dataclass(frozen=True, slots=True)
class CleanedPanel:
    """The cleaned panel and what cleaning changed.

    ``frame`` follows the ``clean_panel.parquet`` contract: the 28 schema columns (Date
    datetime64[ns], Geo/Brand/SKU str, flags int64, the rest float64, no missing values),
    then the channel columns outside the schema (float64, no missing values; see
    :func:`channel_columns_of`), then a boolean ``outlier_flag`` and a boolean ``sales_observed``
    (:data:`SALES_OBSERVED`); rows sorted by (Geo, Brand, SKU, Date).
    ``outliers`` has one row per flagged cell (columns :data:`OUTLIER_COLUMNS`).
    Count dicts map column -> cells.
    """

    frame: pd.DataFrame
    outliers: pd.DataFrame
    imputed: dict[str, int]
    filled_from_other_series: dict[str, int]
    flagged: dict[str, int]
    clipped: dict[str, int]


def channel_columns_of(frame: pd.DataFrame) -> list[str]:
    """Columns of a validated or cleaned panel outside the schema (the channel table's extra
    exposure and spend columns, e.g. ``TV_Spend``), in frame order; ``outlier_flag`` and
    ``sales_observed`` excluded."""
    return [str(c) for c in frame.columns if c not in schema.COLUMNS and c not in (OUTLIER_FLAG, SALES_OBSERVED)]


def _interpolate_linear(values: pd.Series, series: pd.Series) -> pd.Series:
    """Linear interpolation between the nearest observed weeks of the same series (ends held).

    Rows must be in week order within each series on a complete weekly grid, so the row
    position is the time axis.
    """
    position = pd.Series(np.arange(len(values), dtype=np.float64), index=values.index)
    observed_at = position.where(values.notna())
    before, after = values.groupby(series).ffill(), values.groupby(series).bfill()
    at_before, at_after = observed_at.groupby(series).ffill(), observed_at.groupby(series).bfill()
    share = ((position - at_before) / (at_after - at_before)).fillna(0.0)
    inside = before + (after - before) * share
    return values.fillna(inside).fillna(before).fillna(after)


def _impute_column(values: pd.Series, series: pd.Series, method: ImputeMethod) -> pd.Series:
    match method:
        case ImputeMethod.LINEAR:
            return _interpolate_linear(values, series)
        case ImputeMethod.FFILL:
            return values.groupby(series).ffill().fillna(values.groupby(series).bfill())
        case ImputeMethod.MEDIAN:
            return values.fillna(values.groupby(series).transform("median"))
        case _:
            assert_never(method)


def impute(frame: pd.DataFrame, method: ImputeMethod) -> tuple[pd.DataFrame, dict[str, int], dict[str, int]]:
    """Fill every missing numeric cell within its series, in week order.

    Parameters
    ----------
    frame : DataFrame sorted by (Geo, Brand, SKU, Date), numeric columns float64 with NaN.
        Columns outside the schema (:func:`channel_columns_of`) are numeric and imputed too.
    method : ImputeMethod

    Returns
    -------
    frame : DataFrame with no missing numeric values (flags rounded to 0/1).
    imputed : dict column -> cells filled.
    filled_from_other_series : dict column -> cells of series with no value at all in that
        column, filled with the median of the other series in the same week.
    """
    out = frame.copy()
    series = out.groupby(_KEY, sort=False).ngroup()
    imputed, borrowed = {}, {}
    for column in (*schema.NUMERIC_COLUMNS, *channel_columns_of(out)):
        missing = out[column].isna()
        if not missing.any():
            continue
        filled = _impute_column(out[column], series, method)
        still = filled.isna()
        if still.any():
            week_median = filled.groupby(out[schema.DATE]).transform("median")
            filled = filled.fillna(week_median).fillna(filled.median())
            borrowed[column] = int(still.sum())
        if column in schema.FLAG_COLUMNS:
            filled = filled.round().clip(0.0, 1.0)
        out[column] = filled
        imputed[column] = int(missing.sum())
    return out, imputed, borrowed


def check_outlier_columns(settings: OutlierSettings) -> None:
    """Every configured outlier column must be a numeric schema column."""
    for column in settings.columns:
        if column not in schema.NUMERIC_COLUMNS:
            close = closest_column(column, list(schema.NUMERIC_COLUMNS))
            hint = f"did you mean '{close}'?" if close else "use numeric schema columns such as Sales_Value"
            raise InputError(f"config key 'cleaning.outliers.columns': '{column}' is not a numeric column; {hint}")


def _robust_centre_scale(frame: pd.DataFrame, column: str, method: OutlierMethod) -> tuple[pd.Series, pd.Series]:
    """Centre: median of the series' weeks in the same promotion state; scale: robust spread
    of the distances to that centre over the whole series (one scale per series)."""
    state = [frame[c] for c in (*_KEY, PROMOTION_STATE)]
    centre = frame[column].groupby(state, sort=False).transform("median")
    residual = frame[column] - centre
    series = [frame[c] for c in _KEY]
    match method:
        case OutlierMethod.MAD:
            scale = MAD_TO_SD * residual.abs().groupby(series, sort=False).transform("median")
        case OutlierMethod.IQR:
            spread = residual.groupby(series, sort=False)
            scale = spread.transform("quantile", 0.75) - spread.transform("quantile", 0.25)
        case OutlierMethod.NONE:
            scale = pd.Series(0.0, index=frame.index)
        case _:
            assert_never(method)
    return centre, scale


def _outlier_records(
    frame: pd.DataFrame,
    column: str,
    mask: pd.Series,
    centre: pd.Series,
    scale: pd.Series,
    score: pd.Series,
    after: pd.Series,
    settings: OutlierSettings,
) -> pd.DataFrame:
    unit = "robust SDs (1.4826 x MAD)" if settings.method is OutlierMethod.MAD else "IQRs"
    side = np.where(frame.loc[mask, column] > centre[mask], "above", "below")
    state = np.where(frame.loc[mask, PROMOTION_STATE] > 0, "promotion", "non-promotion")
    records = frame.loc[mask, list(schema.ID_COLUMNS)].copy()
    records["column"] = column
    records["value"] = frame.loc[mask, column]
    records["series_median"] = centre[mask]
    records["robust_scale"] = scale[mask]
    records["score"] = score[mask]
    records["threshold"] = settings.threshold
    records["method"] = settings.method.value
    records["action"] = settings.action.value
    records["value_after"] = after[mask]
    records["reason"] = [
        f"{column} {s:.1f} {unit} {d} the series median of {w} weeks (threshold {settings.threshold:g})"
        for s, d, w in zip(score[mask], side, state)
    ]
    return records


type CellCounts = dict[str, int]


def handle_outliers(
    frame: pd.DataFrame, settings: OutlierSettings
) -> tuple[pd.DataFrame, pd.DataFrame, CellCounts, CellCounts]:
    """Flag (and with ``clip``, clip) values far from their series median.

    Returns the frame with ``outlier_flag`` added, one record per flagged cell, and the
    flagged and clipped cell counts per column. A series whose robust scale is 0 (a
    constant column) has no outliers.
    """
    check_outlier_columns(settings)
    out = frame.copy()
    flag = pd.Series(False, index=out.index)
    records, flagged, clipped = [], {}, {}
    columns = settings.columns if settings.method is not OutlierMethod.NONE else []
    for column in columns:
        centre, scale = _robust_centre_scale(out, column, settings.method)
        distance = (out[column] - centre).abs()
        score = (distance / scale.where(scale > 0)).fillna(0.0)
        mask = score > settings.threshold
        if not mask.any():
            continue
        after = out[column]
        if settings.action is OutlierAction.CLIP:
            reach = settings.threshold * scale
            after = out[column].clip(centre - reach, centre + reach)
            clipped[column] = int(mask.sum())
        records.append(_outlier_records(out, column, mask, centre, scale, score, after, settings))
        out[column] = after
        flagged[column] = int(mask.sum())
        flag |= mask
    out[OUTLIER_FLAG] = flag.astype(bool)
    table = pd.concat(records, ignore_index=True) if records else pd.DataFrame(columns=list(OUTLIER_COLUMNS))
    return out, table, flagged, clipped


#: A kept outlier this many robust spreads from its series' median, and at least :data:`EXTREME_OUTLIER_RATIO`
#: times (or at most its inverse) the median, is named in a warning: a value that far out is a typing or
#: unit slip (a digit too many or too few) far more often than a real week, and one such row can swamp the
#: fit. A festival week of four times the usual sales reaches 60 robust spreads in a quiet series; the
#: ratio keeps it out.
EXTREME_OUTLIER_SCORE = 50.0
EXTREME_OUTLIER_RATIO = 10.0


def extreme_outlier_notes(outliers: pd.DataFrame, fmt: NumberFormat = NumberFormat.INDIAN) -> tuple[str, ...]:
    """One line naming the farthest of the flagged values kept as they are (action ``flag``) beyond both
    :data:`EXTREME_OUTLIER_SCORE` and :data:`EXTREME_OUTLIER_RATIO`, with how many rows hold one; ()
    when none. ``outliers`` is the table of :func:`handle_outliers`; the value, its score and its series'
    median are grouped per ``fmt``."""
    value, median = outliers["value"].astype(float), outliers["series_median"].astype(float).abs()
    ratio = (value.abs() / median.where(median > 0)).fillna(np.inf)
    far = (ratio >= EXTREME_OUTLIER_RATIO) | (ratio <= 1.0 / EXTREME_OUTLIER_RATIO)
    kept = outliers[
        (outliers["action"] == OutlierAction.FLAG.value) & (outliers["score"] > EXTREME_OUTLIER_SCORE) & far
    ]
    if kept.empty:
        return ()
    worst = kept.loc[kept["score"].astype(float).idxmax()]
    series = "/".join(str(worst[column]) for column in schema.KEY_COLUMNS)
    week = pd.Timestamp(worst[schema.DATE]).date().isoformat()
    rows = len(kept[list(schema.ID_COLUMNS)].drop_duplicates())  # Sales_Units and Sales_Value of one row: one
    others = (
        f" ({numbers.counted(rows - 1, 'more row', fmt, 'more rows')} this far out in outliers.csv)" if rows > 1 else ""
    )
    value, score, median = (numbers.grouped(worst[key], fmt) for key in ("value", "score", "series_median"))
    return (
        f"{worst['column']} of {series} in the week of {week} is {value}, {score} robust spreads from its series' "
        f"median ({median}) and kept as it is{others}: most likely a typing or unit slip, and it can swamp the fit; "
        "fix the row, or set cleaning.outliers.action: clip in data_config.yaml",
    )


#: A series with no sales at a zero price in this many weeks or more at its start (or end) is named:
#: most likely not yet launched (or delisted), written as zeros to fill the grid.
MIN_OFF_SALE_WEEKS = 4


def _end_runs(frame: pd.DataFrame, flags: pd.Series) -> list[tuple[str, int, int, str, str]]:
    """Per series of ``frame`` whose first (else last) :data:`MIN_OFF_SALE_WEEKS` weeks or more are all
    ``flags``: (series name, weeks, weeks of the series, "its first N" or "its last N", "date to date")."""
    found: list[tuple[str, int, int, str, str]] = []
    for key, rows in frame.assign(_flag=flags).sort_values(schema.DATE).groupby(list(schema.KEY_COLUMNS), sort=True):
        marked = rows["_flag"].to_numpy(dtype=bool)
        dates = rows[schema.DATE].dt.date.astype(str).to_numpy()
        leading = int(np.argmin(marked)) if not marked.all() else len(marked)
        trailing = int(np.argmin(marked[::-1])) if not marked.all() else len(marked)
        name = "/".join(map(str, key))
        if leading >= MIN_OFF_SALE_WEEKS:
            found.append((name, leading, len(marked), f"its first {leading}", f"{dates[0]} to {dates[leading - 1]}"))
        elif trailing >= MIN_OFF_SALE_WEEKS:
            found.append((name, trailing, len(marked), f"its last {trailing}", f"{dates[-trailing]} to {dates[-1]}"))
    return found


def _end_note(frame: pd.DataFrame, flags: pd.Series, words: str) -> tuple[str, ...]:
    """``words`` filled for the series of :func:`_end_runs` with the most weeks flagged at its start or end
    (``{name}``, ``{which}``: "its first N", ``{weeks}`` of the series, ``{span}``: "date to date",
    ``{more}``: " (N more series like it)"); () when no series has such a run."""
    if not flags.any() or not (found := _end_runs(frame, flags)):
        return ()
    name, _, weeks, which, span = max(found, key=lambda item: item[1])
    more = f" ({len(found) - 1} more series like it)" if len(found) > 1 else ""
    return (words.format(name=name, which=which, weeks=weeks, span=span, more=more),)


def off_sale_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """One line naming the series (and how many more) whose first or last :data:`MIN_OFF_SALE_WEEKS`
    weeks or more have zero ``Sales_Value`` at a zero ``Net_Price``: weeks before a launch or after a
    delisting, which the model would read as weeks that sold nothing at a price of 0; () when none.
    ``frame``: the cleaned panel, one row per series and week."""
    off = (frame[schema.SALES_VALUE] == 0) & (frame[schema.NET_PRICE] == 0)
    return _end_note(
        frame,
        off,
        "series {name} has no sales at a price of 0 in {which} of {weeks} weeks ({span}){more}: not on sale "
        "then? The model reads them as weeks that sold nothing at a price of 0, which bends the price and media "
        "effects; start the file at the launch (or end it at the delisting), or leave the series out",
    )


def unreported_end_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """One line naming the series (and how many more) without any row for their first or last
    :data:`MIN_OFF_SALE_WEEKS` weeks or more, which the cleaning fills from the nearest week (sales the
    model then leaves out, media it reads); () when none. ``frame``: the validated panel, the
    rows added for missing weeks holding no value."""
    values = [column for column in (*schema.NUMERIC_COLUMNS, *channel_columns_of(frame)) if column in frame.columns]
    empty = frame[values].isna().all(axis=1) if values else pd.Series(False, index=frame.index)
    # Before, only "N row(s) added for missing weeks ... will be imputed", under "fixed".
    return _end_note(
        frame,
        empty,
        "series {name} has no row for {which} of {weeks} weeks ({span}){more}: the model leaves those weeks' "
        "sales out of its fit and its scores, but their media are copied from the nearest week and count in "
        "the contributions and ROIs; start the file where the series starts (or end it where it ends), or "
        "leave the series out",
    )


def to_contract(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast to the ``clean_panel.parquet`` dtypes and order (see :class:`CleanedPanel`).

    Columns outside the schema (:func:`channel_columns_of`) are kept, as float64, after the
    schema columns. A frame without ``sales_observed`` (a panel cleaned before it was kept) has
    every week's sales observed.
    """
    extra = channel_columns_of(frame)
    if SALES_OBSERVED not in frame.columns:
        frame = frame.assign(**{SALES_OBSERVED: True})
    out = frame[[*schema.ALL_COLUMNS, *extra, OUTLIER_FLAG, SALES_OBSERVED]].copy()
    out[schema.DATE] = pd.to_datetime(out[schema.DATE]).astype("datetime64[ns]")
    for column in schema.KEY_COLUMNS:
        out[column] = out[column].astype(str)
    for column in schema.NUMERIC_COLUMNS:
        out[column] = out[column].astype("int64" if column in schema.FLAG_COLUMNS else "float64")
    for column in extra:
        out[column] = out[column].astype("float64")
    out[OUTLIER_FLAG] = out[OUTLIER_FLAG].astype(bool)
    out[SALES_OBSERVED] = out[SALES_OBSERVED].astype(bool)
    return out.sort_values([*_KEY, schema.DATE], kind="stable").reset_index(drop=True)


def clean_panel(frame: pd.DataFrame, settings: CleaningSettings) -> CleanedPanel:
    """Impute, then handle outliers, per series; see the module notes for each method.

    Parameters
    ----------
    frame : DataFrame
        A validated panel (:attr:`ValidatedPanel.frame`): complete weekly grid, NaN where
        missing; its channel columns outside the schema are imputed and kept.
    settings : CleaningSettings
        ``cleaning`` block of ``data_config.yaml``.
    """
    check_outlier_columns(settings.outliers)
    ordered = frame.sort_values([*_KEY, schema.DATE], kind="stable").reset_index(drop=True)
    observed = ordered[schema.SALES_VALUE].notna()
    filled, imputed, borrowed = impute(ordered, settings.impute)
    handled, outliers, flagged, clipped = handle_outliers(filled, settings.outliers)
    handled = handled.assign(**{SALES_OBSERVED: observed})
    return CleanedPanel(to_contract(handled), outliers, imputed, borrowed, flagged, clipped)


#: Validation fixes whose cells are counted by the imputation instead.
_COUNTED_BY_IMPUTATION = frozenset({Rule.MISSING_VALUES, Rule.MISSING_WEEKS})


def total_changes(validated: ValidatedPanel, cleaned: CleanedPanel) -> int:
    """Every change made to the data: header and text fixes, rows added, cells imputed or clipped."""
    structural = sum(i.count for i in validated.issues if i.rule not in _COUNTED_BY_IMPUTATION)
    return structural + validated.rows_inserted + sum(cleaned.imputed.values()) + sum(cleaned.clipped.values())


def cleaning_report(
    validated: ValidatedPanel, cleaned: CleanedPanel, settings: CleaningSettings, source: str
) -> dict[str, Any]:
    """The JSON-ready cleaning report: every fix, imputation and outlier counted."""
    return {
        "source": source,
        "rows_in_file": validated.rows_in_file,
        "rows_added_for_missing_weeks": validated.rows_inserted,
        "rows_out": len(cleaned.frame),
        "rows_dropped": 0,
        "series": validated.n_series,
        "weeks": validated.n_weeks,
        "validation_fixes": [issue.to_dict() for issue in validated.issues],
        "imputation": {
            "method": settings.impute.value,
            "cells": cleaned.imputed,
            "cells_filled_from_other_series": cleaned.filled_from_other_series,
            "total": int(sum(cleaned.imputed.values())),
        },
        "outliers": {
            "method": settings.outliers.method.value,
            "threshold": settings.outliers.threshold,
            "action": settings.outliers.action.value,
            "columns": list(settings.outliers.columns),
            "flagged_cells": cleaned.flagged,
            "flagged_rows": int(cleaned.frame[OUTLIER_FLAG].sum()),
            "clipped_cells": cleaned.clipped,
        },
        "total_changes": total_changes(validated, cleaned),
    }
