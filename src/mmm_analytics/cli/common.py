"""What every command shares: option types, the Rich consoles, and user-error handling.

Kept light (Typer and Rich only), as are the command modules: ``mmm --help`` loads no
numerical package; each command imports what it needs when it runs.
"""

from __future__ import annotations

import _thread
import contextlib
import errno
import io
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from mmm_analytics.config.base import MAX_SEED
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import check_output, require_file, shown_path
from mmm_analytics.utils.paths import FEATURES_META_FILE, ProjectPaths, folder_of, written_target

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "MIN_WIDTH",
    "ConfigDirOption",
    "Output",
    "check_seed",
    "console",
    "console_width",
    "describe_os_error",
    "error_console",
    "project_config",
    "report_line",
    "require_file",
    "state",
    "tolerate_closed_pipe",
    "tolerate_narrow_encodings",
    "user_errors",
    "warn",
    "warn_model_file",
    "warn_stale_model",
]

#: Narrowest width the consoles draw at: ``COLUMNS=0`` made Rich print nothing at all, and a table
#: a few columns wide has no room for its numbers.
MIN_WIDTH = 40


def console_width() -> int | None:
    """``MIN_WIDTH`` when ``COLUMNS`` asks for less, else None (Rich's own choice)."""
    columns = os.environ.get("COLUMNS", "").strip()
    return MIN_WIDTH if columns.isdigit() and int(columns) < MIN_WIDTH else None


console = Console(width=console_width())
error_console = Console(stderr=True, soft_wrap=True, width=console_width())


def tolerate_narrow_encodings() -> None:
    """Let stdout and stderr write what their encoding lacks as ``?`` (``PYTHONIOENCODING=ascii``,
    a C locale): a name with an accent, or Rich's ellipsis, would otherwise end a run that has done
    its work with a traceback."""
    for stream in (sys.stdout, sys.stderr):
        stream = stream.stream if isinstance(stream, ReaderMayClose) else stream
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


class ReaderMayClose:
    """A text stream that goes on when the program reading it stops (``mmm optimize | head -3``):
    what is written after that is dropped, and the command finishes its work and writes its files.
    Before, the first line printed after the reader left ended the command with exit code 1 and
    nothing said; a training run piped to ``head`` stopped halfway."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.reader_left = False

    def write(self, text: str) -> int:
        """Write ``text``; once the reader has left, drop it (the count written is still ``len(text)``)."""
        if not self.reader_left:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self._reader_left()
        return len(text)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._reader_left()

    def _reader_left(self) -> None:
        """Point the stream's file descriptor at the null device, so that what is still buffered
        (flushed when the process exits) has somewhere to go."""
        self.reader_left = True
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self.stream.fileno())
            finally:
                os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def tolerate_closed_pipe() -> None:
    """Let the commands' standard output and error outlive their reader (``mmm train 2>&1 | head``;
    see :class:`ReaderMayClose`)."""
    if sys.stdout is not None and not isinstance(sys.stdout, ReaderMayClose):
        sys.stdout = ReaderMayClose(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, ReaderMayClose):
        sys.stderr = ReaderMayClose(sys.stderr)


#: Seconds after a Ctrl-C swallowed by a callback at which the command is interrupted again.
REINTERRUPT_SECONDS = 0.01


def pass_on_interrupts(
    args: sys.UnraisableHookArgs, report: Callable[[sys.UnraisableHookArgs], object] = sys.__unraisablehook__
) -> None:
    """``sys.unraisablehook`` of a command: a Ctrl-C that lands in a callback Python cannot raise
    from (JAX's garbage-collection callback) interrupts the command as a Ctrl-C anywhere else does.
    Before, it printed "Exception ignored ... KeyboardInterrupt" and the command ran on."""
    if args.exc_type is not None and issubclass(args.exc_type, KeyboardInterrupt):
        # From another thread, once this hook has returned: raised here, it would be "ignored" again.
        again = threading.Timer(REINTERRUPT_SECONDS, _thread.interrupt_main)
        again.daemon = True
        again.start()
        return
    report(args)


class _State:
    debug: bool = False
    #: A Ctrl-C ended the command: the rest of the process (exit handlers) ignores another.
    interrupted: bool = False


state = _State()

CONFIG_DIR_HELP = (
    "The config folder (data_config.yaml, feature_config.yaml, model_config.yaml, viz_config.yaml) or one "
    "YAML file of it, e.g. config/model_config.yaml: the other settings then come from the files beside it "
    "(else config/, else built-in defaults)."
)
ConfigDirOption = Annotated[Path, typer.Option("--config", "--config-dir", help=CONFIG_DIR_HELP)]
DEFAULT_CONFIG_DIR = Path("config")


@dataclass(frozen=True, slots=True)
class Output:
    """A path a command writes: its option, the path given, whether it is a folder or a file and,
    for a file, the suffix of what is written (``.html``)."""

    option: str
    path: Path
    folder: bool = True
    suffix: str = ""


def _matches(culprit: Path, given: Path) -> bool:
    """Whether an OS error on ``culprit`` concerns the output path ``given``."""
    culprit, given = Path(os.path.abspath(culprit)), Path(os.path.abspath(given))
    if culprit == given or culprit in given.parents or given in culprit.parents:
        return True
    # atomic writes go through a hidden temporary file beside the target: .<stem>.<random><suffix>
    return culprit.parent == given.parent and culprit.name.startswith(f".{given.stem}"[:40])


def describe_os_error(error: OSError, outputs: tuple[Output, ...] = ()) -> str:
    """One line for a failed file operation: which path (and option), what is wrong, what to do."""
    name = error.filename2 if isinstance(error, IsADirectoryError) and error.filename2 else error.filename
    reason = error.strerror or str(error)
    if not isinstance(name, str | bytes | os.PathLike):  # a stream (stdout, a pipe) or a write without a name
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            full = _full(outputs)
            if full:
                named = ", ".join(f"{o.option} '{shown_path(o.path)}'" for o in full)
                return f"no space left on the device of {named}; free some space there or choose another folder"
            return (
                "no space left on the device being written (a file, or standard output if redirected); free some space"
            )
        return f"{reason}; check the paths you gave, where standard output goes, and that the disk is writable"
    culprit = written_target(Path(os.fsdecode(name)))  # the file being written, not its temporary name
    output = next((o for o in outputs if _matches(culprit, o.path)), None)
    shown = output.path if output is not None else culprit
    where = f"{output.option} '{shown_path(shown)}'" if output is not None else f"'{shown_path(shown)}'"
    other = f"choose another {output.option}" if output is not None else "choose another path"
    # os.path answers False instead of raising for a path that cannot be examined
    blocker = next((p for p in (culprit, *culprit.parents) if os.path.exists(p) and not os.path.isdir(p)), None)
    match error.errno:
        case errno.ENAMETOOLONG:
            return f"{where}: a name in the path is too long for the file system; use a shorter path"
        case errno.EEXIST | errno.ENOTDIR if blocker is not None:
            kind = "a file" if os.path.isfile(blocker) else "not a folder"
            return f"{where}: '{shown_path(blocker)}' is {kind}, so nothing can be written under it; {other}"
        case errno.EISDIR:
            return f"{where}: '{shown_path(culprit)}' is a folder, not a file; give the path of a file"
        case errno.EACCES | errno.EPERM if output is None and os.path.isfile(culprit):  # a file read
            return (
                f"{where} cannot be read (permission denied); make it readable (e.g. chmod u+r "
                f"'{shown_path(culprit)}') or {other}"
            )
        case errno.EACCES | errno.EPERM if output is None:
            return f"{where}: permission denied; check its permissions and its folders', or {other}"
        case errno.EACCES | errno.EPERM:
            on = "" if culprit == shown else f" on '{shown_path(culprit)}'"
            return f"{where}: permission denied{on}; {other} (a folder you can write to)"
        case errno.EROFS:
            return f"{where}: the file system is read-only; {other}"
        case errno.ENOSPC | errno.EDQUOT:
            return f"{where}: no space left on the device; free some space or {other}"
        case _:
            return f"{where}: {reason.lower() if reason[:1].isupper() else reason}; {other}"


#: Free space (bytes) below which the device of an output counts as full.
FULL_BYTES = 1 << 20


def _full(outputs: tuple[Output, ...]) -> list[Output]:
    """The outputs whose device (that of the nearest folder there is) has less than :data:`FULL_BYTES` free."""
    found = []
    for output in outputs:
        folder = next((p for p in (output.path, *output.path.parents) if p.is_dir()), Path("."))
        try:
            stats = os.statvfs(folder)
        except (OSError, AttributeError):  # AttributeError: no statvfs on this system
            continue
        if stats.f_bavail * stats.f_frsize < FULL_BYTES:
            found.append(output)
    return found


def report_line(message: str) -> None:
    """One error line on stderr: ``error: <message>``, whitespace folded."""
    line = escape(" ".join(message.split()))
    error_console.print(f"[bold red]error:[/bold red] {line}", markup=True, highlight=False)


def _report(message: str, error: BaseException) -> None:
    if state.debug:
        traceback.print_exception(error)
    report_line(message)


@contextlib.contextmanager
def user_errors(*outputs: Output, reads: tuple[Path, ...] = ()) -> Iterator[None]:
    """Check ``outputs`` up front, then turn a user's mistake into one line on stderr and exit code 2.

    ``reads`` are the files and folders the command reads: no file output may be one of them or
    lie inside one (:func:`~mmm_analytics.pipeline.checks.check_output`).

    Caught: :class:`InputError` and :class:`OSError` (a path that cannot be read or written,
    described by :func:`describe_os_error`, naming the option of ``outputs`` it concerns); Ctrl-C
    ends with one line naming ``outputs`` and exit code 130.
    With ``--debug`` the traceback is printed above the line; the exit code stays 2.
    """
    try:
        for output in outputs:
            check_output(output.path, output.option, folder=output.folder, suffix=output.suffix, reads=reads)
        yield
    except InputError as error:
        _report(str(error), error)
        raise typer.Exit(code=2) from None
    except OSError as error:
        _report(describe_os_error(error, outputs), error)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        state.interrupted = True  # the console entry then ignores a second Ctrl-C (see app.main)
        # Every file is written whole or not at all, but a step cut short leaves its folder part old, part new.
        written = ", ".join(f"{output.option} '{shown_path(output.path)}'" for output in outputs)
        where = f"; {written} may hold files of this run beside an earlier run's" if written else ""
        error_console.print(f"interrupted (Ctrl-C){where}: run the command again", highlight=False)
        raise typer.Exit(code=130) from None


def warn(message: str) -> None:
    """One warning line on stderr."""
    error_console.print(
        f"[bold yellow]warning:[/bold yellow] {escape(' '.join(message.split()))}", markup=True, highlight=False
    )


def warn_model_file(model: Path, features: Path | None = None) -> None:
    """Warn when the model folder's ``mmm_model.keras`` is missing or damaged, or when the model was
    trained on other data than ``features`` holds now (without ``features``: the project's
    ``data/processed/features.parquet``, compared only for the project's ``outputs/models``).

    Curves, simulate and optimize read only ``metadata.json`` and ``response_params.npz``, so
    they go on; the warning says how to restore the Keras model.
    """
    from mmm_analytics.features.store import meta_path
    from mmm_analytics.response.artifacts import model_file_problem, model_folder

    folder = model_folder(model)
    problem = model_file_problem(folder)
    if problem is not None:
        warn(
            f"{problem}; this command reads only metadata.json and response_params.npz and goes on, "
            "but re-run 'mmm train' to restore the Keras model"
        )
    # Only a model of this project's own folders is compared with its features: a model trained from
    # another features file (mmm train --data) or in another project has no features here to compare with.
    defaults = ProjectPaths()
    if features is not None or folder.resolve() == defaults.models_dir.resolve():
        warn_stale_model(folder, meta_path(features or defaults.features))


#: What each part of ``features_meta.json`` is, in a user's words (for the stale-model warning).
FEATURE_META_WORDS = {
    "channels": "channels",
    "cpm": "CPMs",
    "control_names": "controls",
    "holdout_weeks": "holdout weeks",
    "scalers": "data values",
    "vocabularies": "brands, regions or SKUs",
    "granularity": "granularity",
}


def warn_stale_model(model: Path, features_meta: Path) -> None:
    """Warn when the model folder was trained on other features than ``features_meta`` describes (the
    data was re-run since): the curves and advice that follow are for the data it was trained on."""
    import json

    trained = model / FEATURES_META_FILE
    if not (trained.is_file() and features_meta.is_file()):
        return
    try:
        then, now = (json.loads(path.read_text(encoding="utf-8")) for path in (trained, features_meta))
    except (OSError, ValueError):
        return
    differ = [words for key, words in FEATURE_META_WORDS.items() if then.get(key) != now.get(key)]
    if differ:
        warn(
            f"the model in '{shown_path(model)}' was trained on other data than '{shown_path(features_meta)}' now "
            f"describes ({', '.join(differ)} differ): what follows is for the data it was trained on; "
            "re-run 'mmm train' to fit the current data"
        )


def warn_config_channels(model: Path, config_dir: Path, config: ProjectConfig) -> None:
    """Warn when the ``data_config.yaml`` of ``config_dir`` (a folder holding one) lists other channels or
    CPMs than the model in ``model`` was trained with: the curves and advice use the model's, so a CPM
    changed in the config after training was silently not used."""
    import json
    import math

    data_config = config_dir / "data_config.yaml"
    trained = folder_of(model) / FEATURES_META_FILE
    if not (config_dir.is_dir() and data_config.is_file() and trained.is_file()):
        return
    try:
        meta = json.loads(trained.read_text(encoding="utf-8"))
        then = {str(name): float(cpm) for name, cpm in zip(meta["channels"], meta["cpm"], strict=True)}
    except (OSError, ValueError, KeyError, TypeError):
        return
    table = config.data.channel_table()
    now = dict(zip(table.names, table.cpm, strict=True))
    fix = "re-run 'mmm features' and 'mmm train' to use the config's"
    if set(now) != set(then):
        warn(
            f"'{shown_path(data_config)}' lists the channels {', '.join(now)}, the model in "
            f"'{shown_path(folder_of(model))}' was trained with {', '.join(then)}: what follows uses the model's; {fix}"
        )
        return
    changed = [f"{name} {then[name]:g} -> {now[name]:g}" for name in now if not math.isclose(now[name], then[name])]
    if changed:
        warn(
            f"the CPMs of '{shown_path(data_config)}' differ from those the model in '{shown_path(folder_of(model))}' "
            f"was trained with ({'; '.join(changed)}): the ROIs and advice that follow use the model's; {fix}"
        )


def warn_stale_features(features: Path) -> None:
    """Warn when this project's features were built from a cleaned panel that has changed since
    (``mmm data`` ran again after ``mmm features``): a training would fit the earlier data.

    Features record the digest of the file they were built from; those of an earlier version,
    which record none, are compared by modification time."""
    from mmm_analytics.features.store import recorded_source
    from mmm_analytics.utils.io import file_digest

    defaults = ProjectPaths()
    panel = defaults.clean_panel
    if features.resolve() != defaults.features.resolve() or not panel.is_file():
        return
    source = recorded_source(features)
    try:
        if source is None:
            changed = features.stat().st_mtime_ns < panel.stat().st_mtime_ns
        else:
            built_from, digest = source
            changed = built_from.resolve() == panel.resolve() and file_digest(panel) != digest
    except OSError:
        return
    if changed:
        warn(
            f"'{shown_path(features)}' was built from an earlier '{shown_path(panel)}' (the data was prepared "
            "again since): this fits the earlier data; run 'mmm features' first to fit the current data"
        )


def check_seed(seed: int | None, option: str = "--seed") -> int | None:
    """A seed must be 0 to ``MAX_SEED`` (the generators take no negative seed, the fit none above 2**32 - 1)."""
    if seed is not None and seed < 0:
        raise InputError(f"{option} {seed}: a seed must be 0 or more; give e.g. {option} {abs(seed)}")
    if seed is not None and seed > MAX_SEED:
        raise InputError(f"{option} {seed}: a seed must be at most {MAX_SEED}; give e.g. {option} 42")
    return seed


def warn_empty_data_config(config_dir: Path) -> None:
    """Warn when the ``data_config.yaml`` that ``--config`` points at (the folder's, or the file itself) is
    empty: its settings, the CPMs every ROI rests on included, are then the built-in defaults, as for a
    missing file, which a failed save can leave without a word."""
    if config_dir.is_dir():
        file = config_dir / "data_config.yaml"
    else:  # one YAML file: the data settings come from it, or from the file beside it
        file = config_dir if "data" in config_dir.stem.lower() else config_dir.parent / "data_config.yaml"
    try:
        lines = file.read_text(encoding="utf-8").splitlines() if file.is_file() else ["not read"]
    except (OSError, UnicodeDecodeError):
        return  # the loader names it
    if all(not line.strip() or line.lstrip().startswith("#") for line in lines):
        warn(
            f"'{shown_path(file)}' is empty: every data setting is the built-in default, the CPMs included; "
            "if that is not meant, restore the file (an empty file means built-in defaults)"
        )


def project_config(config_dir: Path, kind: str | None = None) -> ProjectConfig:
    """Load ``--config``: a config folder, or one YAML file of one (``kind``: the command's own file,
    for a file whose name does not say which settings it holds).

    A folder the user named must exist and hold all four files; the default ``config/`` may
    lack files (or be absent): those settings take built-in defaults.
    """
    from mmm_analytics.config.loader import load_config_path

    return load_config_path(
        config_dir, kind=kind, default_dir=DEFAULT_CONFIG_DIR, explicit=config_dir != DEFAULT_CONFIG_DIR
    )
