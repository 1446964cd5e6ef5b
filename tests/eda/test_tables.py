"""Descriptive tables and the overview."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.eda.tables import describe_by, describe_columns, overview


def test_describe_columns_has_every_numeric_column_with_units(eda_panel: pd.DataFrame) -> None:
    table = describe_columns(eda_panel).set_index("column")
    assert list(table.index) == list(schema.NUMERIC_COLUMNS)
    np.testing.assert_allclose(table.loc["Sales_Value", "mean"], eda_panel["Sales_Value"].mean(), rtol=1e-12)
    assert table.loc["Sales_Value", "unit"] == "INR per week"
    assert table.loc["TPR_Flag", "zeros_pct"] == 100.0 * (eda_panel["TPR_Flag"] == 0).mean()


def test_describe_by_brand_is_long_with_group_statistics(eda_panel: pd.DataFrame) -> None:
    table = describe_by(eda_panel, "Brand")
    assert len(table) == 2 * len(schema.NUMERIC_COLUMNS)
    row = table[(table["Brand"] == "BrandB") & (table["column"] == "Net_Price")].iloc[0]
    prices = eda_panel.loc[eda_panel["Brand"] == "BrandB", "Net_Price"]
    np.testing.assert_allclose(
        [row["mean"], row["median"], row["max"]], [prices.mean(), prices.median(), prices.max()], rtol=1e-12
    )
    assert row["rows"] == len(prices)


def test_overview_counts_and_totals(view, eda_panel: pd.DataFrame) -> None:
    result = overview(view)
    assert (result.rows, result.weeks, result.skus) == (832, 104, 4)
    assert result.geos == ["CENTRAL", "EAST"]
    np.testing.assert_allclose(result.total_sales_inr, eda_panel["Sales_Value"].sum(), rtol=1e-12)
    items = result.as_table().set_index("item")["value"]
    assert items["weeks"] == "104"
    big = replace(result, rows=1_234_567, total_sales_inr=123_456_789.4, total_units=100_000.0)
    indian, western = (
        big.as_table().set_index("item")["value"],
        big.as_table(NumberFormat.WESTERN).set_index("item")["value"],
    )
    assert (indian["rows"], indian["total Sales_Value"], indian["total Sales_Units"]) == (
        "12,34,567",
        "12,34,56,789 INR",
        "1,00,000 units",
    )
    assert (western["rows"], western["total Sales_Value"], western["total Sales_Units"]) == (
        "1,234,567",
        "123,456,789 INR",
        "100,000 units",
    )
    assert items["date range"].startswith(f"{eda_panel['Date'].min():%Y-%m-%d}")
