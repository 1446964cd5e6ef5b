"""Exports: a plain CSV (the table alone) and, beside it, JSON with the provenance; both give back the
same table and metadata, and a CSV of an earlier version (provenance in ``# `` lines) still reads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.defaults import budget_semantics
from mmm_analytics.simulator.export import as_table, export_result, provenance, read_csv_export
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
        assert meta["budget_semantics"] == budget_semantics(simulator.settings.horizon_weeks)
        # Before, "the first horizon weeks": the setting's name where its number belongs.
        assert f"the first {simulator.settings.horizon_weeks} weeks after switching" in meta["budget_semantics"]
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


@pytest.mark.parametrize("name", ["simulation", "optimization", "frontier"])
def test_the_csv_is_the_table_alone(tmp_path: Path, simulator: MarketingSimulator, results, name: str) -> None:
    """Before, ``# key: value`` lines above the header made ``pandas.read_csv`` fail ("Expected 1 fields
    in line 3") and showed as junk rows in a spreadsheet; the provenance is in the JSON beside it."""
    csv_path, json_path = export_result(results[name], name, tmp_path, simulator)
    expected = as_table(results[name]).reset_index(drop=True)
    assert csv_path.read_text(encoding="utf-8").splitlines()[0] == ",".join(map(str, expected.columns))
    pd.testing.assert_frame_equal(pd.read_csv(csv_path), expected, check_dtype=False, check_exact=False, rtol=1e-12)
    assert json_path == tmp_path / f"{name}.json"
    metadata = json.loads(json_path.read_text())["metadata"]
    assert metadata["csv_file"] == f"{name}.csv" and metadata["columns"] == [str(c) for c in expected.columns]
    assert metadata["budget_semantics"] == budget_semantics(simulator.settings.horizon_weeks)
    assert metadata["model_path"] == str(simulator.model_path)


def test_a_name_like_a_formula_is_text_in_the_csv(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Before, a channel named '=HYPERLINK(...)' went into the exported CSV as is, where a spreadsheet runs it;
    the JSON keeps the names as they are."""
    table = pd.DataFrame(
        {"channel": ['=HYPERLINK("x")', "+TV", "-Radio", "@Print", "TV"], "spend": [1.0, -2.0, 3, 4, 5]}
    )
    csv_path, json_path = export_result(table, "formulas", tmp_path, simulator)
    read = pd.read_csv(csv_path)
    assert list(read["channel"]) == ['\'=HYPERLINK("x")', "'+TV", "'-Radio", "'@Print", "TV"]
    assert list(read["spend"]) == [1.0, -2.0, 3, 4, 5]  # numbers, negative ones too, are kept
    assert [row["channel"] for row in json.loads(json_path.read_text())["rows"]] == list(table["channel"])


def test_a_csv_of_an_earlier_version_reads_back(tmp_path: Path, simulator: MarketingSimulator) -> None:
    """Exports written before the CSV became plain carry their provenance in ``# key: <JSON>`` lines."""
    metadata = {"result_name": "old", **provenance(simulator)}
    lines = "".join(f"# {key}: {json.dumps(value)}\n" for key, value in metadata.items())
    path = tmp_path / "old.csv"
    path.write_text(lines + 'channel,spend\nTV,1.5\n"Radio, FM",2\n', encoding="utf-8")
    read_metadata, table = read_csv_export(path)
    assert read_metadata == json.loads(json.dumps(metadata))
    pd.testing.assert_frame_equal(table, pd.DataFrame({"channel": ["TV", "Radio, FM"], "spend": [1.5, 2.0]}))


def test_a_csv_without_its_json_reads_without_metadata(tmp_path: Path, simulator: MarketingSimulator) -> None:
    csv_path, json_path = export_result(pd.DataFrame({"channel": ["TV"], "spend": [1.0]}), "alone", tmp_path, simulator)
    json_path.unlink()
    metadata, table = read_csv_export(csv_path)
    assert metadata == {} and list(table["channel"]) == ["TV"]


def test_nothing_is_written_when_the_json_cannot_be(tmp_path: Path, simulator: MarketingSimulator, monkeypatch) -> None:
    """A value strict JSON cannot hold stops the export before the CSV is written (no CSV without metadata)."""
    from mmm_analytics.simulator import export

    monkeypatch.setattr(export, "provenance", lambda simulator: {"interval_level": float("inf")})
    with pytest.raises(ValueError, match="NaN or infinity"):
        export.export_result(pd.DataFrame({"channel": ["TV"], "spend": [1.0]}), "bad", tmp_path, simulator)
    assert list(tmp_path.iterdir()) == []
