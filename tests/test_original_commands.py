"""The commands as the project's users type them: the scripts with --dataset and --config FILE,
`run_full_pipeline.py --all`, and `pip install -r requirements.txt`.

Each script runs in this process (``runpy``, as ``python scripts/...`` would) in a project folder
of its own holding a copy of config/; the Kaggle download is replaced by a local folder.
"""

from __future__ import annotations

import json
import re
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kagglehub
import pytest
import yaml
from typer.testing import CliRunner

from mmm_analytics.cli.app import app
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.data.kaggle import KEY_ENV, USERNAME_ENV
from mmm_analytics.synthetic import generate_panel

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
CONFIG_FILES = ("data_config.yaml", "feature_config.yaml", "model_config.yaml", "viz_config.yaml", "scenarios.yaml")
SMALL_PANEL = {"seed": 7, "n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 104}


def run_script(name: str, *args: str) -> int:
    """``python scripts/<name> <args>``, in this process; returns the exit code."""
    argv, path = sys.argv, list(sys.path)
    sys.argv = [str(SCRIPTS / name), *args]
    sys.path.insert(0, str(SCRIPTS))  # as python does for the script's own folder
    try:
        runpy.run_path(str(SCRIPTS / name), run_name="__main__")
    except SystemExit as end:
        return end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    finally:
        sys.argv, sys.path[:] = argv, path
    return 0


def edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(raw)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder: a copy of config/ (small synthetic panel, quick training, small figures)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    for name in CONFIG_FILES:
        shutil.copy(ROOT / "config" / name, tmp_path / "config" / name)
    edit_yaml(tmp_path / "config" / "data_config.yaml", lambda raw: raw["synthetic"].update(SMALL_PANEL))
    edit_yaml(tmp_path / "config" / "viz_config.yaml", lambda raw: raw.update(dpi=50, max_workers=1))

    def quick(raw: dict[str, Any]) -> None:
        raw.update(epochs=2, steps_per_epoch=10, seed=7, polish=False, carryover="beta_gamma", saturation="hill")
        raw.setdefault("intervals", {})["draws"] = 20
        raw.setdefault("curves", {})["points"] = 11

    edit_yaml(tmp_path / "config" / "model_config.yaml", quick)
    return tmp_path


@pytest.fixture()
def kaggle_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kaggle_head_path: Path) -> list[str]:
    """kagglehub's download replaced by a folder holding the published file's first rows; records handles."""
    folder = tmp_path / "kagglehub-cache"
    folder.mkdir()
    shutil.copy(kaggle_head_path, folder / "mmm_weekly_data.csv")
    handles: list[str] = []

    def download(handle: str, *args: Any, **kwargs: Any) -> str:
        handles.append(handle)
        return str(folder)

    monkeypatch.setattr(kagglehub, "dataset_download", download)
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, "not-a-real-key")
    return handles


def small_csv(folder: Path) -> Path:
    path = folder / "small_panel.csv"
    generate_panel(SyntheticSettings(**SMALL_PANEL)).frame.to_csv(path, index=False)
    return path


def test_download_script_takes_dataset(project: Path, kaggle_download: list[str], kaggle_head_path: Path) -> None:
    code = run_script("01_download_data.py", "--dataset", "someone/mmm-weekly", "--output", "data/raw/")
    assert code == 0
    assert kaggle_download == ["someone/mmm-weekly"]
    assert (project / "data/raw/mmm_data.csv").read_bytes() == kaggle_head_path.read_bytes()
    assert (project / "data/processed/clean_panel.parquet").is_file()


def test_data_command_takes_dataset_with_kaggle(project: Path, kaggle_download: list[str]) -> None:
    url = "https://www.kaggle.com/datasets/someone/other-panel"
    result = CliRunner().invoke(app, ["data", "--source", "kaggle", "--dataset", url])
    assert result.exit_code == 0, result.output
    assert kaggle_download == ["someone/other-panel"]
    assert "kaggle:someone/other-panel" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--source", "synthetic", "--dataset", "a/b"], "--dataset names a Kaggle dataset", id="synthetic"),
        pytest.param(
            ["--dataset", "just-a-name"], "--dataset 'just-a-name': give a Kaggle dataset as OWNER/NAME", id="handle"
        ),
    ],
)
def test_dataset_mistakes_are_one_line(
    project: Path, kaggle_download: list[str], args: list[str], fragment: str
) -> None:
    result = CliRunner().invoke(app, ["data", *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and fragment in result.stderr
    assert kaggle_download == [] and not (project / "data").exists()


def test_feature_script_takes_one_config_file(project: Path) -> None:
    edit_yaml(project / "config" / "feature_config.yaml", lambda raw: raw.update(granularity="geo_brand_sku"))
    assert run_script("01_download_data.py", "--source", str(small_csv(project)), "--output", "data/raw/") == 0
    code = run_script(
        "03_engineer_features.py",
        "--input",
        "data/processed/clean_panel.parquet",
        "--output",
        "data/processed/features.parquet",
        "--config",
        "config/feature_config.yaml",
    )
    assert code == 0
    meta = json.loads((project / "data/processed/features_meta.json").read_text())
    assert meta["granularity"] == "geo_brand_sku"  # the file given, not the default geo_brand


@pytest.mark.slow
def test_train_script_takes_one_config_file(project: Path) -> None:
    assert run_script("01_download_data.py", "--source", str(small_csv(project)), "--output", "data/raw/") == 0
    assert run_script("03_engineer_features.py", "--config", "config/feature_config.yaml") == 0
    code = run_script(
        "04_train_model.py",
        "--data",
        "data/processed/features.parquet",
        "--output",
        "outputs/models/",
        "--config",
        "config/model_config.yaml",
    )
    assert code == 0
    metadata = json.loads((project / "outputs/models/metadata.json").read_text())
    assert metadata["seed"] == 7  # from the file given (the shipped one says 42)
    assert (project / "outputs/models/mmm_model.keras").is_file()


@pytest.mark.slow
def test_full_pipeline_script_with_all(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_script("run_full_pipeline.py", "--all") == 0
    out = capsys.readouterr().out
    for step in ("data", "eda", "features", "train", "curves", "simulate", "optimize"):
        assert f"done {step} in" in out
    assert (project / "outputs/simulations/optimal_allocation.json").is_file()
    assert (project / "outputs/reports/roi_report.html").is_file()


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._\[\]-]*)==([^\s\\;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_requirements_txt_installs_the_project_and_the_locked_versions() -> None:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e ." in lines
    lock = _pins((ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines())
    assert lock and _pins(lines) == lock
    assert not any("--hash" in line for line in lines)  # a local folder cannot be hash-checked
    assert "--require-hashes -r requirements.lock" in (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.slow
def test_pip_accepts_requirements_txt() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-input", "-r", "requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "mmm-analytics" in result.stdout


def _script_alone(python: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, *args, str(SCRIPTS / "04_train_model.py"), "--help"], capture_output=True, text=True, timeout=120
    )


def test_a_script_without_its_dependencies_says_so_in_one_line() -> None:
    """A Python without typer ended in a chained traceback (exit 1)."""
    result = _script_alone(sys.executable, "-S")  # -S: no site-packages, so neither the package nor typer
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: module 'typer' is not installed; install the dependencies with 'pip install -r requirements.txt'"
    ]


OLD_PYTHON = next(
    (
        found
        for name in ("python3", "python3.11", "python3.12")
        if (found := shutil.which(name))
        and subprocess.run([found, "-c", "import sys; sys.exit(sys.version_info < (3, 13))"]).returncode == 1
    ),
    None,
)


@pytest.mark.skipif(OLD_PYTHON is None, reason="no Python older than 3.13 on this machine")
def test_a_script_run_by_an_old_python_names_the_python_it_needs() -> None:
    assert OLD_PYTHON is not None
    result = _script_alone(OLD_PYTHON)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "needs Python 3.13 or newer" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_debug_goes_anywhere_among_a_script_s_arguments(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python scripts/04_train_model.py --debug` was refused: 'No such option: --debug'."""
    assert run_script("03_engineer_features.py", "--input", "missing.parquet", "--debug") == 2
    err = capsys.readouterr().err
    assert "No such option" not in err and "Traceback" in err and "missing.parquet" in err
