"""Where matplotlib keeps its config and font cache, and which of its warnings a user sees: set up
once in the ``mmm`` process (its root command) and in every figure worker. Light to import: no
matplotlib, no multiprocessing."""

import contextlib
import os
import stat
import sys
import tempfile
import warnings
from pathlib import Path


def _writable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def _private_folder(folder: Path) -> bool:
    """Whether ``folder`` is a real folder of this user that nobody else can write (or is now made so)."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    try:
        status = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


def usable_matplotlib_config() -> None:
    """On Linux, point ``MPLCONFIGDIR`` at a private folder of the temp dir when matplotlib's own
    config or cache folder (``$MPLCONFIGDIR``, else ``$XDG_CONFIG_HOME`` or ``~/.config``, and
    ``$XDG_CACHE_HOME`` or ``~/.cache``, each ``/matplotlib``) cannot be made or written: matplotlib
    would make a new temporary one on every run, rebuild its font cache there and say so in two
    lines. A fallback folder that is a link, another user's or writable by others is not used."""
    if not sys.platform.startswith("linux"):
        return
    wanted = os.environ.get("MPLCONFIGDIR")
    try:
        home = Path.home()
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib"
        cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib"
    except RuntimeError:  # no home folder at all
        config = cache = Path("/nonexistent/matplotlib")
    folders = [Path(wanted)] if wanted else [config, cache]
    if all(_writable_folder(folder) for folder in folders):
        return
    fallback = Path(tempfile.gettempdir()) / f"mmm-matplotlib-{os.getuid()}"
    if _private_folder(fallback):
        os.environ["MPLCONFIGDIR"] = str(fallback)


def quiet_missing_glyphs() -> None:
    """Hide matplotlib's warning for each character no installed font has (a CJK or emoji brand,
    region or scenario name is drawn as boxes): one line per glyph and figure, which a user cannot
    act on. Called in the ``mmm`` process and in every figure worker."""
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from", category=UserWarning)
