"""The form a word takes in a message: ``channel``/``channels``, ``is``/``are``."""


def numbered(value: int, word: str, plural: str = "") -> str:
    """``word`` in the number ``value`` takes, without the number: ``channel``/``channels``,
    ``is``/``are`` (``plural`` where adding an s is wrong)."""
    return word if value == 1 else plural or word + "s"
