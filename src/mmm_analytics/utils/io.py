"""Atomic file writes: write a temp file in the same folder, then ``os.replace`` it.

An interrupted run therefore never leaves a half-written output behind.

JSON is always strict (RFC 8259): NaN and infinity have no JSON spelling, so a
non-finite number is an error naming where it sits, unless the caller says that
non-finite numbers mean "not available" (``nulls=True``), which writes them as ``null``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.errors import InputError
from mmm_analytics.utils.paths import NAME_MAX


def _temporary_name(target: Path) -> str:
    """``.<stem>.<8 random characters><suffix>`` beside ``target``, the stem cut short where the whole would pass
    :data:`NAME_MAX` bytes (a legal name of 246 to 255 bytes was refused as too long)."""
    tag = f".{_random_tag()}{target.suffix}"
    if len(os.fsencode(tag)) > NAME_MAX - 2:  # a suffix of nearly the whole name ('a.' and 250 letters)
        tag = f".{_random_tag()}"
    room = NAME_MAX - 1 - len(os.fsencode(tag))
    # cut at a whole character: half of one would print as a lone surrogate in a message naming the file
    stem = os.fsencode(target.stem)[:room].decode("utf-8", "ignore") or "x"
    return f".{stem}{tag}"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    Raises
    ------
    InputError
        When ``path`` exists and is not a regular file (a folder, device, pipe or socket): the
        rename would replace a device or pipe with a plain file.
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        what = "a folder" if target.is_dir() else "not a regular file (a device, pipe or socket)"
        raise InputError(f"'{target}' is {what}, where a file is to be written; remove or rename it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        while True:
            # Named before it exists: a SIGTERM or Ctrl-C at any point after (the file just made,
            # not yet closed) still finds it in ``finally``.
            tmp = target.parent / _temporary_name(target)
            try:
                descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
            except FileExistsError:
                continue
            os.close(descriptor)
            break
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


_TAG_CHARACTERS = string.ascii_lowercase + string.digits + "_"


def _random_tag() -> str:
    """Eight random characters, as :func:`tempfile.mkstemp` names its files (see ``workers.TEMP_NAME``)."""
    return "".join(secrets.choice(_TAG_CHARACTERS) for _ in range(8))


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _json_default(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def finite_or_none(value: float | None) -> float | None:
    """``value`` as a float when it is a finite number, else ``None`` (JSON ``null``: not available)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def json_ready(data: Any, *, nulls: bool = False, where: str = "$") -> Any:
    """``data`` with NumPy scalars and arrays as plain Python values and every number finite.

    Parameters
    ----------
    data : any JSON-like value (dicts, lists, tuples, numbers, text, NumPy values)
    nulls : bool
        Write a non-finite number as ``None`` (it means "not available"); otherwise it is an error.
    where : str
        Location of ``data`` in the document, used in the error (``$`` = the top).

    Raises
    ------
    ValueError
        A non-finite number with ``nulls=False``, naming its location (e.g. ``$.allocation.TV``).
    """
    if isinstance(data, np.ndarray):
        data = data.tolist()
    elif isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, dict):
        return {key: json_ready(value, nulls=nulls, where=f"{where}.{key}") for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_ready(value, nulls=nulls, where=f"{where}[{i}]") for i, value in enumerate(data)]
    if isinstance(data, float) and not math.isfinite(data):
        if nulls:
            return None
        raise ValueError(f"JSON value at {where} is {data}; JSON has no NaN or infinity (a finite number is required)")
    return data


def to_json(data: Any, *, nulls: bool = False) -> str:
    """Strict JSON text with NumPy scalars/arrays, timestamps and paths converted (see :func:`json_ready`)."""
    return json.dumps(json_ready(data, nulls=nulls), indent=2, default=_json_default, allow_nan=False)


def write_json(path: str | Path, data: Any, *, nulls: bool = False) -> Path:
    """Write ``data`` as indented strict JSON atomically; ``nulls`` as in :func:`json_ready`.

    Nothing is written when a number is not finite (``ValueError``)."""
    text = to_json(data, nulls=nulls) + "\n"
    return write_text(path, text)


#: What a spreadsheet reads a cell starting with as a formula (Excel, LibreOffice, Sheets).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and header that starts like a formula (``=HYPERLINK(...)``, ``-Brand``)
    prefixed with ``'``, so a spreadsheet shows it as text instead of running it; numbers are kept."""
    safe = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            safe[column] = frame[column].map(_as_text)
    return safe.rename(columns=_as_text)


def write_csv(path: str | Path, frame: pd.DataFrame, index: bool = False, *, for_spreadsheets: bool = False) -> Path:
    """Write a DataFrame as CSV atomically; ``for_spreadsheets`` writes it through :func:`spreadsheet_safe`
    (for a table only people read: one a later step reads back keeps its names as they are)."""
    with atomic_path(path) as tmp:
        (spreadsheet_safe(frame) if for_spreadsheets else frame).to_csv(tmp, index=index)
    return Path(path)


def write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as parquet (pyarrow) atomically."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False, engine="pyarrow")
    return Path(path)


def read_parquet(path: str | Path, remedy: str) -> pd.DataFrame:
    """A parquet file written by an earlier step; a damaged or foreign one is an :class:`InputError`
    naming the file and ``remedy`` (e.g. "re-run 'mmm data' to rebuild it")."""
    import pyarrow as pa

    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(f"{path}: not a readable parquet file ({type(error).__name__}); {remedy}") from None


def read_json_object(path: str | Path, remedy: str) -> dict[str, Any]:
    """A JSON object written by an earlier step; damaged JSON or another kind of value is an
    :class:`InputError` naming the file and ``remedy``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not readable JSON ({type(error).__name__}); {remedy}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object, got {type(data).__name__}; {remedy}")
    return data


def write_with(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Atomically write ``path`` with ``writer(tmp_path)`` (e.g. ``fig.savefig``)."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def source_record(path: Path) -> dict[str, str]:
    """What a step records of the file it read: ``{"path": as given, "sha256": its bytes' digest}``."""
    return {"path": str(path), "sha256": file_digest(path)}


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
