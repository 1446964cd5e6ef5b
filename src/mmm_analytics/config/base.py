"""Shared pydantic base for every configuration model: frozen, unknown keys rejected, and a
yes/no value never read as a number, a choice taken in any letter case."""

import types
import typing
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

#: Largest seed: the random generators of the fit take 0 to 2**32 - 1.
MAX_SEED = 2**32 - 1


def error_message(error: ValidationError) -> str:
    """The first problem's message of ``error``, without pydantic's "Value error, " wrapping."""
    return error.errors()[0]["msg"].removeprefix("Value error, ")


def _takes_number_not_bool(annotation: Any) -> bool:
    """Whether a field typed ``annotation`` accepts int or float but not bool."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
    else:
        options = (annotation,)
    return bool not in options and any(option in (int, float) for option in options)


def _choices(annotation: Any) -> set[str]:
    """The names a field typed ``annotation`` takes as a choice (of each :class:`StrEnum` in it, or in a list of
    them; ``auto`` where a Literal offers it); empty for other fields."""
    if isinstance(annotation, type):
        return {member.value for member in annotation} if issubclass(annotation, StrEnum) else set()
    if typing.get_origin(annotation) is typing.Literal:
        return {value for value in typing.get_args(annotation) if isinstance(value, str)}
    return set().union(*(_choices(option) for option in typing.get_args(annotation)))


def _as_named(value: Any, choices: set[str]) -> Any:
    """``value`` with a text that names one of ``choices`` in another letter case written as the choice is (every
    choice's name is lower case); any other value as written, for the error to quote it so."""
    match value:
        case str() if value.lower() in choices:
            return value.lower()
        case list():
            return [_as_named(item, choices) for item in value]
        case _:
            return value


class Settings(BaseModel):
    """Base of all config models: immutable, a misspelled key is an error and a number is finite
    (YAML's ``.inf`` and ``.nan`` are refused)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _as_meant(cls, value: Any, info: ValidationInfo) -> Any:
        """YAML reads ``true``/``yes`` as a bool, which pydantic would take as 1: a number is wanted.
        A choice's name is taken in any letter case (``Ray``, ``WEIBULL``), as on the command line."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _takes_number_not_bool(field.annotation):
            raise ValueError("a number is needed here, not true/false")
        if field is not None and (choices := _choices(field.annotation)):
            return _as_named(value, choices)
        return value
