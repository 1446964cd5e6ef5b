"""Commands that are not built yet exit non-zero; they never fake output."""

import typer

from mmm_analytics.cli.common import error_console


def not_implemented(command: str) -> None:
    error_console.print(f"error: 'mmm {command}' is not implemented yet")
    raise typer.Exit(code=3)
