"""The model's inputs and prior numbers from a feature panel and the config."""

from __future__ import annotations

from mmm_analytics.config.model import HalfLifePrior, ModelConfig, Priors, RoiPrior, SlopePrior
from mmm_analytics.models.inputs import prior_values

CHANNELS = ("TV", "YouTube", "Print")


def test_each_channel_takes_its_own_prior_or_the_shared_one() -> None:
    priors = Priors(
        channel_roi={"Print": RoiPrior(mean=3.0, spread=0.4)},
        channel_half_life={"TV": HalfLifePrior(mean_weeks=6.0, spread=0.3)},
        channel_slope={"YouTube": SlopePrior(mean=1.5, spread=0.2)},
    )
    values = prior_values(ModelConfig(priors=priors), CHANNELS)
    assert values["roi_mean"] == [1.0, 1.0, 3.0] and values["roi_spread"] == [1.0, 1.0, 0.4]
    assert values["half_life_mean"] == [6.0, 2.0, 2.0] and values["half_life_spread"] == [0.3, 1.0, 1.0]
    assert values["slope_mean"] == [1.0, 1.5, 1.0] and values["slope_spread"] == [0.5, 0.2, 0.5]
    assert values["half_saturation_mean"] == [1.0] * 3 and values["weibull_shape_mean"] == [1.5] * 3
    assert values["elasticity_mean"] == 1.0  # a brand's prior, not a channel's


def test_without_own_priors_every_channel_has_the_shared_numbers() -> None:
    values = prior_values(ModelConfig(), CHANNELS)
    for key, value in values.items():
        if isinstance(value, list):
            assert len(value) == len(CHANNELS) and len(set(value)) == 1, key
