"""`mmm eda`: options, outputs, summary and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.synthetic import SyntheticPanel
from tests.cli.checks import one_error_line

ROOT = Path(__file__).resolve().parents[2]
VIZ_YAML = "dpi: 150\nfigure_width: 6.4\nfigure_height: 3.6\nmax_workers: 2\n"


@pytest.fixture()
def clean_parquet(small_panel: SyntheticPanel, tmp_path: Path) -> Path:
    frame = small_panel.frame.assign(
        Date=pd.to_datetime(small_panel.frame["Date"], format="%m/%d/%Y"), outlier_flag=False
    )
    path = tmp_path / "clean_panel.parquet"
    frame.to_parquet(path)
    return path


@pytest.fixture()
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("data_config.yaml", "feature_config.yaml", "model_config.yaml"):
        (folder / name).write_text("")  # empty: built-in defaults
    (folder / "viz_config.yaml").write_text(VIZ_YAML)
    return folder


class _Stop(Exception):
    """Raised where the exploration would start: the options are resolved by then."""


def test_another_panel_s_quality_and_tables_follow_its_input_and_report(
    clean_parquet: Path, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, 'mmm eda --input /tmp/g/clean_panel.parquet --report /tmp/e/eda.html' read the project's cleaning
    report (11,232 rows, 72 series, of another panel) and overwrote the project's EDA tables."""
    import mmm_analytics.eda
    import mmm_analytics.pipeline

    seen: dict[str, Path] = {}

    def quality(folder: Path) -> None:
        seen["quality"] = folder

    def explore(panel, quality, output, tables, report, *args, **kwargs):
        seen["tables"], seen["report"] = tables, report
        raise _Stop

    monkeypatch.setattr(mmm_analytics.eda, "load_quality", quality)
    monkeypatch.setattr(mmm_analytics.pipeline, "explore", explore)
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "elsewhere" / "eda.html"
    args = ["eda", "--input", str(clean_parquet), "--report", str(report), "--config-dir", str(config_dir)]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, _Stop), result.output
    assert seen == {"quality": clean_parquet.parent, "tables": report.parent / "eda", "report": report}


def test_eda_writes_figures_tables_and_report(clean_parquet: Path, config_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "none").mkdir()  # a quality folder without the cleaning files
    result = CliRunner().invoke(
        app,
        [
            "eda",
            "--input",
            str(clean_parquet),
            "--output",
            str(out / "figures"),
            "--tables",
            str(out / "tables"),
            "--report",
            str(out / "eda_report.html"),
            "--quality-dir",
            str(tmp_path / "none"),
            "--config-dir",
            str(config_dir),
            "--dpi",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = sorted((out / "figures").glob("*.png"))
    assert len(figures) >= 20
    assert (out / "tables" / "festive_uplift.csv").is_file()
    assert (out / "eda_report.html").stat().st_size > 1_000_000
    assert "mmm eda" in result.output and "Report" in result.output
    assert "Skipped 07" in result.output and "single SKU" in result.output  # one SKU per brand in this panel
    width = int.from_bytes(figures[0].read_bytes()[16:20], "big")
    assert width == round(6.4 * 50)  # --dpi overrides the config's 150
    # The panel explored, by path and digest, for the summary to tell an EDA of other data than the model's.
    import json

    from mmm_analytics.utils.io import file_digest

    recorded = json.loads((out / "tables" / "eda_source.json").read_text())
    assert recorded == {"source": {"path": str(clean_parquet), "sha256": file_digest(clean_parquet)}}


def test_missing_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eda", "--input", str(tmp_path / "nope.parquet")])
    assert result.exit_code == 2
    assert "nope.parquet' not found" in result.output
    assert "Traceback" not in result.output


def test_wrong_file_type_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "panel.xlsx"
    path.write_text("x")
    result = CliRunner().invoke(app, ["eda", "--input", str(path)])
    assert result.exit_code == 2 and "expected a .parquet" in result.output


@pytest.mark.parametrize(
    ("given", "fragment"),
    [("folder", "' is a folder, not the file; run"), ("/dev/null", "'/dev/null' is not a regular file")],
    ids=["folder", "dev-null"],
)
def test_input_that_is_not_a_file(tmp_path: Path, given: str, fragment: str) -> None:
    path = str(tmp_path) if given == "folder" else given
    one_error_line(CliRunner().invoke(app, ["eda", "--input", path]), fragment)


def test_report_given_as_an_existing_folder(clean_parquet: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eda", "--input", str(clean_parquet), "--report", str(tmp_path)])
    one_error_line(result, f"--report '{tmp_path}' is a folder; give the path of a file")


def test_named_config_folder_must_hold_every_file(clean_parquet: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "viz_config.yaml").write_text(VIZ_YAML)
    result = CliRunner().invoke(app, ["eda", "--input", str(clean_parquet), "--config-dir", str(tmp_path / "mine")])
    one_error_line(result, "has no data_config.yaml, feature_config.yaml or model_config.yaml")


def test_help_lists_the_options_the_script_wrapper_passes_on() -> None:
    result = CliRunner().invoke(app, ["eda", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--input", "--output", "--tables", "--report", "--dpi", "--quality-dir", "--config-dir"):
        assert option in result.output
    assert 'run("eda")' in (ROOT / "scripts" / "02_run_eda.py").read_text()


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_quality_folder_given_that_is_not_one_is_named(clean_parquet: Path, tmp_path: Path, kind: str) -> None:
    """Before, a --quality-dir that did not exist, or was a file, gave exit 0 and a 'skipped' note deep in the report."""
    given = tmp_path / "quality"
    if kind == "file":
        given.write_text("x")
    result = CliRunner().invoke(app, ["eda", "--input", str(clean_parquet), "--quality-dir", str(given)])
    what = "a file, not a folder" if kind == "file" else "not found"
    one_error_line(result, f"--quality-dir '{given}' is {what}; give the folder where 'mmm data' wrote")


def test_the_summary_counts_one_of_a_thing_in_the_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 18-row Kaggle head was summed up as "18 rows, 1 weeks, ... 1 brands"."""
    from types import SimpleNamespace

    from mmm_analytics.cli.eda_cmd import show
    from mmm_analytics.config.viz import NumberFormat

    report = tmp_path / "eda_report.html"
    report.write_text("<html></html>")
    overview = SimpleNamespace(rows=18, weeks=1, geos=["NORTH", "SOUTH"], brands=["BrandA"], skus=1)
    result = SimpleNamespace(
        overview=overview,
        figures=[],
        skipped=[],
        tables={"a": tmp_path / "a.csv"},
        report=report,
        seconds=1.0,
        findings=[],
    )
    show(result, NumberFormat.INDIAN)  # type: ignore[arg-type]
    assert "18 rows, 1 week, 2 geos, 1 brand, 1 SKU" in capsys.readouterr().out
