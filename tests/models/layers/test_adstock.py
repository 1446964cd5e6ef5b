"""AdstockLayer equals ``features.adstock.beta_gamma_decay``; config, .keras file, gradients, bad arguments.

Tolerance against the NumPy reference: ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

from pathlib import Path

import mmm_analytics  # noqa: F401  (before keras: JAX backend, float64, layer registration)
import keras
import numpy as np
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.features.adstock import beta_gamma_decay
from mmm_analytics.models.layers import AdstockLayer

from .layer_checks import (
    ATOL, RTOL, forward, assert_config_round_trip, assert_every_gradient_non_zero,
    assert_keras_file_round_trip, logit, set_weights,
)

BETA = np.array([0.3, 0.6, 0.9])
RETENTION = np.array([0.2, 0.5, 0.8])
EXPOSURE = np.random.default_rng(0).gamma(1.5, 1.0, size=(2, 20, 3))


def chosen_layer(max_lag: int) -> AdstockLayer:
    layer = AdstockLayer(3, max_lag=max_lag)
    layer.build((None, 20, 3))
    set_weights(layer, beta_logit=logit(BETA), retention_logit=logit(RETENTION))
    return layer


@pytest.mark.parametrize("max_lag", [0, 4, 30], ids=["zero_lag", "four_lags", "longer_than_data"])
def test_layer_equals_numpy_reference(max_lag: int) -> None:
    layer = chosen_layer(max_lag)
    np.testing.assert_allclose(np.asarray(layer.beta()), BETA, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(layer.retention()), RETENTION, rtol=1e-9)
    expected = beta_gamma_decay(EXPOSURE, BETA, RETENTION, max_lag)
    np.testing.assert_allclose(forward(layer, EXPOSURE), expected, rtol=RTOL, atol=ATOL)


def test_lag_weights_are_one_then_beta_times_retention_powers() -> None:
    weights = np.asarray(chosen_layer(4).lag_weights())
    expected = np.vstack([np.ones(3)] + [BETA * RETENTION**lag for lag in range(1, 5)])
    np.testing.assert_allclose(weights, expected, rtol=RTOL, atol=ATOL)


def test_initial_values_are_the_constructor_arguments() -> None:
    layer = AdstockLayer(3, max_lag=4, initial_beta=0.25, initial_retention=0.75)
    layer.build((None, 20, 3))
    np.testing.assert_allclose(np.asarray(layer.beta()), [0.25] * 3, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(layer.retention()), [0.75] * 3, rtol=1e-9)


def test_layer_is_causal() -> None:
    layer = chosen_layer(4)
    changed = EXPOSURE.copy()
    changed[:, 12:] += 3.0
    np.testing.assert_array_equal(forward(layer, changed)[:, :12], forward(layer, EXPOSURE)[:, :12])


def test_config_round_trip() -> None:
    layer = AdstockLayer(4, max_lag=7, initial_beta=0.4, initial_retention=0.3, name="carryover")
    restored = assert_config_round_trip(layer)
    assert (restored.n_channels, restored.max_lag, restored.initial_beta, restored.name) == (4, 7, 0.4, "carryover")


def test_keras_file_round_trip_without_custom_objects(tmp_path: Path) -> None:
    inputs = keras.Input(shape=(20, 3))
    layer = AdstockLayer(3, max_lag=4)
    model = keras.Model(inputs, layer(inputs))
    set_weights(layer, beta_logit=logit(BETA), retention_logit=logit(RETENTION))
    assert_keras_file_round_trip(model, EXPOSURE, tmp_path)


def test_gradients_reach_every_trainable_weight() -> None:
    assert_every_gradient_non_zero(chosen_layer(4), EXPOSURE, {"beta_logit", "retention_logit"})


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"max_lag": -1}, "max_lag=-1"),
        ({"max_lag": 2.5}, "max_lag=2.5"),
        ({"n_channels": 0}, "n_channels=0"),
        ({"initial_beta": 1.0}, "initial_beta=1.0"),
        ({"initial_retention": 0.0}, "initial_retention=0.0"),
    ],
    ids=["negative_max_lag", "fractional_max_lag", "no_channels", "beta_one", "retention_zero"],
)
def test_bad_arguments_raise_input_error_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises(InputError, match=name):
        AdstockLayer(**({"n_channels": 3} | kwargs))
