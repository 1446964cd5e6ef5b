"""Rich tables of the command line: :class:`FitTable`, which every table the CLI prints is, and the
tables of simulator results (used by the interactive menu and the CLI).

A :class:`FitTable` never cuts a number: on a narrow terminal its widest columns give up width
first, text and headers wrap (and fold a word too long for the column) instead of ending in ``…``,
and a column is never made narrower than the longest number in it; a table whose numbers cannot
all fit side by side is shown a row at a time instead (each cell beside its column's header).

Names (channels, brands, regions, scenarios) are shown as written: Rich markup in them is escaped.
Amounts are grouped in the project's ``number_format`` (``fmt``), as in the reports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.errors import MarkupError
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Column

    from mmm_analytics.simulator.engine import SimulationResult
    from mmm_analytics.simulator.optimizer import OptimizationResult
    from mmm_analytics.simulator.terms import Terms

#: A word (text between spaces) that reads as a number: ``2,53,056``, ``-5,14,874``, ``+12.3%``,
#: ``[1.90,``, ``1.50x``, ``2025-01-31``. A :class:`FitTable` never folds one.
NUMBER_WORD = re.compile(r"[(\[{]*[-+\u2212]?\.?\d[\d,._:/-]*(?:%|x|pp)?[)\]},;:]*")
#: The narrowest a column is made: less only where all its cells are narrower, more where a number in it is wider.
MIN_TEXT_WIDTH = 8


#: A piece of a line, which a :class:`Breakable` keeps on one line: a word up to and including the
#: underscores or the spaces after it.
_PIECE = re.compile(r"[^_\s]*(?:_+\s*|\s+|$)")


class Breakable:
    """Text in a table cell that wraps at spaces and after an underscore (``total_spend`` as ``total_``
    over ``spend``, not ``total_spe`` over ``nd``), and folds a word too long for its column."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def _pieces(self) -> list[str]:
        return [piece for piece in _PIECE.findall(self.text.plain) if piece]

    def lines(self, width: int) -> Text:
        """The text with a line break before each piece that would run past ``width``."""
        plain = self.text.plain
        if "_" not in plain or "\n" in plain or cell_len(plain) <= width:
            return self.text  # Rich's own wrapping does the same
        offsets, position, line = [], 0, 0
        for piece in self._pieces():
            if line and line + cell_len(piece.rstrip()) > width:
                offsets.append(position)
                line = 0
            position, line = position + len(piece), line + cell_len(piece)
        lines = self.text.divide(offsets)
        for text in lines:
            text.rstrip()
        return self.text.blank_copy("\n").join(lines)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.lines(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.text.plain.splitlines()), default=0)
        least = max((cell_len(piece.rstrip()) for piece in self._pieces()), default=0)
        return Measurement(least, widest).with_maximum(options.max_width)


def _plain(cell: RenderableType) -> str:
    """The text of a cell as shown (its markup applied); "" for a renderable that is not text."""
    if isinstance(cell, Breakable):
        return cell.text.plain
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return _text(cell).plain
    return ""


def _text(markup: str) -> Text:
    """Cell markup as Text (as Rich shows it; markup that is not valid is shown as written)."""
    try:
        return Text.from_markup(markup)
    except MarkupError:
        return Text(markup)


def breakable(cell: RenderableType | None) -> RenderableType | None:
    """A cell of text (markup or :class:`~rich.text.Text`) as a :class:`Breakable`; anything else as is."""
    if isinstance(cell, str):
        return Breakable(_text(cell))
    if isinstance(cell, Text):
        return Breakable(cell)
    return cell


def longest_number(cell: RenderableType) -> int:
    """The width of the widest number in ``cell`` (0 without one): the narrowest its column may be."""
    return max((cell_len(word) for word in _plain(cell).split() if NUMBER_WORD.fullmatch(word)), default=0)


def wrapping_header(cell: RenderableType) -> RenderableType:
    """A column header that wraps (after ``_`` too) and folds, whatever the column's ``no_wrap``."""
    if isinstance(cell, str):
        cell = _text(cell)
    if isinstance(cell, Text):
        cell.overflow, cell.no_wrap = "fold", False
        return Breakable(cell)
    return cell


class FitTable(Table):
    """A :class:`rich.table.Table` that never cuts a number (see the module's docstring).

    Columns wrap and fold their text by default (``overflow="fold"``, not Rich's ``…``). Where the
    table is wider than the terminal, the widest columns are narrowed first, a column down to its
    longest number (a text column to :data:`MIN_TEXT_WIDTH`); where even that is too wide, the table
    is shown a row at a time (:meth:`stacked`), unless ``stack`` is False.
    """

    #: Whether a table too narrow for its numbers is shown a row at a time.
    stack: bool = True

    def add_column(self, header: RenderableType = "", footer: RenderableType = "", **options: Any) -> None:
        """As :meth:`rich.table.Table.add_column`, folding by default, with a header that wraps (:func:`wrapping_header`)."""
        options.setdefault("overflow", "fold")
        super().add_column(wrapping_header(header), footer, **options)

    def add_row(self, *renderables: RenderableType | None, **options: Any) -> None:
        """As :meth:`rich.table.Table.add_row`, text wrapping after ``_`` too (:class:`Breakable`); a row with more
        cells than the table has columns adds them, folding too (Rich's own would end a cut cell in ``…``)."""
        while len(self.columns) < len(renderables):
            self.add_column()
        super().add_row(*(breakable(cell) for cell in renderables), **options)

    def _need(self, console: Console, options: ConsoleOptions, column: Column) -> tuple[int, int]:
        """(natural, narrowest) width of ``column``, padding included: the narrowest keeps every number
        whole (a header folds, so it does not count)."""
        natural = self._measure_column(console, options, column).maximum
        numbers_width = max((longest_number(cell) for cell in column.cells), default=0)
        least = self._get_padding_width(column._index) + max(numbers_width, MIN_TEXT_WIDTH)
        return natural, min(natural, least)

    def fitted_widths(self, console: Console, options: ConsoleOptions) -> list[int] | None:
        """Column widths (padding included) within ``options.max_width`` that cut no number: each column's
        natural width where they all fit, else the widest columns narrowed first, none below its narrowest
        (:meth:`_need`); None where no such widths exist."""
        available = options.max_width
        natural, least = zip(*(self._need(console, options, column) for column in self.columns), strict=True)
        if sum(natural) <= available:
            return list(natural)
        if sum(least) > available:
            return None

        def total(cap: int) -> int:
            return sum(max(low, min(high, cap)) for high, low in zip(natural, least, strict=True))

        low, high = 0, max(natural)  # the largest cap on every column's width that fits
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if total(middle) <= available else (low, middle - 1)
        widths = [max(narrowest, min(width, low)) for width, narrowest in zip(natural, least, strict=True)]
        spare = available - sum(widths)
        for index in sorted(range(len(widths)), key=lambda i: -natural[i]):  # what is left, widest first
            if spare > 0 and widths[index] < natural[index]:
                widths[index] += 1
                spare -= 1
        return widths

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        """Rich's widths where the columns fit as they are, else :meth:`fitted_widths` (Rich's own narrowing
        cuts numbers)."""
        if self.expand or self.width is not None or not self.columns:
            return super()._calculate_column_widths(console, options)
        return self.fitted_widths(console, options) or super()._calculate_column_widths(console, options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The table, or :meth:`stacked` where its numbers cannot all fit side by side."""
        if (
            self.stack
            and self.show_header
            and self.columns
            and self.row_count
            and not self.expand
            and self.width is None
        ):
            space = options.update_width(options.max_width - self._extra_width)
            if self.fitted_widths(console, space) is None:
                yield self.stacked()
                return
        yield from super().__rich_console__(console, options)

    def stacked(self) -> FitTable:
        """The same cells a row at a time: each beside its column's header, a line between rows."""
        table = FitTable(
            title=self.title,
            caption=self.caption,
            show_header=False,
            box=self.box,
            title_justify=self.title_justify,
            caption_justify=self.caption_justify,
        )
        table.stack = False
        table.add_column()
        table.add_column()
        for index, row in enumerate(zip(*(list(column.cells) for column in self.columns), strict=True)):
            if index:
                table.add_section()
            for column, cell in zip(self.columns, row, strict=True):
                table.add_row(column.header, cell)
        return table


def simulation_table(result: SimulationResult, current: dict[str, float], fmt: NumberFormat) -> FitTable:
    """Channel rows (spend, current spend, contribution, ROI) and the weekly totals."""
    table = FitTable(title=escape(f"Scenario result: {result.brand} / {result.region} (INR per week, steady state)"))
    for name in ("Channel", "Spend", "Current spend", "Contribution", "ROI"):
        table.add_column(name, justify="left" if name == "Channel" else "right")
    for channel, spend in result.spend.items():
        contribution = result.channel_contributions[channel]
        table.add_row(
            escape(channel),
            numbers.grouped(spend, fmt),
            numbers.grouped(current[channel], fmt),
            numbers.grouped(contribution, fmt),
            f"{contribution / spend:.2f}" if spend > 0 else "-",
        )
    table.add_section()
    table.add_row(
        "Total",
        numbers.grouped(result.total_spend, fmt),
        numbers.grouped(sum(current.values()), fmt),
        numbers.grouped(result.incremental_sales, fmt),
        _roi(result.roi),
    )
    return table


def _roi(roi: float) -> str:
    """An ROI to two decimals; ``-`` for a plan without spend (it has none)."""
    return f"{roi:.2f}" if math.isfinite(roi) else "-"


def simulation_summary(result: SimulationResult, fmt: NumberFormat) -> list[str]:
    """Plain lines under the table."""
    level = f"{result.interval_level:.0%}"
    return [
        f"Predicted sales: {numbers.grouped(result.predicted_sales, fmt)} INR per week "
        f"(baseline {numbers.grouped(result.baseline_sales, fmt)})",
        f"Incremental sales: {numbers.grouped(result.incremental_sales, fmt)} INR per week "
        f"({level} interval {numbers.grouped(result.incremental_lower, fmt)} to {numbers.grouped(result.incremental_upper, fmt)}); "
        f"ROI {_roi(result.roi)}",
        f"Over the next {result.horizon_weeks} weeks: predicted sales {numbers.grouped(result.horizon_predicted_sales, fmt)} "
        f"INR, incremental {numbers.grouped(result.horizon_incremental_sales, fmt)} INR",
        *(f"Warning: {warning}" for warning in result.warnings),
    ]


def optimization_caption(result: OptimizationResult, fmt: NumberFormat, terms: Terms | None = None) -> str:
    """The advice table's caption: which "current" it compares with, what refers to it (the percentage
    limits ``terms.shares``, as ``mmm optimize`` names them by default) and the uplift over it."""
    from mmm_analytics.simulator.terms import OPTIONS

    shares = (terms or OPTIONS).shares
    today = f"{numbers.grouped(result.today_weekly_spend, fmt)} INR"
    if result.current_is_scaled:
        current = f"Current mix: today's mix ({today} per week) scaled to this budget"
    else:
        current = f"Current mix: today's mix ({today} per week, the average over the data)"
    gain = result.expected_incremental_sales - result.current_incremental_sales
    low, high = (numbers.grouped(v, fmt, signed=True) for v in (result.uplift_lower, result.uplift_upper))
    if result.kept_current:  # before, "+0 INR ..., interval +0 to +0; more sales in 0% of posterior draws"
        return (
            f"{current}; {'Change refers' if shares is None else f'{shares} and Change refer'} to it.\n"
            "Uplift over it: none, as today's mix is kept."
        )
    return (
        f"{current}; {'Change refers' if shares is None else f'{shares} and Change refer'} to it.\n"
        f"Uplift over it: {numbers.grouped(gain, fmt, signed=True)} INR per week expected, "
        f"{result.interval_level:.0%} interval {low} to {high}; "
        f"more sales in {numbers.chance(result.prob_beats_current)} of posterior draws."
    )


def _heading(result: OptimizationResult) -> str:
    """``Advised allocation``, or ``Best plan within your limits`` for one your limits force to sell less
    than today's mix (which they leave out): not advice, and the title says so."""
    forced = not result.kept_current and result.expected_incremental_sales < result.current_incremental_sales
    return "Best plan within your limits" if forced else "Advised allocation"


def optimization_table(result: OptimizationResult, fmt: NumberFormat, terms: Terms | None = None) -> FitTable:
    """Current (scaled) vs advised spend, change, marginal ROI and status per channel, with
    :func:`optimization_caption` (in ``terms``) as its caption."""
    budget = numbers.grouped(result.weekly_budget, fmt)
    table = FitTable(
        title=escape(f"{_heading(result)}: {result.brand} / {result.region}, budget {budget} INR per week"),
        caption=escape(optimization_caption(result, fmt, terms)),
    )
    for name in ("Channel", "Current mix", "Advised", "Change", "Marginal ROI", "Status"):
        table.add_column(name, justify="left" if name in ("Channel", "Status") else "right")
    for channel, spend in result.allocation.items():
        before = result.current_allocation[channel]
        change = f"{spend / before - 1:+.1%}" if before > 0 else ("new" if spend > 0 else "-")
        table.add_row(
            escape(channel),
            numbers.grouped(before, fmt),
            numbers.grouped(spend, fmt),
            change,
            numbers.ratio(result.marginal_roi[channel], 3),
            result.channel_status[channel],
        )
    return table


def segments_moved(result: OptimizationResult) -> str:
    """``Budget moved between brands: BrandC +19.1%, ...; between regions: ...``: the change of each brand's and
    region's share of the weekly budget the advice makes (it plans each brand x region on its own), against
    today's spend there scaled to the budget, as the table above compares; "" when it moves none."""
    from mmm_analytics.simulator.report import segment_shift_rows

    parts = []
    for level in ("brand", "region"):
        rows = segment_shift_rows(result.segment_budgets, level)
        shares = {str(row[level]): row["share_change"] for row in rows if row["share_change"] is not None}
        if shares:
            shown = ", ".join(f"{name} {change:+.1%}" for name, change in sorted(shares.items(), key=lambda kv: -kv[1]))
            parts.append(f"between {level}s: {shown}")
    if not parts:
        return ""
    scaled = " (shares of the budget against today's)" if result.current_is_scaled else ""
    return f"Budget moved{scaled} {'; '.join(parts)} (each brand x region's plan in optimal_allocation.csv)"


def optimization_summary(result: OptimizationResult, fmt: NumberFormat) -> list[str]:
    """Plain lines under the advice table: the verdict when today's mix is kept or the advice stops
    short of the optimum, the sales (the mean over the posterior draws, which is what the advice
    maximises, unless ``simulator.objective`` is ``point``), the budget it moves between brands and regions,
    the solver, then the warnings."""
    from mmm_analytics.simulator.advice import spread_line, verdict_sentence

    measure = result.measure
    sentences = [(warning, verdict_sentence(warning)) for warning in result.warnings]
    lines = [sentence for _, sentence in sentences if sentence]
    lines += [
        f"Expected incremental sales ({measure}): {numbers.grouped(result.expected_incremental_sales, fmt)} INR per week "
        f"(current mix: {numbers.grouped(result.current_incremental_sales, fmt)}; uplift {result.uplift:+.1%})",
        segments_moved(result),
        spread_line(
            result.mroi_spread,
            result.step,
            result.converged,
            result.starts_used,
            result.seconds,
            max(len(result.segment_budgets), 1),
        ),
        *(f"Warning: {warning}" for warning, sentence in sentences if not sentence),
    ]
    return [line for line in lines if line]


def frame_table(frame: pd.DataFrame, title: str, fmt: NumberFormat, money: tuple[str, ...] = ()) -> FitTable:
    """Any small table; columns in ``money`` are formatted as whole INR, other floats to 3 decimals
    (both grouped per ``fmt``), a missing number as ``-``."""
    import pandas as pd  # not at the top: the command line starts without pandas

    table = FitTable(title=escape(title))
    for column in frame.columns:
        table.add_column(
            escape(str(column)), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left"
        )
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            if isinstance(value, float) and not math.isfinite(value):
                cells.append("-")  # not available (e.g. the ROI of a plan without spend)
            elif isinstance(value, float):
                cells.append(numbers.grouped(value, fmt, 0 if column in money else 3))
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table


def comparison_table(summary: pd.DataFrame, channels: tuple[str, ...], level: float, fmt: NumberFormat) -> FitTable:
    """Scenarios side by side: one column per scenario, one row per channel's spend and per result.

    ``summary`` is the first table of :func:`mmm_analytics.simulator.scenarios.compare_scenarios`.
    """
    table = FitTable(title="Scenario comparison (INR per week, steady state, expected: the mean over the draws)")
    table.add_column("")
    for name in summary["scenario"]:
        table.add_column(escape(str(name)), justify="right")
    from mmm_analytics.simulator.scenarios import on_expected_basis

    rows = on_expected_basis(summary).to_dict(orient="records")  # as the advice: before, the point estimate

    def line(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        table.add_row(escape(label), *(escape(cell(row)) for row in rows))

    line("Brand / region", lambda row: f"{row['brand']} / {row['region']}")
    for channel in channels:
        table.add_row(escape(f"{channel} spend"), *(numbers.grouped(row[f"spend_{channel}"], fmt) for row in rows))
    line("Total spend", lambda row: numbers.grouped(row["total_spend"], fmt))
    table.add_section()
    line("Predicted sales", lambda row: numbers.grouped(row["predicted_sales"], fmt))
    line("Incremental sales", lambda row: numbers.grouped(row["expected_incremental_sales"], fmt))
    line(
        f"{level:.0%} interval",
        lambda row: (
            f"{numbers.grouped(row['incremental_lower'], fmt)} to {numbers.grouped(row['incremental_upper'], fmt)}"
        ),
    )
    line("ROI", lambda row: _roi(row["roi"]))
    line("Change vs current mix", lambda row: numbers.grouped(row["delta_expected_vs_current"], fmt, signed=True))
    return table
