"""The efficiency frontier's table as its readers see it: its columns, and its scope and today's budget read
back from it.

Pure pandas, so the report, the figures and the summary read it without the simulator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The frontier's columns: the brand and region it covers (``all``: every one), each budget as a multiple
#: of today's and in INR per week, what the best mix and today's mix scaled sell there (INR per week), the
#: uplift, both ROIs and the marginal ROI.
FRONTIER_COLUMNS: tuple[str, ...] = (
    "brand",
    "region",
    "budget_multiple",
    "weekly_budget",
    "optimal_incremental_sales",
    "current_mix_incremental_sales",
    "uplift",
    "optimal_roi",
    "current_mix_roi",
    "marginal_roi",
)


def todays_budget(table: pd.DataFrame) -> float | None:
    """Today's weekly budget (INR) of a frontier's scope: a row's budget over its multiple of today's
    (None when no row has a positive multiple)."""
    if "budget_multiple" not in table or "weekly_budget" not in table:
        return None
    multiple = pd.to_numeric(table["budget_multiple"], errors="coerce").to_numpy(dtype=float)
    budget = pd.to_numeric(table["weekly_budget"], errors="coerce").to_numpy(dtype=float)
    usable = np.isfinite(multiple) & (multiple > 0) & np.isfinite(budget)
    if not usable.any():
        return None
    return float(np.median(budget[usable] / multiple[usable]))


def frontier_scope(table: pd.DataFrame) -> tuple[str, str] | None:
    """The brand and region a frontier covers, from its ``brand`` and ``region`` columns (None for a table
    without them, as written before they were added, or with more than one of either)."""
    if "brand" not in table or "region" not in table:
        return None
    brands, regions = (table[column].dropna().astype(str).unique() for column in ("brand", "region"))
    if len(brands) != 1 or len(regions) != 1:
        return None
    return str(brands[0]), str(regions[0])
