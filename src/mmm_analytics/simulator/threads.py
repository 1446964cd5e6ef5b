"""Run the optimiser with single-threaded BLAS.

SLSQP solves a small dense least-squares problem each iteration; OpenBLAS threads gain
nothing at that size and, on a busy 2-core machine, their spin-waiting made iterations up to
100x slower. This sets the thread count of the OpenBLAS copies bundled with NumPy and SciPy
(the same thing ``threadpoolctl`` does) and restores it afterwards; where no such library
is loaded it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "")

# A foreign function of a loaded library; with the default ``restype`` (c_int) it returns an int.
type _CFunction = Callable[..., int]


@functools.cache
def _controls() -> tuple[tuple[_CFunction, _CFunction], ...]:
    """(get, set) thread-count functions of every OpenBLAS loaded in this process."""
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return ()
    paths = sorted({m for m in re.findall(r"/\S+\.so[.\d]*", maps.read_text()) if "openblas" in m.lower()})
    found = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                getter = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                setter = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                if getter is not None and setter is not None:
                    found.append((getter, setter))
                    break
            else:
                continue
            break
    return tuple(found)


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit OpenBLAS to one thread inside the block."""
    import scipy.optimize  # noqa: F401  (make sure SciPy's OpenBLAS is loaded before looking)

    controls = _controls()
    before = [int(getter()) for getter, _ in controls]
    for _, setter in controls:
        setter(1)
    try:
        yield
    finally:
        for (_, setter), count in zip(controls, before):
            setter(count)
