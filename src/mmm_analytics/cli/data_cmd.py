"""`mmm data`."""

from mmm_analytics.cli._stub import not_implemented


def data() -> None:
    """Not implemented yet."""
    not_implemented("data")
