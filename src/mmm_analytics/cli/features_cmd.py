"""`mmm features`."""

from mmm_analytics.cli._stub import not_implemented


def features() -> None:
    """Not implemented yet."""
    not_implemented("features")
