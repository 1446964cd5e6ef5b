"""HierarchicalLayer equals softplus(channel_mean + brand_offset + region_offset [+ cell_offset]); config, file,
gradients.

Tolerance against the NumPy reference: ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import mmm_analytics.models  # noqa: F401  (JAX backend, float64, layer registration)
from mmm_analytics.errors import InputError
from mmm_analytics.models.layers import HierarchicalLayer

from .layer_checks import (
    ATOL,
    RTOL,
    assert_config_round_trip,
    assert_every_gradient_non_zero,
    assert_keras_file_round_trip,
    forward,
    set_weights,
    softplus,
)

RNG = np.random.default_rng(3)
CHANNEL_MEAN = RNG.normal(size=4)
BRAND_OFFSET = RNG.normal(scale=0.5, size=(3, 4))
REGION_OFFSET = RNG.normal(scale=0.5, size=(2, 4))
BRAND_IDS = np.array([0, 1, 2, 2, 1, 0])
REGION_IDS = np.array([0, 0, 0, 1, 1, 1])
#: Relative spend of each of the 6 series on each of the 4 channels.
SIZE = RNG.uniform(0.1, 10.0, size=(6, 4))
CEILING_LOGIT = RNG.normal(size=4)


def chosen_layer() -> HierarchicalLayer:
    layer = HierarchicalLayer(n_channels=4, n_brands=3, n_regions=2)
    layer.build(None)
    set_weights(layer, channel_mean=CHANNEL_MEAN, brand_offset=BRAND_OFFSET, region_offset=REGION_OFFSET)
    return layer


def test_layer_equals_numpy_reference() -> None:
    out = forward(chosen_layer(), [BRAND_IDS, REGION_IDS])
    expected = softplus(CHANNEL_MEAN[None, :] + BRAND_OFFSET[BRAND_IDS] + REGION_OFFSET[REGION_IDS])
    assert out.shape == (6, 4)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
    assert np.all(out > 0)


def test_starts_at_the_initial_coefficient_with_zero_offsets() -> None:
    layer = HierarchicalLayer(4, 3, 2, initial_coefficient=0.4)
    layer.build(None)
    out = forward(layer, [BRAND_IDS, REGION_IDS])
    np.testing.assert_allclose(out, 0.4, rtol=1e-9)
    for name in ("brand_offset", "region_offset"):
        np.testing.assert_array_equal(np.asarray(next(v for v in layer.weights if v.name == name)), 0.0)


def test_config_round_trip() -> None:
    restored = assert_config_round_trip(HierarchicalLayer(6, 3, 8, initial_coefficient=0.2, name="coefficients"))
    assert (restored.n_channels, restored.n_brands, restored.n_regions, restored.initial_coefficient) == (6, 3, 8, 0.2)


def test_keras_file_round_trip_without_custom_objects(tmp_path: Path) -> None:
    brand, region = keras.Input(shape=(), dtype="int32"), keras.Input(shape=(), dtype="int32")
    layer = HierarchicalLayer(n_channels=4, n_brands=3, n_regions=2)
    model = keras.Model([brand, region], layer([brand, region]))
    set_weights(layer, channel_mean=CHANNEL_MEAN, brand_offset=BRAND_OFFSET, region_offset=REGION_OFFSET)
    assert_keras_file_round_trip(model, [BRAND_IDS, REGION_IDS], tmp_path)


def test_gradients_reach_every_trainable_weight() -> None:
    assert_every_gradient_non_zero(
        chosen_layer(), [BRAND_IDS, REGION_IDS], {"channel_mean", "brand_offset", "region_offset"}
    )


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_channels": 0}, "n_channels, n_brands and n_regions must be >= 1. Received: 0, 3, 2"),
        ({"n_brands": 0}, "Received: 4, 0, 2"),
        ({"n_regions": -1}, "Received: 4, 3, -1"),
        ({"initial_coefficient": 0.0}, "initial_coefficient=0.0"),
    ],
    ids=["no_channels", "no_brands", "negative_regions", "zero_initial_coefficient"],
)
def test_bad_arguments_raise_input_error_naming_them(kwargs: dict, name: str) -> None:
    with pytest.raises(InputError, match=name):
        HierarchicalLayer(**({"n_channels": 4, "n_brands": 3, "n_regions": 2} | kwargs))


def built_layer(**extra: np.ndarray) -> HierarchicalLayer:
    """The layer of 4 channels, 3 brands and 2 regions at the module's weights, with the ``extra``
    weights (``ceiling_scaling_logit``: scaling on; ``cell_offset``: cells on)."""
    layer = HierarchicalLayer(
        n_channels=4, n_brands=3, n_regions=2, scaling="ceiling_scaling_logit" in extra, cells="cell_offset" in extra
    )
    layer.build(None)
    set_weights(layer, channel_mean=CHANNEL_MEAN, brand_offset=BRAND_OFFSET, region_offset=REGION_OFFSET, **extra)
    return layer


def scaled_layer() -> HierarchicalLayer:
    return built_layer(ceiling_scaling_logit=CEILING_LOGIT)


def test_scaled_ceiling_equals_the_reference() -> None:
    """With ``scaling`` each series' ceiling is the pooled one times size**scaling
    (:func:`~mmm_analytics.response.saturation.series_ceiling`), scaling = sigmoid(logit)."""
    from mmm_analytics.response.saturation import series_ceiling

    out = np.asarray(scaled_layer()([BRAND_IDS, REGION_IDS], size=SIZE))
    pooled = softplus(CHANNEL_MEAN[None, :] + BRAND_OFFSET[BRAND_IDS] + REGION_OFFSET[REGION_IDS])
    scaling = 1.0 / (1.0 + np.exp(-CEILING_LOGIT))
    np.testing.assert_allclose(out, series_ceiling(pooled, SIZE, scaling), rtol=RTOL, atol=ATOL)
    # Without sizes (or without scaling) the ceiling is the pooled one.
    np.testing.assert_allclose(np.asarray(scaled_layer()([BRAND_IDS, REGION_IDS])), pooled, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(np.asarray(chosen_layer()([BRAND_IDS, REGION_IDS], size=SIZE)), pooled, rtol=RTOL)


def test_a_series_spending_more_can_earn_more_at_saturation() -> None:
    """Two series of one brand and region, one spending 8 times the other: before, their ceilings were
    equal whatever the data said; with the scaling near 1 the bigger one's is about 8 times as high."""
    layer = HierarchicalLayer(n_channels=1, n_brands=1, n_regions=1, scaling=True)
    layer.build(None)
    set_weights(layer, ceiling_scaling_logit=[12.0])  # scaling 1 - 6e-6
    out = np.asarray(layer([np.array([0, 0]), np.array([0, 0])], size=np.array([[0.5], [4.0]])))
    assert out[1, 0] / out[0, 0] == pytest.approx(8.0, rel=1e-4)
    np.testing.assert_allclose(np.asarray(layer.size_scaling()), [1.0], atol=1e-5)


def test_scaled_config_round_trip_and_gradients() -> None:
    restored = assert_config_round_trip(HierarchicalLayer(6, 3, 8, scaling=True, name="coefficients"))
    assert restored.scaling is True
    assert HierarchicalLayer(6, 3, 8).get_config()["scaling"] is False
    names = {"channel_mean", "brand_offset", "region_offset", "ceiling_scaling_logit"}
    assert_every_gradient_non_zero(scaled_layer(), [BRAND_IDS, REGION_IDS], names, size=SIZE)


CELL_OFFSET = RNG.normal(scale=0.25, size=(3 * 2, 4))


def cell_layer() -> HierarchicalLayer:
    return built_layer(cell_offset=CELL_OFFSET)


def test_cell_offsets_equal_the_reference() -> None:
    """Each brand x region's own offset is row ``brand * n_regions + region`` of ``cell_offset``."""
    out = forward(cell_layer(), [BRAND_IDS, REGION_IDS])
    cells = BRAND_IDS * 2 + REGION_IDS
    expected = softplus(
        CHANNEL_MEAN[None, :] + BRAND_OFFSET[BRAND_IDS] + REGION_OFFSET[REGION_IDS] + CELL_OFFSET[cells]
    )
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)


def test_a_cell_of_its_own_moves_one_brand_in_one_region_only() -> None:
    """An additive brand + region model cannot make one channel work better for BrandB in one region
    alone; a cell offset does, and leaves every other brand x region where it was."""
    layer = cell_layer()
    before = forward(layer, [BRAND_IDS, REGION_IDS])
    moved = CELL_OFFSET.copy()
    moved[1 * 2 + 0, 2] += 0.7  # brand 1, region 0, channel 2
    set_weights(layer, cell_offset=moved)
    after = forward(layer, [BRAND_IDS, REGION_IDS])
    changed = ~np.isclose(after, before, rtol=1e-12)
    assert changed.sum() == 1 and changed[1, 2]  # series 1 is brand 1 in region 0
    assert after[1, 2] > before[1, 2]


def test_cells_config_round_trip_file_and_gradients(tmp_path: Path) -> None:
    restored = assert_config_round_trip(HierarchicalLayer(6, 3, 8, cells=True, name="coefficients"))
    assert restored.cells is True
    assert HierarchicalLayer(6, 3, 8).get_config()["cells"] is False
    names = {"channel_mean", "brand_offset", "region_offset", "cell_offset"}
    assert_every_gradient_non_zero(cell_layer(), [BRAND_IDS, REGION_IDS], names)
    brand, region = keras.Input(shape=(), dtype="int32"), keras.Input(shape=(), dtype="int32")
    layer = HierarchicalLayer(n_channels=4, n_brands=3, n_regions=2, cells=True)
    model = keras.Model([brand, region], layer([brand, region]))
    set_weights(layer, cell_offset=CELL_OFFSET)
    assert_keras_file_round_trip(model, [BRAND_IDS, REGION_IDS], tmp_path)


def test_a_layer_saved_before_cell_offsets_loads_without_them() -> None:
    """A config written before ``cells`` existed has no such key: the layer has no cell offset."""
    config = HierarchicalLayer(6, 3, 8).get_config()
    del config["cells"]
    restored = HierarchicalLayer.from_config(config)
    restored.build(None)
    assert restored.cells is False
    assert "cell_offset" not in {v.name for v in restored.weights}
