"""Budget simulator: what-if scenarios, optimisation, frontier, sensitivity, exports and reports.

Semantics used everywhere in this package: an allocation is a *sustained weekly spend*
per channel (INR). Results are weekly Sales_Value (INR) at steady state, where the
carryover of a sustained spend equals the sum of its lag weights, plus totals over a
horizon (``model_config.yaml`` ``simulator.horizon_weeks``, 13 by default).

Importing the package switches JAX to float64 on the CPU (:func:`mmm_analytics.backend.use_jax`).
Dependencies run one way: ``engine`` (the model's response for a spend mix) calls
``optimizer`` (which sees only a :class:`~mmm_analytics.simulator.optimizer.Selection`),
which calls ``solver``; ``scenarios``, ``frontier``, ``sensitivity``, ``export``, ``report``
and ``batch`` sit on top of the engine.
"""

from mmm_analytics.backend import use_jax

use_jax()

from mmm_analytics.simulator.constraints import BudgetConstraints  # noqa: E402
from mmm_analytics.simulator.engine import MarketingSimulator, SimulationResult  # noqa: E402
from mmm_analytics.simulator.optimizer import OptimizationResult  # noqa: E402

__all__ = [
    "BudgetConstraints",
    "MarketingSimulator",
    "OptimizationResult",
    "SimulationResult",
]
