"""Checks shared by the layer tests: set weights, config round trip, .keras round trip, gradients.

``import mmm_analytics`` comes before ``import keras``: it selects the JAX backend and float64.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import jax
import keras
import numpy as np

import mmm_analytics.models  # noqa: F401  (backend, float64, layer registration)

#: Layer against its NumPy reference.
RTOL, ATOL = 1e-5, 1e-6


def logit(p):
    p = np.asarray(p, dtype=np.float64)
    return np.log(p / (1.0 - p))


def softplus_inverse(value):
    return np.log(np.expm1(np.asarray(value, dtype=np.float64)))


def softplus(z):
    return np.log1p(np.exp(z))


def set_weights(layer: keras.layers.Layer, **values) -> None:
    """Assign each named weight (the name given to ``add_weight``)."""
    by_name = {v.name: v for v in layer.weights}
    for name, value in values.items():
        by_name[name].assign(np.asarray(value, dtype=np.float64).reshape(by_name[name].shape))


def forward(layer: keras.layers.Layer, inputs) -> np.ndarray:
    """``layer.call(inputs)`` with the layer's current weights, compiled as one JAX program
    (far cheaper than compiling each eager op for a fresh shape)."""
    trainable = [v.value for v in layer.trainable_variables]
    frozen = [v.value for v in layer.non_trainable_variables]
    outputs = jax.jit(lambda values, x: layer.stateless_call(values, frozen, x)[0])(trainable, inputs)
    return np.asarray(outputs)


def assert_config_round_trip(layer: keras.layers.Layer) -> keras.layers.Layer:
    """``get_config`` -> JSON -> ``from_config`` gives a layer with the same config."""
    config = layer.get_config()
    restored = type(layer).from_config(json.loads(json.dumps(config)))
    assert restored.get_config() == config
    assert keras.saving.get_registered_name(type(layer)) == f"mmm_analytics>{type(layer).__name__}"
    return restored


def assert_keras_file_round_trip(model: keras.Model, inputs, tmp_path: Path) -> None:
    """Save to ``.keras`` and load with plain ``load_model`` (no custom_objects): same outputs."""
    path = tmp_path / "layer_model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for restored, original in zip(keras.tree.flatten(loaded(inputs)), keras.tree.flatten(model(inputs)), strict=True):
        np.testing.assert_array_equal(np.asarray(restored), np.asarray(original))
    for original, restored in zip(model.weights, loaded.weights, strict=True):
        assert restored.path == original.path
        np.testing.assert_array_equal(np.asarray(restored), np.asarray(original))


def gradients(layer: keras.layers.Layer, inputs, **kwargs) -> dict[str, np.ndarray]:
    """d sum(layer(inputs, **kwargs)) / d each trainable weight, through ``stateless_call`` and ``jax.grad``."""
    trainable = [v.value for v in layer.trainable_variables]
    frozen = [v.value for v in layer.non_trainable_variables]

    def total(values: Sequence) -> jax.Array:
        outputs, _ = layer.stateless_call(values, frozen, inputs, **kwargs)
        return keras.ops.sum(outputs)

    grads = jax.jit(jax.grad(total))(trainable)  # one compiled program instead of many eager ops
    return {v.path: np.asarray(g) for v, g in zip(layer.trainable_variables, grads, strict=True)}


def assert_every_gradient_non_zero(layer: keras.layers.Layer, inputs, names: set[str], **kwargs) -> None:
    grads = gradients(layer, inputs, **kwargs)
    assert {path.rsplit("/", 1)[-1] for path in grads} == names
    for path, grad in grads.items():
        assert np.all(np.isfinite(grad)), path
        assert np.all(grad != 0.0), f"no gradient reaches {path}: {grad}"
