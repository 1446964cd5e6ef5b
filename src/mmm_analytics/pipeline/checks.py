"""Checks on the paths a command reads and writes, before any work: one line naming the option and the fix."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import NAME_MAX, require_readable

#: Longest path Linux allows (bytes, with the final NUL).
PATH_MAX = 4096
#: Paths longer than this (characters) are shortened in messages.
SHOWN_PATH_MAX = 100


def shown_path(path: str | Path) -> str:
    """``path`` for a one-line message: long paths keep their start and end and say their length."""
    text = str(path)
    if len(text) <= SHOWN_PATH_MAX:
        return text
    return f"{text[:40]}...{text[-40:]} ({len(text):,} characters)"


def require_file(path: Path, made_by: str) -> Path:
    """Raise a one-line error naming ``path`` and the command that makes it when it is not a readable file."""
    file = Path(path)
    require_readable(file, f"run '{made_by}' first (or pass its path)", shown_path(file))
    return file


def check_files_to_write(files: Sequence[Path]) -> None:
    """Before any work: raise a one-line error when one of ``files``, which the command writes at its end,
    is a folder (or a device, pipe or socket), so that the run does not stop there after all its work."""
    for file in files:
        if file.exists() and not file.is_file():
            what = "a folder" if file.is_dir() else "not a regular file (a device, pipe or socket)"
            raise InputError(
                f"'{shown_path(file)}' is {what}, where this command writes its file; remove or rename it, or "
                "choose another output folder"
            )


#: Kinds of file the pipeline reads: an output of another kind is not written over one of them.
INPUT_SUFFIXES = (".csv", ".parquet", ".json", ".npz", ".keras", ".yaml", ".yml")
#: Kinds of file a user may name for an output, by suffix: a file output of one kind is not
#: written under another's name.
WRITTEN_KINDS = {
    ".csv": "CSV",
    ".parquet": "Parquet",
    ".json": "JSON",
    ".html": "HTML",
    ".htm": "HTML",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".xlsx": "an Excel workbook",
    ".png": "a PNG image",
    ".pdf": "PDF",
}


def _check_not_an_input(target: Path, where: str, suffix: str, reads: Sequence[Path]) -> None:
    """Refuse a file output that would replace an input: an existing file of an input kind other than
    the ``suffix`` written, the very file the command reads, or a file of an input kind directly in a
    folder it reads (the model folder), whether or not it exists yet; and one named as a known kind
    (:data:`WRITTEN_KINDS`) other than the one written."""
    kind = target.suffix.lower()
    if suffix and target.is_file() and kind in INPUT_SUFFIXES and kind != suffix:
        raise InputError(
            f"{where} is a {target.suffix} file that exists, and this writes {suffix}: it would be replaced; "
            f"give a new path or one ending in {suffix}"
        )
    if suffix and kind in WRITTEN_KINDS and kind != suffix and not (kind == ".htm" and suffix == ".html"):
        # before, 'mmm optimize --output plan.csv' wrote JSON into a file named .csv
        raise InputError(
            f"{where} ends in {target.suffix}, but this writes {WRITTEN_KINDS[suffix]}; give a path ending in {suffix}"
        )
    for read in map(Path, reads):
        if read.is_file() and target.is_file() and target.samefile(read):
            raise InputError(f"{where} is the file this command reads; writing it would destroy it: give another path")
        if read.is_dir() and kind in INPUT_SUFFIXES and target.absolute().parent.resolve() == read.resolve():
            raise InputError(
                f"{where} is in '{shown_path(read)}', which this command reads; writing there could replace one of "
                "its files: give a path outside it"
            )


def _loops(link: Path) -> bool:
    """Whether following ``link`` goes round a loop of links (the system's ``ELOOP``)."""
    try:
        os.stat(link)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


def check_output(path: Path, option: str, *, folder: bool, suffix: str = "", reads: Sequence[Path] = ()) -> Path:
    """Raise a one-line error naming ``option`` when ``path`` cannot be written; nothing is created.

    ``folder`` says whether ``path`` is a folder to write into or the path of a file. Caught:
    a name too long for the file system, a file where a folder is needed (the path itself or
    a parent), a folder, device, pipe or socket where a file is needed (writing replaces the file,
    and would replace the device too) and a folder without write permission. For a file, also one
    that would replace an input (:func:`_check_not_an_input`: an existing ``.yaml`` where ``.html`` is
    written, a file the command ``reads``, a ``.json`` directly in the model folder it reads).
    """
    target = Path(path)
    where = f"{option} '{shown_path(target)}'"
    if str(path) == "-":  # the shell's "standard output": it would become a file named '-'
        kind = "a folder" if folder else "the path of a file"
        raise InputError(f"{where}: this command writes files, not standard output; give {kind}")
    longest = max((len(os.fsencode(part)) for part in target.parts), default=0)
    if longest > NAME_MAX:
        raise InputError(f"{where}: a name in it is {longest:,} bytes long (at most {NAME_MAX}); use a shorter path")
    if len(os.fsencode(target.absolute())) >= PATH_MAX:
        raise InputError(f"{where}: the path is too long (at most {PATH_MAX - 1:,} bytes); use a shorter path")
    dangling = next((p for p in (target, *target.parents) if p.is_symlink() and not p.exists()), None)
    if dangling is not None:  # writing through it would fail with "file exists"
        link = f"'{shown_path(dangling)}' is" if dangling != target else "it is"
        if _loops(dangling):  # before: "a link to 'loop2', which does not exist", of a loop2 that does
            raise InputError(f"{where}: {link} a link in a loop of links that never reaches a file; remove the loop")
        raise InputError(
            f"{where}: {link} a link to '{os.readlink(dangling)}', which does not exist; create that or remove the link"
        )
    if target.exists():
        if folder and not target.is_dir():
            kind = "a file, not a folder" if target.is_file() else "not a folder"
            raise InputError(f"{where} is {kind}; give a folder to write into")
        if not folder and target.is_dir():
            raise InputError(f"{where} is a folder; give the path of a file (e.g. inside that folder)")
        if not folder and not target.is_file():
            raise InputError(f"{where} is not a regular file (a device, pipe or socket); give the path of a file")
        if not folder and not target.stat().st_mode & stat.S_IWUSR:  # by its bits: root may write anyway
            raise InputError(f"{where} is read-only; make it writable (chmod u+w) or choose another {option}")
    if not folder:
        _check_not_an_input(target, where, suffix, reads)
    parent = next(p for p in (target, *target.parents) if p.exists() or p == p.parent)
    if parent != target and not parent.is_dir():
        kind = "a file" if parent.is_file() else "not a folder"
        raise InputError(
            f"{where}: '{shown_path(parent)}' is {kind}, so nothing can be written under it; choose another {option}"
        )
    writable = parent if parent.is_dir() else parent.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise InputError(
            f"{where}: no permission to write in '{shown_path(writable)}'; choose a folder you can write to"
        )
    if (refused := _write_refused(writable)) is not None:  # what the permission bits do not tell (root, /proc)
        raise InputError(
            f"{where}: creating a file in '{shown_path(writable)}' fails ({refused}); choose another {option}"
        )
    return target


def _write_refused(folder: Path) -> str | None:
    """Why nothing can be created in the existing ``folder``, in words, found by creating (and removing) an empty
    folder there; None when it can. Catches what ``os.access`` passes: a root user in ``/proc`` or ``/sys``."""
    try:
        probe = tempfile.mkdtemp(prefix=".mmm-write-check-", dir=folder)
    except OSError as error:
        return error.strerror or type(error).__name__
    os.rmdir(probe)
    return None
