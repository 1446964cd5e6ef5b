"""`mmm benchmark`."""

from mmm_analytics.cli._stub import not_implemented


def benchmark() -> None:
    """Not implemented yet."""
    not_implemented("benchmark")
