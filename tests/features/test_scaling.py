"""Scalers: exposure by series mean, controls standardised then whitened on training weeks.

Tolerances: whitened covariance equals the identity within ``atol=1e-6``; closed forms ``rtol=1e-9``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_analytics.features.scaling import Scalers, whitening_matrix

N_TRAIN = 30


@pytest.fixture(scope="module")
def arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    exposure = rng.gamma(2.0, 1000.0, size=(3, 40, 2))
    exposure[1, :, 1] = 0.0  # a channel that never ran in one series
    base = rng.normal(size=(3, 40, 2))
    controls = np.concatenate(
        [base, base[..., :1] + 0.5 * base[..., 1:], np.full((3, 40, 1), 7.0)], axis=-1
    )  # K=4: two free, one correlated, one constant
    controls[..., 2] += 0.1 * rng.normal(size=(3, 40))
    sales = rng.uniform(100.0, 200.0, size=(3, 40))
    return exposure, controls, sales


@pytest.fixture(scope="module")
def scalers(arrays) -> Scalers:
    return Scalers.fit(*arrays, n_train_weeks=N_TRAIN)


def test_exposure_is_divided_by_the_series_mean_over_all_weeks(arrays, scalers: Scalers) -> None:
    exposure = arrays[0]
    assert scalers.exposure_scale.shape == (3, 2)
    assert scalers.exposure_scale[1, 1] == 1.0  # never ran: scale 1, no division by zero
    scaled = scalers.scale_exposure(exposure)
    np.testing.assert_allclose(np.delete(scaled.mean(axis=1).ravel(), 3), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(scaled[1, :, 1], 0.0)


def test_sales_scale_is_the_training_mean(arrays, scalers: Scalers) -> None:
    np.testing.assert_allclose(scalers.sales_scale, arrays[2][:, :N_TRAIN].mean(), rtol=1e-9)
    assert isinstance(scalers.sales_scale, float)


def test_constant_control_gets_unit_sd_and_is_dropped(scalers: Scalers) -> None:
    assert scalers.control_sd[3] == 1.0
    assert scalers.whitening.shape == (4, 3)
    np.testing.assert_allclose(scalers.whitening[3], 0.0, atol=1e-12)


def test_whitened_controls_are_uncorrelated_with_unit_variance_on_training_weeks(arrays, scalers: Scalers) -> None:
    whitened = scalers.scale_controls(arrays[1])
    assert whitened.shape == (3, 40, 3)
    train = whitened[:, :N_TRAIN].reshape(-1, 3)
    np.testing.assert_allclose(np.cov(train, rowvar=False), np.eye(3), atol=1e-6)
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-6)
    holdout = whitened[:, N_TRAIN:].reshape(-1, 3)
    assert not np.allclose(np.cov(holdout, rowvar=False), np.eye(3), atol=1e-6)  # fitted on training weeks only


def test_whitening_drops_exactly_collinear_directions() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(200, 1)), rng.normal(size=(200, 1))
    rows = np.hstack([a, b, a - b])
    rows = (rows - rows.mean(axis=0)) / rows.std(axis=0)
    matrix = whitening_matrix(rows)
    assert matrix.shape == (3, 2)
    np.testing.assert_allclose(np.cov(rows @ matrix, rowvar=False), np.eye(2), atol=1e-6)


def test_whitening_of_no_controls_is_empty() -> None:
    assert whitening_matrix(np.zeros((10, 0))).shape == (0, 0)


def test_dict_round_trip_through_json(arrays, scalers: Scalers) -> None:
    restored = Scalers.from_dict(json.loads(json.dumps(scalers.to_dict())))
    for field in ("exposure_scale", "control_mean", "control_sd", "whitening"):
        np.testing.assert_array_equal(getattr(restored, field), getattr(scalers, field))
    assert restored.sales_scale == scalers.sales_scale
    np.testing.assert_array_equal(restored.scale_controls(arrays[1]), scalers.scale_controls(arrays[1]))
