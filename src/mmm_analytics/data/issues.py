"""Problems found while checking a panel: what rule, which column, how many rows, an example.

Fatal issues stop the run with one line naming the file and column; fixable ones are
fixed by the data step and listed in the cleaning report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from mmm_analytics.errors import InputError

logger = logging.getLogger("mmm_analytics.data")


class Rule(StrEnum):
    """Every check of the data step; the value is the name used in reports."""

    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    RENAMED_COLUMN = "renamed_column"
    EXTRA_COLUMN = "extra_column"
    COLUMN_ORDER = "column_order"
    EMPTY_ID = "empty_id"
    RESERVED_ID = "reserved_id"
    SERIES_GAPS = "series_gaps"
    STRIPPED_TEXT = "stripped_text"
    COMPOSED_TEXT = "composed_text"
    REPEATED_HEADER = "repeated_header"
    BAD_DATE = "bad_date"
    NON_NUMERIC = "non_numeric"
    EMPTY_COLUMN = "empty_column"
    MISSING_VALUES = "missing_values"
    DUPLICATE_ROW = "duplicate_row"
    IRREGULAR_DATES = "irregular_dates"
    MISSING_WEEKS = "missing_weeks"
    NEGATIVE_VALUE = "negative_value"
    BAD_FLAG = "bad_flag"
    OUT_OF_RANGE = "out_of_range"
    ZERO_SALES = "zero_sales"
    CONSTANT_SALES = "constant_sales"
    ZERO_PRICE = "zero_price"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: the rule it breaks, the column, how many rows/cells, an example.

    ``message`` is one line that names the file and the column and says what to do.
    """

    rule: Rule
    column: str
    count: int
    example: str
    fatal: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "column": self.column,
            "count": self.count,
            "example": self.example,
            "fatal": self.fatal,
            "message": self.message,
        }


def _where(source: str, column: str) -> str:
    label = f"columns {column}" if ", " in column else f"column '{column}'"
    return f"{source}: {label}"


def fatal(rule: Rule, source: str, column: str, count: int, example: str, detail: str) -> Issue:
    """A problem the user must fix in the file; ``detail`` says what is wrong and what to do.

    ``column`` may list several columns separated by ", " (e.g. the row key).
    """
    return Issue(rule, column, count, example, True, f"{_where(source, column)}: {detail}")


def fixed(rule: Rule, source: str, column: str, count: int, example: str, detail: str) -> Issue:
    """A problem the data step fixed itself; ``detail`` says what it did. Logged at INFO."""
    issue = Issue(rule, column, count, example, False, f"{_where(source, column)}: {detail}")
    logger.info(issue.message)
    return issue


def renamed_columns(issues: Iterable[Issue]) -> dict[str, str]:
    """Each schema column read from a column of another name -> that name (``Date`` -> ``Week``)."""
    return {issue.column: issue.example for issue in issues if issue.rule is Rule.RENAMED_COLUMN}


def as_written(issues: Iterable[Issue], source: str, written: Mapping[str, str]) -> list[Issue]:
    """``issues`` whose fatal messages name each renamed column as the file writes it (``written``:
    :func:`renamed_columns`), so the user finds the column the message is about."""
    named = []
    for issue in issues:
        label = ", ".join(written.get(column, column) for column in issue.column.split(", "))
        prefix = _where(source, issue.column)
        if issue.fatal and label != issue.column and issue.message.startswith(prefix):
            issue = replace(issue, message=_where(source, label) + issue.message[len(prefix) :])
        named.append(issue)
    return named


def raise_if_fatal(issues: Iterable[Issue]) -> None:
    """Raise :class:`InputError` with the first fatal issue's line (and how many more there are)."""
    stops = [issue for issue in issues if issue.fatal]
    if not stops:
        return
    message = stops[0].message
    if len(stops) > 1:
        others = ", ".join(sorted({issue.column for issue in stops[1:]}))
        message += f" (and {len(stops) - 1} more problem{'' if len(stops) == 2 else 's'} in: {others})"
    raise InputError(message)


def line_of(index: int) -> int:
    """File line number of data row ``index`` (0-based, after the header line)."""
    return int(index) + 2
