"""One writer per folder: a second process is refused in one line, a dead one frees the folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.utils.locks import LOCK_FILE, only_writer

HOLD = (
    "import sys, time\nfrom pathlib import Path\nfrom mmm_analytics.utils.locks import only_writer\n"
    "with only_writer(Path(sys.argv[1]), 'another training'):\n    print('held', flush=True)\n    time.sleep(60)\n"
)


def _holder(folder: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_is_refused_in_one_line_naming_the_first(tmp_path: Path) -> None:
    """Before, two 'mmm train' runs in one folder both ended with 0; the log held lines of both."""
    holder = _holder(tmp_path / "models")
    try:
        with pytest.raises(InputError) as caught, only_writer(tmp_path / "models", "another training"):
            pass
        message = str(caught.value)
        assert message.startswith(f"another training is writing '{tmp_path / 'models'}' now (process {holder.pid})")
        assert "wait for it to end, or write to another folder" in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_writer_frees_the_folder(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    holder.kill()  # SIGKILL: no clean-up of its own runs
    holder.wait()
    with only_writer(tmp_path, "another training"):
        assert (tmp_path / LOCK_FILE).read_text() == str(os.getpid())
    with only_writer(tmp_path, "another training"):  # and again, once released
        pass


def test_the_same_process_may_write_one_folder_after_another(tmp_path: Path) -> None:
    start = time.perf_counter()
    for _ in range(3):
        with only_writer(tmp_path / "a", "x"), only_writer(tmp_path / "b", "x"):
            pass
    assert time.perf_counter() - start < 5.0


def test_a_file_system_without_locks_locks_nothing_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a network file system without a lock service flock raises ENOLCK: that ended the training in a traceback."""
    import errno
    import fcntl

    def no_locks(handle: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with only_writer(tmp_path, "another training"):
        assert (tmp_path / LOCK_FILE).is_file()
