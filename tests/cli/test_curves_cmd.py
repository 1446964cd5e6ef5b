"""`mmm curves` through the Typer app: success, and user errors as exit 2 with one line on stderr."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.config.viz import NumberFormat
from tests.cli.checks import one_error_line

runner = CliRunner()


def _hand_model() -> ModuleType:
    """The hand-set model builder shared with tests/curves (loaded by path: tests/cli is not a package)."""
    path = Path(__file__).resolve().parents[1] / "curves" / "hand_model.py"
    spec = importlib.util.spec_from_file_location("curves_hand_model", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (current directory) with a one-series, two-channel model and a fast config."""
    monkeypatch.chdir(tmp_path)
    hand = _hand_model()
    params = hand.build_params(brands=("BrandA",), regions=("NORTH",), channels=("TV", "Radio"), n_draws=20)
    hand.write_model(tmp_path / "outputs" / "models", params)
    hand.write_fast_config(tmp_path / "config")
    return tmp_path


def test_curves_writes_tables_figures_and_report(project: Path) -> None:
    result = runner.invoke(
        app,
        [
            "curves",
            "--model",
            "outputs/models/mmm_model.keras",
            "--output",
            "outputs/figures/roi_curves/",
            "--reports",
            "outputs/reports/",
            "--format",
            "png",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ROI by channel" in result.stdout
    assert "where a lift test would teach the most" in " ".join(result.stdout.split())
    # the hand-set model has no Keras file; curves need only metadata.json and response_params.npz
    assert result.stderr.strip().splitlines() == [
        "warning: 'outputs/models/mmm_model.keras' is missing; this command reads only metadata.json and "
        "response_params.npz and goes on, but re-run 'mmm train' to restore the Keras model"
    ]
    reports = project / "outputs" / "reports"
    for name in (
        "channel_roi.csv",
        "roi_by_segment.csv",
        "roi_curves.parquet",
        "roi_report.html",
        "curves_summary.json",
    ):
        assert (reports / name).is_file(), name
    figures = sorted(p.name for p in (project / "outputs" / "figures" / "roi_curves").glob("*.png"))
    assert figures == [
        "carryover_Radio.png",
        "carryover_TV.png",
        "roi_Radio_BrandA_NORTH.png",
        "roi_TV_BrandA_NORTH.png",
        "roi_grid_Radio.png",
        "roi_grid_TV.png",
        "roi_national.png",
    ]


@pytest.mark.parametrize("missing", ["metadata.json", "response_params.npz"])
def test_missing_model_file_exits_2_naming_it(project: Path, missing: str) -> None:
    (project / "outputs" / "models" / missing).unlink()
    result = runner.invoke(app, ["curves", "--model", "outputs/models"])
    assert result.exit_code == 2
    assert missing in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_format_exits_2_listing_the_choices(project: Path) -> None:
    result = runner.invoke(app, ["curves", "--format", "gif"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr and "'gif' is not one of 'png', 'svg'" in result.stderr
    assert not (project / "outputs" / "reports").exists()  # refused before any work


def test_format_help_lists_the_choices() -> None:
    result = runner.invoke(app, ["curves", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "<png|svg|pdf>" in result.stdout


def test_nonexistent_keras_file_is_named(project: Path) -> None:
    one_error_line(
        runner.invoke(app, ["curves", "--model", "nonexistent.keras"]),
        "model file 'nonexistent.keras' not found; run 'mmm train' first or pass --model",
    )


@pytest.mark.parametrize(
    ("file", "content", "reason"),
    [
        pytest.param("metadata.json", bytes(range(128, 256)), "not UTF-8 text", id="metadata-random-bytes"),
        pytest.param("response_params.npz", b"", "not an npz archive", id="npz-empty"),
        pytest.param("response_params.npz", b"PK\x03\x04" + bytes(300), "not an npz archive", id="npz-truncated"),
    ],
)
def test_damaged_model_file_exits_2_naming_it(project: Path, file: str, content: bytes, reason: str) -> None:
    (project / "outputs" / "models" / file).write_bytes(content)
    one_error_line(
        runner.invoke(app, ["curves", "--model", "outputs/models"]),
        f"'outputs/models/{file}' is damaged ({reason}",
        "re-run 'mmm train'",
    )
    assert not (project / "outputs" / "reports").exists()


@pytest.mark.parametrize(
    ("option", "fragment"),
    [("--output", "--output 'afile/figures'"), ("--reports", "--reports 'afile/figures'")],
)
def test_unwritable_output_folder(project: Path, option: str, fragment: str) -> None:
    (project / "afile").write_text("x")
    one_error_line(
        runner.invoke(app, ["curves", "--model", "outputs/models", option, "afile/figures"]),
        fragment,
        "'afile' is a file, so nothing can be written under it",
    )


@pytest.mark.parametrize(("flags", "segment_figures"), [([], 1), (["--all-figures"], 2)], ids=["top-1", "all"])
def test_all_figures_draws_every_cell(project: Path, flags: list[str], segment_figures: int) -> None:
    with (project / "config" / "viz_config.yaml").open("a", encoding="utf-8") as config:
        config.write("top_curve_figures: 1\n")
    result = runner.invoke(app, ["curves", "--model", "outputs/models", "--output", "figures", *flags])
    assert result.exit_code == 0, result.output
    assert len(list((project / "figures").glob("roi_*_BrandA_NORTH.png"))) == segment_figures
    assert {"roi_national.png", "roi_grid_TV.png", "roi_grid_Radio.png"} <= {
        p.name for p in (project / "figures").iterdir()
    }


def test_a_channel_never_spent_on_reads_n_a_not_nan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, the ROI table printed 'nan' for a channel with no spend in the data."""
    monkeypatch.chdir(tmp_path)
    hand = _hand_model()
    params = hand.build_params(brands=("BrandA",), regions=("NORTH",), channels=("TV", "Radio"), n_draws=20)
    exposure = params.exposure.copy()
    exposure[:, :, 1] = 0.0
    hand.write_model(tmp_path / "outputs" / "models", dataclasses.replace(params, exposure=exposure))
    hand.write_fast_config(tmp_path / "config")
    result = runner.invoke(app, ["curves", "--format", "png"])
    assert result.exit_code == 0, result.output
    radio = next(line for line in result.stdout.splitlines() if "Radio" in line)
    assert [cell.strip() for cell in radio.split("│")[4:6]] == ["n/a", "n/a"]  # ROI, marginal ROI
    assert "nan" not in result.stdout.lower()


@pytest.mark.parametrize(
    ("fmt", "amounts"),
    [
        (NumberFormat.INDIAN, ("3,00,000", "9,00,000", "5,00,000")),
        (NumberFormat.WESTERN, ("300,000", "900,000", "500,000")),
    ],
    ids=["indian", "western"],
)
def test_the_experiment_line_names_the_least_certain_channels(fmt: NumberFormat, amounts: tuple[str, ...]) -> None:
    """Its amounts are grouped in the project's number format (before, always 300,000)."""
    import pandas as pd

    from mmm_analytics.cli.curves_cmd import experiment_line

    table = pd.DataFrame(
        {
            "channel": ["TV", "Radio", "Print"],
            "spend": [300000.0, 200000.0, 400000.0],
            "contribution": [600000.0, 400000.0, 400000.0],
            "roi": [2.0, 2.0, 1.0],
            "roi_lower": [1.0, 1.5, 0.5],
            "roi_upper": [3.0, 2.5, float("nan")],
        }
    )
    low, tv_high, radio_high = amounts
    assert experiment_line(table, 0.9, fmt) == (
        "Least certain sales credit (90% interval of the contribution over the period), where a lift test would "
        f"teach the most (mmm train --lift-tests PATH.csv): TV {low} INR to {tv_high} INR; Radio {low} INR to "
        f"{radio_high} INR."
    )  # Print has no interval: never named
    assert experiment_line(table.assign(contribution=0.0), 0.9, fmt) == ""
