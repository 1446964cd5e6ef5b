"""The panel as the analyses see it: validated rows plus geo x brand and national weekly views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.data.columns import check_channel_columns
from mmm_analytics.eda import defaults
from mmm_analytics.errors import InputError
from mmm_analytics.utils.words import numbered

#: Sales columns summed over SKUs (and geos); every other numeric column is averaged.
SUMMED: tuple[str, ...] = (schema.SALES_UNITS, schema.SALES_VALUE)


@dataclass(frozen=True, slots=True)
class QualityInputs:
    """What the cleaning step left behind: its JSON report and the flagged rows (either may be absent)."""

    report: dict[str, Any] | None = None
    outliers: pd.DataFrame | None = None


@dataclass(frozen=True, slots=True)
class PanelView:
    """Validated panel and its aggregates.

    Attributes
    ----------
    rows : DataFrame of shape (n_rows, n_columns)
        The panel, one row per week x geo x brand x SKU, ``Date`` as datetime64.
    channel_table : Channels
        The channels in output order: exposure and spend columns, CPMs.
    series : DataFrame of shape (n_geos * n_brands * n_weeks, n_columns)
        Geo x brand x week: sales, exposures and spend columns summed over SKUs, controls averaged.
    weekly : DataFrame of shape (n_weeks, n_columns)
        National week totals of sales, exposures and spend columns (controls averaged), indexed by ``Date``.
    spend : DataFrame of shape (n_weeks, n_channels)
        National weekly spend per channel in INR (``Channels.spend``): the spend column when
        configured, else exposure x cpm / 1000; the same spend the model is given.
    quality : QualityInputs
        The cleaning step's report and outlier list, when present.
    """

    rows: pd.DataFrame
    channel_table: Channels
    series: pd.DataFrame
    weekly: pd.DataFrame
    spend: pd.DataFrame
    quality: QualityInputs = field(default_factory=QualityInputs)

    @property
    def channels(self) -> dict[str, str]:
        """Channel name -> exposure column, in output order."""
        return self.channel_table.exposure_columns

    @property
    def geos(self) -> list[str]:
        return sorted(self.rows[schema.GEO].unique())

    @property
    def brands(self) -> list[str]:
        return sorted(self.rows[schema.BRAND].unique())

    @property
    def n_weeks(self) -> int:
        return len(self.weekly)

    @property
    def active_channels(self) -> list[str]:
        """Channels whose exposure varies over the panel (an all-zero or constant one cannot be compared)."""
        return [name for name, column in self.channels.items() if self.rows[column].std() > 0]

    @property
    def idle_channels(self) -> list[str]:
        active = set(self.active_channels)
        return [name for name in self.channels if name not in active]


def _check_columns(panel: pd.DataFrame, channels: Channels) -> None:
    check_channel_columns(channels)
    missing = [c for c in (*schema.ALL_COLUMNS, *channels.data_columns) if c not in panel.columns]
    if missing:
        raise InputError(
            f"panel is missing {numbered(len(set(missing)), 'column')} {', '.join(dict.fromkeys(missing))}; "
            "run 'mmm data' to produce the cleaned panel in the published schema, "
            "and check the channel columns in data_config.yaml"
        )
    if panel.empty:
        raise InputError("panel has no rows; run 'mmm data' on a non-empty file")


def _with_dates(panel: pd.DataFrame) -> pd.DataFrame:
    if pd.api.types.is_datetime64_any_dtype(panel[schema.DATE]):
        return panel
    try:
        dates = pd.to_datetime(panel[schema.DATE], format="mixed")
    except (ValueError, TypeError):
        raise InputError(f"column '{schema.DATE}' has values that are not dates; expect e.g. 7/4/2022") from None
    return panel.assign(**{schema.DATE: dates})


def _aggregate(rows: pd.DataFrame, keys: list[str], channel_columns: tuple[str, ...]) -> pd.DataFrame:
    """Sales and channel (exposure and spend) columns summed over ``keys``, other numeric columns averaged."""
    numeric = [c for c in schema.NUMERIC_COLUMNS if c in rows.columns]
    summed = [*SUMMED, *channel_columns]
    rules = {c: ("sum" if c in summed else "mean") for c in numeric} | {c: "sum" for c in channel_columns}
    return rows.groupby(keys, sort=True).agg(rules).reset_index()


def series_index(frame: pd.DataFrame, columns: list[str], keys: tuple[str, ...] = defaults.SERIES_KEY) -> pd.DataFrame:
    """Each column divided by its series mean (1 = an average week of that series).

    Parameters
    ----------
    frame : DataFrame of shape (n_rows, n_columns)
        Holds ``keys`` and ``columns``.
    columns : list of str
        Columns to index; a series whose mean is 0 gives NaN.

    Returns
    -------
    DataFrame of shape (n_rows, len(columns))
        Unitless indexes aligned with ``frame``.
    """
    means = frame.groupby(list(keys))[columns].transform("mean")
    return frame[columns] / means.where(means != 0, np.nan)


def build_view(panel: pd.DataFrame, channels: Channels, quality: QualityInputs | None = None) -> PanelView:
    """Validate ``panel`` and build the geo x brand and national weekly views.

    Parameters
    ----------
    panel : DataFrame of shape (n_rows, n_columns)
        The cleaned panel: the published schema plus any spend columns ``channels`` names.
    channels : Channels
        The channel table (``DataConfig.channel_table()``).
    quality : QualityInputs, optional
        The cleaning step's outputs.

    Raises
    ------
    InputError
        A schema, exposure or spend column is missing, or dates do not parse.
    """
    _check_columns(panel, channels)
    rows = _with_dates(panel).sort_values([*schema.KEY_COLUMNS, schema.DATE], ignore_index=True)
    series = _aggregate(rows, [*defaults.SERIES_KEY, schema.DATE], channels.data_columns)
    series[defaults.SALES_INDEX] = series_index(series, [schema.SALES_VALUE])[schema.SALES_VALUE]
    weekly = _aggregate(series.drop(columns=defaults.SALES_INDEX), [schema.DATE], channels.data_columns)
    weekly = weekly.set_index(schema.DATE)
    return PanelView(rows, channels, series, weekly, channels.spend(weekly), quality or QualityInputs())
