"""The ``mmm`` root: mistakes on the command line itself (an unknown command or option, a value of
the wrong type, a missing value) are one line on stderr and exit code 2, like every other user
error; help, the version and a bare ``mmm`` are unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(["trian"], ["No such command 'trian'", "Did you mean 'train'? See 'mmm --help'"], id="command"),
        pytest.param(["data", "--bogus"], ["No such option: --bogus", "see 'mmm data --help'"], id="option"),
        pytest.param(
            ["train", "--carryover", "bogus"],
            ["Invalid value for '--carryover': 'bogus' is not one of 'auto'", "see 'mmm train --help'"],
            id="choice",
        ),
        pytest.param(["data", "--seed", "abc"], ["Invalid value for '--seed'", "valid integer"], id="integer"),
        pytest.param(
            ["optimize", "--brand"],
            ["Option '--brand' requires an argument; see 'mmm optimize --help'"],
            id="missing_value",
        ),
        pytest.param(["--debug"], ["Missing command; see 'mmm --help'"], id="no_command"),
        pytest.param(["data", "extra"], ["unexpected extra argument", "(extra)"], id="extra_argument"),
        # an empty path read as the current folder: `mmm eda --output ""` drew its figures into the project root
        pytest.param(["eda", "--output", ""], ["'--output' / '-o': the path is empty"], id="empty_output"),
        pytest.param(["train", "--reports="], ["'--reports': the path is empty"], id="empty_reports"),
        pytest.param(["eda", "-o", ""], ["'--output' / '-o': the path is empty"], id="empty_short"),
    ],
)
def test_a_command_line_mistake_is_one_line_and_exit_2(args: list[str], fragments: list[str]) -> None:
    """Before, each printed a usage line, a hint and a boxed error (five lines or more)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Usage" not in result.output and "Value error" not in lines[0]


def test_bare_mmm_still_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage: mmm" in result.output and "train" in result.output


@pytest.mark.parametrize("args", [["--version"], ["data", "--help"]], ids=lambda a: " ".join(a))
def test_help_and_version_exit_0(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and result.stderr == ""


MMM = Path(sys.executable).parent / "mmm"


def _mmm(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MMM), *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=120, errors="replace"
    )


def test_columns_0_still_prints_help_and_errors() -> None:
    """Before, COLUMNS=0 made every message and the help print nothing at all (exit 2 in silence)."""
    assert "Usage: mmm" in _mmm(["--help"], COLUMNS="0").stdout
    failed = _mmm(["data", "--bogus"], COLUMNS="0")
    assert failed.returncode == 2 and failed.stderr.startswith("error: No such option: --bogus")


def test_an_ascii_only_output_prints_its_table_not_a_traceback(tmp_path: Path) -> None:
    """Before, PYTHONIOENCODING=ascii ended a run that had written its files with a UnicodeEncodeError
    at the first character ASCII lacks (here Rich's ellipsis in a narrow table), exit 1."""
    result = subprocess.run(
        [str(MMM), "data", "--source", "synthetic", "--geos", "1", "--brands", "1", "--skus", "1", "--weeks", "40"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "40"},
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode("ascii", "replace")
    assert b"Rows" in result.stdout and result.stderr == b""
    result.stdout.decode("ascii")  # nothing but ASCII was written


@pytest.mark.parametrize("args", [["--help"], []], ids=["help", "bare"])
def test_the_root_help_prints_on_an_ascii_only_narrow_output(tmp_path: Path, args: list[str]) -> None:
    """Before, 'mmm --help' at 20-40 columns with PYTHONIOENCODING=ascii ended in a UnicodeEncodeError on
    Rich's ellipsis: the root's help printed before the callback that lets ASCII streams write '?'."""
    result = subprocess.run(
        [str(MMM), *args],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "20"},
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == (0 if args else 2), result.stderr.decode("ascii", "replace")
    assert b"Traceback" not in result.stderr and b"Usage" in result.stdout + result.stderr
    (result.stdout + result.stderr).decode("ascii")  # nothing but ASCII was written


def test_the_env_file_of_the_folder_the_command_runs_in_is_read(tmp_path: Path) -> None:
    """The Kaggle error says to put credentials in .env, but the .env beside the user's data was never read
    (the search started from the package's own folder)."""
    (tmp_path / ".env").write_text("MMM_PROBE_FROM_DOTENV=yes\n", encoding="utf-8")
    code = (
        "import os, sys\nsys.argv = ['mmm', '--version']\nfrom mmm_analytics.cli import app\n"
        "try:\n    app.main()\nexcept SystemExit:\n    pass\nprint(os.environ.get('MMM_PROBE_FROM_DOTENV'))"
    )
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "probe.py").write_text(code, encoding="utf-8")  # a script, as the console entry is
    env = {k: v for k, v in os.environ.items() if k != "MMM_PROBE_FROM_DOTENV"}
    result = subprocess.run(
        [sys.executable, str(tmp_path / "bin" / "probe.py")], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.stdout.strip().splitlines()[-1] == "yes", result.stderr


def test_an_env_file_that_is_not_utf8_is_named_not_a_traceback(tmp_path: Path) -> None:
    """A Latin-1 .env in the working folder ended every command, `mmm --help` too, in a UnicodeDecodeError."""
    (tmp_path / ".env").write_bytes(b"FOO=caf\xe9\n")
    mmm = Path(sys.executable).with_name("mmm")
    result = subprocess.run([str(mmm), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "not read (not UTF-8 text); its variables are not set" in " ".join(result.stderr.split())


def test_figures_are_drawn_by_agg_whatever_mplbackend_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """MPLBACKEND=bogus in the environment ended `mmm eda` and `mmm curves` in matplotlib's traceback."""
    monkeypatch.setenv("MPLBACKEND", "bogus")
    result = runner.invoke(app, ["data", "--help"])
    assert result.exit_code == 0 and os.environ["MPLBACKEND"] == "Agg"


def test_only_an_option_s_last_value_before_a_double_dash_counts_as_empty() -> None:
    from mmm_analytics.cli.app import _given_empty

    assert _given_empty(["--output", "", "--output", "x"]) == set()  # the last value wins, as Click reads it
    assert _given_empty(["--output", "x", "--output="]) == {"--output"}
    assert _given_empty(["--", "--output="]) == set()  # after --, an argument, not an option
    assert _given_empty(["-o", ""]) == {"-o"}


def test_a_reader_that_stops_early_lets_the_command_finish(tmp_path: Path) -> None:
    """`mmm optimize | head -3` ended the command at its first line after head left, exit 1 and nothing
    said; a command still working then (a training run) stopped halfway. Here the reader leaves before
    the first line: the command still writes its files and exits 0."""
    args = ["data", "--source", "synthetic", "--geos", "1", "--brands", "1", "--skus", "1", "--weeks", "40"]
    process = subprocess.Popen(
        [str(MMM), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=os.environ.copy()
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader leaves at once
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode(errors="replace")
    assert stderr == b""
    assert (tmp_path / "data" / "processed" / "clean_panel.parquet").is_file()
