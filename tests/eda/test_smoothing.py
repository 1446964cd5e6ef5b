"""Scatter data: sampling, correlation and the LOWESS curve."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_analytics.eda import defaults
from mmm_analytics.eda.smoothing import scatter


def test_linear_data_gives_correlation_one_and_a_rising_curve() -> None:
    x = pd.Series(np.linspace(0.0, 10.0, 200))
    result = scatter(x, 3.0 * x + 1.0)
    np.testing.assert_allclose(result.correlation, 1.0, rtol=1e-12)
    assert result.n == 200
    assert np.all(np.diff(result.curve["y"].to_numpy()) > 0)
    np.testing.assert_allclose(result.curve["y"], 3.0 * result.curve["x"] + 1.0, rtol=1e-6)


def test_points_are_sampled_to_the_limit_and_missing_pairs_dropped() -> None:
    rng = np.random.default_rng(0)
    x = pd.Series(rng.normal(size=defaults.MAX_SCATTER_POINTS + 500))
    y = x + rng.normal(size=len(x))
    y.iloc[:10] = np.nan
    result = scatter(x, y, hue=pd.Series(["a"] * len(x)))
    assert len(result.points) == defaults.MAX_SCATTER_POINTS
    assert result.n == len(x) - 10
    np.testing.assert_allclose(result.correlation, x.iloc[10:].corr(y.iloc[10:]), rtol=1e-12)
    assert set(result.points.columns) == {"x", "y", "hue"}


def test_constant_x_has_no_curve_and_no_correlation() -> None:
    result = scatter(pd.Series(np.ones(50)), pd.Series(np.arange(50.0)))
    assert result.curve.empty
    assert np.isnan(result.correlation)
