"""Carryover families of the response core (NumPy): causality, impulse response, linearity, errors.

Tolerances: closed-form comparisons use ``rtol=1e-9``; "nothing changes before week t"
is checked exactly (the same arithmetic runs on the same inputs).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mmm_analytics.errors import InputError
from mmm_analytics.response import carryover

RTOL = 1e-9
SETTINGS = settings(max_examples=50, deadline=None)

exposures = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=24).map(lambda s: (s[0], min(s[1], 3))),
    elements=st.floats(0.0, 1e6, allow_nan=False),
)
betas = st.floats(0.0, 2.0)
retentions = st.floats(0.0, 0.99)
max_lags = st.integers(0, 20)


def closed_form_weights(beta: float, retention: float, max_lag: int) -> np.ndarray:
    return np.array([1.0] + [beta * retention**lag for lag in range(1, max_lag + 1)])


@SETTINGS
@given(x=exposures, beta=betas, retention=retentions, max_lag=max_lags, data=st.data())
def test_changing_week_t_changes_nothing_before_t(x, beta, retention, max_lag, data) -> None:
    t = data.draw(st.integers(0, x.shape[0] - 1), label="t")
    bump = data.draw(st.floats(1.0, 1e6), label="bump")
    changed = x.copy()
    changed[t:] += bump
    before = carryover.beta_gamma_decay(x, beta, retention, max_lag)
    after = carryover.beta_gamma_decay(changed, beta, retention, max_lag)
    np.testing.assert_array_equal(after[:t], before[:t])
    assert np.all(after[t:] > before[t:])


@SETTINGS
@given(beta=betas, retention=retentions, max_lag=max_lags, extra=st.integers(0, 5))
def test_impulse_response_equals_the_weights(beta, retention, max_lag, extra) -> None:
    n_weeks = max_lag + 1 + extra
    impulse = np.zeros(n_weeks)
    impulse[0] = 1.0
    response = carryover.beta_gamma_decay(impulse, beta, retention, max_lag)
    expected = np.zeros(n_weeks)
    expected[: max_lag + 1] = closed_form_weights(beta, retention, max_lag)
    np.testing.assert_allclose(response, expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(
        carryover.beta_gamma_weights(beta, retention, max_lag), expected[: max_lag + 1], rtol=RTOL
    )


@SETTINGS
@given(
    data=st.data(),
    beta=betas,
    retention=retentions,
    max_lag=max_lags,
    a=st.floats(-10.0, 10.0),
    b=st.floats(-10.0, 10.0),
)
def test_adstock_is_linear_in_exposure(data, beta, retention, max_lag, a, b) -> None:
    x = data.draw(exposures, label="x")
    z = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(0.0, 1e6)), label="z")
    combined = carryover.beta_gamma_decay(a * x + b * z, beta, retention, max_lag)
    separate = a * carryover.beta_gamma_decay(x, beta, retention, max_lag) + b * carryover.beta_gamma_decay(
        z, beta, retention, max_lag
    )
    scale = max(1.0, float(np.abs(separate).max()), float(np.abs(combined).max()))
    np.testing.assert_allclose(combined, separate, rtol=RTOL, atol=RTOL * scale)


@SETTINGS
@given(
    beta=st.floats(0.01, 2.0), retention=st.floats(0.01, 0.99), max_lag=st.integers(1, 20), n_weeks=st.integers(2, 30)
)
def test_no_wrap_around_unlike_np_roll(beta, retention, max_lag, n_weeks) -> None:
    last_week = np.zeros(n_weeks)
    last_week[-1] = 5.0
    carried = carryover.beta_gamma_decay(last_week, beta, retention, max_lag)
    np.testing.assert_array_equal(carried[:-1], 0.0)
    assert carried[-1] == 5.0
    rolled = np.roll(last_week, 1)  # what a wrap-around implementation would add at week 0
    assert rolled[0] == 5.0 and carried[0] == 0.0


@SETTINGS
@given(retention=st.floats(0.0, 1.0), max_lag=max_lags)
def test_geometric_weights_sum_to_one(retention, max_lag) -> None:
    weights = carryover.geometric_weights(retention, max_lag)
    assert weights.shape == (max_lag + 1,)
    np.testing.assert_allclose(weights.sum(), 1.0, rtol=RTOL)
    assert np.all(np.diff(weights) <= 0)


@SETTINGS
@given(x=exposures, retention=st.floats(0.0, 1.0), max_lag=st.integers(0, 8))
def test_geometric_carryover_preserves_total_exposure(x, retention, max_lag) -> None:
    padded = np.concatenate([x, np.zeros((max_lag, x.shape[1]))])
    carried = carryover.geometric_carryover(padded, retention, max_lag)
    np.testing.assert_allclose(carried.sum(axis=0), padded.sum(axis=0), rtol=RTOL, atol=1e-9)


@SETTINGS
@given(shape=st.floats(2.0, 5.0), scale=st.floats(2.0, 10.0), max_lag=st.integers(4, 20))
def test_weibull_with_shape_above_one_peaks_after_lag_zero(shape, scale, max_lag) -> None:
    weights = carryover.weibull_weights(shape, scale, max_lag)
    assert int(np.argmax(weights)) > 0
    assert weights[0] < 1.0
    np.testing.assert_allclose(weights.max(), 1.0, rtol=RTOL)


@SETTINGS
@given(shape=st.floats(0.2, 1.0), scale=st.floats(0.5, 10.0), max_lag=st.integers(0, 20))
def test_weibull_with_shape_up_to_one_peaks_at_lag_zero(shape, scale, max_lag) -> None:
    weights = carryover.weibull_weights(shape, scale, max_lag)
    assert int(np.argmax(weights)) == 0
    assert np.all(np.diff(weights) <= 0)


@pytest.mark.parametrize(
    "shape, scale", [(0.8, 2.0), (1.0, 3.0), (2.5, 4.0)], ids=["decaying", "exponential", "delayed"]
)
def test_weibull_weights_match_scipy_pdf(shape: float, scale: float) -> None:
    lags = np.arange(13) + 0.5
    pdf = scipy.stats.weibull_min.pdf(lags, shape, scale=scale)
    np.testing.assert_allclose(carryover.weibull_weights(shape, scale, 12), pdf / pdf.max(), rtol=RTOL)


def test_per_channel_parameters_equal_a_per_channel_loop() -> None:
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 1.0, size=(2, 30, 3))
    beta, retention = np.array([0.2, 0.7, 1.3]), np.array([0.0, 0.5, 0.9])
    shape, scale = np.array([0.7, 1.0, 3.0]), np.array([1.0, 2.5, 5.0])
    carried = carryover.beta_gamma_decay(x, beta, retention, 6)
    weibull = carryover.weibull_carryover(x, shape, scale, 6)
    geometric = carryover.geometric_carryover(x, retention, 6)
    for g in range(2):
        for c in range(3):
            series = x[g, :, c]
            np.testing.assert_allclose(
                carried[g, :, c], carryover.beta_gamma_decay(series, beta[c], retention[c], 6), rtol=1e-12
            )
            np.testing.assert_allclose(
                weibull[g, :, c], carryover.weibull_carryover(series, shape[c], scale[c], 6), rtol=1e-12
            )
            np.testing.assert_allclose(
                geometric[g, :, c], carryover.geometric_carryover(series, retention[c], 6), rtol=1e-12
            )


def test_apply_carryover_matches_a_direct_sum() -> None:
    rng = np.random.default_rng(5)
    x, weights = rng.uniform(0, 3, size=(12, 2)), rng.uniform(0, 1, size=(4, 2))
    expected = np.zeros_like(x)
    for t in range(12):
        for lag in range(4):
            if t - lag >= 0:
                expected[t] += weights[lag] * x[t - lag]
    np.testing.assert_allclose(carryover.apply_carryover(x, weights), expected, rtol=RTOL)


def test_max_lag_longer_than_the_data_is_fine() -> None:
    x = np.array([1.0, 2.0, 3.0])
    expected = np.array([1.0, 2.0 + 0.5 * 0.5, 3.0 + 0.5 * 0.5 * 2.0 + 0.5 * 0.25 * 1.0])
    np.testing.assert_allclose(carryover.beta_gamma_decay(x, 0.5, 0.5, max_lag=10), expected, rtol=RTOL)


EXPOSURE = np.array([[0.0, 4.0], [2.0, 0.0], [5.0, 1.0], [0.0, 0.0], [3.0, 7.0]])


@pytest.mark.parametrize(
    "beta, retention, max_lag, x, expected",
    [
        (0.8, 0.6, 0, EXPOSURE, EXPOSURE),
        (0.8, 0.0, 8, EXPOSURE, EXPOSURE),
        (0.0, 0.9, 8, EXPOSURE, EXPOSURE),
        (0.8, 0.6, 8, np.zeros((5, 2)), np.zeros((5, 2))),
        (1.0, 0.999, 3, np.ones((5, 1)), np.cumsum(0.999 ** np.arange(4))[[0, 1, 2, 3, 3], None]),
    ],
    ids=["zero_lag", "zero_retention", "zero_beta", "zero_exposure", "retention_near_one"],
)
def test_beta_gamma_edge_cases(beta, retention, max_lag, x, expected) -> None:
    np.testing.assert_allclose(carryover.beta_gamma_decay(x, beta, retention, max_lag), expected, rtol=RTOL)


@pytest.mark.parametrize(
    "retention, max_lag, expected",
    [(0.0, 4, [1.0, 0, 0, 0, 0]), (1.0, 3, [0.25] * 4), (0.5, 0, [1.0])],
    ids=["zero_retention", "full_retention", "zero_lag"],
)
def test_geometric_weight_edge_cases(retention: float, max_lag: int, expected: list[float]) -> None:
    np.testing.assert_allclose(carryover.geometric_weights(retention, max_lag), expected, rtol=RTOL)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: carryover.beta_gamma_decay(np.ones(4), 0.5, 0.5, max_lag=-1), "max_lag"),
        (lambda: carryover.beta_gamma_decay(np.ones(4), 0.5, 0.5, max_lag=2.5), "max_lag"),
        (lambda: carryover.beta_gamma_decay(np.ones(4), 0.5, 1.0), r"retention \(gamma\)"),
        (lambda: carryover.beta_gamma_decay(np.ones(4), 0.5, -0.1), r"retention \(gamma\)"),
        (lambda: carryover.beta_gamma_decay(np.ones(4), -0.2, 0.5), "beta"),
        (lambda: carryover.geometric_carryover(np.ones(4), 1.5), "retention"),
        (lambda: carryover.geometric_weights(0.5, max_lag=-3), "max_lag"),
        (lambda: carryover.weibull_weights(0.0, 2.0), "shape"),
        (lambda: carryover.weibull_weights(2.0, -1.0), "scale"),
        (lambda: carryover.weibull_carryover(np.ones(4), 1.0, 1.0, max_lag=-1), "max_lag"),
    ],
    ids=[
        "negative_max_lag",
        "fractional_max_lag",
        "retention_one",
        "negative_retention",
        "negative_beta",
        "geometric_retention_above_one",
        "geometric_negative_max_lag",
        "weibull_zero_shape",
        "weibull_negative_scale",
        "weibull_negative_max_lag",
    ],
)
def test_bad_parameters_raise_input_error_naming_them(call, name: str) -> None:
    with pytest.raises(InputError, match=name):
        call()


@pytest.mark.parametrize("retention", [0.1, 0.5, 0.9, 0.99], ids=lambda r: f"retention_{r}")
def test_half_life_halves_the_effect(retention: float) -> None:
    np.testing.assert_allclose(retention ** carryover.half_life(retention), 0.5, rtol=RTOL)


def test_half_life_of_zero_retention_is_zero_and_arrays_keep_shape() -> None:
    assert carryover.half_life(0.0) == 0.0
    assert isinstance(carryover.half_life(0.5), float)
    np.testing.assert_allclose(carryover.half_life(np.array([0.0, 0.5, 0.25])), [0.0, 1.0, 0.5], rtol=RTOL)


@SETTINGS
@given(beta=betas, retention=retentions, max_lag=max_lags)
def test_sustained_exposure_carries_over_to_the_sum_of_the_weights(beta, retention, max_lag) -> None:
    weights = carryover.beta_gamma_weights(beta, retention, max_lag)
    tail = sum(retention**lag for lag in range(1, max_lag + 1))
    np.testing.assert_allclose(weights.sum(axis=0), 1.0 + beta * tail, rtol=RTOL)
    sustained = carryover.beta_gamma_decay(np.ones(max_lag + 3), beta, retention, max_lag)
    np.testing.assert_allclose(sustained[-1], 1.0 + beta * tail, rtol=RTOL)


@pytest.mark.parametrize("shape, scale", [(400.0, 3.0), (1e-3, 0.01), (50.0, 0.2), (0.3, 40.0)])
def test_weibull_weights_stay_finite_for_extreme_draws(shape: float, scale: float) -> None:
    """Laplace draws far from the fit once gave Weibull weights of inf * 0 = NaN."""
    weights = carryover.weibull_weights(np.array([shape]), np.array([scale]), 16)
    assert np.all(np.isfinite(weights)) and weights.max() == pytest.approx(1.0) and weights.min() >= 0.0
