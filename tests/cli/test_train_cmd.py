"""`mmm train`'s form options: the choices are the response core's families, and they pin the config;
``--backend`` replaces the config's ``compute.backend``, and a missing Ray is one line."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli import train_cmd
from mmm_analytics.cli.app import app
from mmm_analytics.cli.train_cmd import CarryoverChoice, SaturationChoice, ScalingChoice, with_backend, with_forms
from mmm_analytics.compute import Backend
from mmm_analytics.config.loader import load_config
from mmm_analytics.response.carryover import CARRYOVER_FORMS
from mmm_analytics.response.saturation import SATURATION_FORMS, SaturationScaling
from tests.cli.checks import one_error_line


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


def test_backend_option_replaces_the_configs_and_leaves_the_rest(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[bool] = []
    monkeypatch.setattr(train_cmd, "require_ray", lambda: checked.append(True))
    config = load_config(tmp_path / "none")
    assert config.model.compute.backend == Backend.LOCAL
    assert with_backend(config, None) is config and checked == []
    on_ray = with_backend(config, Backend.RAY)
    assert on_ray.model.compute.backend == Backend.RAY and checked == [True]
    assert on_ray.model.with_backend(Backend.LOCAL) == config.model and on_ray.data is config.data
    assert with_backend(on_ray, Backend.LOCAL).model == config.model and checked == [True]


def test_backend_ray_without_ray_is_one_line_saying_how_to_install_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # ``import ray`` now raises ImportError
    features = tmp_path / "features.parquet"
    features.write_bytes(b"")
    result = CliRunner().invoke(
        app, ["train", "--data", str(features), "--output", str(tmp_path / "model"), "--backend", "ray"]
    )
    one_error_line(result, "--backend ray", "pip install 'mmm-analytics[ray]'")


def test_an_unknown_backend_is_exit_code_2_naming_the_choices() -> None:
    result = CliRunner().invoke(app, ["train", "--backend", "dask"])
    assert result.exit_code == 2
    assert "dask" in result.output and "local" in result.output and "ray" in result.output
