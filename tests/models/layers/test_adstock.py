"""AdstockLayer equals the response core's carryover for every registered family; config,
.keras file, gradients, bad arguments.

Tolerance against the NumPy reference: ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import mmm_analytics.models  # noqa: F401  (JAX backend, float64, layer registration)
from mmm_analytics.errors import InputError
from mmm_analytics.models.layers import AdstockLayer
from mmm_analytics.response import carryover
from mmm_analytics.response.carryover import CARRYOVER_FORMS, CarryoverFamily
from mmm_analytics.response.links import unconstrain

from .layer_checks import (
    ATOL,
    RTOL,
    assert_config_round_trip,
    assert_every_gradient_non_zero,
    assert_keras_file_round_trip,
    forward,
    set_weights,
)

EXPOSURE = np.random.default_rng(0).gamma(1.5, 1.0, size=(2, 20, 3))
#: Chosen parameter values per family, 3 channels each.
CHOSEN: dict[CarryoverFamily, dict[str, np.ndarray]] = {
    CarryoverFamily.BETA_GAMMA: {"beta": np.array([0.3, 0.6, 0.9]), "retention": np.array([0.2, 0.5, 0.8])},
    CarryoverFamily.GEOMETRIC: {"retention": np.array([0.2, 0.5, 0.8])},
    CarryoverFamily.WEIBULL: {"shape": np.array([0.8, 2.0, 3.5]), "scale": np.array([1.0, 2.5, 6.0])},
}
FAMILIES = list(CARRYOVER_FORMS)


def test_every_registered_family_has_chosen_values() -> None:
    assert set(CHOSEN) == set(CARRYOVER_FORMS)


def chosen_layer(family: CarryoverFamily, max_lag: int) -> AdstockLayer:
    layer = AdstockLayer(3, max_lag=max_lag, family=family)
    layer.build((None, 20, 3))
    form = CARRYOVER_FORMS[family]
    raw = {p.raw_name: [unconstrain(p.link, v) for v in CHOSEN[family][p.name]] for p in form.parameters}
    set_weights(layer, **raw)
    return layer


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("max_lag", [0, 4, 30], ids=["zero_lag", "four_lags", "longer_than_data"])
def test_layer_equals_numpy_reference(family: CarryoverFamily, max_lag: int) -> None:
    layer = chosen_layer(family, max_lag)
    for name, value in layer.params().items():
        np.testing.assert_allclose(np.asarray(value), CHOSEN[family][name], rtol=1e-9)
    weights = carryover.lag_weights(family, CHOSEN[family], max_lag)
    np.testing.assert_allclose(np.asarray(layer.lag_weights()), weights, rtol=RTOL, atol=ATOL)
    expected = carryover.apply_carryover(EXPOSURE, weights)
    np.testing.assert_allclose(forward(layer, EXPOSURE), expected, rtol=RTOL, atol=ATOL)


def test_beta_gamma_weights_are_one_then_beta_times_retention_powers() -> None:
    weights = np.asarray(chosen_layer(CarryoverFamily.BETA_GAMMA, 4).lag_weights())
    beta, retention = CHOSEN[CarryoverFamily.BETA_GAMMA]["beta"], CHOSEN[CarryoverFamily.BETA_GAMMA]["retention"]
    expected = np.vstack([np.ones(3)] + [beta * retention**lag for lag in range(1, 5)])
    np.testing.assert_allclose(weights, expected, rtol=RTOL, atol=ATOL)


def test_weibull_with_shape_above_one_peaks_after_the_spend_week() -> None:
    weights = np.asarray(chosen_layer(CarryoverFamily.WEIBULL, 12).lag_weights())
    assert np.argmax(weights[:, 2]) > 0 and np.argmax(weights[:, 0]) == 0


def test_initial_values_are_the_constructor_arguments() -> None:
    layer = AdstockLayer(3, max_lag=4, initial={"beta": 0.25, "retention": 0.75})
    layer.build((None, 20, 3))
    params = layer.params()
    np.testing.assert_allclose(np.asarray(params["beta"]), [0.25] * 3, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(params["retention"]), [0.75] * 3, rtol=1e-9)


@pytest.mark.parametrize("family", FAMILIES)
def test_layer_is_causal(family: CarryoverFamily) -> None:
    layer = chosen_layer(family, 4)
    changed = EXPOSURE.copy()
    changed[:, 12:] += 3.0
    np.testing.assert_array_equal(forward(layer, changed)[:, :12], forward(layer, EXPOSURE)[:, :12])


@pytest.mark.parametrize("family", FAMILIES)
def test_config_round_trip(family: CarryoverFamily) -> None:
    layer = AdstockLayer(4, max_lag=7, family=family, name="carryover")
    restored = assert_config_round_trip(layer)
    assert (restored.n_channels, restored.max_lag, restored.family, restored.name) == (4, 7, family, "carryover")
    assert restored.initial == layer.initial


def test_config_of_a_layer_saved_before_families_still_loads() -> None:
    legacy = {"name": "adstock", "n_channels": 2, "max_lag": 3, "initial_beta": 0.4, "initial_retention": 0.3}
    restored = AdstockLayer.from_config(legacy)
    assert restored.family == "beta_gamma" and restored.initial == {"beta": 0.4, "retention": 0.3}


@pytest.mark.parametrize("family", FAMILIES)
def test_keras_file_round_trip_without_custom_objects(family: CarryoverFamily, tmp_path: Path) -> None:
    inputs = keras.Input(shape=(20, 3))
    layer = AdstockLayer(3, max_lag=4, family=family)
    model = keras.Model(inputs, layer(inputs))
    chosen = chosen_layer(family, 4)
    for target, source in zip(layer.weights, chosen.weights):
        target.assign(source)
    assert_keras_file_round_trip(model, EXPOSURE, tmp_path)


@pytest.mark.parametrize("family", FAMILIES)
def test_gradients_reach_every_trainable_weight(family: CarryoverFamily) -> None:
    names = {p.raw_name for p in CARRYOVER_FORMS[family].parameters}
    assert_every_gradient_non_zero(chosen_layer(family, 4), EXPOSURE, names)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"max_lag": -1}, "max_lag=-1"),
        ({"max_lag": 2.5}, "max_lag=2.5"),
        ({"n_channels": 0}, "n_channels=0"),
        ({"initial": {"beta": 1.0}}, "initial beta"),
        ({"initial": {"retention": 0.0}}, "initial retention"),
        ({"initial": {"decay": 0.5}}, "decay"),
        ({"family": "exponential"}, "unknown carryover 'exponential'; choose one of: beta_gamma, geometric, weibull"),
    ],
    ids=[
        "negative_max_lag",
        "fractional_max_lag",
        "no_channels",
        "beta_one",
        "retention_zero",
        "unknown_name",
        "unknown_family",
    ],
)
def test_bad_arguments_raise_input_error_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises(InputError, match=name):
        AdstockLayer(**({"n_channels": 3} | kwargs))
