"""What a trained model leaves in its folder for the later steps (curves, simulator).

``metadata.json`` (names, CPMs, vocabularies, date range, scalers) and
``response_params.npz`` (the fitted media response at its point estimate and as
parameter draws for intervals) let ``curves``, ``simulate`` and ``optimize`` work
from ``--model`` alone, without Keras.

Shapes use S = series (brand x region), T = weeks, C = channels, L = max_lag,
D = parameter draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.utils.io import atomic_path, write_json

METADATA_FILE = "metadata.json"
PARAMS_FILE = "response_params.npz"
MODEL_FILE = "mmm_model.keras"


@dataclass(frozen=True, slots=True)
class ResponseParams:
    """The learned media response of every series and channel.

    Weekly media contribution (INR) of series s and channel c in week t:
    ``coefficient[s, c] * saturation(carried[s, t, c])`` where
    ``carried = carryover(exposure / exposure_scale, lag_weights)`` and saturation is
    Hill(half_saturation, slope) or the zero-anchored sigmoid(half_saturation).

    Attributes
    ----------
    channels : tuple of str, length C
    series_brand, series_region : tuple of str, length S
    saturation : "hill" or "sigmoid"
    cpm : ndarray (C,), INR per 1000 exposures (spend = exposure * cpm / 1000)
    exposure_scale : ndarray (S, C), mean weekly exposure over the data (scaling unit)
    exposure : ndarray (S, T, C), weekly exposure history
    dates : tuple of str, length T, ISO week-start dates
    lag_weights : ndarray (L + 1, C); lag_weights_draws (D, L + 1, C)
    half_saturation, slope : ndarray (C,), carried-over scaled units; draws (D, C)
    coefficient : ndarray (S, C), INR per week at full saturation; draws (D, S, C)
    predicted_sales : ndarray (S, T), model prediction of Sales_Value (INR)
    baseline_sales : ndarray (S, T), prediction with every channel's exposure at 0
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

    def save(self, folder: str | Path) -> Path:
        path = Path(folder) / PARAMS_FILE
        arrays = {name: getattr(self, name) for name in _ARRAY_FIELDS}
        strings = {name: np.array(getattr(self, name), dtype=str) for name in _TEXT_FIELDS}
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            # mypy checks the values of an unpacked dict against allow_pickle (bool) too.
            np.savez_compressed(handle, saturation=np.array(self.saturation), **arrays, **strings)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls, folder: str | Path) -> ResponseParams:
        path = Path(folder) / PARAMS_FILE
        if not path.is_file():
            raise InputError(f"model folder '{folder}' has no {PARAMS_FILE}; run 'mmm train' to make it")
        with np.load(path, allow_pickle=False) as data:
            values: dict[str, Any] = {name: np.asarray(data[name], dtype=np.float64) for name in _ARRAY_FIELDS}
            values |= {name: tuple(str(v) for v in data[name]) for name in _TEXT_FIELDS}
            values["saturation"] = str(data["saturation"])
        return cls(**values)


_TEXT_FIELDS = ("channels", "series_brand", "series_region", "dates")
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

    def __dict_for_json__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def load(cls, folder: str | Path) -> ModelMetadata:
        path = Path(folder) / METADATA_FILE
        if not path.is_file():
            raise InputError(f"model folder '{folder}' has no {METADATA_FILE}; run 'mmm train' to make it")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw["date_range"] = tuple(raw["date_range"])
            raw.pop("cpm", None)  # folders written before the CPMs were saved once only
            return cls(**raw)
        except (json.JSONDecodeError, TypeError, KeyError) as error:
            raise InputError(f"'{path}' is not a valid model metadata file ({error}); re-run 'mmm train'") from None


def model_folder(path: str | Path) -> Path:
    """Accept either the model folder or the ``.keras`` file inside it; return the folder."""
    given = Path(path)
    folder = given.parent if given.suffix == ".keras" else given
    if not folder.is_dir():
        raise InputError(f"model folder '{folder}' not found; run 'mmm train' first or pass --model")
    return folder
