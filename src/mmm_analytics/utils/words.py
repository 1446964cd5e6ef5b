"""The form a word takes in a message: ``channel``/``channels``, ``is``/``are``; lists in words."""

from collections.abc import Sequence


def numbered(value: int, word: str, plural: str = "") -> str:
    """``word`` in the number ``value`` takes, without the number: ``channel``/``channels``,
    ``is``/``are`` (``plural`` where adding an s is wrong)."""
    return word if value == 1 else plural or word + "s"


def listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` ("" for none)."""
    return " and ".join(filter(None, (", ".join(items[:-1]), *items[-1:])))


def the_count(value: int, plural: str) -> str:
    """``the two fits`` for 2, ``the 3 fits`` for 3: the pooled forms' fits in a sentence."""
    return f"the {'two' if value == 2 else value} {plural}"
