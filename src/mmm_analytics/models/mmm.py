"""The Marketing Mix Model: baseline x price effect + sum of saturated, carried-over media.

sales[s, t] = baseline[s, t] * (relative_price[s, t]) ** -elasticity[brand_s]
              + sum_c coefficient[s, c] * saturation_c(carryover_c(media[s, :, c]))[t]

All in scaled units (Sales_Value / sales_scale). The loss is the negative log posterior
per training observation: squared error / (2 noise_scale**2) plus the economic priors
(see ``model_config.yaml``) divided by the number of training observations (MAP fit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops

from mmm_analytics.models.layers import (
    AdstockLayer,
    HierarchicalLayer,
    LinearBaselineLayer,
    PriceEffectLayer,
    ROICurveLayer,
)
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.response import saturation

LOG_LN2 = math.log(math.log(2.0))
#: Spread of the normal prior on the logit of the beta-gamma carryover's beta.
BETA_LOGIT_SPREAD = 3.0
#: Layers whose weights act on one channel each (last axis = channel) and only through media.
MEDIA_LAYERS: tuple[str, ...] = ("adstock", "saturation", "hierarchical")


@dataclass(frozen=True, slots=True)
class SeriesSums:
    """Sums of one channel's contribution over some weeks of some series, A of them.

    ``sum[a] = sum_s series[a, s] * sum_t weeks[a, t] * contribution[s, t, channel[a]]``:
    the first C are each channel's training-weeks total (the ROI prior reads them), the rest
    one per lift test. ``channel`` (A,) int, ``weeks`` (A, T), ``series`` (A, S), 0/1 floats.
    """

    channel: np.ndarray
    weeks: np.ndarray
    series: np.ndarray


@keras.saving.register_keras_serializable(package="mmm_analytics")
class MarketingMixModel(keras.Model):
    """Hierarchical Keras MMM.

    Inputs (dict): ``media`` (S, T, C) scaled exposure, ``controls`` (S, T, K) standardised,
    ``relative_price`` (S, T), ``series``/``brand``/``region`` int ids (S,).
    Outputs (dict): ``sales`` (S, T) and ``media`` (S, T, C) contributions, scaled units.

    ``priors`` holds plain numbers: per-channel ``roi_mean``/``roi_spread`` lists and the
    scalar means/spreads of half-life, elasticity, half-saturation, slope and shrinkage.
    ``train_spend`` is each channel's spend (INR) over the first ``n_train_weeks`` weeks.
    """

    def __init__(
        self,
        n_series: int,
        n_brands: int,
        n_regions: int,
        n_channels: int,
        n_controls: int,
        n_train_weeks: int,
        train_spend: list[float],
        sales_scale: float,
        priors: dict[str, Any],
        max_lag: int = 16,
        saturation: str = "hill",
        hidden_units: int = 0,
        noise_scale: float = 0.05,
        carryover: str = "beta_gamma",
        saturation_scaling: str = "relative",
        lift_tests: dict | None = None,
        n_series_controls: int = 0,
        ceiling_scaling: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_series, self.n_brands, self.n_regions = int(n_series), int(n_brands), int(n_regions)
        self.n_channels, self.n_controls, self.n_train_weeks = int(n_channels), int(n_controls), int(n_train_weeks)
        self.train_spend, self.sales_scale = [float(v) for v in train_spend], float(sales_scale)
        self.priors, self.max_lag, self.saturation, self.carryover = dict(priors), int(max_lag), saturation, carryover
        self.hidden_units, self.noise_scale = int(hidden_units), float(noise_scale)
        self.saturation_scaling = saturation_scaling
        self.lift_tests = None if lift_tests is None else LiftTests.from_config(lift_tests)
        self.adstock = AdstockLayer(n_channels, max_lag, family=carryover, name="adstock")
        self.curve = ROICurveLayer(n_channels, saturation, scaling=saturation_scaling, name="saturation")
        self.ceiling_scaling = bool(ceiling_scaling)
        self.coefficients = HierarchicalLayer(
            n_channels,
            n_brands,
            n_regions,
            scaling=self.ceiling_scaling,
            cells=float(priors.get("cell_sd", 0.0)) > 0,  # models saved before cell offsets: none
            name="hierarchical",
        )
        self.baseline = LinearBaselineLayer(n_series, n_controls, hidden_units, n_series_controls, name="baseline")
        self.price = PriceEffectLayer(n_brands, max(float(priors.get("elasticity_mean", 1.0)), 0.05), name="price")
        self.mse_tracker = keras.metrics.Mean(name="mse")
        self.wmape_tracker = keras.metrics.Mean(name="wmape")

    def call(self, inputs):
        media = self.curve(self.adstock(inputs["media"]), inputs.get("size"))
        coefficient = self.coefficients([inputs["brand"], inputs["region"]], inputs.get("size"))
        contribution = coefficient[:, None, :] * media
        own = [inputs["series_controls"]] if self.baseline.n_series_controls else []
        base = self.baseline([inputs["series"], inputs["controls"], *own])
        base = base * self.price([inputs["brand"], inputs["relative_price"]])
        return {"sales": base + ops.sum(contribution, axis=-1), "media": contribution}

    # --- priors and lift tests -----------------------------------------------------------
    def series_sums(self, n_weeks: int) -> SeriesSums:
        """The contribution sums the priors and the lift tests read (see :class:`SeriesSums`)."""
        train = np.zeros((self.n_channels, n_weeks))
        train[:, : self.n_train_weeks] = 1.0
        channel, weeks = np.arange(self.n_channels), train
        series = np.ones((self.n_channels, self.n_series))
        if self.lift_tests is not None and len(self.lift_tests):
            tests = self.lift_tests
            channel = np.concatenate([channel, tests.channel])
            weeks = np.concatenate([weeks, tests.weeks[:, :n_weeks]])
            series = np.concatenate([series, tests.series])
        return SeriesSums(channel.astype(np.int32), weeks, series)

    def contribution_sums(self, media, series_ids):
        """:meth:`series_sums` of a batch's contributions ``media`` (n, T, C), per series (n, A)."""
        sums = self.series_sums(int(media.shape[1]))
        picked = ops.take(media, ops.convert_to_tensor(sums.channel), axis=2)  # (n, T, A)
        in_slice = ops.transpose(ops.take(ops.convert_to_tensor(sums.series), ops.cast(series_ids, "int32"), axis=1))
        return in_slice * ops.einsum("nta,at->na", picked, ops.convert_to_tensor(sums.weeks, dtype=media.dtype))

    def prior_residuals(self, media, series_ids=None):
        """Every prior (and lift test) as z-scores, in one vector; ``media`` (S, T, C) for all series:
        :meth:`evidence_residuals`, then :meth:`series_prior_residuals` of those series."""
        ids = ops.arange(self.n_series) if series_ids is None else series_ids
        evidence = self.evidence_residuals(ops.sum(self.contribution_sums(media, ids), axis=0))
        own = self.series_prior_residuals(ids)
        return evidence if own is None else ops.concatenate([evidence, ops.cast(own, evidence.dtype)])

    def series_prior_precision(self) -> dict[str, float]:
        """Precision (prior weight / sd**2) of the Normal(0, sd) prior on each per-series weight
        that has one, by weight key: each series' own trend and yearly-cycle weights are
        deviations from the shared ones, so the two are identified apart (without it, moving the
        shared trend into every series changes no prediction). Empty when there are none."""
        weight = float(self.priors["weight"])
        if not self.baseline.n_series_controls or weight <= 0:
            return {}
        return {"baseline/series_effect": weight / float(self.priors.get("series_sd", 0.2)) ** 2}

    def series_prior_residuals(self, series_ids):
        """The per-series priors of :meth:`series_prior_precision` as z-scores of the series
        ``series_ids`` (n,), flattened (n * k,); None without such priors."""
        precision = self.series_prior_precision().get("baseline/series_effect")
        if precision is None:
            return None
        own = ops.take(self.baseline.series_effect, ops.cast(series_ids, "int32"), axis=0)
        return math.sqrt(precision) * ops.reshape(own, (-1,))

    def evidence_residuals(self, totals):
        """Prior z-scores (value - mean) / spread, times sqrt(weight), then the lift tests'
        (model - measured) / standard error, from the weights and the contribution sums
        ``totals`` (A,) of :meth:`series_sums` in scaled units.

        The negative log prior density (and lift-test likelihood) is half their sum of
        squares (all are normal or log-normal), so the whole objective is a sum of squares.
        """
        p, n = self.priors, self.n_channels
        train_media = totals[: self.n_channels] * self.sales_scale
        spend = ops.convert_to_tensor(self.train_spend)
        roi = train_media / ops.maximum(spend, 1e-9)
        has_spend = ops.cast(spend > 0, roi.dtype)
        roi_z = (
            has_spend
            * (ops.log(ops.maximum(roi, 1e-9)) - ops.log(ops.convert_to_tensor(p["roi_mean"])))
            / ops.convert_to_tensor(p["roi_spread"])
        )
        # Exposure is scaled to mean 1 per series, so a sustained average week carries over to
        # the sum of the lag weights: the half-saturation prior is relative to that level.
        carried_mean = ops.sum(self.adstock.lag_weights(), axis=0)
        parts = [roi_z]
        if hasattr(self.adstock, "retention_logit"):
            # -log(retention) = softplus(-logit): half-life = ln 2 / -log(retention) weeks.
            log_half_life = LOG_LN2 - ops.log(ops.softplus(-self.adstock.retention_logit) + 1e-9)
            parts.append(_log_normal_z(log_half_life, p, "half_life", n))
        if hasattr(self.adstock, "beta_logit"):
            # A nearly flat prior on logit(beta) that keeps it off the boundaries (and the Laplace
            # step's draws finite) when a channel shows no carryover at all.
            parts.append(ops.convert_to_tensor(self.adstock.beta_logit) / BETA_LOGIT_SPREAD)
        if hasattr(self.adstock, "shape_raw"):
            # Weibull: the scale (weeks) shares the half-life prior; the shape has its own.
            weibull = self.adstock.params()
            parts.append(_log_normal_z(ops.log(weibull["scale"]), p, "half_life", n))
            shape_priors = {"weibull_shape_mean": 1.5, "weibull_shape_spread": 1.0} | p  # older models: none
            parts.append(_log_normal_z(ops.log(weibull["shape"]), shape_priors, "weibull_shape", n))
        parts += [
            (self.price.elasticity() - p["elasticity_mean"]) / p["elasticity_spread"],
            _log_normal_z(ops.log(self.curve.half_saturation() / carried_mean), p, "half_saturation", n),
            ops.reshape(self.coefficients.brand_offset, (-1,)) / p["brand_sd"],
            ops.reshape(self.coefficients.region_offset, (-1,)) / p["region_sd"],
        ]
        if self.coefficients.cells:
            parts.append(ops.reshape(self.coefficients.cell_offset, (-1,)) / p["cell_sd"])
        if saturation.has_slope(self.saturation):
            parts.append(_log_normal_z(ops.log(self.curve.slope()), p, "slope", n))
        if self.saturation_scaling == saturation.SaturationScaling.LEARNED:
            scaling_mean, scaling_spread = p.get("scaling_mean", 0.5), p.get("scaling_spread", 0.5)
            parts.append((self.curve.size_scaling() - scaling_mean) / scaling_spread)
        if self.ceiling_scaling:
            ceiling_mean, ceiling_spread = p.get("ceiling_scaling_mean", 0.5), p.get("ceiling_scaling_spread", 0.5)
            parts.append((self.coefficients.size_scaling() - ceiling_mean) / ceiling_spread)
        evidence = math.sqrt(p["weight"]) * ops.concatenate([ops.cast(part, roi.dtype) for part in parts])
        if self.lift_tests is None or not len(self.lift_tests):
            return evidence
        tests = self.lift_tests
        modelled = totals[self.n_channels :] * self.sales_scale
        lift_z = (modelled - ops.convert_to_tensor(tests.incremental_sales)) / ops.convert_to_tensor(
            tests.standard_error
        )
        return ops.concatenate([evidence, ops.cast(lift_z, evidence.dtype)])

    def weight_group(self, variable: keras.Variable) -> str:
        """What the leading axis of a trainable weight indexes: series, brand, region or
        nothing (``shared``). Each series' sales depend on one slice of a grouped weight."""
        match weight_key(variable):
            case "baseline/intercept" | "baseline/series_effect":
                return "series"
            case "price/elasticity_raw" | "hierarchical/brand_offset":
                return "brand"
            case "hierarchical/region_offset":
                return "region"
            case "hierarchical/cell_offset":
                return "cell"
            case _:
                return "shared"

    def prior_penalty(self, media):
        """Negative log prior density (up to a constant) of the current weights."""
        return 0.5 * ops.sum(self.prior_residuals(media) ** 2)

    def negative_log_posterior(self, y, y_pred, mask, noise_scale, series_ids=None):
        """Sum of squared errors / (2 noise_scale**2) over masked cells plus the prior penalty."""
        sse = ops.sum(mask * (y - y_pred["sales"]) ** 2)
        return sse / (2.0 * noise_scale**2) + 0.5 * ops.sum(self.prior_residuals(y_pred["media"], series_ids) ** 2)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        n_obs = float(self.n_series * self.n_train_weeks)
        ids = None if x is None else x["series"]
        return self.negative_log_posterior(y, y_pred, sample_weight, self.noise_scale, ids) / n_obs

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        weight_sum = ops.maximum(ops.sum(sample_weight), 1.0)
        error = y - y_pred["sales"]
        self.mse_tracker.update_state(ops.sum(sample_weight * error**2) / weight_sum)
        self.wmape_tracker.update_state(ops.sum(sample_weight * ops.abs(error)) / ops.sum(sample_weight * ops.abs(y)))
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        return {
            "name": self.name,
            "n_series": self.n_series,
            "n_brands": self.n_brands,
            "n_regions": self.n_regions,
            "n_channels": self.n_channels,
            "n_controls": self.n_controls,
            "n_train_weeks": self.n_train_weeks,
            "train_spend": self.train_spend,
            "sales_scale": self.sales_scale,
            "priors": self.priors,
            "max_lag": self.max_lag,
            "saturation": self.saturation,
            "hidden_units": self.hidden_units,
            "noise_scale": self.noise_scale,
            "carryover": self.carryover,
            "saturation_scaling": self.saturation_scaling,
            "lift_tests": None if self.lift_tests is None else self.lift_tests.to_config(),
            "n_series_controls": self.baseline.n_series_controls,
            "ceiling_scaling": self.ceiling_scaling,
        }


def _per_channel(priors: dict[str, Any], key: str, n_channels: int) -> np.ndarray:
    """A prior's number for each channel, float64 (n_channels,): a list is one per channel, a single
    number (models saved before per-channel priors) is every channel's."""
    return np.broadcast_to(np.asarray(priors[key], dtype=np.float64), (n_channels,))


def _log_normal_z(log_value: Any, priors: dict[str, Any], name: str, n_channels: int) -> Any:
    """Z-scores (n_channels,) of ``log_value`` under the log-normal prior ``name``: (log value -
    log(``{name}_mean``)) / ``{name}_spread``, each read per channel by :func:`_per_channel`."""
    mean = np.log(_per_channel(priors, f"{name}_mean", n_channels))
    return (log_value - mean) / _per_channel(priors, f"{name}_spread", n_channels)


def weight_key(variable: keras.Variable) -> str:
    """A weight's layer and name (``"adstock/beta_logit"``), the same in every model instance."""
    return "/".join(variable.path.split("/")[-2:])
