"""The outcome of one simulated weekly spend mix (re-exported by :mod:`mmm_analytics.simulator.engine`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mmm_analytics.utils.io import finite_or_none

type Allocation = dict[str, float]


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Outcome of one sustained weekly spend mix (all money in INR).

    ``predicted_sales``, ``incremental_sales``, ``channel_contributions`` and the interval
    are weekly at steady state, the first three at the point estimate; ``expected_incremental_sales``
    is the mean over the posterior draws, the basis of the budget advice; ``horizon_*`` are totals over the first ``horizon_weeks``
    weeks after switching from the current mix. ``warnings`` are lines about spend the data cannot
    speak for (a channel given money in segments where the data never spent on it). ``roi`` is
    incremental sales per INR of spend, NaN for a plan that spends nothing.
    """

    brand: str
    region: str
    spend: Allocation
    predicted_sales: float
    incremental_sales: float
    roi: float
    channel_contributions: Allocation
    baseline_sales: float
    incremental_lower: float
    incremental_upper: float
    expected_incremental_sales: float
    interval_level: float
    horizon_weeks: int
    horizon_predicted_sales: float
    horizon_incremental_sales: float
    warnings: tuple[str, ...] = ()

    @property
    def total_spend(self) -> float:
        return float(sum(self.spend.values()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``roi`` None for a plan without spend) and the total spend (INR per week)."""
        return {**asdict(self), "roi": finite_or_none(self.roi), "total_spend": self.total_spend}
