"""`mmm train`."""

from mmm_analytics.cli._stub import not_implemented


def train() -> None:
    """Not implemented yet."""
    not_implemented("train")
