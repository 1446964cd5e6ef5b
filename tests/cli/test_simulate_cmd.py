"""`mmm optimize` and `mmm simulate` (batch) through the Typer app; user errors exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.optimizer import JSON_KEYS

from ..simulator.hand_built import build_params, write_model

runner = CliRunner()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_model(tmp_path_factory.mktemp("cli_model"), build_params(n_weeks=30))


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
            "TV=1000",
            "--max",
            "YouTube=50%",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert tuple(payload) == JSON_KEYS
    assert (payload["brand"], payload["region"], payload["weekly_budget"]) == ("BrandA", "EAST", 6000.0)
    assert sum(payload["allocation"].values()) == pytest.approx(6000.0, rel=1e-6)
    assert payload["allocation"]["TV"] >= 1000.0 * (1 - 1e-6)
    current_youtube = MarketingSimulator.from_model_dir(model).current_spend("BrandA", "EAST")["YouTube"]
    assert payload["allocation"]["YouTube"] <= 0.5 * current_youtube * (1 + 1e-6)
    assert sum(payload["current_allocation"].values()) == pytest.approx(6000.0, rel=1e-9)
    assert set(payload["marginal_roi"]) == set(payload["allocation"])
    assert "Optimal allocation" in result.stdout


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
    ],
    ids=["mins-above-budget", "min-above-max", "unknown-channel", "bad-flag", "unknown-brand"],
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
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: now\n  - name: half_tv\n    spend: {TV: '-50%'}\n")
    report = tmp_path / "report.html"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "viz_config.yaml").write_text("dpi: 50\n")
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


def test_simulate_bad_scenario_file(model: Path, tmp_path: Path) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  - name: oops\n    spend: {Billboards: 10}\n")
    result = runner.invoke(
        app, ["simulate", "--model", str(model), "--scenarios", str(scenarios), "--output", str(tmp_path / "sim")]
    )
    assert result.exit_code == 2
    assert "scenario 'oops', key 'Billboards': unknown channel" in " ".join(result.stderr.split())
