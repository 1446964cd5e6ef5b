"""The ``mmm`` Typer app: a root callback plus one command per pipeline step.

Importing the app loads Typer and Rich only (``mmm --help`` answers at once); each command
imports the numerical packages when it runs. Figures are drawn with matplotlib's
non-interactive Agg backend unless ``MPLBACKEND`` says otherwise.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from mmm_analytics import __version__
from mmm_analytics.cli import (
    benchmark_cmd,
    curves_cmd,
    data_cmd,
    eda_cmd,
    features_cmd,
    run_cmd,
    simulate_cmd,
    train_cmd,
)
from mmm_analytics.cli.common import console, state

app = typer.Typer(
    name="mmm",
    help="Marketing Mix Modeling for weekly geo-level FMCG panels: data -> eda -> features -> train -> curves -> simulate/optimize.",
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
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for input errors.")] = False,
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
    os.environ.setdefault("MPLBACKEND", "Agg")
    state.debug = debug


app.command(name="data")(data_cmd.data)
app.command(name="eda")(eda_cmd.eda)
app.command(name="features")(features_cmd.features)
app.command(name="train")(train_cmd.train)
app.command(name="curves")(curves_cmd.curves)
app.command(name="simulate")(simulate_cmd.simulate)
app.command(name="optimize")(simulate_cmd.optimize)
app.command(name="run")(run_cmd.run)
app.command(name="benchmark")(benchmark_cmd.benchmark)


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``mmm``); ``argv`` lets the scripts/ wrappers reuse it."""
    from dotenv import load_dotenv

    load_dotenv(override=False)
    app(args=argv, prog_name="mmm")
