"""Efficiency frontier: 22 budgets from 0.25x to 2x in steps of a twelfth, optimal never below the scaled current mix."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.defaults import FRONTIER_POINTS
from mmm_analytics.simulator.frontier import FRONTIER_COLUMNS, efficiency_frontier


@pytest.mark.parametrize(("brand", "region"), [("BrandA", "EAST"), ("all", "all")], ids=["segment", "national"])
def test_frontier(simulator: MarketingSimulator, brand: str, region: str) -> None:
    frontier = efficiency_frontier(simulator, brand, region)
    current = sum(simulator.current_spend(brand, region).values())
    assert tuple(frontier.columns) == FRONTIER_COLUMNS and len(frontier) == FRONTIER_POINTS
    # Before, the 20 budgets stepped past today's: no row of the table read the budget the advice is for.
    assert np.isclose(frontier["budget_multiple"], 1.0, rtol=0, atol=1e-12).sum() == 1
    assert np.isclose(frontier["budget_multiple"], 0.5, rtol=0, atol=1e-12).sum() == 1
    # Before, the table did not say what it covered: the summary showed a segment's frontier as national.
    assert set(frontier["brand"]) == {brand} and set(frontier["region"]) == {region}
    np.testing.assert_allclose(frontier["weekly_budget"].iloc[[0, -1]], [0.25 * current, 2.0 * current], rtol=1e-12)
    assert np.all(frontier["optimal_incremental_sales"] >= frontier["current_mix_incremental_sales"] * (1 - 1e-9))
    assert np.all(np.diff(frontier["optimal_incremental_sales"]) > 0)
    # Diminishing returns: the marginal ROI at the optimum falls as the budget grows (past the S-bend).
    assert frontier["marginal_roi"].iloc[-1] < frontier["marginal_roi"].iloc[len(frontier) // 2]
