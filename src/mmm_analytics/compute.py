"""Where work that fans out runs: here, one task after another, or as Ray tasks.

:func:`run_tasks` has the shape of ``Executor.map``: ``fn(*shared, item)`` for each item, results
in the order of ``items``. The tasks are pure functions of plain inputs (arrays, configs, seeds),
so both backends give the same numbers.

- ``local`` (the default): in this process, in order, exactly as a plain loop.
- ``ray``: one Ray task per item (1 CPU each). The driver connects to the cluster at
  ``RAY_ADDRESS`` when it is set, else starts a local Ray instance of ``os.cpu_count()`` CPUs
  that lives as long as this process. ``shared`` values go to the object store once. Every
  task runs with the numerical backend's variables (:data:`mmm_analytics.backend.DEFAULTS`,
  the driver's values where it has them), so Keras and JAX start on JAX, CPU, float64, and
  with the driver's BLAS thread count, so NumPy sums in the same order. SIGTERM ends the driver
  with status 143 and no words, as it does without Ray.

Ray is an optional extra and is imported only on the ``ray`` path.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Any, assert_never

from mmm_analytics.backend import DEFAULTS
from mmm_analytics.errors import InputError
from mmm_analytics.utils.workers import Terminated, usable_cpus

#: How to get the Ray extra, for the error when it is missing.
RAY_INSTALL = "pip install 'mmm-analytics[ray]'"
#: The environment variable that names a running Ray cluster (``ray start`` prints it).
RAY_ADDRESS = "RAY_ADDRESS"
#: BLAS thread counts a Ray task takes from the driver (see :func:`task_environment`).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Backend(StrEnum):
    """Where independent tasks run."""

    LOCAL = "local"
    RAY = "ray"


def run_tasks[R](
    fn: Callable[..., R],
    items: Iterable[Any],
    backend: Backend | str = Backend.LOCAL,
    shared: Sequence[Any] = (),
    on_result: Callable[[R], None] | None = None,
) -> list[R]:
    """``[fn(*shared, item) for item in items]`` on ``backend``.

    Parameters
    ----------
    fn : callable
        A module-level function (Ray ships it by reference to the workers).
    items : iterable
        One task per item.
    backend : Backend or its name
    shared : sequence
        Leading arguments common to every task (e.g. the panel); Ray stores them once.
    on_result : callable, optional
        Called with each result in the order of ``items`` as soon as it and those before it are done.

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    match Backend(backend):
        case Backend.LOCAL:
            results = []
            for item in items:
                results.append(fn(*shared, item))
                if on_result is not None:
                    on_result(results[-1])
            return results
        case Backend.RAY:
            return _run_on_ray(fn, list(items), shared, on_result)
        case _ as never:
            assert_never(never)


def task_environment() -> dict[str, str]:
    """The variables every Ray task starts with: the backend's (the driver's, else :data:`DEFAULTS`)
    and the driver's BLAS thread counts.

    Ray runs a task with ``OMP_NUM_THREADS=1`` unless told otherwise, and another thread count
    changes the last digits of NumPy's multi-threaded sums; so a task gets the driver's value,
    else the CPUs the driver's BLAS uses (those this process may run on).
    """
    environment = {name: os.environ.get(name, value) for name, value in DEFAULTS.items()}
    environment |= {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ}
    environment.setdefault("OMP_NUM_THREADS", str(usable_cpus()))
    return environment


def require_ray() -> Any:
    """The ``ray`` module; :class:`InputError` saying how to install it when it is missing."""
    try:
        import ray
    except ImportError:
        raise InputError(
            f"--backend ray (or compute.backend: ray in model_config.yaml) needs Ray, which is not installed; "
            f"run {RAY_INSTALL} or use --backend local"
        ) from None
    return ray


#: The logger of Ray's notice that a new local instance has token authentication on.
_RAY_AUTH_NOTICE = "ray._private.authentication.authentication_token_setup"


def connect_ray(num_cpus: int | None = None) -> Any:
    """The ``ray`` module, connected: to ``RAY_ADDRESS`` when set, else to a new local instance
    of ``num_cpus`` CPUs (default ``os.cpu_count()``). Does nothing when already connected."""
    ray = require_ray()
    if not ray.is_initialized():
        import logging

        address = os.environ.get(RAY_ADDRESS) or None
        before = signal.getsignal(signal.SIGTERM)
        # A local instance of this process' own gets Ray's default token authentication without the notice
        # of it, which names a setting this project does not have; a cluster's own settings speak for themselves.
        notice = logging.getLogger(_RAY_AUTH_NOTICE)
        level = notice.level
        if address is None:
            notice.setLevel(logging.ERROR)
        try:
            with warnings.catch_warnings():
                # JAX warns of a deadlock at every fork once it has started; Ray's processes are forked
                # and at once replaced by a new program (fork + exec), which runs none of this process' threads.
                warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
                ray.init(
                    address=address or "local",
                    num_cpus=None if address else (num_cpus or os.cpu_count()),
                    runtime_env={"env_vars": task_environment()},
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                )
        finally:
            notice.setLevel(level)
        _sigterm_as_before(before)
    return ray


def _sigterm_as_before(before: Any) -> None:
    """Let SIGTERM end this process as it did before Ray was started: through ``before`` (the Python
    handler then), else with exit status 143 and no words. ``ray.init`` sets a handler of its own
    and a native failure handler that printed stack dumps and aborted (status 134); the handler set
    here raises :class:`~mmm_analytics.utils.workers.Terminated`, so the program unwinds and Ray
    shuts down at exit."""
    if threading.current_thread() is not threading.main_thread():
        return
    if callable(before):
        signal.signal(signal.SIGTERM, before)
        return

    def terminated(signum: int, _frame: object) -> None:
        _terminated.set()
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, terminated)


#: Set once SIGTERM reached the driver: Ray turns the exception of the handler into ``SystemExit(1)``
#: when it lands in a blocking ``ray.get``, and the program ends with 143 all the same.
_terminated = threading.Event()


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """The body of every Ray task."""
    return fn(*args)


def cancel_unfinished(ray: Any, refs: Sequence[Any]) -> None:
    """Cancel the tasks of ``refs`` that have not finished, leaving their workers alive.

    Killing a worker (``force=True``) whose task's reply is already on its way crashes the driver
    (a failed check in Ray's task manager: "Tried to complete task that was not pending"), so a
    finished task is left alone and a running one is interrupted rather than killed; the workers go
    with the cluster when the program ends."""
    if not refs:
        return
    _, unfinished = ray.wait(list(refs), num_returns=len(refs), timeout=0)
    for ref in unfinished:
        ray.cancel(ref, force=False)


def _run_on_ray[R](
    fn: Callable[..., R], items: list[Any], shared: Sequence[Any], on_result: Callable[[R], None] | None
) -> list[R]:
    """Submit one task per item, then collect in order; on any error the rest are cancelled."""
    ray = connect_ray()
    task = ray.remote(num_cpus=1, max_retries=0)(_call)
    stored = [ray.put(value) for value in shared]
    pending = [task.remote(fn, *stored, item) for item in items]
    results: list[R] = []
    try:
        for ref in pending:
            results.append(ray.get(ref))
            if on_result is not None:
                on_result(results[-1])
    except BaseException as error:
        if _terminated.is_set():
            raise Terminated(128 + signal.SIGTERM) from None
        cancel_unfinished(ray, pending[len(results) + 1 :])  # the task that raised has finished
        cause = getattr(error, "cause", None)
        if isinstance(error, ray.exceptions.RayTaskError) and isinstance(cause, InputError):
            raise cause from None  # a user's mistake stays one line
        raise
    return results
