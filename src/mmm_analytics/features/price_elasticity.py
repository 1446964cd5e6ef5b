"""Price features: relative price and the price multiplier."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mmm_analytics.errors import InputError

type Prices = npt.NDArray[np.float64]


def relative_price(net_price: Prices, reference_price: Prices | float) -> Prices:
    """Net price divided by its reference (e.g. the SKU's average list price); 1 = at reference."""
    reference = np.asarray(reference_price, dtype=np.float64)
    if np.any(reference <= 0):
        raise InputError(f"reference price must be > 0; got {reference_price}")
    return np.asarray(net_price, dtype=np.float64) / reference


def price_effect(relative: Prices, elasticity: Prices | float) -> Prices:
    """Multiplier on baseline sales value: relative ** -elasticity (elasticity >= 0)."""
    return np.asarray(relative, dtype=np.float64) ** -np.asarray(elasticity, dtype=np.float64)
