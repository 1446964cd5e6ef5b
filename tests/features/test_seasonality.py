"""Calendar features: Fourier terms of the day of year and festive weeks.

Tolerance: trigonometric identities and closed forms ``rtol=1e-9`` / ``atol=1e-12``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.features import seasonality

WEEKS = pd.date_range("2022-07-04", periods=156, freq="W-MON")


@pytest.mark.parametrize("order", [1, 3, 5], ids=lambda k: f"order_{k}")
def test_fourier_terms_shape_names_and_identity(order: int) -> None:
    terms, names = seasonality.fourier_terms(WEEKS, order)
    assert terms.shape == (156, 2 * order)
    assert names[:2] == ["fourier_sin_1", "fourier_cos_1"] and names[-1] == f"fourier_cos_{order}"
    assert len(names) == len(set(names)) == 2 * order
    np.testing.assert_allclose(terms[:, 0::2] ** 2 + terms[:, 1::2] ** 2, 1.0, rtol=1e-9)


def test_fourier_terms_follow_the_day_of_year() -> None:
    dates = pd.DatetimeIndex(["2023-01-01", "2023-04-02", "2024-12-30"])
    terms, _ = seasonality.fourier_terms(dates, 2)
    day = np.array([1.0, 92.0, 365.0])
    angle = 2 * np.pi * day / 365.25
    expected = np.stack([np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)], axis=-1)
    np.testing.assert_allclose(terms, expected, rtol=1e-9, atol=1e-12)


def test_fourier_terms_repeat_yearly_and_accept_a_series() -> None:
    terms, _ = seasonality.fourier_terms(pd.Series(WEEKS), 3)
    # 52 weeks later the day of year moves by one day (364 days): nearly the same phase.
    np.testing.assert_allclose(terms[52:104], terms[:52], atol=2 * np.pi * 3 * 2 / 365.25)


def test_order_zero_gives_no_columns() -> None:
    terms, names = seasonality.fourier_terms(WEEKS, 0)
    assert terms.shape == (156, 0) and names == []


def test_festive_indicator_flags_only_the_peaks() -> None:
    index = 1.0 + 0.05 * np.random.default_rng(2).standard_normal(52)  # ordinary weekly noise
    index[43:46] = [1.6, 1.9, 1.5]  # Diwali
    np.testing.assert_array_equal(np.flatnonzero(seasonality.festive_indicator(index)), [43, 44, 45])


@pytest.mark.parametrize(
    "values, threshold, expected",
    [
        (np.full(10, 1.2), None, np.zeros(10)),
        (np.zeros(0), 1.0, np.zeros(0)),
        (np.array([0.9, 1.0, 1.1, 1.3]), 1.0, np.array([0.0, 0.0, 1.0, 1.0])),
    ],
    ids=["constant_index_has_no_festive_weeks", "empty", "explicit_threshold_is_strict"],
)
def test_festive_indicator_edge_cases(values, threshold, expected) -> None:
    result = seasonality.festive_indicator(values, threshold)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, expected)


def test_festive_threshold_is_median_plus_two_robust_sd() -> None:
    values = np.array([0.9, 0.95, 1.0, 1.05, 1.1, 1.0, 0.98, 1.02, 1.6])
    median = np.median(values)
    threshold = median + 2 * 1.4826 * np.median(np.abs(values - median))
    np.testing.assert_array_equal(seasonality.festive_indicator(values), values > threshold)
    assert np.flatnonzero(values > threshold).tolist() == [8]
    lowered = values.copy()
    lowered[-1] = threshold - 1e-9  # same median and MAD, now just under the threshold
    assert seasonality.festive_indicator(lowered).sum() == 0.0
