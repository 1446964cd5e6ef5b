"""SLSQP on a response surface: maximise total weekly incremental sales for a weekly budget.

The decision variables are the weekly spends (INR) of K series x C channels; the objective is
any :class:`ResponseCells` (the point estimate, :class:`~mmm_analytics.simulator.surface.CellSet`,
or the mean over posterior draws, :class:`~mmm_analytics.simulator.expected.ExpectedCells`). The first start
comes from a dual (water-filling) search: for a price ``lam`` of one INR, each cell spends the
grid amount that maximises ``response - lam * spend`` (a global 1-D search, so S-shaped curves
are handled), and ``lam`` is bisected until the budget is spent. SLSQP (JAX gradients) then
polishes that start and the others; each variable is scaled by its start value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import Bounds, linprog, minimize

from mmm_analytics.simulator.defaults import SOLVER_FTOL, SOLVER_MAX_ITER
from mmm_analytics.simulator.surface import SpendMatrix
from mmm_analytics.simulator.threads import single_blas_thread

GRID_POINTS = 320
GRID_DECADES = 6


class ResponseCells(Protocol):
    """What the solver needs of a response surface over K x C cells (weekly spend in INR)."""

    def value_and_grad(self, spend: SpendMatrix) -> tuple[float, SpendMatrix]:
        """Total weekly incremental sales (INR) and its gradient (K, C)."""
        ...

    def curvature(self, spend: SpendMatrix) -> SpendMatrix:
        """Second derivative of each cell's response in its spend (K, C)."""
        ...

    def evaluate(self, spend: SpendMatrix) -> tuple[SpendMatrix, SpendMatrix, SpendMatrix]:
        """Response, marginal ROI and curvature per cell, each (K, C)."""
        ...

    def reference_response(self, spend: np.ndarray) -> np.ndarray:
        """Response per cell for many spend levels at once, (..., K, C)."""
        ...

    def response(self, spend: SpendMatrix) -> SpendMatrix:
        """Weekly incremental sales (INR) per cell, (K, C)."""
        ...


@dataclass(frozen=True, slots=True)
class Problem:
    """One allocation problem. Arrays of shape (K, C) are cell bounds; (C,) channel-total limits."""

    cells: ResponseCells
    budget: float
    lower: np.ndarray
    upper: np.ndarray
    channel_lower: np.ndarray | None = None
    channel_upper: np.ndarray | None = None
    at_most: bool = False
    #: Rows ``held @ spend.ravel() == 0`` (R, K*C): each keeps two cells' spends in a fixed ratio.
    held: np.ndarray | None = None

    @property
    def target(self) -> float:
        """What the allocation must add up to (less than the budget only if the maxima cap it)."""
        return min(self.budget, float(np.minimum(self.upper, self.budget).sum()))


@dataclass(frozen=True, slots=True)
class Solution:
    """The plan found (``spend``, and ``value``, the response it brings). ``converged``: the plan is a
    converged one (:func:`_settled`); ``run_converged``: some run converged under these constraints,
    the plan returned or not (what tells that a plan keeping a held split was found)."""

    spend: SpendMatrix
    value: float
    converged: bool
    starts_used: int
    run_converged: bool


def project(start: np.ndarray, lower: np.ndarray, upper: np.ndarray, target: float) -> np.ndarray:
    """``clip(start + t, lower, upper)`` with the common shift ``t`` that makes it sum to ``target``."""
    upper = np.minimum(upper, max(target, 0.0))
    if lower.sum() >= target:
        return lower.copy()
    if upper.sum() <= target:
        return upper.copy()
    low, high = float(lower.min() - start.max()), float(upper.max() - start.min())
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.clip(start + middle, lower, upper).sum() > target:
            high = middle
        else:
            low = middle
    return repair(np.clip(start + 0.5 * (low + high), lower, upper), lower, upper, target, at_most=False)


def repair(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, target: float, at_most: bool) -> np.ndarray:
    """Clip ``x`` into its bounds (snapping values within 1e-9 of the target onto a bound), then move
    the leftover onto cells with room so the total is exact."""
    tolerance = 1e-9 * max(target, 1e-300)
    x = np.clip(x, lower, upper)
    x = np.where(x - lower < tolerance, lower, np.where(upper - x < tolerance, upper, x))
    gap = target - x.sum()
    if gap > 0 and not at_most:
        room = np.minimum(upper, target) - x
        inside = room * (x > lower)  # prefer cells already in use, so snapped zeros stay zero
        room = inside if inside.sum() > 0 else room
        x = x + gap * room / room.sum() if room.sum() > 0 else x
    elif gap < 0:
        room = x - lower
        x = x + gap * room / room.sum() if room.sum() > 0 else x
    return np.clip(x, lower, upper)


def dual_start(problem: Problem) -> SpendMatrix:
    """Water-filling allocation on a log grid per cell (ignores channel-total limits)."""
    lower = problem.lower.ravel()
    upper = np.minimum(problem.upper.ravel(), problem.budget)
    fractions = np.concatenate([[0.0], np.logspace(-GRID_DECADES, 0.0, GRID_POINTS)])
    grid = lower[None, :] + fractions[:, None] * (upper - lower)[None, :]  # (G, n)
    value = problem.cells.reference_response(grid.reshape(len(fractions), *problem.lower.shape)).reshape(grid.shape)
    slopes = (value[1:] - value[:1]) / np.maximum(grid[1:] - grid[:1], 1e-300)
    low, high = 0.0, float(max(slopes.max(), 1e-12)) * 2.0
    target = problem.target

    def spend_at(price: float) -> np.ndarray:
        pick = np.argmax(value - price * grid, axis=0)
        return grid[pick, np.arange(grid.shape[1])]

    for _ in range(80):
        middle = 0.5 * (low + high)
        if spend_at(middle).sum() > target:
            low = middle
        else:
            high = middle
    return project(spend_at(high), lower, upper, target).reshape(problem.lower.shape)


def free_cells(problem: Problem) -> np.ndarray:
    """Which cells (flattened K x C) can move: their bounds leave room within the budget."""
    span = np.minimum(problem.upper.ravel(), problem.budget) - problem.lower.ravel()
    return span > 1e-12 * max(problem.budget, 1.0)


def channel_membership(shape: tuple[int, ...]) -> np.ndarray:
    """(C, K*C) 0/1 matrix whose row c sums the cells of channel c in a flattened (K, C) spend."""
    channel_of = np.tile(np.arange(shape[1]), shape[0])
    return (channel_of[None, :] == np.arange(shape[1])[:, None]).astype(float)


class _Scaled:
    """The problem over the free cells, each in units of its start value, objective about -1."""

    def __init__(self, problem: Problem, first_start: SpendMatrix) -> None:
        self.problem = problem
        self.flat_lower, self.flat_upper = problem.lower.ravel(), problem.upper.ravel()
        self.free = free_cells(problem)
        self.free_budget = problem.target - float(self.flat_lower[~self.free].sum())
        mean_unit = max(self.free_budget, 1e-9) / max(int(self.free.sum()), 1)
        value = problem.cells.value_and_grad(first_start)[0]
        self.norm = abs(value) if value != 0 else 1.0
        # Unit of each variable: where the objective's curvature is 1 in these units, so SLSQP's
        # first Hessian guess (the identity) is already close (Newton-like steps).
        curvature = np.abs(problem.cells.curvature(np.maximum(first_start, 1e-6 * mean_unit))).ravel()[self.free]
        with np.errstate(divide="ignore"):
            unit = np.sqrt(self.norm / curvature)
        self.unit = np.clip(np.nan_to_num(unit, nan=mean_unit, posinf=mean_unit), 1e-3 * mean_unit, 1e3 * mean_unit)
        self.mean_unit = float(self.unit.mean()) if self.unit.size else 1.0

    def spend(self, y: np.ndarray) -> SpendMatrix:
        flat = self.flat_lower.copy()
        flat[self.free] = y * self.unit
        return flat.reshape(self.problem.lower.shape)

    def variables(self, spend: SpendMatrix) -> np.ndarray:
        return spend.ravel()[self.free] / self.unit

    def objective(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        spend = self.spend(y)
        value, grad = self.problem.cells.value_and_grad(np.maximum(spend, 1e-9 * self.mean_unit))
        return -value / self.norm, -grad.ravel()[self.free] * self.unit / self.norm

    def constraints(self) -> list[dict]:
        scale = self.unit / self.mean_unit
        budget = self.free_budget / self.mean_unit
        kind = "ineq" if self.problem.at_most else "eq"
        out: list[dict] = [{"type": kind, "fun": lambda y: budget - scale @ y, "jac": lambda y: -scale}]
        a, b = self._channel_rows()
        if len(b):
            out.append({"type": "ineq", "fun": lambda y: a @ y - b, "jac": lambda y: a})
        if self.problem.held is not None and len(self.problem.held):
            # held @ spend = 0 over the free cells (in mean units), the fixed ones moved to the right.
            rows = self.problem.held
            fixed = rows[:, ~self.free] @ self.flat_lower[~self.free] / self.mean_unit
            matrix = rows[:, self.free] * (self.unit / self.mean_unit)[None, :]
            # A row over fixed cells alone holds nothing SLSQP can move (and its zero gradient makes the
            # constraint matrix singular); whether it holds is checked on the solution.
            moving = np.abs(matrix).sum(axis=1) > 0
            matrix, fixed = matrix[moving], fixed[moving]
            if len(fixed):
                out.append({"type": "eq", "fun": lambda y: matrix @ y + fixed, "jac": lambda y: matrix})
        return out

    def _channel_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Channel-total limits as ``a @ y >= b`` over the free variables (in mean units)."""
        if self.problem.channel_lower is None or self.problem.channel_upper is None:
            return np.zeros((0, int(self.free.sum()))), np.zeros(0)
        shape = self.problem.lower.shape
        membership = channel_membership(shape)
        fixed = membership[:, ~self.free] @ self.flat_lower[~self.free]
        matrix = membership[:, self.free] * (self.unit / self.mean_unit)[None, :]
        rows: list[np.ndarray] = []
        bounds: list[float] = []
        for c in range(shape[1]):
            low, high = self.problem.channel_lower[c], self.problem.channel_upper[c]
            if matrix[c].any() and low > 0:
                rows.append(matrix[c])
                bounds.append((low - fixed[c]) / self.mean_unit)
            if matrix[c].any() and np.isfinite(high):
                rows.append(-matrix[c])
                bounds.append(-(high - fixed[c]) / self.mean_unit)
        return np.array(rows).reshape(len(rows), matrix.shape[1]), np.array(bounds)

    def bounds(self) -> Bounds:
        high = np.minimum(self.flat_upper[self.free], self.problem.budget)
        return Bounds(self.flat_lower[self.free] / self.unit, high / self.unit)


def feasible(problem: Problem) -> bool:
    """Whether some spend meets every constraint of ``problem`` at once: the cell bounds, the budget
    (exactly, or at most with ``at_most``), the channel-total limits and the held ratios. A linear
    programme (milliseconds), asked before a solve that may not find such a spend after many starts."""
    shape = problem.lower.shape
    scale = max(problem.budget, 1.0)  # in budgets, so that the programme's tolerances are relative
    lower, upper = problem.lower.ravel() / scale, np.minimum(problem.upper.ravel(), problem.budget) / scale
    if (lower > upper + 1e-12).any():
        return False
    total = np.ones((1, lower.size))
    equal_rows: list[np.ndarray] = []
    equal_to: list[np.ndarray] = []
    less_rows: list[np.ndarray] = []
    less_than: list[np.ndarray] = []
    if problem.at_most:
        less_rows.append(total)
        less_than.append(np.array([problem.budget / scale]))
    else:
        equal_rows.append(total)
        equal_to.append(np.array([problem.target / scale]))
    if problem.channel_lower is not None and problem.channel_upper is not None:
        membership = channel_membership(shape)
        high = np.isfinite(problem.channel_upper)
        less_rows += [-membership, membership[high]]
        less_than += [-problem.channel_lower / scale, problem.channel_upper[high] / scale]
    if problem.held is not None and len(problem.held):
        equal_rows.append(problem.held)
        equal_to.append(np.zeros(len(problem.held)))
    answer = linprog(
        np.zeros(lower.size),
        A_ub=np.vstack(less_rows) if less_rows else None,
        b_ub=np.concatenate(less_than) if less_than else None,
        A_eq=np.vstack(equal_rows) if equal_rows else None,
        b_eq=np.concatenate(equal_to) if equal_to else None,
        bounds=np.column_stack([lower, upper]),
        method="highs",
    )
    return bool(answer.status == 0)


def channel_violation(problem: Problem, spend: SpendMatrix) -> float:
    """Largest breach of a channel-total limit or of a held ratio (``problem.held``), as a share of
    the budget (0 when none)."""
    breach = 0.0
    if problem.channel_lower is not None and problem.channel_upper is not None:
        totals = spend.sum(axis=0)
        breach = float(np.maximum(problem.channel_lower - totals, totals - problem.channel_upper).max())
    if problem.held is not None and len(problem.held):
        breach = max(breach, float(np.abs(problem.held @ spend.ravel()).max()))
    return max(breach, 0.0) / max(problem.budget, 1.0)


def solve(problem: Problem, starts: list[SpendMatrix], concave: bool, runs: int | None = None) -> Solution:
    """SLSQP from the dual start, then from each of ``starts`` in turn (projected onto the budget): ``runs``
    runs in all (default: from every one); every start is a candidate as it is too, and the best feasible
    end wins. The solution counts as converged only when a converged run reached the winner's value.

    A concave problem has a single optimum, so the first converged run ends the search. With
    nothing to allocate (a zero target, or no cell free to move) the projected start is the
    only feasible point and counts as converged.
    """
    lower, upper, target = problem.lower.ravel(), problem.upper.ravel(), problem.target
    points = [dual_start(problem)]
    points += [project(s.ravel(), lower, upper, target).reshape(problem.lower.shape) for s in starts]
    trivial = problem.target <= 0 or not free_cells(problem).any()
    candidates = [_candidate(problem, point, converged=trivial, used=0) for point in points]
    if not trivial:
        with single_blas_thread():
            for used, point in enumerate(points[: len(points) if runs is None else max(runs, 1)], start=1):
                scaled = _Scaled(problem, point)
                if not scaled.free.any():
                    break
                result = minimize(
                    scaled.objective,
                    scaled.variables(point),
                    jac=True,
                    method="SLSQP",
                    bounds=scaled.bounds(),
                    constraints=scaled.constraints(),
                    options={"maxiter": SOLVER_MAX_ITER, "ftol": SOLVER_FTOL},
                )
                x = repair(scaled.spend(result.x).ravel(), lower, upper, target, problem.at_most)
                candidates.append(_candidate(problem, x.reshape(point.shape), bool(result.success), used))
                if concave and result.success:
                    break
    feasible = [c for c in candidates if channel_violation(problem, c.spend) < 1e-7]
    pool = feasible or [min(candidates, key=lambda c: channel_violation(problem, c.spend))]
    best = max(pool, key=lambda c: c.value)
    any_run = any(c.converged for c in pool)
    return Solution(best.spend, best.value, _settled(best, pool), candidates[-1].starts_used, any_run)


def _settled(best: Solution, pool: list[Solution]) -> bool:
    """Whether the plan returned is a converged one: the best candidate converged, or a converged run ends
    as high (within a millionth of its value, below what any report shows). A converged run that ends
    lower says nothing of a better unconverged plan, so it does not count."""
    tolerance = 1e-6 * max(abs(best.value), 1.0)
    return any(c.converged and c.value >= best.value - tolerance for c in pool)


def _candidate(problem: Problem, spend: SpendMatrix, converged: bool, used: int) -> Solution:
    value = problem.cells.value_and_grad(spend)[0]
    return Solution(spend=spend, value=value, converged=converged, starts_used=used, run_converged=converged)
