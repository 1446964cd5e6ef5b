"""`mmm run` and `mmm benchmark`: option mistakes are one line and exit 2, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["run", "--seed", "-3"], "--seed -3: a seed must be 0 or more", id="run-negative-seed"),
        pytest.param(
            ["run", "--output-dir", "afile"], "--output-dir 'afile' is a file, not a folder", id="run-output-dir-file"
        ),
        pytest.param(
            ["run", "--output-dir", "afile/project"], "'afile' is a file, so nothing", id="run-output-dir-under-file"
        ),
        pytest.param(["benchmark", "--seeds", "1,-2"], "--seeds -2: a seed must be 0 or more", id="benchmark-seed"),
        pytest.param(
            ["benchmark", "--seeds", "1,2,1"], "--seeds: seed 1 is given twice; name each once", id="seed-twice"
        ),
        pytest.param(
            ["benchmark", "--settings", "default,default"],
            "--settings: world 'default' is given twice",
            id="world-twice",
        ),
        pytest.param(["benchmark", "--scale", "24,24"], "--scale: panel size 24 is given twice", id="size-twice"),
        pytest.param(
            ["run", "--input", "nope.csv", "--steps", "eda"],
            "--input is read by the data step, which this run leaves out",
            id="input-without-data-step",
        ),
        pytest.param(
            ["benchmark", "--output", "/dev/null"], "--output '/dev/null' is not a folder", id="benchmark-out"
        ),
    ],
)
def test_option_mistakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing was written
