"""`mmm run` killed while the curves step renders: no process outlives it, and a re-run is clean.

A reduced synthetic panel (2 geos x 2 brands x 1 SKU x 104 weeks, few epochs and draws, low
dpi) is prepared and trained once; every run below starts from a copy of that project and
runs ``curves,optimize``. Each interrupted run (SIGKILL, SIGTERM) is stopped as soon as the
first curve figure appears; then every process below it must be gone within 10 s, no temp
file may remain, and a re-run must write the same tables, byte for byte, as a run that was
never interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mmm_analytics.utils.workers import TEMP_NAME
from tests.utils.test_workers import descendants, wait_until_gone

ROOT = Path(__file__).resolve().parents[1]
GONE_WITHIN = 10.0  # seconds
STEPS = "curves,optimize"
TABLES = (
    "outputs/reports/channel_roi.csv",
    "outputs/reports/roi_by_segment.csv",
    "outputs/simulations/optimal_allocation.json",
)
FIGURES = "outputs/figures/roi_curves"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process tree read from /proc"),
]


def _reduced_config(folder: Path) -> Path:
    shutil.copytree(ROOT / "config", folder)
    edits = {
        "data_config.yaml": {"synthetic": {"seed": 11, "n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 104}},
        "model_config.yaml": {"epochs": 3, "intervals": {"draws": 40}},
        "viz_config.yaml": {"dpi": 50, "max_workers": 2},
    }
    for name, changes in edits.items():
        data = yaml.safe_load((folder / name).read_text())
        for key, value in changes.items():
            data[key] = data[key] | value if isinstance(value, dict) else value
        (folder / name).write_text(yaml.safe_dump(data))
    return folder


def _mmm(project: Path, config: Path, steps: str, log: Path) -> subprocess.Popen[bytes]:
    """``mmm run`` on ``project`` as a process of its own, output to ``log``."""
    script = Path(sys.executable).with_name("mmm")
    command = (
        [str(script)] if script.is_file() else [sys.executable, "-c", "from mmm_analytics.cli.app import main; main()"]
    )
    with open(log, "wb") as out:
        return subprocess.Popen(
            [*command, "run", "--output-dir", str(project), "--config-dir", str(config), "--steps", steps],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"COLUMNS": "120"},
        )


def _complete(project: Path, config: Path, steps: str) -> None:
    log = project / f"{steps.replace(',', '_')}.log"
    code = _mmm(project, config, steps, log).wait(timeout=300)
    assert code == 0, log.read_text(errors="replace")


def _temp_files(project: Path) -> list[Path]:
    return [path for path in (project / "outputs").rglob(".*") if TEMP_NAME.fullmatch(path.name)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project with data, features and a trained model; and its config folder."""
    root = tmp_path_factory.mktemp("interrupts")
    config = _reduced_config(root / "config")
    project = root / "trained"
    project.mkdir()
    _complete(project, config, "data,features,train")
    return project, config


def _copy(trained: tuple[Path, Path], name: str) -> Path:
    project = trained[0].parent / name
    shutil.copytree(trained[0], project)
    return project


@pytest.fixture(scope="module")
def reference(trained: tuple[Path, Path]) -> Path:
    """The same steps, never interrupted."""
    project = _copy(trained, "reference")
    _complete(project, trained[1], STEPS)
    return project


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_run_killed_while_rendering_leaves_nothing_running_and_reruns_cleanly(
    trained: tuple[Path, Path], reference: Path, sig: signal.Signals
) -> None:
    project = _copy(trained, f"interrupted_{sig.name}")
    figures = project / FIGURES
    run = _mmm(project, trained[1], STEPS, project / "interrupted.log")
    deadline = time.monotonic() + 180
    while not (figures.is_dir() and any(figures.iterdir())):
        assert run.poll() is None, "the run ended before its figures were rendered"
        assert time.monotonic() < deadline, "no curve figure appeared"
        time.sleep(0.02)
    below = descendants(run.pid)
    assert below, "the curves step renders in worker processes"
    run.send_signal(sig)
    code = run.wait(timeout=60)
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 128 + signal.SIGTERM)
    assert not wait_until_gone(below, GONE_WITHIN), "a process outlived the run"
    assert not _temp_files(project), "the stopped workers removed their temp files"
    assert len(list(figures.glob("*.png"))) < len(list((reference / FIGURES).glob("*.png"))), "not interrupted"

    _complete(project, trained[1], STEPS)
    assert not _temp_files(project)
    assert sorted(p.name for p in figures.iterdir()) == sorted(p.name for p in (reference / FIGURES).iterdir())
    for table in TABLES:
        assert (project / table).read_bytes() == (reference / table).read_bytes(), table
