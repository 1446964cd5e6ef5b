"""Pinning a correlation: the closed-form mixing weight and the rebuilt exposure."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.synthetic import collinear
from mmm_analytics.synthetic.world import WorldSettings

WORLD = WorldSettings(0.06)


@pytest.mark.parametrize(
    "correlation, target",
    [(0.0, 0.95), (0.3, 0.95), (-0.3, 0.95), (0.6, 0.8), (-0.4, 0.5)],
    ids=["independent", "positive", "negative", "close", "negative_low_target"],
)
def test_mixing_weight_reaches_the_target(correlation: float, target: float) -> None:
    k = collinear.mixing_weight(correlation, target)
    assert k is not None and k > 0
    reached = (1 + k * correlation) / np.sqrt(1 + k * k + 2 * k * correlation)
    assert reached == pytest.approx(target, rel=1e-12)


@pytest.mark.parametrize("correlation", [0.95, 0.99], ids=["equal", "above"])
def test_no_weight_when_the_partner_is_already_as_correlated(correlation: float) -> None:
    assert collinear.mixing_weight(correlation, 0.95) is None


def test_pin_correlation_is_exact_non_negative_and_keeps_the_mean() -> None:
    rng = np.random.default_rng(0)
    exposure = rng.gamma(2.0, 1.0, size=(2, 3, 80, 4)) * 1e5
    pinned = collinear.pin_correlation(exposure, 1, 3, 0.95, WORLD, np.random.default_rng(1))
    for g in range(2):
        for b in range(3):
            series = pinned[g, b]
            assert np.corrcoef(series[:, 1], series[:, 3])[0, 1] == pytest.approx(0.95, abs=1e-9)
            assert series[:, 3].mean() == pytest.approx(exposure[g, b, :, 3].mean(), rel=1e-12)
    assert np.all(pinned >= 0)
    np.testing.assert_array_equal(np.delete(pinned, 3, axis=-1), np.delete(exposure, 3, axis=-1))


def test_a_constant_first_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="constant"):
        collinear.correlated_partner(np.ones(30), 0.95, WORLD, np.random.default_rng(0))
