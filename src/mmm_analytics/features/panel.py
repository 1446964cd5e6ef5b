"""The model-ready panel: series x week arrays built from the cleaned data.

Shapes: S = series (geo x brand, or geo x brand x SKU), T = weeks, C = channels,
K = controls. Saved as ``features.parquet`` (one row per series and week) plus
``features_meta.json`` (channel order, CPMs, control names, scalers, vocabularies).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig, Granularity
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import SALES_OBSERVED
from mmm_analytics.data.columns import check_channel_columns
from mmm_analytics.data.spend import require_some_spend, unspent_channel_notes
from mmm_analytics.errors import InputError
from mmm_analytics.features import seasonality
from mmm_analytics.features.hierarchical import Vocabulary
from mmm_analytics.features.price_elasticity import relative_price
from mmm_analytics.features.scaling import Scalers, control_notes
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.words import listed, numbered

type Array = npt.NDArray[np.float64]

#: How each control is aggregated from SKUs to a series (flags: share of SKUs on promotion).
MEAN_CONTROLS = schema.CONTROL_COLUMNS


@dataclass(frozen=True, slots=True)
class FeaturePanel:
    """Arrays for the model; ``exposure`` (S, T, C) in units of each channel's input column
    (exposures, or INR for a channel given by a spend column; see :class:`~mmm_analytics.channels.Channels`),
    ``cpm`` (C,) INR per 1000 of those units, ``sales`` (S, T) in INR,
    ``relative_price`` (S, T) net price / reference, ``controls`` (S, T, K) unscaled.
    ``notes`` are lines about channels with no spend in some brand x region
    (:func:`~mmm_analytics.data.spend.unspent_channel_notes`) and controls the scalers could not use
    (constant, duplicate or collinear over the training weeks; see
    :func:`~mmm_analytics.features.scaling.control_notes`). ``sales_observed`` (S, T) bool is False where a
    week's sales were filled in by the cleaning for some SKU of the series (no row or no value in the file):
    the model neither trains on nor scores those weeks; None when every week was observed."""

    dates: pd.DatetimeIndex
    geo: tuple[str, ...]
    brand: tuple[str, ...]
    sku: tuple[str, ...] | None
    channels: tuple[str, ...]
    cpm: Array
    exposure: Array
    sales: Array
    relative_price: Array
    controls: Array
    control_names: tuple[str, ...]
    holdout_weeks: int
    scalers: Scalers
    sales_observed: Array | None = None
    notes: tuple[str, ...] = ()

    @property
    def n_train_weeks(self) -> int:
        return len(self.dates) - self.holdout_weeks

    @property
    def observed(self) -> Array:
        """(S, T) float 1.0 where the week's sales were observed, 0.0 where the cleaning filled them in."""
        shape = self.sales.shape
        return np.ones(shape) if self.sales_observed is None else np.asarray(self.sales_observed, dtype=np.float64)

    @property
    def spend(self) -> Array:
        """Weekly spend in INR, (S, T, C): exposure x cpm / 1000."""
        return self.exposure * self.cpm / 1000.0

    @property
    def scaled_exposure(self) -> Array:
        return self.scalers.scale_exposure(self.exposure)

    @property
    def scaled_controls(self) -> Array:
        return self.scalers.scale_controls(self.controls)

    def series_subset(self, rows: npt.ArrayLike) -> FeaturePanel:
        """The series ``rows`` (indices, in that order) alone; the scalers fitted on the whole
        panel are kept (each series' exposure scale goes with it)."""
        keep = np.asarray(rows, dtype=np.int64)
        scalers = dataclasses.replace(self.scalers, exposure_scale=self.scalers.exposure_scale[keep])
        return dataclasses.replace(
            self,
            geo=tuple(self.geo[s] for s in keep),
            brand=tuple(self.brand[s] for s in keep),
            sku=None if self.sku is None else tuple(self.sku[s] for s in keep),
            exposure=self.exposure[keep],
            sales=self.sales[keep],
            relative_price=self.relative_price[keep],
            controls=self.controls[keep],
            scalers=scalers,
            sales_observed=None if self.sales_observed is None else self.sales_observed[keep],
        )

    def series_labels(self) -> list[str]:
        """Each series as ``geo/brand`` (``geo/brand/sku`` at SKU granularity), length S."""
        return _labels(self.geo, self.brand, self.sku)

    def vocabularies(self) -> dict[str, Vocabulary]:
        vocab = {
            "brand": Vocabulary.from_values("brand", self.brand),
            "region": Vocabulary.from_values("region", self.geo),
        }
        if self.sku is not None:
            vocab["sku"] = Vocabulary.from_values("sku", self.sku)
        return vocab

    def meta(self) -> dict[str, Any]:
        return {
            "channels": list(self.channels),
            "cpm": self.cpm.tolist(),
            "control_names": list(self.control_names),
            "holdout_weeks": self.holdout_weeks,
            "scalers": self.scalers.to_dict(),
            "vocabularies": {k: v.to_dict() for k, v in self.vocabularies().items()},
            "notes": list(self.notes),
        }


def _labels(geo: tuple[str, ...], brand: tuple[str, ...], sku: tuple[str, ...] | None) -> list[str]:
    parts = [geo, brand] + ([sku] if sku is not None else [])
    return ["/".join(names) for names in zip(*parts, strict=True)]


def require_fittable(panel: FeaturePanel, fix: str) -> None:
    """Raise :class:`InputError` when the model cannot be fitted to ``panel``: a missing or
    non-finite value (naming the channel, control and series) or a series without sales in
    every training week. ``fix`` ends each message (what to re-run)."""
    arrays = {"exposure": panel.exposure, "sales": panel.sales, "relative_price": panel.relative_price}
    _check_arrays(
        panel.series_labels(),
        panel.channels,
        panel.control_names,
        arrays | {"controls": panel.controls},
        panel.n_train_weeks,
        fix,
    )


def _check_arrays(
    labels: list[str],
    channels: tuple[str, ...],
    control_names: tuple[str, ...],
    arrays: dict[str, Array],
    n_train_weeks: int,
    fix: str,
) -> None:
    """See :func:`require_fittable`; ``arrays`` holds exposure, sales, relative_price and controls."""
    named = [
        *((f"exposure of channel '{c}'", arrays["exposure"][..., k]) for k, c in enumerate(channels)),
        ("Sales_Value", arrays["sales"]),
        ("relative_price", arrays["relative_price"]),
        *((f"control '{c}'", arrays["controls"][..., k]) for k, c in enumerate(control_names)),
    ]
    for name, values in named:
        for bad, what in (
            (~np.isfinite(values), "missing or non-finite value"),
            (values <= 0 if name == "relative_price" else np.zeros(values.shape, bool), "value of 0 or less"),
        ):
            if bad.any():
                series = labels[int(np.argwhere(bad)[0][0])]
                many = what.replace("value", "values", 1)  # "2 values of 0 or less", not "2 value of 0 or lesss"
                raise InputError(
                    f"{name} has {counted(int(bad.sum()), what, plural=many)} (first in series {series}); {fix}"
                )
    train_sales = arrays["sales"][:, :n_train_weeks]
    dead = np.flatnonzero(~(train_sales > 0).any(axis=1))
    if dead.size and dead.size == len(labels):
        raise InputError(
            f"no series has a Sales_Value above 0 in any of the {n_train_weeks} training weeks: there is nothing to "
            f"fit; check the file's Sales_Value column; {fix}"
        )
    if dead.size:
        more = f" (and {dead.size - 1} more series)" if dead.size > 1 else ""
        raise InputError(
            f"series {labels[dead[0]]}{more} has zero Sales_Value in all {n_train_weeks} training weeks, "
            f"so the model cannot fit it: correct its sales or remove the series; {fix}"
        )


def partly_observed(observed: Array | None) -> Array | None:
    """``observed`` (S, T) bool as :attr:`FeaturePanel.sales_observed` keeps it: None when every week was observed."""
    return None if observed is None or observed.all() else observed


def _check_values(frame: pd.DataFrame, columns: list[str]) -> None:
    """Every value the panel is built from must be a finite number: a gap would be summed as 0."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row = frame.iloc[int(np.flatnonzero(bad)[0])]
            where = "/".join(str(row[c]) for c in schema.KEY_COLUMNS if c in frame.columns)
            week = pd.Timestamp(row[schema.DATE]).date().isoformat()
            raise InputError(
                f"the cleaned panel: column '{column}' has {counted(int(bad.sum()), 'missing or non-finite value')} "
                f"(first: {where} in the week of {week}); re-run 'mmm data' to clean it"
            )


def _check_reference_prices(frame: pd.DataFrame) -> None:
    """The list price (MRP) of every series must average > 0: it is the reference of the relative price."""
    reference = frame.groupby(list(schema.KEY_COLUMNS), sort=True)[schema.MRP].mean()
    bad = reference[~(reference > 0) | ~np.isfinite(reference)]
    if not bad.empty:
        name = "/".join(map(str, bad.index[0]))
        raise InputError(
            f"the cleaned panel: column '{schema.MRP}' averages {float(bad.iloc[0]):g} for series {name}; "
            "a list price must be > 0: correct it and re-run 'mmm data'"
        )


def _aggregate(frame: pd.DataFrame, keys: list[str], media_columns: list[str]) -> pd.DataFrame:
    used = [schema.SALES_VALUE, schema.MRP, schema.NET_PRICE, *media_columns]
    _check_values(frame, list(dict.fromkeys([*used, *(c for c in MEAN_CONTROLS if c in frame.columns)])))
    _check_reference_prices(frame)
    work = frame.copy()
    reference = work.groupby(list(schema.KEY_COLUMNS))[schema.MRP].transform("mean")
    # A price of 0 (off sale, a stock-out: validation allows it only without sales) is no price: left out.
    priced = work[schema.NET_PRICE].to_numpy(dtype=np.float64) > 0
    relative = relative_price(work[schema.NET_PRICE].to_numpy(), reference.to_numpy())
    work["_relative_price"] = np.where(priced, relative, np.nan)
    work["_weighted_price"] = work["_relative_price"] * work[schema.SALES_VALUE]
    sums = {c: "sum" for c in [schema.SALES_VALUE, "_weighted_price", *media_columns]}
    means = {c: "mean" for c in MEAN_CONTROLS if c in work.columns} | {"_relative_price": "mean"}
    # A week counts as observed where every SKU's sales were.
    observed = {SALES_OBSERVED: "min"} if SALES_OBSERVED in work.columns else {}
    grouped = work.groupby([*keys, schema.DATE], sort=True).agg({**sums, **means, **observed}).reset_index()
    weighted = grouped["_weighted_price"] / grouped[schema.SALES_VALUE].where(grouped[schema.SALES_VALUE] > 0)
    price = weighted.fillna(grouped["_relative_price"])
    # A series-week without a priced SKU takes the series' nearest earlier price (else its next; 1, the
    # reference, when it never had one): a relative price of 0 was written, which training refused.
    by_series = price.groupby([grouped[k] for k in keys], sort=False)
    grouped["relative_price"] = by_series.ffill().fillna(by_series.bfill()).fillna(1.0)
    return grouped


def _without_unsold_series(
    grouped: pd.DataFrame, series: pd.DataFrame, keys: list[str], train_dates: pd.DatetimeIndex
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """``grouped`` and ``series`` without the series that sell nothing in any training week (launched
    in the holdout weeks: nothing to fit them to), and those series' labels (``Geo/Brand[/SKU]``). When
    no series sells, all are kept: the fit check names the panel's problem."""
    train = grouped[grouped[schema.DATE].isin(train_dates)]
    sells = (train[schema.SALES_VALUE] > 0).groupby([train[k] for k in keys], sort=True).any()
    keep = sells.reindex(pd.MultiIndex.from_frame(series[keys]), fill_value=False).to_numpy(dtype=bool)
    if keep.all() or not keep.any():
        return grouped, series, []
    unsold = ["/".join(str(value) for value in row) for row in series.loc[~keep, keys].itertuples(index=False)]
    kept = series[keep].reset_index(drop=True)
    rows = pd.MultiIndex.from_frame(grouped[keys]).isin(pd.MultiIndex.from_frame(kept[keys]))
    return grouped[rows].reset_index(drop=True), kept, unsold


def _unsold_notes(unsold: list[str], n_train_weeks: int, n_modelled: int) -> tuple[str, ...]:
    """One line naming the series left out for selling nothing in the training weeks (none: no line)."""
    if not unsold:
        return ()
    shown = listed([*unsold[:3], f"{len(unsold) - 3} more"] if len(unsold) > 4 else unsold)
    return (
        f"{numbered(len(unsold), 'series', 'series')} {shown} {numbered(len(unsold), 'sells', 'sell')} nothing in the "
        f"{n_train_weeks} training weeks (launched in the last weeks of the panel?): left out of the model, the "
        f"curves and the advice, which cover the other {counted(n_modelled, 'series', plural='series')}",
    )


def build_panel(
    frame: pd.DataFrame, data_config: DataConfig, feature_config: FeatureConfig, source: str = ""
) -> FeaturePanel:
    """Aggregate the cleaned panel (read from the file ``source``, named in messages) to the configured
    granularity and lay it out as arrays.

    Raises
    ------
    InputError
        A missing channel column, an incomplete grid, a too long holdout, a list price that is
        not > 0, a missing or non-finite value, or no series with sales in any training week (a
        series without them, while others have some, is left out and named in ``notes``).
    """
    keys = [schema.GEO, schema.BRAND] + (
        [schema.SKU] if feature_config.granularity is Granularity.GEO_BRAND_SKU else []
    )
    table = data_config.channel_table()
    check_channel_columns(table)
    table.require_inputs(frame.columns)
    require_some_spend(frame, table)
    media_columns = list(table.input_columns)
    grouped = _aggregate(frame, keys, media_columns)
    dates = pd.DatetimeIndex(sorted(grouped[schema.DATE].unique()))
    series = grouped[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    n_series, n_weeks = len(series), len(dates)
    panel = f"'{source}'" if source else "the panel"
    if len(grouped) != n_series * n_weeks:
        raise InputError(f"{panel} is not a complete series x week grid; re-run 'mmm data' to clean it")
    if n_weeks < schema.MIN_TRAINING_WEEKS:
        raise InputError(
            f"{panel} has {counted(n_weeks, 'week')} of data; the model needs at least {schema.MIN_TRAINING_WEEKS} training weeks, "
            "and a year or more to tell media from seasonality; give a longer panel (the whole file, not a sample)"
        )
    if problem := schema.holdout_problem(data_config.holdout_weeks, n_weeks):
        raise InputError(problem)
    grouped = grouped.sort_values([*keys, schema.DATE])
    n_train = n_weeks - data_config.holdout_weeks
    grouped, series, unsold = _without_unsold_series(grouped, series, keys, dates[:n_train])
    n_series = len(series)

    def cube(columns: list[str]) -> Array:
        return grouped[columns].to_numpy(dtype=np.float64).reshape(n_series, n_weeks, len(columns))

    fourier, fourier_names = seasonality.fourier_terms(dates, feature_config.fourier_order)
    festive = seasonality.festive_indicator(cube(["Festival_Index"])[..., 0].mean(axis=0))
    trend = np.arange(n_weeks, dtype=np.float64) / 52.0
    calendar = np.concatenate([trend[:, None], festive[:, None], fourier], axis=1)
    control_columns = [c for c in MEAN_CONTROLS if c in grouped.columns]
    controls = np.concatenate([np.broadcast_to(calendar, (n_series, *calendar.shape)), cube(control_columns)], axis=-1)
    exposure, sales = cube(media_columns), cube([schema.SALES_VALUE])[..., 0]
    control_names = ("trend", "festive_week", *fourier_names, *control_columns)
    geo, brand = tuple(series[schema.GEO].astype(str)), tuple(series[schema.BRAND].astype(str))
    sku = tuple(series[schema.SKU].astype(str)) if schema.SKU in keys else None
    labels = _labels(geo, brand, sku)
    relative = cube(["relative_price"])[..., 0]
    observed = cube([SALES_OBSERVED])[..., 0].astype(bool) if SALES_OBSERVED in grouped.columns else None
    arrays = {"exposure": exposure, "sales": sales, "relative_price": relative, "controls": controls}
    _check_arrays(labels, table.names, control_names, arrays, n_train, "re-run 'mmm data' on the panel")
    scalers = Scalers.fit(exposure, controls, sales, n_train, control_names)
    train_controls = controls[:, :n_train].reshape(-1, controls.shape[-1])
    return FeaturePanel(
        dates=dates,
        geo=geo,
        brand=brand,
        sku=sku,
        channels=table.names,
        cpm=table.cpm_array(),
        exposure=exposure,
        sales=sales,
        relative_price=relative,
        controls=controls,
        control_names=control_names,
        holdout_weeks=data_config.holdout_weeks,
        scalers=scalers,
        sales_observed=partly_observed(observed),
        notes=(
            *_unsold_notes(unsold, n_train, n_series),
            *unspent_channel_notes(frame, table),
            *control_notes(train_controls, control_names, scalers.whitening.shape[1]),
        ),
    )
