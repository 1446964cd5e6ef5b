"""Solver helpers: projection onto the budget and the final repair keep totals and bounds exact."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.simulator.solver import Problem, feasible, project, repair

values = st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(start=values, share=st.floats(0.0, 1.0), cap=st.floats(0.05, 1.0))
def test_project_sums_to_target_within_bounds(start: list[float], share: float, cap: float) -> None:
    x = np.asarray(start)
    lower = 0.1 * x
    upper = lower + cap * 1e6
    target = lower.sum() + share * (np.minimum(upper, 1e12).sum() - lower.sum())
    out = project(x, lower, upper, target)
    assert np.all(out >= lower) and np.all(out <= upper)
    np.testing.assert_allclose(out.sum(), target, rtol=1e-9, atol=1e-6)


def test_repair_snaps_to_bounds_and_keeps_total() -> None:
    lower, upper = np.array([0.0, 10.0, 0.0]), np.array([np.inf, 50.0, 5.0])
    out = repair(np.array([1e-12, 30.0, 5.0 - 1e-12]), lower, upper, 40.0, at_most=False)
    assert out[0] == 0.0 and out[2] == 5.0
    assert out.sum() == 40.0


def test_repair_at_most_keeps_a_smaller_total() -> None:
    out = repair(np.array([1.0, 2.0]), np.zeros(2), np.full(2, np.inf), 10.0, at_most=True)
    np.testing.assert_array_equal(out, [1.0, 2.0])


def _problem(**changes: object) -> Problem:
    """Two segments x two channels, budget 100, cells in [0, 60]."""
    base = Problem(cells=None, budget=100.0, lower=np.zeros((2, 2)), upper=np.full((2, 2), 60.0))  # type: ignore[arg-type]
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_feasible_says_whether_any_spend_meets_every_constraint() -> None:
    """Bounds, budget, channel totals and held ratios, each alone and together (checked by hand)."""
    # channel 0 twice channel 1 in segment 0: 2 x[0,1] - x[0,0] = 0 (flat index 0 = [0,0], 1 = [0,1]).
    twice = np.array([[-1.0, 2.0, 0.0, 0.0]])
    assert feasible(_problem())
    assert feasible(_problem(upper=np.full((2, 2), 20.0)))  # the maxima cap the target at 80
    assert not feasible(_problem(lower=np.full((2, 2), 30.0), at_most=True))  # 4 x 30 > 100
    assert not feasible(_problem(channel_lower=np.array([0.0, 0.0]), channel_upper=np.array([10.0, 10.0])))
    assert feasible(_problem(held=twice))
    # segment 0's channel 1 at most 5 -> channel 0 at most 10 there; the other segment can take 120.
    capped = np.array([[60.0, 5.0], [60.0, 60.0]])
    assert feasible(_problem(upper=capped, held=twice))
    # ... but not when it may take only 80: 10 + 5 + 80 < 100.
    assert not feasible(_problem(upper=np.array([[60.0, 5.0], [40.0, 40.0]]), held=twice))
    assert feasible(_problem(upper=np.array([[60.0, 5.0], [40.0, 40.0]]), held=twice, at_most=True))


def test_slsqp_runs_from_the_dual_start_and_every_start_given_unless_told_fewer(tmp_path: Path) -> None:
    """The last start given was never run from (a candidate as it was), so the benchmark's search for the true
    optimum skipped the even split it listed."""
    from mmm_analytics.simulator import MarketingSimulator
    from mmm_analytics.simulator.solver import solve

    from .hand_built import build_params, write_model

    simulator = MarketingSimulator.from_model_dir(write_model(tmp_path, build_params(n_brands=1, n_regions=1)))
    cells = simulator.cell_set("BrandA", "CENTRAL")
    current = simulator.current_matrix[simulator.rows("BrandA", "CENTRAL")]
    shape = current.shape
    problem = Problem(cells, float(current.sum()), np.zeros(shape), np.full(shape, np.inf))
    starts = [current, np.full(shape, current.sum() / current.size), current[:, ::-1].copy()]
    assert solve(problem, starts, concave=False).starts_used == 4
    assert solve(problem, starts, concave=False, runs=2).starts_used == 2


def test_converged_only_when_a_converged_run_reaches_the_plan_returned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solution said "converged" when any run converged, even one that ended below the unconverged plan
    returned. Here every run stays at its start: the one from the dual start (the better plan) stops
    unconverged, the one from a plan with the whole budget in one cell converges there."""
    from types import SimpleNamespace

    from mmm_analytics.simulator import MarketingSimulator, solver
    from mmm_analytics.simulator.solver import solve

    from .hand_built import build_params, write_model

    simulator = MarketingSimulator.from_model_dir(write_model(tmp_path, build_params(n_brands=1, n_regions=1)))
    cells = simulator.cell_set("BrandA", "CENTRAL")
    current = simulator.current_matrix[simulator.rows("BrandA", "CENTRAL")]
    problem = Problem(cells, float(current.sum()), np.zeros(current.shape), np.full(current.shape, np.inf))
    lopsided = np.zeros_like(current)
    lopsided.flat[0] = current.sum()
    calls: list[int] = []

    def stays(fun: object, x0: np.ndarray, **_: object) -> SimpleNamespace:
        calls.append(1)
        return SimpleNamespace(x=np.asarray(x0), success=len(calls) == 2)

    monkeypatch.setattr(solver, "minimize", stays)
    unconverged_best = solve(problem, [lopsided], concave=False)
    assert unconverged_best.value > cells.value_and_grad(lopsided)[0]  # the dual start's plan wins
    assert not unconverged_best.converged
    assert unconverged_best.run_converged  # a run converged under these constraints: a held split is kept
    calls.clear()
    monkeypatch.setattr(solver, "minimize", lambda fun, x0, **_: SimpleNamespace(x=np.asarray(x0), success=True))
    assert solve(problem, [lopsided], concave=False).converged
