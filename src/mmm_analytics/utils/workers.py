"""Worker processes for figures that never outlive the run that started them.

- Start method: ``forkserver`` where the platform has it, else ``spawn``; never a ``fork``
  of a parent whose JAX threads are running. The fork server starts once per process with
  matplotlib, seaborn and pandas imported, so every pool after the first starts its
  workers in a fraction of a second.
- In a worker: matplotlib's Agg backend (``MPLBACKEND``), no warning per missing glyph; SIGINT ignored (the parent
  decides); SIGTERM unwinds the figure being written, so its temp file is removed, and
  ends the process; the parent's death delivers that SIGTERM (Linux ``PR_SET_PDEATHSIG``,
  and a watchdog thread that polls the parent pid on every platform).
- In the parent, :func:`worker_pool` turns SIGTERM into :class:`Terminated` while the pool
  runs, and on any exception (Ctrl-C included) cancels the queued jobs and stops the
  workers instead of waiting for them.
- :func:`remove_stale_temps` deletes temp files that a killed atomic write
  (:func:`mmm_analytics.utils.io.atomic_path`) left in a folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import multiprocessing
import multiprocessing.forkserver
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from mmm_analytics.utils.matplotlib_env import quiet_missing_glyphs

#: Modules the fork server imports once, so that workers start with them loaded.
#: The first keeps a worker that cannot start because its run is ending silent (see its docs).
PRELOAD: tuple[str, ...] = (
    "mmm_analytics.utils.fork_server",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
)
#: Seconds between two checks of the parent pid in a worker.
WATCH_SECONDS = 0.2
#: Seconds a stopped worker gets to remove its temp file before it is killed.
STOP_SECONDS = 5.0
#: Exit status of a process ended by SIGTERM (128 + 15), as shells report it.
SIGTERM_STATUS = 128 + signal.SIGTERM
#: Names of the temp files of ``atomic_path``: ``.{stem}.{8 random characters}{suffix}``
#: (``tempfile.mkstemp`` draws the characters from a-z, 0-9 and ``_``).
TEMP_NAME = re.compile(r"\.(?P<stem>.+)\.[a-z0-9_]{8}(?P<suffix>\.[A-Za-z0-9]+)?")
_PR_SET_PDEATHSIG = 1


class Terminated(SystemExit):
    """SIGTERM reached the parent while a worker pool ran; exits with status 143."""


class _Stop(SystemExit):
    """SIGTERM reached a worker: unwinds the job (removing its temp file), then the worker exits."""


def start_method() -> str:
    """``forkserver`` where available (Linux, macOS), else ``spawn``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def worker_context() -> BaseContext:
    """The multiprocessing context of the figure workers; starts the fork server once, preloaded."""
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        _start_fork_server(context)
    return context


_server_lock = threading.Lock()


def _start_fork_server(context: BaseContext) -> None:
    """Start this process's fork server (a fresh interpreter, no JAX) with :data:`PRELOAD` and Agg."""
    with _server_lock:
        context.set_forkserver_preload(["__main__", *PRELOAD])  # no effect once the server runs
        previous = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"
        try:
            with _server_ignores_ctrl_c():
                multiprocessing.forkserver.ensure_running()
        finally:
            if previous is None:
                del os.environ["MPLBACKEND"]
            else:
                os.environ["MPLBACKEND"] = previous


@contextlib.contextmanager
def _server_ignores_ctrl_c() -> Iterator[None]:
    """Start the fork server with SIGINT ignored, which it keeps across its exec: a Ctrl-C is the
    parent's to handle. Before, one that came while the server imported its preload ended the server
    with a traceback under the parent's one line. The parent holds SIGINT blocked meanwhile, so a
    Ctrl-C in that moment reaches it after, not never."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


# --- inside a worker -------------------------------------------------------------------------

_stopping = threading.Event()


def _on_sigterm(signum: int, _frame: object) -> None:
    """First SIGTERM: raise :class:`_Stop` in the main thread, and end the process after
    :data:`STOP_SECONDS` whatever it is doing by then. Later ones are ignored."""
    if _stopping.is_set():
        return
    _stopping.set()
    timer = threading.Timer(STOP_SECONDS, os._exit, (128 + signum,))
    timer.daemon = True
    timer.start()
    raise _Stop(128 + signum)


def _parent_alive(parent: int) -> bool:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(parent: int, ppid: int) -> None:
    """Send this process SIGTERM once its parent (the fork server or ``parent``) is gone."""
    while os.getppid() == ppid and _parent_alive(parent):
        time.sleep(WATCH_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def _set_parent_death_signal() -> None:
    """Linux: the kernel sends SIGTERM to this process when its parent exits."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _bare_package(name: str) -> None:
    """Register package ``name`` without running its ``__init__``, so its submodules import alone."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        return
    sys.modules[name] = importlib.util.module_from_spec(spec)


def _start_worker(
    parent: int,
    bare_packages: tuple[str, ...],
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> None:
    """Set up a worker: signals, parent watch, ``MPLBACKEND=Agg``, then ``initializer(*initargs)``.

    A worker stopped while it starts exits with status 143 and says nothing (the executor would
    log the stop as a failed initializer, with its traceback).
    """
    ppid = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _set_parent_death_signal()
        threading.Thread(target=_watch_parent, args=(parent, ppid), name="parent-watch", daemon=True).start()
        os.environ["MPLBACKEND"] = "Agg"  # matplotlib reads it on import (the fork server's was started with it)
        quiet_missing_glyphs()
        for name in bare_packages:
            _bare_package(name)
        if initializer is not None:
            initializer(*initargs)
    except _Stop:
        os._exit(SIGTERM_STATUS)


def _run_job(fn: Callable[..., Any], *args: Any) -> Any:
    """Run one job; a worker told to stop exits once the job's cleanup has run."""
    if _stopping.is_set():
        os._exit(SIGTERM_STATUS)
    try:
        return fn(*args)
    except _Stop:
        os._exit(SIGTERM_STATUS)


# --- in the parent ---------------------------------------------------------------------------


class WorkerPool:
    """The jobs side of :func:`worker_pool`: ``submit`` and ``map`` as on an executor."""

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self._executor = executor

    def submit[T](self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        return self._executor.submit(_run_job, fn, *args)

    def map[T](self, fn: Callable[..., T], *iterables: Iterable[Any], chunksize: int = 1) -> Iterator[T]:
        return self._executor.map(functools.partial(_run_job, fn), *iterables, chunksize=chunksize)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While active, SIGTERM raises :class:`Terminated` in the main thread (when nothing else handles it)."""
    in_main = threading.current_thread() is threading.main_thread()
    if not in_main or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop_workers(executor: ProcessPoolExecutor) -> None:
    """Cancel the queued jobs and end the workers: SIGTERM, :data:`STOP_SECONDS` to clean up, then SIGKILL."""
    processes = list((executor._processes or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(1.0)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def usable_workers(workers: int) -> int:
    """``workers`` capped at :func:`usable_cpus`: more figure processes than CPUs draw no faster and
    each holds its own copy of matplotlib and the data (``--workers 32`` on 2 cores used about three
    times the memory of 2)."""
    return max(1, min(workers, usable_cpus()))


@contextlib.contextmanager
def worker_pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    bare_packages: Collection[str] = (),
) -> Iterator[WorkerPool]:
    """A pool of ``workers`` figure processes that end with the run.

    Parameters
    ----------
    workers : int
        Number of worker processes (>= 1), at most the CPUs available (:func:`usable_workers`).
    initializer, initargs : callable and its arguments, run once in every worker.
    bare_packages : names of packages whose ``__init__`` the workers skip when a job imports
        one of their modules (e.g. one that loads Keras on import).

    On leaving normally the pool waits for its jobs; on an exception (SIGTERM, Ctrl-C, a
    failed job) it cancels what is queued and stops the workers, then re-raises.
    """
    executor = ProcessPoolExecutor(
        max_workers=usable_workers(workers),
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), tuple(bare_packages), initializer, initargs),
    )
    try:
        with sigterm_raises():
            yield WorkerPool(executor)
            executor.shutdown(wait=True)
    except BaseException:
        stop_workers(executor)
        raise


def remove_stale_temps(
    folder: Path, suffixes: Collection[str] | None = None, stems: Collection[str] | None = None
) -> list[Path]:
    """Delete the temp files a killed atomic write left in ``folder`` (see :data:`TEMP_NAME`).

    Only files of that name pattern go, and of those only the ones whose suffix (``.png``)
    is in ``suffixes`` and whose stem (``roi_TV_A_NORTH``) is in ``stems``, where given.
    Returns the removed paths.
    """
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        match = TEMP_NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        if suffixes is not None and (match["suffix"] or "") not in suffixes:
            continue
        if stems is not None and match["stem"] not in stems:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed
