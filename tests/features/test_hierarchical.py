"""Vocabularies: sorted, stable ids; unknown names are user errors; dict round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.features.hierarchical import Vocabulary


def test_ids_are_sorted_unique_names_whatever_the_order() -> None:
    first = Vocabulary.from_values("region", ["WEST", "EAST", "NORTH", "EAST"])
    second = Vocabulary.from_values("region", ["NORTH", "WEST", "EAST"])
    assert first == second
    assert first.values == ("EAST", "NORTH", "WEST") and len(first) == 3
    np.testing.assert_array_equal(first.encode(["WEST", "EAST", "WEST"]), [2, 0, 2])
    assert first.encode(["NORTH"]).dtype == np.int64


def test_decode_inverts_encode() -> None:
    vocab = Vocabulary.from_values("brand", ["BrandC", "BrandA", "BrandB"])
    names = ["BrandB", "BrandC", "BrandA", "BrandB"]
    assert vocab.decode(vocab.encode(names)) == names
    assert vocab.decode(np.array([0, 2])) == ["BrandA", "BrandC"]


def test_non_string_values_are_compared_as_text() -> None:
    vocab = Vocabulary.from_values("sku", [3, 1, 2])
    assert vocab.values == ("1", "2", "3")
    np.testing.assert_array_equal(vocab.encode([2, "3"]), [1, 2])


def test_unknown_name_raises_input_error_naming_the_vocabulary() -> None:
    vocab = Vocabulary.from_values("brand", ["BrandA", "BrandB"])
    with pytest.raises(InputError, match=r"unknown brand 'BrandZ'; known: BrandA, BrandB"):
        vocab.encode(["BrandA", "BrandZ"])


def test_dict_round_trip_through_json() -> None:
    vocab = Vocabulary.from_values("region", ["SOUTH", "EAST"])
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored == vocab
    assert vocab.to_dict() == {"name": "region", "values": ["EAST", "SOUTH"]}


def test_empty_vocabulary() -> None:
    vocab = Vocabulary.from_values("sku", [])
    assert len(vocab) == 0 and vocab.encode([]).shape == (0,)
