"""Lift tests (geo holdouts, lift studies) as evidence in the fit.

A lift test says how much one channel added to Sales_Value (INR) in one slice of the panel
(a brand or all brands, a region or all regions, summed over SKUs) over a window of weeks,
with a standard error. :class:`LiftTests` holds the validated tests aligned to a feature
panel, as the arrays the model's likelihood term reads; :func:`read_lift_tests` reads them
from a CSV and stops at the first bad cell with one line naming the file, line and column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data.loader import check_delimiter, check_not_packed
from mmm_analytics.data.schema import LIFT_TEST_ALL as ALL
from mmm_analytics.data.schema import LIFT_TEST_COLUMNS
from mmm_analytics.data.validation import DATE_HELP, DAY_FIRST_FORMS, NA_TOKENS, parse_dates
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.style.numbers import message_inr
from mmm_analytics.utils.names import one_name
from mmm_analytics.utils.words import numbered

#: How the header must look, for messages.
HEADER = ",".join(LIFT_TEST_COLUMNS)


@dataclass(frozen=True, slots=True)
class LiftTests:
    """N lift tests aligned to a panel of S series x T weeks x C channels.

    ``channel`` (N,) int channel index; ``series`` (N, S) 1.0 where the series is in the
    test's slice, else 0.0; ``weeks`` (N, T) 1.0 inside the test's window (inclusive);
    ``incremental_sales`` and ``standard_error`` (N,) in INR; ``labels`` one short text
    per test for reports ("TV, BrandA, WEST, 2023-01-02 to 2023-02-20"); ``sources`` where each
    test was read ("lift.csv: line 3"), for messages, () when the tests come from no file.
    """

    channel: np.ndarray
    series: np.ndarray
    weeks: np.ndarray
    incremental_sales: np.ndarray
    standard_error: np.ndarray
    labels: tuple[str, ...]
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.channel)

    def select(self, tests: np.ndarray, series: np.ndarray) -> LiftTests:
        """The tests ``tests`` (indices) on the panel of the series ``series`` (indices) alone."""
        return LiftTests(
            channel=self.channel[tests],
            series=self.series[np.ix_(tests, series)],
            weeks=self.weeks[tests],
            incremental_sales=self.incremental_sales[tests],
            standard_error=self.standard_error[tests],
            labels=tuple(self.labels[t] for t in tests),
            sources=tuple(self.sources[t] for t in tests) if self.sources else (),
        )

    def named(self, test: int) -> str:
        """How a message names test ``test``: its label, then its file and line where it has one."""
        return f"'{self.labels[test]}' ({self.sources[test]})" if self.sources else f"'{self.labels[test]}'"

    def to_config(self) -> dict[str, list]:
        """Plain lists (for a Keras model's config)."""
        return {
            "channel": np.asarray(self.channel, dtype=int).tolist(),
            "series": np.asarray(self.series, dtype=float).tolist(),
            "weeks": np.asarray(self.weeks, dtype=float).tolist(),
            "incremental_sales": np.asarray(self.incremental_sales, dtype=float).tolist(),
            "standard_error": np.asarray(self.standard_error, dtype=float).tolist(),
            "labels": list(self.labels),
        }

    @classmethod
    def from_config(cls, config: dict[str, list]) -> LiftTests:
        return cls(
            channel=np.asarray(config["channel"], dtype=int),
            series=np.asarray(config["series"], dtype=float),
            weeks=np.asarray(config["weeks"], dtype=float),
            incremental_sales=np.asarray(config["incremental_sales"], dtype=float),
            standard_error=np.asarray(config["standard_error"], dtype=float),
            labels=tuple(config.get("labels", ())),
        )


@dataclass(frozen=True, slots=True)
class _Test:
    """One validated row: names resolved to the panel's spelling (None = all), week indices."""

    line: int
    channel: str
    brand: str | None
    region: str | None
    start: int
    end: int
    incremental_sales: float
    standard_error: float


class _BadCell(Exception):
    """A cell's problem and its fix (turned into an :class:`InputError` naming file, line, column)."""


def read_lift_tests(
    path: Path,
    panel: FeaturePanel,
    channels: Sequence[str] | None = None,
    fmt: NumberFormat = NumberFormat.INDIAN,
    max_lag: int | None = None,
) -> LiftTests:
    """Read and validate a lift-test CSV against the feature panel.

    Parameters
    ----------
    path : Path
        CSV with the columns :data:`LIFT_TEST_COLUMNS`, one row per test: ``channel`` a channel
        name, ``brand`` and ``region`` names from the data or ``all``, ``start_date`` and
        ``end_date`` week-start dates of the data (inclusive; M/D/YYYY or YYYY-MM-DD),
        ``incremental_sales`` the channel's incremental Sales_Value (INR) over those weeks in
        that slice, summed over SKUs, and ``standard_error`` its standard error (INR, > 0).
        Names match case-insensitively when only one name fits.
    panel : FeaturePanel
        The panel the model is fitted to (series, weeks, exposure).
    channels : sequence of str, optional
        The model's channel order (default: the panel's); ``LiftTests.channel`` indexes it.
    fmt : NumberFormat
        How the messages group the amounts they quote (the project's ``number_format``).
    max_lag : int, optional
        The model's longest carryover (weeks, ``max_lag``): exposure more than this many weeks
        before a test's first week adds nothing to its weeks. None: any earlier week counts.

    Returns
    -------
    LiftTests
        One entry per data row, in file order.

    Raises
    ------
    InputError
        The file is missing, unreadable, empty or has other columns; or a row names an unknown
        channel, brand or region, a date that is not a week of the data, an end before its
        start, a missing or non-numeric amount, a standard error that is not > 0, an amount or
        standard error above all the Sales_Value of its slice over its weeks, a slice where the
        channel has no exposure in the test's weeks or the ``max_lag`` before them, or repeats an
        earlier row's slice and weeks.
    """
    order = tuple(panel.channels if channels is None else channels)
    tests = [_parse_row(path, line, cells, panel, order, fmt, max_lag) for line, cells in _read_rows(path)]
    _check_duplicates(path, tests)
    return _arrays(tests, panel, order, path)


def lift_test_notes(tests: LiftTests, n_train_weeks: int) -> tuple[str, ...]:
    """Lines about tests that are valid but may not mean what the fit takes them for: two tests of one channel
    over overlapping weeks and series (each is its own evidence, so one experiment given twice counts
    twice), and a test wholly in the holdout weeks (the fit reads it, so those weeks are no longer unseen)."""
    notes = []
    for i in range(len(tests)):
        for j in range(i + 1, len(tests)):
            same = tests.channel[i] == tests.channel[j]
            if same and tests.weeks[i] @ tests.weeks[j] > 0 and tests.series[i] @ tests.series[j] > 0:
                notes.append(
                    f"lift tests {tests.named(i)} and {tests.named(j)} measure overlapping sales (the same channel, "
                    "weeks and series): each counts as its own evidence; if they are one experiment, keep one row"
                )
        if not tests.weeks[i, :n_train_weeks].any():
            notes.append(
                f"lift test {tests.named(i)} lies wholly in the holdout weeks: the fit reads it, so the holdout "
                "metrics no longer score weeks the model never saw for that channel"
            )
    return tuple(notes)


def _fail(path: Path, line: int, column: str, message: str) -> InputError:
    return InputError(f"{path}: line {line}, column '{column}': {message}")


def _read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, stripped cell per column) of every non-blank data row."""
    raw = [[str(cell).strip() for cell in row] for row in _read_table(path)]
    filled = [index for index, row in enumerate(raw) if any(row)]
    if not filled:
        raise InputError(f"{path}: the file is empty; it needs the header line {HEADER} and one row per test")
    header = raw[filled[0]]
    width = max(k + 1 for k, cell in enumerate(header) if cell)
    columns = _check_header(path, filled[0] + 1, [cell.lower() for cell in header[:width]])
    rows = []
    for index in filled[1:]:
        extra = [k for k, cell in enumerate(raw[index]) if cell and k >= width]
        if extra:
            raise InputError(
                f"{path}: line {index + 1} has a value in cell {extra[-1] + 1}, beyond the header's {width} columns; "
                "remove the extra cells or quote a value that holds a comma"
            )
        rows.append((index + 1, dict(zip(columns, raw[index], strict=False))))
    if not rows:
        raise InputError(f"{path}: the file has a header but no tests; add one row per test under the header line")
    return rows


#: Cells read per line: a longer line is an error (shorter ones are padded with empty cells).
MAX_CELLS = 64


def _read_table(path: Path) -> list[list[str]]:
    """Every line of the CSV as :data:`MAX_CELLS` text cells, blank lines included (index = line - 1)."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the lift-test CSV file ({HEADER})")
    if path.exists() and not path.is_file():
        raise InputError(f"{path}: is not a regular file (a device, pipe or socket); give the lift-test CSV file")
    if not path.is_file():
        raise InputError(f"{path}: lift-test file not found; check the path given to --lift-tests or 'lift_tests'")
    try:
        check_not_packed(path)
        with open(path, "rb") as handle:
            binary = b"\x00" in handle.read(65_536)
        if binary:
            raise InputError(f"{path}: not UTF-8 text (it contains NUL bytes); save it as comma-separated UTF-8")
        check_delimiter(path)
        frame = pd.read_csv(
            path,
            header=None,
            names=range(MAX_CELLS),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty; it needs the header line {HEADER} and one row per test") from None
    except PermissionError:
        raise InputError(
            f"{path}: cannot be read (permission denied); make it readable (e.g. chmod u+r '{path}') or give another file"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error, OSError) as error:
        reason = " ".join(str(error).split())[:160]
        raise InputError(f"{path}: not a readable CSV ({reason}); save it as comma-separated UTF-8 text") from None
    return frame.to_numpy(dtype=object).tolist()


def _check_header(path: Path, line: int, names: list[str]) -> list[str]:
    """The header's column names; an error for a missing, unknown or repeated one."""
    repeated = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    unknown = [name for name in names if name not in LIFT_TEST_COLUMNS]
    missing = [name for name in LIFT_TEST_COLUMNS if name not in names]
    if repeated:
        problem = f"column '{repeated[0]}' appears {names.count(repeated[0])} times"
    elif unknown:
        problem = f"unknown column '{unknown[0]}'"
    elif missing:
        problem = f"missing {numbered(len(missing), 'column')} {', '.join(repr(m) for m in missing)}"
    else:
        return names
    raise InputError(f"{path}: line {line} (header): {problem}; the header must be exactly {HEADER}")


def _parse_row(
    path: Path,
    line: int,
    cells: dict[str, str],
    panel: FeaturePanel,
    channels: tuple[str, ...],
    fmt: NumberFormat,
    max_lag: int | None,
) -> _Test:
    """One data row, validated column by column (the first bad cell stops the run)."""

    def read[T](column: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(cells[column])
        except _BadCell as problem:
            raise _fail(path, line, column, str(problem)) from None

    channel = read("channel", lambda text: _name(text, channels, "channel"))
    brand = read("brand", lambda text: _slice_name(text, panel.brand, "brand"))
    region = read("region", lambda text: _slice_name(text, panel.geo, "region"))
    start = read("start_date", lambda text: _week(text, panel.dates))
    end = read("end_date", lambda text: _end_week(text, panel.dates, start))
    sales = read("incremental_sales", lambda text: _amount(text, _SALES_HELP))
    test = _Test(line, channel, brand, region, start, end, sales, read("standard_error", _standard_error))
    first = 0 if max_lag is None else max(test.start - max_lag, 0)
    if not _has_exposure(test, panel, first):
        since = "" if first == 0 else f"from {panel.dates[first].date().isoformat()} (the carryover's {max_lag} weeks) "
        raise _fail(
            path,
            line,
            "channel",
            f"{test.channel} has no exposure in {_slice_text(test.brand, test.region)} {since}up to "
            f"{panel.dates[test.end].date().isoformat()}, so the model gives it no contribution there; "
            "check the channel and slice or remove the row",
        )
    _check_plausible(path, test, panel, fmt)
    return test


def _check_plausible(path: Path, test: _Test, panel: FeaturePanel, fmt: NumberFormat) -> None:
    """A channel cannot add more than all the Sales_Value of its slice over its weeks, and an error
    that large says nothing: either amount above that total is in the wrong units or slice."""
    total = float(panel.sales[_series_mask(panel, test.brand, test.region), test.start : test.end + 1].sum())
    where = (
        f"all Sales_Value of {_slice_text(test.brand, test.region)} from {panel.dates[test.start].date().isoformat()} "
        f"to {panel.dates[test.end].date().isoformat()} ({message_inr(total, fmt)})"
    )
    if abs(test.incremental_sales) > total:
        amount = message_inr(test.incremental_sales, fmt)
        if test.incremental_sales < 0:
            amount += f" (a fall of {message_inr(-test.incremental_sales, fmt)})"
        raise _fail(
            path,
            test.line,
            "incremental_sales",
            f"{amount} is more than {where}, and a channel cannot add more than the sales "
            "there were; give the channel's incremental Sales_Value in INR summed over that slice and those weeks "
            "(check the units, brand, region and dates)",
        )
    if test.standard_error < total * MIN_RELATIVE_STANDARD_ERROR:
        raise _fail(
            path,
            test.line,
            "standard_error",
            f"{test.standard_error:.3g} INR is below a hundred-millionth of {where}: no experiment measures that precisely; "
            "give the standard error of incremental_sales in INR (check the units)",
        )
    if test.standard_error > total:
        raise _fail(
            path,
            test.line,
            "standard_error",
            f"{message_inr(test.standard_error, fmt)} is more than {where}; give the standard error of incremental_sales in INR "
            "(check the units) or remove the row",
        )


#: Smallest standard error a test may claim, as a share of all the sales of its slice and weeks: a
#: smaller one is a typo (its weight in the fit, 1 / standard_error ** 2, would swamp the data or overflow).
MIN_RELATIVE_STANDARD_ERROR = 1e-8

_SALES_HELP = "the channel's incremental Sales_Value in INR over the weeks, e.g. 140000"
_ERROR_HELP = "the standard error of incremental_sales in INR, e.g. 500000"


def _name(text: str, choices: Sequence[str], kind: str, extra: Sequence[str] = ()) -> str:
    """``text`` as one of ``choices`` (:func:`~mmm_analytics.utils.names.one_name`)."""
    valid = ", ".join([*choices, *extra])
    if not text.strip():
        raise _BadCell(f"is empty; give a {kind} name (one of {valid})")
    try:
        return one_name(text, choices, kind, f"use one of {valid}")
    except InputError as error:
        raise _BadCell(str(error)) from None


def _slice_name(text: str, names: Sequence[str], kind: str) -> str | None:
    """A brand or region of the data, or None for ``all`` (every one of them)."""
    if text.lower() == ALL:
        return None
    return _name(text, sorted(set(names)), kind, extra=(ALL,))


def _end_week(text: str, dates: pd.DatetimeIndex, start: int) -> int:
    end = _week(text, dates)
    if end < start:
        first = dates[start].date().isoformat()
        raise _BadCell(f"{text!r} is before start_date {first}; give an end_date on or after the start (inclusive)")
    return end


def _standard_error(text: str) -> float:
    value = _amount(text, _ERROR_HELP)
    if value <= 0:
        raise _BadCell(f"{text!r} is not > 0; give {_ERROR_HELP} (a positive number)")
    return value


def _week(text: str, dates: pd.DatetimeIndex) -> int:
    """The index of the panel week whose start date ``text`` gives."""
    if text.lower() in NA_TOKENS:
        raise _BadCell(f"is empty; give a week-start date of the data ({DATE_HELP})")
    parsed, _ = parse_dates(pd.Series([text]), "lift tests")
    if pd.isna(parsed.iloc[0]):  # 16/01/2023: no month 16, but a week of the data read day first
        raise _BadCell(f"{text!r} is not a date; " + (_day_first_hint(text, dates) or DATE_HELP))
    day = pd.Timestamp(parsed.iloc[0])
    first, last = dates[0].date().isoformat(), dates[-1].date().isoformat()
    if day < dates[0] or day > dates[-1]:
        raise _BadCell(
            f"{text!r} is outside the data (weeks {first} to {last}); "
            + (_day_first_hint(text, dates) or "give a week within it")
        )
    index = int(dates.get_indexer([day])[0])
    if index < 0:
        after = int(dates.searchsorted(day))
        before, next_week = dates[after - 1].date().isoformat(), dates[after].date().isoformat()
        raise _BadCell(
            f"{text!r} is not the start of a week in the data; "
            + (_day_first_hint(text, dates) or f"use the date of its week's row ({before} or {next_week})")
        )
    return index


def _day_first_hint(text: str, dates: pd.DatetimeIndex) -> str:
    """The fix when ``text``, read day first, is a week row of ``dates`` ("" when it is not): the data
    and the lift tests write dates month first (M/D/YYYY) or as ISO."""
    for form, shown in DAY_FIRST_FORMS:
        day = pd.to_datetime(text, format=form, errors="coerce")
        if not pd.isna(day) and day in dates:
            week = pd.Timestamp(day)
            return f"written day first ({shown})? the week of {week.date().isoformat()} is {week:%m/%d/%Y} month first"
    return ""


def _amount(text: str, what: str) -> float:
    """A finite number of INR (``1.5e6`` and plain digits; no thousands separators)."""
    if text.lower() == "nan":
        raise _BadCell(f"{text!r} is not a finite number; give {what}")
    if text.lower() in NA_TOKENS:
        raise _BadCell(f"is empty; give {what}")
    try:
        value = float(text)
    except ValueError:
        raise _BadCell(f"{text!r} is not a number; give {what} (digits only, no separators or currency)") from None
    if not np.isfinite(value):
        raise _BadCell(f"{text!r} is not a finite number; give {what}")
    return value


def _series_mask(panel: FeaturePanel, brand: str | None, region: str | None) -> np.ndarray:
    """(S,) True for every series (every SKU) of the slice."""
    brands, regions = np.asarray(panel.brand, dtype=object), np.asarray(panel.geo, dtype=object)
    in_brand = np.ones(len(brands), dtype=bool) if brand is None else brands == brand
    in_region = np.ones(len(regions), dtype=bool) if region is None else regions == region
    return np.asarray(in_brand & in_region, dtype=bool)


def _has_exposure(test: _Test, panel: FeaturePanel, first: int = 0) -> bool:
    """Whether the channel had any exposure in the slice from week ``first`` (the carryover's reach
    before the test) to the test's last week; without it the model's contribution there is exactly 0."""
    if test.channel not in panel.channels:
        return True
    channel = panel.channels.index(test.channel)
    exposure = panel.exposure[_series_mask(panel, test.brand, test.region), first : test.end + 1, channel]
    return bool(np.any(exposure > 0))


def _slice_text(brand: str | None, region: str | None) -> str:
    return f"{brand or 'all brands'}, {region or 'all regions'}"


def _check_duplicates(path: Path, tests: list[_Test]) -> None:
    """No two rows give the same channel, slice and weeks (combine such results into one row)."""
    seen: dict[tuple[str, str | None, str | None, int, int], int] = {}
    for test in tests:
        key = (test.channel, test.brand, test.region, test.start, test.end)
        if key in seen:
            raise InputError(
                f"{path}: line {test.line}, columns 'channel' to 'end_date': repeats the test on line {seen[key]} "
                "(same channel, brand, region and weeks); keep one row per test or combine them"
            )
        seen[key] = test.line


def _arrays(tests: list[_Test], panel: FeaturePanel, channels: tuple[str, ...], path: Path) -> LiftTests:
    """The validated rows of the file ``path`` as :class:`LiftTests` arrays aligned to the panel."""
    n_weeks = len(panel.dates)
    weeks = np.zeros((len(tests), n_weeks))
    for n, test in enumerate(tests):
        weeks[n, test.start : test.end + 1] = 1.0
    iso = [d.date().isoformat() for d in panel.dates]
    return LiftTests(
        channel=np.array([channels.index(t.channel) for t in tests], dtype=int),
        series=np.array([_series_mask(panel, t.brand, t.region) for t in tests], dtype=np.float64),
        weeks=weeks,
        incremental_sales=np.array([t.incremental_sales for t in tests], dtype=np.float64),
        standard_error=np.array([t.standard_error for t in tests], dtype=np.float64),
        labels=tuple(f"{t.channel}, {_slice_text(t.brand, t.region)}, {iso[t.start]} to {iso[t.end]}" for t in tests),
        sources=tuple(f"{path}: line {t.line}" for t in tests),
    )
