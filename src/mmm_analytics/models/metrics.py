"""Fit metrics and residual diagnostics of the model's Sales_Value predictions.

Shapes: S = series, T = weeks. ``actual`` and ``predicted`` are Sales_Value in INR of
shape (S, T). The training period is the first ``T - holdout_weeks`` weeks, the holdout
the last ``holdout_weeks`` (time-ordered, as in training).

Metrics (error e = predicted - actual, over the cells of a period):

- ``r2``: 1 - sum(e**2) / sum((actual - mean(actual))**2);
- ``mape``: mean(|e| / |actual|) over cells with actual != 0 (a share: 0.05 = 5%);
- ``wmape``: sum(|e|) / sum(|actual|);
- ``nrmse``: sqrt(mean(e**2)) / mean(actual);
- ``bias``: mean(e) / mean(actual) (> 0: the model over-predicts).

Levels: ``series`` (one brand x region), ``brand`` and ``region`` (weekly sums over the
other key), ``national`` (weekly sums over every series) and ``overall`` (every series x
week cell pooled, each cell one observation).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsmodels.stats.stattools import durbin_watson
from statsmodels.tsa.stattools import acf

from mmm_analytics.style import numbers

type Grid = npt.NDArray[np.float64]
type Metrics = dict[str, float]

METRIC_NAMES: tuple[str, ...] = ("r2", "mape", "wmape", "nrmse", "bias")
ACF_LAGS = 8
#: The flat forecast the model's holdout forecasts are held against: each series at its mean Sales_Value of
#: this many training weeks before the holdout (a quarter).
FLAT_FORECAST_WEEKS = 13
#: A holdout wMAPE above this multiple of the flat forecast's: the model forecasts worse than no model.
MAX_FLAT_RATIO = 1.5
#: Label of a key that is summed over (brand and region of the national rows).
ALL = "all"
#: Squared relative size below which the spread of the actuals counts as rounding (R2 undefined).
_ROUNDING = 1e-24


class Period(StrEnum):
    TRAIN = "train"
    HOLDOUT = "holdout"


class Level(StrEnum):
    OVERALL = "overall"
    NATIONAL = "national"
    BRAND = "brand"
    REGION = "region"
    SERIES = "series"


def fit_metrics(actual: npt.ArrayLike, predicted: npt.ArrayLike) -> Metrics:
    """R2, MAPE, wMAPE, NRMSE and bias of ``predicted`` against ``actual`` (any equal shapes).

    Every cell is one observation. A metric that is undefined (no cells, constant or
    all-zero actuals) is NaN.
    """
    actual = np.asarray(actual, dtype=np.float64).ravel()
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    if actual.shape != predicted.shape:
        raise ValueError(f"actual and predicted differ in size: {actual.size} vs {predicted.size}")
    if actual.size == 0:
        return dict.fromkeys(METRIC_NAMES, math.nan)
    error = predicted - actual
    mean_actual = float(actual.mean())
    total = float(np.sum((actual - mean_actual) ** 2))
    nonzero = actual != 0
    absolute = float(np.abs(actual).sum())
    spread = total > _ROUNDING * actual.size * float(np.max(actual**2))
    return {
        "r2": 1.0 - float(np.sum(error**2)) / total if spread else math.nan,
        "mape": float(np.mean(np.abs(error[nonzero]) / np.abs(actual[nonzero]))) if nonzero.any() else math.nan,
        "wmape": float(np.abs(error).sum()) / absolute if absolute > 0 else math.nan,
        "nrmse": math.sqrt(float(np.mean(error**2))) / mean_actual if mean_actual != 0 else math.nan,
        "bias": float(error.mean()) / mean_actual if mean_actual != 0 else math.nan,
    }


def period_weeks(n_weeks: int, holdout_weeks: int) -> dict[Period, slice]:
    """Week slices of the periods that have at least one week (train first)."""
    n_train = n_weeks - holdout_weeks
    periods = {Period.TRAIN: slice(0, n_train), Period.HOLDOUT: slice(n_train, n_weeks)}
    return {period: weeks for period, weeks in periods.items() if weeks.stop > weeks.start}


def _groups(keys: pd.DataFrame) -> list[tuple[Level, str, str, npt.NDArray[np.bool_]]]:
    """(level, brand, region, mask over series) of the national, brand, region and series sums."""
    brand, region = keys["brand"].to_numpy(dtype=str), keys["region"].to_numpy(dtype=str)
    groups = [(Level.NATIONAL, ALL, ALL, np.ones(len(keys), dtype=bool))]
    groups += [(Level.BRAND, b, ALL, brand == b) for b in dict.fromkeys(brand)]
    groups += [(Level.REGION, ALL, r, region == r) for r in dict.fromkeys(region)]
    groups += [(Level.SERIES, b, r, (brand == b) & (region == r)) for b, r in dict.fromkeys(zip(brand, region))]
    return groups


def metrics_table(
    actual: Grid, predicted: Grid, keys: pd.DataFrame, holdout_weeks: int, observed: Grid | None = None
) -> pd.DataFrame:
    """One row per period x level (x brand x region): ``level, brand, region, period, n_obs`` + metrics.

    Parameters
    ----------
    actual, predicted : ndarray of shape (S, T)
        Sales_Value in INR.
    keys : DataFrame with columns ``brand`` and ``region``, S rows
        The series; several rows may share a brand and region (SKU granularity) and are
        then summed in the series rows.
    holdout_weeks : int
        Weeks at the end that were held out of training.
    observed : ndarray of shape (S, T), optional
        Nonzero where the week's sales were observed (not filled in by the cleaning): only those cells
        count, a group's weekly sums add its observed series, and a week without any is left out.
        None: every cell.
    """
    seen = np.ones(actual.shape, dtype=bool) if observed is None else np.asarray(observed) > 0
    rows: list[dict[str, Any]] = []
    for period, weeks in period_weeks(actual.shape[1], holdout_weeks).items():
        a, p, o = actual[:, weeks], predicted[:, weeks], seen[:, weeks]
        rows.append(
            {
                "level": Level.OVERALL.value,
                "brand": ALL,
                "region": ALL,
                "period": period.value,
                "n_obs": int(o.sum()),
                **fit_metrics(a[o], p[o]),
            }
        )
        for level, brand, region, mask in _groups(keys):
            kept = o[mask].any(axis=0)  # the weeks with an observed series of the group
            rows.append(
                {
                    "level": level.value,
                    "brand": brand,
                    "region": region,
                    "period": period.value,
                    "n_obs": int(kept.sum()),
                    **fit_metrics(
                        np.where(o[mask], a[mask], 0.0).sum(axis=0)[kept],
                        np.where(o[mask], p[mask], 0.0).sum(axis=0)[kept],
                    ),
                }
            )
    return pd.DataFrame(rows, columns=["level", "brand", "region", "period", "n_obs", *METRIC_NAMES])


def metrics_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Nested form of :func:`metrics_table` for JSON: ``{period: {level: metrics or list of rows}}``."""
    summary: dict[str, Any] = {"definitions": _DEFINITIONS}
    for period, rows in table.groupby("period", sort=False):
        block: dict[str, Any] = {}
        for level, part in rows.groupby("level", sort=False):
            records = [
                {k: _plain(v) for k, v in row.items() if k not in ("level", "period")}
                for row in part.to_dict(orient="records")
            ]
            block[str(level)] = records[0] if level in (Level.OVERALL, Level.NATIONAL) else records
        summary[str(period)] = block
    return summary


_DEFINITIONS = {
    "r2": "1 - SSE / SST",
    "mape": "mean(|pred - actual| / |actual|), share",
    "wmape": "sum(|pred - actual|) / sum(|actual|)",
    "nrmse": "RMSE / mean(actual)",
    "bias": "mean(pred - actual) / mean(actual)",
    "flat_forecast_wmape": (
        f"holdout only: wMAPE of each series held at its mean of the {FLAT_FORECAST_WEEKS} training weeks before "
        "the holdout (the forecast the model must beat)"
    ),
}


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _acf(residual: Grid, lags: int) -> Grid:
    """Autocorrelations at lags 1..``lags`` of a 1-D residual (NaN where undefined)."""
    out = np.full(lags, math.nan)
    usable = min(lags, residual.size - 1)
    if usable < 1 or float(np.var(residual)) <= 0:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        out[:usable] = acf(residual, nlags=usable, fft=False)[1:]
    return out


def residual_diagnostics(
    actual: Grid,
    predicted: Grid,
    keys: pd.DataFrame,
    holdout_weeks: int,
    lags: int = ACF_LAGS,
    observed: Grid | None = None,
) -> pd.DataFrame:
    """Durbin-Watson and residual ACF (lags 1..``lags``) over the training weeks.

    Residual = actual - predicted (INR), weekly, per brand x region (series sharing both
    are summed). Rows: every brand x region, ``national`` (residual of the weekly national
    sums) and ``overall`` (brand x region pooled: each residual is divided by that series'
    mean actual sales, then the Durbin-Watson sums and the autocovariances are added over
    series, so every series counts alike).

    Returns
    -------
    DataFrame with columns ``level, brand, region, n_weeks, durbin_watson, acf_lag_1 .. acf_lag_{lags}``
    """
    n_train = actual.shape[1] - holdout_weeks
    seen = np.ones(actual.shape) if observed is None else (np.asarray(observed) > 0).astype(np.float64)
    error = (actual - predicted) * seen  # a week whose sales the cleaning filled in has no residual
    series = [(b, r, mask) for level, b, r, mask in _groups(keys) if level is Level.SERIES]
    residual = np.array([error[mask][:, :n_train].sum(axis=0) for _, _, mask in series])
    scale = np.array([_observed_mean(actual[mask][:, :n_train], seen[mask][:, :n_train]) for _, _, mask in series])
    relative = residual / np.where(scale > 0, scale, 1.0)[:, None]
    variance = relative.var(axis=1)
    series_acf = np.array([_acf(r, lags) for r in relative])
    weights = np.where(np.isfinite(series_acf), variance[:, None], 0.0)
    total_weight = weights.sum(axis=0)
    weighted = np.nansum(weights * series_acf, axis=0)
    pooled_acf = np.where(total_weight > 0, weighted / np.where(total_weight > 0, total_weight, 1.0), np.nan)
    national = residual.sum(axis=0)
    rows = [
        (Level.OVERALL, ALL, ALL, _pooled_durbin_watson(relative), pooled_acf),
        (Level.NATIONAL, ALL, ALL, _durbin_watson(national), _acf(national, lags)),
    ]
    rows += [(Level.SERIES, b, r, _durbin_watson(residual[k]), series_acf[k]) for k, (b, r, _) in enumerate(series)]
    acf_columns = [f"acf_lag_{lag}" for lag in range(1, lags + 1)]
    return pd.DataFrame(
        [
            {
                "level": level.value,
                "brand": b,
                "region": r,
                "n_weeks": n_train,
                "durbin_watson": dw,
                **dict(zip(acf_columns, values.tolist())),
            }
            for level, b, r, dw, values in rows
        ],
        columns=["level", "brand", "region", "n_weeks", "durbin_watson", *acf_columns],
    )


def _observed_mean(actual: Grid, seen: Grid) -> float:
    """Mean absolute weekly sum of ``actual`` (k, T) over the weeks any of its rows was observed (``seen`` 1)."""
    kept = seen.any(axis=0)
    return float(np.abs((actual * seen).sum(axis=0)[kept]).mean()) if kept.any() else 0.0


def _durbin_watson(residual: Grid) -> float:
    return float(durbin_watson(residual)) if float(np.sum(residual**2)) > 0 else math.nan


def _pooled_durbin_watson(residuals: Grid) -> float:
    """sum over series of sum(diff(e)**2) / sum over series of sum(e**2)."""
    denominator = float(np.sum(residuals**2))
    return float(np.sum(np.diff(residuals, axis=1) ** 2)) / denominator if denominator > 0 else math.nan


#: Below this train R2 the fit explains too little of the weekly sales for its ROIs to be read.
MIN_TRAIN_R2 = 0.5
#: Above this holdout wMAPE the model's forecasts of weeks it never saw are not to be relied on.
MAX_HOLDOUT_WMAPE = 0.5
#: Fewer training weeks than a year cannot tell seasonality from media.
YEAR_WEEKS = 52


def flat_forecast_wmape(
    actual: Grid, holdout_weeks: int, observed: Grid | None = None, weeks: int = FLAT_FORECAST_WEEKS
) -> float:
    """wMAPE over the holdout weeks of a flat forecast: each series (row of ``actual``, S x T, INR) at its mean
    over its observed weeks among the last ``weeks`` training weeks; the cells of the holdout that are observed
    (``observed`` nonzero; None: all) and whose series has such a week count. NaN without a holdout or a cell."""
    actual = np.asarray(actual, dtype=np.float64)
    n_train = actual.shape[1] - holdout_weeks
    if holdout_weeks <= 0 or n_train <= 0:
        return math.nan
    seen = np.ones(actual.shape, dtype=bool) if observed is None else np.asarray(observed) > 0
    recent = slice(max(n_train - weeks, 0), n_train)
    counts = seen[:, recent].sum(axis=1)
    level = np.where(seen[:, recent], actual[:, recent], 0.0).sum(axis=1) / np.maximum(counts, 1)
    scored = seen[:, n_train:] & (counts > 0)[:, None]
    held = actual[:, n_train:]
    total = float(np.abs(held[scored]).sum())
    if total <= 0:
        return math.nan
    return float(np.abs(held - level[:, None])[scored].sum()) / total


def fit_warnings(metrics: dict, n_train_weeks: int) -> tuple[str, ...]:
    """Lines for a fit that should not be read as it stands: too few training weeks, a train R2
    below :data:`MIN_TRAIN_R2`, a holdout wMAPE above :data:`MAX_HOLDOUT_WMAPE` or else above
    :data:`MAX_FLAT_RATIO` times the flat forecast's (:func:`flat_forecast_wmape`; ``metrics`` as in
    ``model_metrics.json``); where the whole reads well, the first checks of each brand's weekly sales."""
    lines = []
    if n_train_weeks < YEAR_WEEKS:
        lines.append(
            f"the model trains on {n_train_weeks} weeks, less than a year: seasonality and media are hard to tell "
            "apart; use a longer panel or a shorter holdout_weeks (data_config.yaml)"
        )
    train = metrics.get("train", {}).get("overall", {}).get("r2")
    if train is not None and train < MIN_TRAIN_R2:
        lines.append(
            f"the model explains {max(train, 0.0):.0%} of the weekly sales variation of its training weeks "
            f"(R2 {train:.3f}): its ROIs are not to be relied on; look for errors in the data "
            "(data/processed/outliers.csv, the EDA report) before reading them"
        )
    overall = metrics.get("holdout", {}).get("overall", {})
    holdout, flat = overall.get("wmape"), numbers.finite(overall.get("flat_forecast_wmape"))
    if holdout is not None and holdout > MAX_HOLDOUT_WMAPE:
        lines.append(
            f"the model's forecasts of the holdout weeks it never saw are off by {holdout:.0%} on average "
            "(holdout wMAPE): its ROIs and advice are not to be relied on; "
            "check the data and the holdout_weeks"
        )
    elif holdout is not None and flat is not None and flat > 0 and holdout > MAX_FLAT_RATIO * flat:
        lines.append(
            f"the model forecasts the holdout weeks it never saw worse than a flat line would (holdout wMAPE "
            f"{holdout:.1%}, against {flat:.1%} for each series held at its average of the {FLAT_FORECAST_WEEKS} "
            "weeks before): it misses what moves these sales, so its ROIs and advice are not to be relied on; "
            "check the data, the drivers and the holdout_weeks"
        )
    return tuple(lines) if lines else _brand_warnings(metrics)


def _brand_rows(metrics: dict, period: str) -> list[dict]:
    rows = metrics.get(period, {}).get(Level.BRAND.value, [])
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _brands_where(rows: list[dict], key: str, bad: Callable[[float], bool]) -> list[tuple[float, str]]:
    """(value of ``key``, brand) of the brand ``rows`` whose value is a number and ``bad``."""
    values = [(row.get(key), str(row.get("brand"))) for row in rows]
    return [(float(v), brand) for v, brand in values if isinstance(v, (int, float)) and bad(float(v))]


def _brand_warnings(metrics: dict) -> tuple[str, ...]:
    """One line for the brands a fit that reads well overall does not fit (weekly brand sales: a train R2
    below :data:`MIN_TRAIN_R2` or a holdout wMAPE above :data:`MAX_HOLDOUT_WMAPE`), naming the worst of them;
    () for a panel of one brand, whose brand is the whole panel."""
    train, holdout = _brand_rows(metrics, Period.TRAIN.value), _brand_rows(metrics, Period.HOLDOUT.value)
    if len(train) < 2:
        return ()
    weak = _brands_where(train, "r2", lambda r2: r2 < MIN_TRAIN_R2)
    off = _brands_where(holdout, "wmape", lambda wmape: wmape > MAX_HOLDOUT_WMAPE)
    lines = []
    if weak:
        r2, brand = min(weak)
        more = (
            f" ({numbers.counted(len(weak) - 1, 'more brand', plural='more brands')} below {MIN_TRAIN_R2})"
            if len(weak) > 1
            else ""
        )
        lines.append(
            f"the model explains {max(r2, 0.0):.0%} of {brand}'s weekly sales variation in its training weeks "
            f"(R2 {r2:.3f}){more}, though it fits the panel as a whole: {brand}'s ROIs and advice are not to be "
            f"relied on; check {brand}'s rows in the data, or fit each brand on its own (mmm train --split-by brand)"
        )
    if off:
        wmape, brand = max(off)
        more = (
            f" ({numbers.counted(len(off) - 1, 'more brand', plural='more brands')} above {MAX_HOLDOUT_WMAPE:.0%})"
            if len(off) > 1
            else ""
        )
        lines.append(
            f"the model's forecasts of {brand}'s weekly sales in the holdout weeks are off by {wmape:.0%}{more}, "
            f"though it forecasts the panel as a whole: {brand}'s ROIs and advice are not to be relied on; "
            f"check {brand}'s rows in the data, or fit each brand on its own (mmm train --split-by brand)"
        )
    return tuple(lines)
