"""`mmm run`."""

from mmm_analytics.cli._stub import not_implemented


def run() -> None:
    """Not implemented yet."""
    not_implemented("run")
