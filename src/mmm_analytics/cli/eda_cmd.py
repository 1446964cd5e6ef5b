"""`mmm eda`."""

from mmm_analytics.cli._stub import not_implemented


def eda() -> None:
    """Not implemented yet."""
    not_implemented("eda")
