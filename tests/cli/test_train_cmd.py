"""`mmm train`'s form options: the choices are the response core's families, and they pin the config;
``--backend`` replaces the config's ``compute.backend``, and a missing Ray is one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli import train_cmd
from mmm_analytics.cli.app import app
from mmm_analytics.cli.train_cmd import CarryoverChoice, SaturationChoice, ScalingChoice, with_backend, with_forms
from mmm_analytics.compute import Backend
from mmm_analytics.config.loader import load_config
from mmm_analytics.errors import InputError
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


@pytest.mark.parametrize("path", ["afile", "nope.txt", ""])
def test_lift_tests_that_are_not_a_csv_name_the_option(tmp_path, path: str) -> None:
    """Before, a traceback (pydantic ValidationError), exit 1; in model_config.yaml the same was one line."""
    with pytest.raises(InputError, match=r"^--lift-tests '.*': should be the path of a \.csv file of lift tests"):
        with_forms(load_config(tmp_path / "none"), None, None, None, lift_tests=Path(path))


@pytest.mark.parametrize("flag", ["--carryover", "--saturation", "--saturation-scaling"])
def test_an_unknown_form_is_one_line_and_exit_code_2(flag: str) -> None:
    result = CliRunner().invoke(app, ["train", flag, "cubic"])
    assert result.exit_code == 2
    assert "cubic" in result.output and len(result.stderr.strip().splitlines()) == 1


def test_choice_options_take_any_letter_case(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, 'WEIBULL', 'Hill', 'LOCAL' or 'BRAND' were "not one of" the choices, while '--settings' and
    '--format' took any case."""
    monkeypatch.chdir(tmp_path)
    args = ["--carryover", "WEIBULL", "--saturation", "Hill", "--saturation-scaling", "Relative"]
    result = CliRunner().invoke(app, ["train", *args, "--backend", "LOCAL", "--split-by", "BRAND"])
    assert result.exit_code == 2
    assert "features.parquet' not found" in result.stderr and "Invalid value" not in result.stderr


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


def test_split_by_sets_the_markets_and_an_unknown_one_is_exit_code_2(tmp_path) -> None:
    config = load_config(tmp_path / "none")
    assert config.model.split_by is None
    split = with_forms(config, None, None, None, split_by="region")
    assert split.model.split_by == "region" and split.model.priors == config.model.priors
    result = CliRunner().invoke(app, ["train", "--split-by", "sku"])
    assert result.exit_code == 2
    assert "sku" in result.output and "brand" in result.output and "region" in result.output


def test_help_shows_the_ray_extra_literally() -> None:
    """Rich markup would swallow the '[ray]' of the install command."""
    result = CliRunner().invoke(app, ["train", "--help"], terminal_width=200)
    assert "mmm-analytics[ray]" in " ".join(result.output.split())
    assert "--split-by" in result.output


def test_a_lift_test_spanning_markets_is_one_line(tmp_path, small_frame) -> None:
    """With --split-by brand, a test over every brand cannot be evidence in one brand's fit."""
    features = _features(tmp_path, small_frame)
    lift = tmp_path / "lift.csv"
    first = pd.to_datetime(small_frame["Date"], format="%m/%d/%Y").min().strftime("%Y-%m-%d")
    lift.write_text(
        "channel,brand,region,start_date,end_date,incremental_sales,standard_error\n"
        f"TV,all,all,{first},{first},100000,10000\n"
    )
    arguments = ["--data", str(features), "--output", str(tmp_path / "model"), "--split-by", "brand"]
    result = CliRunner().invoke(app, ["train", *arguments, "--lift-tests", str(lift), "--epochs", "1"])
    one_error_line(
        result, "lift test 'TV, all brands, all regions", f"({lift}: line 2) spans several brands", "--split-by brand"
    )


@pytest.mark.parametrize("name", ["mmm_data.csv", "clean_panel.parquet"])
def test_a_panel_given_as_data_names_the_option_and_the_file(tmp_path, name: str) -> None:
    """Before, the raw panel CSV was reported as a missing 'mmm_data_meta.json'."""
    panel = tmp_path / name
    if name.endswith(".csv"):
        panel.write_text("Date,Geo\n7/4/2022,A\n")
    else:
        pd.DataFrame({"Date": [0], "Geo": ["A"]}).to_parquet(panel)
    result = CliRunner().invoke(app, ["train", "--data", str(panel), "--output", str(tmp_path / "model")])
    line = one_error_line(
        result, f"--data '{panel}' is not a features file", "features.parquet written by 'mmm features'"
    )
    assert "_meta.json" not in line


def _features(tmp_path: Path, small_frame: pd.DataFrame) -> Path:
    from mmm_analytics.config.loader import load_config as load
    from mmm_analytics.features.panel import build_panel
    from mmm_analytics.features.store import save_panel

    config = load(tmp_path / "none")
    frame = small_frame.copy()
    frame["Date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    features = tmp_path / "features.parquet"
    save_panel(build_panel(frame, config.data, config.features), features, config.features)
    return features


def test_the_features_folder_as_the_model_folder_is_refused_before_training(tmp_path, small_frame) -> None:
    """Before, `mmm train --output data/processed` trained for 40 s, wrote the model there, then stopped on
    "PosixPath('.../features_meta.json') and PosixPath(...) are the same file"."""
    features = _features(tmp_path, small_frame)
    result = CliRunner().invoke(app, ["train", "--data", str(features), "--output", str(tmp_path)])
    line = one_error_line(result, f"--output '{tmp_path}' is the folder of the features file --data")
    assert "PosixPath" not in line and not (tmp_path / "metadata.json").exists()


def test_features_older_than_the_cleaned_panel_are_named(tmp_path, monkeypatch, capsys) -> None:
    """Before, `mmm data --seed 7` then `mmm train` fitted the earlier panel's features without a word.
    Features of an earlier version (no source recorded in their meta file) are compared by time."""
    import os

    from mmm_analytics.cli.common import warn_stale_features
    from mmm_analytics.utils.paths import ProjectPaths

    monkeypatch.chdir(tmp_path)
    paths = ProjectPaths()
    paths.processed_dir.mkdir(parents=True)
    paths.features.write_bytes(b"x")
    paths.clean_panel.write_bytes(b"x")
    os.utime(paths.features, ns=(1_000_000_000, 1_000_000_000))
    warn_stale_features(paths.features)
    said = " ".join(capsys.readouterr().err.split())
    assert "features.parquet' was built from an earlier" in said and "run 'mmm features' first" in said
    os.utime(paths.clean_panel, ns=(1_000_000_000, 1_000_000_000))  # features as new as the panel: nothing said
    warn_stale_features(paths.features)
    assert capsys.readouterr().err == ""


def test_features_built_from_the_current_panel_are_not_named_whatever_the_file_times(
    tmp_path, monkeypatch, capsys, small_frame
) -> None:
    """Before, a project copied with a plain `cp -r` (which may write the features before the cleaned
    panel) was told its features were stale; the features now record the panel's digest."""
    import os

    from mmm_analytics.cli.common import warn_stale_features
    from mmm_analytics.config.loader import load_config
    from mmm_analytics.features.pipeline import build_features
    from mmm_analytics.utils.paths import ProjectPaths

    monkeypatch.chdir(tmp_path)
    paths = ProjectPaths()
    paths.processed_dir.mkdir(parents=True)
    frame = small_frame.assign(Date=pd.to_datetime(small_frame["Date"], format="%m/%d/%Y"))
    frame.to_parquet(paths.clean_panel)
    build_features(paths.clean_panel, paths.features, load_config(tmp_path / "none"))
    os.utime(paths.features, ns=(1_000_000_000, 1_000_000_000))  # older than the panel, as after a copy
    warn_stale_features(paths.features)
    assert capsys.readouterr().err == ""
    frame.assign(Sales_Value=frame["Sales_Value"] * 2).to_parquet(paths.clean_panel)  # `mmm data` again
    os.utime(paths.clean_panel, ns=(1, 1))  # even with the panel older than the features
    warn_stale_features(paths.features)
    said = " ".join(capsys.readouterr().err.split())
    assert "was built from an earlier 'data/processed/clean_panel.parquet'" in said
