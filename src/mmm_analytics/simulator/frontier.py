"""Efficiency frontier: the best weekly incremental sales at each budget vs today's mix scaled to it.

Budgets run from 0.25x to 2x the selection's current total weekly spend (22 points by
default, a twelfth apart, so 1x is one of them). Each point is a full optimisation of the configured objective (expected sales over
the posterior draws by default), warm-started from the previous optimum scaled to the new budget;
the optimum itself, not the cautious plan that ``mmm optimize`` recommends.

The frontier asks what each budget could buy on the fitted curves, so by default it does not
hold cells to the range of spend seen in the data (``data_range=True`` does): at budgets far
from today's, that range would force or forbid spend and bend the frontier.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mmm_analytics.simulator.constraints import BudgetConstraints
from mmm_analytics.simulator.defaults import (
    ALL,
    FRONTIER_HIGH,
    FRONTIER_LOW,
    FRONTIER_POINTS,
)
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.frontier_table import FRONTIER_COLUMNS


def efficiency_frontier(
    simulator: MarketingSimulator,
    brand: str = ALL,
    region: str = ALL,
    *,
    low: float = FRONTIER_LOW,
    high: float = FRONTIER_HIGH,
    points: int = FRONTIER_POINTS,
    constraints: BudgetConstraints | None = None,
    starts: int | None = 1,
    data_range: bool = False,
    each: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Optimal vs current-mix weekly incremental sales over a grid of weekly budgets.

    Each budget runs SLSQP from the dual (water-filling) start and from the previous optimum
    scaled to the budget, plus ``starts - 1`` further starts (``None``: the configured number);
    concave or large selections are solved by prices instead (:mod:`mmm_analytics.simulator.prices`),
    from the previous optimum when concave, each in time linear in the cells.
    ``data_range`` keeps every cell within its range of weekly spend in the data. ``each`` is called
    after each budget.

    Returns
    -------
    DataFrame with one row per budget and columns :data:`FRONTIER_COLUMNS`: ``brand`` and ``region``
    name the selection on every row; money in INR per week, ``uplift`` as a share, ``marginal_roi``
    the spend-weighted marginal ROI at the optimum.
    """
    current_total = sum(simulator.current_spend(brand, region).values())
    rows = []
    warm = None
    multiples = np.linspace(low, high, points)
    step = float(multiples[1] - multiples[0]) if points > 1 else 0.0
    for multiple in multiples:
        budget = float(multiple * current_total)
        result = simulator.optimize_budget(
            budget, constraints, brand, region, warm_start=warm, starts=starts, data_range=data_range, cautious=False
        )
        spend = result.cells["spend"].to_numpy().reshape(-1, len(simulator.channels))
        warm = spend * (multiple + step) / multiple if multiple > 0 else None
        grad = result.cells["marginal_roi"].to_numpy().reshape(spend.shape)
        mroi = float(np.nansum(spend * grad) / max(spend.sum(), 1e-12))  # no marginal ROI where no data
        rows.append(
            {
                "brand": brand,
                "region": region,
                "budget_multiple": float(multiple),
                "weekly_budget": budget,
                "optimal_incremental_sales": result.expected_incremental_sales,
                "current_mix_incremental_sales": result.current_incremental_sales,
                "uplift": result.uplift,
                "optimal_roi": result.expected_incremental_sales / budget if budget > 0 else 0.0,
                "current_mix_roi": result.current_incremental_sales / budget if budget > 0 else 0.0,
                "marginal_roi": mroi,
            }
        )
        if each is not None:
            each()
    return pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))
