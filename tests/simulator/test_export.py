"""Exports round-trip: CSV (with provenance lines) and JSON give back the same table and metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.defaults import BUDGET_SEMANTICS
from mmm_analytics.simulator.export import as_table, export_result, read_csv_export
from mmm_analytics.simulator.frontier import efficiency_frontier


@pytest.fixture(scope="module")
def results(simulator: MarketingSimulator) -> dict[str, object]:
    return {
        "simulation": simulator.simulate_scenario({"TV": 1234.5}, "BrandA", "EAST"),
        "optimization": simulator.optimize_budget(None, None, "all", "all"),
        "frontier": efficiency_frontier(simulator, "BrandA", "EAST", points=4),
    }


@pytest.mark.parametrize("name", ["simulation", "optimization", "frontier"])
def test_csv_and_json_round_trip(tmp_path: Path, simulator: MarketingSimulator, results, name: str) -> None:
    result = results[name]
    csv_path, json_path = export_result(result, name, tmp_path, simulator)
    metadata, table = read_csv_export(csv_path)
    expected = as_table(result).reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected, check_dtype=False, check_exact=False, rtol=1e-12)
    payload = json.loads(json_path.read_text())
    pd.testing.assert_frame_equal(pd.DataFrame(payload["rows"]), expected, check_dtype=False, rtol=1e-12)
    for meta in (metadata, payload["metadata"]):
        assert meta["model_path"] == str(simulator.model_path)
        assert meta["data_date_range"] == list(simulator.metadata.date_range)
        assert meta["cpm_inr_per_1000_exposures"] == simulator.params.cpm_by_channel
        assert meta["budget_semantics"] == BUDGET_SEMANTICS
        assert meta["result_name"] == name


def test_json_keeps_result_fields(tmp_path: Path, simulator: MarketingSimulator, results) -> None:
    _, json_path = export_result(results["optimization"], "opt", tmp_path, simulator)
    payload = json.loads(json_path.read_text())
    assert payload["result"]["allocation"] == pytest.approx(results["optimization"].allocation, rel=1e-12)
    _, json_path = export_result(results["simulation"], "sim", tmp_path, simulator)
    assert json.loads(json_path.read_text())["result"]["spend"]["TV"] == 1234.5


def test_an_empty_table_cell_is_exported_as_null_in_strict_json(tmp_path: Path, simulator: MarketingSimulator) -> None:
    table = pd.DataFrame({"channel": ["TV", "Radio"], "roi": [1.5, float("nan")]})
    _, json_path = export_result(table, "with_gap", tmp_path, simulator)

    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    payload = json.loads(json_path.read_text(), parse_constant=refuse)
    assert payload["rows"] == [{"channel": "TV", "roi": 1.5}, {"channel": "Radio", "roi": None}]
