"""Tests of equal-tailed intervals over parameter draws."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.curves.intervals import equal_tailed, tail_probabilities
from mmm_analytics.errors import InputError


def test_tail_probabilities_are_equal_tailed() -> None:
    assert tail_probabilities(0.9) == pytest.approx((0.05, 0.95), abs=1e-12)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5], ids=["zero", "one", "above-one"])
def test_bad_level_names_the_key(level: float) -> None:
    with pytest.raises(InputError, match="intervals.level"):
        tail_probabilities(level)


def test_matches_numpy_quantiles_over_the_draw_axis() -> None:
    draws = np.random.default_rng(3).normal(size=(200, 4, 5))
    lower, upper = equal_tailed(draws, 0.8)
    np.testing.assert_allclose(lower, np.quantile(draws, 0.1, axis=0), rtol=1e-12)
    np.testing.assert_allclose(upper, np.quantile(draws, 0.9, axis=0), rtol=1e-12)
    assert lower.shape == (4, 5)


def test_nan_draws_are_ignored_and_all_nan_gives_nan() -> None:
    draws = np.array([[1.0, np.nan], [2.0, np.nan], [np.nan, np.nan], [3.0, np.nan]])
    lower, upper = equal_tailed(draws, 0.5)
    np.testing.assert_allclose([lower[0], upper[0]], [1.5, 2.5], rtol=1e-12)
    assert np.isnan(lower[1]) and np.isnan(upper[1])


def test_width_grows_with_level() -> None:
    draws = np.random.default_rng(0).lognormal(size=(500, 3))
    narrow = np.subtract(*equal_tailed(draws, 0.5)[::-1])
    wide = np.subtract(*equal_tailed(draws, 0.95)[::-1])
    assert np.all(wide > narrow)
