"""Scalers fitted on the panel and saved with the model, so inputs are scaled the same way later.

- exposure: divided by the series' mean weekly exposure over all weeks (shape (S, C));
  media plans are known inputs, so all weeks are used and 1 = a typical week.
- controls: standardised with mean and sd over the training weeks (shape (K,)), then
  whitened (rotated onto uncorrelated unit-variance components, (K, K')) so that the
  model's baseline coefficients are well conditioned; near-constant directions (a constant
  control, two identical controls, any exactly collinear combination) are dropped and
  :func:`control_notes` says which.
- sales: divided by the mean weekly Sales_Value of a series over the training weeks (scalar).

Every input must be finite and the training sales must be positive; anything else is an
:class:`~mmm_analytics.errors.InputError` naming the array (and control), never a
``LinAlgError`` or a NaN scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.words import numbered

type Array = npt.NDArray[np.float64]

#: A control whose training sd is at most this is constant (its sd is stored as 1).
CONSTANT_SD = 1e-12
#: Whitening drops directions with variance below this share of the largest.
RELATIVE_FLOOR = 1e-8
#: Two standardised controls whose correlation is at least this (in size) duplicate each other.
DUPLICATE_CORRELATION = 1.0 - 1e-9
CLEAN_HINT = "run 'mmm data' on the panel (or pass the raw CSV to 'mmm features --input', which cleans it)"


def _require_finite(name: str, values: Array) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(f"{name} has {counted(int(bad.sum()), 'missing or non-finite value')}; {CLEAN_HINT}")


@dataclass(frozen=True, slots=True)
class Scalers:
    exposure_scale: Array  # (S, C)
    control_mean: Array  # (K,)
    control_sd: Array  # (K,), 1 where a control is constant
    sales_scale: float
    whitening: Array  # (K, K'): standardised controls @ whitening = uncorrelated components

    @classmethod
    def fit(
        cls,
        exposure: Array,
        controls: Array,
        sales: Array,
        n_train_weeks: int,
        control_names: Sequence[str] | None = None,
    ) -> Scalers:
        """Fit on exposure (S, T, C), controls (S, T, K), sales (S, T).

        Raises
        ------
        InputError
            A non-finite value (naming the array, or the control from ``control_names``),
            controls too large to standardise, or no positive sales in the training weeks.
        """
        names = list(control_names) if control_names is not None else [f"#{k}" for k in range(controls.shape[-1])]
        _require_finite("exposure", exposure)
        _require_finite("Sales_Value", sales)
        for k, name in enumerate(names):
            _require_finite(f"control '{name}'", controls[..., k])
        exposure_scale = exposure.mean(axis=1)
        _require_finite("the mean weekly exposure", exposure_scale)
        exposure_scale = np.where(exposure_scale > 0, exposure_scale, 1.0)
        train_controls = controls[:, :n_train_weeks].reshape(-1, controls.shape[-1])
        with np.errstate(over="ignore", invalid="ignore"):
            mean, spread = train_controls.mean(axis=0), train_controls.std(axis=0)
        for j in np.flatnonzero(~(np.isfinite(mean) & np.isfinite(spread))).tolist():
            largest = float(np.abs(train_controls[:, j]).max())
            raise InputError(
                f"control '{names[j]}' is too large to standardise (largest size {largest:.3g}); {CLEAN_HINT}"
            )
        sd = np.where(spread > CONSTANT_SD, spread, 1.0)
        sales_scale = float(sales[:, :n_train_weeks].mean())
        if not (np.isfinite(sales_scale) and sales_scale > 0):
            raise InputError(
                f"Sales_Value is 0 in every training week ({n_train_weeks} weeks); there are no sales to model"
            )
        return cls(
            exposure_scale=exposure_scale,
            control_mean=mean,
            control_sd=sd,
            sales_scale=sales_scale,
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


def whitening_matrix(standardised: Array, relative_floor: float = RELATIVE_FLOOR) -> Array:
    """PCA whitening (K, K') of standardised rows (n, K); drops directions with variance
    below ``relative_floor`` times the largest (exactly collinear or constant controls).

    Fewer than two rows, or only constant controls, give K' = 0 (no usable direction).

    Raises
    ------
    InputError
        When the rows are not finite (the decomposition would not converge).
    """
    n_rows, n_controls = standardised.shape
    if n_controls == 0:
        return np.zeros((0, 0))
    if not np.isfinite(standardised).all():
        raise InputError(f"the standardised controls are not finite, so they cannot be whitened; {CLEAN_HINT}")
    if n_rows < 2:
        return np.zeros((n_controls, 0))
    covariance = np.cov(standardised, rowvar=False).reshape(n_controls, -1)
    try:
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    except np.linalg.LinAlgError as error:  # not expected for a finite symmetric matrix
        raise InputError(f"the controls cannot be whitened ({error}); {CLEAN_HINT}") from None
    largest = float(eigenvalues.max())
    if largest <= 0:
        return np.zeros((n_controls, 0))
    keep = eigenvalues > relative_floor * largest
    return eigenvectors[:, keep] / np.sqrt(eigenvalues[keep])


def control_notes(train_controls: Array, names: Sequence[str], n_kept: int) -> tuple[str, ...]:
    """One line per control the whitening cannot use: constant, or identical to an earlier one
    (up to scale and sign), plus any other exactly collinear combination that was dropped.

    Parameters
    ----------
    train_controls : ndarray of shape (n, K)
        The raw controls over the training weeks (rows: series x week).
    names : K control names.
    n_kept : int
        K', the number of whitened components kept.
    """
    spread = train_controls.std(axis=0)
    constant = spread <= CONSTANT_SD
    notes = [
        f"control '{names[k]}' is constant over the training weeks and was dropped"
        for k in np.flatnonzero(constant).tolist()
    ]
    varying = np.flatnonzero(~constant).tolist()
    duplicates = 0
    if len(varying) > 1:
        standardised = (train_controls[:, varying] - train_controls[:, varying].mean(axis=0)) / spread[varying]
        correlation = standardised.T @ standardised / standardised.shape[0]
        seen: set[int] = set()
        for i in range(len(varying)):
            for j in range(i + 1, len(varying)):
                if j not in seen and i not in seen and abs(correlation[i, j]) >= DUPLICATE_CORRELATION:
                    seen.add(j)
                    duplicates += 1
                    notes.append(
                        f"control '{names[varying[j]]}' duplicates '{names[varying[i]]}' over the training weeks "
                        "and was dropped"
                    )
    collinear = len(names) - n_kept - int(constant.sum()) - duplicates
    if collinear > 0:
        dropped = numbered(collinear, "was", "were")
        notes.append(f"{counted(collinear, 'exactly collinear combination')} of the controls {dropped} dropped")
    return tuple(notes)
