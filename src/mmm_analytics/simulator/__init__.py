"""Budget simulator: what-if scenarios, optimisation, frontier, sensitivity, exports and reports.

Semantics used everywhere in this package: an allocation is a *sustained weekly spend*
per channel (INR). Results are weekly Sales_Value (INR) at steady state, where the
carryover of a sustained spend equals the sum of its lag weights, plus totals over a
horizon (``model_config.yaml`` ``simulator.horizon_weeks``, 13 by default).
"""

from mmm_analytics.simulator.constraints import BudgetConstraints
from mmm_analytics.simulator.engine import MarketingSimulator, SimulationResult
from mmm_analytics.simulator.optimizer import OptimizationResult, optimize_budget

__all__ = [
    "BudgetConstraints",
    "MarketingSimulator",
    "OptimizationResult",
    "SimulationResult",
    "optimize_budget",
]
