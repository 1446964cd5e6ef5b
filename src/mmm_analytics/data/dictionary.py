"""The data dictionary (``data_dictionary.json``): every column's role, type, unit, range, gaps."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mmm_analytics.data import schema

#: Distinct values listed for an id column before the list is cut short.
MAX_LISTED_VALUES = 30


def _type_name(column: str) -> str:
    if column == schema.DATE:
        return "date (week start)"
    if column in schema.KEY_COLUMNS:
        return "string"
    return "integer 0/1" if column in schema.FLAG_COLUMNS else "float"


def _range(values: pd.Series, column: str) -> dict[str, Any]:
    if column == schema.DATE:
        return {"first": values.min().date().isoformat(), "last": values.max().date().isoformat()}
    if column in schema.KEY_COLUMNS:
        distinct = sorted(values.astype(str).unique())
        return {"distinct": len(distinct), "values": distinct[:MAX_LISTED_VALUES]}
    return {"min": float(values.min()), "max": float(values.max()), "mean": float(values.mean())}


def column_entry(values: pd.Series, column: str, missing: int, imputed: int) -> dict[str, Any]:
    """One column's entry: role, type, unit, range (min/max/mean, dates or distinct values) and gaps."""
    role, unit = schema.COLUMNS[column]
    return {
        "name": column,
        "role": role.value,
        "type": _type_name(column),
        "unit": unit,
        "range": _range(values, column),
        "missing_in_file": int(missing),
        "imputed": int(imputed),
    }


def build_dictionary(
    frame: pd.DataFrame, missing_in_file: dict[str, int], imputed: dict[str, int], source: str
) -> dict[str, Any]:
    """The data dictionary of a cleaned panel.

    Parameters
    ----------
    frame : DataFrame
        The cleaned panel (28 schema columns, no missing values).
    missing_in_file : dict
        Column -> empty cells in the file as read.
    imputed : dict
        Column -> cells filled by cleaning (includes the rows added for missing weeks).
    source : str
        Where the panel came from (file path, ``synthetic`` or the Kaggle dataset).

    Returns
    -------
    dict, JSON-ready: panel size plus one entry per column in file order.
    """
    keys = list(schema.KEY_COLUMNS)
    return {
        "source": source,
        "rows": len(frame),
        "series": int(frame[keys].drop_duplicates().shape[0]),
        "weeks": int(frame[schema.DATE].nunique()),
        "roles": {role.value: list(schema.columns_with_role(role)) for role in schema.Role},
        "columns": [
            column_entry(frame[column], column, missing_in_file.get(column, 0), imputed.get(column, 0))
            for column in schema.ALL_COLUMNS
        ],
    }
