"""The command line's tables never cut a number: on a narrow terminal headers and names wrap, and a
table whose numbers cannot fit side by side is shown a row at a time."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from rich.table import Table

from mmm_analytics.cli import tables
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.simulator import MarketingSimulator

#: A number as the tables write it: grouped digits, a sign, decimals, a percent sign.
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
MONEY = ("total_spend", "predicted_sales", "incremental_sales", "delta_incremental_vs_current")


def _scenarios() -> pd.DataFrame:
    """The scenario table of ``mmm simulate`` on a full run, with the amounts an 80-column terminal cut
    ("-5,14,8…", "-1,80,2…") and its long headers ("total_sp…")."""
    return pd.DataFrame(
        {
            "scenario": ["current_mix", "no_spend", "across_the_board_minus_10"],
            "where": ["national", "national", "BrandA / NORTH"],
            "total_spend": [253055.506, 0.0, 227749.955],
            "predicted_sales": [1888100.259, 1373226.604, 1851982.291],
            "incremental_sales": [514873.655, 0.0, 478755.687],
            "roi": [2.0346, float("nan"), 2.1021],
            "delta_incremental_vs_current": [0.0, -514873.655, -180223.541],
        }
    )


def _render(table: Table, width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    console.print(table)
    return console.export_text()


def _numbers(table: Table) -> list[str]:
    """Every number in the table's cells, as written there (each cell shown alone, on a wide line)."""
    wide = Console(width=1000, record=True, force_terminal=False, color_system=None)
    for column in table.columns:
        for cell in column.cells:
            wide.print(cell)
    return NUMBER.findall(wide.export_text())


def _assert_whole(table: Table, width: int) -> str:
    """Each number of ``table`` whole on a line of the table rendered ``width`` wide, no line wider."""
    text = _render(table, width)
    lines = text.splitlines()
    assert "…" not in text, text
    assert all(len(line) <= width for line in lines), text
    for number in _numbers(table):
        pattern = re.compile(rf"(?<![\d,.]){re.escape(number)}(?![\d,.]*\d)")
        assert any(pattern.search(line) for line in lines), f"{number} is cut:\n{text}"
    return text


@pytest.mark.parametrize("fmt", list(NumberFormat))
@pytest.mark.parametrize("width", [80, 60, 40])
def test_no_number_of_the_scenario_table_is_cut(width: int, fmt: NumberFormat) -> None:
    """Before, at 80 columns: "-5,14,8…" and "total_sp…"; at 40 most numbers were cut."""
    table = tables.frame_table(_scenarios(), "Scenarios (INR per week, at the point estimate)", fmt, money=MONEY)
    text = _assert_whole(table, width)
    assert ("-5,14,874" if fmt is NumberFormat.INDIAN else "-514,874") in text


def test_a_header_wraps_after_an_underscore() -> None:
    lines = _render(tables.frame_table(_scenarios(), "Scenarios", NumberFormat.INDIAN, money=MONEY), 80).splitlines()
    at = next(i for i, line in enumerate(lines) if "total_" in line)
    assert "spend" in lines[at + 1] and "total_spe" not in lines[at]  # not "total_sp…", nor "total_spe" over "nd"
    assert any(line.startswith("│ current_ ") for line in lines)  # a name wraps after an underscore too


def test_a_wide_enough_terminal_shows_the_table_as_before() -> None:
    table = tables.frame_table(_scenarios(), "Scenarios", NumberFormat.INDIAN, money=MONEY)
    lines = _render(table, 200).splitlines()
    assert any("delta_incremental_vs_current" in line for line in lines)
    row = next(line for line in lines if "no_spend" in line)
    assert "-5,14,874" in row and row.rstrip(" │").endswith("-5,14,874")


def test_a_table_too_narrow_for_its_numbers_is_shown_a_row_at_a_time() -> None:
    table = tables.frame_table(_scenarios(), "Scenarios", NumberFormat.INDIAN, money=MONEY)
    text = _render(table, 40)
    assert re.search(r"│ delta_ *│ -5,14,874 *│", text), text
    assert text.count("│ scenario ") == 3  # one record per row


@pytest.mark.parametrize("width", [80, 40])
def test_no_number_of_the_simulator_tables_is_cut(simulator: MarketingSimulator, width: int) -> None:
    from mmm_analytics.simulator.scenarios import Scenario, compare_scenarios

    fmt = NumberFormat.INDIAN
    current = simulator.current_spend("BrandA", "EAST")
    result = simulator.simulate_scenario({c: v * 50 for c, v in current.items()}, "BrandA", "EAST")
    _assert_whole(tables.simulation_table(result, current, fmt), width)
    optimum = simulator.optimize_budget(None, None, "all", "all")
    _assert_whole(tables.optimization_table(optimum, fmt), width)
    plans = [Scenario(f"plan_number_{i}", "", "BrandA", "EAST", {"TV": 10.0**i}) for i in range(4)]
    summary, _ = compare_scenarios(simulator, plans)
    _assert_whole(tables.comparison_table(summary, simulator.channels, 0.9, fmt), width)


@pytest.mark.parametrize("width", [80, 40, 30])
def test_a_key_and_value_table_keeps_its_numbers_whole(width: int) -> None:
    from mmm_analytics.cli.run_cmd import summary

    folders = (Path("outputs/simulations/exports_of_the_full_pipeline_run"), Path("outputs/reports"))
    written = [folder / "a_very_long_file_name_of_the_pipeline_run.csv" for folder in folders]
    table = summary(written, {"data": 12.345, "train": 1234.5}, [("ROI of TV", "2.45 [1.90, 3.10]")])
    _assert_whole(table, width)


def test_a_number_word_is_what_a_table_keeps_whole() -> None:
    for word in ("2,53,056", "-5,14,874", "+12.3%", "[1.90,", "3.10]", "1.50x", "2025-01-31", "(56%)"):
        assert tables.NUMBER_WORD.fullmatch(word), word
    for word in ("total_spend", "n/a", "-", "BrandA", "outputs/models"):
        assert not tables.NUMBER_WORD.fullmatch(word), word


def test_a_table_whose_rows_add_their_own_columns_cuts_nothing_either() -> None:
    """'mmm features' adds rows to a table without columns: Rich made them itself, ending cut text in '…'."""
    table = tables.FitTable(title="Features", show_header=False)
    table.add_row("features file", "/home/someone/projects/averylongfoldername/data/processed/features.parquet")
    table.add_row("series", "1,000")
    assert len(table.columns) == 2
    text = _render(table, 40)
    assert "…" not in text and "1,000" in text and all(len(line) <= 40 for line in text.splitlines())


def test_a_table_without_rows_keeps_its_headers_on_a_narrow_terminal() -> None:
    """Before, it was 'shown a row at a time': an empty box, every header lost."""
    table = tables.FitTable(title="Nothing yet")
    for name in ("channel", "spend", "current_spend", "contribution", "roi", "delta_incremental_vs_current"):
        table.add_column(name)
    text = _render(table, 40)
    assert "┃ roi ┃" in text and "chan" in text and "Nothing yet" in text  # headers kept (folded), not stacked away


def test_the_lines_under_the_advice_say_what_budget_it_moves_between_brands_and_regions() -> None:
    """The terminal gave the national advice's channel totals alone, whose uplift needs budget moved between brands
    and regions too (BrandC +19%, BrandB -12% on the default panel)."""
    from types import SimpleNamespace

    def segment(brand: str, region: str, advised: float, today: float) -> dict[str, object]:
        return {"brand": brand, "region": region, "weekly_budget": advised, "today_weekly_spend": today}

    moved = SimpleNamespace(
        segment_budgets=[segment("A", "N", 150.0, 100.0), segment("B", "N", 50.0, 100.0)], current_is_scaled=False
    )
    line = tables.segments_moved(moved)  # type: ignore[arg-type]
    assert (
        line == "Budget moved between brands: A +50.0%, B -50.0% (each brand x region's plan in optimal_allocation.csv)"
    )
    # At a budget 50% above today's: the change of each one's share, as the table above compares with today's mix
    # scaled to the budget (before, every brand 'grew' with the budget).
    grown = SimpleNamespace(
        segment_budgets=[segment("A", "N", 200.0, 100.0), segment("B", "N", 250.0, 200.0)], current_is_scaled=True
    )
    assert tables.segments_moved(grown).startswith(  # type: ignore[arg-type]
        "Budget moved (shares of the budget against today's) between brands: A +33.3%, B -16.7%"
    )
    kept = SimpleNamespace(
        segment_budgets=[segment("A", "N", 150.0, 100.0), segment("B", "N", 300.0, 200.0)], current_is_scaled=True
    )
    none = SimpleNamespace(segment_budgets=[], current_is_scaled=False)
    assert tables.segments_moved(kept) == "" and tables.segments_moved(none) == ""  # type: ignore[arg-type]
