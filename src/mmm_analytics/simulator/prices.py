"""Allocation by prices: the solver for selections too large for SLSQP (thousands of cells).

Maximising a sum of one-cell responses under a budget is separable: at the optimum every
free cell's marginal ROI equals the price of one INR of its channel (one price for the whole
budget, a channel of its own where a channel-total limit binds). So instead of a dense
quadratic program over every cell:

1. *Grid phase* (global, S-shaped curves handled): each cell spends the grid amount that
   maximises ``response - price * spend`` on the point-estimate response tabulated once on
   a log grid (as :func:`~mmm_analytics.simulator.solver.dual_start`), the budget price is
   bisected until the budget is spent, and a channel whose total breaks its limit gets its
   own price, bisected onto that limit.
2. *Newton phase* (exact, on the objective, e.g. the expected response over draws): every
   cell off its bounds moves by ``(price - mroi) / curvature``, with the prices chosen so
   that the budget and the binding channel limits hold after the step; a few steps equalise
   the marginal ROIs to rounding.

Cost per step: one evaluation of the response, marginal ROI and curvature of all K x C
cells, so it grows linearly with the cells. Shapes: G grid points, K series, C channels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mmm_analytics.simulator.solver import GRID_DECADES, Problem, Solution, project, repair
from mmm_analytics.simulator.surface import SpendMatrix

#: Points of each cell's grid (log-spaced over ``GRID_DECADES`` decades of its range): enough to
#: pick the right part of an S-shaped curve, which the Newton phase then refines.
PRICE_GRID_POINTS = 96
#: Bisection steps of the budget price and of each binding channel's price.
PRICE_STEPS = 40
#: Newton steps of the exact phase, and the spread of marginal ROIs (share of the price) that ends it
#: (a 600-cell national plan of a fitted 100-segment panel needed more than 25 steps).
NEWTON_STEPS = 100
NEWTON_TOLERANCE = 1e-8
#: A Newton step moves a cell's spend by at most this factor up or down.
STEP_FACTOR = 4.0


@dataclass(frozen=True, slots=True)
class PriceGrid:
    """Each cell's point-estimate response on a grid of spends between its bounds.

    Attributes
    ----------
    spend, value : ndarray of shape (G, K, C)
        Weekly spend (INR) and weekly incremental sales (INR) at each grid point.
    """

    spend: np.ndarray
    value: np.ndarray

    @classmethod
    def build(cls, problem: Problem) -> PriceGrid:
        lower = problem.lower
        upper = np.minimum(problem.upper, problem.budget)
        fractions = np.concatenate([[0.0], np.logspace(-GRID_DECADES, 0.0, PRICE_GRID_POINTS)])
        spend = lower[None] + fractions[:, None, None] * (upper - lower)[None]
        return cls(spend=spend, value=problem.cells.reference_response(spend))

    def spend_at(self, prices: np.ndarray) -> SpendMatrix:
        """Each cell's spend (K, C) maximising ``response - prices[channel] * spend`` on the grid."""
        pick = np.argmax(self.value - prices * self.spend, axis=0)
        return np.take_along_axis(self.spend, pick[None], axis=0)[0]

    def top_price(self) -> float:
        """A price above every cell's best average return on the grid (nothing is bought at it)."""
        gain = (self.value[1:] - self.value[:1]) / np.maximum(self.spend[1:] - self.spend[:1], 1e-300)
        return 2.0 * float(max(np.nanmax(gain), 1e-12))


def _bisect(
    total: Callable[[np.ndarray], np.ndarray], target: np.ndarray, high: float, shape: tuple[int, ...]
) -> np.ndarray:
    """Prices (``shape``) at which the decreasing step function ``total(prices)`` meets ``target``."""
    low, top = np.zeros(shape), np.full(shape, high)
    for _ in range(PRICE_STEPS):
        middle = 0.5 * (low + top)
        over = total(middle) > target
        low, top = np.where(over, middle, low), np.where(over, top, middle)
    return top


def channel_limits(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits of each channel's total (C,), INR per week (0 and infinity when unset)."""
    n_channels = problem.lower.shape[1]
    low = np.zeros(n_channels) if problem.channel_lower is None else np.asarray(problem.channel_lower, dtype=float)
    high = (
        np.full(n_channels, np.inf) if problem.channel_upper is None else np.asarray(problem.channel_upper, dtype=float)
    )
    return low, high


def has_channel_limits(problem: Problem) -> bool:
    """Whether any channel total has a minimum above 0 or a finite maximum."""
    low, high = channel_limits(problem)
    return bool((low > 0).any() or np.isfinite(high).any())


def channel_prices(grid: PriceGrid, problem: Problem, price: float) -> tuple[np.ndarray, np.ndarray]:
    """The price of each channel (C,) for budget price ``price``, and which channels' limits bind."""
    n_channels = problem.lower.shape[1]
    prices = np.full(n_channels, price)
    if not has_channel_limits(problem):
        return prices, np.zeros(n_channels, dtype=bool)
    totals = grid.spend_at(prices).sum(axis=0)
    low, high = channel_limits(problem)
    binding = (totals < low) | (totals > high)
    if not binding.any():
        return prices, binding
    bound = np.clip(totals, low, high)
    own = _bisect(lambda p: grid.spend_at(p).sum(axis=0), bound, grid.top_price(), (n_channels,))
    return np.where(binding, own, prices), binding


def grid_allocation(problem: Problem, grid: PriceGrid) -> tuple[SpendMatrix, np.ndarray, np.ndarray]:
    """Grid-phase spend (K, C), channel prices (C,) and binding channels (C,) for the budget."""
    target = problem.target

    def spent(price: np.ndarray) -> np.ndarray:
        return np.array(grid.spend_at(channel_prices(grid, problem, float(price))[0]).sum())

    price = float(_bisect(spent, np.array(target), grid.top_price(), ()))
    prices, binding = channel_prices(grid, problem, price)
    return grid.spend_at(prices), prices, binding


def _targets(problem: Problem, spend: SpendMatrix, binding: np.ndarray) -> tuple[float, np.ndarray]:
    """What the non-binding channels must add up to, and each binding channel's total (C,)."""
    totals = spend.sum(axis=0)
    if has_channel_limits(problem):
        low, high = channel_limits(problem)
        totals = np.where(binding, np.where(np.abs(totals - high) < np.abs(totals - low), high, low), totals)
    return problem.target - float(totals[binding].sum()), totals


def newton_polish(problem: Problem, spend: SpendMatrix, binding: np.ndarray) -> tuple[SpendMatrix, float]:
    """Equalise the objective's marginal ROIs per price group by Newton steps on the prices.

    Returns the spend (K, C) and the final spread of marginal ROIs over the free cells, as a
    share of their mean (0 at an exact optimum).
    """
    lower, upper = problem.lower, np.minimum(problem.upper, problem.budget)
    free_target, channel_total = _targets(problem, spend, binding)
    x, spread, prices = spend.copy(), np.inf, None
    for _ in range(NEWTON_STEPS):
        _, grad, curvature = problem.cells.evaluate(np.maximum(x, 1e-12))
        inside = (x > lower) & (x < upper) & (x > 0)
        if prices is not None:  # a cell at a bound whose marginal ROI now beats the price moves in
            entering = ((x <= lower) & (grad > prices)) | ((x >= upper) & (grad < prices))
            inside |= entering & np.isfinite(grad) & np.isfinite(curvature)
        movable, convex = inside & (curvature < 0), inside & (curvature >= 0)
        # A cell on the convex foot of an S-shaped curve (the grid's near-tie with spending nothing)
        # drops to its lower bound: no interior optimum lies where the curve bends upwards.
        x = np.where(convex, lower, x)
        if not movable.any():
            return x, 0.0
        spread = _spread(grad, movable, binding)
        totals = x.sum(axis=0)
        off = max(abs(free_target - totals[~binding].sum()), *np.abs(channel_total - totals)[binding], 0.0)
        if spread < NEWTON_TOLERANCE and off <= NEWTON_TOLERANCE * problem.budget and not convex.any():
            break
        inverse = np.where(movable, 1.0 / np.where(movable, curvature, -1.0), 0.0)  # <= 0
        prices = _step_prices(x, grad, inverse, binding, free_target, channel_total)
        step = (prices[None, :] - grad) * inverse
        floor = np.where(x > lower, np.maximum(x / STEP_FACTOR, lower), lower)
        ceiling = np.where(x > 0, np.minimum(x * STEP_FACTOR, upper), upper)
        moved = np.clip(x + step, floor, ceiling)
        x = np.where(movable, moved, x)
    return x, spread


def _step_prices(
    x: SpendMatrix, grad: SpendMatrix, inverse: SpendMatrix, binding: np.ndarray, free_target: float, total: np.ndarray
) -> np.ndarray:
    """Prices (C,) whose Newton step meets the budget (one shared price) and each binding channel's total."""
    spent, weight, offset = x.sum(axis=0), inverse.sum(axis=0), (grad * inverse).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = (total - spent + offset) / weight
        shared = (free_target - spent[~binding].sum() + offset[~binding].sum()) / weight[~binding].sum()
    prices = np.where(binding, own, shared)
    fallback = float(np.nanmean(np.where(inverse < 0, grad, np.nan))) if (inverse < 0).any() else 0.0
    return np.where(np.isfinite(prices), prices, fallback)


def _spread(grad: SpendMatrix, movable: np.ndarray, binding: np.ndarray) -> float:
    """Largest (max - min) / mean of the movable cells' marginal ROIs within one price group."""
    groups = [movable & ~binding[None, :]] + [
        movable & (np.arange(len(binding)) == c)[None] for c in np.flatnonzero(binding)
    ]
    spreads = [float(np.ptp(grad[g]) / abs(grad[g].mean())) for g in groups if g.sum() > 1 and grad[g].mean() != 0]
    return max(spreads, default=0.0)


def warm_allocation(problem: Problem, warm: SpendMatrix) -> tuple[SpendMatrix, np.ndarray]:
    """``warm`` (K, C) projected onto the bounds and budget, and the channels whose limits it meets."""
    lower, upper = problem.lower.ravel(), problem.upper.ravel()
    start = project(np.asarray(warm, dtype=np.float64).ravel(), lower, upper, problem.target).reshape(warm.shape)
    low, high = channel_limits(problem)
    totals, tolerance = start.sum(axis=0), 1e-9 * max(problem.budget, 1.0)
    binding = ((totals <= low + tolerance) & (low > 0)) | (totals >= high - tolerance)
    return start, np.asarray(binding, dtype=bool)


def solve_by_prices(problem: Problem, warm: SpendMatrix | None = None) -> Solution:
    """The grid phase (or, for a concave problem with a ``warm`` start, that start projected onto the
    budget), then the Newton phase, repaired onto the budget; converged when the marginal ROIs of
    the free cells agree within each price group to ``1e-6`` of their mean."""
    if warm is not None:
        start, binding = warm_allocation(problem, warm)
    else:
        start, _, binding = grid_allocation(problem, PriceGrid.build(problem))
    polished, spread = newton_polish(problem, start, binding)
    lower, upper = problem.lower.ravel(), problem.upper.ravel()
    spend = repair(polished.ravel(), lower, upper, problem.target, problem.at_most).reshape(start.shape)
    value = problem.cells.value_and_grad(spend)[0]
    start_value = problem.cells.value_and_grad(start)[0]
    if start_value > value:
        return Solution(start, start_value, converged=False, starts_used=1, run_converged=False)
    return Solution(spend, value, converged=spread < 1e-6, starts_used=1, run_converged=spread < 1e-6)
