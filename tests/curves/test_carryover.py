"""Tests of the learned carryover impulse response and its band."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.curves.carryover import carryover_curves, cumulative_half_weeks
from mmm_analytics.response.artifacts import ResponseParams


def test_weights_and_band(params: ResponseParams) -> None:
    curves = carryover_curves(params, 0.9)
    assert [c.channel for c in curves] == list(params.channels)
    for index, curve in enumerate(curves):
        np.testing.assert_array_equal(curve.weights, params.lag_weights[0, :, index])
        np.testing.assert_allclose(curve.lower, np.quantile(params.lag_weights_draws[:, 0, :, index], 0.05, axis=0))
        assert np.all(curve.lower <= curve.weights + 1e-12) and np.all(curve.weights <= curve.upper + 1e-12)
        assert curve.steady_state == pytest.approx(params.lag_weights[0, :, index].sum(), rel=1e-12)
        assert curve.steady_state_lower <= curve.steady_state <= curve.steady_state_upper


@pytest.mark.parametrize(
    ("weights", "expected"),
    [([1.0], 0.5), ([1.0, 1.0], 1.0), ([1.0, 0.0, 0.0], 0.5), ([1.0, 1.0, 1.0, 1.0], 2.0)],
    ids=["no-carryover", "two-equal", "trailing-zeros", "four-equal"],
)
def test_cumulative_half_weeks(weights: list[float], expected: float) -> None:
    assert cumulative_half_weeks(np.array(weights)) == pytest.approx(expected, abs=1e-12)
