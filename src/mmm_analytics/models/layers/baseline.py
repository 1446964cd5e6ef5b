"""Baseline sales (without media) and the price effect."""

from __future__ import annotations

import keras
from keras import ops

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, constrain, unconstrain


def _tanh(x):
    # tanh through exp/expm1: keras.ops.tanh computes in float32 under JAX even with floatx float64.
    return -ops.expm1(-2.0 * x) / (1.0 + ops.exp(-2.0 * x))


@keras.saving.register_keras_serializable(package="mmm_analytics")
class LinearBaselineLayer(keras.layers.Layer):
    """baseline[s, t] = intercept[s] * (1 + controls[s, t] @ effect + series_controls[s, t] @ series_effect[s]).

    Call with ``[series_ids (batch,), controls (batch, n_weeks, n_controls)]`` and, with
    ``n_series_controls`` > 0, ``series_controls (batch, n_weeks, n_series_controls)`` third: calendar
    terms (trend, yearly cycle) each series follows with its own weights, as brands and regions grow
    and peak differently. Controls are standardised. With ``hidden_units`` > 0 the shared index is a
    small dense network of the controls instead (it never sees media).
    """

    def __init__(self, n_series: int, n_controls: int, hidden_units: int = 0, n_series_controls: int = 0, **kwargs):
        super().__init__(**kwargs)
        if n_series < 1 or n_controls < 0 or hidden_units < 0 or n_series_controls < 0:
            raise InputError(
                f"bad baseline sizes. Received: n_series={n_series}, n_controls={n_controls}, "
                f"hidden_units={hidden_units}, n_series_controls={n_series_controls}"
            )
        self.n_series, self.n_controls, self.hidden_units = int(n_series), int(n_controls), int(hidden_units)
        self.n_series_controls = int(n_series_controls)

    def build(self, input_shape=None):
        self.intercept = self.add_weight(name="intercept", shape=(self.n_series,), initializer="ones")
        self.effect = self.add_weight(name="control_effect", shape=(self.n_controls,), initializer="zeros")
        if self.n_series_controls:
            self.series_effect = self.add_weight(
                name="series_effect", shape=(self.n_series, self.n_series_controls), initializer="zeros"
            )
        if self.hidden_units:
            self.hidden_kernel = self.add_weight(
                name="hidden_kernel", shape=(self.n_controls, self.hidden_units), initializer="glorot_uniform"
            )
            self.hidden_bias = self.add_weight(name="hidden_bias", shape=(self.hidden_units,), initializer="zeros")
            self.readout = self.add_weight(name="hidden_readout", shape=(self.hidden_units,), initializer="zeros")

    def call(self, inputs):
        series_ids, controls = inputs[0], inputs[1]
        index = ops.einsum("btk,k->bt", controls, self.effect)
        if self.n_series_controls:
            own = ops.take(self.series_effect, ops.cast(series_ids, "int32"), axis=0)
            index = index + ops.einsum("btk,bk->bt", inputs[2], own)
        if self.hidden_units:
            hidden = _tanh(ops.einsum("btk,kh->bth", controls, self.hidden_kernel) + self.hidden_bias)
            index = index + ops.einsum("bth,h->bt", hidden, self.readout)
        return ops.take(self.intercept, ops.cast(series_ids, "int32"), axis=0)[:, None] * (1.0 + index)

    def get_config(self):
        return super().get_config() | {
            "n_series": self.n_series,
            "n_controls": self.n_controls,
            "hidden_units": self.hidden_units,
            "n_series_controls": self.n_series_controls,
        }


@keras.saving.register_keras_serializable(package="mmm_analytics")
class PriceEffectLayer(keras.layers.Layer):
    """Multiplier (relative_price) ** -elasticity[brand], elasticity = softplus(raw) >= 0.

    Call with ``[brand_ids (batch,), relative_price (batch, n_weeks)]``.
    """

    def __init__(self, n_brands: int, initial_elasticity: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if n_brands < 1 or initial_elasticity <= 0:
            raise InputError(
                f"bad price effect settings. Received: n_brands={n_brands}, initial_elasticity={initial_elasticity}"
            )
        self.n_brands, self.initial_elasticity = int(n_brands), float(initial_elasticity)

    def build(self, input_shape=None):
        self.elasticity_raw = self.add_weight(
            name="elasticity_raw",
            shape=(self.n_brands,),
            initializer=keras.initializers.Constant(unconstrain(Link.POSITIVE, self.initial_elasticity)),
        )

    def elasticity(self):
        return constrain(Link.POSITIVE, ops.convert_to_tensor(self.elasticity_raw), ops)

    def call(self, inputs):
        brand_ids, relative_price = inputs
        elasticity = ops.take(self.elasticity(), ops.cast(brand_ids, "int32"), axis=0)[:, None]
        return ops.exp(-elasticity * ops.log(ops.maximum(relative_price, 1e-6)))

    def get_config(self):
        return super().get_config() | {"n_brands": self.n_brands, "initial_elasticity": self.initial_elasticity}
