"""Exclusive locks: one writer per folder (``mmm train`` its model folder, :func:`only_writer`), and the
reports of a folder rewritten one run at a time (:func:`exclusive`, used by :mod:`mmm_analytics.style.page`).

The locks are the operating system's (``flock``), so a process that dies (killed, out of memory) frees
them with no file left to clean. Where the system has none (Windows) or the file system takes none (a
network file system without a lock service: ``ENOLCK``), nothing is locked. Before, two ``mmm train`` runs
in one folder both ended with status 0, the first reporting a model the second had overwritten, and
``training_log.csv`` held lines of both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mmm_analytics.errors import InputError

#: The lock file a folder's writer holds (hidden; its content is the writer's process id).
LOCK_FILE = ".writing.lock"


def exclusive(handle: int, *, wait: bool) -> bool:
    """Lock the open file or folder ``handle`` (closing it frees the lock): True once locked, or where nothing can
    be locked; False when another process holds it and ``wait`` is False."""
    if sys.platform == "win32":
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:  # ENOLCK: a file system without locks
        return True
    return True


@contextmanager
def only_writer(folder: Path, what: str) -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs; another process holding it is an :class:`InputError`
    naming ``what`` writes there (``a training``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not exclusive(handle, wait=False):
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise InputError(f"{what} is writing '{folder}' now{who}; wait for it to end, or write to another folder")
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(handle)  # frees the lock
