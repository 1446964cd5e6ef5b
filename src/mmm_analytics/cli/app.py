"""The ``mmm`` Typer app: a root callback plus one command per pipeline step.

Importing the app loads Typer and Rich only (``mmm --help`` answers at once); each command
imports the numerical packages when it runs. Figures are files, drawn with matplotlib's
non-interactive Agg backend whatever ``MPLBACKEND`` says. A ``.env`` file in the folder the
command runs in (or above it) sets variables not already set, such as Kaggle's credentials.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from mmm_analytics import __version__
from mmm_analytics.cli import (
    benchmark_cmd,
    curves_cmd,
    data_cmd,
    eda_cmd,
    features_cmd,
    report_cmd,
    run_cmd,
    simulate_cmd,
    train_cmd,
)
from mmm_analytics.cli.common import (
    MIN_WIDTH,
    console,
    console_width,
    pass_on_interrupts,
    report_line,
    state,
    tolerate_closed_pipe,
    tolerate_narrow_encodings,
    warn,
)
from mmm_analytics.cli.examples import EPILOGS


class _FlagsAsFlags:
    """Help that shows a boolean flag as a flag: no ``<bool>`` type beside ``--export`` or ``--help``."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_bool_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class MmmCommand(_FlagsAsFlags, TyperCommand):
    """A command of ``mmm``: a path option written with ``~`` (quoted, so the shell left it) means
    the home folder, as it would unquoted."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Click's parse, then a path option given an empty value refused (it read as the current folder)."""
        empty = _given_empty(args)
        rest = super().parse_args(ctx, args)
        for param in self.params:
            if set(param.opts) & empty and isinstance(ctx.params.get(param.name or ""), Path):
                hint = " / ".join(f"'{option}'" for option in param.opts)
                raise typer.BadParameter("the path is empty; give a file or folder", ctx=ctx, param_hint=hint)
        return rest

    def invoke(self, ctx: Any) -> Any:
        ctx.params = {name: _home_expanded(value) for name, value in ctx.params.items()}
        return super().invoke(ctx)


def _given_empty(args: Sequence[str]) -> set[str]:
    """The options of ``args`` (before a ``--``) whose last value is empty: ``--output ""`` or ``--output=``."""
    words = list(args[: args.index("--")] if "--" in args else args)
    last: dict[str, str] = {}
    for word, value in itertools.pairwise([*words, "-"]):
        if word.startswith("--") and "=" in word:
            name, _, given = word.partition("=")
            last[name] = given
        elif word.startswith("-") and not value.startswith("-"):
            last[word] = value
    return {name for name, value in last.items() if value == ""}


def _home_expanded(value: Any) -> Any:
    """``value`` with a leading ``~`` expanded when it is a path (or a tuple of paths); else as is."""
    match value:
        case Path():
            return value.expanduser()
        case tuple():
            return tuple(_home_expanded(item) for item in value)
        case _:
            return value


def usage_error_line(error: typer.TyperException, command_path: str) -> str:
    """A mistake on the command line (unknown option or command, a value of the wrong type) in one
    line that names it and where help is: ``error: Invalid value for '--seed': ...; see 'mmm data --help'``.

    ``command_path`` (``mmm data``) is used where the error does not say which command it concerns."""
    message = " ".join(re.sub(r"\bValue error, ", "", error.format_message()).split()).rstrip(".")
    context = getattr(error, "ctx", None)
    help_command = f"'{context.command_path if context is not None else command_path} --help'"
    return f"{message} See {help_command}" if message.endswith("?") else f"{message}; see {help_command}"


class MmmGroup(_FlagsAsFlags, TyperGroup):
    """The ``mmm`` root: a mistake on the command line is one line on stderr and exit code 2, like
    every other user error (Typer's own answer is a usage box)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        if console_width() is not None:  # COLUMNS=0 made the help and Typer's messages print nothing
            os.environ["COLUMNS"] = str(MIN_WIDTH)
        if not standalone_mode or not given:  # bare `mmm` shows the help, as before
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as error:
            command = next((word for word in given if word in self.commands), None)
            report_line(usage_error_line(error, " ".join(filter(None, (prog_name or "mmm", command)))))
            sys.exit(getattr(error, "exit_code", 2))
        except typer.Abort:
            report_line("aborted: no input")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="mmm",
    help="Marketing Mix Modeling for weekly geo-level FMCG panels: data -> eda -> features -> train -> curves -> simulate/optimize.",
    epilog=EPILOGS["mmm"],
    cls=MmmGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"mmm-analytics {__version__}")
        raise typer.Exit()


def _help(ctx: typer.Context, value: bool) -> None:
    if value:
        typer.echo(ctx.get_help(), color=ctx.color)
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option("--debug/--no-debug", help="Show the full traceback above an input error's line.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    # The root's --help is a plain flag: Typer's generated one is parsed with pydantic on every
    # sub-command call, which would double the time of `mmm data --help`.
    show_help: Annotated[
        bool,
        typer.Option("--help", callback=_help, is_eager=True, expose_value=False, help="Show this message and exit."),
    ] = False,
) -> None:
    """Marketing Mix Modeling toolkit."""
    os.environ["MPLBACKEND"] = "Agg"  # figures are files: no window, and no other backend's requirements
    from mmm_analytics.utils.matplotlib_env import quiet_missing_glyphs, usable_matplotlib_config

    usable_matplotlib_config()
    quiet_missing_glyphs()
    state.debug = debug


COMMANDS: dict[str, Callable[..., None]] = {
    "data": data_cmd.data,
    "eda": eda_cmd.eda,
    "features": features_cmd.features,
    "train": train_cmd.train,
    "curves": curves_cmd.curves,
    "simulate": simulate_cmd.simulate,
    "optimize": simulate_cmd.optimize,
    "run": run_cmd.run,
    "report": report_cmd.report,
    "benchmark": benchmark_cmd.benchmark,
}
for _name, _command in COMMANDS.items():
    app.command(name=_name, epilog=EPILOGS[_name], cls=MmmCommand)(_command)


def _load_dotenv() -> None:
    """Set the variables of the ``.env`` of the folder the command runs in (or above it) not already set;
    a file that cannot be read is named in a warning and left out."""
    from dotenv import find_dotenv, load_dotenv

    found = find_dotenv(usecwd=True)
    try:
        load_dotenv(found, override=False)
    except (UnicodeDecodeError, OSError) as error:
        reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else (error.strerror or str(error))
        warn(f"'{found}' was not read ({reason}); its variables are not set: save it as UTF-8 text")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``mmm``); ``argv`` lets the scripts/ wrappers reuse it."""
    _load_dotenv()
    tolerate_closed_pipe()
    tolerate_narrow_encodings()  # before any output: the root's --help is printed before its callback runs
    sys.unraisablehook = pass_on_interrupts
    try:
        app(args=argv, prog_name="mmm")
    finally:
        if state.interrupted:  # a second Ctrl-C (or the same one reaching JAX's exit handler) would
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # print a traceback under the one line
