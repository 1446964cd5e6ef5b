"""Matching a name a user typed (a brand, region, channel) to the names of the data.

The same name can reach us in two Unicode spellings: composed (``é`` as one code point, NFC)
or decomposed (``e`` plus a combining accent, NFD, as some keyboards, file systems and
spreadsheets write it). Both print alike, so they are the same name here, and so are names
that differ only in case when no other name does.
"""

import unicodedata
from collections.abc import Iterable

from mmm_analytics.errors import InputError


def composed(text: str) -> str:
    """``text`` in Unicode composed form (NFC): the spelling every name is stored and compared in."""
    return unicodedata.normalize("NFC", text)


def _key(text: str) -> str:
    return composed(text).casefold()


def matching_names(text: str, names: Iterable[str]) -> list[str]:
    """The names of ``names`` that ``text`` stands for, in their order.

    ``[name]`` when ``text`` is one of them as written or composed; otherwise every name equal to
    it up to case (none, one, or several: the caller says which to pick).
    """
    choices = list(dict.fromkeys(names))
    for spelling in (text, composed(text)):
        if spelling in choices:
            return [spelling]
    same = [name for name in choices if composed(name) == composed(text)]
    if same:
        return same[:1]
    key = _key(text)
    return [name for name in choices if _key(name) == key]


def one_name(
    text: str, names: Iterable[str], kind: str, choices: str, where: str = "", *, every: str | None = None
) -> str:
    """The one name of ``names`` that ``text`` (spaces around it ignored) stands for; ``every`` (a word
    for all of them, e.g. ``"all"``, in any case) when ``text`` is that word.

    Raises
    ------
    InputError
        ``unknown {kind} 'text'{where}; {choices}`` for no match, or ``{kind} 'text'{where} matches
        A, B up to case; write it as one of them`` for several.
    """
    if every is not None and text.strip().lower() == every.lower():
        return every
    match matching_names(text.strip(), names):
        case [name]:
            return name
        case []:
            raise InputError(f"unknown {kind} {text!r}{where}; {choices}")
        case several:
            raise InputError(f"{kind} {text!r}{where} matches {', '.join(several)} up to case; write it as one of them")


def case_twins(names: Iterable[str]) -> list[list[str]]:
    """Groups of two or more distinct ``names`` that are one name up to case (and Unicode spelling),
    each in first-seen order; groups in the order of their first member."""
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        groups.setdefault(_key(name), []).append(name)
    return [group for group in groups.values() if len(group) > 1]
