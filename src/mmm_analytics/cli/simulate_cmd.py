"""`mmm simulate` and `mmm optimize`."""

from mmm_analytics.cli._stub import not_implemented


def simulate() -> None:
    """Not implemented yet."""
    not_implemented("simulate")


def optimize() -> None:
    """Not implemented yet."""
    not_implemented("optimize")
