"""Sensitivity: how weekly incremental sales move when one channel's spend moves by +-10/20/50 %.

Run around today's mix and around the optimal mix (at today's total budget). Only the named
channel changes, so the total weekly spend changes with it; ``delta_roi`` is the extra sales per
extra INR (the average marginal ROI over the step).
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

import numpy as np
import pandas as pd

from mmm_analytics.simulator.defaults import ALL, SENSITIVITY_STEPS
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.simulator.surface import SpendMatrix

SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "base",
    "channel",
    "change",
    "channel_spend",
    "total_spend",
    "incremental_sales",
    "delta_incremental_sales",
    "delta_pct",
    "delta_roi",
)


class SensitivityBase(StrEnum):
    CURRENT = "current"
    OPTIMUM = "optimum"


def _base_matrix(
    simulator: MarketingSimulator,
    base: SensitivityBase,
    brand: str,
    region: str,
    optimum: OptimizationResult | None,
) -> SpendMatrix:
    match base:
        case SensitivityBase.CURRENT:
            return simulator.current_matrix[simulator.rows(brand, region)]
        case SensitivityBase.OPTIMUM:
            result = optimum or simulator.optimize_budget(None, None, brand, region)
            return result.cells["spend"].to_numpy().reshape(-1, len(simulator.channels))
        case _:
            assert_never(base)


def sensitivity(
    simulator: MarketingSimulator,
    base: SensitivityBase | str = SensitivityBase.CURRENT,
    brand: str = ALL,
    region: str = ALL,
    *,
    steps: tuple[float, ...] = SENSITIVITY_STEPS,
    optimum: OptimizationResult | None = None,
) -> pd.DataFrame:
    """One row per channel and change (-50 % ... +50 %) around ``base`` ("current" or "optimum").

    Parameters
    ----------
    optimum : OptimizationResult, optional
        A finished optimisation of the same selection to reuse as the "optimum" base.

    Returns
    -------
    DataFrame with columns :data:`SENSITIVITY_COLUMNS`; money in INR per week, ``change`` and
    ``delta_pct`` as shares.
    """
    chosen = SensitivityBase(base)
    matrix = _base_matrix(simulator, chosen, brand, region, optimum)
    cells = simulator.cell_set(brand, region)
    reference = float(cells.response(matrix).sum())
    changes = sorted({-s for s in steps} | set(steps))
    rows = []
    for c, channel in enumerate(simulator.channels):
        factors = np.ones((len(changes), 1, len(simulator.channels)))
        factors[:, 0, c] = 1.0 + np.asarray(changes)
        trial = matrix[None] * factors  # (changes, K, C)
        values = cells.response(trial).sum(axis=(1, 2))
        for change, spend, value in zip(changes, trial, values):
            extra_spend = float(spend.sum() - matrix.sum())
            delta = float(value - reference)
            rows.append(
                {
                    "base": chosen.value,
                    "channel": channel,
                    "change": change,
                    "channel_spend": float(spend[:, c].sum()),
                    "total_spend": float(spend.sum()),
                    "incremental_sales": float(value),
                    "delta_incremental_sales": delta,
                    "delta_pct": delta / reference if reference else 0.0,
                    "delta_roi": delta / extra_spend if extra_spend else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
