"""`mmm report`: the summary page from the files of steps run one by one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli import common
from mmm_analytics.cli.app import app
from tests.simulator.hand_built import build_params, write_model

runner = CliRunner()
REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a trained (hand-built) model and its config, no later step run yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(common.console, "_width", 250)
    write_model(tmp_path / "outputs" / "models", build_params(n_weeks=30))
    shutil.copytree(REPO_CONFIG, tmp_path / "config")
    return tmp_path


def test_the_page_is_written_from_the_steps_run_one_by_one(project: Path) -> None:
    """Before, only `mmm run` wrote summary.html: after `mmm optimize` and the rest there was no page to hand on."""
    assert runner.invoke(app, ["optimize"]).exit_code == 0
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    page = project / "outputs" / "reports" / "summary.html"
    text = page.read_text()
    assert "What does the recommended reallocation bring?" in text and "Run &#39;mmm optimize&#39;" not in text
    assert "optimiser uplift (same budget)" in result.stdout and "summary.html" in result.stdout
    # The parts of the steps not run yet are named, with the commands that add them.
    assert "what mmm curves, mmm simulate would add; run mmm curves and mmm simulate first" in " ".join(
        result.stderr.split()
    )


def test_a_later_step_of_an_earlier_model_is_left_out_and_named(project: Path) -> None:
    assert runner.invoke(app, ["optimize"]).exit_code == 0
    plan = project / "outputs" / "simulations" / "optimal_allocation.json"
    write_model(project / "outputs" / "models", build_params(n_weeks=30, seed=4))  # trained again since
    later = plan.stat().st_mtime + 60
    os.utime(plan, (later, later))  # the model, not the file's time, decides
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert (
        "Left out of summary.html: the advice (mmm optimize), made from the model before the one trained last" in said
    )
    assert "optimiser uplift" not in result.stdout
    text = (project / "outputs" / "reports" / "summary.html").read_text()
    assert "What does the recommended reallocation bring?" not in text


def test_a_project_copied_without_its_file_times_keeps_its_later_steps(project: Path) -> None:
    """Before, a later step's file older than the model was an earlier model's: a project copied (or
    restored) file by file, whose times follow the copy, lost its advice from the page."""
    assert runner.invoke(app, ["optimize"]).exit_code == 0
    plan = project / "outputs" / "simulations" / "optimal_allocation.json"
    metadata = project / "outputs" / "models" / "metadata.json"
    os.utime(plan, (metadata.stat().st_mtime - 60, metadata.stat().st_mtime - 60))
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    assert "Left out" not in " ".join(result.stderr.split()) and "optimiser uplift" in result.stdout


def test_a_damaged_file_is_named_once_not_also_as_a_step_to_run(project: Path) -> None:
    """A damaged channel_roi.csv was named, and then 'mmm curves' was also listed as a step not run yet."""
    assert runner.invoke(app, ["curves"]).exit_code == 0
    (project / "outputs" / "reports" / "channel_roi.csv").write_bytes(b"")
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "channel_roi.csv' is damaged (empty); run 'mmm curves' again to rewrite it" in said
    assert "what mmm optimize, mmm simulate would add" in said and "mmm curves would add" not in said


@pytest.mark.parametrize("content", [b'{"brand": "all", "weekly', b"", b"[]"], ids=["cut-short", "empty", "a-list"])
def test_a_damaged_advice_file_is_named_not_asked_for(project: Path, content: bytes) -> None:
    """Before, a cut-short optimal_allocation.json read "what mmm optimize, mmm simulate would add; run mmm optimize
    and mmm simulate first", of a file that was there."""
    assert runner.invoke(app, ["optimize"]).exit_code == 0
    (project / "outputs" / "simulations" / "optimal_allocation.json").write_bytes(content)
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "optimal_allocation.json' is damaged (" in said and "run 'mmm optimize' again to rewrite it" in said
    assert "mmm optimize would add" not in said and "mmm optimize, " not in said


def test_a_later_step_of_a_version_that_recorded_no_model_is_judged_by_its_time(project: Path) -> None:
    import json

    assert runner.invoke(app, ["optimize"]).exit_code == 0
    plan = project / "outputs" / "simulations" / "optimal_allocation.json"
    written = json.loads(plan.read_text())
    del written["model_digest"]
    plan.write_text(json.dumps(written))
    metadata = project / "outputs" / "models" / "metadata.json"
    os.utime(plan, (metadata.stat().st_mtime - 60, metadata.stat().st_mtime - 60))
    result = runner.invoke(app, ["report"])
    assert "the advice (mmm optimize), made from the model before" in " ".join(result.stderr.split())


def test_a_model_trained_on_other_data_is_named(project: Path) -> None:
    """Before, curves, optimize and simulate warned after 'mmm data' and 'mmm features' were re-run on
    another panel without 'mmm train'; 'mmm report' wrote the page without a word."""
    import json

    processed = project / "data" / "processed"
    processed.mkdir(parents=True)
    (project / "outputs" / "models" / "features_meta.json").write_text(json.dumps({"cpm": {"TV": 1.2}}))
    (processed / "features_meta.json").write_text(json.dumps({"cpm": {"TV": 2.4}}))
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "was trained on other data than" in said and "(CPMs differ)" in said and "re-run 'mmm train'" in said


def test_without_a_model_it_says_which_command_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no trained model under {Path('outputs') / 'models'} to report on: run 'mmm train' (or 'mmm run') first"
    ]
