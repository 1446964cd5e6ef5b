"""The true parameters of a synthetic world for each setting (default, noisy, misspecified).

Channel order follows the default channel block of ``data_config.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmm_analytics.config.data import SyntheticSetting

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
#: Weibull (delayed peak) carryover of the misspecified world: (shape, scale in weeks).
WEIBULL: dict[str, tuple[float, float]] = {
    "TV": (2.0, 4.0),
    "YouTube": (1.6, 2.5),
    "Facebook": (1.5, 1.8),
    "Instagram": (1.5, 2.0),
    "Print": (2.2, 3.5),
    "Radio": (1.8, 2.5),
}
#: Value price elasticity per brand: sales value scales with (price / reference) ** -elasticity.
ELASTICITY: dict[str, float] = {"BrandA": 1.0, "BrandB": 1.4, "BrandC": 0.8}
BRAND_SIZE: dict[str, float] = {"BrandA": 1.15, "BrandB": 1.0, "BrandC": 0.8}


@dataclass(frozen=True, slots=True)
class WorldSettings:
    """Knobs that differ between benchmark settings."""

    noise_sd: float  # sd of weekly sales noise, as a share of the series' level
    burst_weeks: tuple[int, int]  # min and max length of a media burst
    gap_weeks: tuple[int, int]  # min and max pause between bursts
    carryover: str  # "beta_gamma" or "weibull"
    saturation: str  # "hill" or "sigmoid"
    offset_sd: float = 0.25  # sd of brand and region offsets of media coefficients


def world_settings(setting: SyntheticSetting) -> WorldSettings:
    match setting:
        case SyntheticSetting.DEFAULT:
            return WorldSettings(0.02, (3, 8), (2, 6), "beta_gamma", "hill")
        case SyntheticSetting.NOISY:
            return WorldSettings(0.08, (1, 3), (1, 4), "beta_gamma", "hill")
        case SyntheticSetting.MISSPECIFIED:
            return WorldSettings(0.04, (3, 8), (2, 6), "weibull", "sigmoid")
    raise AssertionError(setting)
