"""What every script in this folder does: run one ``mmm`` command with the script's arguments.

Runs from a checkout too: without the package installed, ``src/`` is used (its dependencies
must be installed: ``pip install -r requirements.txt`` installs both). ``--debug`` may stand
anywhere among the arguments, as it would before the command in ``mmm --debug <command>``.
A Python too old for the package, or one without its dependencies, gets one line and exit 2.
"""

from __future__ import annotations  # annotations unread: an old Python gets as far as the version check

import sys
from collections.abc import Callable
from pathlib import Path

#: The oldest Python the package runs on.
REQUIRED = (3, 13)
#: The root's options, taken from anywhere among a script's arguments.
ROOT_FLAGS = ("--debug", "--no-debug")


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _missing(error: ModuleNotFoundError) -> None:
    _fail(f"module '{error.name}' is not installed; install the dependencies with 'pip install -r requirements.txt'")


def _main() -> Callable[[list[str] | None], None]:
    """The ``mmm`` entry point, from the installed package or from ``src/``."""
    if sys.version_info < REQUIRED:
        found = ".".join(str(part) for part in sys.version_info[:2])
        _fail(
            f"this is Python {found}; mmm-analytics needs Python 3.13 or newer: run the script with python3.13 "
            "(after 'make venv': .venv/bin/python scripts/...)"
        )
    try:
        from mmm_analytics.cli.app import main
    except ModuleNotFoundError as missing:
        if missing.name != "mmm_analytics":
            _missing(missing)
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        try:
            from mmm_analytics.cli.app import main
        except ModuleNotFoundError as missing:
            _missing(missing)
    return main


def run(*command: str) -> None:
    """``mmm <command> <the script's arguments>`` (``--debug`` moved before the command)."""
    main = _main()
    arguments = sys.argv[1:]
    flags = [word for word in arguments if word in ROOT_FLAGS]
    main([*flags, *command, *(word for word in arguments if word not in ROOT_FLAGS)])
