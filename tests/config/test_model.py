"""model_config.yaml model: form, priors, training and downstream settings."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from mmm_analytics.config.loader import load_config, parse_settings
from mmm_analytics.config.model import BaselineKind, ModelConfig
from mmm_analytics.errors import InputError
from mmm_analytics.response.saturation import SaturationFamily


def test_defaults() -> None:
    config = ModelConfig()
    assert config.saturation == "auto" and config.carryover == "auto" and config.baseline is BaselineKind.LINEAR
    assert config.saturation_family() is SaturationFamily.HILL and config.saturation_scaling == "learned"
    assert config.max_lag == 16 and config.priors.weight == 1.0
    assert config.intervals.level == 0.9 and config.priors.shrinkage.brand_sd == 0.5


def test_choices_parse_from_text() -> None:
    config = ModelConfig.model_validate({"saturation": "sigmoid", "baseline": "dense"})
    assert config.saturation is SaturationFamily.SIGMOID and config.baseline is BaselineKind.DENSE


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"saturation": "cubic"}, "saturation"),
        ({"max_lag": -1}, "max_lag"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": 0}, "learning_rate"),
        # 1e300 made Adam's first step NaN, and training_log.csv a row of nan.
        ({"learning_rate": 1e300}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"intervals": {"level": 1.0}}, "level"),
        ({"priors": {"weight": -1}}, "weight"),
        ({"priors": {"channel_roi": {"TV": {"mean": -2}}}}, "mean"),
        ({"priors": {"channel_half_life": {"TV": {"mean_weeks": 0}}}}, "mean_weeks"),
        ({"priors": {"channel_slope": {"TV": {"spread": -1}}}}, "spread"),
        ({"priors": {"channel_half_saturation": {"TV": {"median": 1}}}}, "median"),
        ({"early_stopping": {"patience": 0}}, "patience"),
        ({"baseline": "tree"}, "baseline"),
        # 1e300 overflowed the prior's precision (a traceback in training), 1e-300 divided by zero.
        ({"priors": {"shrinkage": {"series_sd": 1e300}}}, "series_sd"),
        ({"priors": {"shrinkage": {"series_sd": 1e-300}}}, "series_sd"),
        ({"priors": {"shrinkage": {"series_sd": float("inf")}}}, "series_sd"),
        # Below 0.5 every channel "moves together" and nothing could be reallocated.
        ({"simulator": {"hold_split_correlation": 0.1}}, "hold_split_correlation"),
        # Each epoch holds steps_per_epoch copies of the inputs: 1e10 was a MemoryError traceback.
        ({"steps_per_epoch": 10_000_000_000}, "steps_per_epoch"),
        ({"epochs": 10**9}, "epochs"),
        # A log-sd of 1e-300 overflowed the prior's precision: raw overflow warnings, then "training diverged".
        ({"priors": {"roi": {"spread": 1e-300}}}, "spread"),
        ({"priors": {"channel_slope": {"TV": {"spread": 1e300}}}}, "spread"),
    ],
    ids=[
        "unknown_saturation",
        "negative_max_lag",
        "zero_epochs",
        "zero_learning_rate",
        "huge_learning_rate",
        "infinite_learning_rate",
        "level_one",
        "negative_prior_weight",
        "negative_channel_roi_mean",
        "zero_channel_half_life",
        "negative_channel_slope_spread",
        "unknown_key_in_a_channel_prior",
        "zero_patience",
        "unknown_baseline",
        "huge_series_sd",
        "tiny_series_sd",
        "infinite_series_sd",
        "hold_split_below_half",
        "huge_steps_per_epoch",
        "huge_epochs",
        "tiny_roi_spread",
        "huge_slope_spread",
    ],
)
def test_bad_values_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        ModelConfig.model_validate(raw)


def test_lift_tests_default_to_none_and_take_a_csv_path() -> None:
    assert ModelConfig().lift_tests is None
    config = ModelConfig.model_validate({"lift_tests": "data/lift_tests.CSV"})
    assert config.lift_tests == Path("data/lift_tests.CSV")
    assert ModelConfig.model_validate(config.model_dump()).lift_tests == config.lift_tests  # CLI overrides round-trip


@pytest.mark.parametrize(
    "value", ["", "data/lift_tests.xlsx", "data/", 3, ["a.csv"]], ids=["empty", "excel", "folder", "number", "list"]
)
def test_lift_tests_must_be_a_csv_path(value: object) -> None:
    with pytest.raises(pydantic.ValidationError, match="lift_tests"):
        ModelConfig.model_validate({"lift_tests": value})


def test_lift_tests_error_names_the_file_and_key(tmp_path: Path) -> None:
    from mmm_analytics.config.loader import load_config

    (tmp_path / "model_config.yaml").write_text("lift_tests: experiments.txt\n", encoding="utf-8")
    with pytest.raises(InputError, match="model_config.yaml: key 'lift_tests': .*a .csv file of lift tests"):
        load_config(tmp_path)


def test_shipped_config_has_no_lift_tests() -> None:
    from mmm_analytics.config.loader import load_config

    assert load_config(Path(__file__).resolve().parents[2] / "config").model.lift_tests is None


def test_a_lift_tests_path_may_start_at_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # before, '~/tests.csv' was looked for in a folder named '~'
    assert ModelConfig.model_validate({"lift_tests": "~/tests.csv"}).lift_tests == tmp_path / "tests.csv"


@pytest.mark.parametrize("value", [None, 5, ["geometric"]])
def test_a_form_that_is_not_text_names_every_choice(tmp_path: Path, value: object) -> None:
    """Before: "key 'carryover.str-enum[CarryoverFamily]': Input should be 'beta_gamma', 'geometric' or 'weibull'",
    pydantic's inner name in the key and 'auto' left out."""
    with pytest.raises(InputError) as raised:
        parse_settings(ModelConfig, {"carryover": value}, tmp_path / "model_config.yaml")
    message = str(raised.value)
    assert "model_config.yaml: key 'carryover'" in message
    assert "should be one of auto, beta_gamma, geometric, weibull" in message
    assert ("has no value" in message) == (value is None)


def test_every_saturation_family_is_a_candidate_by_default_and_in_the_shipped_config() -> None:
    """Before, the concave sigmoid (tanh, the usual 'logistic saturation' of other MMM tools) was not
    among the candidates, so a panel with that shape was fitted as Hill or the S-shaped logistic."""
    shipped = load_config(Path(__file__).resolve().parents[2] / "config").model.selection
    assert ModelConfig().selection.saturation == shipped.saturation
    assert set(shipped.saturation) == set(SaturationFamily)
    assert ModelConfig().selection.saturation[0] is SaturationFamily.HILL  # the default a challenger must beat


def test_draws_widen_for_drifting_residuals_by_default_and_in_the_shipped_config() -> None:
    """The option and the shipped config agree; a config may turn it off."""
    shipped = load_config(Path(__file__).resolve().parents[2] / "config").model.intervals
    assert ModelConfig().intervals.autocorrelation is True and shipped.autocorrelation is True
    assert ModelConfig.model_validate({"intervals": {"autocorrelation": False}}).intervals.autocorrelation is False


@pytest.mark.parametrize("kind", ["carryover", "saturation"])
def test_a_candidate_form_listed_twice_names_the_key(tmp_path: Path, kind: str) -> None:
    """Before, 'selection.carryover: [weibull, weibull]' was taken as it stood: a form fitted and scored twice."""
    form = "weibull" if kind == "carryover" else "hill"
    (tmp_path / "model_config.yaml").write_text(f"selection:\n  {kind}: [{form}, {form}]\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=rf"key 'selection\.{kind}': {form} is listed more than once; list each form once"
    ):
        load_config(tmp_path)
