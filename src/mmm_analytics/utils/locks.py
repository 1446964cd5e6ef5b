"""One writer per folder: a step that rewrites a whole folder (``mmm train`` its model folder) holds an
exclusive lock on a file in it while it runs.

The lock is the operating system's (``flock``), so a process that dies (killed, out of memory) frees it
with no file left to clean. Before, two ``mmm train`` runs in one folder both ended with status 0, the
first reporting a model the second had overwritten, and ``training_log.csv`` held lines of both.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mmm_analytics.errors import InputError

#: The lock file a folder's writer holds (hidden; its content is the writer's process id).
LOCK_FILE = ".writing.lock"


@contextmanager
def only_writer(folder: Path, what: str) -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs; another process holding it is an :class:`InputError`
    naming ``what`` writes there (``a training``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise InputError(
                f"{what} is writing '{folder}' now{who}; wait for it to end, or write to another folder"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(handle)  # frees the lock
