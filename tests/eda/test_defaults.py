"""The columns and thresholds the EDA singles out."""

from __future__ import annotations

from mmm_analytics.data import schema
from mmm_analytics.eda import defaults


def test_named_columns_are_schema_columns() -> None:
    named = [
        defaults.FESTIVAL,
        defaults.RAINFALL,
        defaults.CPI,
        defaults.GDP,
        defaults.TRADE_SPEND,
        defaults.TPR_FLAG,
        *defaults.CREATIVE_PAIRS,
        *defaults.CREATIVE_PAIRS.values(),
        *defaults.DRIVER_COLUMNS,
        *defaults.DISTRIBUTION_COLUMNS,
        *defaults.PROMO_FLAGS,
    ]
    assert set(named) <= set(schema.ALL_COLUMNS)


def test_unit_of_reads_the_schema() -> None:
    assert defaults.unit_of("Sales_Value") == "INR per week"
    assert defaults.unit_of("not_a_column") == ""


def test_stl_needs_two_periods_and_vif_levels_are_ordered() -> None:
    assert defaults.STL_MIN_WEEKS == 2 * defaults.STL_PERIOD == 104
    assert 1.0 < defaults.VIF_WARNING < defaults.VIF_SEVERE
