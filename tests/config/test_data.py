"""data_config.yaml model: channels with a CPM or a spend column, bounds, validation limits, defaults."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.config import load_config
from mmm_analytics.config.data import (
    ChannelSpec,
    DataConfig,
    OutlierMethod,
    SyntheticSetting,
    ValidationSettings,
)
from mmm_analytics.errors import InputError


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
        ({"column": "TV_Impressions", "cpm": 1e300}, "above 1e\\+07"),
    ],
    ids=["neither_cpm_nor_spend", "negative_cpm", "unknown_key", "huge_cpm"],
)
def test_bad_channel_specs(spec: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        ChannelSpec.model_validate(spec)


@pytest.mark.parametrize("name", ["TV=x", " ", "TV\n"], ids=["equals", "blank", "newline"])
def test_a_channel_name_the_command_line_cannot_take_is_refused(name: str) -> None:
    """``"TV=x"`` was accepted, then ``--min "TV=x=5"`` read the amount as 'x=5': never limitable."""
    spec = {"column": "TV_Impressions", "cpm": 1.2}
    with pytest.raises(pydantic.ValidationError, match="cannot be used on the command line"):
        DataConfig.model_validate({"channels": {name: spec}})
    assert DataConfig.model_validate({"channels": {"TV 2": spec}}).channel_table().names == ("TV 2",)


@pytest.mark.parametrize("name", ["base", "Price", " date ", "SKU", "region"])
def test_a_channel_named_like_another_output_column_is_refused_on_loading(name: str) -> None:
    """Before, such a name passed data, eda and features and stopped ``mmm train`` after the fit."""
    spec = {"column": "TV_Impressions", "cpm": 1.2}
    with pytest.raises(pydantic.ValidationError, match=rf"channel name '{name}' is taken by other columns"):
        DataConfig.model_validate({"channels": {name: spec}})


def test_channel_names_that_differ_only_in_case_are_refused() -> None:
    """Before, 'TV' and 'tv' passed mmm data and mmm features, though names are matched whatever their case."""
    channels = {"TV": {"column": "TV_Impressions", "cpm": 1.2}, "tv": {"column": "Radio_Listenership", "cpm": 0.5}}
    with pytest.raises(pydantic.ValidationError, match="channel names 'TV' and 'tv' differ only in case"):
        DataConfig.model_validate({"channels": channels})


def test_the_reserved_names_cover_the_decomposition_table_s_other_columns() -> None:
    from mmm_analytics.channels import RESERVED_NAMES
    from mmm_analytics.models.decomposition import KEY_COLUMNS, NON_MEDIA_PARTS

    assert {*KEY_COLUMNS, *NON_MEDIA_PARTS, "sku", "actual", "predicted"} <= set(RESERVED_NAMES)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("1066-10-14", r"'start_date' 1066-10-14 is outside 1900-2200; pick a start date"),
        ("2199-06-01", r"156 weeks from 2199-06-01 run past 2200-12-31; at most 83 weeks fit"),
    ],
    ids=["too_early", "weeks_run_past_2200"],
)
def test_a_synthetic_start_date_outside_the_readable_years_names_the_key(start: str, message: str) -> None:
    """1066-10-14 was accepted; the data step then refused the panel it had just written, naming that file."""
    with pytest.raises(pydantic.ValidationError, match=message):
        DataConfig.model_validate({"synthetic": {"start_date": start}})
    assert DataConfig.model_validate({"synthetic": {"start_date": "2199-06-01", "n_weeks": 83}})


@pytest.mark.parametrize(
    ("synthetic", "message"),
    [
        ({"n_weeks": 100_000_000}, r"100,000,000 weeks from 2022-07-04 run past 2200-12-31; at most 9,314 weeks fit"),
        ({"n_geos": 100_000_000}, r"make 140,400,000,000 rows, more than the 5,000,000 a synthetic panel may have"),
    ],
    ids=["weeks-past-the-dates", "rows-beyond-memory"],
)
def test_a_synthetic_panel_too_big_to_make_is_refused_with_its_size(synthetic: dict, message: str) -> None:
    """Before, a traceback: OverflowError (date value out of range) or numpy's 116 GiB ArrayMemoryError."""
    with pytest.raises(pydantic.ValidationError, match=message):
        DataConfig.model_validate({"synthetic": synthetic})
    assert DataConfig.model_validate({"synthetic": {"n_geos": 5_000_000 // (3 * 3 * 156)}})


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"synthetic": {"n_geos": 0}}, "n_geos"),
        ({"synthetic": {"n_brands": -1}}, "n_brands"),
        ({"synthetic": {"n_skus": 0}}, "n_skus"),
        ({"synthetic": {"n_weeks": 10}}, "n_weeks"),
        ({"synthetic": {"lift_tests": -3}}, "lift_tests"),
        ({"synthetic": {"seed": -1}}, "seed"),
        ({"cleaning": {"outliers": {"method": "zscore"}}}, "method"),
        ({"synthetic": {"setting": "wild"}}, "setting"),
    ],
    ids=[
        "no_geos",
        "negative_brands",
        "no_skus",
        "too_few_weeks",
        "negative_lift_tests",
        "negative_seed",
        "unknown_outlier_method",
        "unknown_setting",
    ],
)
def test_nested_bounds_and_choices(raw: dict, key: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        DataConfig.model_validate(raw)


def test_synthetic_size_has_no_upper_cap() -> None:
    config = DataConfig.model_validate({"synthetic": {"n_geos": 200, "n_brands": 20, "n_skus": 5, "lift_tests": 12}})
    sizes = config.synthetic
    assert (sizes.n_geos, sizes.n_brands, sizes.n_skus, sizes.lift_tests) == (200, 20, 5, 12)
    assert DataConfig().synthetic.lift_tests == 0


def test_choices_parse_from_text() -> None:
    config = DataConfig.model_validate({"cleaning": {"outliers": {"method": "iqr"}}, "synthetic": {"setting": "noisy"}})
    assert config.cleaning.outliers.method is OutlierMethod.IQR
    assert config.synthetic.setting is SyntheticSetting.NOISY


# ----- physics: finite CPMs, one column per channel, plausible bounds
@pytest.mark.parametrize("cpm", [float("inf"), float("-inf"), float("nan")], ids=["inf", "minus_inf", "nan"])
def test_a_cpm_must_be_finite(cpm: float) -> None:
    with pytest.raises(pydantic.ValidationError, match="finite number"):
        ChannelSpec(column="TV_Impressions", cpm=cpm)


def test_an_infinite_cpm_in_the_yaml_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "data_config.yaml").write_text("channels:\n  TV: {column: TV_Impressions, cpm: .inf}\n")
    with pytest.raises(InputError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'data_config.yaml'}: key 'channels.TV.cpm': ")
    assert "finite number" in message and "\n" not in message


@pytest.mark.parametrize(
    ("channels", "both", "column"),
    [
        (
            {"TV": {"column": "TV_Impressions", "cpm": 1.2}, "TV2": {"column": "TV_Impressions", "cpm": 2.0}},
            ("'TV'", "'TV2'"),
            "column 'TV_Impressions'",
        ),
        (
            {
                "Search": {"column": "Search_Clicks", "spend_column": "Digital_Spend"},
                "Display": {"column": "Display_Views", "spend_column": "Digital_Spend"},
            },
            ("'Search'", "'Display'"),
            "spend_column 'Digital_Spend'",
        ),
        (
            {
                "Radio": {"column": "Radio_Listenership", "cpm": 0.6},
                "Audio": {"column": "Audio_Plays", "spend_column": "Radio_Listenership"},
            },
            ("'Audio'", "'Radio'"),
            "'Radio_Listenership'",
        ),
    ],
    ids=["same_exposure_column", "same_spend_column", "spend_column_is_an_exposure_column"],
)
def test_two_channels_may_not_share_a_column(channels: dict, both: tuple[str, str], column: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        DataConfig.model_validate({"channels": channels})
    message = str(caught.value)
    assert all(name in message for name in both) and column in message


def test_validation_bounds_default_to_a_trillion_and_match_the_shipped_yaml() -> None:
    bounds = DataConfig().validation
    assert bounds == ValidationSettings()
    assert bounds.max_weekly_exposure == bounds.max_weekly_spend_inr == 1e12
    assert load_config(Path(__file__).parents[2] / "config").data.validation == bounds


@pytest.mark.parametrize("value", [0.0, -1.0, float("inf"), float("nan")], ids=["zero", "negative", "inf", "nan"])
def test_validation_bounds_must_be_finite_and_positive(value: float) -> None:
    with pytest.raises(pydantic.ValidationError, match="max_weekly_exposure"):
        DataConfig.model_validate({"validation": {"max_weekly_exposure": value}})
