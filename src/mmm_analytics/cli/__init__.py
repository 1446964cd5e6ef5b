"""The ``mmm`` command line: a thin Typer layer over the package."""
