"""``feature_config.yaml``: granularity, seasonality, carryover window, fixed transforms."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from mmm_analytics.config.base import Settings


class Granularity(StrEnum):
    GEO_BRAND = "geo_brand"
    GEO_BRAND_SKU = "geo_brand_sku"


class FixedTransform(Settings):
    """Fixed carryover and saturation used for EDA columns and the ridge baseline."""

    carryover_beta: float = Field(default=0.6, ge=0)
    retention: float = Field(default=0.5, ge=0, lt=1)
    half_saturation: float = Field(default=1.0, gt=0)
    slope: float = Field(default=1.0, gt=0)


class FeatureConfig(Settings):
    granularity: Granularity = Granularity.GEO_BRAND
    max_lag: int = Field(default=16, ge=0, le=52)
    fourier_order: int = Field(default=3, ge=0, le=10)
    fixed_transform: FixedTransform = FixedTransform()
    channel_transforms: dict[str, FixedTransform] = Field(default_factory=dict)

    def transform_for(self, channel: str) -> FixedTransform:
        return self.channel_transforms.get(channel, self.fixed_transform)
