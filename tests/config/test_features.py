"""feature_config.yaml model: granularity, lag window, fixed transforms per channel."""

from __future__ import annotations

import pydantic
import pytest

from mmm_analytics.config.features import FeatureConfig, FixedTransform, Granularity


def test_defaults() -> None:
    config = FeatureConfig()
    assert config.granularity is Granularity.GEO_BRAND
    assert (config.max_lag, config.fourier_order) == (16, 3)
    assert config.fixed_transform == FixedTransform(carryover_beta=0.6, retention=0.5, half_saturation=1.0, slope=1.0)


def test_channel_override_falls_back_to_the_shared_transform() -> None:
    config = FeatureConfig.model_validate({"channel_transforms": {"TV": {"retention": 0.7}}})
    assert config.transform_for("TV").retention == 0.7
    assert config.transform_for("TV").carryover_beta == 0.6
    assert config.transform_for("Radio") == config.fixed_transform


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"max_lag": -1}, "max_lag"),
        ({"max_lag": 53}, "max_lag"),
        ({"fourier_order": -1}, "fourier_order"),
        ({"fixed_transform": {"half_saturation": 0}}, "half_saturation"),
        ({"fixed_transform": {"slope": -1}}, "slope"),
        ({"granularity": "geo"}, "granularity"),
    ],
    ids=[
        "negative_max_lag",
        "max_lag_above_a_year",
        "negative_fourier_order",
        "zero_half_saturation",
        "negative_slope",
        "unknown_granularity",
    ],
)
def test_bad_values_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        FeatureConfig.model_validate(raw)
