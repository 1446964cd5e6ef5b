"""Price features: relative price and the price multiplier.

Tolerance: closed forms ``rtol=1e-9``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mmm_analytics.features import price_elasticity as price

RTOL = 1e-9
SETTINGS = settings(max_examples=50, deadline=None)


def test_relative_price_is_net_over_reference() -> None:
    net = np.array([[90.0, 100.0], [45.0, 60.0]])
    np.testing.assert_allclose(price.relative_price(net, np.array([100.0, 50.0])), [[0.9, 2.0], [0.45, 1.2]], rtol=RTOL)
    np.testing.assert_allclose(price.relative_price(net, 100.0), net / 100.0, rtol=RTOL)


@pytest.mark.parametrize("reference", [0.0, -5.0, np.array([10.0, 0.0])], ids=["zero", "negative", "one_zero"])
def test_relative_price_needs_a_positive_reference(reference) -> None:
    with pytest.raises(ValueError, match="reference price must be > 0"):
        price.relative_price(np.array([1.0, 2.0]), reference)


@SETTINGS
@given(
    relative=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0.2, 5.0)), elasticity=st.floats(0.0, 4.0)
)
def test_price_effect_is_a_power_law(relative, elasticity) -> None:
    effect = price.price_effect(relative, elasticity)
    np.testing.assert_allclose(effect, np.exp(-elasticity * np.log(relative)), rtol=RTOL)
    order = np.argsort(relative)
    assert np.all(np.diff(effect[order]) <= 1e-12)


@pytest.mark.parametrize(
    "relative, elasticity, expected",
    [(1.0, 2.5, 1.0), (0.8, 0.0, 1.0), (0.5, 1.0, 2.0), (2.0, 2.0, 0.25)],
    ids=["at_reference", "zero_elasticity", "unit_elasticity", "elastic"],
)
def test_price_effect_edge_cases(relative, elasticity, expected) -> None:
    np.testing.assert_allclose(price.price_effect(np.array([relative]), elasticity), [expected], rtol=RTOL)
