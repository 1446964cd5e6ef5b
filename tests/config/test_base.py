"""The shared config base: frozen models, unknown keys rejected, numbers and choices read as meant."""

from __future__ import annotations

from enum import StrEnum

import pydantic
import pytest

from mmm_analytics.config.base import Settings


class Example(Settings):
    rate: float = 1.0


def test_unknown_key_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="rat"):
        Example.model_validate({"rat": 2.0})


def test_settings_are_frozen() -> None:
    example = Example(rate=2.0)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        example.rate = 3.0
    assert example == Example(rate=2.0) and hash(example) == hash(Example(rate=2.0))


class Mixed(Settings):
    rate: float = 1.0
    count: int = 1
    limit: float | None = None
    switch: bool = False
    either: bool | float = 0.5


@pytest.mark.parametrize("key", ["rate", "count", "limit"])
@pytest.mark.parametrize("value", [True, False])
def test_a_yes_no_value_is_not_read_as_a_number(key: str, value: bool) -> None:
    with pytest.raises(pydantic.ValidationError, match="a number is needed here, not true/false"):
        Mixed.model_validate({key: value})


def test_numbers_and_yes_no_values_go_where_they_belong() -> None:
    mixed = Mixed.model_validate({"rate": 2, "count": 3, "limit": 0.5, "switch": True, "either": True})
    assert (mixed.rate, mixed.count, mixed.limit, mixed.switch, mixed.either) == (2.0, 3, 0.5, True, True)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")], ids=["inf", "minus-inf", "nan"])
@pytest.mark.parametrize("key", ["rate", "limit"])
def test_a_number_must_be_finite(key: str, value: float) -> None:
    """YAML's ``.inf``/``.nan`` are refused for every number of every config model (an infinite outlier
    threshold crashed ``mmm data`` writing its report; an infinite curve range wrote non-finite curves)."""
    with pytest.raises(pydantic.ValidationError, match="finite number"):
        Mixed.model_validate({key: value})


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "dark_blue"


class Choosing(Settings):
    colour: Colour = Colour.RED
    maybe: Colour | None = None
    colours: list[Colour] = pydantic.Field(default_factory=list)
    name: str = "Mixed Case"


@pytest.mark.parametrize("written", ["DARK_BLUE", "Dark_Blue", "dark_blue"])
def test_a_choice_is_taken_in_any_letter_case(written: str) -> None:
    """As the command line's choices are: ``compute.backend: Ray`` in a YAML was refused before."""
    choosing = Choosing.model_validate({"colour": written, "maybe": written, "colours": [written, "RED"]})
    assert (choosing.colour, choosing.maybe, choosing.colours) == (
        Colour.DARK_BLUE,
        Colour.DARK_BLUE,
        [Colour.DARK_BLUE, Colour.RED],
    )


def test_other_text_keeps_its_letter_case_and_unknown_choices_are_refused() -> None:
    assert Choosing.model_validate({"name": "Brand A"}).name == "Brand A"
    with pytest.raises(pydantic.ValidationError, match="input_value='Green'"):  # quoted as written, not 'green'
        Choosing.model_validate({"colour": "Green"})
