"""What a person sees: examples in every --help, flags shown as flags, progress bars, plain step names,
one allocation table per `mmm run`, and a run summary of the files that run wrote."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mmm_analytics.cli import common, progress
from mmm_analytics.cli.app import COMMANDS, app
from mmm_analytics.cli.curves_cmd import FigureFormat
from mmm_analytics.cli.curves_cmd import step_times as curve_times
from mmm_analytics.cli.train_cmd import step_times as train_times
from tests.simulator.hand_built import build_params, write_model

runner = CliRunner()
REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"
WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)], ids=lambda c: " ".join(c) or "mmm")
def test_every_help_has_examples_and_no_bool_placeholder(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Examples" in result.stdout and "mmm " in result.stdout.split("Examples")[1]
    assert "<bool>" not in result.stdout


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["simulate"], "--export  "),
        (["simulate"], "--no-export"),
        (["simulate"], "--interactive"),
        (["eda"], "--link-figures"),
        (["eda"], "--embed-figures"),
        (["run"], "--all"),
        ([], "--no-debug"),
    ],
)
def test_boolean_options_are_flags(command: list[str], flag: str) -> None:
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert flag in result.stdout


def test_figure_format_matches_the_renderer() -> None:
    from mmm_analytics.curves.render import FigureFormat as Rendered

    assert [f.value for f in FigureFormat] == [f.value for f in Rendered]


def test_training_summary_names_each_step_in_plain_words() -> None:
    rows = dict(train_times({"adam": 8.14, "polish": 3.2, "intervals": 1.04, "total": 12.5, "evaluation": 4.0}))
    assert rows == {
        "fit (gradient steps)": "8.1 s",
        "refinement to the best fit": "3.2 s",
        "intervals": "1.0 s",
        "evaluation, report and figures": "4.0 s",
        "total": "16.5 s",
    }
    assert not any(name.startswith("time:") for name in rows)


def test_curves_summary_names_each_step_in_plain_words() -> None:
    text = curve_times({"curves": 3.1, "roi": 0.44, "tables": 0.2, "figures": 20.0, "report": 1.0, "total": 25.0})
    assert text == (
        "curves and intervals 3.1 s, ROI and marginal ROI 0.4 s, tables 0.2 s, figures 20.0 s, report 1.0 s"
    )


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The progress bars drawn on a terminal whose output is kept."""
    screen = io.StringIO()
    monkeypatch.setattr(progress, "console", Console(file=screen, force_terminal=True, width=160))
    return screen


def test_training_bar_shows_each_epoch_and_the_objective(terminal: io.StringIO) -> None:
    with progress.epoch_bar() as advance:
        advance(1, 30, 1234.5678)
        advance(2, 30, 987.6)
        advance(2, 2, 987.6)  # the epochs ended (early stopping): the rest of the training runs
    screen = terminal.getvalue()
    assert "fit (gradient steps): epoch 1 of at most 30, objective 1235" in screen
    assert "epoch 2 of at most 30, objective 987.6" in screen
    assert progress.AFTER_FIT in screen


def test_bars_write_nothing_where_the_output_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A log or pipe got a blank line per bar, so an error line came after an empty one."""
    log = io.StringIO()
    monkeypatch.setattr(progress, "console", Console(file=log, force_terminal=False, width=160))
    with progress.figure_bar() as advance:
        advance(40, 157)
    with progress.epoch_bar() as epoch:
        epoch(1, 30, 1234.5)
    assert log.getvalue() == ""


def test_curves_bar_advances_per_figure_batch(terminal: io.StringIO) -> None:
    with progress.figure_bar() as advance:
        advance(40, 157)
        advance(157, 157)
    screen = terminal.getvalue()
    assert "figures (157 in all)" in screen and " 40/157" in screen and progress.CURVES_LAST in screen


def test_simulation_bar_counts_the_optimisations(terminal: io.StringIO) -> None:
    """Before, `mmm simulate` showed one spinner and no count for the whole run."""
    with progress.simulation_bar() as advance:
        advance("each brand x region's own plan (100 in all)", 37, 125)
        advance("efficiency frontier (20 budgets)", 110, 125)
    screen = terminal.getvalue()
    assert "simulation: each brand x region's own plan (100 in all)" in screen and " 37/125" in screen
    assert "simulation: efficiency frontier (20 budgets)" in screen and "110/125" in screen


@pytest.fixture()
def model_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a trained (hand-built) model, its scenarios, and a stale report."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(common.console, "_width", 250)
    write_model(tmp_path / "outputs" / "models", build_params(n_weeks=30))
    config = tmp_path / "myconfig"
    config.mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml", "viz_config.yaml"):
        shutil.copy(REPO_CONFIG / name, config / name)
    (config / "scenarios.yaml").write_text("scenarios:\n  - name: now\n  - name: no_tv\n    spend: {TV: 0}\n")
    (tmp_path / "outputs" / "reports").mkdir(parents=True)
    (tmp_path / "outputs" / "reports" / "stale_from_earlier.csv").write_text("a\n1\n")
    return tmp_path


def test_run_shows_one_allocation_table_and_lists_only_its_files(model_project: Path) -> None:
    result = runner.invoke(app, ["run", "--steps", "simulate,optimize", "--config", "myconfig"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Advised allocation:") == 1
    assert out.index("Advised allocation:") > out.index("Step 2/2: optimize")  # shown by the optimize step
    summary = out[out.index("Pipeline summary") :]
    assert "stale_from_earlier.csv" not in summary and "outputs/models" not in summary
    assert f"wrote in {Path('outputs') / 'simulations'}" in summary and "optimal_allocation.json" in summary
    assert "simulation_report.html" in summary


def test_a_model_trained_on_other_data_is_named(model_project: Path) -> None:
    """Before, after 'mmm data' on another panel, curves and advice came from the old model without a word."""
    import json

    meta = {"channels": ["TV", "YouTube", "Facebook"], "vocabularies": {"brand": ["BrandA"]}, "scalers": {"a": 1}}
    (model_project / "outputs" / "models" / "features_meta.json").write_text(json.dumps(meta))
    processed = model_project / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "features_meta.json").write_text(json.dumps(meta))
    same = runner.invoke(app, ["optimize", "--config", "myconfig"])
    assert same.exit_code == 0 and "trained on other data" not in same.output
    (processed / "features_meta.json").write_text(json.dumps(meta | {"vocabularies": {"brand": ["MarqueA"]}}))
    other = runner.invoke(app, ["optimize", "--config", "myconfig"])
    assert other.exit_code == 0, other.output
    assert "trained on other data than 'data/processed/features_meta.json' now describes (brands, regions or SKUs" in (
        " ".join(other.stderr.split())
    )
    # A model elsewhere (trained from another features file, or in another project) is not compared.
    shutil.copytree(model_project / "outputs" / "models", model_project / "elsewhere")
    apart = runner.invoke(app, ["optimize", "--config", "myconfig", "--model", "elsewhere"])
    assert apart.exit_code == 0 and "trained on other data" not in apart.output


def test_ctrl_c_is_one_line_naming_what_may_be_part_written(
    model_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, Ctrl-C in 'mmm train' printed a blank line; the model folder then mixed two runs without a word."""
    from mmm_analytics.simulator import MarketingSimulator

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(MarketingSimulator, "optimize_budget", interrupted)
    result = runner.invoke(app, ["optimize", "--config", "myconfig"])
    assert result.exit_code == 130
    assert " ".join(result.stderr.split()).endswith(  # after the hand-built model's warning of no Keras file
        "interrupted (Ctrl-C); --output 'outputs/simulations/optimal_allocation.json' may hold files of this run "
        "beside an earlier run's: run the command again"
    )


def test_run_without_optimize_shows_the_batch_optimum(model_project: Path) -> None:
    result = runner.invoke(app, ["run", "--steps", "simulate", "--config", "myconfig/model_config.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Advised allocation:") == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--all", "--steps", "data"], "--all runs every step; leave out --steps", id="all-and-steps"),
        pytest.param(["--all", "--skip", "eda"], "--all runs every step", id="all-and-skip"),
        pytest.param(["--dataset", "owner/name", "--input", "my.csv"], "--dataset names a Kaggle", id="dataset-csv"),
        pytest.param(["--dataset", "nonsense"], "--dataset 'nonsense': give a Kaggle dataset", id="bad-dataset"),
        # before, an empty --input ran the synthetic panel over the project's data, exit 0
        pytest.param(["--steps", "data", "--input", ""], "--input is empty; give synthetic, kaggle", id="empty-input"),
        pytest.param(["--steps", "data", "--source", " "], "--source is empty", id="blank-source"),
    ],
)
def test_run_option_mistakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []
