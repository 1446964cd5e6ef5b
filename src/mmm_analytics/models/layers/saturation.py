"""Keras twin of :func:`mmm_analytics.features.saturation.saturate` (Hill or zero-anchored sigmoid)."""

from __future__ import annotations

import math

import keras
from keras import ops

from mmm_analytics.errors import InputError

FAMILIES = ("hill", "sigmoid")


def _softplus_inverse(value: float) -> float:
    return math.log(math.expm1(value))


@keras.saving.register_keras_serializable(package="mmm_analytics")
class ROICurveLayer(keras.layers.Layer):
    """Per-channel saturation, 0 at 0 and increasing, output in [0, 1).

    ``half_saturation`` = softplus(raw) (> 0, carried-over scaled exposure where the
    curve is at 0.5); ``slope`` = softplus(raw) for "hill". Input/output (batch, n_weeks, n_channels).
    """

    def __init__(self, n_channels: int, kind: str = "hill", initial_half_saturation: float = 1.5,
                 initial_slope: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if kind not in FAMILIES:
            raise InputError(f"unknown saturation '{kind}'; choose one of: {', '.join(FAMILIES)}. Received: kind={kind!r}")
        if initial_half_saturation <= 0 or initial_slope <= 0:
            raise InputError("initial_half_saturation and initial_slope must be > 0. "
                             f"Received: {initial_half_saturation}, {initial_slope}")
        self.n_channels, self.kind = int(n_channels), kind
        self.initial_half_saturation, self.initial_slope = float(initial_half_saturation), float(initial_slope)

    def build(self, input_shape=None):
        self.half_saturation_raw = self.add_weight(
            name="half_saturation_raw", shape=(self.n_channels,),
            initializer=keras.initializers.Constant(_softplus_inverse(self.initial_half_saturation)))
        if self.kind == "hill":
            self.slope_raw = self.add_weight(
                name="slope_raw", shape=(self.n_channels,),
                initializer=keras.initializers.Constant(_softplus_inverse(self.initial_slope)))

    def half_saturation(self):
        return ops.softplus(self.half_saturation_raw)

    def slope(self):
        return ops.softplus(self.slope_raw) if self.kind == "hill" else ops.ones((self.n_channels,))

    def call(self, carried):
        carried = ops.maximum(carried, 0.0)
        if self.kind == "hill":
            log_ratio = self.slope() * (ops.log(carried + 1e-12) - ops.log(self.half_saturation()))
            return ops.where(carried > 0, ops.sigmoid(log_ratio), 0.0)  # exactly 0 at 0, whatever the slope
        # tanh(k x / 2) written with exp/expm1: keras.ops.tanh returns float32 under JAX even in float64.
        rate_x = math.log(3.0) / self.half_saturation() * carried
        return -ops.expm1(-rate_x) / (1.0 + ops.exp(-rate_x))

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels, "kind": self.kind,
            "initial_half_saturation": self.initial_half_saturation, "initial_slope": self.initial_slope,
        }
