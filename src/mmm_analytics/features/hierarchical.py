"""Stable integer vocabularies for brand, region and SKU (saved with the model)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Sorted unique names -> 0..n-1; the same names always give the same ids."""

    name: str
    values: tuple[str, ...]

    @classmethod
    def from_values(cls, name: str, values: Iterable[str]) -> Vocabulary:
        return cls(name, tuple(sorted({str(v) for v in values})))

    def __len__(self) -> int:
        return len(self.values)

    def encode(self, values: Iterable[str]) -> npt.NDArray[np.int64]:
        lookup = {v: i for i, v in enumerate(self.values)}
        try:
            return np.array([lookup[str(v)] for v in values], dtype=np.int64)
        except KeyError as error:
            raise InputError(f"unknown {self.name} {error.args[0]!r}; known: {', '.join(self.values)}") from None

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.values[int(i)] for i in ids]

    def to_dict(self) -> dict[str, str | list[str]]:
        return {"name": self.name, "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: dict) -> Vocabulary:
        return cls(str(data["name"]), tuple(data["values"]))
