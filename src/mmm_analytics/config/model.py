"""``model_config.yaml``: model form, economic priors, training, intervals, curves, simulator."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from mmm_analytics.config.base import Settings
from mmm_analytics.response.carryover import CarryoverFamily
from mmm_analytics.response.saturation import SaturationFamily


class BaselineKind(StrEnum):
    LINEAR = "linear"
    DENSE = "dense"


class RoiPrior(Settings):
    """Log-normal prior on a channel's implied ROI: log(roi) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=1.0, gt=0)


class HalfLifePrior(Settings):
    """Log-normal prior on the carryover half-life in weeks."""

    mean_weeks: float = Field(default=2.0, gt=0)
    spread: float = Field(default=1.0, gt=0)


class ElasticityPrior(Settings):
    """Normal prior on the (sales value) price elasticity of each brand, which is >= 0."""

    mean: float = Field(default=1.0, ge=0)
    spread: float = Field(default=1.0, gt=0)


class HalfSaturationPrior(Settings):
    """Log-normal prior on each channel's half-saturation point relative to the carried-over
    exposure of an average week: log(half_saturation / average) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=1.0, gt=0)


class SlopePrior(Settings):
    """Log-normal prior on the Hill slope: log(slope) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=0.5, gt=0)


class ShrinkagePrior(Settings):
    """Normal(0, sd) priors on brand and region offsets of the media coefficients."""

    brand_sd: float = Field(default=0.5, gt=0)
    region_sd: float = Field(default=0.5, gt=0)


class Priors(Settings):
    weight: float = Field(default=1.0, ge=0, description="Multiplies every prior penalty; 0 turns priors off.")
    roi: RoiPrior = RoiPrior()
    channel_roi: dict[str, RoiPrior] = Field(default_factory=dict)
    half_life: HalfLifePrior = HalfLifePrior()
    elasticity: ElasticityPrior = ElasticityPrior()
    half_saturation: HalfSaturationPrior = HalfSaturationPrior()
    slope: SlopePrior = SlopePrior()
    shrinkage: ShrinkagePrior = ShrinkagePrior()


class EarlyStopping(Settings):
    patience: int = Field(default=5, ge=1)
    min_delta: float = Field(default=1e-4, ge=0)


class IntervalSettings(Settings):
    level: float = Field(default=0.9, gt=0, lt=1)
    draws: int = Field(default=400, ge=20)


class CurveSettings(Settings):
    max_spend_multiple: float = Field(default=2.0, gt=0)
    points: int = Field(default=41, ge=5)


class SimulatorSettings(Settings):
    horizon_weeks: int = Field(default=13, ge=1)
    starts: int = Field(default=4, ge=1)
    #: A weekly budget or scenario spend may be at most this multiple of the selection's current
    #: total weekly spend (far beyond it the model extrapolates past every observed week).
    max_spend_multiple: float = Field(default=100.0, gt=0, allow_inf_nan=False)


class ModelConfig(Settings):
    seed: int = 42
    carryover: CarryoverFamily = CarryoverFamily.BETA_GAMMA
    saturation: SaturationFamily = SaturationFamily.HILL
    max_lag: int = Field(default=16, ge=0, le=52)
    baseline: BaselineKind = BaselineKind.LINEAR
    dense_units: int = Field(default=16, ge=1)
    epochs: int = Field(default=30, ge=1)
    steps_per_epoch: int = Field(default=50, ge=1)
    polish: bool = True
    learning_rate: float = Field(default=0.03, gt=0)
    noise_scale: float = Field(default=0.05, gt=0)
    early_stopping: EarlyStopping = EarlyStopping()
    priors: Priors = Priors()
    intervals: IntervalSettings = IntervalSettings()
    curves: CurveSettings = CurveSettings()
    simulator: SimulatorSettings = SimulatorSettings()
