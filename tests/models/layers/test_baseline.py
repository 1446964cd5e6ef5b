"""LinearBaselineLayer = intercept * (1 + controls @ effect); PriceEffectLayer = relative_price ** -elasticity.

Tolerance against the NumPy references: ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import mmm_analytics.models  # noqa: F401  (JAX backend, float64, layer registration)
from mmm_analytics.errors import InputError
from mmm_analytics.features.price_elasticity import price_effect
from mmm_analytics.models.layers import LinearBaselineLayer, PriceEffectLayer

from .layer_checks import (
    ATOL,
    RTOL,
    assert_config_round_trip,
    assert_every_gradient_non_zero,
    assert_keras_file_round_trip,
    forward,
    set_weights,
    softplus,
    softplus_inverse,
)

RNG = np.random.default_rng(6)
SERIES_IDS = np.array([2, 0, 1, 2])
CONTROLS = RNG.normal(size=(4, 10, 3))
INTERCEPT = np.array([1.5, 0.7, 2.2])
EFFECT = np.array([0.1, -0.05, 0.2])
BRAND_IDS = np.array([1, 0, 1, 0])
RELATIVE_PRICE = RNG.uniform(0.7, 1.3, size=(4, 10))
ELASTICITY = np.array([0.5, 1.8])


def chosen_baseline(hidden_units: int = 0) -> LinearBaselineLayer:
    layer = LinearBaselineLayer(n_series=3, n_controls=3, hidden_units=hidden_units)
    layer.build(None)
    set_weights(layer, intercept=INTERCEPT, control_effect=EFFECT)
    return layer


def chosen_price() -> PriceEffectLayer:
    layer = PriceEffectLayer(n_brands=2)
    layer.build(None)
    set_weights(layer, elasticity_raw=softplus_inverse(ELASTICITY))
    return layer


def test_linear_baseline_equals_numpy_reference() -> None:
    out = forward(chosen_baseline(), [SERIES_IDS, CONTROLS])
    expected = INTERCEPT[SERIES_IDS][:, None] * (1.0 + CONTROLS @ EFFECT)
    assert out.shape == (4, 10)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


def test_linear_baseline_starts_at_one_and_accepts_no_controls() -> None:
    layer = LinearBaselineLayer(n_series=3, n_controls=0)
    layer.build(None)
    np.testing.assert_array_equal(forward(layer, [SERIES_IDS, np.zeros((4, 10, 0))]), np.ones((4, 10)))


def test_dense_baseline_adds_a_tanh_network_of_the_controls() -> None:
    layer = chosen_baseline(hidden_units=4)
    readout = RNG.normal(size=4)
    set_weights(layer, hidden_readout=readout)
    kernel, bias = np.asarray(layer.hidden_kernel), np.asarray(layer.hidden_bias)
    index = CONTROLS @ EFFECT + np.tanh(CONTROLS @ kernel + bias) @ readout
    expected = INTERCEPT[SERIES_IDS][:, None] * (1.0 + index)
    np.testing.assert_allclose(forward(layer, [SERIES_IDS, CONTROLS]), expected, rtol=RTOL, atol=ATOL)


def test_dense_baseline_keeps_float64_precision() -> None:
    layer = chosen_baseline(hidden_units=4)
    set_weights(layer, hidden_readout=RNG.normal(size=4), hidden_bias=RNG.normal(size=4))
    kernel, bias = np.asarray(layer.hidden_kernel), np.asarray(layer.hidden_bias)
    index = CONTROLS @ EFFECT + np.tanh(CONTROLS @ kernel + bias) @ np.asarray(layer.readout)
    expected = INTERCEPT[SERIES_IDS][:, None] * (1.0 + index)
    # A float32 path would be off by about 1e-7 of the output's scale; summation order alone
    # moves a float64 result by about 1e-16 of it, and near-zero entries need that absolute floor.
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(forward(layer, [SERIES_IDS, CONTROLS]), expected, rtol=1e-12, atol=1e-12 * scale)


def test_price_effect_equals_numpy_reference() -> None:
    layer = chosen_price()
    np.testing.assert_allclose(np.asarray(layer.elasticity()), ELASTICITY, rtol=1e-9)
    out = forward(layer, [BRAND_IDS, RELATIVE_PRICE])
    expected = price_effect(RELATIVE_PRICE, ELASTICITY[BRAND_IDS][:, None])
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out, RELATIVE_PRICE ** -ELASTICITY[BRAND_IDS][:, None], rtol=RTOL, atol=ATOL)


def test_price_effect_is_one_at_the_reference_price() -> None:
    layer = PriceEffectLayer(n_brands=2, initial_elasticity=1.3)
    layer.build(None)
    np.testing.assert_allclose(forward(layer, [BRAND_IDS, np.ones(RELATIVE_PRICE.shape)]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(layer.elasticity()), [1.3, 1.3], rtol=1e-9)
    np.testing.assert_allclose(softplus(softplus_inverse(1.3)), 1.3, rtol=1e-12)


@pytest.mark.parametrize(
    "layer",
    [LinearBaselineLayer(5, 7, name="baseline"), LinearBaselineLayer(5, 7, hidden_units=8), PriceEffectLayer(3, 0.8)],
    ids=["linear_baseline", "dense_baseline", "price_effect"],
)
def test_config_round_trip(layer: keras.layers.Layer) -> None:
    restored = assert_config_round_trip(layer)
    assert {k: v for k, v in restored.get_config().items() if k.startswith(("n_", "hidden", "initial"))} == {
        k: v for k, v in layer.get_config().items() if k.startswith(("n_", "hidden", "initial"))
    }


def test_keras_file_round_trip_without_custom_objects(tmp_path: Path) -> None:
    series, controls = keras.Input(shape=(), dtype="int32"), keras.Input(shape=(10, 3))
    brand, price = keras.Input(shape=(), dtype="int32"), keras.Input(shape=(10,))
    linear = LinearBaselineLayer(n_series=3, n_controls=3)
    dense = LinearBaselineLayer(n_series=3, n_controls=3, hidden_units=4)
    price_layer = PriceEffectLayer(n_brands=2)
    outputs = [linear([series, controls]), dense([series, controls]), price_layer([brand, price])]
    model = keras.Model([series, controls, brand, price], outputs)
    for variable in model.weights:
        variable.assign(RNG.normal(size=variable.shape))
    assert_keras_file_round_trip(model, [SERIES_IDS, CONTROLS, BRAND_IDS, RELATIVE_PRICE], tmp_path)


def test_linear_baseline_gradients_reach_every_trainable_weight() -> None:
    assert_every_gradient_non_zero(chosen_baseline(), [SERIES_IDS, CONTROLS], {"intercept", "control_effect"})


def test_dense_baseline_gradients_reach_every_trainable_weight() -> None:
    layer = chosen_baseline(hidden_units=4)
    set_weights(layer, hidden_readout=RNG.normal(size=4))  # zero at start, which would block the network
    assert_every_gradient_non_zero(
        layer, [SERIES_IDS, CONTROLS], {"intercept", "control_effect", "hidden_readout", "hidden_kernel", "hidden_bias"}
    )


def test_price_gradients_reach_every_trainable_weight() -> None:
    assert_every_gradient_non_zero(chosen_price(), [BRAND_IDS, RELATIVE_PRICE], {"elasticity_raw"})


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: LinearBaselineLayer(0, 3), "n_series=0"),
        (lambda: LinearBaselineLayer(2, -1), "n_controls=-1"),
        (lambda: LinearBaselineLayer(2, 3, hidden_units=-4), "hidden_units=-4"),
        (lambda: PriceEffectLayer(0), "n_brands=0"),
        (lambda: PriceEffectLayer(2, initial_elasticity=0.0), "initial_elasticity=0.0"),
    ],
    ids=["no_series", "negative_controls", "negative_hidden_units", "no_brands", "zero_elasticity"],
)
def test_bad_arguments_raise_input_error_naming_them(make, name: str) -> None:
    with pytest.raises(InputError, match=name):
        make()


SERIES_CONTROLS = RNG.normal(size=(4, 10, 2))
SERIES_EFFECT = RNG.normal(scale=0.1, size=(3, 2))


def test_series_controls_give_each_series_its_own_trend_and_cycle() -> None:
    layer = LinearBaselineLayer(n_series=3, n_controls=3, n_series_controls=2)
    layer.build(None)
    set_weights(layer, intercept=INTERCEPT, control_effect=EFFECT, series_effect=SERIES_EFFECT)
    out = forward(layer, [SERIES_IDS, CONTROLS, SERIES_CONTROLS])
    own = np.einsum("btk,bk->bt", SERIES_CONTROLS, SERIES_EFFECT[SERIES_IDS])
    expected = INTERCEPT[SERIES_IDS][:, None] * (1.0 + CONTROLS @ EFFECT + own)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
    # Rows 0 and 3 are the same series: one weight row, so the same own terms.
    set_weights(layer, series_effect=np.zeros((3, 2)))
    np.testing.assert_allclose(
        forward(layer, [SERIES_IDS, CONTROLS, SERIES_CONTROLS]),
        INTERCEPT[SERIES_IDS][:, None] * (1.0 + CONTROLS @ EFFECT),
        rtol=RTOL,
        atol=ATOL,
    )
    assert_every_gradient_non_zero(
        chosen_with_series(), [SERIES_IDS, CONTROLS, SERIES_CONTROLS], {"intercept", "control_effect", "series_effect"}
    )
    assert assert_config_round_trip(layer).get_config()["n_series_controls"] == 2


def chosen_with_series() -> LinearBaselineLayer:
    layer = LinearBaselineLayer(n_series=3, n_controls=3, n_series_controls=2)
    layer.build(None)
    set_weights(layer, intercept=INTERCEPT, control_effect=EFFECT, series_effect=SERIES_EFFECT)
    return layer
