"""The ground truth of a synthetic panel: media response, contributions, ROIs.

Saved as ``ground_truth.json`` beside the panel; :func:`true_steady_state_response`
evaluates the true weekly response to a sustained spend (used to score the optimiser).

Half-saturation is stored for a series of typical size (``saturation.half_saturation``) with
the ``saturation.scaling`` that turns it into each series' own (1 relative, 0 absolute; see
:func:`~mmm_analytics.response.saturation.series_half_saturation`); each series entry also
carries its own value, in its carried-over scaled units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.saturation import SaturationScaling
from mmm_analytics.response.steady_state import steady_state_response

MAX_LAG = 16


@dataclass(frozen=True, slots=True)
class MediaTruth:
    """True media response.

    Attributes
    ----------
    half_saturation : ndarray of shape (n_channels,)
        Half-saturation of a series of typical size, in carried-over scaled units.
    scaling : ndarray of shape (n_channels,)
        How half-saturation grows with series size (1 relative, 0 absolute).
    scale, coefficient : ndarray of shape (n_geos, n_brands, n_channels)
        Mean weekly exposure (impressions) and INR per week at full saturation.
    half_saturation_factor, slope_factor : ndarray of shape (n_geos, n_brands, n_channels) or None
        Each series' own factors on its half-saturation and slope (None: 1, every series on the
        channel's curve).
    """

    channels: tuple[str, ...]
    carryover: str
    saturation: str
    params: dict[str, np.ndarray]
    half_saturation: np.ndarray
    scaling: np.ndarray
    scale: np.ndarray
    coefficient: np.ndarray
    half_saturation_factor: np.ndarray | None = None
    slope_factor: np.ndarray | None = None

    def carryover_params(self) -> dict[str, np.ndarray]:
        """The carryover family's parameters by name (``params`` may prefix them with the family)."""
        form = carryover.form_of(self.carryover)
        return {
            p.name: self.params[p.name] if p.name in self.params else self.params[f"{self.carryover}_{p.name}"]
            for p in form.parameters
        }

    def lag_weights(self) -> np.ndarray:
        """Carryover weights of shape (MAX_LAG + 1, n_channels)."""
        return carryover.lag_weights(self.carryover, self.carryover_params(), MAX_LAG)

    def carried(self, exposure: np.ndarray) -> np.ndarray:
        """Carried-over scaled exposure, shape (n_geos, n_brands, n_weeks, n_channels)."""
        return carryover.apply_carryover(exposure / self.scale[:, :, None, :], self.lag_weights())

    def series_half_saturation(self) -> np.ndarray:
        """Each series' half-saturation in its own carried-over scaled units, (n_geos, n_brands, n_channels)."""
        n_channels = len(self.channels)
        size = saturation.relative_size(self.scale.reshape(-1, n_channels))
        own = np.asarray(saturation.series_half_saturation(self.half_saturation, size, self.scaling))
        factor = 1.0 if self.half_saturation_factor is None else self.half_saturation_factor
        return own.reshape(self.scale.shape) * factor

    def series_slope(self) -> np.ndarray:
        """Each series' saturation slope, (n_geos, n_brands, n_channels)."""
        factor = 1.0 if self.slope_factor is None else self.slope_factor
        return np.broadcast_to(self.params["slope"], self.scale.shape) * factor

    def saturate(self, carried: np.ndarray) -> np.ndarray:
        """Saturation of ``carried`` (n_geos, n_brands, n_weeks, n_channels), same shape."""
        half = self.series_half_saturation()[:, :, None, :]
        return saturation.saturate(carried, self.saturation, half, self.series_slope()[:, :, None, :])


def media_response(truth: MediaTruth, exposure: np.ndarray) -> np.ndarray:
    """Weekly media contribution (INR), shape (n_geos, n_brands, n_weeks, n_channels)."""
    return truth.coefficient[:, :, None, :] * truth.saturate(truth.carried(exposure))


def scaling_form(scaling: np.ndarray) -> SaturationScaling:
    """The named scaling of per-channel values: relative (all 1), absolute (all 0), else learned."""
    values = np.asarray(scaling, dtype=np.float64)
    if np.all(values == 1.0):
        return SaturationScaling.RELATIVE
    if np.all(values == 0.0):
        return SaturationScaling.ABSOLUTE
    return SaturationScaling.LEARNED


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Everything known about a synthetic world, as a JSON-ready mapping plus helpers."""

    data: dict[str, Any]

    @property
    def channels(self) -> list[str]:
        return list(self.data["channels"])

    def national_roi(self) -> dict[str, float]:
        return {c: v["roi"] for c, v in self.data["national"].items()}

    def national_contribution(self) -> dict[str, float]:
        return {c: v["contribution"] for c, v in self.data["national"].items()}

    def series(self, brand: str, region: str) -> dict[str, Any]:
        """The entry of one brand x region (coefficients, exposure scale, contribution, ...)."""
        return self.data["series"][self.series_index(brand, region)]

    def scaling(self, channels: list[str] | tuple[str, ...] | None = None) -> np.ndarray:
        """How half-saturation grows with series size per channel, (C,): 1 relative (also when
        the file predates the field), 0 absolute."""
        stored = self.data["saturation"].get("scaling") or {}
        return np.array([float(stored.get(c, 1.0)) for c in channels or self.channels])

    def series_half_saturation(self, channels: list[str] | tuple[str, ...] | None = None) -> np.ndarray:
        """Every series' half-saturation in its own carried-over scaled units, (n_series, C).

        Rows follow ``data["series"]``; built from the typical half-saturation, the scaling and
        each series' size relative to all series of the truth.
        """
        names = list(channels or self.channels)
        entries = self.data["series"]
        scale = np.array([[entry["exposure_scale"][c] for c in names] for entry in entries], dtype=np.float64)
        typical = np.array([self.data["saturation"]["half_saturation"][c] for c in names], dtype=np.float64)
        own = saturation.series_half_saturation(typical, saturation.relative_size(scale), self.scaling(names))
        return np.asarray(own, dtype=np.float64) * self._series_factors("half_saturation_factor", names)

    def series_slope(self, channels: list[str] | tuple[str, ...] | None = None) -> np.ndarray:
        """Every series' saturation slope, (n_series, C): the channel's, times the series' own factor
        where the world gives one (``slope_factor``)."""
        names = list(channels or self.channels)
        slope = np.array([float(self.data["saturation"]["slope"][c]) for c in names])
        return slope[None, :] * self._series_factors("slope_factor", names)

    def _series_factors(self, key: str, names: list[str]) -> np.ndarray:
        """Each series' own factor ``key`` per channel, (n_series, C); 1 where the truth has none."""
        return np.array(
            [[float((entry.get(key) or {}).get(c, 1.0)) for c in names] for entry in self.data["series"]],
            dtype=np.float64,
        )

    def series_index(self, brand: str, region: str) -> int:
        """Row of the series in ``data["series"]``."""
        for row, entry in enumerate(self.data["series"]):
            if entry["brand"] == brand and entry["region"] == region:
                return row
        raise InputError(f"ground truth has no series brand={brand!r} region={region!r}")

    def to_json(self) -> str:
        return json.dumps(self.data, indent=2)

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"ground truth file '{file}' not found; run 'mmm data --source synthetic' to make one")
        return cls(json.loads(file.read_text(encoding="utf-8")))


def _by_channel(channels: tuple[str, ...], values: np.ndarray) -> dict[str, float]:
    return dict(zip(channels, np.asarray(values, dtype=np.float64).tolist()))


def build_truth(
    media: MediaTruth,
    exposure: np.ndarray,
    cpm: dict[str, float],
    geos: list[str],
    brands: list[str],
    extra: dict[str, Any],
    weekly: np.ndarray | None = None,
) -> GroundTruth:
    """Contribution, spend and ROI per channel, nationally and per brand x region.

    ``weekly`` is ``media_response(media, exposure)`` (n_geos, n_brands, n_weeks, n_channels)
    when the caller has it already; it is computed when omitted.
    """
    channels = media.channels
    weekly = media_response(media, exposure) if weekly is None else weekly
    contribution = weekly.sum(axis=2)  # (n_geos, n_brands, n_channels)
    cpm_arr = np.array([cpm[c] for c in channels])
    spend = exposure.sum(axis=2) * cpm_arr / 1000.0
    half = media.series_half_saturation()
    own_factors = {
        key: value
        for key, value in (
            ("half_saturation_factor", media.half_saturation_factor),
            ("slope_factor", media.slope_factor),
        )
        if value is not None
    }
    series = [
        {
            "brand": brand,
            "region": geo,
            "coefficient": _by_channel(channels, media.coefficient[g, b]),
            "exposure_scale": _by_channel(channels, media.scale[g, b]),
            "half_saturation": _by_channel(channels, half[g, b]),
            **{key: _by_channel(channels, value[g, b]) for key, value in own_factors.items()},
            "contribution": _by_channel(channels, contribution[g, b]),
            "spend": _by_channel(channels, spend[g, b]),
            "roi": _by_channel(channels, contribution[g, b] / spend[g, b]),
        }
        for g, geo in enumerate(geos)
        for b, brand in enumerate(brands)
    ]
    total_c, total_s = contribution.sum(axis=(0, 1)), spend.sum(axis=(0, 1))
    weights = media.lag_weights()
    data = {
        **extra,
        "channels": list(channels),
        "cpm": {c: float(cpm[c]) for c in channels},
        "carryover": {
            "family": media.carryover,
            "max_lag": MAX_LAG,
            "params": {k: _by_channel(channels, v) for k, v in media.params.items()},
            "weights": {c: weights[:, i].tolist() for i, c in enumerate(channels)},
            "half_life_weeks": _by_channel(channels, np.atleast_1d(carryover.half_life(media.params["retention"])))
            if media.carryover == "beta_gamma"
            else None,
        },
        "saturation": {
            "family": media.saturation,
            "half_saturation": _by_channel(channels, media.half_saturation),
            "slope": _by_channel(channels, media.params["slope"]),
            "scaling": _by_channel(channels, media.scaling),
            "scaling_form": scaling_form(media.scaling).value,
        },
        "national": {
            c: {"contribution": float(total_c[i]), "spend": float(total_s[i]), "roi": float(total_c[i] / total_s[i])}
            for i, c in enumerate(channels)
        },
        "total_media_contribution": float(total_c.sum()),
        "series": series,
    }
    return GroundTruth(data)


def true_steady_state_response(truth: GroundTruth, brand: str, region: str, weekly_spend: dict[str, float]) -> float:
    """True weekly incremental Sales_Value (INR) of sustaining ``weekly_spend`` (INR per channel)."""
    entry = truth.series(brand, region)
    data, channels = truth.data, truth.channels

    def per_channel(mapping: dict[str, float]) -> np.ndarray:
        return np.array([float(mapping[c]) for c in channels])

    response = steady_state_response(
        np.array([float(weekly_spend.get(c, 0.0)) for c in channels]),
        per_channel(entry["coefficient"]),
        per_channel(entry["exposure_scale"]),
        per_channel(data["cpm"]),
        np.array([sum(data["carryover"]["weights"][c]) for c in channels]),
        truth.series_half_saturation()[truth.series_index(brand, region)],
        truth.series_slope()[truth.series_index(brand, region)],
        data["saturation"]["family"],
    )
    return float(response.sum())
