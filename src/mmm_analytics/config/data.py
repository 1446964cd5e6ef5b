"""``data_config.yaml``: channels (column and CPM), cleaning, splitting, sources."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from mmm_analytics.channels import Channels
from mmm_analytics.config.base import Settings


class ChannelSpec(Settings):
    """One media channel: the exposure column and its cost per 1000 exposures (INR),
    or a ``spend_column`` (weekly INR) when the data carries spend directly; a spend
    column, when given, is what the model reads and what spend is (see :mod:`mmm_analytics.channels`)."""

    column: str
    cpm: float | None = Field(default=None, gt=0)
    spend_column: str | None = None

    @model_validator(mode="after")
    def _cpm_or_spend(self) -> Self:
        if self.cpm is None and self.spend_column is None:
            raise ValueError("give either 'cpm' (INR per 1000 exposures) or 'spend_column'")
        return self


class ImputeMethod(StrEnum):
    LINEAR = "linear"
    FFILL = "ffill"
    MEDIAN = "median"


class OutlierMethod(StrEnum):
    MAD = "mad"
    IQR = "iqr"
    NONE = "none"


class OutlierAction(StrEnum):
    CLIP = "clip"
    FLAG = "flag"


class OutlierSettings(Settings):
    method: OutlierMethod = OutlierMethod.MAD
    threshold: float = Field(default=6.0, gt=0)
    action: OutlierAction = OutlierAction.FLAG
    columns: list[str] = Field(default_factory=lambda: ["Sales_Units", "Sales_Value"])


class CleaningSettings(Settings):
    impute: ImputeMethod = ImputeMethod.LINEAR
    outliers: OutlierSettings = OutlierSettings()


class SyntheticSetting(StrEnum):
    DEFAULT = "default"
    NOISY = "noisy"
    MISSPECIFIED = "misspecified"


class SyntheticSettings(Settings):
    seed: int = 42
    setting: SyntheticSetting = SyntheticSetting.DEFAULT
    n_geos: int = Field(default=8, ge=1, le=8)
    n_brands: int = Field(default=3, ge=1, le=3)
    n_skus: int = Field(default=3, ge=1, le=3)
    n_weeks: int = Field(default=156, ge=40)
    start_date: dt.date = dt.date(2022, 7, 4)
    noise_sd: float | None = Field(
        default=None, ge=0, description="Override the setting's sales noise (share of level)."
    )


class KaggleSettings(Settings):
    dataset: str = "subhagatoadak/mmm-weekly-data-geoindia"
    file_name: str | None = None


def default_channel_specs() -> dict[str, ChannelSpec]:
    """The built-in channels (:meth:`Channels.default`) as the config's ``channels`` block."""
    table = Channels.default()
    return {name: ChannelSpec(column=column, cpm=cpm) for name, column, cpm in zip(table, table.columns, table.cpm)}


class DataConfig(Settings):
    """Everything the data step needs; channel names here are the names used in every output."""

    channels: dict[str, ChannelSpec] = Field(default_factory=default_channel_specs)
    holdout_weeks: int = Field(default=13, ge=0)
    cleaning: CleaningSettings = CleaningSettings()
    synthetic: SyntheticSettings = SyntheticSettings()
    kaggle: KaggleSettings = KaggleSettings()

    @model_validator(mode="after")
    def _some_channel(self) -> Self:
        if not self.channels:
            raise ValueError("'channels' must list at least one channel")
        return self

    def channel_table(self) -> Channels:
        """The channels as one table: columns, CPMs (1000 for a spend-column channel) and spend columns."""
        return Channels.from_config(self)
