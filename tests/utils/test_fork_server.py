"""The fork server's hook: a worker whose run has ended stays silent; every other error is printed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mmm_analytics.utils.fork_server import RUN_GONE, quiet_when_run_gone, run_has_ended
from mmm_analytics.utils.workers import worker_pool


def _printed(kind: type[BaseException], *, ended: bool) -> list[type[BaseException]]:
    printed: list[type[BaseException]] = []
    quiet_when_run_gone(kind, kind(), None, report=lambda k, e, t: printed.append(k), run_ended=lambda: ended)
    return printed


@pytest.mark.parametrize("kind", RUN_GONE)
def test_an_error_of_a_run_that_has_ended_is_not_printed(kind: type[BaseException]) -> None:
    """Before, a Ctrl-C during 'mmm curves' could print 'FileNotFoundError' from SemLock._rebuild
    (a worker started as the run ended) under the one 'interrupted' line."""
    assert _printed(kind, ended=True) == []


@pytest.mark.parametrize("kind", RUN_GONE)
def test_the_same_error_while_the_run_goes_on_is_printed(kind: type[BaseException]) -> None:
    """A worker that cannot read a file its job needs, its run alive: the run would only say that
    the pool broke, so the worker's own error is printed."""
    assert _printed(kind, ended=False) == [kind]


def test_any_other_error_is_printed() -> None:
    assert _printed(ValueError, ended=True) == [ValueError]


def test_run_has_ended_waits_for_the_process() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert run_has_ended(ended.pid, seconds=0.0)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not run_has_ended(alive.pid, seconds=0.2)
    finally:
        alive.kill()
        alive.wait()


def _hook_name() -> str:
    return sys.excepthook.__name__


def test_the_workers_fork_server_has_the_hook() -> None:
    with worker_pool(1) as pool:
        assert pool.submit(_hook_name).result() == "quiet_when_run_gone"
