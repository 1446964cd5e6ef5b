"""The ``mmm`` root: mistakes on the command line itself (an unknown command or option, a value of
the wrong type, a missing value) are one line on stderr and exit code 2, like every other user
error; help, the version and a bare ``mmm`` are unchanged."""

from __future__ import annotations

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
