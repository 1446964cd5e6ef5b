"""Comma-separated lists on the command line (``--seeds 1,2,3``, ``--steps data,eda``), read the
same way by every option that takes one."""

from collections.abc import Callable

from mmm_analytics.errors import InputError


def comma_list[T](text: str, option: str, example: str, kind: Callable[[str], T], item: str) -> list[T]:
    """``text``'s comma-separated items read by ``kind``, each once, at least one.

    ``option`` is the option's name (``--seeds``), ``example`` a valid value (``1,2,3``) and ``item``
    what one item is (``seed``), for the messages.

    Raises
    ------
    InputError
        When ``text`` names nothing, has an empty item (``1,,2``, ``1,2,``: a typo, not a shorter
        list), an item ``kind`` cannot read (``ValueError``), or an item given twice.
    """
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise InputError(f"{option} names no {item}; give e.g. {option} {example}")
    if not all(parts):
        raise InputError(f"{option}: {text!r} has an empty item; give e.g. {option} {example}")
    try:
        items = [kind(part) for part in parts]
    except ValueError:
        raise InputError(f"{option}: could not read {text!r}; give a comma-separated list, e.g. {example}") from None
    twice = next((value for i, value in enumerate(items) if value in items[:i]), None)
    if twice is not None:  # counted twice, it would weigh twice
        raise InputError(f"{option}: {item} {twice!r} is given twice; name each once")
    return items
