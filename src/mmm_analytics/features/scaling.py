"""Scalers fitted on the panel and saved with the model, so inputs are scaled the same way later.

- exposure: divided by the series' mean weekly exposure over all weeks (shape (S, C));
  media plans are known inputs, so all weeks are used and 1 = a typical week.
- controls: standardised with mean and sd over the training weeks (shape (K,)), then
  whitened (rotated onto uncorrelated unit-variance components, (K, K')) so that the
  model's baseline coefficients are well conditioned; near-constant directions are dropped.
- sales: divided by the mean weekly Sales_Value of a series over the training weeks (scalar).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

type Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Scalers:
    exposure_scale: Array  # (S, C)
    control_mean: Array  # (K,)
    control_sd: Array  # (K,), 1 where a control is constant
    sales_scale: float
    whitening: Array  # (K, K'): standardised controls @ whitening = uncorrelated components

    @classmethod
    def fit(cls, exposure: Array, controls: Array, sales: Array, n_train_weeks: int) -> Scalers:
        """Fit on exposure (S, T, C), controls (S, T, K), sales (S, T)."""
        exposure_scale = exposure.mean(axis=1)
        exposure_scale = np.where(exposure_scale > 0, exposure_scale, 1.0)
        train_controls = controls[:, :n_train_weeks].reshape(-1, controls.shape[-1])
        sd = np.where(train_controls.std(axis=0) > 1e-12, train_controls.std(axis=0), 1.0)
        mean = train_controls.mean(axis=0)
        return cls(
            exposure_scale=exposure_scale,
            control_mean=mean,
            control_sd=sd,
            sales_scale=float(sales[:, :n_train_weeks].mean()),
            whitening=whitening_matrix((train_controls - mean) / sd),
        )

    def scale_exposure(self, exposure: Array) -> Array:
        return exposure / self.exposure_scale[:, None, :]

    def scale_controls(self, controls: Array) -> Array:
        """Whitened controls (..., K') from raw controls (..., K)."""
        return ((controls - self.control_mean) / self.control_sd) @ self.whitening

    def to_dict(self) -> dict[str, Any]:
        return {
            "exposure_scale": self.exposure_scale.tolist(),
            "control_mean": self.control_mean.tolist(),
            "control_sd": self.control_sd.tolist(),
            "sales_scale": self.sales_scale,
            "whitening": self.whitening.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scalers:
        return cls(
            exposure_scale=np.asarray(data["exposure_scale"], dtype=np.float64),
            control_mean=np.asarray(data["control_mean"], dtype=np.float64),
            control_sd=np.asarray(data["control_sd"], dtype=np.float64),
            sales_scale=float(data["sales_scale"]),
            whitening=np.asarray(data["whitening"], dtype=np.float64).reshape(len(data["control_mean"]), -1),
        )


def whitening_matrix(standardised: Array, relative_floor: float = 1e-8) -> Array:
    """PCA whitening (K, K') of standardised rows (n, K); drops directions with variance
    below ``relative_floor`` times the largest (exactly collinear or constant controls)."""
    if standardised.shape[1] == 0:
        return np.zeros((0, 0))
    covariance = np.cov(standardised, rowvar=False).reshape(standardised.shape[1], -1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    keep = eigenvalues > relative_floor * max(eigenvalues.max(), 1e-300)
    return eigenvectors[:, keep] / np.sqrt(eigenvalues[keep])
