"""The fan-out seam: the local backend is a plain loop; the Ray backend (a local instance of
2 CPUs, started once for the module) gives exactly the same results, in the same order."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mmm_analytics.backend import DEFAULTS
from mmm_analytics.compute import (
    THREAD_VARIABLES,
    Backend,
    cancel_unfinished,
    require_ray,
    run_tasks,
    task_environment,
)
from mmm_analytics.errors import InputError

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAS_RAY, reason="Ray is not installed (pip install 'mmm-analytics[ray]')")


def _draws(scale: float, seed: int) -> np.ndarray:
    """A seeded task: three normal draws times ``scale``."""
    return scale * np.random.default_rng(seed).standard_normal(3)


def _environment(_item: int) -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in (*DEFAULTS, *THREAD_VARIABLES) if name in os.environ}


def _fails(item: int) -> int:
    if item == 1:
        raise InputError("selection.folds: 0 is too few; give 1 or more")
    return item


def test_local_runs_in_order_with_the_shared_arguments_first() -> None:
    seen: list[np.ndarray] = []
    results = run_tasks(_draws, [3, 1, 2], "local", shared=(2.0,), on_result=seen.append)
    expected = [2.0 * np.random.default_rng(seed).standard_normal(3) for seed in (3, 1, 2)]
    for got, want, reported in zip(results, expected, seen, strict=True):
        np.testing.assert_array_equal(got, want)
        assert reported is got


def test_local_is_the_default_and_runs_nothing_for_no_items() -> None:
    assert run_tasks(_draws, []) == []
    assert Backend("local") is Backend.LOCAL


def test_an_unknown_backend_names_the_choices() -> None:
    with pytest.raises(ValueError, match="'dask' is not a valid Backend"):
        run_tasks(_draws, [1], "dask")


def test_without_ray_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # ``import ray`` now raises ImportError
    with pytest.raises(InputError, match=r"needs Ray.*pip install 'mmm-analytics\[ray\]'.*--backend local"):
        require_ray()
    with pytest.raises(InputError, match="needs Ray"):
        run_tasks(_draws, [1], Backend.RAY, shared=(1.0,))


def test_tasks_get_the_drivers_backend_variables_else_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAX_ENABLE_X64", "0")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    environment = task_environment()
    assert environment["JAX_ENABLE_X64"] == "0"
    assert environment["TF_CPP_MIN_LOG_LEVEL"] == DEFAULTS["TF_CPP_MIN_LOG_LEVEL"]
    assert set(DEFAULTS) <= set(environment)


@pytest.mark.parametrize(
    "driver, expected",
    [({"OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "2"}, {"OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "2"}), ({}, None)],
    ids=["driver-sets-them", "driver-leaves-them"],
)
def test_tasks_get_the_drivers_blas_threads(
    driver: dict[str, str], expected: dict[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ray would run tasks on one BLAS thread; the driver's count keeps NumPy's sums in the same order."""
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in driver.items():
        monkeypatch.setenv(name, value)
    threads = {k: v for k, v in task_environment().items() if k in THREAD_VARIABLES}
    assert threads == (expected or {"OMP_NUM_THREADS": str(len(os.sched_getaffinity(0)))})


@needs_ray
def test_ray_gives_the_local_results_in_order(ray: Any) -> None:
    assert ray.cluster_resources()["CPU"] == 2
    seeds = [5, 0, 9, 2]
    seen: list[np.ndarray] = []
    remote = run_tasks(_draws, seeds, Backend.RAY, shared=(0.5,), on_result=seen.append)
    local = run_tasks(_draws, seeds, Backend.LOCAL, shared=(0.5,))
    assert len(remote) == len(seen) == len(seeds)
    for got, want, reported in zip(remote, local, seen, strict=True):
        np.testing.assert_array_equal(got, want)  # exact: same seeds, same numbers
        np.testing.assert_array_equal(reported, want)


@needs_ray
def test_ray_tasks_start_on_the_numerical_backend(ray: Any) -> None:
    [environment] = run_tasks(_environment, [0], Backend.RAY)
    assert environment == task_environment()


@needs_ray
def test_a_users_mistake_in_a_ray_task_stays_one_line(ray: Any) -> None:
    with pytest.raises(InputError) as raised:
        run_tasks(_fails, [0, 1, 2], Backend.RAY)
    assert str(raised.value) == "selection.folds: 0 is too few; give 1 or more"


@needs_ray
@pytest.mark.slow
def test_form_selection_on_ray_scores_exactly_as_locally(ray: Any) -> None:
    """Real fits of one form on two folds of a small panel: the first fold from scratch in one
    task, the second warm-started from it in another; the same errors and weights (exactly) and
    the same choice on both backends."""
    from mmm_analytics.config.data import SyntheticSettings
    from mmm_analytics.models.fitting import forecast_fit
    from mmm_analytics.models.selection import select_forms
    from mmm_analytics.synthetic import generate_panel
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config()
    panel = to_feature_panel(
        generate_panel(SyntheticSettings(seed=4, n_geos=1, n_brands=2, n_skus=1, n_weeks=80)), config
    )
    small = config.model.model_copy(
        update={"max_lag": 4, "selection": config.model.selection.model_copy(update={"epochs": 1, "fold_weeks": 6})}
    )
    local = select_forms(panel, small.with_backend(Backend.LOCAL), forecast_fit)
    remote = select_forms(panel, small.with_backend(Backend.RAY), forecast_fit)
    assert len(local.folds) == 2 and [c.name for c in remote.candidates] == [c.name for c in local.candidates]
    for got, want in zip(remote.candidates, local.candidates, strict=True):
        np.testing.assert_array_equal(got.errors, want.errors)  # exact: same inputs, same compiled fits
        assert len(got.starts) == len(want.starts) == 2
        for got_start, want_start in zip(got.starts, want.starts, strict=True):
            np.testing.assert_array_equal(got_start.theta, want_start.theta)
    assert (remote.carryover, remote.saturation, remote.reason) == (local.carryover, local.saturation, local.reason)


class _FakeRay:
    """Records what is cancelled and how; ``done`` are the refs that have finished."""

    def __init__(self, done: set[str]) -> None:
        self.done = done
        self.cancelled: list[tuple[str, bool]] = []

    def wait(self, refs: list[str], num_returns: int, timeout: float) -> tuple[list[str], list[str]]:
        assert num_returns == len(refs) and timeout == 0
        return [r for r in refs if r in self.done], [r for r in refs if r not in self.done]

    def cancel(self, ref: str, force: bool) -> None:
        self.cancelled.append((ref, force))


def test_only_unfinished_tasks_are_cancelled_and_their_workers_not_killed() -> None:
    """Before, every task after the failed one (and the failed one) was cancelled with force=True: a
    kill racing a finished task's reply crashed the driver inside Ray ("Tried to complete task that
    was not pending"), which ended a test run without a word."""
    fake = _FakeRay(done={"b"})
    cancel_unfinished(fake, ["b", "c", "d"])
    assert fake.cancelled == [("c", False), ("d", False)]
    cancel_unfinished(fake, [])
    assert len(fake.cancelled) == 2


def wait_in_a_task(seconds: float) -> float:
    """A task that runs until the driver is stopped."""
    time.sleep(seconds)
    return seconds


STOPPED_DRIVER = textwrap.dedent(
    """
    import os, signal, threading
    from mmm_analytics.compute import run_tasks
    from tests import test_compute as jobs

    threading.Timer(8.0, os.kill, (os.getpid(), signal.SIGTERM)).start()  # while ray.get waits on the task
    run_tasks(jobs.wait_in_a_task, [120.0], "ray")
    """
)


def _run_driver(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a Python of its own from the project root (3 minutes at most), its output captured."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=180,
        env={**{k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}, "KERAS_BACKEND": "jax"},
    )


@needs_ray
def test_a_driver_stopped_while_ray_tasks_run_ends_quietly_with_143() -> None:
    """Before, SIGTERM (a job scheduler, 'timeout') made Ray's native handler print stack dumps and abort
    (exit 134); once that was replaced, Ray turned the stop inside ray.get into a silent exit 1."""
    done = _run_driver(STOPPED_DRIVER)
    assert done.returncode == 143, done.stderr[-2000:]
    assert "SIGTERM received" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


FORKING_DRIVER = textwrap.dedent(
    """
    import jax.numpy as jnp
    from mmm_analytics.compute import connect_ray

    jnp.zeros(1).block_until_ready()  # JAX started, as in mmm benchmark before its Ray tasks
    connect_ray(num_cpus=1).shutdown()
    """
)


@needs_ray
def test_starting_ray_after_jax_prints_no_fork_warning_nor_token_notice() -> None:
    """Before, mmm benchmark --backend ray printed JAX's "os.fork() was called ... will likely lead to a
    deadlock" as Ray started its processes (forked, then replaced by a new program at once)."""
    done = _run_driver(FORKING_DRIVER)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "os.fork()" not in done.stderr, done.stderr[-2000:]
    # Before, every local instance printed Ray's "Token authentication is enabled for this Ray cluster. Set
    # RAY_AUTH_MODE=disabled to opt out", a setting of Ray's that no command here asks for.
    assert "Token authentication" not in done.stderr, done.stderr[-2000:]
