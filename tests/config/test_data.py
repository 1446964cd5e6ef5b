"""data_config.yaml model: channels with a CPM or a spend column, bounds, defaults."""

from __future__ import annotations

import pydantic
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import (
    ChannelSpec,
    DataConfig,
    OutlierMethod,
    SyntheticSetting,
)


def test_default_channels_follow_the_published_columns() -> None:
    config = DataConfig()
    assert {name: spec.column for name, spec in config.channels.items()} == {
        "TV": "TV_Impressions",
        "YouTube": "YouTube_Impressions",
        "Facebook": "Facebook_Impressions",
        "Instagram": "Instagram_Impressions",
        "Print": "Print_Readership",
        "Radio": "Radio_Listenership",
    }
    assert all(spec.cpm is not None and spec.cpm > 0 for spec in config.channels.values())
    assert config.holdout_weeks == 13


def test_default_channels_are_the_default_channel_table() -> None:
    assert DataConfig().channel_table() == Channels.default()


def test_channel_table_prices_spend_columns_at_one_thousand() -> None:
    config = DataConfig(
        channels={
            "TV": ChannelSpec(column="TV_Impressions", cpm=1.5),
            "Search": ChannelSpec(column="Search_Clicks", spend_column="Search_Spend"),
            "Cinema": ChannelSpec(column="Cinema_Admissions", cpm=9.0, spend_column="Cinema_Spend"),
        }
    )
    table = config.channel_table()
    assert table.names == ("TV", "Search", "Cinema")
    assert table.cpm == (1.5, 1000.0, 1000.0)
    assert table.spend_column == (None, "Search_Spend", "Cinema_Spend")
    assert table.input_columns == ("TV_Impressions", "Search_Spend", "Cinema_Spend")


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"column": "TV_Impressions"}, "give either 'cpm'"),
        ({"column": "TV_Impressions", "cpm": -1.0}, "greater than 0"),
        ({"column": "TV_Impressions", "cpm": 1.0, "cost": 2.0}, "cost"),
    ],
    ids=["neither_cpm_nor_spend", "negative_cpm", "unknown_key"],
)
def test_bad_channel_specs(spec: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        ChannelSpec.model_validate(spec)


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"synthetic": {"n_geos": 9}}, "n_geos"),
        ({"synthetic": {"n_weeks": 10}}, "n_weeks"),
        ({"cleaning": {"outliers": {"method": "zscore"}}}, "method"),
        ({"synthetic": {"setting": "wild"}}, "setting"),
    ],
    ids=["too_many_geos", "too_few_weeks", "unknown_outlier_method", "unknown_setting"],
)
def test_nested_bounds_and_choices(raw: dict, key: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        DataConfig.model_validate(raw)


def test_choices_parse_from_text() -> None:
    config = DataConfig.model_validate({"cleaning": {"outliers": {"method": "iqr"}}, "synthetic": {"setting": "noisy"}})
    assert config.cleaning.outliers.method is OutlierMethod.IQR
    assert config.synthetic.setting is SyntheticSetting.NOISY
