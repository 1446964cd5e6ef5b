"""`mmm optimize` and `mmm simulate` (batch) through the Typer app; user errors exit 2 with one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.optimizer import JSON_KEYS
from mmm_analytics.style.numbers import grouped
from tests.cli.checks import one_error_line

from ..simulator.hand_built import build_params, steady_history, two_channel_draws, write_model

runner = CliRunner()
#: How the CLI opens the cautious advice at the default confidence (simulator.advice_confidence).
CAUTIOUS_ADVICE = (
    "Cautious advice: the recommendation is the plan whose uplift is largest at "
    f"{SimulatorSettings().advice_confidence:.0%} confidence, the uplift it exceeds in "
    f"{SimulatorSettings().advice_confidence:.0%} of posterior draws"
)


def _keras_stand_in(folder: Path) -> None:
    """A small archive shaped like a .keras file (curves, simulate and optimize never load it)."""
    with zipfile.ZipFile(folder / "mmm_model.keras", "w") as archive:
        for name in ("metadata.json", "config.json", "model.weights.h5"):
            archive.writestr(name, "{}")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_model(tmp_path_factory.mktemp("cli_model"), build_params(n_weeks=30))
    _keras_stand_in(folder)
    return folder


def test_an_output_over_the_model_or_the_scenarios_is_refused(model: Path, tmp_path: Path) -> None:
    """Before, both were written over (exit 0), and the next run said the model or the YAML was damaged."""
    metadata = (model / "metadata.json").read_bytes()
    result = runner.invoke(app, ["optimize", "--model", str(model), "--output", str(model / "metadata.json")])
    one_error_line(result, f"--output '{model / 'metadata.json'}' is in '{model}', which this command reads")
    keras = str(model / "mmm_model.keras")  # the model named by its .keras file: the folder is still read
    result = runner.invoke(app, ["optimize", "--model", keras, "--output", str(model / "metadata.json")])
    one_error_line(result, f"is in '{model}', which this command reads")
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: now\n")
    result = runner.invoke(
        app, ["simulate", "--model", str(model), "--scenarios", str(scenarios), "--report", str(scenarios)]
    )
    one_error_line(result, "is a .yaml file that exists, and this writes .html: it would be replaced")
    assert (model / "metadata.json").read_bytes() == metadata and scenarios.read_text().startswith("scenarios:")


def test_the_menu_with_standard_input_closed_is_one_line(model: Path, tmp_path: Path) -> None:
    """Before, `mmm simulate -i <&-` ended in a traceback (input(): lost sys.stdin), exit 1."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mmm"), "simulate", "--model", str(model), "--interactive"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "error: --interactive needs answers on standard input, which is closed; run it in a terminal"
    )


def test_optimize_writes_exact_json(model: Path, tmp_path: Path) -> None:
    out = tmp_path / "alloc.json"
    result = runner.invoke(
        app,
        [
            "optimize",
            "--model",
            str(model / "mmm_model.keras"),
            "--budget",
            "6000",
            "--brand",
            "BrandA",
            "--region",
            "EAST",
            "--min",
            "TV=800",
            "--max",
            "YouTube=130%",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert tuple(payload) == JSON_KEYS
    assert (payload["brand"], payload["region"], payload["weekly_budget"]) == ("BrandA", "EAST", 6000.0)
    assert sum(payload["allocation"].values()) == pytest.approx(6000.0, rel=1e-6)
    assert payload["allocation"]["TV"] >= 800.0 * (1 - 1e-6)
    # 130% of the "Current mix" column: today's mix scaled to the 6,000 INR budget.
    assert payload["allocation"]["YouTube"] <= 1.3 * payload["current_allocation"]["YouTube"] * (1 + 1e-6)
    assert payload["expected_incremental_sales"] > payload["current_incremental_sales"]
    assert sum(payload["current_allocation"].values()) == pytest.approx(6000.0, rel=1e-9)
    assert set(payload["marginal_roi"]) == set(payload["allocation"])
    assert "Advised allocation" in result.stdout


def test_optimize_reports_the_model_s_names_for_names_typed_otherwise(model: Path, tmp_path: Path) -> None:
    """Before, '--brand branda' (or a brand typed with a combining accent) was an unknown brand."""
    out = tmp_path / "typed.json"
    result = runner.invoke(
        app, ["optimize", "--model", str(model), "--brand", "branda", "--region", "east", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (json.loads(out.read_text())["brand"], json.loads(out.read_text())["region"]) == ("BrandA", "EAST")
    assert "BrandA" in result.stdout and "branda" not in result.stdout


def _optimize(model: Path, out: Path, *extra: str):
    return runner.invoke(
        app, ["optimize", "--model", str(model), "--brand", "BrandA", "--region", "EAST", "--output", str(out), *extra]
    )


def _row(stdout: str, channel: str) -> str:
    (line,) = [line for line in stdout.splitlines() if line.startswith(f"│ {channel} ")]
    return line


def test_optimize_reports_the_uplift_interval_in_the_json_and_the_caption(model: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    result = _optimize(model, out, "--no-data-range")
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["uplift_lower"] <= payload["uplift_upper"] and 0.0 <= payload["prob_beats_current"] <= 1.0
    gain = payload["expected_incremental_sales"] - payload["current_incremental_sales"]
    text = " ".join(result.stdout.split())
    assert "Current mix: today's mix (" in text and "the average over the data); --min/--max percentages" in text
    assert (
        f"Uplift over it: {grouped(gain, signed=True)} INR per week expected, 90% interval "
        f"{grouped(payload['uplift_lower'], signed=True)} to" in text
    )
    assert f"more sales in {payload['prob_beats_current']:.0%} of posterior draws" in text


@pytest.mark.parametrize(
    ("viz", "budget"), [("", "1,50,000"), ("number_format: western\n", "150,000")], ids=["indian", "western"]
)
def test_optimize_groups_amounts_in_the_project_s_number_format(
    model: Path, tmp_path: Path, viz: str, budget: str
) -> None:
    """Before, the terminal read 150,000 INR while the reports of the same (indian) project read 1,50,000."""
    (tmp_path / "config").mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml"):
        (tmp_path / "config" / name).write_text("")  # empty: built-in defaults
    (tmp_path / "config" / "viz_config.yaml").write_text(viz)
    result = _optimize(model, tmp_path / "a.json", "--budget", "150000", "--config", str(tmp_path / "config"))
    assert result.exit_code == 0, result.output
    assert f"Advised allocation: BrandA / EAST, budget {budget} INR per week" in " ".join(result.stdout.split())


def test_optimize_takes_a_config_file_of_any_name_as_its_model_settings(model: Path, tmp_path: Path) -> None:
    """Before, 'mmm optimize --config my.yaml' was refused ("cannot tell which settings it holds"), while the
    README says such a file is the command's own settings, as 'mmm simulate' took it."""
    (tmp_path / "my.yaml").write_text("simulator:\n  data_range: false\n")
    result = _optimize(model, tmp_path / "a.json", "--config", str(tmp_path / "my.yaml"))
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "a.json").read_text())["data_range"] == {}  # the file's setting was read


def test_optimize_percent_limits_refer_to_the_current_column(model: Path, tmp_path: Path) -> None:
    """--budget twice today's and --max C=P%: C ends at P% of the scaled "Current mix" it shows, with a Change
    of P% - 100% (not P% of today's unscaled spend, which the column does not show)."""
    simulator = MarketingSimulator.from_model_dir(model)
    budget = 2.0 * sum(simulator.current_spend("BrandA", "EAST").values())
    free = simulator.optimize_budget(budget, None, "BrandA", "EAST", data_range=False)
    ratio = {c: free.allocation[c] / free.current_allocation[c] for c in simulator.channels}
    channel = max(ratio, key=ratio.__getitem__)
    percent = round(50.0 * (1.0 + ratio[channel]), 1)  # halfway to where the optimum takes it: the cap binds
    assert percent > 105.0
    out = tmp_path / "a.json"
    result = _optimize(model, out, "--budget", f"{budget:.2f}", "--max", f"{channel}={percent}%", "--no-data-range")
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    column = payload["current_allocation"][channel]
    assert column == pytest.approx(free.current_allocation[channel], rel=1e-6)
    assert payload["allocation"][channel] == pytest.approx(percent / 100.0 * column, rel=1e-9)
    row = _row(result.stdout, channel)
    assert f"{percent / 100.0 - 1:+.1%}" in row and "at maximum" in row
    assert "scaled to this budget" in " ".join(result.stdout.split())


def _skewed_draws_model(tmp_path: Path) -> Path:
    """One segment, two channels; channel 0's coefficient is 0.2x or 1x its point value in equal shares of the
    draws, so every move from today's mix loses in many draws and the cautious advice keeps today's mix."""
    return write_model(tmp_path / "skewed", two_channel_draws(np.array([[0.2, 1.0], [1.0, 1.0]] * 4)))


def test_optimize_says_in_one_plain_line_when_it_keeps_today_s_mix(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    args = ["optimize", "--model", str(_skewed_draws_model(tmp_path)), "--output", str(out), "--no-data-range"]
    result = runner.invoke(app, [*args, "--brand", "BrandA", "--region", "CENTRAL"])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["kept_current"] and payload["allocation"] == payload["current_allocation"]
    assert (payload["uplift_lower"], payload["uplift_upper"], payload["prob_beats_current"]) == (0.0, 0.0, 0.0)
    text = " ".join(result.stdout.split())
    assert text.count("No allocation within the limits beats today's mix in") == 1 and "mix is recommended" in text
    assert "Warning: no allocation" not in text
    assert "today's mix" in _row(result.stdout, "TV")
    assert "Marginal ROI spread" not in text and "The optimiser converged after" in text  # it read 0.0e+00 (0% ...)
    # before, "Uplift over it: +0 INR per week expected, 90% interval +0 to +0; more sales in 0% of posterior draws"
    assert "Uplift over it: none, as today's mix is kept." in text and "more sales in 0%" not in text


def test_optimize_keeps_the_limits_when_today_s_mix_breaks_them(model: Path, tmp_path: Path) -> None:
    """Caps below today's spend that every plan loses under: the plan within the caps, not today's mix (which
    broke them: --max Print=0 left Print at today's spend), with a line saying it sells less."""
    out = tmp_path / "a.json"
    caps = [f"--max={channel}=10%" for channel in ("TV", "YouTube", "Facebook")]
    result = _optimize(model, out, *caps, "--at-most", "--no-data-range")
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert not payload["kept_current"]
    for channel, spend in payload["allocation"].items():
        assert spend <= 0.1 * payload["current_allocation"][channel] * (1 + 1e-6) + 1e-6
    text = " ".join(result.stdout.split())
    assert "Warning: today's mix is outside the limits on TV, YouTube, Facebook, so it cannot be kept" in text
    assert "today's mix is recommended" not in text and "at maximum" in _row(result.stdout, "TV")
    # not advice: the title says whose plan it is (before: "Advised allocation", for a plan selling less)
    assert "Best plan within your limits: BrandA / EAST" in text and "Advised allocation" not in text


def test_optimize_data_range_is_on_by_default_and_off_with_the_flag(tmp_path: Path) -> None:
    narrow = write_model(tmp_path / "narrow", steady_history(build_params(n_weeks=30), spread=0.1))
    on, off = _optimize(narrow, tmp_path / "on.json"), _optimize(narrow, tmp_path / "off.json", "--no-data-range")
    assert on.exit_code == 0 and off.exit_code == 0, on.output + off.output
    assert (
        "Warning: the advice is held within the data's range of weekly spend: " in on.stdout
        and "at data m" in on.stdout
    )
    binding = json.loads((tmp_path / "on.json").read_text())["warnings"]
    assert any(w.startswith("the advice is held within the data's range of weekly spend: ") for w in binding)
    assert "range of weekly spend" not in off.stdout and "at data m" not in off.stdout
    simulator = MarketingSimulator.from_model_dir(narrow)
    history = simulator.params.spend[simulator.rows("BrandA", "EAST")[0]]
    spend = np.array(list(json.loads((tmp_path / "on.json").read_text())["allocation"].values()))
    assert np.all(spend >= history.min(axis=0) * (1 - 1e-9)) and np.all(spend <= history.max(axis=0) * (1 + 1e-9))


def test_optimize_warns_when_a_channel_loses_money_at_the_margin(model: Path, tmp_path: Path) -> None:
    budget = 30 * sum(MarketingSimulator.from_model_dir(model).current_spend("BrandA", "EAST").values())
    result = _optimize(model, tmp_path / "a.json", "--budget", f"{budget:.0f}", "--no-data-range")
    assert result.exit_code == 0, result.output
    assert "Warning: marginal ROI below 1 at the recommendation (" in " ".join(result.stdout.split())
    warnings = json.loads((tmp_path / "a.json").read_text())["warnings"]
    assert any(w.startswith("marginal ROI below 1 at the recommendation (") for w in warnings)


@pytest.mark.parametrize(("written", "multiple"), [("+20%", 1.2), ("80%", 0.8), ("-10%", 0.9)])
def test_optimize_reads_a_budget_relative_to_today_s_spend(
    model: Path, tmp_path: Path, written: str, multiple: float
) -> None:
    """The menu and scenario files read '+20%' as a change of today's spend; before, --budget refused it."""
    today = sum(MarketingSimulator.from_model_dir(model).current_spend("BrandA", "EAST").values())
    result = _optimize(model, tmp_path / "a.json", "--budget", written)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "a.json").read_text())["weekly_budget"] == pytest.approx(multiple * today, rel=1e-12)
    change = _optimize(model, tmp_path / "b.json", "--budget", "-1000")  # a signed amount: a change too
    assert change.exit_code == 0, change.output
    assert json.loads((tmp_path / "b.json").read_text())["weekly_budget"] == pytest.approx(today - 1000.0, rel=1e-12)


def test_optimize_national_default_budget(model: Path, tmp_path: Path) -> None:
    out = tmp_path / "national.json"
    result = runner.invoke(
        app, ["optimize", "--model", str(model), "--brand", "all", "--region", "all", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["weekly_budget"] == pytest.approx(sum(payload["current_allocation"].values()), rel=1e-9)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--budget", "100", "--min", "TV=5000"], "minimum spends (TV=5,000 INR) add up to 5,000 INR"),
        (["--min", "TV=900", "--max", "TV=800"], "constraint on 'TV': minimum 900 INR is above maximum 800 INR"),
        (["--min", "Cinema=5"], "unknown channel 'Cinema'"),
        (["--min", "TV"], "--min 'TV': expected CHANNEL=INR"),
        (["--brand", "BrandQ"], "unknown brand 'BrandQ'"),
        (["--budget", "lots"], "--budget 'lots' is not a number; write an amount in INR such as 150000"),
        (["--budget", "10x"], "--budget '10x': unknown scale 'x'"),
        (["--budget", "-500%"], "--budget '-500%' cuts more than all of today's spend; -100% is the most (no spend)"),
    ],
    ids=[
        "mins-above-budget",
        "min-above-max",
        "unknown-channel",
        "bad-flag",
        "unknown-brand",
        "word",
        "scale",
        "negative",
    ],
)
def test_optimize_user_errors(model: Path, tmp_path: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(
        app, ["optimize", "--model", str(model), "--region", "EAST", "--output", str(tmp_path / "a.json"), *extra]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) <= 3
    assert not (tmp_path / "a.json").exists()


def test_missing_model_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["optimize", "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere" in result.stderr


def test_simulate_batch(model: Path, tmp_path: Path) -> None:
    """Also: a scenario named in a script no installed font has draws boxes, without a warning per glyph."""
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: now\n  - name: half_tv\n    spend: {TV: '-50%'}\n  - name: 中文 🚀\n")
    report = tmp_path / "report.html"
    (tmp_path / "config").mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml"):
        (tmp_path / "config" / name).write_text("")  # empty: built-in defaults
    (tmp_path / "config" / "viz_config.yaml").write_text("dpi: 50\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(
            app,
            [
                "simulate",
                "--model",
                str(model),
                "--scenarios",
                str(scenarios),
                "--config-dir",
                str(tmp_path / "config"),
                "--output",
                str(tmp_path / "sim"),
                "--figures",
                str(tmp_path / "fig"),
                "--report",
                str(report),
                "--brand",
                "BrandA",
                "--region",
                "EAST",
                "--export",
            ],
        )
    assert result.exit_code == 0, result.output
    assert report.is_file() and (tmp_path / "sim" / "exports" / "scenario_comparison.json").is_file()
    assert len(list((tmp_path / "fig").glob("*.png"))) == 4
    assert "half_tv" in result.stdout
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_simulate_to_another_folder_writes_its_report_and_figures_there(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, '--output DIR' wrote the tables to DIR and replaced the project's simulation report (and figures)
    with that run's, which then described scenarios outputs/simulations/ did not hold."""
    monkeypatch.chdir(tmp_path)
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: half_tv\n    spend: {TV: '-50%'}\n")
    (tmp_path / "config").mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml"):
        (tmp_path / "config" / name).write_text("")
    (tmp_path / "config" / "viz_config.yaml").write_text("dpi: 50\n")
    args = ["simulate", "--model", str(model), "--scenarios", str(scenarios), "--brand", "BrandA", "--region", "EAST"]
    result = runner.invoke(app, [*args, "--output", "trial"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "trial" / "simulation_report.html").is_file()
    assert list((tmp_path / "trial" / "figures").glob("*.png"))
    assert not (tmp_path / "outputs").exists()
    assert "report: trial/simulation_report.html" in " ".join(result.stdout.split())


def test_a_folder_where_simulate_writes_stops_it_before_any_work(model: Path, tmp_path: Path) -> None:
    """Before, the run exited 2 only after writing seven new files beside the old report."""
    from tests.cli.checks import one_error_line

    out = tmp_path / "sim"
    (out / "sensitivity.csv").mkdir(parents=True)
    result = runner.invoke(
        app,
        [
            "simulate",
            "--model",
            str(model),
            "--output",
            str(out),
            "--figures",
            str(tmp_path / "fig"),
            "--report",
            str(tmp_path / "r.html"),
            "--config-dir",
            str(tmp_path / "none"),
        ],
    )
    one_error_line(result, "sensitivity.csv' is a folder, where this command writes its file; remove or rename it")
    assert sorted(p.name for p in out.iterdir()) == ["sensitivity.csv"] and not (tmp_path / "fig").exists()


def test_simulate_bad_scenario_file(model: Path, tmp_path: Path) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: oops\n    spend: {Billboards: 10}\n")
    result = runner.invoke(
        app, ["simulate", "--model", str(model), "--scenarios", str(scenarios), "--output", str(tmp_path / "sim")]
    )
    assert result.exit_code == 2
    assert "scenario 'oops', key 'Billboards': unknown channel" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("output", "fragments"),
    [
        pytest.param("afile/a.json", ("--output 'afile/a.json'", "'afile' is a file"), id="under-a-file"),
        pytest.param("adir", ("--output 'adir' is a folder; give the path of a file",), id="a-folder"),
        pytest.param("/dev/null/a.json", ("'/dev/null' is not a folder",), id="under-dev-null"),
        pytest.param("y" * 4000 + ".json", ("--output 'yyyy", "4,005 characters", "shorter path"), id="long-name"),
    ],
)
def test_optimize_unwritable_output(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, fragments: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    one_error_line(runner.invoke(app, ["optimize", "--model", str(model), "--output", output]), *fragments)


def test_optimize_output_error_after_the_optimisation_is_one_line(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that passes the up-front check but not the file system (one whose names are shorter than the
    255 bytes assumed): still one line, exit 2."""
    import mmm_analytics.utils.io

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mmm_analytics.utils.io, "NAME_MAX", 300)  # the temporary name is then not cut to fit
    output = "z" * 250 + ".json"  # the temporary file written beside it is longer than 255 characters
    line = one_error_line(
        runner.invoke(app, ["optimize", "--model", str(model), "--brand", "BrandA", "--output", output]),
        "--output 'zzzz",
        "too long",
    )
    assert "(255 characters)" in line
    assert not list(tmp_path.iterdir())


def _copy_model(model: Path, folder: Path) -> Path:
    shutil.copytree(model, folder)
    return folder


@pytest.mark.parametrize(
    ("file", "damage", "reason"),
    [
        pytest.param("metadata.json", bytes(range(128, 256)) * 4, "not UTF-8 text", id="metadata-random-bytes"),
        pytest.param("metadata.json", b"", "not valid JSON", id="metadata-empty"),
        pytest.param("response_params.npz", b"", "not an npz archive", id="npz-empty"),
        pytest.param("response_params.npz", bytes(range(256)) * 16, "not an npz archive", id="npz-random-bytes"),
        pytest.param("response_params.npz", None, "not an npz archive", id="npz-truncated"),
    ],
)
def test_optimize_damaged_model_folder(
    model: Path, tmp_path: Path, file: str, damage: bytes | None, reason: str
) -> None:
    folder = _copy_model(model, tmp_path / "model")
    path = folder / file
    path.write_bytes(path.read_bytes()[:400] if damage is None else damage)
    result = runner.invoke(app, ["optimize", "--model", str(folder), "--output", str(tmp_path / "a.json")])
    one_error_line(result, f"'{path}' is damaged ({reason}", "re-run 'mmm train'")


def test_optimize_model_with_nan_in_its_response_is_one_line(model: Path, tmp_path: Path) -> None:
    """NaN in the saved exposure history is reported as a damaged file, not as a NaN budget."""
    folder = _copy_model(model, tmp_path / "model")
    path = folder / "response_params.npz"
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["exposure"] = arrays["exposure"].copy()
    arrays["exposure"][0, -1, 0] = np.nan
    np.savez(path, **arrays)
    result = runner.invoke(app, ["optimize", "--model", str(folder), "--output", str(tmp_path / "a.json")])
    line = one_error_line(result, f"'{path}' is damaged (array 'exposure' holds NaN or infinite values)", "'mmm train'")
    assert "budget" not in line and not (tmp_path / "a.json").exists()


@pytest.mark.parametrize("keras", [None, b"PK\x03\x04 truncated"], ids=["missing", "damaged"])
def test_optimize_warns_about_the_keras_file_and_goes_on(model: Path, tmp_path: Path, keras: bytes | None) -> None:
    folder = _copy_model(model, tmp_path / "model")
    if keras is None:
        (folder / "mmm_model.keras").unlink()
    else:
        (folder / "mmm_model.keras").write_bytes(keras)
    result = runner.invoke(app, ["optimize", "--model", str(folder), "--output", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: '"), result.stderr
    assert f"'{folder / 'mmm_model.keras'}' is {'missing' if keras is None else 'damaged'}" in lines[0]
    assert "re-run 'mmm train'" in lines[0]
    assert (tmp_path / "a.json").is_file()


def test_optimize_is_quiet_with_a_sound_keras_file(model: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["optimize", "--model", str(model), "--output", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == ""


def test_model_path_that_is_a_file(model: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["optimize", "--model", str(model / "metadata.json"), "--output", str(tmp_path / "a")])
    one_error_line(result, "metadata.json' is a file, not a model folder")


def test_simulate_unwritable_report(model: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(
        app, ["simulate", "--model", str(model), "--output", str(tmp_path / "sim"), "--report", str(tmp_path)]
    )
    one_error_line(result, f"--report '{tmp_path}' is a folder; give the path of a file")


@pytest.mark.parametrize(
    ("given", "fragment"),
    [("folder", "is a folder; give a YAML file of scenarios"), ("/dev/null", "is not a regular file")],
    ids=["folder", "dev-null"],
)
def test_simulate_scenarios_that_are_not_a_file(model: Path, tmp_path: Path, given: str, fragment: str) -> None:
    path = str(tmp_path) if given == "folder" else given
    result = runner.invoke(
        app, ["simulate", "--model", str(model), "--scenarios", path, "--output", str(tmp_path / "sim")]
    )
    one_error_line(result, f"--scenarios '{path}' {fragment}")


def _disagreeing_draws_model(tmp_path: Path) -> Path:
    """One segment, two channels, 20 draws that agree on the direction of the move, not its length."""
    spread = np.stack([np.linspace(0.5, 1.5, 20), np.ones(20)], axis=1)
    return write_model(tmp_path / "spread", two_channel_draws(spread))


def test_optimize_says_in_plain_lines_when_the_advice_stops_short_of_the_optimum(tmp_path: Path) -> None:
    """Draws that agree on the direction of the move and not on its length: the advice goes part of the
    way, says so in a plain sentence (not a warning), and the spread line says why it is not zero."""
    model = _disagreeing_draws_model(tmp_path)
    out = tmp_path / "a.json"
    args = ["optimize", "--model", str(model), "--brand", "BrandA", "--region", "CENTRAL", "--output", str(out)]
    result = runner.invoke(app, [*args, "--no-data-range"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert CAUTIOUS_ADVICE in text
    assert "Warning: cautious advice" not in text
    assert "of the way to the optimum, where they are equal)" in text
    payload = json.loads(out.read_text())
    assert payload["prob_beats_current"] >= SimulatorSettings().advice_confidence
    assert any(w.startswith("cautious advice: the recommendation is the plan ") for w in payload["warnings"])


def test_simulate_shows_the_advice_as_optimize_does(tmp_path: Path) -> None:
    """`mmm simulate` prints the advice with the same caption and plain verdict sentence as `mmm optimize`
    (it printed the cautious verdict as a warning and had no caption), says which estimate each table's
    sales are, and its HTML report shows the verdict as advice, not as a warning."""
    model = _disagreeing_draws_model(tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    for name in ("data_config.yaml", "feature_config.yaml"):
        (config / name).write_text("")
    (config / "model_config.yaml").write_text("simulator:\n  data_range: false\n")
    (config / "viz_config.yaml").write_text("dpi: 50\n")
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "scenarios:\n  - name: now\n  - name: dark\n    brand: BrandA\n    spend: {TV: 0, YouTube: 0}\n"
    )
    report = tmp_path / "report.html"
    result = runner.invoke(
        app,
        [
            "simulate",
            *("--model", str(model), "--scenarios", str(scenarios), "--config-dir", str(config)),
            *("--output", str(tmp_path / "sim"), "--figures", str(tmp_path / "fig"), "--report", str(report)),
            *("--brand", "BrandA", "--region", "CENTRAL"),
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Scenarios (INR per week, expected: the mean over the posterior draws)" in text
    # Before, the scenarios were at the point estimate: today's mix read another figure than the advice's.
    scenarios_out = pd.read_csv(tmp_path / "sim" / "scenario_comparison.csv").set_index("scenario")
    advice = json.loads((tmp_path / "sim" / "optimal_allocation.json").read_text())
    assert scenarios_out.loc["now", "expected_incremental_sales"] == pytest.approx(
        advice["current_incremental_sales"], rel=1e-9
    )
    assert scenarios_out.loc["now", "delta_expected_vs_current"] == pytest.approx(0.0, abs=1e-6)
    # Each scenario says where it applies, beside advice for BrandA / CENTRAL (before: no scope at all): one that
    # names no brand or region is run for --brand/--region (before: national), and a plan without spend has no
    # ROI (before: nan, once the ROI of nothing was no longer 0.00).
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 5}
    assert "BrandA in" in rows["now"] and "BrandA in" in rows["dark"]  # "BrandA in CENTRAL only", wrapped
    assert "nan" not in rows["dark"] and rows["dark"].split("│")[6].strip() == "-"
    assert "Current mix: today's mix" in text and "more sales in" in text
    assert "Change refers to it" in text and "--min" not in text  # `mmm simulate` takes no --min/--max
    assert CAUTIOUS_ADVICE in text
    assert "Warning: cautious advice" not in text
    assert "Expected incremental sales (mean over the posterior draws):" in text
    page = report.read_text()
    assert "<b>The advice.</b> Cautious advice: the recommendation" in page
    assert "</b> cautious advice" not in page
    assert "incremental sales (expected: the mean over the posterior draws)" in page


def test_optimize_a_zero_budget_shows_no_change_for_channels_that_get_nothing(model: Path, tmp_path: Path) -> None:
    """Today's mix scaled to 0 and the advice both spend nothing: the change is '-', not 'new'."""
    out = tmp_path / "zero.json"
    args = ["optimize", "--model", str(model), "--budget", "0", "--no-data-range", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert rows and all(" - " in row and "new" not in row for row in rows)
    payload = json.loads(out.read_text())
    assert all(np.isfinite(value) for value in payload["marginal_roi"].values())


@pytest.mark.parametrize("written", ["1,500", "1.5k", "1.5 K", "1500 INR", "0.015L"])
def test_optimize_reads_a_budget_as_people_write_it(model: Path, tmp_path: Path, written: str) -> None:
    """Before, '--budget 1,500' and '1.5k' got the command line's generic 'Invalid value' box."""
    out = tmp_path / "a.json"
    result = runner.invoke(
        app, ["optimize", "--model", str(model), "--region", "EAST", "--budget", written, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["weekly_budget"] == pytest.approx(1500.0, rel=1e-12)


def test_the_help_says_what_brand_and_region_apply_to() -> None:
    """Before, --brand/--region of `mmm simulate` read as for the whole run, but the scenarios stayed national."""
    result = runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    text = " ".join(result.stdout.replace("│", " ").split())
    for key in ("brand", "region"):
        assert (
            f"of the optimisation, sensitivity and frontier, and of every scenario that names no {key} of its own "
            f"(one that names its own keeps it). With --interactive: the {key} the menu's prompts start from"
        ) in text


def test_the_menu_starts_from_brand_and_region(model: Path, tmp_path: Path) -> None:
    """Before, `mmm simulate -i --brand BrandA` ignored --brand without a word."""
    args = ["simulate", "--model", str(model), "-i", "--brand", "brandA", "--region", "EAST"]
    result = runner.invoke(app, args, input="2\n\n\n\n\n\n6\n", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Brand (BrandA / BrandB / all) [BrandA]" in result.stdout
    assert "Region (CENTRAL / EAST / all) [EAST]" in result.stdout
    assert "Advised allocation: BrandA / EAST" in result.stdout
    result = runner.invoke(app, [*args[:-3], "BrandZ"], input="6\n")
    one_error_line(result, "unknown brand 'BrandZ'; choose one of: BrandA, BrandB or all")


def test_simulate_reads_the_scenarios_of_its_config_folder(model: Path, tmp_path: Path) -> None:
    """Before, 'mmm simulate --config-dir DIR' looked for config/scenarios.yaml whatever DIR was, while
    'mmm run --config-dir DIR' read DIR/scenarios.yaml."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml", "viz_config.yaml"):
        (folder / name).write_text("{}\n")  # built-in defaults
    (folder / "scenarios.yaml").write_text("scenarios:\n  - name: mine\n    spend: {TV: '-10%'}\n")
    outputs = [
        "--output",
        str(tmp_path / "sim"),
        "--figures",
        str(tmp_path / "fig"),
        "--report",
        str(tmp_path / "r.html"),
    ]
    result = runner.invoke(app, ["simulate", "--model", str(model), "--config-dir", str(folder), *outputs])
    assert result.exit_code == 0, result.output
    assert "│ mine " in result.stdout, result.stdout
    (folder / "scenarios.yaml").unlink()
    result = runner.invoke(app, ["simulate", "--model", str(model), "--config-dir", str(folder), *outputs])
    assert result.exit_code == 2 and str(folder / "scenarios.yaml") in "".join(result.stderr.split())
