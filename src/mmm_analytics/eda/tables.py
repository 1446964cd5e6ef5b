"""Descriptive tables of the panel (per column, per brand, per geo) and its overview numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.prepare import PanelView
from mmm_analytics.style import numbers

#: Statistics of the per-group tables.
GROUP_STATISTICS: tuple[str, ...] = ("mean", "std", "min", "median", "max")


@dataclass(frozen=True, slots=True)
class Overview:
    """Size and span of the panel, for the report header."""

    rows: int
    weeks: int
    geos: list[str]
    brands: list[str]
    skus: int
    channels: list[str]
    first_week: pd.Timestamp
    last_week: pd.Timestamp
    total_sales_inr: float
    total_units: float
    total_spend_inr: float

    def as_table(self, fmt: NumberFormat = NumberFormat.INDIAN) -> pd.DataFrame:
        """Item and value, counts and amounts grouped per ``fmt``."""
        items = {
            "rows": numbers.count(self.rows, fmt),
            "weeks": numbers.count(self.weeks, fmt),
            "date range": f"{self.first_week:%Y-%m-%d} to {self.last_week:%Y-%m-%d}",
            f"geos ({len(self.geos)})": ", ".join(self.geos),
            f"brands ({len(self.brands)})": ", ".join(self.brands),
            "SKUs": numbers.count(self.skus, fmt),
            f"channels ({len(self.channels)})": ", ".join(self.channels),
            "total Sales_Value": f"{numbers.grouped(self.total_sales_inr, fmt)} INR",
            "total Sales_Units": f"{numbers.count(self.total_units, fmt)} units",
            "total media spend": f"{numbers.grouped(self.total_spend_inr, fmt)} INR (exposure x CPM / 1000, or spend column)",
        }
        return pd.DataFrame({"item": list(items), "value": list(items.values())})


def overview(view: PanelView) -> Overview:
    """Counts, dates and totals of the panel."""
    rows = view.rows
    return Overview(
        rows=len(rows),
        weeks=view.n_weeks,
        geos=view.geos,
        brands=view.brands,
        skus=int(rows.groupby([schema.BRAND, schema.SKU]).ngroups),
        channels=list(view.channels),
        first_week=rows[schema.DATE].min(),
        last_week=rows[schema.DATE].max(),
        total_sales_inr=float(rows[schema.SALES_VALUE].sum()),
        total_units=float(rows[schema.SALES_UNITS].sum()),
        total_spend_inr=float(view.spend.to_numpy().sum()),
    )


def _numeric(rows: pd.DataFrame) -> list[str]:
    return [c for c in schema.NUMERIC_COLUMNS if c in rows.columns]


def describe_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per numeric schema column: count, missing, mean, spread, quartiles, skewness, share of zeros, unit."""
    columns = _numeric(rows)
    values = rows[columns]
    table = values.describe(percentiles=[0.25, 0.5, 0.75]).T
    table.insert(1, "missing", values.isna().sum())
    table["skewness"] = values.skew()
    table["zeros_pct"] = 100.0 * (values == 0).mean()
    table["unit"] = [defaults.unit_of(c) for c in columns]
    return table.rename_axis("column").reset_index()


def describe_by(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean, sd, min, median and max of every numeric column within each ``by`` group (long format).

    Returns
    -------
    DataFrame
        Columns ``by``, column, rows, mean, std, min, median, max, unit.
    """
    columns = _numeric(rows)
    stats = rows.groupby(by)[columns].agg(list(GROUP_STATISTICS))
    long = stats.stack(level=0, future_stack=True).rename_axis([by, "column"]).reset_index()
    long.insert(2, "rows", long[by].map(rows.groupby(by).size()))
    long["unit"] = long["column"].map(defaults.unit_of)
    return long
