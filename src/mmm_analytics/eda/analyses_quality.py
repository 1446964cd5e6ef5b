"""Data quality: missing values left in the panel, outliers the cleaning step flagged, and its report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.prepare import PanelView

#: Column of the outlier list naming the column an outlier was found in (matched case-insensitively).
OUTLIER_COLUMN_FIELDS: tuple[str, ...] = ("column", "variable", "field")


@dataclass(frozen=True, slots=True)
class DataQuality:
    """What is known about the panel's quality.

    Attributes
    ----------
    missing : Series
        Missing values per schema column in the panel the EDA read.
    imputed : Series
        Cells the cleaning step imputed per column (from its report; empty without one).
    outliers_by_geo : Series
        Rows flagged as outliers per geo (from ``outlier_flag`` or the outlier list; empty if neither).
    outliers_by_column : Series
        Outliers per column from the cleaning step's list (empty if it does not name columns).
    facts : DataFrame
        Numeric entries of the cleaning report as (item, value) rows (empty without a report).
    n_rows : int
        Rows in the panel.
    """

    missing: pd.Series
    imputed: pd.Series
    outliers_by_geo: pd.Series
    outliers_by_column: pd.Series
    facts: pd.DataFrame
    n_rows: int
    notes: tuple[str, ...] = ()

    @property
    def n_outliers(self) -> int:
        return int(self.outliers_by_geo.sum())

    def tables(self) -> dict[str, pd.DataFrame]:
        frame = pd.DataFrame({"missing_values": self.missing})
        frame["imputed_by_cleaning"] = self.imputed.reindex(frame.index).fillna(0).astype(int)
        frame["outliers_flagged"] = self.outliers_by_column.reindex(frame.index).fillna(0).astype(int)
        tables = {"data_quality": frame.rename_axis("column").reset_index()}
        if not self.facts.empty:
            tables["cleaning_report_summary"] = self.facts
        return tables


def flatten(report: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Yield ``(dotted.key, number)`` for every numeric leaf of a parsed JSON document (booleans skipped)."""
    match report:
        case dict():
            for key, value in report.items():
                yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
        case list():
            for position, value in enumerate(report):
                yield from flatten(value, f"{prefix}[{position}]")
        case bool():
            return
        case int() | float():
            yield prefix, float(report)
        case _:
            return


def per_column(facts: pd.DataFrame, word: str) -> pd.Series:
    """Report entries ``...<word>...<Column>`` whose last key is a schema column, summed per column."""
    leaf = facts["item"].str.rsplit(".", n=1).str[-1]
    chosen = facts[leaf.isin(schema.ALL_COLUMNS) & facts["item"].str.contains(word, case=False, regex=False)]
    return chosen.groupby(leaf[chosen.index])["value"].sum().astype("int64")


def _outlier_counts(view: PanelView, notes: list[str]) -> tuple[pd.Series, pd.Series]:
    listed = view.quality.outliers
    by_column = pd.Series(dtype="int64")
    if listed is not None:
        field = next((c for c in listed.columns if c.lower() in OUTLIER_COLUMN_FIELDS), None)
        if field is not None:
            by_column = listed[field].astype(str).value_counts().sort_index()
    if defaults.OUTLIER_FLAG in view.rows:
        flagged = view.rows[view.rows[defaults.OUTLIER_FLAG].astype(bool)]
        return flagged.groupby(schema.GEO).size().reindex(view.geos, fill_value=0), by_column
    if listed is not None and schema.GEO in listed.columns:
        return listed.groupby(schema.GEO).size().reindex(view.geos, fill_value=0), by_column
    notes.append("no outlier_flag column and no outlier list: outliers were not shown")
    return pd.Series(0, index=view.geos, dtype="int64"), by_column


def data_quality(view: PanelView) -> DataQuality:
    """Missing values per column, flagged outliers per geo and column, and the cleaning report's counts."""
    notes: list[str] = []
    missing = view.rows[list(schema.ALL_COLUMNS)].isna().sum()
    by_geo, by_column = _outlier_counts(view, notes)
    report = view.quality.report
    if report is None:
        notes.append("no cleaning report found: imputation and outlier handling counts are not shown")
    facts = pd.DataFrame(list(flatten(report or {})), columns=["item", "value"]).astype({"value": "float64"})
    if by_column.empty:
        by_column = per_column(facts, "flag")
    return DataQuality(missing, per_column(facts, "imput"), by_geo, by_column, facts, len(view.rows), tuple(notes))
