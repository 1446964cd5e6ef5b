"""Turn a fitted model (and its Laplace draws) into :class:`ResponseParams` for curves and simulator."""

from __future__ import annotations

import keras
import numpy as np

from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.inputs import ModelInputs
from mmm_analytics.models.layers.hierarchical import cell_index
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import FlatWeights, current_theta, weight_key
from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.links import Link, constrain


def _raw_of(layer: keras.layers.Layer, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The draws (D, ...) of ``layer``'s trainable weights keyed by weight name."""
    prefix = f"{layer.name}/"
    return {key.removeprefix(prefix): value for key, value in weights.items() if key.startswith(prefix)}


def draw_arrays(model: MarketingMixModel, inputs: ModelInputs, draws: np.ndarray) -> list[np.ndarray]:
    """Media response arrays for weight draws (D, P), through the response core's constraints.

    Returns lag weights (D, L+1, C), each series' half-saturation (D, S, C), slope (D, C),
    coefficient (D, S, C) in INR per week at full saturation and the saturation's scaling
    with series size (D, C).
    """
    flat = FlatWeights.of(model)
    weights = {weight_key(variable): part for variable, part in zip(model.trainable_variables, flat.split_rows(draws))}
    lag_params = carryover.constrain_params(model.adstock.family, _raw_of(model.adstock, weights))
    lag_weights = np.moveaxis(carryover.lag_weights(model.adstock.family, lag_params, model.max_lag), 0, 1)
    curve_raw = _raw_of(model.curve, weights)
    curve = saturation.constrain_params(model.curve.kind, curve_raw)
    typical = curve["half_saturation"]
    slope = curve.get("slope", np.ones_like(typical))
    match saturation.SaturationScaling(model.curve.scaling):
        case saturation.SaturationScaling.LEARNED:
            scaling = constrain(saturation.SIZE_SCALING.link, curve_raw[saturation.SIZE_SCALING.raw_name], np)
        case saturation.SaturationScaling.RELATIVE:
            scaling = np.ones_like(typical)
        case saturation.SaturationScaling.ABSOLUTE:
            scaling = np.zeros_like(typical)
    half_saturation = saturation.series_half_saturation(typical, inputs.x["size"], scaling)
    hierarchy = _raw_of(model.coefficients, weights)
    logits = (
        hierarchy["channel_mean"][:, None, :]
        + hierarchy["brand_offset"][:, inputs.x["brand"], :]
        + hierarchy["region_offset"][:, inputs.x["region"], :]
    )
    if model.coefficients.cells:
        logits = (
            logits + hierarchy["cell_offset"][:, cell_index(inputs.x["brand"], inputs.x["region"], model.n_regions), :]
        )
    coefficient = constrain(Link.POSITIVE, logits, np) * model.sales_scale
    if model.ceiling_scaling:  # each series' ceiling grows with its relative spend, as in the layer
        ceiling = constrain(saturation.CEILING_SCALING.link, hierarchy[saturation.CEILING_SCALING.raw_name], np)
        coefficient = saturation.series_ceiling(coefficient, inputs.x["size"], ceiling)
    return [lag_weights, half_saturation, slope, coefficient, scaling]


def predictions(model: MarketingMixModel, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """Predicted Sales_Value and the prediction with all media at 0, both (S, T) in INR."""
    to_np = keras.ops.convert_to_numpy
    predicted = to_np(model(inputs.x)["sales"]) * model.sales_scale
    no_media = dict(inputs.x) | {"media": np.zeros_like(inputs.x["media"])}
    baseline = to_np(model(no_media)["sales"]) * model.sales_scale
    return predicted, baseline


def response_params(
    model: MarketingMixModel, panel: FeaturePanel, inputs: ModelInputs, draws: np.ndarray
) -> ResponseParams:
    """Point estimate from the model's current weights; intervals from ``draws`` (D, P)."""
    point = [array[0] for array in draw_arrays(model, inputs, current_theta(model)[None, :])]
    lag_weights, half_saturation, slope, coefficient, scaling = point
    lag_draws, half_draws, slope_draws, coef_draws, scaling_draws = draw_arrays(model, inputs, draws)
    predicted, baseline = predictions(model, inputs)
    return ResponseParams(
        channels=tuple(panel.channels),
        series_brand=tuple(panel.brand),
        series_region=tuple(panel.geo),
        saturation=model.saturation,
        cpm=np.asarray(panel.cpm, dtype=np.float64),
        exposure_scale=panel.scalers.exposure_scale,
        exposure=panel.exposure,
        dates=tuple(d.date().isoformat() for d in panel.dates),
        lag_weights=lag_weights,
        half_saturation=half_saturation,
        slope=slope,
        coefficient=coefficient,
        lag_weights_draws=lag_draws,
        half_saturation_draws=half_draws,
        slope_draws=slope_draws,
        coefficient_draws=coef_draws,
        predicted_sales=predicted,
        baseline_sales=baseline,
        saturation_scaling=scaling,
        saturation_scaling_draws=scaling_draws,
    )
