"""Imported by the figure workers' fork server as it starts (:data:`mmm_analytics.utils.workers.PRELOAD`):
a worker that cannot start because the run that asked for it has ended stays silent.

A Ctrl-C can end the run while the server forks a worker; the worker then finds the run's
semaphore or pipe gone as it reads its start-up data, and the server prints that error with
``sys.excepthook`` under the run's one "interrupted" line. The server's hook drops such an error
only when the run has indeed ended (within :data:`RUN_END_SECONDS`); any other error, or one of
those while the run goes on, is printed as usual.
"""

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType

type Report = Callable[[type[BaseException], BaseException, TracebackType | None], object]

#: Errors of a worker whose run is gone: its semaphore unlinked, its pipe closed.
RUN_GONE: tuple[type[BaseException], ...] = (FileNotFoundError, EOFError, ConnectionError, KeyboardInterrupt)
#: Seconds a worker waits for its run to end before it prints such an error after all.
RUN_END_SECONDS = 3.0
#: The run that started this fork server (the server's parent).
RUN_PID = os.getppid()


def run_has_ended(pid: int = RUN_PID, seconds: float = RUN_END_SECONDS) -> bool:
    """Whether process ``pid`` ends within ``seconds`` (already gone: True at once)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def quiet_when_run_gone(
    kind: type[BaseException],
    error: BaseException,
    trace: TracebackType | None,
    report: Report = sys.__excepthook__,
    run_ended: Callable[[], bool] = run_has_ended,
) -> None:
    """``sys.excepthook`` of the fork server: silent for :data:`RUN_GONE` once the run has ended,
    else ``report`` as usual."""
    if issubclass(kind, RUN_GONE) and run_ended():
        return
    report(kind, error, trace)


sys.excepthook = quiet_when_run_gone
