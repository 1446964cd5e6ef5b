"""The response surface the simulator evaluates: steady-state media response of series x channel cells.

Binds the response core's one compiled kernel (:mod:`mmm_analytics.response.kernels`:
value, marginal ROI and curvature in one call, exact gradients from JAX) to a selection of
cells, so one evaluation costs microseconds. Shapes: S = series (brand x region),
K = selected series, C = channels, D = parameter draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jax
import numpy as np
import numpy.typing as npt

from mmm_analytics.response import kernels, saturation
from mmm_analytics.response.artifacts import SEGMENT_FIELDS, ResponseParams
from mmm_analytics.response.steady_state import steady_state_response

type SpendMatrix = npt.NDArray[np.float64]
type Rows = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ResponseSurface:
    """Steady-state response parameters of every series and channel (float64 NumPy).

    Attributes
    ----------
    channels : tuple of str, length C
    family : a saturation family name
    coefficient, exposure_scale, half_saturation : ndarray of shape (S, C)
        INR per week at full saturation; mean weekly exposure (scaling unit); the series'
        half-saturation in its carried-over scaled units.
    cpm : ndarray of shape (C,)
        INR per 1000 exposures.
    carry_sum, slope : ndarray of shape (S, C)
        Steady-state carryover (sum of lag weights) and saturation slope of each series.
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
    def from_params(cls, params: ResponseParams, segment_curves: bool = True) -> ResponseSurface:
        """The point-estimate surface of a trained model; with ``segment_curves`` each series on its
        own curve (the model's segment shifts, see :mod:`mmm_analytics.models.segment_curves`)."""
        coefficient, half_saturation, slope = (
            np.asarray(a, dtype=np.float64) for a in (params.coefficient, params.half_saturation, params.series_slope)
        )
        if segment_curves:
            coefficient, half_saturation, slope = _on_segment_curves(params, coefficient, half_saturation, slope)
        return cls(
            channels=tuple(params.channels),
            family=params.saturation,
            coefficient=coefficient,
            exposure_scale=np.asarray(params.exposure_scale, dtype=np.float64),
            cpm=np.asarray(params.cpm, dtype=np.float64),
            carry_sum=np.asarray(params.carry_sum, dtype=np.float64),
            half_saturation=half_saturation,
            slope=slope,
        )

    @property
    def is_concave(self) -> bool:
        """True when every channel's response is concave in spend (one optimum)."""
        return saturation.is_concave(self.family, self.slope)

    def cells(self, rows: Rows, pooled: Sequence[ResponseSurface] = ()) -> CellSet:
        """The kernels bound to the series ``rows`` (indices into S); with ``pooled`` (the surfaces of
        other forms of the same series), the point response is the mean of every form's."""
        return CellSet.build(self, np.asarray(rows, dtype=np.int64), pooled)


@dataclass(frozen=True, slots=True)
class CellSet:
    """A surface restricted to K series, with device arrays ready for the kernels.

    ``pooled`` holds the same cells on the surfaces of other saturation forms the model's form choice
    could not rule out: every response, marginal ROI and curvature is then the mean over the forms,
    weighed equally (the point of the model averaged over the forms, as the draws weigh them).
    """

    surface: ResponseSurface
    rows: Rows
    arrays: tuple[jax.Array, ...]
    pooled: tuple[CellSet, ...] = ()

    @classmethod
    def build(cls, surface: ResponseSurface, rows: Rows, pooled: Sequence[ResponseSurface] = ()) -> CellSet:
        others = tuple(cls.build(other, rows) for other in pooled)
        arrays = kernels.device_arrays(
            surface.coefficient[rows],
            surface.exposure_scale[rows],
            surface.cpm,
            surface.carry_sum[rows],
            surface.half_saturation[rows],
            surface.slope[rows],
        )
        return cls(surface=surface, rows=rows, arrays=arrays, pooled=others)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.surface.channels))

    def evaluate(self, spend: SpendMatrix) -> tuple[SpendMatrix, SpendMatrix, SpendMatrix]:
        """Per cell, for weekly ``spend`` of shape (K, C) in INR: weekly incremental sales (INR),
        marginal ROI (INR per INR) and curvature (its derivative, per INR); each (K, C)."""
        response, mroi, curvature = kernels.evaluate(spend, *self.arrays, family=self.surface.family, order=2)
        if not self.pooled:
            return response, mroi, curvature
        parts = [(response, mroi, curvature), *(other.evaluate(spend) for other in self.pooled)]
        response, mroi, curvature = (np.mean([part[i] for part in parts], axis=0) for i in range(3))
        return response, mroi, curvature

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
        response = steady_state_response(
            np.asarray(spend),
            s.coefficient[self.rows],
            s.exposure_scale[self.rows],
            s.cpm,
            s.carry_sum[self.rows],
            s.half_saturation[self.rows],
            s.slope[self.rows],
            s.family,
        )
        if not self.pooled:
            return response
        return np.mean([response, *(other.reference_response(spend) for other in self.pooled)], axis=0)

    def value_and_grad(self, spend: SpendMatrix) -> tuple[float, SpendMatrix]:
        """Total weekly incremental sales (INR) and its gradient (marginal ROI per cell, (K, C))."""
        cells, grad, _ = self.evaluate(spend)
        return float(cells.sum()), grad

    def curvature(self, spend: SpendMatrix) -> SpendMatrix:
        """Second derivative of each cell's weekly response in its spend (INR per INR squared), (K, C)."""
        return self.evaluate(spend)[2]


@dataclass(frozen=True, slots=True)
class DrawSet:
    """Parameter draws restricted to K series, for interval estimates (shapes lead with D).

    ``pooled`` holds the draws of other fitted forms (another saturation family the model's form
    choice could not rule out, see :mod:`mmm_analytics.models.selection`): every draw of every part
    counts once, so a part of as many draws as this one weighs as much. D counts them all.
    """

    family: str
    arrays: tuple[jax.Array, ...]
    pooled: tuple[DrawSet, ...] = ()

    @classmethod
    def build(
        cls,
        params: ResponseParams,
        rows: Rows,
        pooled: Sequence[ResponseParams] = (),
        segment_curves: bool = True,
        part: int = 0,
    ) -> DrawSet:
        """The draws of ``params`` for the series ``rows``, with those of ``pooled`` (same series
        and channels, another form) pooled in. With ``segment_curves`` each series is on its own
        curve, each draw drawn around it by the spread left (fixed normals per series and ``part``,
        so a series' draws do not depend on which others are selected)."""
        coefficient, half_saturation, slope = (
            params.coefficient_draws[:, rows],
            params.half_saturation_draws[:, rows],
            params.series_slope_draws[:, rows],
        )
        if segment_curves:
            coefficient, half_saturation, slope = _on_segment_curves(
                params, coefficient, half_saturation, slope, rows, part
            )
        arrays = kernels.device_arrays(
            coefficient,
            params.exposure_scale[rows],
            params.cpm,
            params.carry_sum_draws[:, rows],
            half_saturation,
            slope,
        )
        parts = tuple(cls.build(other, rows, (), segment_curves, i + 1) for i, other in enumerate(pooled))
        return cls(family=params.saturation, arrays=arrays, pooled=parts)

    @property
    def is_concave(self) -> bool:
        """True when every draw's response of every cell and part is concave in spend, slopes as drawn
        around each series' own curve (a draw's Hill slope above 1 is S-shaped)."""
        return all(saturation.is_concave(part.family, np.asarray(part.arrays[_SLOPE])) for part in self.parts)

    @property
    def parts(self) -> tuple[DrawSet, ...]:
        """This form's own draws (without ``pooled``) first, then each pooled form's."""
        return (DrawSet(self.family, self.arrays), *self.pooled) if self.pooled else (self,)

    def response(self, spend: SpendMatrix) -> np.ndarray:
        """Weekly incremental sales per draw and cell, shape (D, K, C)."""
        return self.evaluate(spend, order=0)[0]

    def evaluate(self, spend: SpendMatrix, order: int) -> tuple[np.ndarray, ...]:
        """Per draw and cell, for weekly ``spend`` (K, C) in INR: response, and by ``order`` the
        marginal ROI and its curvature; each (D, K, C), every part's draws in turn."""
        return evaluate_parts(spend, [(part.family, part.cell_arrays()) for part in self.parts], order)

    @property
    def n_draws(self) -> int:
        """D, the number of parameter draws (of every part)."""
        return int(self.arrays[0].shape[0]) + sum(part.n_draws for part in self.pooled)

    def head(self, n: int) -> DrawSet:
        """The first ``n`` draws (all of them when ``n`` <= 0 or >= D); the draws are independent,
        so the first ``n`` are a random subset. With pooled forms each part keeps its share of ``n``
        (at least one draw each)."""
        if n <= 0 or n >= self.n_draws:
            return self
        if self.pooled:
            own, *pooled = self.parts
            kept = [max(1, n * part.n_draws // self.n_draws) for part in pooled]
            first = own.head(max(1, n - sum(kept)))
            return DrawSet(first.family, first.arrays, tuple(p.head(k) for p, k in zip(pooled, kept, strict=True)))
        with jax.enable_x64(True):
            arrays = tuple(a[:n] if i in _PER_DRAW else a for i, a in enumerate(self.arrays))
        return DrawSet(family=self.family, arrays=arrays)

    def cell_arrays(self) -> tuple[jax.Array, ...]:
        """This form's own kernel arguments broadcast-ready against (D, K, C) (``pooled`` not
        included: see :meth:`evaluate`): arrays given per draw and channel (D, C) gain a series
        axis, per-series ones (D, K, C) and (K, C) pass as they are."""
        coefficient, scale, cpm, carry_sum, half_saturation, slope = self.arrays
        with jax.enable_x64(True):
            cells = tuple(a if a.ndim == 3 else a[:, None, :] for a in (carry_sum, half_saturation, slope))
            return (coefficient, scale[None], cpm, *cells)


def evaluate_parts(
    spend: SpendMatrix, parts: Sequence[tuple[str, tuple[jax.Array, ...]]], order: int
) -> tuple[np.ndarray, ...]:
    """The response kernel of each (family, cell arrays) part for ``spend`` (K, C), its draws
    stacked part after part: response and by ``order`` marginal ROI and curvature, each (D, K, C)."""
    spend = np.asarray(spend, dtype=np.float64)[None]
    outputs = [kernels.evaluate(spend, *arrays, family=family, order=order) for family, arrays in parts]
    if len(outputs) == 1:
        return tuple(outputs[0])
    return tuple(np.concatenate(values) for values in zip(*outputs, strict=True))


#: Seed of the normals that spread each series' draws around its own curve.
SEGMENT_SEED = 20_241_130


def _on_segment_curves(
    params: ResponseParams,
    coefficient: np.ndarray,
    half_saturation: np.ndarray,
    slope: np.ndarray,
    rows: Rows | None = None,
    part: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficient, half-saturation and slope moved onto each series' own curve: (S, C) point
    values for all series (``rows`` None), or draws (D, K, C) of the series ``rows``, each draw
    spread by the segment's spread with normals fixed per series and ``part``. Unchanged (the same
    arrays) where no series departs from the fitted curve."""
    picked = slice(None) if rows is None else rows
    half_shift, half_spread, slope_shift, slope_spread, factor = (
        np.asarray(getattr(params, name))[picked] for name in SEGMENT_FIELDS
    )
    moved = np.any(half_shift != 0) or np.any(slope_shift != 0) or np.any(factor != 1)
    spread = rows is not None and (np.any(half_spread > 0) or np.any(slope_spread > 0))
    if not moved and not spread:
        return coefficient, half_saturation, slope
    if spread:
        n_draws = half_saturation.shape[0]
        normals = np.stack(
            [
                np.random.default_rng([SEGMENT_SEED, part, int(row)]).standard_normal(
                    (2, n_draws, len(params.channels))
                )
                for row in np.asarray(rows)
            ],
            axis=2,
        )  # (2, D, K, C)
        half_shift = half_shift + half_spread * normals[0]
        slope_shift = slope_shift + slope_spread * normals[1]
    return coefficient * factor, half_saturation * np.exp(half_shift), slope * np.exp(slope_shift)


#: Positions in :attr:`DrawSet.arrays` with a leading draw axis (all but exposure_scale and cpm).
_PER_DRAW = frozenset({0, 3, 4, 5})
#: Position of the slope in :attr:`DrawSet.arrays`.
_SLOPE = 5
