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
        # before, both ran with the seed silently unused
        pytest.param(
            ["run", "--seed", "7", "--input", "panel.csv"],
            "--seed seeds the synthetic panel only, and the panel is 'panel.csv'; leave --seed out",
            id="seed-with-a-csv",
        ),
        pytest.param(
            ["run", "--seed", "7", "--steps", "train"],
            "--seed seeds the synthetic panel only, and this run leaves out the data step; leave --seed out",
            id="seed-without-data",
        ),
        pytest.param(
            ["run", "--epochs", "5", "--steps", "data"],
            "--epochs is read by the train step, which this run leaves out; add 'train' or drop --epochs",
            id="epochs-without-train",
        ),
        pytest.param(
            ["run", "--output-dir", "afile"], "--output-dir 'afile' is a file, not a folder", id="run-output-dir-file"
        ),
        pytest.param(
            ["run", "--output-dir", "afile/project"], "'afile' is a file, so nothing", id="run-output-dir-under-file"
        ),
        pytest.param(["benchmark", "--seeds", "1,-2"], "--seeds -2: a seed must be 0 or more", id="benchmark-seed"),
        pytest.param(
            ["run", "--input", "panel.csv", "--source", "kaggle"],
            "--input 'panel.csv' and --source 'kaggle' both name the panel; give one of them",
            id="input-and-source",
        ),
        pytest.param(
            ["benchmark", "--seeds", "1,2,1"], "--seeds: seed 1 is given twice; name each once", id="seed-twice"
        ),
        pytest.param(
            ["benchmark", "--settings", "default,default"],
            "--settings: world 'default' is given twice",
            id="world-twice",
        ),
        pytest.param(["benchmark", "--scale", "24,24"], "--scale: panel size 24 is given twice", id="size-twice"),
        pytest.param(["benchmark", "--scale", "24,0"], "--scale 0: choose sizes among 24, 400", id="size-unknown"),
        pytest.param(
            ["benchmark", "--settings", "Default,default"],
            "--settings: world 'default' is given twice",
            id="world-case",
        ),
        pytest.param(["benchmark", "--settings", "Foo"], "--settings: unknown world 'Foo'", id="world-as-written"),
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


def test_a_data_run_without_training_says_the_model_figures_are_the_earlier_model_s(tmp_path: Path) -> None:
    """Before, 'mmm run --steps data,eda' on a new panel reprinted the earlier model's wMAPE, ROI and
    uplift in its summary, and in summary.html, without a word."""
    from mmm_analytics.cli.run_cmd import earlier_model_note
    from mmm_analytics.utils.paths import ProjectPaths

    paths = ProjectPaths(tmp_path)
    assert earlier_model_note(["data", "eda"], paths) is None  # no model yet: nothing to mistake
    paths.models_dir.mkdir(parents=True)
    (paths.models_dir / "metadata.json").write_text("{}", encoding="utf-8")
    note = earlier_model_note(["data", "eda"], paths)
    assert note is not None and note.startswith("this run prepared the data again but did not train")
    assert earlier_model_note(["data", "eda", "features", "train", "curves"], paths) is None
    assert earlier_model_note(["curves", "simulate"], paths) is None  # the model's own steps: its figures are right


def test_a_run_whose_config_folder_has_no_scenarios_runs_the_default_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mmm run` in an empty folder stopped at once on the missing config/scenarios.yaml."""
    from mmm_analytics.utils.paths import ProjectPaths

    from ..simulator.hand_built import build_params, write_model

    monkeypatch.chdir(tmp_path)
    write_model(ProjectPaths(tmp_path / "out").models_dir, build_params(n_weeks=30))
    result = runner.invoke(app, ["run", "--steps", "simulate,optimize", "--output-dir", "out"])  # no config/ here
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Change refers to it" in said and "--min" not in said  # options 'mmm run' does not have
    assert "note: config/scenarios.yaml not found: the simulate step asked the default scenarios" in said
    assert [path.name for path in tmp_path.glob("out/**/default_scenarios.yaml")] == ["default_scenarios.yaml"]
    assert said.endswith(
        "Open out/outputs/reports/summary.html first: the page to hand to a manager, with a link to every report."
    ), said[-400:]


def test_a_folder_where_the_summary_goes_stops_the_run_before_any_step(tmp_path: Path) -> None:
    """Before, every step ran and only then did the summary find a folder at outputs/reports/summary.html."""
    from tests.cli.checks import one_error_line

    (tmp_path / "outputs" / "reports" / "summary.html").mkdir(parents=True)
    result = CliRunner().invoke(app, ["run", "--output-dir", str(tmp_path)])
    one_error_line(result, "summary.html' is a folder, where this command writes its file; remove or rename it")
    assert not (tmp_path / "data").exists()  # no step ran


@pytest.mark.parametrize(
    "blocked",
    [
        "simulations/optimal_allocation.json",
        "simulations/sensitivity.csv",
        "figures/simulations/sensitivity_optimum.png",
        "reports/roi_report.html",
        "reports/model_report.html",
        "models/response_params.npz",
        "reports/eda_report.html",
    ],
)
def test_a_folder_where_a_later_step_writes_stops_the_run_before_any_step(
    tmp_path: Path, blocked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the data to curves steps ran (minutes on the default panel) before the simulate step found
    a folder at one of its files."""
    from tests.cli.checks import one_error_line

    monkeypatch.chdir(tmp_path)  # short paths: a long one is shortened in the message
    (tmp_path / "outputs" / blocked).mkdir(parents=True)
    result = CliRunner().invoke(app, ["run", "--output-dir", "."])
    one_error_line(
        result, f"{Path(blocked).name}' is a folder, where this command writes its file; remove or rename it"
    )
    assert not (tmp_path / "data").exists()  # no step ran


def test_a_folder_of_a_step_left_out_does_not_stop_the_run(tmp_path: Path) -> None:
    from mmm_analytics.pipeline import planned_outputs
    from mmm_analytics.utils.paths import ProjectPaths

    paths = ProjectPaths(tmp_path)
    assert planned_outputs(["data", "features"], paths) == []
    assert {p.name for p in planned_outputs(["train"], paths)} >= {"model_report.html", "metadata.json"}
    assert {p.name for p in planned_outputs(["optimize"], paths)} == {"optimal_allocation.json"}


def test_the_stale_truth_note_of_a_run_names_the_run_s_option(tmp_path: Path) -> None:
    """Before, 'mmm run' said "use another --output", an option it does not have."""
    first = CliRunner().invoke(app, ["run", "--steps", "data", "--output-dir", str(tmp_path)])
    assert first.exit_code == 0, first.output
    panel = tmp_path / "panel.csv"
    panel.write_bytes((tmp_path / "data" / "raw" / "mmm_data.csv").read_bytes())
    again = CliRunner().invoke(app, ["run", "--steps", "data", "--input", str(panel), "--output-dir", str(tmp_path)])
    assert again.exit_code == 0, again.output
    shown = " ".join(again.output.split())
    assert "is from an earlier synthetic panel" in shown and "use another --output-dir" in shown


@pytest.mark.parametrize(
    ("steps", "fragment"),
    [
        ("train,data", "features.parquet' not found; run 'mmm features' first"),
        ("data,curves", "metadata.json' not found; run 'mmm train' first"),
        ("eda", "clean_panel.parquet' not found; run 'mmm data' first"),
    ],
)
def test_a_step_whose_input_no_run_made_stops_the_run_before_any_step(
    tmp_path: Path, steps: str, fragment: str
) -> None:
    """Before, '--steps train,data' in a new folder ran the data step, then stopped on the missing features."""
    from tests.cli.checks import one_error_line

    result = CliRunner().invoke(app, ["run", "--output-dir", str(tmp_path), "--steps", steps])
    one_error_line(result, fragment)
    assert not (tmp_path / "data").exists()  # no step ran


def test_a_damaged_earlier_file_is_named_once_at_the_end_of_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, the closing table and the warning read one reading of the earlier files: the damaged one is
    named once, and the run ends with exit 0."""
    from mmm_analytics.utils.paths import ProjectPaths

    from ..simulator.hand_built import build_params, write_model

    monkeypatch.chdir(tmp_path)
    paths = ProjectPaths(tmp_path / "out")
    write_model(paths.models_dir, build_params(n_weeks=30))
    paths.reports_dir.mkdir(parents=True)
    (paths.reports_dir / "model_metrics.json").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["run", "--steps", "simulate,optimize", "--output-dir", "out"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert said.count("left out of summary.html:") == 1, said
    assert "model_metrics.json' is damaged (not readable" in said and "run 'mmm train' again to rewrite it" in said
    assert "holdout wMAPE" not in said  # the closing table shows what the page could read
