"""What every command shares: option types, the Rich consoles, and user-error handling.

Kept light (Typer and Rich only), as are the command modules: ``mmm --help`` loads no
numerical package; each command imports what it needs when it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import require_file

if TYPE_CHECKING:
    from mmm_analytics.config import ProjectConfig

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "ConfigDirOption",
    "console",
    "error_console",
    "project_config",
    "require_file",
    "state",
    "user_errors",
]

console = Console()
error_console = Console(stderr=True, soft_wrap=True)


class _State:
    debug: bool = False


state = _State()

CONFIG_DIR_HELP = "Folder holding data_config.yaml, feature_config.yaml, model_config.yaml and viz_config.yaml."
ConfigDirOption = Annotated[Path, typer.Option("--config-dir", "--config", help=CONFIG_DIR_HELP)]
DEFAULT_CONFIG_DIR = Path("config")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn an :class:`InputError` into one line on stderr and exit code 2 (traceback with --debug)."""
    try:
        yield
    except InputError as error:
        if state.debug:
            raise
        message = " ".join(str(error).split())
        error_console.print(f"[bold red]error:[/bold red] {message}", markup=True, highlight=False)
        raise typer.Exit(code=2) from None


def project_config(config_dir: Path) -> ProjectConfig:
    """Load the config folder; a folder the user named must exist."""
    from mmm_analytics.config import load_config

    explicit = config_dir != DEFAULT_CONFIG_DIR
    return load_config(config_dir, required=explicit)
