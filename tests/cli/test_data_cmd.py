"""`mmm data` through the Typer app: success, and each user error as exit 2 with one line on stderr."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.data import schema
from tests.fingerprint import STORED, assert_same_fingerprint, frame_fingerprint, json_fingerprint

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
    # One week: read, but not fittable, and said so before 'mmm features' refuses it.
    assert "the panel has 1 week of data: it can be explored, but a model needs at least 9" in " ".join(
        result.output.split()
    )
    features = runner.invoke(app, ["features"])
    # the file is named (before: "the panel has 1 week(s)", which file left to guess)
    expected = "'data/processed/clean_panel.parquet' has 1 week of data"
    assert features.exit_code == 2 and expected in " ".join(features.output.split())


def test_fixes_are_listed(project: Path, kaggle_head_path: Path) -> None:
    frame = pd.read_csv(kaggle_head_path, dtype=str, keep_default_na=False).rename(columns={schema.DATE: "Week"})
    frame.loc[3, "CPI"] = ""
    name = "weekly_panel_as_exported_from_the_planning_workbook.csv"  # long enough to pass 80 columns
    frame.to_csv(project / name, index=False)
    result = runner.invoke(app, ["data", "--source", name])
    assert result.exit_code == 0, result.output
    assert "fixed:" in result.stdout and "'Week'" in result.stdout
    # one line per fix at any width (before, rich wrapped them at 80 columns when piped)
    fixes = [line for line in result.stdout.splitlines() if line.startswith("fixed:")]
    assert len(fixes) == 2 and all(len(line) > 80 for line in fixes), fixes


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
        pytest.param(
            "channels:\n  TV: {column: Sales_Value, cpm: 1.2}\n",
            ("data_config.yaml", "channels.TV.column", "'Sales_Value'", "sales column"),
            id="channel_reads_sales",
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


def test_seed_above_what_the_fit_takes(project: Path) -> None:
    """The fit's generators take seeds up to 2**32 - 1; a larger one crashed 'mmm train' half way."""
    result = runner.invoke(app, ["data", "--seed", str(2**32)])
    _assert_user_error(result, f"--seed {2**32}: a seed must be at most {2**32 - 1}")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [("adir", "'adir' is a folder; give a CSV file"), ("/dev/null", "'/dev/null' is not a regular file")],
    ids=["folder", "dev-null"],
)
def test_source_that_is_not_a_file(project: Path, source: str, fragment: str) -> None:
    (project / "adir").mkdir()
    _assert_user_error(runner.invoke(app, ["data", "--source", source]), fragment)


def test_input_and_source_together_are_refused(project: Path, kaggle_head_path: Path) -> None:
    """Before, --input and --source were one option and the last won without a word: 'mmm data --input my.csv
    --source synthetic' wrote the synthetic panel over data/processed and ignored my.csv."""
    result = runner.invoke(app, ["data", "--input", str(kaggle_head_path), "--source", "synthetic"])
    _assert_user_error(result, "both name the panel; give one of them")
    assert not (project / "data" / "processed").exists()
    alone = runner.invoke(app, ["data", "--input", str(kaggle_head_path)])
    assert alone.exit_code == 0, alone.output


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


# ----- synthetic size options and lift tests


def test_size_options_make_a_larger_panel(project: Path) -> None:
    result = runner.invoke(app, ["data", "--geos", "10", "--brands", "4", "--skus", "2", "--weeks", "40"])
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(project / "data/raw/mmm_data.csv")
    assert len(raw) == 10 * 4 * 2 * 40
    assert raw[schema.GEO].nunique() == 10 and "GEO010" in set(raw[schema.GEO])
    assert raw[schema.BRAND].nunique() == 4 and "BrandD" in set(raw[schema.BRAND])
    assert "80" in result.stdout  # series
    assert not (project / "data/raw/lift_tests.csv").exists()


def test_lift_tests_leave_the_default_panel_unchanged(project: Path) -> None:
    (project / "config" / "data_config.yaml").write_text("synthetic:\n  seed: 42\n", encoding="utf-8")
    plain = runner.invoke(app, ["data", "--output", "plain/raw", "--processed-dir", "plain/clean"])
    lifted = runner.invoke(app, ["data", "--lift-tests", "3", "--output", "lift/raw", "--processed-dir", "lift/clean"])
    assert plain.exit_code == 0 and lifted.exit_code == 0, lifted.output
    assert (project / "plain/raw/mmm_data.csv").read_bytes() == (project / "lift/raw/mmm_data.csv").read_bytes()
    assert_same_fingerprint(frame_fingerprint(pd.read_csv(project / "lift/raw/mmm_data.csv")), STORED["cli"]["frame"])
    truth = (project / "lift/raw/ground_truth.json").read_text(encoding="utf-8")
    assert_same_fingerprint(json_fingerprint(truth), STORED["cli"]["truth"])
    for name in ("raw/data_dictionary.json", "clean/cleaning_report.json", "clean/outliers.csv"):
        assert (project / "plain" / name).read_bytes() == (project / "lift" / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(project / "plain/clean/clean_panel.parquet"),
        pd.read_parquet(project / "lift/clean/clean_panel.parquet"),
    )
    assert not (project / "plain/raw/lift_tests.csv").exists()
    tests = pd.read_csv(project / "lift/raw/lift_tests.csv")
    assert list(tests.columns) == [
        "channel",
        "brand",
        "region",
        "start_date",
        "end_date",
        "incremental_sales",
        "standard_error",
    ]
    assert len(tests) == 3 and "lift_tests.csv" in lifted.stdout
    dates = set(pd.to_datetime(pd.read_csv(project / "lift/raw/mmm_data.csv")[schema.DATE], format="%m/%d/%Y"))
    assert set(pd.to_datetime(tests.start_date)) <= dates and set(pd.to_datetime(tests.end_date)) <= dates


def test_lift_tests_from_the_config(project: Path) -> None:
    (project / "config" / "data_config.yaml").write_text(SMALL_CONFIG + "  lift_tests: 2\n", encoding="utf-8")
    assert runner.invoke(app, ["data"]).exit_code == 0
    assert len(pd.read_csv(project / "data/raw/lift_tests.csv")) == 2


def test_a_new_synthetic_panel_without_lift_tests_removes_the_old_ones(project: Path) -> None:
    """Before, seed 1's lift_tests.csv stayed beside seed 7's panel with no word."""
    assert runner.invoke(app, ["data", "--seed", "1", "--lift-tests", "2"]).exit_code == 0
    again = runner.invoke(app, ["data", "--seed", "7"])
    assert again.exit_code == 0, again.output
    assert not (project / "data/raw/lift_tests.csv").exists()
    assert "removed data/raw/lift_tests.csv" in " ".join(again.stdout.split())


def test_a_csv_into_a_synthetic_folder_names_its_stale_lift_tests(project: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["data", "--lift-tests", "2"]).exit_code == 0
    panel = shutil.copy(project / "data/raw/mmm_data.csv", tmp_path / "my.csv")
    result = runner.invoke(app, ["data", "--source", str(panel)])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "data/raw/ground_truth.json and data/raw/lift_tests.csv are from an earlier synthetic panel" in shown
    assert shown.endswith("use another --output") or "use another --output " in shown


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--geos", "0"], "--geos 0: give a whole number of 1 or more", id="no_geos"),
        pytest.param(["--brands", "-2"], "--brands -2: give a whole number of 1 or more", id="negative_brands"),
        pytest.param(["--skus", "0"], "--skus 0: give a whole number of 1 or more", id="no_skus"),
        pytest.param(["--weeks", "12"], "--weeks 12: give a whole number of 40 or more", id="few_weeks"),
        pytest.param(["--lift-tests", "-1"], "--lift-tests -1: give a whole number of 0 or more", id="negative_tests"),
        pytest.param(
            ["--source", "kaggle", "--geos", "20"],
            "--geos applies to --source synthetic only, but --source is 'kaggle'",
            id="not_synthetic",
        ),
        pytest.param(
            ["--source", "kaggle", "--seed", "3"],
            "--seed applies to --source synthetic only, but --source is 'kaggle'",
            id="seed_not_synthetic",
        ),
        pytest.param(["--geos", "many"], None, id="not_a_number"),
        # before, tracebacks: numpy's ArrayMemoryError, and OverflowError from the dates
        pytest.param(
            ["--geos", "100000000"],
            "--geos: 100,000,000 geos x 2 brands x 1 SKUs x 60 weeks make 12,000,000,000 rows, more than the 5,000,000",
            id="rows_beyond_memory",
        ),
        pytest.param(  # the options that set the size, not every option given
            ["--lift-tests", "2", "--geos", "100000000"],
            "error: --geos: 100,000,000 geos x",
            id="names_the_size_options",
        ),
        pytest.param(
            ["--weeks", "100000000", "--geos", "2"],
            "--geos, --weeks: 100,000,000 weeks from 2022-07-04 run past 2200-12-31",
            id="weeks_past_the_dates",
        ),
    ],
)
def test_bad_size_option_is_exit_2_with_one_line(project: Path, args: list[str], fragment: str | None) -> None:
    result = runner.invoke(app, ["data", *args])
    if fragment is None:  # a value of the wrong type: the command line's own check, one line as well
        _assert_user_error(result, "Invalid value for '--geos'")
        assert "see 'mmm data --help'" in result.stderr
    else:
        _assert_user_error(result, fragment)
    assert not (project / "data").exists()


def test_bad_synthetic_size_in_the_config(project: Path) -> None:
    (project / "config" / "data_config.yaml").write_text("synthetic:\n  n_geos: 0\n", encoding="utf-8")
    _assert_user_error(runner.invoke(app, ["data"]), "data_config.yaml", "n_geos")


def test_help_documents_the_size_options_with_an_example() -> None:
    result = runner.invoke(app, ["data", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    for option in ("--geos", "--brands", "--skus", "--weeks", "--lift-tests"):
        assert option in result.stdout
    assert "--geos 200 --brands 20 --skus 1" in " ".join(result.stdout.split())


def test_a_quoted_home_folder_in_a_path_is_the_home_folder(
    project: Path, kaggle_head_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, '~/panel.csv' and '--output ~/raw' (quoted, so the shell left the '~') were read as a
    folder named '~' in the working folder: 'not found', or files written under './~'."""
    home = project / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    shutil.copy(kaggle_head_path, home / "panel.csv")
    result = runner.invoke(app, ["data", "--source", "~/panel.csv", "--output", "~/raw"])
    assert result.exit_code == 0, result.output
    assert (home / "raw/mmm_data.csv").read_bytes() == kaggle_head_path.read_bytes()
    assert not (project / "~").exists()


@pytest.mark.parametrize("content", ["", "\n# every setting left out\n\n"])
def test_an_empty_data_config_is_named(project: Path, content: str) -> None:
    """Before, a 0-byte data_config.yaml (a failed save) gave the built-in defaults, CPMs included, without a word."""
    (project / "config" / "data_config.yaml").write_text(content)
    result = runner.invoke(app, ["data", "--geos", "1", "--brands", "1", "--skus", "1", "--weeks", "40"])
    assert result.exit_code == 0, result.output
    warning = " ".join(result.stderr.split())
    assert (
        "warning: 'config/data_config.yaml' is empty: every data setting is the built-in default, the CPMs" in warning
    )


def test_a_data_config_with_settings_is_not_named_empty(project: Path) -> None:
    result = runner.invoke(app, ["data"])
    assert result.exit_code == 0, result.output
    assert "is empty" not in result.stderr
