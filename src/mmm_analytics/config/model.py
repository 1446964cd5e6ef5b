"""``model_config.yaml``: model form, economic priors, training, intervals, curves, simulator."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator

from mmm_analytics.compute import Backend
from mmm_analytics.config.base import MAX_SEED, Settings
from mmm_analytics.response.carryover import CarryoverFamily
from mmm_analytics.response.saturation import SaturationFamily, SaturationScaling

#: Narrowest and widest log-sd a prior may take: narrower pins the value (its precision overflows the fit),
#: wider says nothing.
MIN_PRIOR_SPREAD = 1e-3
MAX_PRIOR_SPREAD = 1e3


class BaselineKind(StrEnum):
    LINEAR = "linear"
    DENSE = "dense"


class RoiPrior(Settings):
    """Log-normal prior on a channel's implied ROI: log(roi) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=1.0, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class HalfLifePrior(Settings):
    """Log-normal prior on the carryover half-life in weeks."""

    mean_weeks: float = Field(default=2.0, gt=0)
    spread: float = Field(default=1.0, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class WeibullShapePrior(Settings):
    """Log-normal prior on the Weibull carryover's shape (> 1: the effect peaks after the spend);
    its scale (weeks) takes the half-life prior."""

    mean: float = Field(default=1.5, gt=0)
    spread: float = Field(default=1.0, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class ElasticityPrior(Settings):
    """Normal prior on the (sales value) price elasticity of each brand, which is >= 0."""

    mean: float = Field(default=1.0, ge=0)
    spread: float = Field(default=1.0, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class HalfSaturationPrior(Settings):
    """Log-normal prior on each channel's half-saturation point relative to the carried-over
    exposure of an average week: log(half_saturation / average) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=1.0, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class SlopePrior(Settings):
    """Log-normal prior on the Hill slope: log(slope) ~ Normal(log(mean), spread)."""

    mean: float = Field(default=1.0, gt=0)
    spread: float = Field(default=0.5, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class SaturationScalingPrior(Settings):
    """Normal prior on how half-saturation scales with series size (0 absolute, 1 relative)."""

    mean: float = Field(default=0.5, ge=0, le=1)
    spread: float = Field(default=0.5, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class CeilingScalingPrior(Settings):
    """Normal prior on how a series' media ceiling (its contribution at full saturation) grows with
    its spend on the channel: as relative spend**scaling (0: the same ceiling for every series up to
    the brand and region offsets; 1: in proportion to its spend, so series of any size share an ROI)."""

    mean: float = Field(default=0.5, ge=0, le=1)
    spread: float = Field(default=0.5, ge=MIN_PRIOR_SPREAD, le=MAX_PRIOR_SPREAD)


class ShrinkagePrior(Settings):
    """Normal(0, sd) priors on brand, region and brand x region offsets of the media coefficients, and on each
    series' own trend and yearly-cycle weights (``series_baseline``) around the shared ones
    (share of the series' baseline per standard deviation of the calendar term)."""

    brand_sd: float = Field(default=0.5, gt=0)
    region_sd: float = Field(default=0.5, gt=0)
    #: Each brand x region's own offset beyond its brand's and its region's; 0: none. Panels of more
    #: than ``models.training.MAX_CELL_OFFSET_CELLS`` (200) brand x regions are fitted without them.
    cell_sd: float = Field(default=0.1, ge=0, le=10, allow_inf_nan=False)
    series_sd: float = Field(default=0.2, ge=1e-6, le=1e6, allow_inf_nan=False)


class Priors(Settings):
    """The priors of the fit. ``channel_*`` maps a channel of the channel table to its own prior
    of that kind, in place of the shared one (what an analyst knows of one channel's carryover
    or curve, e.g. from an earlier study); a channel not named takes the shared prior."""

    weight: float = Field(default=1.0, ge=0, description="Multiplies every prior penalty; 0 turns priors off.")
    roi: RoiPrior = RoiPrior()
    channel_roi: dict[str, RoiPrior] = Field(default_factory=dict)
    half_life: HalfLifePrior = HalfLifePrior()
    channel_half_life: dict[str, HalfLifePrior] = Field(default_factory=dict)
    weibull_shape: WeibullShapePrior = WeibullShapePrior()
    channel_weibull_shape: dict[str, WeibullShapePrior] = Field(default_factory=dict)
    elasticity: ElasticityPrior = ElasticityPrior()
    half_saturation: HalfSaturationPrior = HalfSaturationPrior()
    channel_half_saturation: dict[str, HalfSaturationPrior] = Field(default_factory=dict)
    slope: SlopePrior = SlopePrior()
    channel_slope: dict[str, SlopePrior] = Field(default_factory=dict)

    #: The keys that map channels to priors, for the check against the channel table.
    CHANNEL_KEYS: ClassVar[tuple[str, ...]] = (
        "channel_roi",
        "channel_half_life",
        "channel_weibull_shape",
        "channel_half_saturation",
        "channel_slope",
    )
    saturation_scaling: SaturationScalingPrior = SaturationScalingPrior()
    ceiling_scaling: CeilingScalingPrior = CeilingScalingPrior()
    shrinkage: ShrinkagePrior = ShrinkagePrior()


class EarlyStopping(Settings):
    patience: int = Field(default=5, ge=1)
    min_delta: float = Field(default=1e-4, ge=0)


class IntervalSettings(Settings):
    level: float = Field(default=0.9, gt=0, lt=1)
    #: Parameter draws; at most 4000 (every later step holds arrays of draws x series x channels).
    draws: int = Field(default=400, ge=20, le=4000)
    #: Langevin steps moving each Laplace draw toward the exact posterior (0, the default: the Laplace
    #: draws as they are; docs/benchmark.md, "Langevin steps on the Laplace draws", has what they change);
    #: panels of more than ``adam_max_series`` series keep the Laplace draws.
    langevin_steps: int = Field(default=0, ge=0, le=1000)
    #: Residuals that drift together week to week (a slow driver the model lacks) hold fewer independent
    #: weeks than they number: true (the default) widens the draws by the square root of their long-run
    #: variance factor (Bartlett, Newey-West lags); false: every week counts as independent. The model
    #: report says the factor either way (docs/benchmark.md, "Draws widened for residuals that drift together").
    autocorrelation: bool = True


class CurveSettings(Settings):
    max_spend_multiple: float = Field(default=2.0, gt=0, le=100, allow_inf_nan=False)
    points: int = Field(default=41, ge=5, le=1001)


#: Most optimiser starts (``simulator.starts`` and the ``starts`` of a call).
MAX_STARTS = 64


class SimulatorSettings(Settings):
    horizon_weeks: int = Field(default=13, ge=1, le=520)
    starts: int = Field(default=4, ge=1, le=MAX_STARTS)
    #: A weekly budget or scenario spend may be at most this multiple of the selection's current
    #: total weekly spend (far beyond it the model extrapolates past every observed week); at least 2,
    #: since the efficiency frontier runs to twice today's budget (and today's is every plan's default).
    max_spend_multiple: float = Field(default=100.0, ge=2, le=10_000, allow_inf_nan=False)
    #: What the optimiser maximises: the weekly incremental sales expected over the posterior
    #: draws ("expected") or at the point estimate ("point").
    objective: Literal["expected", "point"] = "expected"
    #: Draws the expected objective averages over while optimising (the first ones; 0 = all),
    #: to bound its cost on models with many draws; the uplift interval and the reported
    #: sales always use every draw.
    objective_draws: int = Field(default=0, ge=0)
    #: Keep each brand x region x channel's weekly spend within the range seen in the data
    #: (``mmm optimize --no-data-range`` switches it off for one run).
    data_range: bool = True
    #: The top of that range: this quantile of each cell's weekly spends (0.9: the level its busiest
    #: tenth of weeks reach; 1: the highest week), never below today's average. Above it the curve
    #: rests on a handful of weeks.
    data_range_quantile: float = Field(default=0.9, gt=0, le=1, allow_inf_nan=False)
    #: Widen that range to [lowest x (1 - margin), top x (1 + margin)]; at most 100 (a top 101 times
    #: the data's, which is no range at all: switch it off with data_range: false instead).
    data_range_margin: float = Field(default=0.0, ge=0, le=100, allow_inf_nan=False)
    #: Cautious advice: the recommendation is the plan whose uplift is largest at this confidence (its
    #: 1 - confidence quantile over the posterior draws), a step from today's mix toward the expected
    #: optimum or a plan off that line, so it sells more than today's mix in at least this share of
    #: them; today's mix when none does. 0: the expected optimum itself, whenever its expected uplift
    #: is positive.
    advice_confidence: float = Field(default=0.95, ge=0, lt=1, allow_inf_nan=False)
    #: The smallest expected weekly uplift worth a change, as a share of what today's mix sells through
    #: media: advice that adds less keeps today's mix (a gain that small is within what the model cannot
    #: know, and no one would reorganise a media plan for it). 0: any expected gain is recommended.
    min_uplift_share: float = Field(default=0.005, ge=0, lt=1, allow_inf_nan=False)
    #: Channels whose weekly spends correlated at least this much within a brand x region in the data
    #: (averaged over the selection) keep today's split and move as one: the data cannot tell their
    #: effects apart. None: never (e.g. once lift tests have separated them).
    hold_split_correlation: float | None = Field(default=0.9, ge=0.5, le=1, allow_inf_nan=False)
    #: Judge each brand x region on its own saturation curve, estimated from its own weeks and shrunk
    #: toward the fitted one by how much segments differ (see :mod:`mmm_analytics.models.segment_curves`);
    #: false: every segment on the fitted curve.
    segment_curves: bool = True


def _choice(families: type[StrEnum]) -> Callable[[Any], Any]:
    """A validator that accepts ``auto`` or a family name and names every choice otherwise."""

    def check(value: Any) -> Any:
        choices = ["auto", *(f.value for f in families)]
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"should be one of {', '.join(choices)}")
        return families(value) if isinstance(value, str) and value != "auto" else value

    return check


class SelectionSettings(Settings):
    """Candidate forms compared on rolling-origin folds when ``carryover``/``saturation`` is ``auto``.

    Fold k trains on the weeks before its origin and scores the next ``fold_weeks`` weeks; the
    origins step back from the start of the holdout by ``fold_weeks`` (never random splits).
    A challenger replaces the first candidate only when its out-of-sample error is lower by
    more than ``margin`` standard errors of the difference.
    """

    carryover: list[CarryoverFamily] = Field(
        default_factory=lambda: [CarryoverFamily.BETA_GAMMA, CarryoverFamily.WEIBULL], min_length=1
    )
    saturation: list[SaturationFamily] = Field(
        default_factory=lambda: [SaturationFamily.HILL, SaturationFamily.LOGISTIC, SaturationFamily.SIGMOID],
        min_length=1,
    )
    folds: int = Field(default=2, ge=1, le=10)
    #: Adam epochs of a candidate's first fold (the MAP polish finishes each fit; later folds start
    #: from the previous fold's weights).
    epochs: int = Field(default=10, ge=1)
    fold_weeks: int = Field(default=13, ge=1)
    margin: float = Field(default=2.0, ge=0)
    #: Fit every other saturation form the one kept does not beat by more than ``margin`` standard
    #: errors (in forecasts, and on the weeks its fold fits were trained on) too, and let the advice
    #: pool every form's draws.
    pool_saturation: bool = True
    #: Panels of more than ``adam_max_series`` series choose their forms on this many series
    #: (every brand kept), with one fold; the form is shared by all series, so a sample tells it apart.
    max_series: int = Field(default=60, ge=1)

    @field_validator("carryover", "saturation")
    @classmethod
    def _each_form_once(cls, forms: list[StrEnum]) -> list[StrEnum]:
        """A form listed twice would be fitted and scored twice, and could be pooled with itself."""
        twice = sorted({str(form) for form in forms if forms.count(form) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} is listed more than once; list each form once")
        return forms


class SplitBy(StrEnum):
    """Fit each market on its own (``mmm train --split-by``): one model per brand or per region."""

    BRAND = "brand"
    REGION = "region"


class ComputeSettings(Settings):
    """Where the work that fans out runs (candidate forms, benchmark worlds x seeds): ``local``
    (this process, one task after another) or ``ray`` (Ray tasks; see :mod:`mmm_analytics.compute`).
    ``--backend`` on ``mmm train`` and ``mmm benchmark`` overrides it."""

    backend: Backend = Backend.LOCAL


#: Largest Adam step size accepted (``learning_rate``): far beyond any useful value, well below
#: the sizes whose first steps overflow.
MAX_LEARNING_RATE = 10.0
#: Most Adam epochs and steps per epoch (an epoch copies the training inputs once per step: memory).
MAX_EPOCHS = 10_000
MAX_STEPS_PER_EPOCH = 500


class ModelConfig(Settings):
    seed: int = Field(default=42, ge=0, le=MAX_SEED)
    carryover: Annotated[CarryoverFamily | Literal["auto"], BeforeValidator(_choice(CarryoverFamily))] = "auto"
    saturation: Annotated[SaturationFamily | Literal["auto"], BeforeValidator(_choice(SaturationFamily))] = "auto"
    saturation_scaling: SaturationScaling = SaturationScaling.LEARNED
    #: Each series' media ceiling grows with its spend on the channel by a learned power (see
    #: :class:`CeilingScalingPrior`); off: one ceiling per channel up to brand and region offsets.
    ceiling_scaling: bool = True
    selection: SelectionSettings = SelectionSettings()
    max_lag: int = Field(default=16, ge=0, le=52)
    baseline: BaselineKind = BaselineKind.LINEAR
    #: Each series follows its own trend and yearly cycle (the trend and first Fourier pair of the
    #: features) on top of the shared controls; off: one trend and season for every series.
    series_baseline: bool = True
    dense_units: int = Field(default=16, ge=1, le=1024)
    epochs: int = Field(default=30, ge=1, le=MAX_EPOCHS)
    #: Each epoch holds this many copies of the training inputs (memory grows with it).
    steps_per_epoch: int = Field(default=50, ge=1, le=MAX_STEPS_PER_EPOCH)
    polish: bool = True
    #: Panels with more series skip the Adam epochs: Gauss-Newton rounds (the polish, noise
    #: re-estimated between rounds) fit them from the default start, at a cost linear in the panel.
    adam_max_series: int = Field(default=200, ge=1)
    #: Adam's step size (at most :data:`MAX_LEARNING_RATE`).
    learning_rate: float = Field(default=0.03, gt=0, le=MAX_LEARNING_RATE, allow_inf_nan=False)
    noise_scale: float = Field(default=0.05, gt=0)
    early_stopping: EarlyStopping = EarlyStopping()
    priors: Priors = Priors()
    intervals: IntervalSettings = IntervalSettings()
    curves: CurveSettings = CurveSettings()
    simulator: SimulatorSettings = SimulatorSettings()
    compute: ComputeSettings = ComputeSettings()
    #: A CSV of lift tests (experiments) the fit is calibrated to (see
    #: :func:`mmm_analytics.models.lift_tests.read_lift_tests`); ``mmm train --lift-tests`` overrides it.
    lift_tests: Path | None = None
    #: Fit every brand (or region) on its own, with the forms chosen once on the whole panel, and
    #: merge the fits into one model folder (see :mod:`mmm_analytics.models.markets`); null: one fit.
    split_by: SplitBy | None = None

    @field_validator("lift_tests")
    @classmethod
    def _csv_path(cls, path: Path | None) -> Path | None:
        if path is not None and path.suffix.lower() != ".csv":
            raise ValueError("should be the path of a .csv file of lift tests (or null for none)")
        return None if path is None else path.expanduser()

    @property
    def is_pinned(self) -> bool:
        """True when both the carryover and the saturation family are given (no selection)."""
        return self.carryover != "auto" and self.saturation != "auto"

    def pinned(self, carryover: CarryoverFamily | str, saturation: SaturationFamily | str) -> ModelConfig:
        """This config with the given forms in place of ``auto``."""
        return self.model_copy(
            update={"carryover": CarryoverFamily(carryover), "saturation": SaturationFamily(saturation)}
        )

    def with_backend(self, backend: Backend | str) -> ModelConfig:
        """This config with the work that fans out on ``backend`` (``compute.backend``)."""
        return self.model_copy(update={"compute": ComputeSettings(backend=Backend(backend))})

    def carryover_family(self) -> CarryoverFamily:
        """The pinned carryover family (the first candidate while it is ``auto``)."""
        return self.selection.carryover[0] if self.carryover == "auto" else CarryoverFamily(self.carryover)

    def saturation_family(self) -> SaturationFamily:
        """The pinned saturation family (the first candidate while it is ``auto``)."""
        return self.selection.saturation[0] if self.saturation == "auto" else SaturationFamily(self.saturation)
