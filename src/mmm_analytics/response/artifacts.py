"""What a trained model leaves in its folder for the later steps (curves, simulator).

``metadata.json`` (names, CPMs, vocabularies, date range, scalers) and
``response_params.npz`` (the fitted media response at its point estimate and as
parameter draws for intervals) let ``curves``, ``simulate`` and ``optimize`` work
from ``--model`` alone, without Keras.

Shapes use S = series (brand x region), T = weeks, C = channels, L = max_lag,
D = parameter draws.
"""

from __future__ import annotations

import dataclasses
import json
import math
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.response import saturation
from mmm_analytics.response.saturation import SaturationFamily, relative_size
from mmm_analytics.style import numbers
from mmm_analytics.utils.io import atomic_path, file_digest, write_json
from mmm_analytics.utils.paths import folder_of

METADATA_FILE = "metadata.json"
PARAMS_FILE = "response_params.npz"
#: The response of the first other saturation form the form choice could not rule out: the advice
#: pools its draws with the chosen form's (see :func:`load_pooled`); absent when the evidence chose one
#: form. Any further one is in :func:`pooled_file` of its place (``pooled_response_params_2.npz``, ...).
POOLED_FILE = "pooled_response_params.npz"
MODEL_FILE = "mmm_model.keras"
WEIGHTS_FILE = "mmm_model.weights.h5"
#: The folder of a model fitted per market (``mmm train --split-by``) that holds each market's own model folder.
MARKETS_DIR = "markets"


@dataclass(frozen=True, slots=True)
class ResponseParams:
    """The learned media response of every series and channel.

    Weekly media contribution (INR) of series s and channel c in week t:
    ``coefficient[s, c] * saturation(carried[s, t, c])`` where
    ``carried = carryover(exposure / exposure_scale, lag_weights[m])`` and saturation is the
    family's curve with the series' own ``half_saturation[s, c]`` and its market's ``slope[m, c]``,
    m = ``series_market[s]``.

    A market is a group of series fitted together: one (``"all"``) for a model fitted on the whole
    panel, one per brand or region for ``mmm train --split-by``. Carryover, slope and size scaling
    are shared within a market; use :attr:`carry_sum`, :attr:`series_slope` (per series) or the
    ``typical_*`` properties (averaged over series) rather than indexing the market arrays.

    Attributes
    ----------
    channels : tuple of str, length C
    series_brand, series_region : tuple of str, length S
    saturation : a :class:`~mmm_analytics.response.saturation.SaturationFamily` value
    cpm : ndarray (C,), INR per 1000 exposures (spend = exposure * cpm / 1000)
    exposure_scale : ndarray (S, C), mean weekly exposure over the data (scaling unit)
    exposure : ndarray (S, T, C), weekly exposure history
    dates : tuple of str, length T, ISO week-start dates
    lag_weights : ndarray (M, L + 1, C); lag_weights_draws (D, M, L + 1, C)
        (given as (L + 1, C) / (D, L + 1, C), one market, a market axis is added)
    half_saturation : ndarray (S, C), carried-over scaled units of each series; draws (D, S, C)
        (given as (C,) / (D, C), one value for every series, it is broadcast)
    slope : ndarray (M, C); draws (D, M, C) (given as (C,) / (D, C): one market)
    coefficient : ndarray (S, C), INR per week at full saturation; draws (D, S, C)
    predicted_sales : ndarray (S, T), model prediction of Sales_Value (INR)
    baseline_sales : ndarray (S, T), prediction with every channel's exposure at 0
    saturation_scaling : ndarray (M, C), how half-saturation grows with series size (0 absolute,
        1 relative; default 1); draws (D, M, C) (given as (C,) / (D, C): one market)
    markets : tuple of str, length M (default ``("all",)``)
    series_market : ndarray (S,) of int, each series' market (default all 0)
    segment_half_saturation_shift, segment_slope_shift : ndarray (S, C), log factors that move
        each series' half-saturation and slope to its own curve, estimated from its own data
        (:mod:`mmm_analytics.models.segment_curves`; default 0); the simulator reads them
    segment_half_saturation_spread, segment_slope_spread : ndarray (S, C), the log-sd left around
        those shifts (default 0)
    segment_coefficient_factor : ndarray (S, C), the coefficient's factor on that curve (default 1)
    """

    channels: tuple[str, ...]
    series_brand: tuple[str, ...]
    series_region: tuple[str, ...]
    saturation: str
    cpm: np.ndarray
    exposure_scale: np.ndarray
    exposure: np.ndarray
    dates: tuple[str, ...]
    lag_weights: np.ndarray
    half_saturation: np.ndarray
    slope: np.ndarray
    coefficient: np.ndarray
    lag_weights_draws: np.ndarray
    half_saturation_draws: np.ndarray
    slope_draws: np.ndarray
    coefficient_draws: np.ndarray
    predicted_sales: np.ndarray
    baseline_sales: np.ndarray
    saturation_scaling: np.ndarray | None = None
    saturation_scaling_draws: np.ndarray | None = None
    markets: tuple[str, ...] = ("all",)
    series_market: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    segment_half_saturation_shift: np.ndarray | None = None
    segment_half_saturation_spread: np.ndarray | None = None
    segment_slope_shift: np.ndarray | None = None
    segment_slope_spread: np.ndarray | None = None
    segment_coefficient_factor: np.ndarray | None = None

    def __post_init__(self) -> None:
        s, c, d = len(self.series_brand), len(self.channels), self.coefficient_draws.shape[0]
        half, half_draws = np.asarray(self.half_saturation), np.asarray(self.half_saturation_draws)
        if half.shape == (c,):  # one value per channel for every series
            object.__setattr__(self, "half_saturation", np.broadcast_to(half, (s, c)).copy())
        if half_draws.shape == (d, c):
            object.__setattr__(self, "half_saturation_draws", np.broadcast_to(half_draws[:, None, :], (d, s, c)).copy())
        if self.saturation_scaling is None:
            object.__setattr__(self, "saturation_scaling", np.ones(c))
        if self.saturation_scaling_draws is None:
            scaling = np.asarray(self.saturation_scaling)
            object.__setattr__(self, "saturation_scaling_draws", np.broadcast_to(scaling, (d, *scaling.shape)).copy())
        for name in SEGMENT_FIELDS:
            if getattr(self, name) is None:  # every series on the fitted curve
                object.__setattr__(self, name, np.full((s, c), 1.0 if name.endswith("factor") else 0.0))
        market = np.asarray(self.series_market, dtype=np.int64)
        object.__setattr__(self, "series_market", np.zeros(s, dtype=np.int64) if market.size == 0 else market)
        object.__setattr__(self, "markets", tuple(str(name) for name in self.markets))
        # One market given without its axis (a model fitted on the whole panel): add the axis.
        for name, single_ndim, axis in _MARKET_ARRAYS:
            value = np.asarray(getattr(self, name), dtype=np.float64)
            if value.ndim == single_ndim:
                object.__setattr__(self, name, np.expand_dims(value, axis))

    @property
    def n_markets(self) -> int:
        """M, the number of groups of series fitted together."""
        return len(self.markets)

    @property
    def carry_sum(self) -> np.ndarray:
        """Total carryover (sum of the lag weights) of every series and channel, (S, C)."""
        return self.lag_weights.sum(axis=1)[self.series_market]

    @property
    def carry_sum_draws(self) -> np.ndarray:
        """Total carryover per draw, series and channel, (D, S, C)."""
        return self.lag_weights_draws.sum(axis=2)[:, self.series_market]

    @property
    def series_slope(self) -> np.ndarray:
        """Saturation slope of every series and channel, (S, C)."""
        return self.slope[self.series_market]

    @property
    def series_slope_draws(self) -> np.ndarray:
        """Saturation slope per draw, series and channel, (D, S, C)."""
        return self.slope_draws[:, self.series_market]

    @property
    def market_shares(self) -> np.ndarray:
        """Share of the series in each market, (M,)."""
        return np.bincount(self.series_market, minlength=self.n_markets) / max(len(self.series_market), 1)

    def _typical(self, array: np.ndarray, axis: int) -> np.ndarray:
        """``array``'s market axis averaged with each market's share of the series."""
        return np.tensordot(np.moveaxis(np.asarray(array, dtype=np.float64), axis, -1), self.market_shares, axes=1)

    @property
    def typical_lag_weights(self) -> np.ndarray:
        """Lag weights averaged over series, (L + 1, C) (a one-market model's own)."""
        return self._typical(self.lag_weights, 0)

    @property
    def typical_lag_weights_draws(self) -> np.ndarray:
        """Lag weights per draw averaged over series, (D, L + 1, C)."""
        return self._typical(self.lag_weights_draws, 1)

    @property
    def typical_slope(self) -> np.ndarray:
        """Saturation slope averaged over series, (C,)."""
        return self._typical(self.slope, 0)

    @property
    def typical_scaling(self) -> np.ndarray:
        """How half-saturation grows with series size, averaged over series, (C,)."""
        return self._typical(np.asarray(self.saturation_scaling), 0)

    @property
    def typical_half_saturation(self) -> np.ndarray:
        """Half-saturation of a series of typical size (relative size 1), (C,), carried-over scaled units."""
        size = relative_size(self.exposure_scale)
        scaling = np.asarray(self.saturation_scaling)[self.series_market]
        return np.exp(np.mean(np.log(self.half_saturation) + (1.0 - scaling) * np.log(size), axis=0))

    def market_rows(self) -> list[tuple[int, np.ndarray]]:
        """(market index, the indices of its series) for every market that has series."""
        return [(m, rows) for m in range(self.n_markets) if (rows := np.flatnonzero(self.series_market == m)).size]

    def series_subset(self, rows: np.ndarray) -> ResponseParams:
        """The series ``rows`` (indices, in that order) alone, every market's response kept."""
        keep = np.asarray(rows, dtype=np.int64)
        return dataclasses.replace(
            self,
            series_brand=tuple(self.series_brand[s] for s in keep),
            series_region=tuple(self.series_region[s] for s in keep),
            series_market=self.series_market[keep],
            **{name: getattr(self, name)[keep] for name in _SERIES_ARRAYS},
            **{name: getattr(self, name)[:, keep] for name in _DRAW_SERIES_ARRAYS},
        )

    def market(self, index: int) -> ResponseParams:
        """The series of market ``index`` alone, as a one-market model."""
        subset = self.series_subset(np.flatnonzero(self.series_market == index))
        return dataclasses.replace(
            subset,
            markets=(self.markets[index],),
            series_market=np.zeros(len(subset.series_brand), dtype=np.int64),
            **{name: getattr(self, name)[(slice(None),) * axis + (index,)] for name, _, axis in _MARKET_ARRAYS},
        )

    @classmethod
    def merge(cls, parts: list[tuple[str, np.ndarray, ResponseParams]], n_series: int) -> ResponseParams:
        """One model from markets fitted apart: ``(market name, rows, its one-market params)`` per
        market, ``rows`` the indices of its series among the ``n_series`` of the whole panel (each
        exactly once). Forms, channels, CPMs, dates and draw counts must agree."""
        first = parts[0][2]
        covered = np.concatenate([np.asarray(rows) for _, rows, _ in parts])
        if np.sort(covered).tolist() != list(range(n_series)):
            raise ValueError("the markets' series do not cover the panel exactly once")
        for _, rows, part in parts:
            if part.n_markets != 1 or len(part.series_brand) != len(rows):
                raise ValueError("each part must be a one-market model of its rows")
            if (part.saturation, part.channels, part.dates, part.n_draws) != (
                first.saturation,
                first.channels,
                first.dates,
                first.n_draws,
            ) or part.lag_weights.shape != first.lag_weights.shape:
                raise ValueError("the markets differ in form, channels, weeks, lags or draws")
        series_market = np.empty(n_series, dtype=np.int64)
        brand, region = [""] * n_series, [""] * n_series
        for m, (_, rows, part) in enumerate(parts):
            series_market[rows] = m
            for r, b, g in zip(rows, part.series_brand, part.series_region, strict=True):
                brand[r], region[r] = b, g

        def scatter(name: str, axis: int) -> np.ndarray:
            return scatter_series([(rows, getattr(part, name)) for _, rows, part in parts], n_series, axis)

        stacked = {
            name: np.stack([getattr(part, name)[(slice(None),) * axis + (0,)] for _, _, part in parts], axis=axis)
            for name, _, axis in _MARKET_ARRAYS
        }
        return cls(
            channels=first.channels,
            series_brand=tuple(brand),
            series_region=tuple(region),
            saturation=first.saturation,
            cpm=first.cpm,
            dates=first.dates,
            markets=tuple(name for name, _, _ in parts),
            series_market=series_market,
            **{name: scatter(name, 0) for name in _SERIES_ARRAYS},
            **{name: scatter(name, 1) for name in _DRAW_SERIES_ARRAYS},
            **stacked,
        )

    @property
    def n_draws(self) -> int:
        return int(self.coefficient_draws.shape[0])

    @property
    def cpm_by_channel(self) -> dict[str, float]:
        """INR per 1000 exposures per channel name (the one saved copy of the CPMs)."""
        return {name: float(value) for name, value in zip(self.channels, self.cpm)}

    @property
    def spend(self) -> np.ndarray:
        """Weekly spend (INR), shape (S, T, C)."""
        return self.exposure * self.cpm / 1000.0

    def series_index(self, brand: str, region: str) -> int:
        for index, pair in enumerate(zip(self.series_brand, self.series_region)):
            if pair == (brand, region):
                return index
        raise InputError(
            f"no series brand={brand!r} region={region!r}; brands: {sorted(set(self.series_brand))}, "
            f"regions: {sorted(set(self.series_region))}"
        )

    def save(self, folder: str | Path, name: str = PARAMS_FILE) -> Path:
        path = Path(folder) / name
        arrays = {name: getattr(self, name) for name in (*_ARRAY_FIELDS, *_OPTIONAL_FIELDS, "series_market")}
        strings = {name: np.array(getattr(self, name), dtype=str) for name in (*_TEXT_FIELDS, "markets")}
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            # mypy checks the values of an unpacked dict against allow_pickle (bool) too.
            np.savez_compressed(handle, saturation=np.array(self.saturation), **arrays, **strings)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls, folder: str | Path, name: str = PARAMS_FILE) -> ResponseParams:
        """Read ``response_params.npz`` (or ``name``); a missing, damaged or inconsistent file is an
        :class:`InputError`."""
        path = Path(folder) / name
        if not path.is_file():
            raise InputError(f"model folder '{folder}' has no {name}; run 'mmm train' to make it")
        if not zipfile.is_zipfile(path):
            raise _damaged(path, "not an npz archive: empty, truncated or overwritten")
        try:
            with np.load(path, allow_pickle=False) as data:
                missing = [name for name in ("saturation", *_ARRAY_FIELDS, *_TEXT_FIELDS) if name not in data]
                if missing:
                    raise _damaged(path, f"array '{missing[0]}' is missing")
                values: dict[str, Any] = {name: np.asarray(data[name], dtype=np.float64) for name in _ARRAY_FIELDS}
                values |= {name: np.asarray(data[name], dtype=np.float64) for name in _OPTIONAL_FIELDS if name in data}
                texts = {name: np.asarray(data[name]) for name in _TEXT_FIELDS}
                if "markets" in data:  # folders saved before markets existed have one
                    texts["markets"] = np.asarray(data["markets"])
                    market = np.asarray(data["series_market"])
                    if market.dtype.kind not in "iu":
                        raise _damaged(path, "array 'series_market' is not a list of whole numbers")
                    values["series_market"] = market.astype(np.int64)
                saturation = np.asarray(data["saturation"])
        except InputError:
            raise
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error) as error:
            reason = " ".join(str(error).split())[:120] or type(error).__name__
            raise _damaged(path, f"cannot be read: {reason}") from None
        for name, array in (*texts.items(), ("saturation", saturation)):
            expected = 0 if name == "saturation" else 1
            if array.ndim != expected or array.dtype.kind not in "US":
                raise _damaged(path, f"array '{name}' is not {'a' if expected == 0 else 'a list of'} text")
        values |= {name: tuple(str(v) for v in array) for name, array in texts.items()}
        values["saturation"] = str(saturation)
        if values["saturation"] not in set(SaturationFamily):
            choices = ", ".join(SaturationFamily)
            raise _damaged(path, f"array 'saturation' names '{values['saturation']}', not one of {choices}")
        params = cls(**values)
        params._check_shapes(path)
        params._check_finite(path)
        params._check_positive(path)
        return params

    def _check_positive(self, path: Path) -> None:
        """CPMs, half-saturations and slopes are > 0 (a curve is undefined otherwise); media coefficients >= 0."""
        names = ["cpm", "half_saturation", "half_saturation_draws"]
        if saturation.has_slope(self.saturation):
            names += ["slope", "slope_draws"]
        for name in names:
            array = np.asarray(getattr(self, name))
            if (array <= 0).any():
                raise _damaged(
                    path,
                    f"array '{name}' holds {numbers.counted(int((array <= 0).sum()), 'value')} <= 0 "
                    f"(smallest {array.min():.3g})",
                )
        for name in ("coefficient", "coefficient_draws"):  # media effects are >= 0 by construction (softplus)
            array = np.asarray(getattr(self, name))
            if (array < 0).any():
                raise _damaged(
                    path,
                    f"array '{name}' holds {numbers.counted(int((array < 0).sum()), 'negative value')} "
                    f"(smallest {array.min():.3g})",
                )

    def _check_finite(self, path: Path) -> None:
        """Every number of the response is finite (NaN or inf would turn every curve, ROI and plan into NaN)."""
        arrays = {name: getattr(self, name) for name in (*_ARRAY_FIELDS, *_OPTIONAL_FIELDS)}
        bad = [name for name, array in arrays.items() if array is not None and not np.isfinite(array).all()]
        if bad:
            names = ", ".join(f"'{name}'" for name in bad)
            holds = f"array {names} holds" if len(bad) == 1 else f"arrays {names} hold"
            raise _damaged(path, f"{holds} NaN or infinite values")

    def _check_shapes(self, path: Path) -> None:
        """Every array's shape agrees with the channels, series, weeks, lags and draws."""
        s, t, c = len(self.series_brand), len(self.dates), len(self.channels)
        for name, ndim, layout in (
            ("lag_weights", 3, "(markets, lags, channels)"),
            ("coefficient_draws", 3, "(draws, series, channels)"),
        ):
            if getattr(self, name).ndim != ndim:
                raise _damaged(path, f"array '{name}' has shape {getattr(self, name).shape}, expected {layout}")
        if len(self.series_region) != s:
            raise _damaged(path, f"series_region has {len(self.series_region)} entries, series_brand {s}")
        lags, d, m = self.lag_weights.shape[1], self.coefficient_draws.shape[0], self.n_markets
        expected = {
            "cpm": (c,),
            "exposure_scale": (s, c),
            "exposure": (s, t, c),
            "lag_weights": (m, lags, c),
            "half_saturation": (s, c),
            "slope": (m, c),
            "coefficient": (s, c),
            "lag_weights_draws": (d, m, lags, c),
            "half_saturation_draws": (d, s, c),
            "saturation_scaling": (m, c),
            "saturation_scaling_draws": (d, m, c),
            "slope_draws": (d, m, c),
            "series_market": (s,),
            "coefficient_draws": (d, s, c),
            "predicted_sales": (s, t),
            "baseline_sales": (s, t),
        } | {name: (s, c) for name in SEGMENT_FIELDS}
        for name, shape in expected.items():
            actual = getattr(self, name).shape
            if actual != shape:
                raise _damaged(path, f"array '{name}' has shape {actual}, expected {shape}")
        if c == 0 or s == 0 or t == 0 or lags < 1 or d < 1 or m < 1:
            raise _damaged(path, f"it holds {c} channels, {s} series, {t} weeks, {lags} lags, {d} draws, {m} markets")
        if self.series_market.min() < 0 or self.series_market.max() >= m:
            raise _damaged(path, f"array 'series_market' names a market outside 0..{m - 1}")


def pooled_saturations(selection: Mapping[str, Any]) -> tuple[str, ...]:
    """The pooled saturation forms a form selection's summary names (``FormSelection.to_dict``); a
    model saved before several could be pooled names its one as ``pooled_saturation``."""
    if "pooled_saturations" in selection:
        return tuple(str(form) for form in selection["pooled_saturations"] or ())
    return (str(selection["pooled_saturation"]),) if selection.get("pooled_saturation") else ()


def pooled_file(index: int) -> str:
    """The file of the pooled form at place ``index`` (0: :data:`POOLED_FILE`)."""
    return POOLED_FILE if index == 0 else POOLED_FILE.replace(".npz", f"_{index + 1}.npz")


def pooled_files(folder: str | Path) -> list[Path]:
    """Every pooled form's file in ``folder`` (an earlier run's too)."""
    return sorted(Path(folder).glob(POOLED_FILE.replace(".npz", "*.npz")))


def load_pooled(
    folder: str | Path, params: ResponseParams, pooled_saturations: Sequence[str]
) -> tuple[ResponseParams, ...]:
    """The other forms whose draws the advice pools with ``params`` (the model folder's own): the
    :func:`pooled_file` of each form the model's metadata names in ``pooled_saturations``, in order.
    A file the metadata does not name, a named one that is missing, or one that describes another
    form, or other series, channels, weeks or draw counts than ``params``, is an :class:`InputError`."""
    folder = Path(folder)
    named = {folder / pooled_file(i): form for i, form in enumerate(pooled_saturations)}
    for path in pooled_files(folder):
        if path not in named:
            pooled = ResponseParams.load(folder, path.name)
            said = f"says {', '.join(pooled_saturations)}" if pooled_saturations else "names no pooled form"
            raise _damaged(path, f"a {pooled.saturation} fit, while metadata.json {said} beside {params.saturation}")
    return tuple(_pooled_form(path, form, params) for path, form in named.items())


def _pooled_form(path: Path, form: str, params: ResponseParams) -> ResponseParams:
    """The pooled ``form``'s response in ``path``, checked against the chosen form's ``params``."""
    if not path.is_file():
        raise _damaged(path, f"missing, while metadata.json says a {form} fit is pooled")
    pooled = ResponseParams.load(path.parent, path.name)
    if pooled.saturation != form or pooled.saturation == params.saturation:
        raise _damaged(path, f"a {pooled.saturation} fit, while metadata.json says {form} beside {params.saturation}")
    for name, words in (
        ("channels", "channels"),
        ("series_brand", "brands"),
        ("series_region", "regions"),
        ("dates", "weeks"),
        ("n_draws", "number of draws"),
    ):
        if getattr(pooled, name) != getattr(params, name):
            raise _damaged(path, f"its {words} differ from those of {PARAMS_FILE}")
    return pooled


def scatter_series(parts: list[tuple[np.ndarray, np.ndarray]], n_series: int, axis: int = 0) -> np.ndarray:
    """One float64 array of ``n_series`` series from parts that each hold some of them:
    ``(rows, array)`` with ``array``'s series on ``axis`` and ``rows`` their indices in the whole
    (every index once over the parts)."""
    shape = list(np.shape(parts[0][1]))
    shape[axis] = n_series
    out = np.empty(shape)
    for rows, part in parts:
        np.moveaxis(out, axis, 0)[rows] = np.moveaxis(np.asarray(part), axis, 0)
    return out


def _damaged(path: Path, reason: str) -> InputError:
    return InputError(f"'{path}' is damaged ({reason}); re-run 'mmm train' to rebuild the model folder")


_TEXT_FIELDS = ("channels", "series_brand", "series_region", "dates")
#: The parameter draws of the response, each with the draw axis first.
DRAW_FIELDS = ("lag_weights_draws", "half_saturation_draws", "slope_draws", "coefficient_draws")
_ARRAY_FIELDS = (
    "cpm",
    "exposure_scale",
    "exposure",
    "lag_weights",
    "half_saturation",
    "slope",
    "coefficient",
    "lag_weights_draws",
    "half_saturation_draws",
    "slope_draws",
    "coefficient_draws",
    "predicted_sales",
    "baseline_sales",
)
#: Each series' own curve relative to the fitted one (see :mod:`mmm_analytics.models.segment_curves`).
SEGMENT_FIELDS = (
    "segment_half_saturation_shift",
    "segment_half_saturation_spread",
    "segment_slope_shift",
    "segment_slope_spread",
    "segment_coefficient_factor",
)
#: Arrays that folders saved before they existed lack (their defaults: see ``__post_init__``).
_OPTIONAL_FIELDS = ("saturation_scaling", "saturation_scaling_draws", *SEGMENT_FIELDS)
#: (name, its number of dimensions without a market axis, where the market axis goes).
_MARKET_ARRAYS = (
    ("lag_weights", 2, 0),
    ("slope", 1, 0),
    ("saturation_scaling", 1, 0),
    ("lag_weights_draws", 3, 1),
    ("slope_draws", 2, 1),
    ("saturation_scaling_draws", 2, 1),
)
#: Arrays with a leading series axis; then those with a draw axis before it.
_SERIES_ARRAYS = (
    "exposure_scale",
    "exposure",
    "half_saturation",
    "coefficient",
    "predicted_sales",
    "baseline_sales",
    *SEGMENT_FIELDS,
)
_DRAW_SERIES_ARRAYS = ("half_saturation_draws", "coefficient_draws")


@dataclass(frozen=True, slots=True)
class ModelMetadata:
    """Names, vocabularies, scalers and provenance saved beside the model (``metadata.json``).

    The CPMs are saved once, in ``response_params.npz`` (:attr:`ResponseParams.cpm_by_channel`).
    """

    channels: list[str]
    brands: list[str]
    regions: list[str]
    series: list[dict[str, str]]
    date_range: tuple[str, str]
    n_weeks: int
    holdout_weeks: int
    seed: int
    saturation: str
    max_lag: int
    interval_level: float
    carryover: str = "beta_gamma"
    scalers: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: str | Path) -> Path:
        return write_json(Path(folder) / METADATA_FILE, {**self.__dict_for_json__()})

    @property
    def pooled_saturations(self) -> tuple[str, ...]:
        """The saturation forms fitted beside the chosen one because the form choice could not rule
        them out (their draws are pooled with the chosen form's)."""
        return pooled_saturations(self.extra.get("selection") or {})

    def __dict_for_json__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def load(cls, folder: str | Path) -> ModelMetadata:
        """Read ``metadata.json``; a missing or damaged file is an :class:`InputError`."""
        path = Path(folder) / METADATA_FILE
        if not path.is_file():
            raise InputError(f"model folder '{folder}' has no {METADATA_FILE}; run 'mmm train' to make it")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise _damaged(path, "not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise _damaged(path, f"not valid JSON: {error.msg} at line {error.lineno}") from None
        if not isinstance(raw, dict):
            raise _damaged(path, f"expected a JSON object, got {type(raw).__name__}")
        missing = [name for name in _REQUIRED_METADATA if name not in raw]
        if missing:
            raise _damaged(path, f"key '{missing[0]}' is missing")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__) - {"cpm"})
        if unknown:
            raise _damaged(path, f"unknown key '{unknown[0]}'")
        if problem := _metadata_problem(raw):
            raise _damaged(path, problem)
        raw["date_range"] = tuple(raw["date_range"])
        raw.pop("cpm", None)  # folders written before the CPMs were saved once only
        return cls(**raw)


def segment_spread_words(summary: Mapping[str, Any]) -> str | None:
    """How much brand x region segments' own curves differ, in words ("half-saturation by about +-35%
    and slope by about +-12%"), from a model's ``segment_curves`` summary (see
    :mod:`mmm_analytics.models.segment_curves`); None when they do not differ at all."""
    spread, identified = summary.get("spread") or {}, summary.get("identified") or {}
    values = {str(name): float(spread.get(name, 0.0)) for name in identified}
    if not any(value > 0 for value in values.values()):
        return None
    return " and ".join(
        f"{name.replace('_', '-')} by about +-{numbers.percent(math.expm1(value), 0)}" for name, value in values.items()
    )


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _metadata_problem(raw: Mapping[str, Any]) -> str | None:
    """What is wrong with the values of a ``metadata.json`` read as ``raw`` (every required key present),
    in words for :func:`_damaged`; None when each key holds what the later steps read from it."""
    for name in ("channels", "brands", "regions", "series", "date_range"):
        if not isinstance(raw[name], list):
            return f"key '{name}' is not a list"
    for name in ("channels", "brands", "regions", "date_range"):
        if not all(isinstance(item, str) for item in raw[name]):
            return f"key '{name}' holds an entry that is not text"
    if len(raw["date_range"]) != 2:
        return "key 'date_range' is not a pair of dates"
    if not all(isinstance(item, dict) and all(isinstance(v, str) for v in item.values()) for item in raw["series"]):
        return "key 'series' holds an entry that is not a mapping of names"
    for name in ("n_weeks", "holdout_weeks", "seed", "max_lag"):
        if not _is_whole(raw[name]):
            return f"key '{name}' is {raw[name]!r}, not a whole number >= 0"
    level = raw["interval_level"]
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        return f"key 'interval_level' is {level!r}, not a share between 0 and 1"
    for name, kind, words in (
        ("saturation", str, "text"),
        ("carryover", str, "text"),
        ("scalers", dict, "a mapping"),
        ("extra", dict, "a mapping"),
    ):
        if name in raw and not isinstance(raw[name], kind):
            return f"key '{name}' is {raw[name]!r}, not {words}"
    return None


_REQUIRED_METADATA = (
    "channels",
    "brands",
    "regions",
    "series",
    "date_range",
    "n_weeks",
    "holdout_weeks",
    "seed",
    "saturation",
    "max_lag",
    "interval_level",
)


def model_digest(folder: str | Path) -> str:
    """The SHA-256 of a model folder's ``response_params.npz``: which training a later step's file was
    made from, whatever the file times say (a copied or restored project keeps it); "" without one."""
    path = Path(folder) / PARAMS_FILE
    return file_digest(path) if path.is_file() else ""


def load_model_files(folder: Path) -> tuple[ModelMetadata, ResponseParams]:
    """``metadata.json`` and ``response_params.npz`` of a model folder, checked to be of one model
    (the same channels and series) and to hold the draws intervals need.

    Raises
    ------
    InputError
        When either is missing or damaged, or they were written by two different trainings.
    """
    metadata = ModelMetadata.load(folder)
    params = ResponseParams.load(folder)
    again = "re-run 'mmm train' to write both again"
    if list(params.channels) != list(metadata.channels):
        raise InputError(
            f"'{folder / PARAMS_FILE}' has channels {list(params.channels)} but '{folder / METADATA_FILE}' has "
            f"{list(metadata.channels)}; {again}"
        )
    if len(params.series_brand) != len(metadata.series):
        raise InputError(
            f"'{folder / PARAMS_FILE}' holds {len(params.series_brand)} series but '{folder / METADATA_FILE}' "
            f"{len(metadata.series)}: they come from two trainings; {again}"
        )
    if params.n_draws < 2:
        raise InputError(
            f"'{folder / PARAMS_FILE}' holds {params.n_draws} parameter draws (need >= 2 for intervals); "
            "re-run 'mmm train'"
        )
    return metadata, params


def model_folder(path: str | Path) -> Path:
    """Accept either the model folder or the ``.keras`` file inside it; return the folder.

    A ``.keras`` path that does not exist is accepted when its folder holds ``metadata.json`` or
    ``response_params.npz`` (curves, simulate and optimize need only those; see
    :func:`model_file_problem`), so that the loaders name whichever of them is missing.
    """
    given, folder = Path(path), folder_of(path)
    if given.is_dir():
        return given
    if given.suffix == ".keras":
        if given.exists() or any((folder / name).is_file() for name in (METADATA_FILE, PARAMS_FILE)):
            return folder
        raise InputError(f"model file '{given}' not found; run 'mmm train' first or pass --model")
    if given.exists():
        raise InputError(f"--model '{given}' is a file, not a model folder; pass the folder or its {MODEL_FILE}")
    raise InputError(f"model folder '{given}' not found; run 'mmm train' first or pass --model")


def model_file_problem(folder: str | Path) -> str | None:
    """What is wrong with the saved Keras model ``mmm_model.keras`` in ``folder``, or None.

    Cheap: the file must be a zip archive holding the model's ``config.json`` (weights are not read).
    """
    path = Path(folder) / MODEL_FILE
    markets = Path(folder) / MARKETS_DIR
    if not path.exists() and markets.is_dir():  # fitted per market: each market's own model
        parts = sorted(p for p in markets.iterdir() if p.is_dir())
        problems = [problem for part in parts if (problem := model_file_problem(part)) is not None]
        return problems[0] if problems else None if parts else f"'{markets}' holds no market's model"
    if not path.exists():
        return f"'{path}' is missing"
    if not path.is_file():
        return f"'{path}' is not a file"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile, EOFError):
        return f"'{path}' is damaged (not a readable .keras archive)"
    if "config.json" not in names:
        return f"'{path}' is damaged (the archive holds no config.json)"
    return None


def require_model_file(folder: str | Path) -> Path:
    """The path of ``mmm_model.keras`` in ``folder``; an :class:`InputError` when it is missing or damaged."""
    problem = model_file_problem(folder)
    if problem is not None:
        raise InputError(f"{problem}; re-run 'mmm train' to rebuild the model folder")
    return Path(folder) / MODEL_FILE
