"""The true parameters of each synthetic world (:class:`~mmm_analytics.config.data.SyntheticSetting`).

Every world shares the channels, exposures, media shares and half-saturation ratios below and
differs in the knobs of :class:`WorldSettings`: weekly noise, flighting, the carryover and
saturation families, how half-saturation scales with series size, and the YouTube-Instagram
correlation. Channel order follows the default channel block of ``data_config.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import assert_never

from mmm_analytics.config.data import SyntheticSetting
from mmm_analytics.response.carryover import CarryoverFamily
from mmm_analytics.response.saturation import SaturationFamily

#: The published file's geos and brands; larger panels add generated ones (:mod:`~mmm_analytics.synthetic.catalogue`).
GEOS: tuple[str, ...] = ("CENTRAL", "EAST", "NORTH", "NORTHEAST", "SOUTH", "WEST", "NORTHWEST", "SOUTHWEST")
BRANDS: tuple[str, ...] = ("BrandA", "BrandB", "BrandC")
CHANNELS: tuple[str, ...] = ("TV", "YouTube", "Facebook", "Instagram", "Print", "Radio")

#: Typical weekly exposure per geo x brand (sum over SKUs), matching the published file's scale.
BASE_EXPOSURE: dict[str, float] = {
    "TV": 2.0e6,
    "YouTube": 0.9e6,
    "Facebook": 0.75e6,
    "Instagram": 0.28e6,
    "Print": 0.17e6,
    "Radio": 2.1e6,
}
#: Share of baseline sales each channel adds on average (default world).
MEDIA_SHARE: dict[str, float] = {
    "TV": 0.10,
    "YouTube": 0.065,
    "Facebook": 0.045,
    "Instagram": 0.03,
    "Print": 0.015,
    "Radio": 0.035,
}
CARRYOVER_BETA: dict[str, float] = {
    "TV": 0.8,
    "YouTube": 0.5,
    "Facebook": 0.3,
    "Instagram": 0.35,
    "Print": 0.6,
    "Radio": 0.5,
}
RETENTION: dict[str, float] = {
    "TV": 0.7,
    "YouTube": 0.5,
    "Facebook": 0.3,
    "Instagram": 0.35,
    "Print": 0.55,
    "Radio": 0.4,
}
#: Half saturation as a multiple of the channel's average carried-over exposure.
HALF_SATURATION_RATIO: dict[str, float] = {
    "TV": 1.1,
    "YouTube": 0.9,
    "Facebook": 1.3,
    "Instagram": 0.8,
    "Print": 1.0,
    "Radio": 1.2,
}
SLOPE: dict[str, float] = {"TV": 1.3, "YouTube": 1.0, "Facebook": 1.1, "Instagram": 1.0, "Print": 1.2, "Radio": 1.0}
#: Steepness of the logistic world's S-curves (log-odds at the inflection; about 1 is barely S-shaped).
LOGISTIC_SLOPE: dict[str, float] = {
    "TV": 3.0,
    "YouTube": 2.5,
    "Facebook": 2.5,
    "Instagram": 2.0,
    "Print": 3.0,
    "Radio": 2.5,
}
#: Weibull carryover of the misspecified world: (shape, scale in weeks); peaks 0-2 weeks after the spend.
WEIBULL: dict[str, tuple[float, float]] = {
    "TV": (2.0, 4.0),
    "YouTube": (1.6, 2.5),
    "Facebook": (1.5, 1.8),
    "Instagram": (1.5, 2.0),
    "Print": (2.2, 3.5),
    "Radio": (1.8, 2.5),
}
#: Weibull carryover of the delayed world: (shape, scale in weeks); every channel's effect peaks
#: 1-3 weeks after the spend (TV 3, Print and Radio 2, digital 1).
WEIBULL_DELAYED: dict[str, tuple[float, float]] = {
    "TV": (2.5, 4.0),
    "YouTube": (2.0, 2.5),
    "Facebook": (2.0, 2.0),
    "Instagram": (2.0, 2.2),
    "Print": (2.5, 3.5),
    "Radio": (2.0, 3.0),
}
#: Value price elasticity per brand: sales value scales with (price / reference) ** -elasticity.
ELASTICITY: dict[str, float] = {"BrandA": 1.0, "BrandB": 1.4, "BrandC": 0.8}
BRAND_SIZE: dict[str, float] = {"BrandA": 1.15, "BrandB": 1.0, "BrandC": 0.8}
#: Average list price (MRP, INR) of each brand's SKUs.
BRAND_PRICE: dict[str, float] = {"BrandA": 100.0, "BrandB": 82.0, "BrandC": 58.0}


#: Weekly sales noise of the default world: sd 6% of a series' mean weekly sales.
DEFAULT_NOISE_SD = 0.06
#: YouTube-Instagram correlation of the collinear world's weekly exposure, within each series.
COLLINEAR_CORRELATION = 0.95
#: Log-sd of each brand x region's own half-saturation and steepness factors in the ``segments`` world.
SEGMENT_SPREAD = 0.3
#: Log-sd of each brand x region's own factor on every channel's coefficient (its ROI) in the ``cell_roi`` world.
CELL_ROI_SPREAD = 0.25


@dataclass(frozen=True, slots=True)
class WorldSettings:
    """Knobs that differ between worlds.

    Attributes
    ----------
    noise_sd : float >= 0
        Sd of the weekly sales noise as a share of the series' mean weekly (noise-free) sales.
    burst_weeks, gap_weeks : (int, int)
        Min and max length of a media burst, and of the pause between bursts, in weeks.
    carryover, saturation : str
        The truth's families (:class:`CarryoverFamily`, :class:`SaturationFamily` values).
    scaling : float in [0, 1]
        How half-saturation grows with series size: 1 relative (at the same multiple of every
        series' own average exposure), 0 absolute (at the same absolute exposure).
    slope : mapping of channel to float
        Saturation steepness (Hill and logistic; unused by the sigmoid).
    weibull : mapping of channel to (shape, scale in weeks)
        Weibull carryover parameters (unused by beta-gamma).
    youtube_instagram_correlation : float in (0, 1) or None
        Pins the correlation of YouTube and Instagram weekly exposure within each series;
        None keeps the media plan's own (Instagram follows YouTube with noise).
    offset_sd : float
        Sd of the brand and region offsets of the media coefficients.
    segment_spread : float >= 0
        Log-sd of each brand x region's own factors on half-saturation and slope (independent
        log-normal draws per series and channel; 0: every series on the channel's curve).
    cell_roi_spread : float >= 0
        Log-sd of each brand x region's own factor on each channel's coefficient, beyond its
        brand's and its region's offsets (log-normal draws of mean 1 per series and channel, so the
        cell's ROI on the channel moves by the same factor; 0: none).
    """

    noise_sd: float
    burst_weeks: tuple[int, int] = (3, 8)
    gap_weeks: tuple[int, int] = (2, 6)
    carryover: str = CarryoverFamily.BETA_GAMMA.value
    saturation: str = SaturationFamily.HILL.value
    scaling: float = 1.0
    slope: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(SLOPE))
    weibull: Mapping[str, tuple[float, float]] = field(default_factory=lambda: MappingProxyType(WEIBULL))
    youtube_instagram_correlation: float | None = None
    offset_sd: float = 0.25
    segment_spread: float = 0.0
    cell_roi_spread: float = 0.0


def world_settings(setting: SyntheticSetting, noise_sd: float | None = None) -> WorldSettings:
    """The knobs of ``setting``, with its weekly noise replaced by ``noise_sd`` when given."""
    knobs = _knobs(setting)
    return knobs if noise_sd is None else replace(knobs, noise_sd=noise_sd)


def _knobs(setting: SyntheticSetting) -> WorldSettings:
    """The knobs of ``setting``; every world not named otherwise is the default one."""
    match setting:
        case SyntheticSetting.DEFAULT | SyntheticSetting.NOISE6:
            return WorldSettings(DEFAULT_NOISE_SD)
        case SyntheticSetting.DELAYED:
            return WorldSettings(
                DEFAULT_NOISE_SD, carryover=CarryoverFamily.WEIBULL.value, weibull=MappingProxyType(WEIBULL_DELAYED)
            )
        case SyntheticSetting.LOGISTIC:
            return WorldSettings(
                DEFAULT_NOISE_SD, saturation=SaturationFamily.LOGISTIC.value, slope=MappingProxyType(LOGISTIC_SLOPE)
            )
        case SyntheticSetting.ABSOLUTE:
            return WorldSettings(DEFAULT_NOISE_SD, scaling=0.0)
        case SyntheticSetting.NOISE12:
            return WorldSettings(0.12)
        case SyntheticSetting.COLLINEAR:
            return WorldSettings(DEFAULT_NOISE_SD, youtube_instagram_correlation=COLLINEAR_CORRELATION)
        case SyntheticSetting.SEGMENTS:
            return WorldSettings(
                DEFAULT_NOISE_SD,
                saturation=SaturationFamily.LOGISTIC.value,
                slope=MappingProxyType(LOGISTIC_SLOPE),
                segment_spread=SEGMENT_SPREAD,
            )
        case SyntheticSetting.CELL_ROI:
            return WorldSettings(DEFAULT_NOISE_SD, cell_roi_spread=CELL_ROI_SPREAD)
        case SyntheticSetting.NOISY:
            return WorldSettings(0.08, (1, 3), (1, 4))
        case SyntheticSetting.MISSPECIFIED:
            return WorldSettings(
                0.04, carryover=CarryoverFamily.WEIBULL.value, saturation=SaturationFamily.SIGMOID.value
            )
        case _:
            assert_never(setting)
