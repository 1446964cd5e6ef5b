"""Check a panel read as text against the schema and turn it into a typed frame.

The columns checked are the schema's plus, when a channel table is given, its columns
outside the schema (a ``spend_column`` such as ``TV_Spend`` in INR per week, or an
exposure column the published file lacks): these are numeric media columns, checked and
kept like the schema's exposure columns.

Fatal (the run stops with one line naming the file and column): a missing column
(for a channel column, also the ``data_config.yaml`` key that names it),
a non-numeric or non-finite number, a date that is neither M/D/YYYY nor ISO, an empty
Geo/Brand/SKU or one named ``all`` (it selects every one), a duplicate (Date, Geo, Brand,
SKU) row, dates off a 7-day grid, a
negative value where none is possible, a promotion flag outside {0, 1}, a value above
its plausible bound (``validation`` block of ``data_config.yaml``, see
:class:`~mmm_analytics.config.data.ValidationSettings`; an exposure is also checked for
the spend it implies at its channel's CPM), a series whose Sales_Value is zero in every
week, or a series missing more than :data:`MAX_MISSING_WEEK_SHARE` of the weeks, or of the
values of its sales, a price or a medium (imputing those would copy other series).

Fixed and reported: renamed/extra/reordered columns, spaces around names, empty
numeric cells and missing weeks (rows added; the cleaning step imputes their values).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.config import data as config_data
from mmm_analytics.config.data import ValidationSettings
from mmm_analytics.data import schema
from mmm_analytics.data.columns import channel_columns, normalise_columns
from mmm_analytics.data.issues import Issue, Rule, as_written, fatal, fixed, line_of, raise_if_fatal, renamed_columns
from mmm_analytics.errors import InputError
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.names import case_twins, composed
from mmm_analytics.utils.words import numbered

#: Cell texts read as "no value" in numeric columns (compared lower-case, after stripping).
NA_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})
#: A series may miss at most this share of the weekly grid; the rest is imputed.
MAX_MISSING_WEEK_SHARE = 0.25
DATE_HELP = "use M/D/YYYY (e.g. 7/4/2022) or YYYY-MM-DD"
_KEY = list(schema.KEY_COLUMNS)
_ID = list(schema.ID_COLUMNS)


@dataclass(frozen=True, slots=True)
class ValidatedPanel:
    """A panel that passed every fatal check.

    ``frame`` has the 28 schema columns then ``channel_columns``: ``Date`` datetime64[ns],
    Geo/Brand/SKU str, the rest float64 with NaN where the file had no value or a week was
    missing; rows sorted by (Geo, Brand, SKU, Date) on a complete weekly grid. ``issues``
    are the fixes made. ``missing_in_file`` counts empty cells per column as read (before
    rows were added). ``channel_columns`` are the channel table's columns outside the
    schema (e.g. ``TV_Spend``), in the table's order.
    """

    frame: pd.DataFrame
    issues: tuple[Issue, ...]
    rows_in_file: int
    rows_inserted: int
    missing_in_file: dict[str, int]
    channel_columns: tuple[str, ...] = ()

    @property
    def n_series(self) -> int:
        return int(self.frame[_KEY].drop_duplicates().shape[0])

    @property
    def n_weeks(self) -> int:
        return int(self.frame[schema.DATE].nunique())


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


#: Stripped from a repeated header's cells: spaces, and the byte-order mark a second joined file brings.
_SPACE_AND_BOM = " \t\r\n\ufeff"
#: A cell that makes a row a totals row: "Total", "Totals", "Grand total", "TOTAL:".
_TOTALS = r"(?i)^\s*(grand\s+)?totals?\s*:?\s*$"


def _repeated_header(raw: pd.DataFrame, source: str) -> list[Issue]:
    """A data row that repeats the header (its first cell and half its cells or more are the column
    names): two files joined, each with its header. Every cell of it would be reported as a bad value otherwise."""
    names = np.array([str(name).strip(_SPACE_AND_BOM) for name in raw.columns], dtype=object)
    first = raw.iloc[:, 0].astype(str).str.strip(_SPACE_AND_BOM) == names[0]  # cheap: the first column alone
    if not first.any():
        return []
    cells = raw[first.to_numpy()].astype(str).apply(lambda column: column.str.strip(_SPACE_AND_BOM)).to_numpy()
    repeats = pd.Series(False, index=raw.index)
    repeats[first.to_numpy()] = (cells == names[None, :]).mean(axis=1) >= 0.5
    if not repeats.any():
        return []
    line = line_of(_first(repeats))
    count = int(repeats.sum())
    return [
        fatal(
            Rule.REPEATED_HEADER,
            source,
            ", ".join(raw.columns[:1]),
            count,
            f"line {line}",
            f"line {line} repeats the header ({counted(count, 'such line')}; two files joined?); "
            f"remove {numbered(count, 'it', 'those lines')}",
        )
    ]


def _parse_ids(frame: pd.DataFrame, source: str) -> tuple[dict[str, pd.Series], list[Issue]]:
    values, issues = {}, []
    for column in schema.KEY_COLUMNS:
        text = frame[column].astype(str)
        stripped = text.str.strip()
        spelled = stripped.map(composed)
        for rule, before, after, detail in (
            (Rule.STRIPPED_TEXT, text, stripped, "spaces around values were removed"),
            (
                Rule.COMPOSED_TEXT,
                stripped,
                spelled,
                "accented letters written as a letter plus a combining mark were joined (Unicode NFC), "
                "so a name is one name however it was typed",
            ),
        ):
            changed = after != before
            if changed.any():
                issues.append(fixed(rule, source, column, int(changed.sum()), before.iloc[_first(changed)], detail))
        empty, reserved = stripped == "", stripped.str.lower() == schema.ALL_SELECTION
        for rule, bad, detail in (
            (Rule.EMPTY_ID, empty, "empty {value} (first on line {line}); every row needs a value"),
            (
                Rule.RESERVED_ID,
                reserved,
                f"{{value}} '{{name}}' (first on line {{line}}): the name is reserved, it selects every "
                f"{column.lower()}; rename it, e.g. '{column}_all'",
            ),
        ):
            if bad.any():
                line = line_of(_first(bad))
                name = stripped[bad].iloc[0]
                count = int(bad.sum())
                row = frame.iloc[_first(bad)].astype(str)
                totals = "; that line looks like a totals row: remove it" if row.str.match(_TOTALS).any() else ""
                issues.append(
                    fatal(
                        rule,
                        source,
                        column,
                        count,
                        f"line {line}",
                        f"{count} " + detail.format(line=line, name=name, value=numbered(count, "value")) + totals,
                    )
                )
        values[column] = spelled
    return values, issues


def case_twin_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """One line per Geo/Brand/SKU column whose names include two that differ only in case: they stay
    two names, which a command given one of them in another case cannot tell apart."""
    notes = []
    for column in schema.KEY_COLUMNS:
        twins = case_twins(frame[column].astype(str).unique())
        if twins:
            shown = " and ".join(repr(name) for name in twins[0])
            more = f" ({counted(len(twins) - 1, 'more such group')})" if len(twins) > 1 else ""
            notes.append(
                f"column '{column}': {shown} differ only in case{more}; they are kept apart, so type each exactly "
                "as written where a command asks for one (or make them one name in the file)"
            )
    return tuple(notes)


#: Columns the schema gives as a share from 0 to 1.
SHARE_COLUMNS: tuple[str, ...] = ("Weighted_Distribution", "Numeric_Distribution")


def plausibility_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """One line per implausible but usable pattern of the typed panel ``frame`` (one row per series and
    week): a distribution share above 1 (given in percent?) and a net price above the list price (MRP
    and Net_Price swapped?). Each names the column, how many rows, and one series and week."""
    notes = []
    for column in SHARE_COLUMNS:
        above = (frame[column] > 1.0).to_numpy()
        if above.any():
            k = int(np.flatnonzero(above)[0])
            notes.append(
                f"column '{column}': {counted(int(above.sum()), 'value')} above 1 (e.g. {frame[column].iloc[k]:g} in "
                f"{_series_week(frame, k)}) where the schema has a share from 0 to 1: given in percent? divide "
                "the column by 100"
            )
    dearer = (frame[schema.NET_PRICE] > frame[schema.MRP] * (1 + 1e-9)).to_numpy()
    if dearer.any():
        k = int(np.flatnonzero(dearer)[0])
        notes.append(
            f"column '{schema.NET_PRICE}': {counted(int(dearer.sum()), 'row')} above '{schema.MRP}' (e.g. "
            f"{frame[schema.NET_PRICE].iloc[k]:g} against {frame[schema.MRP].iloc[k]:g} in {_series_week(frame, k)}): "
            "a price after discount above the list price; check that the two columns are not swapped"
        )
    return tuple(notes)


FIRST_DATE, LAST_DATE = pd.Timestamp(config_data.FIRST_DATE), pd.Timestamp(config_data.LAST_DATE)


#: Day-first ways of writing a date a refused column may be in (strptime format, as the message writes it).
DAY_FIRST_FORMS = (("%d/%m/%Y", "D/M/YYYY"), ("%d-%m-%Y", "D-M-YYYY (day first)"), ("%d.%m.%Y", "D.M.YYYY"))


#: A UTC offset after an ISO date's time of day: ``Z``, ``+02:00``, ``-0530`` or ``+05``.
UTC_OFFSET = r"(?<=\d\d:\d\d)(?::\d\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"


def parse_dates(text: pd.Series, source: str) -> tuple[pd.Series, list[Issue]]:
    """Parse week-start dates written M/D/YYYY or ISO (YYYY-MM-DD); returns datetime64[ns]."""
    stripped = text.astype(str).str.strip()
    dates = pd.to_datetime(stripped, format="%m/%d/%Y", errors="coerce")
    rest = dates.isna()
    if rest.any():
        # A week starts on the day it was written with: a UTC offset is dropped, not applied (rows
        # whose offsets differ, summer and winter time, would not parse together otherwise).
        local = stripped[rest].str.replace(UTC_OFFSET, "", regex=True)
        dates = dates.where(~rest, pd.to_datetime(local, format="ISO8601", errors="coerce"))
    # Weeks outside 1900-2200 are typing errors (and beyond what nanosecond timestamps hold).
    dates = dates.where((dates >= FIRST_DATE) & (dates <= LAST_DATE))
    dates = dates.dt.normalize().astype("datetime64[ns]")
    bad = dates.isna()
    if not bad.any():
        return dates, []
    k = _first(bad)
    example = stripped.iloc[k]
    written = next(
        (
            shown
            for form, shown in DAY_FIRST_FORMS
            if pd.to_datetime(stripped[bad], format=form, errors="coerce").notna().mean() > 0.5
        ),
        None,
    )
    help_ = f"written {written}? {DATE_HELP}" if written else DATE_HELP
    n_bad = int(bad.sum())
    detail = (
        f"{counted(n_bad, 'value')} {numbered(n_bad, 'is not a date', 'are not dates')} between "
        f"{FIRST_DATE.year} and {LAST_DATE.year} "
        f"(line {line_of(k)}: {example!r}); {help_}"
    )
    return dates, [fatal(Rule.BAD_DATE, source, schema.DATE, n_bad, example, detail)]


def _parse_number_column(text: pd.Series, column: str, source: str) -> tuple[pd.Series, list[Issue], int]:
    try:  # fast path: every cell a finite number
        numbers = text.astype("float64")
        if np.isfinite(numbers.to_numpy()).all():
            return numbers, [], 0
    except ValueError:
        pass
    stripped = text.astype(str).str.strip()
    empty = stripped.str.lower().isin(NA_TOKENS)
    numbers = pd.Series(pd.to_numeric(stripped.mask(empty), errors="coerce"), index=text.index).astype("float64")
    bad = ~empty & ~np.isfinite(numbers)
    issues: list[Issue] = []
    if bad.any():
        k, n_bad = _first(bad), int(bad.sum())
        example = stripped.iloc[k]
        issues.append(
            fatal(
                Rule.NON_NUMERIC,
                source,
                column,
                n_bad,
                example,
                f"{counted(n_bad, 'value')} {numbered(n_bad, 'is not a number', 'are not numbers')} "
                f"(line {line_of(k)}: {example!r}); "
                "write plain numbers such as 1250000.5 or leave the cell empty",
            )
        )
    elif empty.all():
        issues.append(fatal(Rule.EMPTY_COLUMN, source, column, len(text), "", "has no values; fill it in"))
    elif empty.any():
        k = _first(empty)
        marks = empty & (stripped != "")  # 'NA', '#N/A', ...: a no-value mark, not an empty cell
        where = f"first on line {line_of(k)}"
        if marks.any():
            mark = _first(marks)
            shown = repr(stripped.iloc[mark])
            where += f": {shown}" if mark == k else f"; written as {shown} on line {line_of(mark)}"
        kind = "missing value" if marks.any() else "empty value"
        issues.append(
            fixed(
                Rule.MISSING_VALUES,
                source,
                column,
                int(empty.sum()),
                f"line {line_of(k)}",
                f"{counted(int(empty.sum()), kind)} ({where}) will be imputed",
            )
        )
    return numbers.where(~bad), issues, int(empty.sum())


def _parse_numbers(
    frame: pd.DataFrame, source: str, columns: Sequence[str]
) -> tuple[dict[str, pd.Series], list[Issue], dict[str, int]]:
    values, issues, missing = {}, [], {}
    for column in columns:
        values[column], found, missing[column] = _parse_number_column(frame[column], column, source)
        issues += found
    return values, issues, missing


def _check_duplicates(typed: pd.DataFrame, source: str) -> list[Issue]:
    repeated = typed.duplicated(_ID, keep="first")
    if not repeated.any():
        return []
    k = _first(repeated)
    key = typed.iloc[k][_ID]
    same = (typed[_ID] == key).all(axis=1).to_numpy()
    lines = " and ".join(str(line_of(i)) for i in np.flatnonzero(same)[:2])
    example = ", ".join([key[schema.DATE].date().isoformat(), *(str(key[c]) for c in _KEY)])
    count = int(repeated.sum())
    detail = f"{counted(count, 'duplicate row')}: lines {lines} are both ({example}); keep one row per week and series"
    return [fatal(Rule.DUPLICATE_ROW, source, ", ".join(_ID), count, example, detail)]


def _on_line(k: int) -> str:
    """Where data row ``k`` (positional) of a CSV is, for a message: ``line 12``."""
    return f"line {line_of(k)}"


def _check_negative(
    typed: pd.DataFrame, source: str, extra_columns: Sequence[str] = (), where: Callable[[int], str] = _on_line
) -> list[Issue]:
    """Negative values in the schema's non-negative columns and in ``extra_columns`` (channel columns);
    ``where(k)`` names row ``k`` in the message (a file line, or a series and week)."""
    issues = []
    for column in (*schema.NON_NEGATIVE_COLUMNS, *extra_columns):
        negative = typed[column] < 0
        if negative.any():
            k = _first(negative)
            value = typed[column].iloc[k]
            kinds = (
                "media spend and exposures" if column in extra_columns else "sales, exposures, prices and distribution"
            )
            issues.append(
                fatal(
                    Rule.NEGATIVE_VALUE,
                    source,
                    column,
                    int(negative.sum()),
                    str(value),
                    f"{counted(int(negative.sum()), 'negative value')} ({where(k)}: {value:g}); {kinds} must be >= 0",
                )
            )
    return issues


@dataclass(frozen=True, slots=True)
class _Bound:
    """The largest plausible size of a column's values: ``limit`` (``key`` of the ``validation`` block)."""

    limit: float
    key: str
    unit: str


def _bounds(columns: Sequence[str], channels: Channels | None, limits: ValidationSettings) -> dict[str, _Bound]:
    """Column -> its bound, for every numeric column of the panel (flags are checked on their own)."""
    exposure = _Bound(limits.max_weekly_exposure, "max_weekly_exposure", "exposures per week")
    spend = _Bound(limits.max_weekly_spend_inr, "max_weekly_spend_inr", "INR per week")
    bounds = {column: _Bound(limits.max_abs_value, "max_abs_value", "in size") for column in columns}
    bounds |= {
        schema.SALES_VALUE: _Bound(limits.max_weekly_sales, "max_weekly_sales", "INR per week"),
        schema.SALES_UNITS: _Bound(limits.max_weekly_sales, "max_weekly_sales", "units per week"),
        "Trade_Spend": spend,
    }
    bounds |= dict.fromkeys(schema.columns_with_role(schema.Role.MEDIA), exposure)
    if channels is not None:
        bounds |= dict.fromkeys(channels.columns, exposure)
        bounds |= {column: spend for column in channels.spend_column if column is not None}
    return {
        column: bound for column, bound in bounds.items() if column in columns and column not in schema.FLAG_COLUMNS
    }


def _raise_hint(key: str) -> str:
    return f"correct the value, or raise data_config.yaml key 'validation.{key}' if it is real"


def _check_ranges(
    typed: pd.DataFrame,
    source: str,
    channels: Channels | None,
    limits: ValidationSettings,
    where: Callable[[int], str] = _on_line,
) -> list[Issue]:
    """Values above their plausible bound, and exposures implying more than the largest weekly spend;
    ``where(k)`` names row ``k`` in the message."""
    issues = []
    numeric = [c for c in typed.columns if c in schema.NUMERIC_COLUMNS or c not in schema.COLUMNS]
    for column, bound in _bounds(numeric, channels, limits).items():
        over = typed[column].abs() > bound.limit
        if over.any():
            k = _first(over)
            value = float(typed[column].iloc[k])
            issues.append(
                fatal(
                    Rule.OUT_OF_RANGE,
                    source,
                    column,
                    int(over.sum()),
                    repr(value),
                    f"{counted(int(over.sum()), 'value')} above {bound.limit:.3g} {bound.unit} "
                    f"({where(k)}: {value:.6g}); {_raise_hint(bound.key)}",
                )
            )
    if channels is None:
        return issues
    for name, column, cpm, spend_column in zip(
        channels.names, channels.columns, channels.cpm, channels.spend_column, strict=True
    ):
        if spend_column is not None or column not in typed.columns:
            continue
        exposure = typed[column]
        over = (exposure * (cpm / 1000.0) > limits.max_weekly_spend_inr) & (exposure <= limits.max_weekly_exposure)
        if over.any():
            k = _first(over)
            value = float(exposure.iloc[k])
            detail = (
                f"{counted(int(over.sum()), 'value')} {numbered(int(over.sum()), 'implies', 'imply')} a weekly spend above {limits.max_weekly_spend_inr:.3g} INR "
                f"({where(k)}: {value:.6g} x cpm {cpm:g} / 1000 = {value * cpm / 1000.0:.6g} INR); "
                f"correct the value or data_config.yaml key 'channels.{name}.cpm', or raise "
                "'validation.max_weekly_spend_inr' if it is real"
            )
            issues.append(fatal(Rule.OUT_OF_RANGE, source, column, int(over.sum()), repr(value), detail))
    return issues


#: Weeks with a value from which a series whose Sales_Value never changes is refused.
MIN_WEEKS_CONSTANT = 4


def _check_sales(typed: pd.DataFrame, source: str) -> list[Issue]:
    """A series whose Sales_Value is 0 in every week that has a value (the model has nothing to
    explain), or the same positive value in every one of at least :data:`MIN_WEEKS_CONSTANT` weeks
    (a filled-in constant, not weekly sales: nothing moves with media or price)."""
    sales = typed[schema.SALES_VALUE]
    keys = [typed[c] for c in _KEY]
    grouped = pd.DataFrame({"observed": sales.notna(), "positive": sales > 0}).groupby(keys, sort=True).sum()
    by_series = sales.groupby(keys, sort=True)
    grouped["distinct"], grouped["first"] = by_series.nunique(), by_series.first()
    dead = grouped[(grouped["observed"] > 0) & (grouped["positive"] == 0)]
    if not dead.empty:
        name = "/".join(map(str, dead.index[0]))
        if len(dead) == len(grouped):
            detail = (
                "is 0 in every row of the panel; there are no sales to model: "
                "check that the column holds weekly sales in INR"
            )
        else:
            more = f" (and {len(dead) - 1} more series)" if len(dead) > 1 else ""
            detail = (
                f"series {name}{more} has zero sales in all {int(dead['observed'].iloc[0])} weeks with a value; "
                "a series without sales cannot be modelled: correct its Sales_Value or remove its rows"
            )
        return [fatal(Rule.ZERO_SALES, source, schema.SALES_VALUE, len(dead), name, detail)]
    flat = grouped[(grouped["observed"] >= MIN_WEEKS_CONSTANT) & (grouped["distinct"] == 1)]
    if flat.empty:
        return []
    name = "/".join(map(str, flat.index[0]))
    value = float(flat["first"].iloc[0])
    weeks = int(flat["observed"].iloc[0])
    shown = f"{value:,.10g}"  # as in the file, not rounded to a few digits
    check = "check that the column holds each week's sales in INR"
    if len(flat) == len(grouped):
        detail = (
            f"every series' value is the same in all its weeks (e.g. {name}: {shown} in {weeks} weeks); weekly "
            f"sales that never move cannot show what media or price did: {check}"
        )
    else:
        more = f" (and {len(flat) - 1} more series)" if len(flat) > 1 else ""
        detail = (
            f"series {name}{more} has the same value, {shown}, in all {weeks} weeks with a value; weekly sales "
            f"that never move cannot show what media or price did: {check}, or remove the series' rows"
        )
    return [fatal(Rule.CONSTANT_SALES, source, schema.SALES_VALUE, len(flat), name, detail)]


def _check_prices(typed: pd.DataFrame, source: str) -> list[Issue]:
    """A price of 0 in a week with sales (INR per unit): nothing is sold for nothing, and the price
    features would read it as a 100% discount."""
    issues = []
    sold = typed[schema.SALES_VALUE] > 0
    for column in schema.PRICE_COLUMNS:
        free = sold & (typed[column] == 0)
        if free.any():
            k = _first(free)
            detail = (
                f"{counted(int(free.sum()), 'row')} with a price of 0 in a week with sales (line {line_of(k)}); a price must "
                "be > 0 there: correct it, or leave the cell empty for the cleaning step to fill"
            )
            issues.append(fatal(Rule.ZERO_PRICE, source, column, int(free.sum()), "0", detail))
    return issues


def _check_flags(typed: pd.DataFrame, source: str) -> list[Issue]:
    issues = []
    for column in schema.FLAG_COLUMNS:
        values = typed[column]
        bad = values.notna() & ~values.isin([0.0, 1.0])
        if bad.any():
            k, n_bad = _first(bad), int(bad.sum())
            issues.append(
                fatal(
                    Rule.BAD_FLAG,
                    source,
                    column,
                    n_bad,
                    str(values.iloc[k]),
                    f"{counted(n_bad, 'value')} outside {{0, 1}} (line {line_of(k)}: "
                    f"{values.iloc[k]:g}); promotion flags must be 0 or 1",
                )
            )
    return issues


def _check_weekly(dates: pd.Series, source: str) -> list[Issue]:
    unique = np.sort(dates.unique())
    steps = np.diff(unique).astype("timedelta64[D]").astype(np.int64)
    off = steps % 7 != 0
    if not off.any():
        return []
    k = int(np.argmax(off))
    before, after = (pd.Timestamp(unique[i]).date().isoformat() for i in (k, k + 1))
    detail = (
        f"dates are not on one weekly grid: {before} is followed by {after} ({steps[k]} days); "
        "every series needs one row per week on the same weekday"
    )
    if _weekly_when_swapped(pd.DatetimeIndex(unique)):
        detail += (
            "; read with day and month swapped they are weekly: written D/M/YYYY? write them M/D/YYYY or YYYY-MM-DD"
        )
    return [fatal(Rule.IRREGULAR_DATES, source, schema.DATE, int(off.sum()), after, detail)]


def _weekly_when_swapped(dates: pd.DatetimeIndex) -> bool:
    """Whether ``dates`` (sorted, unique) fall on one 7-day grid once each day and month trade places:
    a file written D/M/YYYY whose days are all <= 12 parses as M/D/YYYY, off the grid."""
    if len(dates) < 2 or (dates.day > 12).any():
        return False
    swapped = pd.to_datetime(
        pd.DataFrame({"year": dates.year, "month": dates.day, "day": dates.month}), errors="coerce"
    )
    if swapped.isna().any():
        return False
    steps = np.diff(np.sort(swapped.to_numpy())).astype("timedelta64[D]").astype(np.int64)
    return bool((steps > 0).all() and (steps % 7 == 0).all())


#: A series present in at most this share of the weeks is named as a likely typo of another's key.
STRAY_SERIES_SHARE = 0.05


def complete_grid(typed: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Issue], int]:
    """Give every series a row for every week from the first to the last date (NaN values).

    Returns the completed frame (the columns of ``typed``) sorted by (Geo, Brand, SKU, Date),
    the issues (a fix when rows were added; fatal when a series misses more than
    ``MAX_MISSING_WEEK_SHARE``) and the number of rows added.
    """
    grid = pd.DataFrame({schema.DATE: pd.date_range(typed[schema.DATE].min(), typed[schema.DATE].max(), freq="7D")})
    grid[schema.DATE] = grid[schema.DATE].astype("datetime64[ns]")
    full = typed[_KEY].drop_duplicates().merge(grid, how="cross")
    merged = full.merge(typed, on=_ID, how="left", indicator=True)
    added = merged.pop("_merge") == "left_only"
    merged = merged[list(typed.columns)].sort_values([*_KEY, schema.DATE], kind="stable").reset_index(drop=True)
    if not added.any():
        return merged, [], 0
    per_series = full[added.to_numpy()].groupby(_KEY, sort=True).size()
    worst = per_series.idxmax()
    example = f"{full[added.to_numpy()].iloc[0][schema.DATE].date().isoformat()} for {'/'.join(map(str, worst))}"
    if per_series.max() > MAX_MISSING_WEEK_SHARE * len(grid):
        name = "/".join(map(str, worst))
        present = len(grid) - int(per_series.max())
        if 0 < present <= STRAY_SERIES_SHARE * len(grid):  # a row or two under a name of its own: a typo
            key = typed[_KEY].apply(tuple, axis=1) == tuple(worst)
            first = typed.loc[key, schema.DATE].min().date().isoformat()
            detail = (
                f"series {name} appears in only {present} of {len(grid)} weeks (e.g. {first}): check that row's "
                f"{', '.join(_KEY)} for a typo (a row under a wrong name makes a series of its own), "
                "or add the missing weeks"
            )
        else:
            detail = (
                f"series {name} has no row for {per_series.max()} of {len(grid)} weeks; "
                f"at most {MAX_MISSING_WEEK_SHARE:.0%} can be imputed: add the missing weeks"
            )
        return merged, [fatal(Rule.MISSING_WEEKS, source, schema.DATE, int(added.sum()), example, detail)], 0
    detail = (
        f"{counted(int(added.sum()), 'row')} added for missing weeks (e.g. {example}); their values will be imputed"
    )
    return merged, [fixed(Rule.MISSING_WEEKS, source, schema.DATE, int(added.sum()), example, detail)], int(added.sum())


#: Columns a series must mostly hold itself: its sales, prices and media. A control such as CPI
#: may come from the other series (the same week's median); these would only copy another series.
_OWN_COLUMNS: tuple[str, ...] = tuple(
    column
    for role in (schema.Role.KPI, schema.Role.PRICE, schema.Role.MEDIA)
    for column in schema.columns_with_role(role)
)


def _check_series_gaps(completed: pd.DataFrame, source: str, columns: Sequence[str]) -> list[Issue]:
    """Fatal where one series has no value (empty cells and missing weeks together) in more than
    :data:`MAX_MISSING_WEEK_SHARE` of the weeks of one of ``columns``: imputing that much would
    copy the other series, not fill a gap."""
    n_weeks = completed[schema.DATE].nunique()  # every series has every week of the grid
    empty_by_series = completed[list(columns)].isna().groupby([completed[k] for k in _KEY], sort=True).sum()
    for column in columns:
        empty = empty_by_series[column]
        if empty.max() > MAX_MISSING_WEEK_SHARE * n_weeks:
            name = "/".join(map(str, empty.idxmax()))
            detail = (
                f"series {name} has no value in {int(empty.max())} of {n_weeks} weeks; at most "
                f"{MAX_MISSING_WEEK_SHARE:.0%} can be imputed (the rest would be copied from other series): "
                "fill in the values or leave the series out"
            )
            return [fatal(Rule.SERIES_GAPS, source, column, int(empty.max()), name, detail)]
    return []


def validate_panel(
    raw: pd.DataFrame, source: str, channels: Channels | None = None, limits: ValidationSettings | None = None
) -> ValidatedPanel:
    """Run every schema rule on a panel read as text (see :func:`~mmm_analytics.data.loader.read_raw_csv`).

    Parameters
    ----------
    raw : DataFrame
        One row per week and series, every cell as text.
    source : str
        File name used in messages.
    channels : Channels or None
        The channel table (``DataConfig.channel_table()``): its columns outside the schema
        must be in the file and are checked (numeric, >= 0) and kept like exposure columns.
        ``None``: the schema columns only.
    limits : ValidationSettings or None
        The ``validation`` block of ``data_config.yaml`` (plausible upper bounds);
        ``None``: its defaults.

    Returns
    -------
    ValidatedPanel
        Typed frame on a complete weekly grid plus the fixes made.

    Raises
    ------
    InputError
        On the first fatal problem, with one line naming the file and column.
    """
    if raw.shape[0] == 0:
        raise InputError(f"{source}: the file has a header but no data rows; add one row per week and series")
    extra = channel_columns(channels)
    frame, issues = normalise_columns(raw, source, extra)
    raise_if_fatal(issues + _repeated_header(raw, source))
    written = renamed_columns(issues)  # a problem in a renamed column names it as the file writes it

    def stop_if_fatal() -> None:
        raise_if_fatal(as_written(issues, source, written))

    ids, id_issues = _parse_ids(frame, source)
    dates, date_issues = parse_dates(frame[schema.DATE], source)
    numbers, number_issues, missing = _parse_numbers(frame, source, [*schema.NUMERIC_COLUMNS, *extra])
    issues += id_issues + date_issues + number_issues
    stop_if_fatal()
    columns = [*schema.ALL_COLUMNS, *extra]
    typed = pd.DataFrame({schema.DATE: dates, **ids, **numbers})[columns]
    issues += _check_duplicates(typed, source) + _check_negative(typed, source, list(extra))
    issues += _check_flags(typed, source) + _check_prices(typed, source) + _check_weekly(typed[schema.DATE], source)
    issues += _check_ranges(typed, source, channels, limits or ValidationSettings()) + _check_sales(typed, source)
    stop_if_fatal()
    completed, grid_issues, inserted = complete_grid(typed, source)
    issues += grid_issues + _check_series_gaps(completed, source, [*_OWN_COLUMNS, *extra])
    stop_if_fatal()
    missing_in_file = {column: missing.get(column, 0) for column in columns}
    return ValidatedPanel(completed, tuple(issues), len(typed), inserted, missing_in_file, tuple(extra))


#: What a cleaned panel's reader says when a parquet breaks the contract of ``mmm data``'s output.
REBUILD_CLEAN = "re-run 'mmm data' on the source CSV to rebuild it (or give that CSV instead)"


def _series_week(frame: pd.DataFrame, k: int) -> str:
    """``GEO/Brand/SKU, week of YYYY-MM-DD`` of row ``k`` (positional), for a message."""
    row = frame.iloc[k]
    return f"{'/'.join(str(row[c]) for c in _KEY)}, week of {pd.Timestamp(row[schema.DATE]).date().isoformat()}"


def check_clean_panel(
    frame: pd.DataFrame, source: str, channels: Channels | None = None, limits: ValidationSettings | None = None
) -> None:
    """Raise :class:`InputError` unless ``frame`` (a parquet given as the cleaned panel) keeps the contract of
    ``mmm data``'s ``clean_panel.parquet``: every schema and channel column, numbers in the numeric
    columns, one row per series and week on a complete weekly grid, no negative sales, exposures or
    prices, and no value above its ``validation`` bound. A CSV is validated (and cleaned) instead;
    a parquet is trusted as written, so one edited or written by another tool is checked here, once.

    The message names ``source``, the column and a series and week where it fails, in one line.
    """
    extra = channel_columns(channels)
    columns = [*schema.ALL_COLUMNS, *extra]
    if missing := [column for column in columns if column not in frame.columns]:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError(f"{source}: column '{missing[0]}'{more} is missing (not a cleaned panel?); {REBUILD_CLEAN}")
    if not pd.api.types.is_datetime64_any_dtype(frame[schema.DATE]):
        raise InputError(
            f"{source}: column '{schema.DATE}' holds {frame[schema.DATE].dtype} values, not dates; {REBUILD_CLEAN}"
        )
    for column in [*schema.NUMERIC_COLUMNS, *extra]:  # flags too: 0/1 integers
        kind = frame[column].dtype
        if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
            raise InputError(f"{source}: column '{column}' holds {kind} values, not numbers; {REBUILD_CLEAN}")
    typed = frame[columns].reset_index(drop=True)
    repeated = typed.duplicated(_ID, keep="first").to_numpy()
    if repeated.any():
        raise InputError(
            f"{source}: {counted(int(repeated.sum()), 'duplicate series-week row')} (e.g. {_series_week(typed, int(np.flatnonzero(repeated)[0]))}); "
            f"one row per week and series; {REBUILD_CLEAN}"
        )
    dates = typed[schema.DATE]
    weeks = pd.date_range(dates.min(), dates.max(), freq="7D")
    on_grid = dates.isin(weeks).to_numpy()
    if not on_grid.all():
        raise InputError(
            f"{source}: column '{schema.DATE}': {counted(int((~on_grid).sum()), 'row')} off the weekly grid that starts "
            f"{weeks[0].date().isoformat()} (e.g. {_series_week(typed, int(np.flatnonzero(~on_grid)[0]))}); {REBUILD_CLEAN}"
        )
    rows = typed.groupby(_KEY, sort=True, observed=True).size()
    if (short := rows[rows < len(weeks)]).size:
        name = "/".join(map(str, short.index[0]))
        raise InputError(
            f"{source}: series {name} has rows for {int(short.iloc[0])} of the {len(weeks)} weeks from "
            f"{weeks[0].date().isoformat()} to {weeks[-1].date().isoformat()} ({short.size} series short of weeks); "
            f"{REBUILD_CLEAN}"
        )
    series_week = partial(_series_week, typed)
    negative = _check_negative(typed, source, list(extra), where=series_week)
    raise_if_fatal(replace(issue, message=f"{issue.message}; {REBUILD_CLEAN}") for issue in negative)
    raise_if_fatal(_check_ranges(typed, source, channels, limits or ValidationSettings(), where=series_week))
