"""`mmm features`: unreadable inputs and unwritable outputs are one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from tests.cli.checks import one_error_line

runner = CliRunner()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "panel.csv").write_text("Date,Geo\n")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        pytest.param("adir", "--output 'adir' is a folder; give the path of a file", id="a-folder"),
        pytest.param("afile/f.parquet", "'afile' is a file, so nothing can be written under it", id="under-a-file"),
        pytest.param("/dev/null/f.parquet", "'/dev/null' is not a folder", id="under-dev-null"),
        pytest.param("f" * 4000 + ".parquet", "4,008 characters", id="long-name"),
    ],
)
def test_unwritable_output(project: Path, output: str, fragment: str) -> None:
    one_error_line(runner.invoke(app, ["features", "--input", "panel.csv", "--output", output]), fragment)


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        pytest.param("adir", "'adir' is a folder, not the file; run 'mmm data' first (or pass its path)", id="folder"),
        pytest.param("/dev/null", "'/dev/null' is not a regular file", id="dev-null"),
        pytest.param("nope.parquet", "'nope.parquet' not found; run 'mmm data' first", id="missing"),
    ],
)
def test_input_that_is_not_a_file(project: Path, given: str, fragment: str) -> None:
    one_error_line(runner.invoke(app, ["features", "--input", given]), fragment)


def test_its_own_output_given_as_the_input_names_the_input(project: Path) -> None:
    """Before, it blamed --output ("is the file this command reads")."""
    features = project / "data/processed/features.parquet"
    features.parent.mkdir(parents=True)
    pd.DataFrame({"series_id": [0], "Date": [0], "Geo": ["A"], "Brand": ["B"], "Sales_Value": [1.0]}).to_parquet(
        features
    )
    line = one_error_line(
        runner.invoke(app, ["features", "--input", "data/processed/features.parquet"]),
        "--input 'data/processed/features.parquet' is a features file",
        "give the cleaned panel of 'mmm data'",
    )
    assert "--output" not in line
