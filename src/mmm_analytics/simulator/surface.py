"""The response surface the simulator evaluates: steady-state media response of series x channel cells.

Wraps :func:`mmm_analytics.curves.response.steady_state_response` in jit-compiled float64
kernels (value, value-and-gradient, per-draw values) so one evaluation costs microseconds
and the optimiser gets exact gradients from JAX. Shapes: S = series (brand x region),
K = selected series, C = channels, D = parameter draws.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import numpy.typing as npt

from mmm_analytics.curves.response import steady_state_response
from mmm_analytics.features import saturation
from mmm_analytics.models.artifacts import ResponseParams

type SpendMatrix = npt.NDArray[np.float64]
type Rows = npt.NDArray[np.int64]


@functools.cache
def _kernels(family: str) -> dict[str, Callable[..., Any]]:
    """Jitted kernels for one saturation family (the family is static, closed over).

    ``evaluate`` returns the per-cell response, the gradient of the total (marginal ROI) and
    its diagonal curvature in one call, so the optimiser and the simulator share one compiled
    function per selection size (compiling costs far more than evaluating).
    """

    def cells(spend, coefficient, scale, cpm, carry_sum, half_saturation, slope):
        return steady_state_response(spend, coefficient, scale, cpm, carry_sum, half_saturation, slope, family)

    def evaluate(spend, *params):
        def grad(x):
            return jax.grad(lambda y: cells(y, *params).sum())(x)

        # The total is a sum of one-cell functions, so its Hessian is diagonal and H @ 1 is that diagonal.
        slope_of_total, curvature = jax.jvp(grad, (spend,), (jnp.ones_like(spend),))
        return cells(spend, *params), slope_of_total, curvature

    def draws(spend, coefficient, scale, cpm, carry_sum, half_saturation, slope):
        return cells(spend[None], coefficient, scale[None], cpm, carry_sum[:, None, :],
                     half_saturation[:, None, :], slope[:, None, :])

    return {"evaluate": jax.jit(evaluate), "draws": jax.jit(draws)}


@dataclass(frozen=True, slots=True)
class ResponseSurface:
    """Steady-state response parameters of every series and channel (float64 NumPy).

    Attributes
    ----------
    channels : tuple of str, length C
    family : "hill" or "sigmoid"
    coefficient, exposure_scale : ndarray of shape (S, C)
        INR per week at full saturation; mean weekly exposure (scaling unit).
    cpm, carry_sum, half_saturation, slope : ndarray of shape (C,)
        INR per 1000 exposures; steady-state carryover (sum of lag weights);
        saturation parameters in carried-over scaled units.
    """

    channels: tuple[str, ...]
    family: str
    coefficient: np.ndarray
    exposure_scale: np.ndarray
    cpm: np.ndarray
    carry_sum: np.ndarray
    half_saturation: np.ndarray
    slope: np.ndarray

    @classmethod
    def from_params(cls, params: ResponseParams) -> ResponseSurface:
        """The point-estimate surface of a trained model."""
        return cls(
            channels=tuple(params.channels), family=params.saturation,
            coefficient=np.asarray(params.coefficient, dtype=np.float64),
            exposure_scale=np.asarray(params.exposure_scale, dtype=np.float64),
            cpm=np.asarray(params.cpm, dtype=np.float64),
            carry_sum=np.asarray(params.lag_weights, dtype=np.float64).sum(axis=0),
            half_saturation=np.asarray(params.half_saturation, dtype=np.float64),
            slope=np.asarray(params.slope, dtype=np.float64),
        )

    @property
    def is_concave(self) -> bool:
        """True when every channel's response is concave in spend (one optimum)."""
        return self.family == "sigmoid" or bool(np.all(self.slope <= 1.0))

    def cells(self, rows: Rows) -> CellSet:
        """The kernels bound to the series ``rows`` (indices into S)."""
        return CellSet.build(self, np.asarray(rows, dtype=np.int64))


def _device_arrays(*values: np.ndarray) -> tuple[jax.Array, ...]:
    """The response-kernel arguments as float64 device arrays, in the order given."""
    with jax.enable_x64(True):
        return tuple(jnp.asarray(value, dtype=jnp.float64) for value in values)


@dataclass(frozen=True, slots=True)
class CellSet:
    """A surface restricted to K series, with device arrays ready for the kernels."""

    surface: ResponseSurface
    rows: Rows
    arrays: tuple[jax.Array, ...]

    @classmethod
    def build(cls, surface: ResponseSurface, rows: Rows) -> CellSet:
        arrays = _device_arrays(
            surface.coefficient[rows], surface.exposure_scale[rows], surface.cpm,
            surface.carry_sum, surface.half_saturation, surface.slope,
        )
        return cls(surface=surface, rows=rows, arrays=arrays)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.surface.channels))

    def evaluate(self, spend: SpendMatrix) -> tuple[SpendMatrix, SpendMatrix, SpendMatrix]:
        """Per cell, for weekly ``spend`` of shape (K, C) in INR: weekly incremental sales (INR),
        marginal ROI (INR per INR) and curvature (its derivative, per INR); each (K, C)."""
        with jax.enable_x64(True):
            out = _kernels(self.surface.family)["evaluate"](np.asarray(spend, dtype=np.float64), *self.arrays)
            return np.asarray(out[0]), np.asarray(out[1]), np.asarray(out[2])

    def response(self, spend: SpendMatrix) -> SpendMatrix:
        """Weekly incremental sales (INR) per cell for ``spend`` of shape (..., K, C); same shape.

        Leading axes are looped over so every call reuses the one compiled (K, C) kernel.
        """
        spend = np.asarray(spend, dtype=np.float64)
        if spend.ndim == 2:
            return self.evaluate(spend)[0]
        flat = spend.reshape(-1, *self.shape)
        return np.stack([self.evaluate(part)[0] for part in flat]).reshape(spend.shape)

    def reference_response(self, spend: np.ndarray) -> np.ndarray:
        """The same response in NumPy (the shared reference saturation), for ``spend`` (..., K, C).

        Used where many spend levels are scanned at once (the optimiser's grid start): no
        compilation for new shapes. Equal to :meth:`response` to rounding.
        """
        s = self.surface
        carried = np.asarray(spend) * 1000.0 / s.cpm / s.exposure_scale[self.rows] * s.carry_sum
        return s.coefficient[self.rows] * saturation.saturate(carried, s.family, s.half_saturation, s.slope)

    def value_and_grad(self, spend: SpendMatrix) -> tuple[float, SpendMatrix]:
        """Total weekly incremental sales (INR) and its gradient (marginal ROI per cell, (K, C))."""
        cells, grad, _ = self.evaluate(spend)
        return float(cells.sum()), grad

    def curvature(self, spend: SpendMatrix) -> SpendMatrix:
        """Second derivative of each cell's weekly response in its spend (INR per INR squared), (K, C)."""
        return self.evaluate(spend)[2]


@dataclass(frozen=True, slots=True)
class DrawSet:
    """Parameter draws restricted to K series, for interval estimates (shapes lead with D)."""

    family: str
    arrays: tuple[jax.Array, ...]

    @classmethod
    def build(cls, params: ResponseParams, rows: Rows) -> DrawSet:
        arrays = _device_arrays(
            params.coefficient_draws[:, rows], params.exposure_scale[rows], params.cpm,
            params.lag_weights_draws.sum(axis=1), params.half_saturation_draws, params.slope_draws,
        )
        return cls(family=params.saturation, arrays=arrays)

    def response(self, spend: SpendMatrix) -> np.ndarray:
        """Weekly incremental sales per draw and cell, shape (D, K, C)."""
        with jax.enable_x64(True):
            out = _kernels(self.family)["draws"](np.asarray(spend, dtype=np.float64), *self.arrays)
            return np.asarray(out)
