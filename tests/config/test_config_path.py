"""`--config` takes the config folder or one YAML file of it (the other settings from beside it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mmm_analytics.config import load_config
from mmm_analytics.config.loader import CONFIG_FILES, config_folder, config_kind, load_config_path
from mmm_analytics.errors import InputError

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped config folder with a feature file that differs from the defaults."""
    target = tmp_path / "config"
    target.mkdir()
    for name in CONFIG_FILES:
        shutil.copy(REPO_CONFIG / name, target / name)
    (target / "feature_config.yaml").write_text("granularity: geo_brand_sku\nmax_lag: 8\n")
    return target


def test_a_folder_loads_as_before(folder: Path) -> None:
    assert load_config_path(folder) == load_config(folder, required=True, complete=True)


def test_a_file_replaces_its_kind_and_the_others_come_from_beside_it(folder: Path, tmp_path: Path) -> None:
    (folder / "model_config.yaml").write_text("seed: 7\n")
    config = load_config_path(folder / "model_config.yaml", default_dir=tmp_path / "nowhere")
    assert config.model.seed == 7
    assert config.features.max_lag == 8  # feature_config.yaml beside it
    assert config.data == load_config(REPO_CONFIG).data


def test_a_lone_file_takes_the_rest_from_the_default_folder(folder: Path, tmp_path: Path) -> None:
    lone = tmp_path / "elsewhere" / "my_model.yml"
    lone.parent.mkdir()
    lone.write_text("seed: 11\n")
    config = load_config_path(lone, default_dir=folder)
    assert config.model.seed == 11 and config.features.max_lag == 8


@pytest.mark.parametrize(
    ("name", "default", "kind"),
    [
        pytest.param("model_config.yaml", None, "model_config.yaml", id="exact"),
        pytest.param("my_features.yml", None, "feature_config.yaml", id="word"),
        pytest.param("prod.yaml", "model_config.yaml", "model_config.yaml", id="command-default"),
        pytest.param("data_model.yaml", "viz_config.yaml", "viz_config.yaml", id="ambiguous-default"),
    ],
)
def test_config_kind(name: str, default: str | None, kind: str) -> None:
    assert config_kind(Path(name), default) == kind


def test_a_file_of_unknown_kind_is_refused(tmp_path: Path) -> None:
    (tmp_path / "prod.yaml").write_text("seed: 1\n")
    with pytest.raises(InputError, match=r"--config '.*prod.yaml': cannot tell which settings it holds; name it"):
        load_config_path(tmp_path / "prod.yaml")


def test_a_file_read_as_the_commands_kind_says_so_when_it_does_not_fit(folder: Path, tmp_path: Path) -> None:
    """``mmm data --config my.yaml`` with a model config said only "unknown key 'seed'"."""
    lone = tmp_path / "my.yaml"
    lone.write_text("seed: 1\n")
    with pytest.raises(InputError, match=r"unknown key 'seed'.*so it was read as data_config.yaml; put data_config"):
        load_config_path(lone, kind="data_config.yaml", default_dir=folder)
    assert load_config_path(lone, kind="model_config.yaml", default_dir=folder).model.seed == 1
    named = tmp_path / "my_data.yaml"
    named.write_text("seed: 1\n")
    with pytest.raises(InputError, match=r"unknown key 'seed'; remove it or check its spelling$"):
        load_config_path(named, kind="model_config.yaml", default_dir=folder)


def test_a_mistyped_file_suggests_the_close_name(folder: Path) -> None:
    with pytest.raises(InputError, match=r"model_confg.yaml' not found; did you mean '.*model_config.yaml'\?"):
        load_config_path(folder / "model_confg.yaml")


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="is neither a folder nor a YAML file"):
        load_config_path(tmp_path / "notes.txt")


def test_a_bad_key_in_the_file_names_the_file(folder: Path) -> None:
    (folder / "model_config.yaml").write_text("sead: 7\n")
    with pytest.raises(InputError, match=r"model_config.yaml: unknown key 'sead'"):
        load_config_path(folder / "model_config.yaml")


def test_config_folder_of_a_file_is_its_parent(folder: Path) -> None:
    assert config_folder(folder / "model_config.yaml") == folder
    assert config_folder(folder) == folder
