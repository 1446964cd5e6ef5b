"""Imported by the figure workers' fork server as it starts (:data:`mmm_analytics.utils.workers.PRELOAD`):
a worker that cannot start because the run that asked for it is ending stays silent.

A Ctrl-C can end the run while the server forks a worker; the worker then finds the run's
semaphore or pipe gone as it reads its start-up data, and the server prints that error with
``sys.excepthook`` under the run's one "interrupted" line. Those errors say only that the run
ended (the run itself reports any job that fails), so the server's hook drops them and passes
every other error on.
"""

import sys
from collections.abc import Callable
from types import TracebackType

type Report = Callable[[type[BaseException], BaseException, TracebackType | None], object]

#: Errors of a worker whose run is gone: its semaphore unlinked, its pipe closed.
RUN_GONE: tuple[type[BaseException], ...] = (FileNotFoundError, EOFError, ConnectionError, KeyboardInterrupt)


def quiet_when_run_gone(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None, report: Report = sys.__excepthook__
) -> None:
    """``sys.excepthook`` of the fork server: silent for :data:`RUN_GONE`, else ``report`` as usual."""
    if issubclass(kind, RUN_GONE):
        return
    report(kind, error, trace)


sys.excepthook = quiet_when_run_gone
