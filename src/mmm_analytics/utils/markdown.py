"""Render a DataFrame as a GitHub-flavoured Markdown table (no extra dependency)."""

from __future__ import annotations

import numbers

import pandas as pd


def _cell(value: object, digits: int) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        if pd.isna(value):
            return ""
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return str(value)


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """Header, separator and one row per record; numbers right-aligned."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    align = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(frame[c]) else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_cell(v, digits) for v in record) + " |" for record in frame.itertuples(index=False)]
    return "\n".join([header, align, *rows])
