"""`mmm curves`."""

from mmm_analytics.cli._stub import not_implemented


def curves() -> None:
    """Not implemented yet."""
    not_implemented("curves")
