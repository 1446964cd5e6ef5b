"""The fork server's hook: a worker whose run is ending stays silent; every other error is printed."""

from __future__ import annotations

import sys

import pytest

from mmm_analytics.utils.fork_server import RUN_GONE, quiet_when_run_gone
from mmm_analytics.utils.workers import worker_pool


@pytest.mark.parametrize("kind", RUN_GONE)
def test_an_error_of_a_run_that_is_gone_is_not_printed(kind: type[BaseException]) -> None:
    """Before, a Ctrl-C during 'mmm curves' could print 'FileNotFoundError' from SemLock._rebuild
    (a worker started as the run ended) under the one 'interrupted' line."""
    printed: list[type[BaseException]] = []
    quiet_when_run_gone(kind, kind(), None, report=lambda k, e, t: printed.append(k))
    assert printed == []


def test_any_other_error_is_printed() -> None:
    printed: list[type[BaseException]] = []
    quiet_when_run_gone(ValueError, ValueError("x"), None, report=lambda k, e, t: printed.append(k))
    assert printed == [ValueError]


def _hook_name() -> str:
    return sys.excepthook.__name__


def test_the_workers_fork_server_has_the_hook() -> None:
    with worker_pool(1) as pool:
        assert pool.submit(_hook_name).result() == "quiet_when_run_gone"
