"""Figure workers: never forked, Agg backend, gone within seconds of their parent, temp files removed."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import as_completed
from pathlib import Path

import pytest

from mmm_analytics.utils.io import atomic_path
from mmm_analytics.utils.workers import (
    TEMP_NAME,
    remove_stale_temps,
    start_method,
    usable_workers,
    worker_context,
    worker_pool,
)

ROOT = Path(__file__).resolve().parents[2]
GONE_WITHIN = 10.0  # seconds after the parent's death


# --- jobs, run in the workers (this module is importable there) ------------------------------


def describe_worker() -> dict[str, object]:
    """What a worker sees: backend, SIGINT handling and heavy modules loaded."""
    import matplotlib

    return {
        "backend": matplotlib.get_backend().lower(),
        "env": os.environ.get("MPLBACKEND"),
        "sigint_ignored": signal.getsignal(signal.SIGINT) is signal.SIG_IGN,
        "glyph_warnings": _glyph_warnings(),
        "jax": "jax" in sys.modules,
        "keras": "keras" in sys.modules,
    }


def _glyph_warnings() -> int:
    """How many of matplotlib's missing-glyph warnings a figure drawing a CJK name would show."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # keeps the worker's filters
        warnings.warn(
            "Glyph 21697 (\\N{CJK UNIFIED IDEOGRAPH-54C1}) missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1
        )
    return len(caught)


def import_and_list(module: str) -> tuple[bool, bool]:
    """Import ``module``; then whether Keras and JAX are loaded."""
    importlib.import_module(module)
    return "keras" in sys.modules, "jax" in sys.modules


def write_slowly(path: str, seconds: float) -> str:
    """An atomic write that takes ``seconds``: its temp file exists meanwhile."""
    with atomic_path(path) as tmp:
        tmp.write_text("half a figure", encoding="utf-8")
        time.sleep(seconds)
    return path


def fail() -> None:
    raise ValueError("a figure failed")


def start_slowly(marker: str) -> None:
    """A worker initializer that takes a while: writes its pid to ``marker``, then sleeps."""
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60.0)


# --- process tree helpers (Linux /proc) --------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """State letter and parent pid of ``pid``, or None when it does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[1]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


PARENT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mmm_analytics.utils.workers import worker_pool
    from tests.utils import test_workers as jobs

    folder = Path(sys.argv[1])
    with worker_pool(2) as pool:
        futures = [pool.submit(jobs.write_slowly, str(folder / f"f{i}.png"), 120.0) for i in range(4)]
        while len(list(folder.glob(".f*.png"))) < 2:
            time.sleep(0.05)
        print("rendering", flush=True)
        for future in futures:
            future.result()
    """
)


def _start_parent(folder: Path) -> tuple[subprocess.Popen[str], set[int]]:
    """A process rendering with two workers, each in the middle of an atomic write; its descendants."""
    process = subprocess.Popen([sys.executable, "-c", PARENT, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "rendering"
    workers = descendants(process.pid)
    assert len(workers) >= 2
    return process, workers


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process tree read from /proc")


def test_workers_are_never_forked_from_the_parent() -> None:
    assert start_method() in ("forkserver", "spawn")
    assert worker_context().get_start_method() == start_method()


def test_a_worker_draws_with_agg_ignores_ctrl_c_and_has_no_jax() -> None:
    with worker_pool(1) as pool:
        seen = pool.submit(describe_worker).result()
    # glyph warnings: before, a CJK brand drew eight warning lines out of `mmm eda`'s workers
    expected = {"backend": "agg", "env": "Agg", "sigint_ignored": True, "glyph_warnings": 0, "jax": False}
    assert seen == expected | {"keras": False}


def test_a_bare_package_is_imported_without_its_init() -> None:
    module = "mmm_analytics.models.evaluation_figures"
    with worker_pool(1, bare_packages=("mmm_analytics.models",)) as pool:
        keras, jax = pool.submit(import_and_list, module).result()
    assert not keras and not jax


def test_a_failed_job_stops_the_others_instead_of_waiting(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ValueError, match="a figure failed"), worker_pool(2) as pool:
        futures = [pool.submit(write_slowly, str(tmp_path / "f0.png"), 120.0), pool.submit(fail)]
        futures += [pool.submit(write_slowly, str(tmp_path / f"f{i}.png"), 120.0) for i in (1, 2)]
        for future in as_completed(futures):
            future.result()
    assert time.monotonic() - start < 60.0
    assert not list(tmp_path.iterdir()), "the stopped workers removed their temp files"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_workers_die_with_their_parent_and_remove_their_temp_files(tmp_path: Path, sig: signal.Signals) -> None:
    process, workers = _start_parent(tmp_path)
    assert len(list(tmp_path.glob(".f*.png"))) >= 2
    os.kill(process.pid, sig)
    code = process.wait(timeout=30)
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 128 + signal.SIGTERM)
    assert not wait_until_gone(workers, GONE_WITHIN), "a worker outlived its parent"
    assert not list(tmp_path.iterdir()), "a worker left its temp file"


def test_the_temp_name_pattern_matches_atomic_writes(tmp_path: Path) -> None:
    seen: list[str] = []
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "roi_TV_A_NORTH.png") as tmp:
        seen.append(tmp.name)
        raise RuntimeError("interrupted")
    match = TEMP_NAME.fullmatch(seen[0])
    assert match is not None and match["stem"] == "roi_TV_A_NORTH" and match["suffix"] == ".png"


def test_remove_stale_temps_removes_only_temp_names(tmp_path: Path) -> None:
    stale = [tmp_path / ".roi_TV_A_NORTH.k3j2_h1g.png", tmp_path / ".channel_roi.abcdefgh.csv"]
    kept = [tmp_path / "roi_TV_A_NORTH.png", tmp_path / ".gitignore", tmp_path / ".notes.txt"]
    for path in stale + kept:
        path.write_text("x", encoding="utf-8")
    assert remove_stale_temps(tmp_path, suffixes={".png"}) == [stale[0]]
    assert remove_stale_temps(tmp_path, stems={"roi_by_segment"}) == []
    assert remove_stale_temps(tmp_path, stems={"channel_roi"}) == [stale[1]]
    assert all(path.exists() for path in kept)
    assert remove_stale_temps(tmp_path / "missing") == []


def test_no_more_figure_processes_than_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, '--workers 32' on 2 cores started 32 processes, each with its own matplotlib and data."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert [usable_workers(n) for n in (1, 2, 32)] == [1, 2, 2]


def test_a_ctrl_c_while_the_fork_server_starts_is_left_to_the_parent() -> None:
    """Before, a Ctrl-C while the server imported its preload (about a second) killed it with a
    traceback printed under the parent's one line; now the server starts with SIGINT ignored (the
    parent's to handle), and still serves the workers after it."""
    if start_method() != "forkserver":
        pytest.skip("no fork server on this platform")
    script = textwrap.dedent(
        """
        import multiprocessing.forkserver, os, signal
        from concurrent.futures import ProcessPoolExecutor
        from mmm_analytics.utils.workers import worker_context
        context = worker_context()
        os.kill(multiprocessing.forkserver._forkserver._forkserver_pid, signal.SIGINT)
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            print(pool.submit(abs, -3).result())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "3", done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr


def test_a_worker_stopped_while_it_starts_says_nothing(tmp_path: Path) -> None:
    """Before, a SIGTERM while a worker ran its initializer (importing matplotlib's fonts at the start
    of `mmm eda`) printed the executor's 'Exception in initializer' with a `_Stop: 143` traceback
    under the run's own words; now the worker ends quietly with status 143."""
    marker = tmp_path / "worker.pid"
    script = textwrap.dedent(
        f"""
        import sys
        from concurrent.futures.process import BrokenProcessPool
        from mmm_analytics.utils.workers import worker_pool
        from tests.utils import test_workers as jobs
        try:
            with worker_pool(1, jobs.start_slowly, ({str(marker)!r},)) as pool:
                pool.submit(abs, -3).result()
        except BrokenProcessPool:
            sys.exit(3)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60.0
    while not (marker.exists() and marker.read_text(encoding="utf-8")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(int(marker.read_text(encoding="utf-8")), signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3
    assert "Traceback" not in stderr and "_Stop" not in stderr, stderr
