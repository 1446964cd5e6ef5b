"""Scalers: exposure by series mean, controls standardised then whitened on training weeks.

Tolerances: whitened covariance equals the identity within ``atol=1e-6``; closed forms ``rtol=1e-9``.
Missing, non-finite or unscalable inputs are an ``InputError`` naming the array or control.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.features.scaling import Scalers, control_notes, whitening_matrix

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


# ----- degenerate and bad inputs: a note or an InputError, never a LinAlgError or a NaN scale
def test_a_missing_control_value_is_an_input_error_naming_the_control(arrays) -> None:
    exposure, controls, sales = arrays
    broken = controls.copy()
    broken[1, 4, 2] = np.nan
    with pytest.raises(InputError, match=r"^control 'CPI' has 1 missing or non-finite value; run 'mmm data'"):
        Scalers.fit(exposure, broken, sales, N_TRAIN, ["a", "b", "CPI", "constant"])


@pytest.mark.parametrize("name", ["exposure", "Sales_Value"])
def test_non_finite_exposure_or_sales_is_an_input_error(arrays, name: str) -> None:
    exposure, controls, sales = (a.copy() for a in arrays)
    (exposure if name == "exposure" else sales)[0, 3, ...] = np.inf
    with pytest.raises(InputError, match=rf"^{name} has \d+ missing or non-finite value"):
        Scalers.fit(exposure, controls, sales, N_TRAIN)


def test_zero_training_sales_is_an_input_error(arrays) -> None:
    exposure, controls, _ = arrays
    with pytest.raises(InputError, match="Sales_Value is 0 in every training week"):
        Scalers.fit(exposure, controls, np.zeros((3, 40)), N_TRAIN)


def test_controls_too_large_to_standardise_are_named(arrays) -> None:
    exposure, controls, sales = arrays
    huge = controls.copy()
    huge[..., 1] *= 1e300
    with pytest.raises(InputError, match=r"^control 'b' is too large to standardise"):
        Scalers.fit(exposure, huge, sales, N_TRAIN, ["a", "b", "c", "d"])


def test_whitening_of_non_finite_rows_is_an_input_error_not_a_linalg_error() -> None:
    rows = np.random.default_rng(2).normal(size=(50, 3))
    rows[7, 1] = np.nan
    with pytest.raises(InputError, match="not finite"):
        whitening_matrix(rows)


@pytest.mark.parametrize("rows", [np.zeros((30, 4)), np.ones((1, 4))], ids=["all_constant", "one_row"])
def test_whitening_without_a_usable_direction_is_empty(rows: np.ndarray) -> None:
    assert whitening_matrix(rows).shape == (4, 0)


def test_constant_duplicate_and_collinear_controls_get_a_note_each() -> None:
    rng = np.random.default_rng(5)
    a, b, c = rng.normal(size=(3, 120))
    controls = np.stack([a, 7.0 + 0 * a, -2.0 * a + 1.0, b, c, b + c], axis=-1)[None]  # (1, 120, 6)
    names = ["a", "flat", "a_again", "b", "c", "b_plus_c"]
    scalers = Scalers.fit(np.ones((1, 120, 1)), controls, np.ones((1, 120)), 120, names)
    assert scalers.whitening.shape == (6, 3)
    notes = control_notes(controls[0], names, scalers.whitening.shape[1])
    assert notes == (
        "control 'flat' is constant over the training weeks and was dropped",
        "control 'a_again' duplicates 'a' over the training weeks and was dropped",
        "1 exactly collinear combination of the controls was dropped",
    )


def test_independent_controls_get_no_note(arrays) -> None:
    controls = arrays[1][..., :2]
    assert control_notes(controls[:, :N_TRAIN].reshape(-1, 2), ["a", "b"], 2) == ()
