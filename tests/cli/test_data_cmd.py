"""`mmm data` through the Typer app: success, and each user error as exit 2 with one line on stderr."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.data import schema

runner = CliRunner()
SMALL_CONFIG = """\
synthetic:
  seed: 9
  n_geos: 2
  n_brands: 2
  n_skus: 1
  n_weeks: 60
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the current directory, with a small synthetic config in config/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "data_config.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    return tmp_path


def _bad_csv(kaggle_head_path: Path, folder: Path, how: str) -> Path:
    frame = pd.read_csv(kaggle_head_path, dtype=str, keep_default_na=False)
    match how:
        case "renamed":
            frame = frame.rename(columns={"TV_Impressions": "TV_Impresions"})
        case "text":
            frame.loc[4, "TV_Impressions"] = "lots"
        case "duplicate":
            frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    path = folder / f"{how}.csv"
    frame.to_csv(path, index=False)
    return path


def _assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_synthetic_with_default_paths(project: Path) -> None:
    result = runner.invoke(app, ["data", "--source", "synthetic"])
    assert result.exit_code == 0, result.output
    for name in (
        "data/raw/mmm_data.csv",
        "data/raw/ground_truth.json",
        "data/raw/data_dictionary.json",
        "data/processed/clean_panel.parquet",
        "data/processed/cleaning_report.json",
        "data/processed/outliers.csv",
    ):
        assert (project / name).is_file(), name
    assert "240" in result.stdout and "Files written" in result.stdout
    assert list(pd.read_csv(project / "data/raw/mmm_data.csv").columns) == list(schema.ALL_COLUMNS)


def test_output_seed_and_processed_dir_options(project: Path) -> None:
    result = runner.invoke(
        app, ["data", "--output", "elsewhere/raw", "--processed-dir", "elsewhere/clean", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert (project / "elsewhere/raw/mmm_data.csv").is_file()
    assert (project / "elsewhere/clean/clean_panel.parquet").is_file()
    assert '"seed": 4' in (project / "elsewhere/raw/ground_truth.json").read_text(encoding="utf-8")


def test_fixture_csv_validates_and_cleans(project: Path, kaggle_head_path: Path) -> None:
    result = runner.invoke(app, ["data", "--source", str(kaggle_head_path)])
    assert result.exit_code == 0, result.output
    assert (project / "data/raw/mmm_data.csv").read_bytes() == kaggle_head_path.read_bytes()
    assert len(pd.read_parquet(project / "data/processed/clean_panel.parquet")) == 18


def test_fixes_are_listed(project: Path, kaggle_head_path: Path) -> None:
    frame = pd.read_csv(kaggle_head_path, dtype=str, keep_default_na=False).rename(columns={schema.DATE: "Week"})
    frame.loc[3, "CPI"] = ""
    frame.to_csv(project / "week.csv", index=False)
    result = runner.invoke(app, ["data", "--source", "week.csv"])
    assert result.exit_code == 0, result.output
    assert "fixed:" in result.stdout and "'Week'" in result.stdout


@pytest.mark.parametrize(
    ("how", "fragments"),
    [
        pytest.param("renamed", ("renamed.csv", "column 'TV_Impressions'", "'TV_Impresions'"), id="renamed_column"),
        pytest.param("text", ("text.csv", "column 'TV_Impressions'", "'lots'"), id="text_in_tv"),
        pytest.param("duplicate", ("duplicate.csv", "columns Date, Geo, Brand, SKU", "duplicate"), id="duplicated_row"),
    ],
)
def test_bad_csv_is_exit_2_with_one_line(
    project: Path, kaggle_head_path: Path, how: str, fragments: tuple[str, ...]
) -> None:
    path = _bad_csv(kaggle_head_path, project, how)
    _assert_user_error(runner.invoke(app, ["data", "--source", str(path)]), *fragments)
    assert not (project / "data").exists()


def test_missing_file(project: Path) -> None:
    _assert_user_error(runner.invoke(app, ["data", "--source", "nowhere/panel.csv"]), "'nowhere/panel.csv' not found")


@pytest.mark.parametrize(
    ("yaml_text", "fragments"),
    [
        pytest.param("cleaning:\n  impute: cubic\n", ("data_config.yaml", "cleaning.impute", "cubic"), id="bad_choice"),
        pytest.param("holdout_weeks: -2\n", ("data_config.yaml", "holdout_weeks"), id="negative"),
        pytest.param(
            "cleaning:\n  outliers:\n    columns: [Sales]\n",
            ("cleaning.outliers.columns", "'Sales'"),
            id="unknown_outlier_column",
        ),
    ],
)
def test_bad_config_value(project: Path, yaml_text: str, fragments: tuple[str, ...]) -> None:
    (project / "config" / "data_config.yaml").write_text(yaml_text, encoding="utf-8")
    _assert_user_error(runner.invoke(app, ["data"]), *fragments)


def test_missing_config_dir(project: Path) -> None:
    _assert_user_error(runner.invoke(app, ["data", "--config-dir", "nope"]), "config folder 'nope' not found")


def test_kaggle_without_credentials_suggests_synthetic(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(project / "no-kaggle"))
    result = runner.invoke(app, ["data", "--source", "kaggle"])
    _assert_user_error(result, "no Kaggle credentials", "--source synthetic")


def test_help_describes_every_option() -> None:
    result = runner.invoke(app, ["data", "--help"])
    assert result.exit_code == 0
    for option in ("--source", "--output", "--processed-dir", "--seed", "--kaggle-json", "--config-dir"):
        assert option in result.stdout


LONG_NAME = "x" * 4000


@pytest.mark.parametrize(
    ("option", "value", "fragments"),
    [
        pytest.param("--output", "afile/raw", ("--output 'afile/raw'", "'afile' is a file"), id="under-a-file"),
        pytest.param("--output", "afile", ("--output 'afile' is a file, not a folder",), id="a-file"),
        pytest.param("--output", "/dev/null", ("--output '/dev/null' is not a folder",), id="dev-null"),
        pytest.param("--output", "/dev/null/raw", ("'/dev/null' is not a folder",), id="under-dev-null"),
        pytest.param("--output", LONG_NAME, ("--output 'xxxx", "4,000 characters", "shorter path"), id="long-name"),
        pytest.param("--processed-dir", "afile/clean", ("--processed-dir 'afile/clean'",), id="processed-dir"),
    ],
)
def test_unwritable_output_is_exit_2_with_one_line(
    project: Path, option: str, value: str, fragments: tuple[str, ...]
) -> None:
    (project / "afile").write_text("not a folder\n", encoding="utf-8")
    _assert_user_error(runner.invoke(app, ["data", option, value]), *fragments)
    assert not (project / "data").exists()


def test_negative_seed(project: Path) -> None:
    _assert_user_error(runner.invoke(app, ["data", "--seed", "-1"]), "--seed -1: a seed must be 0 or more")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [("adir", "'adir' is a folder; give a CSV file"), ("/dev/null", "'/dev/null' is not a regular file")],
    ids=["folder", "dev-null"],
)
def test_source_that_is_not_a_file(project: Path, source: str, fragment: str) -> None:
    (project / "adir").mkdir()
    _assert_user_error(runner.invoke(app, ["data", "--source", source]), fragment)


def test_semicolon_separated_file(project: Path, kaggle_head_path: Path) -> None:
    lines = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    (project / "semi.csv").write_text("\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")
    _assert_user_error(
        runner.invoke(app, ["data", "--source", "semi.csv"]),
        "semi.csv: the file looks semicolon-separated",
        "save it as comma-separated",
    )


def test_named_config_folder_without_data_config(project: Path) -> None:
    (project / "mine").mkdir()
    for name in ("feature_config.yaml", "model_config.yaml", "viz_config.yaml"):
        (project / "mine" / name).write_text("", encoding="utf-8")
    _assert_user_error(
        runner.invoke(app, ["data", "--config-dir", "mine"]), "config folder 'mine' has no data_config.yaml"
    )
    assert not (project / "data").exists()


def test_debug_shows_the_traceback_and_keeps_exit_code_2(project: Path) -> None:
    result = runner.invoke(app, ["--debug", "data", "--source", "nowhere/panel.csv"])
    assert result.exit_code == 2, result.output
    assert "Traceback" in result.stderr and "InputError" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "error: 'nowhere/panel.csv' not found; pass the path of a CSV in the panel schema or use --source synthetic"
    )


@pytest.mark.parametrize("name", ["a[/]b.csv", "[bold]x.csv"], ids=["closing-tag", "style-tag"])
def test_markup_in_a_path_is_shown_as_written(project: Path, name: str) -> None:
    _assert_user_error(runner.invoke(app, ["data", "--source", name]), f"'{name}' not found")
