"""The interactive menu's exports: a plain CSV and JSON metadata beside it, never overwriting a file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.defaults import budget_semantics
from mmm_analytics.simulator.export import as_table, read_csv_export
from mmm_analytics.simulator.session_export import export_session_result

WHEN = dt.datetime(2025, 1, 31, 14, 25, 1)


def test_the_csv_is_plain_and_the_metadata_is_in_the_json(tmp_path: Path, simulator: MarketingSimulator) -> None:
    result = simulator.simulate_scenario({"TV": 1234.5}, "BrandA", "EAST")
    csv_path, json_path = export_session_result(result, "simulation", "BrandA", "EAST", tmp_path, simulator, WHEN)
    assert csv_path.name == "simulation_BrandA_EAST_20250131-142501.csv"
    assert json_path == csv_path.with_suffix(".json")
    expected = as_table(result)
    pd.testing.assert_frame_equal(pd.read_csv(csv_path), expected, check_dtype=False, check_exact=False, rtol=1e-12)
    payload = json.loads(json_path.read_text())
    assert payload["result"]["spend"]["TV"] == 1234.5
    metadata = payload["metadata"]
    assert (metadata["brand"], metadata["region"], metadata["result_name"]) == ("BrandA", "EAST", "simulation")
    assert metadata["csv_file"] == csv_path.name and metadata["budget_semantics"] == budget_semantics(
        simulator.settings.horizon_weeks
    )


def test_read_csv_export_finds_the_metadata_of_a_menu_export(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Before, it looked for the metadata in ``# `` lines of the CSV only, and found none in a menu export."""
    table = pd.DataFrame({"channel": ["TV", "-Radio"], "roi": [1.5, float("nan")]})
    csv_path, _ = export_session_result(table, "sensitivity", "all", "all", tmp_path, simulator, WHEN)
    metadata, read = read_csv_export(csv_path)
    assert metadata["result_name"] == "sensitivity" and metadata["model_path"] == str(simulator.model_path)
    assert list(read["channel"]) == ["TV", "'-Radio"]  # shown as text by a spreadsheet, not run as a formula
    assert read["roi"].iloc[0] == 1.5 and pd.isna(read["roi"].iloc[1])


def test_a_second_export_in_the_same_second_keeps_the_first(tmp_path: Path, simulator: MarketingSimulator) -> None:
    table = pd.DataFrame({"channel": ["TV"], "spend": [1.0]})
    first = export_session_result(table, "simulation", "BrandA", "EAST", tmp_path, simulator, WHEN)
    second = export_session_result(table, "simulation", "BrandA", "EAST", tmp_path, simulator, WHEN)
    assert [p.name for p in second] == [
        "simulation_BrandA_EAST_20250131-142501_2.csv",
        "simulation_BrandA_EAST_20250131-142501_2.json",
    ]
    assert all(p.is_file() for p in first + second)
