"""Speed of the simulator on a model: scenario evaluation, optimisations and the frontier.

Targets (2 CPU cores): one scenario < 50 ms, one brand x region optimisation < 2 s,
national joint optimisation < 30 s, the national frontier (its :data:`FRONTIER_POINTS` budgets) < 30 s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mmm_analytics.simulator.defaults import ALL, FRONTIER_POINTS
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.frontier import efficiency_frontier

TARGETS_SECONDS: dict[str, float] = {
    "scenario_s": 0.050,
    "optimize_segment_s": 2.0,
    "optimize_national_s": 30.0,
    "frontier_national_s": 30.0,
}


def _seconds(action: Callable[[], Any], repeat: int = 1) -> float:
    """Median wall time of ``repeat`` runs of ``action``."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure_speed(
    sim: MarketingSimulator, scenario_repeats: int = 50, frontier_points: int = FRONTIER_POINTS
) -> dict[str, Any]:
    """Time the simulator's main operations (seconds; compile time reported separately).

    ``first_*`` entries include JAX compilation (the first call of a shape); the others are
    timed afterwards. ``meets_targets`` compares with :data:`TARGETS_SECONDS`.
    """
    brand, region = sim.segments[0]
    spend = sim.current_spend(brand, region)
    national = sim.current_spend(ALL, ALL)
    out: dict[str, Any] = {
        "segments": len(sim.segments),
        "channels": len(sim.channels),
        "draws": sim.params.n_draws,
        "first_scenario_s": _seconds(lambda: sim.simulate_scenario(spend, brand, region)),
        "first_optimize_segment_s": _seconds(lambda: sim.optimize_budget(None, None, brand, region)),
        "first_optimize_national_s": _seconds(lambda: sim.optimize_budget(None, None, ALL, ALL)),
    }
    out["scenario_s"] = _seconds(lambda: sim.simulate_scenario(spend, brand, region), scenario_repeats)
    out["scenario_national_s"] = _seconds(lambda: sim.simulate_scenario(national, ALL, ALL), scenario_repeats)
    segments = sim.segments[: min(3, len(sim.segments))]
    out["optimize_segment_s"] = max(_seconds(partial(sim.optimize_budget, None, None, b, r)) for b, r in segments)
    out["optimize_national_s"] = _seconds(lambda: sim.optimize_budget(None, None, ALL, ALL))
    out["frontier_segment_s"] = _seconds(lambda: efficiency_frontier(sim, brand, region, points=frontier_points))
    out["frontier_national_s"] = _seconds(lambda: efficiency_frontier(sim, ALL, ALL, points=frontier_points))
    out["frontier_points"] = frontier_points
    out["meets_targets"] = all(out[key] < limit for key, limit in TARGETS_SECONDS.items())
    return out
