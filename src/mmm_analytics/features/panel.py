"""The model-ready panel: series x week arrays built from the cleaned data.

Shapes: S = series (geo x brand, or geo x brand x SKU), T = weeks, C = channels,
K = controls. Saved as ``features.parquet`` (one row per series and week) plus
``features_meta.json`` (channel order, CPMs, control names, scalers, vocabularies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig, Granularity
from mmm_analytics.data import schema
from mmm_analytics.errors import InputError
from mmm_analytics.features import seasonality
from mmm_analytics.features.hierarchical import Vocabulary
from mmm_analytics.features.price_elasticity import relative_price
from mmm_analytics.features.scaling import Scalers

type Array = npt.NDArray[np.float64]

#: How each control is aggregated from SKUs to a series (flags: share of SKUs on promotion).
MEAN_CONTROLS = schema.CONTROL_COLUMNS


@dataclass(frozen=True, slots=True)
class FeaturePanel:
    """Arrays for the model; ``exposure`` (S, T, C) in units of each channel's input column
    (exposures, or INR for a channel given by a spend column; see :class:`~mmm_analytics.channels.Channels`),
    ``cpm`` (C,) INR per 1000 of those units, ``sales`` (S, T) in INR,
    ``relative_price`` (S, T) net price / reference, ``controls`` (S, T, K) unscaled."""

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

    @property
    def n_train_weeks(self) -> int:
        return len(self.dates) - self.holdout_weeks

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
        }


def _aggregate(frame: pd.DataFrame, keys: list[str], media_columns: list[str]) -> pd.DataFrame:
    work = frame.copy()
    reference = work.groupby(list(schema.KEY_COLUMNS))[schema.MRP].transform("mean")
    work["_relative_price"] = relative_price(work[schema.NET_PRICE].to_numpy(), reference.to_numpy())
    work["_weighted_price"] = work["_relative_price"] * work[schema.SALES_VALUE]
    sums = {c: "sum" for c in [schema.SALES_VALUE, "_weighted_price", *media_columns]}
    means = {c: "mean" for c in MEAN_CONTROLS if c in work.columns} | {"_relative_price": "mean"}
    grouped = work.groupby([*keys, schema.DATE], sort=True).agg({**sums, **means}).reset_index()
    weighted = grouped["_weighted_price"] / grouped[schema.SALES_VALUE].where(grouped[schema.SALES_VALUE] > 0)
    grouped["relative_price"] = weighted.fillna(grouped["_relative_price"])
    return grouped


def build_panel(frame: pd.DataFrame, data_config: DataConfig, feature_config: FeatureConfig) -> FeaturePanel:
    """Aggregate the cleaned panel to the configured granularity and lay it out as arrays."""
    keys = [schema.GEO, schema.BRAND] + (
        [schema.SKU] if feature_config.granularity is Granularity.GEO_BRAND_SKU else []
    )
    table = data_config.channel_table()
    table.require_inputs(frame.columns)
    media_columns = list(table.input_columns)
    grouped = _aggregate(frame, keys, media_columns)
    dates = pd.DatetimeIndex(sorted(grouped[schema.DATE].unique()))
    series = grouped[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    n_series, n_weeks = len(series), len(dates)
    if len(grouped) != n_series * n_weeks:
        raise InputError("the cleaned panel is not a complete series x week grid; re-run 'mmm data' to clean it")
    if data_config.holdout_weeks >= n_weeks - 8:
        raise InputError(
            f"data_config.yaml: holdout_weeks={data_config.holdout_weeks} leaves too few training weeks ({n_weeks} in the data)"
        )
    grouped = grouped.sort_values([*keys, schema.DATE])

    def cube(columns: list[str]) -> Array:
        return grouped[columns].to_numpy(dtype=np.float64).reshape(n_series, n_weeks, len(columns))

    fourier, fourier_names = seasonality.fourier_terms(dates, feature_config.fourier_order)
    festive = seasonality.festive_indicator(cube(["Festival_Index"])[..., 0].mean(axis=0))
    trend = np.arange(n_weeks, dtype=np.float64) / 52.0
    calendar = np.concatenate([trend[:, None], festive[:, None], fourier], axis=1)
    control_columns = [c for c in MEAN_CONTROLS if c in grouped.columns]
    controls = np.concatenate([np.broadcast_to(calendar, (n_series, *calendar.shape)), cube(control_columns)], axis=-1)
    exposure, sales = cube(media_columns), cube([schema.SALES_VALUE])[..., 0]
    n_train = n_weeks - data_config.holdout_weeks
    return FeaturePanel(
        dates=dates,
        geo=tuple(series[schema.GEO].astype(str)),
        brand=tuple(series[schema.BRAND].astype(str)),
        sku=tuple(series[schema.SKU].astype(str)) if schema.SKU in keys else None,
        channels=table.names,
        cpm=table.cpm_array(),
        exposure=exposure,
        sales=sales,
        relative_price=cube(["relative_price"])[..., 0],
        controls=controls,
        control_names=("trend", "festive_week", *fourier_names, *control_columns),
        holdout_weeks=data_config.holdout_weeks,
        scalers=Scalers.fit(exposure, controls, sales, n_train),
    )
