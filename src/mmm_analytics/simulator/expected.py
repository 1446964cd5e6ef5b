"""The expected response over posterior draws: what the optimiser maximises, and the uplift interval.

A budget plan is judged by its *expected* weekly incremental sales, the mean over the D
parameter draws of the response summed over the selected cells, rather than by the point
estimate: where the posterior is skewed (an uncertain channel's mean effect below its most
likely one) the two prefer different plans. The gradient is exact: the response kernel's
marginal ROI per draw (:func:`mmm_analytics.response.kernels.evaluate`, ``order=1``)
averaged over the draws. Shapes: D = draws, K = selected series, C = channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

import jax
import numpy as np

from mmm_analytics.simulator.solver import ResponseCells
from mmm_analytics.simulator.surface import CellSet, DrawSet, SpendMatrix, evaluate_parts


class Objective(StrEnum):
    """What the optimiser maximises (``simulator.objective`` in ``model_config.yaml``)."""

    EXPECTED = "expected"  # mean over the posterior draws of the summed weekly response
    POINT = "point"  # the summed weekly response at the point estimate


@dataclass(frozen=True, slots=True)
class ExpectedCells:
    """The posterior-mean weekly response of K x C cells, with the interface of :class:`CellSet`.

    Attributes
    ----------
    point : CellSet
        The same cells at the point estimate; only :meth:`reference_response` uses it.
    draws : DrawSet
        The draws averaged over (a fixed subset of the model's, for speed, see
        :meth:`~mmm_analytics.simulator.surface.DrawSet.head`).
    """

    point: CellSet
    draws: DrawSet
    parts: tuple[tuple[str, tuple[jax.Array, ...]], ...]

    @classmethod
    def build(cls, point: CellSet, draws: DrawSet) -> ExpectedCells:
        """The kernels' arguments of every part of ``draws`` are made once, here."""
        return cls(point=point, draws=draws, parts=tuple((part.family, part.cell_arrays()) for part in draws.parts))

    @property
    def shape(self) -> tuple[int, int]:
        return self.point.shape

    def per_draw(self, spend: SpendMatrix, order: int) -> tuple[np.ndarray, ...]:
        """Per draw and cell, for weekly ``spend`` (K, C) in INR: response, and by ``order`` the
        marginal ROI and its curvature; each of shape (D, K, C)."""
        return evaluate_parts(spend, self.parts, order)

    def value_and_grad(self, spend: SpendMatrix) -> tuple[float, SpendMatrix]:
        """Expected total weekly incremental sales (INR) and its exact gradient (K, C), INR per INR."""
        response, mroi = self.per_draw(spend, order=1)
        return float(response.sum() / response.shape[0]), mroi.mean(axis=0)

    def evaluate(self, spend: SpendMatrix) -> tuple[SpendMatrix, SpendMatrix, SpendMatrix]:
        """Expected weekly incremental sales (INR), marginal ROI and curvature per cell, each (K, C)."""
        response, mroi, curvature = self.per_draw(spend, order=2)
        return response.mean(axis=0), mroi.mean(axis=0), curvature.mean(axis=0)

    def curvature(self, spend: SpendMatrix) -> SpendMatrix:
        """Expected second derivative of each cell's weekly response in its spend (per INR), (K, C)."""
        return self.per_draw(spend, order=2)[2].mean(axis=0)

    def response(self, spend: SpendMatrix) -> SpendMatrix:
        """Expected weekly incremental sales (INR) per cell for ``spend`` of shape (..., K, C); same shape."""
        spend = np.asarray(spend, dtype=np.float64)
        if spend.ndim == 2:
            return self.per_draw(spend, order=0)[0].mean(axis=0)
        flat = spend.reshape(-1, *self.shape)
        return np.stack([self.per_draw(part, order=0)[0].mean(axis=0) for part in flat]).reshape(spend.shape)

    def reference_response(self, spend: np.ndarray) -> np.ndarray:
        """The point estimate's response for ``spend`` (..., K, C): the solver's grid start scans
        hundreds of spend levels per cell, where every draw would cost D times as much; SLSQP then
        climbs the expected response from that start."""
        return self.point.reference_response(spend)


@dataclass(frozen=True, slots=True)
class CautiousCells:
    """A bad case of a plan's weekly response: the expected response minus ``z`` standard deviations
    of its uplift over ``current`` across the draws, with the interface of :class:`CellSet`.

    Its maximum is the plan whose uplift over ``current`` is largest at the confidence
    ``Phi(z)`` (the uplift taken as normal over the draws): a move that is sure to gain beats a
    larger move the draws disagree about. Only :meth:`value_and_grad` carries the spread; the
    solver's start and scaling read the expected surface.
    """

    expected: ExpectedCells
    current_totals: np.ndarray
    z: float

    @classmethod
    def build(cls, expected: ExpectedCells, current: SpendMatrix, z: float) -> CautiousCells:
        totals = expected.per_draw(current, order=0)[0].sum(axis=(1, 2))
        return cls(expected=expected, current_totals=totals, z=float(z))

    @property
    def shape(self) -> tuple[int, int]:
        return self.expected.shape

    def value_and_grad(self, spend: SpendMatrix) -> tuple[float, SpendMatrix]:
        """Expected total weekly sales less ``z`` sd of the uplift (INR), and its exact gradient (K, C)."""
        response, mroi = self.expected.per_draw(spend, order=1)
        gains = response.sum(axis=(1, 2)) - self.current_totals
        centred = gains - gains.mean()
        # A floor of 1e-9 of today's sales keeps the gradient finite where every draw agrees (today's mix).
        floor = 1e-9 * max(float(np.abs(self.current_totals).mean()), 1.0)
        spread = float(np.sqrt(np.mean(centred**2) + floor**2))
        mean_grad = mroi.mean(axis=0)
        # At zero spend a Hill curve with slope < 1 has an infinite marginal ROI in some draws: the
        # expected gradient is +inf there (as for the expected response), and the spread's is left out.
        finite = np.isfinite(mean_grad)
        deviation = np.where(finite[None], mroi - np.where(finite, mean_grad, 0.0)[None], 0.0)
        spread_grad = np.tensordot(centred, deviation, axes=1) / (len(gains) * spread)
        grad = np.where(finite, mean_grad - self.z * spread_grad, mean_grad)
        return float(response.sum() / response.shape[0]) - self.z * spread, grad

    def evaluate(self, spend: SpendMatrix) -> tuple[SpendMatrix, SpendMatrix, SpendMatrix]:
        return self.expected.evaluate(spend)

    def curvature(self, spend: SpendMatrix) -> SpendMatrix:
        return self.expected.curvature(spend)

    def response(self, spend: SpendMatrix) -> SpendMatrix:
        return self.expected.response(spend)

    def reference_response(self, spend: np.ndarray) -> np.ndarray:
        return self.expected.reference_response(spend)


def objective_cells(point: CellSet, draws: DrawSet | None, objective: Objective, draws_used: int = 0) -> ResponseCells:
    """The surface the solver climbs: the ``point`` estimate, or the mean over the first ``draws_used``
    of ``draws`` (0: all of them; without draws, the point estimate)."""
    match objective:
        case Objective.POINT:
            return point
        case Objective.EXPECTED:
            return point if draws is None else ExpectedCells.build(point, draws.head(draws_used))
        case _:
            assert_never(objective)


@dataclass(frozen=True, slots=True)
class Uplift:
    """Weekly incremental sales of a plan over today's mix (INR per week).

    Attributes
    ----------
    plan, current : float
        Expected (or point, without draws) weekly incremental sales of the plan and of today's mix.
    lower, upper : float
        The central ``level`` interval of the uplift over the draws (per draw: plan - today).
    prob_beats_current : float
        Share of draws in which the plan sells more than today's mix, in [0, 1].
    """

    plan: float
    current: float
    lower: float
    upper: float
    prob_beats_current: float

    @property
    def expected(self) -> float:
        """Expected uplift (INR per week)."""
        return self.plan - self.current


def draw_totals(draws: DrawSet, spend: SpendMatrix) -> np.ndarray:
    """Weekly incremental sales (INR) of ``spend`` (K, C) summed over the cells, per draw: (D,)."""
    return draws.response(spend).sum(axis=(1, 2))


def uplift_over_current(
    plan: SpendMatrix, current: SpendMatrix, level: float, draws: DrawSet | None, point: CellSet
) -> Uplift:
    """The uplift of ``plan`` over ``current`` (both (K, C), INR per week) with its interval.

    With ``draws`` every draw counts (the interval and probability come from all of them);
    without, the point estimate gives a zero-width interval.
    """
    if draws is None:
        plan_value, current_value = float(point.response(plan).sum()), float(point.response(current).sum())
        gain = plan_value - current_value
        return Uplift(plan_value, current_value, gain, gain, 1.0 if gain > 0 else 0.0)
    plan_totals, current_totals = draw_totals(draws, plan), draw_totals(draws, current)
    gains = plan_totals - current_totals
    tail = (1.0 - level) / 2.0
    return Uplift(
        plan=float(plan_totals.mean()),
        current=float(current_totals.mean()),
        lower=float(np.quantile(gains, tail)),
        upper=float(np.quantile(gains, 1.0 - tail)),
        prob_beats_current=float(np.mean(gains > 0)),
    )


def cautious_step(
    plan: SpendMatrix, current: SpendMatrix, draws: DrawSet, confidence: float, steps: np.ndarray
) -> tuple[float, float]:
    """How far to move from ``current`` toward ``plan`` (both (K, C), INR per week): of ``steps`` (shares
    of the way, in (0, 1]), the one whose uplift over ``current`` is largest in a bad case, its
    ``1 - confidence`` quantile over the draws; 0 (keep ``current``) when that quantile is not
    positive at any step. The step chosen thus sells more than ``current`` in at least
    ``confidence`` of the draws. Returns the step and its bad-case uplift (INR per week; 0 for none).

    On a concave response a step's uplift grows with the step in every draw that agrees with the
    direction and falls past that draw's own optimum: where the draws disagree, a shorter step
    keeps most of the expected gain and loses in far fewer of them.
    """
    current_totals = draw_totals(draws, current)
    chosen, chosen_low = 0.0, 0.0
    for step in np.asarray(steps, dtype=np.float64):
        low = bad_case_uplift(draws, current + step * (plan - current), current_totals, confidence)
        if low > chosen_low:
            chosen, chosen_low = float(step), low
    return chosen, chosen_low


def bad_case_uplift(draws: DrawSet, spend: SpendMatrix, current_totals: np.ndarray, confidence: float) -> float:
    """The ``1 - confidence`` quantile over the draws of the weekly uplift (INR) of ``spend`` (K, C) over
    the plan whose per-draw totals are ``current_totals`` (D,)."""
    return float(np.quantile(draw_totals(draws, spend) - current_totals, 1.0 - confidence))
