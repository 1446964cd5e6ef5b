"""The ROI prior learned across channels: the data's estimate per channel, the between-channel
spread, and the prior the refit gets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.config.model import ModelConfig, RoiPrior
from mmm_analytics.models.roi_prior import (
    MIN_DATA_INFORMATION,
    LearnedRoiPrior,
    between_spread,
    data_estimate,
)


def _posterior_draws(
    data: np.ndarray, error: np.ndarray, prior_centre: np.ndarray, prior_spread: np.ndarray, n: int = 200_000
) -> np.ndarray:
    """Draws (n, C) of the Gaussian posterior of a Gaussian likelihood N(data, error) under the prior."""
    precision = 1 / error**2 + 1 / prior_spread**2
    mean = (data / error**2 + prior_centre / prior_spread**2) / precision
    return np.random.default_rng(0).normal(mean, 1 / np.sqrt(precision), size=(n, len(data)))


def test_the_data_estimate_divides_the_prior_out_of_the_posterior() -> None:
    data, error = np.array([0.8, -0.2, 1.5]), np.array([0.1, 0.3, 0.6])
    centre, spread = np.zeros(3), np.ones(3)
    estimate, found_error = data_estimate(_posterior_draws(data, error, centre, spread), centre, spread)
    # 200,000 draws: the posterior's mean and sd are known to about 0.3%; the difference of
    # precisions amplifies that where the prior holds much of the information (third channel).
    np.testing.assert_allclose(estimate, data, atol=0.02)
    np.testing.assert_allclose(found_error, error, rtol=0.02)


def test_a_channel_the_data_hardly_measure_gives_no_estimate() -> None:
    error = np.array([0.2, 1.0 / np.sqrt(0.5 * MIN_DATA_INFORMATION)])  # the second: a quarter of the prior's
    centre, spread = np.zeros(2), np.ones(2)
    draws = _posterior_draws(np.array([0.5, 0.5]), error, centre, spread)
    estimate, found_error = data_estimate(draws, centre, spread)
    assert np.isfinite(estimate[0]) and np.isfinite(found_error[0])
    assert np.isnan(estimate[1]) and np.isnan(found_error[1])


def test_a_channel_with_a_non_finite_or_constant_draw_gives_no_estimate() -> None:
    draws = np.random.default_rng(1).normal(0.0, 0.1, size=(100, 3))
    draws[5, 0] = np.nan
    draws[:, 1] = 0.3
    estimate, error = data_estimate(draws, np.zeros(3), np.ones(3))
    assert np.isnan(estimate[:2]).all() and np.isnan(error[:2]).all()
    assert np.isfinite(estimate[2]) and np.isfinite(error[2])


def test_between_spread_is_zero_when_the_estimates_agree_within_their_errors() -> None:
    centre, tau, centre_error = between_spread(np.array([1.0, 1.1, 0.9]), np.array([0.2, 0.2, 0.2]))
    assert tau == 0.0
    assert centre == pytest.approx(1.0)
    assert centre_error == pytest.approx(0.2 / np.sqrt(3))


def test_between_spread_equals_the_weighted_deviations_to_their_degrees_of_freedom() -> None:
    estimate, error = np.array([0.0, 1.0, 2.0, 0.5]), np.array([0.1, 0.2, 0.1, 0.3])
    centre, tau, centre_error = between_spread(estimate, error)
    weight = 1 / (error**2 + tau**2)
    assert centre == pytest.approx((weight * estimate).sum() / weight.sum())
    assert (weight * (estimate - centre) ** 2).sum() == pytest.approx(len(estimate) - 1, rel=1e-6)
    assert centre_error == pytest.approx(1 / np.sqrt(weight.sum()))
    # Errors small against the spread of the estimates: tau is about their sample sd.
    assert tau == pytest.approx(np.std(estimate, ddof=1), rel=0.15)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-3, 3), st.floats(0.01, 2.0)),
        min_size=3,
        max_size=10,
    )
)
def test_between_spread_is_a_weighted_mean_and_a_non_negative_spread(pairs: list[tuple[float, float]]) -> None:
    estimate, error = (np.array(v) for v in zip(*pairs, strict=True))
    centre, tau, centre_error = between_spread(estimate, error)
    assert estimate.min() - 1e-9 <= centre <= estimate.max() + 1e-9
    assert tau >= 0 and np.isfinite(tau)
    assert 0 < centre_error <= error.max() + tau + 1e-12


def test_the_learned_prior_replaces_only_the_channels_it_names() -> None:
    config = ModelConfig()
    config = config.model_copy(
        update={"priors": config.priors.model_copy(update={"channel_roi": {"TV": RoiPrior(mean=2.0, spread=0.5)}})}
    )
    learned = LearnedRoiPrior(
        centre=np.log(1.8),
        between=0.25,
        centre_error=0.1,
        spread=0.3,
        channels=("Radio", "Print"),
        informed_by=("TV", "Radio", "YouTube"),
        configured=RoiPrior(),
    )
    applied = learned.apply(config).priors.channel_roi
    assert applied["TV"] == RoiPrior(mean=2.0, spread=0.5)
    assert applied["Radio"].mean == pytest.approx(1.8) and applied["Radio"].spread == 0.3
    assert set(applied) == {"TV", "Radio", "Print"}
    assert learned.to_dict()["roi"] == pytest.approx(1.8)
