"""Partially pooled media coefficients per brand x region x channel."""

from __future__ import annotations

import keras
from keras import ops

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, constrain, unconstrain


@keras.saving.register_keras_serializable(package="mmm_analytics")
class HierarchicalLayer(keras.layers.Layer):
    """coefficient[s, c] = softplus(channel_mean[c] + brand_offset[brand_s, c] + region_offset[region_s, c]).

    Offsets start at 0 and are shrunk towards 0 by the model's prior (partial pooling).
    Call with ``[brand_ids, region_ids]``, each int of shape (batch,); returns (batch, n_channels),
    the weekly contribution at full saturation in scaled sales units.
    """

    def __init__(self, n_channels: int, n_brands: int, n_regions: int, initial_coefficient: float = 0.15, **kwargs):
        super().__init__(**kwargs)
        if min(n_channels, n_brands, n_regions) < 1:
            raise InputError(
                f"n_channels, n_brands and n_regions must be >= 1. Received: {n_channels}, {n_brands}, {n_regions}"
            )
        if initial_coefficient <= 0:
            raise InputError(f"initial_coefficient must be > 0. Received: initial_coefficient={initial_coefficient}")
        self.n_channels, self.n_brands, self.n_regions = int(n_channels), int(n_brands), int(n_regions)
        self.initial_coefficient = float(initial_coefficient)

    def build(self, input_shape=None):
        start = unconstrain(Link.POSITIVE, self.initial_coefficient)
        self.channel_mean = self.add_weight(
            name="channel_mean", shape=(self.n_channels,), initializer=keras.initializers.Constant(start)
        )
        self.brand_offset = self.add_weight(
            name="brand_offset", shape=(self.n_brands, self.n_channels), initializer="zeros"
        )
        self.region_offset = self.add_weight(
            name="region_offset", shape=(self.n_regions, self.n_channels), initializer="zeros"
        )

    def call(self, inputs):
        brand_ids, region_ids = inputs
        logits = (
            self.channel_mean[None, :]
            + ops.take(self.brand_offset, ops.cast(brand_ids, "int32"), axis=0)
            + ops.take(self.region_offset, ops.cast(region_ids, "int32"), axis=0)
        )
        return constrain(Link.POSITIVE, logits, ops)

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels,
            "n_brands": self.n_brands,
            "n_regions": self.n_regions,
            "initial_coefficient": self.initial_coefficient,
        }
