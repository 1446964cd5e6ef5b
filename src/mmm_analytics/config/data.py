"""``data_config.yaml``: channels (column and CPM), validation bounds, cleaning, splitting, sources."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import Field, field_validator, model_validator

from mmm_analytics.channels import RESERVED_NAMES, Channels, reserved_names
from mmm_analytics.config.base import MAX_SEED, Settings
from mmm_analytics.utils.words import numbered

#: The dates a panel may hold (an earlier or later date is a typo or a unit slip).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
#: Smallest and largest CPM accepted (INR per 1000 exposures): a paisa, and 10,000 INR an exposure.
MIN_CPM = 0.01
MAX_CPM = 1e7


class ChannelSpec(Settings):
    """One media channel: the exposure column and its cost per 1000 exposures (INR),
    or a ``spend_column`` (weekly INR) when the data carries spend directly; a spend
    column, when given, is what the model reads and what spend is (see :mod:`mmm_analytics.channels`)."""

    column: str
    cpm: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    spend_column: str | None = None

    @field_validator("cpm")
    @classmethod
    def _plausible_cpm(cls, cpm: float | None) -> float | None:
        """A CPM below a paisa per 1000 exposures, or above 10,000 INR an exposure, is a unit slip:
        every ROI would be divided by almost nothing, or by amounts no medium costs."""
        if cpm is not None and cpm < MIN_CPM:
            raise ValueError(
                f"{cpm:.3g} INR per 1000 exposures is below {MIN_CPM} (a paisa), no medium's price; "
                "check the units (INR per 1000 exposures, e.g. 150)"
            )
        if cpm is not None and cpm > MAX_CPM:
            raise ValueError(
                f"{cpm:.3g} INR per 1000 exposures is above {MAX_CPM:.0e} (10,000 INR an exposure), no medium's "
                "price; check the units (INR per 1000 exposures, e.g. 150)"
            )
        return cpm

    @model_validator(mode="after")
    def _cpm_or_spend(self) -> Self:
        if self.cpm is None and self.spend_column is None:
            raise ValueError("give either 'cpm' (INR per 1000 exposures) or 'spend_column'")
        return self


def _shared_columns(channels: dict[str, ChannelSpec]) -> str | None:
    """Why two channels would read the same data column (one sentence naming both), or None."""
    exposure: dict[str, str] = {}
    spend: dict[str, str] = {}
    for name, spec in channels.items():
        if spec.column in exposure:
            return (
                f"channels '{exposure[spec.column]}' and '{name}' both use column '{spec.column}'; "
                "give each channel its own exposure column"
            )
        exposure[spec.column] = name
        if spec.spend_column is not None:
            if spec.spend_column in spend:
                return (
                    f"channels '{spend[spec.spend_column]}' and '{name}' both use spend_column "
                    f"'{spec.spend_column}'; give each channel its own spend column"
                )
            spend[spec.spend_column] = name
    for column, name in spend.items():
        if column in exposure and exposure[column] != name:
            return (
                f"channel '{name}' uses '{column}' as its spend_column, the exposure column of "
                f"channel '{exposure[column]}'; give each channel its own columns"
            )
    return None


class ValidationSettings(Settings):
    """Plausible upper bounds on one row's weekly values: a value above its bound stops the
    data step with the column, the line and the key to raise. Every bound is a finite number > 0.

    ``max_weekly_exposure`` bounds the exposure columns (impressions, readers, listeners per
    week); ``max_weekly_spend_inr`` the spend columns, ``Trade_Spend`` and the spend an
    exposure implies (exposure x cpm / 1000); ``max_weekly_sales`` ``Sales_Value`` (INR) and
    ``Sales_Units``; ``max_abs_value`` the size of every other number (prices, distribution,
    creative scores, macro indices).
    """

    max_weekly_exposure: float = Field(default=1e12, gt=0, allow_inf_nan=False)
    max_weekly_spend_inr: float = Field(default=1e12, gt=0, allow_inf_nan=False)
    max_weekly_sales: float = Field(default=1e12, gt=0, allow_inf_nan=False)
    max_abs_value: float = Field(default=1e12, gt=0, allow_inf_nan=False)


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
    """The synthetic worlds (see :mod:`mmm_analytics.synthetic.world` for what each one is).

    ``default``: beta-gamma carryover, Hill saturation, 6% weekly noise; ``delayed``: Weibull
    carryover peaking 1-3 weeks after the spend; ``logistic``: S-shaped logistic saturation;
    ``absolute``: saturation on absolute exposure (bigger series saturate sooner); ``noise6``,
    ``noise12``: 6% and 12% weekly noise; ``collinear``: YouTube and Instagram exposure correlated
    0.95 within each series; ``segments``: S-shaped logistic saturation whose level and steepness
    differ by brand x region (log-sd 0.3 each, beyond what series size explains); ``cell_roi``: each
    brand x region earns its own ROI on each channel (a log-normal factor, log-sd 0.25, beyond its
    brand's and its region's); ``noisy`` and
    ``misspecified``: the earlier benchmark worlds.
    """

    DEFAULT = "default"
    DELAYED = "delayed"
    LOGISTIC = "logistic"
    ABSOLUTE = "absolute"
    NOISE6 = "noise6"
    NOISE12 = "noise12"
    COLLINEAR = "collinear"
    SEGMENTS = "segments"
    CELL_ROI = "cell_roi"
    NOISY = "noisy"
    MISSPECIFIED = "misspecified"


#: The most weekly noise a synthetic panel takes (sd half the mean weekly sales): beyond it the generator's
#: floor on weekly sales clips so much of the noise that the panel's spread falls well short of the figure.
MAX_NOISE_SD = 0.5


class SyntheticSettings(Settings):
    """The generated panel: world, seed and size (``n_geos x n_brands x n_skus`` series of ``n_weeks``).

    Any size >= 1 works; the first 8 geos and 3 brands are the published file's, later ones get
    generated names (``GEO009``, ``BrandD``). ``lift_tests`` synthetic lift tests drawn from the
    truth are written beside it as ``lift_tests.csv`` (0: no file).
    """

    seed: int = Field(default=42, ge=0, le=MAX_SEED)
    setting: SyntheticSetting = SyntheticSetting.DEFAULT
    n_geos: int = Field(default=8, ge=1)
    n_brands: int = Field(default=3, ge=1)
    n_skus: int = Field(default=3, ge=1)
    n_weeks: int = Field(default=156, ge=40)
    lift_tests: int = Field(default=0, ge=0)
    start_date: dt.date = dt.date(2022, 7, 4)
    noise_sd: float | None = Field(
        default=None,
        ge=0,
        le=MAX_NOISE_SD,
        description="Override the setting's weekly sales noise (sd as a share of the series' mean weekly sales).",
    )

    @model_validator(mode="after")
    def _size_that_fits(self) -> Self:
        """Every generated week within the dates the data step reads, and a panel that fits in memory."""
        problem = synthetic_size_problem(self)
        if problem is not None:
            raise ValueError(problem)
        return self


#: The most rows a synthetic panel may have: generating one takes about 2.3 KB of memory a row
#: (4,000 series x 156 weeks: 1.45 GB), so 5,000,000 rows take about 12 GB.
MAX_SYNTHETIC_ROWS = 5_000_000


def synthetic_size_problem(settings: SyntheticSettings) -> str | None:
    """Why a panel of ``settings``' size and dates cannot be generated, or None when it can."""
    start = settings.start_date
    room = (LAST_DATE - start).days // 7 + 1  # weeks from the start to LAST_DATE
    if start < FIRST_DATE or room < 1:
        return f"'start_date' {start.isoformat()} is outside {FIRST_DATE.year}-{LAST_DATE.year}; pick a start date in that range"
    if settings.n_weeks > room:
        return (
            f"{settings.n_weeks:,} weeks from {start.isoformat()} run past {LAST_DATE.isoformat()}; "
            f"at most {room:,} weeks fit (or an earlier 'start_date')"
        )
    rows = settings.n_geos * settings.n_brands * settings.n_skus * settings.n_weeks
    if rows > MAX_SYNTHETIC_ROWS:
        return (
            f"{settings.n_geos:,} geos x {settings.n_brands:,} brands x {settings.n_skus:,} SKUs x "
            f"{settings.n_weeks:,} weeks make {rows:,} rows, more than the {MAX_SYNTHETIC_ROWS:,} a synthetic "
            "panel may have (about 2.3 KB of memory a row); make it smaller"
        )
    return None


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
    validation: ValidationSettings = ValidationSettings()
    cleaning: CleaningSettings = CleaningSettings()
    synthetic: SyntheticSettings = SyntheticSettings()
    kaggle: KaggleSettings = KaggleSettings()

    @field_validator("channels")
    @classmethod
    def _own_columns(cls, channels: dict[str, ChannelSpec]) -> dict[str, ChannelSpec]:
        for name in channels:
            if "=" in name or not name.strip() or not name.isprintable():
                why = " ('=' separates a channel from its amount in --min/--max)" if "=" in name else ""
                raise ValueError(f"channel name {name!r} cannot be used on the command line{why}; rename it")
        if reserved := reserved_names(channels):
            raise ValueError(
                f"channel {numbered(len(reserved), 'name')} {', '.join(map(repr, reserved))} "
                f"{numbered(len(reserved), 'is', 'are')} taken by other columns of the output "
                f"tables ({', '.join(RESERVED_NAMES)}); rename {numbered(len(reserved), 'it', 'them')}, "
                f"e.g. '{reserved[0]} media'"
            )
        shared = _shared_columns(channels)
        if shared is not None:
            raise ValueError(shared)
        # Before, 'TV' and 'tv' were both accepted: names are matched whatever their case in options, scenario
        # files and lift tests, so '--min tv=...' could not say which it meant.
        folded: dict[str, str] = {}
        for name in channels:
            if (other := folded.setdefault(name.casefold(), name)) != name:
                raise ValueError(
                    f"channel names {other!r} and {name!r} differ only in case, and names are matched whatever "
                    "their case; rename one of them"
                )
        return channels

    @model_validator(mode="after")
    def _some_channel(self) -> Self:
        if not self.channels:
            raise ValueError("'channels' must list at least one channel")
        return self

    def channel_table(self) -> Channels:
        """The channels as one table: columns, CPMs (1000 for a spend-column channel) and spend columns."""
        return Channels.from_config(self)
