"""Sensitivity around the current mix and the optimum."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.sensitivity import SENSITIVITY_COLUMNS, sensitivity


def test_around_current_matches_direct_simulation(simulator: MarketingSimulator) -> None:
    table = sensitivity(simulator, "current", "BrandA", "EAST")
    assert tuple(table.columns) == SENSITIVITY_COLUMNS
    assert len(table) == 3 * 6 and sorted(table["change"].unique()) == [-0.5, -0.2, -0.1, 0.1, 0.2, 0.5]
    row = table[(table["channel"] == "TV") & np.isclose(table["change"], 0.2)].iloc[0]
    current = simulator.current_spend("BrandA", "EAST")
    direct = simulator.simulate_scenario({"TV": 1.2 * current["TV"]}, "BrandA", "EAST")
    base = simulator.simulate_scenario({}, "BrandA", "EAST")
    assert row["incremental_sales"] == pytest.approx(direct.incremental_sales, rel=1e-9)
    assert row["delta_incremental_sales"] == pytest.approx(direct.incremental_sales - base.incremental_sales, rel=1e-9)
    assert np.all(np.sign(table["delta_incremental_sales"]) == np.sign(table["change"]))


def test_around_optimum_small_steps_earn_the_common_mroi(simulator: MarketingSimulator) -> None:
    """Sensitivity simulates at the point estimate, so it is checked around the point-estimate optimum."""
    optimum = simulator.optimize_budget(None, None, "BrandA", "EAST", objective="point", data_range=False)
    table = sensitivity(simulator, "optimum", "BrandA", "EAST", steps=(0.001,), optimum=optimum)
    for channel, status in optimum.channel_status.items():
        if status == "free":
            rows = table[table["channel"] == channel]
            np.testing.assert_allclose(rows["delta_roi"], optimum.marginal_roi[channel], rtol=1e-2)
