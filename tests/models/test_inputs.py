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


def test_weeks_whose_sales_were_filled_in_are_neither_trained_on_nor_held_out(noiseless_panel) -> None:
    """Before, the masks covered every week: the cleaning's copies of a neighbour's sales were fitted and scored."""
    import dataclasses

    import numpy as np

    from mmm_analytics.models.inputs import model_inputs

    from .conftest import fast_config, to_feature_panel

    panel = to_feature_panel(noiseless_panel, fast_config())
    observed = np.ones(panel.sales.shape, dtype=bool)
    observed[0, :30] = False  # a series that starts 30 weeks late
    observed[1, -2:] = False  # and one that stops 2 weeks early, inside the holdout
    inputs = model_inputs(dataclasses.replace(panel, sales_observed=observed))
    n_train = panel.n_train_weeks
    assert inputs.train_mask[0, :30].sum() == 0 and inputs.train_mask[0, 30:n_train].all()
    assert inputs.holdout_mask[1, -2:].sum() == 0 and inputs.holdout_mask[1, n_train:-2].all()
    assert inputs.train_mask.sum() == panel.sales.size - panel.holdout_weeks * len(panel.geo) - 30
    assert not (inputs.train_mask * inputs.holdout_mask).any()
    full = model_inputs(panel)
    assert full.train_mask.sum() + full.holdout_mask.sum() == panel.sales.size
