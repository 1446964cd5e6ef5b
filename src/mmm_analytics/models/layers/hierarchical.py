"""Partially pooled media coefficients per brand x region x channel."""

from __future__ import annotations

import keras
from keras import ops

from mmm_analytics.errors import InputError
from mmm_analytics.response.links import Link, constrain, unconstrain
from mmm_analytics.response.saturation import CEILING_SCALING, series_ceiling


def cell_index(brand_ids, region_ids, n_regions: int):
    """The brand x region cell of each series, ``brand * n_regions + region`` (integer arrays of any
    backend, shape (S,)): the row of its ``cell_offset``."""
    return brand_ids * n_regions + region_ids


@keras.saving.register_keras_serializable(package="mmm_analytics")
class HierarchicalLayer(keras.layers.Layer):
    """coefficient[s, c] = softplus(channel_mean[c] + brand_offset[brand_s, c] + region_offset[region_s, c]
    + cell_offset[brand_s * n_regions + region_s, c]) * size[s, c] ** scaling[c].

    Offsets start at 0 and are shrunk towards 0 by the model's prior (partial pooling). The brand
    x region ``cell_offset`` (``cells``; off: 0) is each segment's own level beyond what its brand
    and its region share, as when a channel works better for one brand in one region. With
    ``scaling`` on, each channel's ``scaling`` in (0, 1) is learned (start 0.5): a series' ceiling grows
    with its relative spend on the channel ``size`` (:func:`~mmm_analytics.response.saturation.relative_size`);
    off, ``scaling`` is 0. Call with ``[brand_ids, region_ids]``, each int of shape (batch,), and
    ``size`` (batch, n_channels); returns (batch, n_channels), the weekly contribution at full
    saturation in scaled sales units.
    """

    def __init__(
        self,
        n_channels: int,
        n_brands: int,
        n_regions: int,
        initial_coefficient: float = 0.15,
        scaling: bool = False,
        cells: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if min(n_channels, n_brands, n_regions) < 1:
            raise InputError(
                f"n_channels, n_brands and n_regions must be >= 1. Received: {n_channels}, {n_brands}, {n_regions}"
            )
        if initial_coefficient <= 0:
            raise InputError(f"initial_coefficient must be > 0. Received: initial_coefficient={initial_coefficient}")
        self.n_channels, self.n_brands, self.n_regions = int(n_channels), int(n_brands), int(n_regions)
        self.initial_coefficient, self.scaling = float(initial_coefficient), bool(scaling)
        self.cells = bool(cells)

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
        if self.cells:
            self.cell_offset = self.add_weight(
                name="cell_offset", shape=(self.n_brands * self.n_regions, self.n_channels), initializer="zeros"
            )
        if self.scaling:
            self.ceiling_scaling_logit = self.add_weight(
                name=CEILING_SCALING.raw_name, shape=(self.n_channels,), initializer="zeros"
            )

    def size_scaling(self):
        """How each channel's ceiling grows with a series' relative spend, (n_channels,) in [0, 1]."""
        if not self.scaling:
            return ops.zeros((self.n_channels,))
        return constrain(CEILING_SCALING.link, ops.convert_to_tensor(self.ceiling_scaling_logit), ops)

    def call(self, inputs, size=None):
        brand_ids, region_ids = inputs
        logits = (
            self.channel_mean[None, :]
            + ops.take(self.brand_offset, ops.cast(brand_ids, "int32"), axis=0)
            + ops.take(self.region_offset, ops.cast(region_ids, "int32"), axis=0)
        )
        if self.cells:
            cell_ids = cell_index(ops.cast(brand_ids, "int32"), ops.cast(region_ids, "int32"), self.n_regions)
            logits = logits + ops.take(self.cell_offset, cell_ids, axis=0)
        coefficient = constrain(Link.POSITIVE, logits, ops)
        if self.scaling and size is not None:
            coefficient = series_ceiling(coefficient, ops.cast(size, logits.dtype), self.size_scaling(), xp=ops)
        return coefficient

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels,
            "n_brands": self.n_brands,
            "n_regions": self.n_regions,
            "initial_coefficient": self.initial_coefficient,
            "scaling": self.scaling,
            "cells": self.cells,
        }
