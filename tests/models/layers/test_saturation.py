"""ROICurveLayer equals ``response.saturation.hill`` / ``sigmoid``; config, .keras file, gradients, bad arguments.

Tolerance against the NumPy reference: ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import mmm_analytics.models  # noqa: F401  (JAX backend, float64, layer registration)
from mmm_analytics.errors import InputError
from mmm_analytics.models.layers import ROICurveLayer
from mmm_analytics.response.saturation import (
    SATURATION_FORMS,
    hill,
    logistic,
    relative_size,
    series_half_saturation,
    sigmoid,
)

from .layer_checks import (
    ATOL,
    RTOL,
    assert_config_round_trip,
    assert_every_gradient_non_zero,
    assert_keras_file_round_trip,
    forward,
    set_weights,
    softplus_inverse,
)

HALF = np.array([0.5, 1.5, 4.0])
SLOPE = np.array([0.7, 1.0, 2.5])
KINDS = [family.value for family in SATURATION_FORMS]
CARRIED = np.random.default_rng(1).uniform(1e-3, 8.0, size=(2, 12, 3))


def test_every_registered_family_has_a_reference() -> None:
    for kind in KINDS:
        assert reference(kind, CARRIED).shape == CARRIED.shape


def chosen_layer(kind: str) -> ROICurveLayer:
    layer = ROICurveLayer(3, kind=kind)
    layer.build((None, 12, 3))
    values = {"half_saturation_raw": softplus_inverse(HALF)}
    if "slope_raw" in {p.raw_name for p in SATURATION_FORMS[kind].parameters}:
        values["slope_raw"] = softplus_inverse(SLOPE)
    set_weights(layer, **values)
    return layer


def reference(kind: str, x: np.ndarray) -> np.ndarray:
    match kind:
        case "hill":
            return hill(x, HALF, SLOPE)
        case "sigmoid":
            return sigmoid(x, HALF)
        case "logistic":
            return logistic(x, HALF, SLOPE)
        case _:
            raise AssertionError(f"no reference values for saturation family {kind!r}: add them here")


@pytest.mark.parametrize("kind", KINDS)
def test_layer_equals_numpy_reference(kind: str) -> None:
    layer = chosen_layer(kind)
    np.testing.assert_allclose(np.asarray(layer.half_saturation()), HALF, rtol=1e-9)
    np.testing.assert_allclose(forward(layer, CARRIED), reference(kind, CARRIED), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", KINDS)
def test_layer_keeps_float64_precision(kind: str) -> None:
    """The package runs Keras in float64; the output must not drop to float32 (rtol=1e-9)."""
    x = np.random.default_rng(2).uniform(1e-2, 8.0, size=(2, 12, 3))
    out = forward(chosen_layer(kind), x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, reference(kind, x), rtol=1e-9)


@pytest.mark.parametrize("kind", KINDS)
def test_half_of_maximum_at_half_saturation(kind: str) -> None:
    out = forward(chosen_layer(kind), np.broadcast_to(HALF, CARRIED.shape))
    np.testing.assert_allclose(out, 0.5, rtol=RTOL)


@pytest.mark.parametrize("kind", KINDS)
def test_zero_and_negative_exposure_give_zero(kind: str) -> None:
    layer = chosen_layer(kind)
    set_weights(layer, **({"slope_raw": softplus_inverse([0.25, 1.0, 3.0])} if kind == "hill" else {}))
    x = np.zeros(CARRIED.shape)
    x[:, ::2] = -2.0
    np.testing.assert_allclose(forward(layer, x), 0.0, atol=ATOL)


@pytest.mark.parametrize("kind", KINDS)
def test_monotone_and_below_one(kind: str) -> None:
    grid = np.repeat(np.linspace(0.0, 10.0 * HALF.min(), 24).reshape(2, 12, 1), 3, axis=-1)
    out = forward(chosen_layer(kind), grid).reshape(24, 3)
    assert np.all(np.diff(out, axis=0) >= 0) and np.all(out < 1.0)


def test_sigmoid_has_no_slope_weight() -> None:
    layer = chosen_layer("sigmoid")
    assert [v.name for v in layer.trainable_variables] == ["half_saturation_raw"]
    np.testing.assert_array_equal(np.asarray(layer.slope()), np.ones(3))


@pytest.mark.parametrize("kind", KINDS)
def test_config_round_trip(kind: str) -> None:
    restored = assert_config_round_trip(ROICurveLayer(2, kind=kind, initial_half_saturation=0.8, initial_slope=1.7))
    assert restored.kind == kind and restored.initial_slope == 1.7


def test_keras_file_round_trip_without_custom_objects(tmp_path: Path) -> None:
    inputs = keras.Input(shape=(12, 3))
    hill_layer, sigmoid_layer = ROICurveLayer(3, kind="hill"), ROICurveLayer(3, kind="sigmoid")
    model = keras.Model(inputs, [hill_layer(inputs), sigmoid_layer(inputs)])
    set_weights(hill_layer, half_saturation_raw=softplus_inverse(HALF), slope_raw=softplus_inverse(SLOPE))
    set_weights(sigmoid_layer, half_saturation_raw=softplus_inverse(HALF[::-1]))
    assert_keras_file_round_trip(model, CARRIED, tmp_path)


@pytest.mark.parametrize("kind, names", [(k, {p.raw_name for p in SATURATION_FORMS[k].parameters}) for k in KINDS])
def test_gradients_reach_every_trainable_weight(kind: str, names: set[str]) -> None:
    assert_every_gradient_non_zero(chosen_layer(kind), CARRIED, names)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"kind": "cubic"}, "unknown saturation 'cubic'; choose one of: hill, sigmoid, logistic"),
        ({"initial_half_saturation": 0.0}, "initial_half_saturation"),
        ({"initial_slope": -1.0}, "initial_slope"),
    ],
    ids=["unknown_kind", "zero_half_saturation", "negative_slope"],
)
def test_bad_arguments_raise_input_error_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises(InputError, match=name):
        ROICurveLayer(3, **kwargs)


SIZE = relative_size(np.array([[1.0, 2.0, 5.0], [4.0, 2.0, 0.5]]))


@pytest.mark.parametrize("scaling, expected", [("relative", 1.0), ("absolute", 0.0)], ids=["relative", "absolute"])
def test_fixed_size_scaling_equals_series_reference(scaling: str, expected: float) -> None:
    layer = ROICurveLayer(3, kind="hill", scaling=scaling)
    layer.build((None, 12, 3))
    set_weights(layer, half_saturation_raw=softplus_inverse(HALF), slope_raw=softplus_inverse(SLOPE))
    half = series_half_saturation(HALF, SIZE, np.full(3, expected))[:, None, :]
    got = np.asarray(layer(keras.ops.convert_to_tensor(CARRIED), keras.ops.convert_to_tensor(SIZE)))
    np.testing.assert_allclose(got, hill(CARRIED, half, SLOPE), rtol=RTOL, atol=ATOL)
    assert [v.name for v in layer.trainable_variables] == ["half_saturation_raw", "slope_raw"]


def test_learned_size_scaling_equals_series_reference_and_gets_gradients() -> None:
    layer = ROICurveLayer(3, kind="logistic", scaling="learned")
    layer.build((None, 12, 3))
    scaling = np.array([0.1, 0.5, 0.9])
    set_weights(
        layer,
        half_saturation_raw=softplus_inverse(HALF),
        slope_raw=softplus_inverse(SLOPE),
        scaling_logit=np.log(scaling / (1 - scaling)),
    )
    half = series_half_saturation(HALF, SIZE, scaling)[:, None, :]
    got = np.asarray(layer(keras.ops.convert_to_tensor(CARRIED), keras.ops.convert_to_tensor(SIZE)))
    np.testing.assert_allclose(got, logistic(CARRIED, half, SLOPE), rtol=RTOL, atol=ATOL)
    restored = assert_config_round_trip(layer)
    assert restored.scaling == "learned"


def test_series_half_saturation_moves_with_size_as_scaling_says() -> None:
    # A series twice the typical size: relative keeps its own-unit half-saturation, absolute halves it.
    size = np.array([[2.0], [1.0]])
    np.testing.assert_allclose(series_half_saturation(np.array([3.0]), size, np.array([1.0])), [[3.0], [3.0]])
    np.testing.assert_allclose(series_half_saturation(np.array([3.0]), size, np.array([0.0])), [[1.5], [3.0]])
    np.testing.assert_allclose(relative_size(np.array([[1.0, 0.0], [4.0, 3.0]])), [[0.5, 1.0], [2.0, 1.0]])
