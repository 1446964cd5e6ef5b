"""run_eda end to end: figures, tables, report; bad panels skip the affected analysis with a note."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.eda import load_quality, read_panel
from mmm_analytics.errors import InputError

REQUIRED_TABLES = (
    "descriptive_stats", "descriptive_by_brand", "descriptive_by_geo", "correlation", "vif", "stl_strength",
    "festive_uplift", "promo_uplift", "elasticity", "analyses",
)


def test_full_run_writes_numbered_figures_tables_and_report(eda_run) -> None:
    names = sorted(path.name for path in eda_run.figures[0].parent.glob("*.png"))
    assert len(names) >= 20 and all(re.fullmatch(r"\d{2}_[a-z_]+\.png", name) for name in names)
    for table in REQUIRED_TABLES:
        assert eda_run.tables[table].is_file(), table
    index = pd.read_csv(eda_run.tables["analyses"])
    assert (index["status"] == "done").all() and len(index) == len(names)
    assert eda_run.report.stat().st_size > 1_000_000
    assert len(eda_run.findings) >= 8
    assert pd.read_csv(eda_run.tables["data_quality"]).set_index("column").loc["Sales_Value", "imputed_by_cleaning"] == 3


def _report(result) -> str:
    return result.report.read_text(encoding="utf-8")


def test_no_festive_weeks_skips_the_festive_uplift_with_a_note(panel: pd.DataFrame, run_small, tmp_path: Path) -> None:
    stale = tmp_path / "flat" / "figures" / "16_festive_uplift.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    result = run_small(panel.assign(Festival_Index=1.0), "flat")
    outcome = result.outcome("festive_uplift")
    assert outcome.figure is None and "no festive weeks" in outcome.skipped
    assert not stale.exists()  # a figure from an earlier run would contradict the report
    assert f"Skipped: {outcome.skipped}" in _report(result).replace("&gt;", ">")
    assert len(result.figures) == len(result.outcomes) - 1
    assert not any(s.startswith("Festive") for s in result.findings)


def test_all_zero_channel_is_left_out_with_a_note(panel: pd.DataFrame, run_small) -> None:
    result = run_small(panel.assign(Radio_Listenership=0.0), "zero")
    note = "Radio has no varying exposure (all zero or constant): left out"
    for slug in ("channel_correlation", "vif", "cross_correlation", "lagged_response"):
        outcome = result.outcome(slug)
        assert outcome.figure is not None and note in outcome.notes, slug
    assert "Radio" not in pd.read_csv(result.tables["vif"])["channel"].tolist()
    assert note in _report(result)
    assert not result.skipped


def test_single_geo_skips_geo_comparisons_with_a_note(panel: pd.DataFrame, run_small) -> None:
    result = run_small(panel[panel["Geo"] == "EAST"], "one_geo")
    skipped = {o.slug for o in result.skipped}
    assert skipped == {"sales_trend_geo", "geo_brand_heatmap"}
    html = _report(result)
    for outcome in result.skipped:
        assert f"Skipped: {outcome.skipped}" in html and "single geo (EAST)" in outcome.skipped
    assert len(result.figures) == len(result.outcomes) - 2


def test_load_quality_reads_the_cleaning_outputs(tmp_path: Path) -> None:
    (tmp_path / "cleaning_report.json").write_text(json.dumps({"outliers": {"flagged_rows": 4}}))
    pd.DataFrame({"Geo": ["EAST"], "column": ["Sales_Units"]}).to_csv(tmp_path / "outliers.csv", index=False)
    quality = load_quality(tmp_path)
    assert quality.report == {"outliers": {"flagged_rows": 4}}
    assert quality.outliers["column"].tolist() == ["Sales_Units"]
    assert load_quality(tmp_path / "absent").report is None


def test_load_quality_names_a_broken_report(tmp_path: Path) -> None:
    (tmp_path / "cleaning_report.json").write_text("{not json")
    with pytest.raises(InputError, match="cleaning_report.json: not valid JSON"):
        load_quality(tmp_path)


def test_read_panel_parquet_round_trip_and_bad_paths(eda_panel: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "clean_panel.parquet"
    eda_panel.to_parquet(path)
    pd.testing.assert_frame_equal(read_panel(path), eda_panel)
    with pytest.raises(InputError, match="not found"):
        read_panel(tmp_path / "missing.parquet")
    (tmp_path / "panel.txt").write_text("x")
    with pytest.raises(InputError, match="expected a .parquet"):
        read_panel(tmp_path / "panel.txt")
    (tmp_path / "broken.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a readable parquet"):
        read_panel(tmp_path / "broken.parquet")


def test_read_panel_csv_goes_through_the_data_loader(eda_panel: pd.DataFrame, tmp_path: Path) -> None:
    pytest.importorskip("mmm_analytics.data.loader")
    path = tmp_path / "panel.csv"
    eda_panel.drop(columns="outlier_flag").assign(Date=eda_panel["Date"].dt.strftime("%m/%d/%Y")).to_csv(path, index=False)
    frame = read_panel(path)
    assert pd.api.types.is_datetime64_any_dtype(frame["Date"]) and len(frame) == len(eda_panel)
