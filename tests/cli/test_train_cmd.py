"""`mmm train`'s form options: the choices are the response core's families, and they pin the config."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.cli.train_cmd import CarryoverChoice, SaturationChoice, ScalingChoice, with_forms
from mmm_analytics.config.loader import load_config
from mmm_analytics.response.carryover import CARRYOVER_FORMS
from mmm_analytics.response.saturation import SATURATION_FORMS, SaturationScaling


def test_choices_are_auto_and_every_registered_family() -> None:
    assert {c.value for c in CarryoverChoice} == {"auto", *(f.value for f in CARRYOVER_FORMS)}
    assert {c.value for c in SaturationChoice} == {"auto", *(f.value for f in SATURATION_FORMS)}
    assert {c.value for c in ScalingChoice} == {s.value for s in SaturationScaling}


def test_options_pin_the_forms_and_leave_the_rest_of_the_config(tmp_path) -> None:
    config = load_config(tmp_path / "none")
    pinned = with_forms(config, "weibull", "logistic", "absolute")
    assert pinned.model.is_pinned and pinned.model.carryover == "weibull" and pinned.model.saturation == "logistic"
    assert pinned.model.saturation_scaling == "absolute" and pinned.model.priors == config.model.priors
    half = with_forms(config, "weibull", None, None)
    assert half.model.carryover == "weibull" and half.model.saturation == "auto" and not half.model.is_pinned
    assert with_forms(config, None, None, None) is config


@pytest.mark.parametrize("flag", ["--carryover", "--saturation", "--saturation-scaling"])
def test_an_unknown_form_is_one_line_and_exit_code_2(flag: str) -> None:
    result = CliRunner().invoke(app, ["train", flag, "cubic"])
    assert result.exit_code == 2
    assert "cubic" in result.output
