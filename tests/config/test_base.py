"""The shared config base: frozen models, unknown keys rejected."""

from __future__ import annotations

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
