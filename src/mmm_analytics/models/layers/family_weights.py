"""The weights of a layer whose parameters come from a response-core family registration."""

from __future__ import annotations

from collections.abc import Mapping

import keras
from keras import ops

from mmm_analytics.response.links import Parameter, unconstrain


def add_family_weights(
    layer: keras.layers.Layer, parameters: tuple[Parameter, ...], n_channels: int, starts: Mapping[str, float]
) -> None:
    """One weight of shape (n_channels,) per parameter, named and set as attribute by its ``raw_name``,
    starting at the unconstrained value of ``starts[name]`` (the parameter's own default if absent)."""
    for p in parameters:
        weight = layer.add_weight(
            name=p.raw_name,
            shape=(n_channels,),
            initializer=keras.initializers.Constant(unconstrain(p.link, starts.get(p.name, p.initial))),
        )
        setattr(layer, p.raw_name, weight)


def raw_weights(layer: keras.layers.Layer, parameters: tuple[Parameter, ...]) -> dict[str, object]:
    """The unconstrained weights as tensors, keyed by raw name."""
    return {p.raw_name: ops.convert_to_tensor(getattr(layer, p.raw_name)) for p in parameters}
