"""The ground truth of a synthetic panel: media response, contributions, ROIs.

Saved as ``ground_truth.json`` beside the panel; :func:`true_steady_state_response`
evaluates the true weekly response to a sustained spend (used to score the optimiser).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.steady_state import steady_state_response

MAX_LAG = 16


@dataclass(frozen=True, slots=True)
class MediaTruth:
    """True media response. Arrays: ``half_saturation`` (n_channels,) in carried-over scaled
    units; ``scale`` and ``coefficient`` (n_geos, n_brands, n_channels): mean weekly exposure
    and INR per week at full saturation."""

    channels: tuple[str, ...]
    carryover: str
    saturation: str
    params: dict[str, np.ndarray]
    half_saturation: np.ndarray
    scale: np.ndarray
    coefficient: np.ndarray

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

    def saturate(self, carried: np.ndarray) -> np.ndarray:
        return saturation.saturate(carried, self.saturation, self.half_saturation, self.params["slope"])


def media_response(truth: MediaTruth, exposure: np.ndarray) -> np.ndarray:
    """Weekly media contribution (INR), shape (n_geos, n_brands, n_weeks, n_channels)."""
    return truth.coefficient[:, :, None, :] * truth.saturate(truth.carried(exposure))


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
        for entry in self.data["series"]:
            if entry["brand"] == brand and entry["region"] == region:
                return entry
        raise InputError(f"ground truth has no series brand={brand!r} region={region!r}")

    def to_json(self) -> str:
        return json.dumps(self.data, indent=2)

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"ground truth file '{file}' not found; run 'mmm data --source synthetic' to make one")
        return cls(json.loads(file.read_text(encoding="utf-8")))


def build_truth(
    media: MediaTruth,
    exposure: np.ndarray,
    cpm: dict[str, float],
    geos: list[str],
    brands: list[str],
    extra: dict[str, Any],
) -> GroundTruth:
    """Contribution, spend and ROI per channel, nationally and per brand x region."""
    contribution = media_response(media, exposure).sum(axis=2)  # (n_geos, n_brands, n_channels)
    cpm_arr = np.array([cpm[c] for c in media.channels])
    spend = exposure.sum(axis=2) * cpm_arr / 1000.0
    series = []
    for g, geo in enumerate(geos):
        for b, brand in enumerate(brands):
            series.append(
                {
                    "brand": brand,
                    "region": geo,
                    "coefficient": dict(zip(media.channels, media.coefficient[g, b].tolist())),
                    "exposure_scale": dict(zip(media.channels, media.scale[g, b].tolist())),
                    "contribution": dict(zip(media.channels, contribution[g, b].tolist())),
                    "spend": dict(zip(media.channels, spend[g, b].tolist())),
                    "roi": dict(zip(media.channels, (contribution[g, b] / spend[g, b]).tolist())),
                }
            )
    total_c, total_s = contribution.sum(axis=(0, 1)), spend.sum(axis=(0, 1))
    weights = media.lag_weights()
    data = {
        **extra,
        "channels": list(media.channels),
        "cpm": {c: float(cpm[c]) for c in media.channels},
        "carryover": {
            "family": media.carryover,
            "max_lag": MAX_LAG,
            "params": {k: dict(zip(media.channels, v.tolist())) for k, v in media.params.items()},
            "weights": {c: weights[:, i].tolist() for i, c in enumerate(media.channels)},
            "half_life_weeks": dict(
                zip(media.channels, np.atleast_1d(carryover.half_life(media.params["retention"])).tolist())
            )
            if media.carryover == "beta_gamma"
            else None,
        },
        "saturation": {
            "family": media.saturation,
            "half_saturation": dict(zip(media.channels, media.half_saturation.tolist())),
            "slope": dict(zip(media.channels, media.params["slope"].tolist())),
        },
        "national": {
            c: {"contribution": float(total_c[i]), "spend": float(total_s[i]), "roi": float(total_c[i] / total_s[i])}
            for i, c in enumerate(media.channels)
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
        per_channel(data["saturation"]["half_saturation"]),
        per_channel(data["saturation"]["slope"]),
        data["saturation"]["family"],
    )
    return float(response.sum())
