"""Budget optimisation: the weekly allocation that maximises incremental sales for a weekly budget.

One brand x region optimises C channel spends; a selection of several brand x region
segments (``brand="all"`` and/or ``region="all"`` in the simulator) optimises every
brand x region x channel cell jointly (national mode), with channel limits applying to
channel totals. Uses SLSQP with JAX gradients and several starts.

The optimiser knows nothing of the simulator: it receives a :class:`Selection` (the
response cells of the selected segments and their current weekly spend) and the
constraints. :meth:`mmm_analytics.simulator.engine.MarketingSimulator.optimize_budget`
builds the selection from a trained model.

A result is never silently wrong: a non-finite number raises :class:`NonFiniteResultError`,
and a run that did not converge, left the free channels' marginal ROIs unequal or saturated
every channel says so in ``warnings`` (written to the JSON next to ``converged``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.simulator.constraints import (
    BudgetConstraints,
    ChannelLimits,
    resolve_limits,
)
from mmm_analytics.simulator.defaults import MROI_SPREAD_WARNING, SATURATED_MROI, START_SEED
from mmm_analytics.simulator.solver import Problem, Solution, solve
from mmm_analytics.simulator.surface import CellSet, SpendMatrix

#: Keys of the ``mmm optimize`` JSON, in order.
JSON_KEYS: tuple[str, ...] = (
    "brand",
    "region",
    "weekly_budget",
    "allocation",
    "expected_incremental_sales",
    "current_allocation",
    "current_incremental_sales",
    "marginal_roi",
    "converged",
    "warnings",
)


class NonFiniteResultError(ArithmeticError):
    """The response gave NaN or infinity for finite, bounded spends: damaged model parameters or a bug."""


def require_finite(values: dict[str, Any], what: str) -> None:
    """Raise :class:`NonFiniteResultError` naming the first entry of ``values`` (numbers or
    arrays) that is not finite; ``what`` says which result it belongs to."""
    for name, value in values.items():
        array = np.asarray(value, dtype=np.float64)
        if not np.isfinite(array).all():
            raise NonFiniteResultError(
                f"{what}: {name} is not finite ({array.ravel()[~np.isfinite(array.ravel())][0]}); "
                "the model's response parameters may be damaged: re-run 'mmm train'"
            )


@dataclass(frozen=True, slots=True)
class OptimizationResult:
    """The best weekly allocation of a budget, compared with today's mix at the same budget.

    Attributes
    ----------
    allocation : dict of channel -> INR per week (summed over the selected segments)
    expected_incremental_sales : float
        Weekly incremental Sales_Value (INR) of ``allocation`` at steady state.
    current_allocation, current_incremental_sales
        Today's mix scaled to ``weekly_budget`` and its weekly incremental sales.
    uplift : float
        ``expected / current - 1`` (share; 0.05 = 5 % more incremental sales).
    marginal_roi : dict of channel -> INR of weekly sales per extra INR of weekly spend
        Spend-weighted over segments; equal across ``free`` channels at an optimum.
    mroi_spread : float
        (max - min) / mean of the marginal ROI over free channels (0 = perfectly equalised).
    channel_status : dict of channel -> "free", "at minimum", "at maximum" or "locked"
    converged : bool
        Whether SLSQP reported success from at least one start.
    warnings : tuple of str
        Why the allocation may not be the optimum, or may not be worth it: no converged start,
        free channels' marginal ROIs more than ``MROI_SPREAD_WARNING`` apart, or, for a budget
        above today's spend, every channel saturated (marginal ROI below ``SATURATED_MROI``).
        Empty when none applies.
    cells : DataFrame with brand, region, channel, spend, current_spend, incremental_sales, marginal_roi
    """

    brand: str
    region: str
    weekly_budget: float
    allocation: dict[str, float]
    expected_incremental_sales: float
    current_allocation: dict[str, float]
    current_incremental_sales: float
    uplift: float
    marginal_roi: dict[str, float]
    mroi_spread: float
    channel_status: dict[str, str]
    converged: bool
    starts_used: int
    seconds: float
    cells: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        """Exactly the keys of the ``mmm optimize`` output file."""
        return {key: getattr(self, key) for key in JSON_KEYS} | {"warnings": list(self.warnings)}

    def summary(self) -> dict[str, Any]:
        """Everything except the cell table, JSON-ready."""
        return {
            **self.to_json_dict(),
            "uplift": self.uplift,
            "mroi_spread": self.mroi_spread,
            "channel_status": self.channel_status,
            "starts_used": self.starts_used,
            "seconds": self.seconds,
        }


@dataclass(frozen=True, slots=True)
class Selection:
    """What the optimiser needs to know about the selected brand x region segments.

    Attributes
    ----------
    brand, region : str
        Labels of the selection (a name or ``"all"``), copied into the result.
    channels : tuple of str, length C
    segments : tuple of (brand, region), length K
        The segment of each row of ``current`` and ``cells``.
    current : ndarray of shape (K, C)
        Today's average weekly spend per segment and channel (INR).
    cells : CellSet
        The steady-state response of those K x C cells.
    concave : bool
        Whether every response curve is concave (one start is then enough).
    """

    brand: str
    region: str
    channels: tuple[str, ...]
    segments: tuple[tuple[str, str], ...]
    current: SpendMatrix
    cells: CellSet
    concave: bool


def _problem(selection: Selection, limits: ChannelLimits, budget: float, at_most: bool) -> Problem:
    current, cells = selection.current, selection.cells
    if len(selection.segments) == 1:
        return Problem(cells, budget, limits.lower[None, :].copy(), limits.upper[None, :].copy(), at_most=at_most)
    lower = np.where(limits.locked[None, :], current, 0.0)
    upper = np.where(limits.locked[None, :], current, np.inf)
    return Problem(cells, budget, lower, upper, limits.lower, limits.upper, at_most=at_most)


def scaled_current(current: SpendMatrix, budget: float) -> SpendMatrix:
    """Today's mix ``current`` (K, C) scaled to ``budget`` (an even split when nothing is spent today)."""
    total = current.sum()
    if total > 0:
        return current * (budget / total)
    return np.full(current.shape, budget / current.size)


def _starts(current: SpendMatrix, problem: Problem, n_starts: int, warm: SpendMatrix | None) -> list[SpendMatrix]:
    shape = problem.lower.shape
    starts = [] if warm is None else [np.asarray(warm, dtype=np.float64).reshape(shape)]
    starts.append(scaled_current(current, problem.budget))
    starts.append(np.full(shape, problem.budget / np.prod(shape)))
    rng = np.random.default_rng(START_SEED)
    while len(starts) < max(n_starts, 1):
        starts.append(rng.dirichlet(np.ones(np.prod(shape))).reshape(shape) * problem.budget)
    return starts[: max(n_starts, 1)]


def optimize_allocation(
    selection: Selection,
    total_budget: float | None = None,
    constraints: BudgetConstraints | None = None,
    *,
    starts: int,
    warm_start: SpendMatrix | None = None,
) -> OptimizationResult:
    """Allocate a weekly budget (INR) across the channels (and segments) of ``selection``.

    Parameters
    ----------
    selection : Selection
        The segments to allocate over, their current spend and response.
    total_budget : float, optional
        Weekly budget in INR; defaults to today's total weekly spend of the selection.
    constraints : BudgetConstraints, optional
        Channel minimum/maximum, locks and ``at_most`` (spend up to, not exactly, the budget).
    starts : int
        Number of starts (one more is added for ``warm_start``).
    warm_start : ndarray of shape (K, C), optional
        An allocation to try first (e.g. the optimum at a nearby budget).

    Raises
    ------
    InputError
        An unknown channel, or limits that no allocation of the budget can meet.
    """
    began = time.perf_counter()
    current = selection.current
    budget = float(current.sum()) if total_budget is None else float(total_budget)
    limits = resolve_limits(constraints, selection.channels, current.sum(axis=0), budget)
    at_most = bool(constraints.at_most) if constraints is not None else False
    problem = _problem(selection, limits, budget, at_most)
    n_starts = starts + 1 if warm_start is not None else starts
    solution = solve(problem, _starts(current, problem, n_starts, warm_start), concave=selection.concave)
    return _result(selection, budget, limits, solution, began)


def _channel_mroi(spend: SpendMatrix, grad: SpendMatrix) -> np.ndarray:
    """Spend-weighted marginal ROI per channel (best cell's where the channel gets nothing)."""
    totals = spend.sum(axis=0)
    weighted = (spend * grad).sum(axis=0) / np.where(totals > 0, totals, 1.0)
    return np.where(totals > 0, weighted, grad.max(axis=0))


def _warnings(
    converged: bool, starts: int, mroi: np.ndarray, free: np.ndarray, spread: float, above_today: bool
) -> tuple[str, ...]:
    """The result's warnings; ``above_today``: the budget exceeds today's total weekly spend (where a
    marginal ROI near 0 means saturation, not the flat start of an S-shaped curve)."""
    out = []
    if not converged:
        out.append(
            f"the optimiser did not converge from any of its {starts} start(s); the allocation is the best "
            "one found within the limits and may not be the optimum"
        )
    elif free.sum() > 1 and spread > MROI_SPREAD_WARNING:
        out.append(
            f"the marginal ROIs of the free channels differ by {spread:.1%} of their mean (they are equal at "
            "an optimum); the allocation may not be the optimum"
        )
    if above_today and mroi.size and float(mroi.max()) < SATURATED_MROI:
        out.append(
            f"every channel is saturated at this budget (marginal ROI below {SATURATED_MROI:g} INR per INR): "
            "extra spend earns almost nothing"
        )
    return tuple(out)


def _result(
    selection: Selection, budget: float, limits: ChannelLimits, solution: Solution, began: float
) -> OptimizationResult:
    cells, channels = selection.cells, selection.channels
    spend = solution.spend
    _, grad = cells.value_and_grad(np.maximum(spend, 1e-9 * max(budget, 1.0)))
    baseline = scaled_current(selection.current, budget)
    current_value = cells.value_and_grad(baseline)[0]
    response = cells.response(spend)
    what = f"optimising a weekly budget of {budget:.6g} INR for brand {selection.brand} / region {selection.region}"
    require_finite(
        {
            "the allocation": spend,
            "the incremental sales": [solution.value, current_value, *response.ravel()],
            "the marginal ROI": grad,
        },
        what,
    )
    grad = np.where(grad > 0, grad, 0.0)  # the response never falls with spend: a negative slope is rounding
    mroi = _channel_mroi(spend, grad)
    status = limits.status(spend.sum(axis=0), budget)
    free = np.array([s == "free" for s in status])
    spread = float(np.ptp(mroi[free]) / abs(mroi[free].mean())) if free.sum() > 1 and mroi[free].mean() != 0 else 0.0
    table = pd.DataFrame(
        {
            "brand": [brand for brand, _ in selection.segments for _ in channels],
            "region": [region for _, region in selection.segments for _ in channels],
            "channel": list(channels) * len(selection.segments),
            "spend": spend.ravel(),
            "current_spend": selection.current.ravel(),
            "incremental_sales": response.ravel(),
            "marginal_roi": grad.ravel(),
        }
    )
    return OptimizationResult(
        brand=selection.brand,
        region=selection.region,
        weekly_budget=budget,
        allocation=dict(zip(channels, spend.sum(axis=0).tolist())),
        expected_incremental_sales=float(solution.value),
        current_allocation=dict(zip(channels, baseline.sum(axis=0).tolist())),
        current_incremental_sales=float(current_value),
        uplift=float(solution.value / current_value - 1.0) if current_value > 0 else 0.0,
        marginal_roi=dict(zip(channels, mroi.tolist())),
        mroi_spread=spread,
        channel_status=dict(zip(channels, status)),
        converged=solution.converged,
        starts_used=solution.starts_used,
        seconds=time.perf_counter() - began,
        cells=table,
        warnings=_warnings(
            solution.converged, solution.starts_used, mroi, free, spread, budget > float(selection.current.sum())
        ),
    )
