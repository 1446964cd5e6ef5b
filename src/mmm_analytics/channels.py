"""The channel table: every media channel's name, data columns and cost, in output order.

One table answers, for every step, which column holds a channel, what the model reads
for it and how much was spent on it:

- ``columns``: the exposure column (impressions, readers, listeners per week);
- ``spend_column``: a column of weekly spend in INR, or ``None``;
- ``cpm``: INR per 1000 units of the model's input column (``input_columns``).

A channel without a spend column is measured in exposures: the model reads the exposure
column and ``cpm`` is the configured INR per 1000 exposures. A channel with a spend
column is measured in money: the model reads the spend column (INR), so one input unit
costs 1 INR and ``cpm`` is 1000 (any configured CPM is ignored). Either way weekly spend
(INR) = input x cpm / 1000, and :meth:`Channels.spend` gives it from a frame.

Shapes: C = number of channels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self, overload

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError
from mmm_analytics.utils.words import numbered

if TYPE_CHECKING:
    import pandas as pd

type Array = npt.NDArray[np.float64]

#: Names a channel may not take (in any case): the other columns of the decomposition table and of the
#: tables keyed by channel (date, brand, region, sku, actual, predicted, base, price, promotions).
RESERVED_NAMES: tuple[str, ...] = (
    "date",
    "brand",
    "region",
    "geo",
    "sku",
    "actual",
    "predicted",
    "base",
    "price",
    "promotions",
)


def reserved_names(names: Iterable[str]) -> list[str]:
    """The ``names`` that are :data:`RESERVED_NAMES` up to case and spaces around them, in order."""
    return [name for name in names if name.strip().lower() in RESERVED_NAMES]


#: CPM of a channel given by a spend column: its input is INR, so 1000 INR per 1000 input units.
SPEND_COLUMN_CPM = 1000.0

#: The built-in channels of the published file: (name, exposure column, INR per 1000 exposures).
_DEFAULT: tuple[tuple[str, str, float], ...] = (
    ("TV", "TV_Impressions", 1.20),
    ("YouTube", "YouTube_Impressions", 1.60),
    ("Facebook", "Facebook_Impressions", 2.00),
    ("Instagram", "Instagram_Impressions", 4.50),
    ("Print", "Print_Readership", 6.00),
    ("Radio", "Radio_Listenership", 0.60),
)


class _Spec(Protocol):
    """What :meth:`Channels.from_config` reads of one channel (``config.data.ChannelSpec``)."""

    column: str
    cpm: float | None
    spend_column: str | None


class _Config(Protocol):
    """What :meth:`Channels.from_config` reads of a data config (``config.data.DataConfig``)."""

    @property
    def channels(self) -> Mapping[str, _Spec]: ...


@dataclass(frozen=True, slots=True)
class Channels:
    """Media channels in output order; every tuple has one entry per channel (length C).

    Attributes
    ----------
    names : tuple of str
        Channel names used in every output.
    columns : tuple of str
        Exposure column of each channel (exposures per week).
    cpm : tuple of float
        INR per 1000 units of the model's input column: the configured CPM (INR per 1000
        exposures) for an exposure channel, ``SPEND_COLUMN_CPM`` (1000) for a channel
        given by a spend column.
    spend_column : tuple of (str or None)
        Column of weekly spend in INR, or ``None`` when spend is exposure x cpm / 1000.
    """

    names: tuple[str, ...]
    columns: tuple[str, ...]
    cpm: tuple[float, ...]
    spend_column: tuple[str | None, ...]

    def __post_init__(self) -> None:
        sizes = {len(self.names), len(self.columns), len(self.cpm), len(self.spend_column)}
        if len(sizes) != 1:
            raise ValueError("names, columns, cpm and spend_column must have one entry per channel")
        if not self.names:
            raise ValueError("a channel table needs at least one channel")
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"channel names must be unique, got {list(self.names)}")
        bad = [n for n, c in zip(self.names, self.cpm, strict=True) if not (math.isfinite(c) and c > 0)]
        if bad:
            raise ValueError(f"cpm must be finite and > 0 for {numbered(len(bad), 'channel')} {', '.join(bad)}")
        inputs = self.input_columns
        for column in dict.fromkeys(c for c in inputs if inputs.count(c) > 1):
            sharing = [n for n, c in zip(self.names, inputs, strict=True) if c == column]
            raise ValueError(f"channels {' and '.join(sharing)} read the same column '{column}'; each needs its own")

    @classmethod
    def default(cls) -> Self:
        """The six built-in channels of the published file with their default CPMs."""
        names, columns, cpms = zip(*_DEFAULT, strict=True)
        return cls(tuple(names), tuple(columns), tuple(float(c) for c in cpms), (None,) * len(names))

    @classmethod
    def from_config(cls, data_config: _Config) -> Self:
        """The table of a ``DataConfig`` (its ``channels`` block, in its order)."""
        specs = data_config.channels
        cpms: list[float] = []
        for name, spec in specs.items():
            if spec.spend_column is not None:
                cpms.append(SPEND_COLUMN_CPM)
            elif spec.cpm is not None:
                cpms.append(float(spec.cpm))
            else:
                raise ValueError(f"channel '{name}' has neither 'cpm' nor 'spend_column'")
        return cls(
            names=tuple(specs),
            columns=tuple(spec.column for spec in specs.values()),
            cpm=tuple(cpms),
            spend_column=tuple(spec.spend_column for spec in specs.values()),
        )

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        """The channel names, in order."""
        return iter(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def index(self, name: str) -> int:
        """Position of channel ``name``; ``KeyError`` for an unknown name."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"no channel named {name!r}; channels are {', '.join(self.names)}") from None

    def column_of(self, name: str) -> str:
        """Exposure column of channel ``name``."""
        return self.columns[self.index(name)]

    def input_column_of(self, name: str) -> str:
        """The column the model reads for channel ``name`` (of :attr:`input_columns`)."""
        return self.input_columns[self.index(name)]

    def cpm_of(self, name: str) -> float:
        """INR per 1000 units of channel ``name``'s model input."""
        return self.cpm[self.index(name)]

    def spend_column_of(self, name: str) -> str | None:
        """Spend column of channel ``name``, or ``None`` when it is priced by exposure x cpm / 1000."""
        return self.spend_column[self.index(name)]

    def cpm_array(self) -> Array:
        """``cpm`` as float64, shape (C,)."""
        return np.asarray(self.cpm, dtype=np.float64)

    @property
    def exposure_columns(self) -> dict[str, str]:
        """Channel name -> exposure column, in order."""
        return dict(zip(self.names, self.columns, strict=True))

    @property
    def input_columns(self) -> tuple[str, ...]:
        """The column the model reads per channel: the spend column when given, else the exposure column."""
        return tuple(s if s is not None else c for c, s in zip(self.columns, self.spend_column, strict=True))

    @property
    def data_columns(self) -> tuple[str, ...]:
        """Every column the table names (exposure columns, then spend columns), without repeats."""
        return tuple(dict.fromkeys([*self.columns, *(s for s in self.spend_column if s is not None)]))

    def require_inputs(self, available: Iterable[str]) -> None:
        """Raise ``InputError`` naming the first channel whose model input column is not ``available``."""
        present = set(available)
        for name, column in zip(self.names, self.input_columns, strict=True):
            if column not in present:
                raise InputError(
                    f"channel '{name}': column '{column}' is not in the panel; fix data_config.yaml channels"
                )

    @overload
    def spend(self, frame: Mapping[str, npt.ArrayLike]) -> Array: ...
    @overload
    def spend(self, frame: pd.DataFrame) -> pd.DataFrame: ...
    def spend(self, frame: Any) -> Any:
        """Spend in INR per row and channel: the spend column when given, else exposure x cpm / 1000.

        Parameters
        ----------
        frame : DataFrame or mapping of column -> array of shape (n,)
            Rows of the panel (or sums of rows: spend is linear) holding ``input_columns``.

        Returns
        -------
        DataFrame of shape (n, C), columns ``names``, index of ``frame``; or, for a mapping,
        a float64 array of shape (n, C).
        """
        self.require_inputs(frame.keys())
        is_frame = hasattr(frame, "columns") and hasattr(frame, "index")
        values: dict[str, Any] = {}
        for name, column, cpm, spend in zip(self.names, self.columns, self.cpm, self.spend_column, strict=True):
            source = frame[spend if spend is not None else column]
            source = source.astype(np.float64) if is_frame else np.asarray(source, dtype=np.float64)
            values[name] = source if spend is not None else source * cpm / 1000.0
        if is_frame:
            import pandas as pd

            return pd.DataFrame(values, index=frame.index)
        return np.stack(list(values.values()), axis=-1)
