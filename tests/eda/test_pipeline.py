"""run_eda end to end: figures, tables, report; bad panels skip the affected analysis with a note."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.eda import load_quality, read_panel
from mmm_analytics.eda.pipeline import compute_outcomes
from mmm_analytics.errors import InputError

RADIO_NOTE = "Radio has no varying exposure (all zero or constant): left out"
REQUIRED_TABLES = (
    "descriptive_stats",
    "descriptive_by_brand",
    "descriptive_by_geo",
    "correlation",
    "vif",
    "stl_strength",
    "festive_uplift",
    "promo_uplift",
    "elasticity",
    "analyses",
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
    quality = pd.read_csv(eda_run.tables["data_quality"]).set_index("column")
    assert quality.loc["Sales_Value", "imputed_by_cleaning"] == 3


def _skipped(outcomes) -> dict[str, str]:
    return {o.slug: o.skipped for o in outcomes if o.skipped}


def test_no_festive_weeks_skip_only_the_festive_uplift(panel: pd.DataFrame, make_view) -> None:
    skipped = _skipped(compute_outcomes(make_view(panel.assign(Festival_Index=1.0))))
    assert list(skipped) == ["festive_uplift"] and "no festive weeks" in skipped["festive_uplift"]


def test_all_zero_channel_is_left_out_of_channel_analyses_with_a_note(panel: pd.DataFrame, make_view) -> None:
    outcomes = compute_outcomes(make_view(panel.assign(Radio_Listenership=0.0)))
    assert not _skipped(outcomes)
    noted = {o.slug for o in outcomes if RADIO_NOTE in o.notes}
    assert noted == {"channel_correlation", "collinear_pair", "vif", "cross_correlation", "lagged_response"}


def test_single_geo_skips_the_geo_comparisons(panel: pd.DataFrame, make_view) -> None:
    skipped = _skipped(compute_outcomes(make_view(panel[panel["Geo"] == "EAST"])))
    assert set(skipped) == {"sales_trend_geo", "geo_brand_heatmap"}
    assert all("single geo (EAST)" in reason for reason in skipped.values())


@pytest.mark.parametrize("weeks", [1, 3], ids=["one-week", "three-weeks"])
def test_very_short_panels_skip_time_analyses_instead_of_failing(panel: pd.DataFrame, make_view, weeks: int) -> None:
    short = panel[panel["Date"] < panel["Date"].min() + pd.Timedelta(weeks=weeks)]
    skipped = _skipped(compute_outcomes(make_view(short)))
    assert {"stl_decomposition", "cross_correlation", "lagged_response"} <= set(skipped)
    assert "at least 4 weeks" in skipped["cross_correlation"]
    # Before, these were "done" with r = NaN, or r = +-1 from two geo-weeks, and blank figures.
    correlations = {
        "channel_correlation",
        "collinear_pair",
        "rainfall_vs_sales",
        "distribution_vs_sales",
        "creative_scores",
        "driver_correlation",
    }
    assert correlations <= set(skipped), correlations - set(skipped)
    assert all(f"the panel has {weeks}" in skipped[slug] for slug in correlations)


def test_bad_panel_runs_end_to_end_with_every_note_in_the_report(panel: pd.DataFrame, run_small, tmp_path) -> None:
    """One geo, no festive weeks and an all-zero channel at once: figures, tables and report still come out."""
    stale = tmp_path / "bad" / "figures" / "16_festive_uplift.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an earlier run")
    bad = panel[panel["Geo"] == "EAST"].assign(Festival_Index=1.0, Radio_Listenership=0.0, Geo="=EAST")
    result = run_small(bad, "bad")
    assert {o.slug for o in result.skipped} == {"sales_trend_geo", "geo_brand_heatmap", "festive_uplift"}
    assert not stale.exists()  # a figure from an earlier run would contradict the report
    assert len(result.figures) == len(result.outcomes) - 3
    html = result.report.read_text(encoding="utf-8").replace("&gt;", ">")
    for outcome in result.skipped:
        assert f"Skipped: {outcome.skipped}" in html
    assert RADIO_NOTE in html
    assert "Radio" not in pd.read_csv(result.tables["vif"])["channel"].tolist()
    assert pd.read_csv(result.tables["analyses"]).query("status == 'skipped'")["figure"].isna().all()
    assert not any(s.startswith("Festive") for s in result.findings)
    # a geo named like a formula is text in the CSV tables (before, a spreadsheet ran it) and as is on the page
    geos = [pd.read_csv(path)["Geo"] for path in result.tables.values() if "Geo" in pd.read_csv(path).columns]
    assert geos and all(set(geo.dropna()) == {"'=EAST"} for geo in geos)


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
    text_dates = eda_panel["Date"].dt.strftime("%m/%d/%Y")
    eda_panel.drop(columns="outlier_flag").assign(Date=text_dates).to_csv(path, index=False)
    frame = read_panel(path)
    assert pd.api.types.is_datetime64_any_dtype(frame["Date"]) and len(frame) == len(eda_panel)


def test_load_quality_names_an_empty_or_unreadable_outlier_list(tmp_path: Path) -> None:
    """Before: pandas' EmptyDataError as a traceback."""
    (tmp_path / "outliers.csv").write_text("")
    with pytest.raises(InputError, match=r"outliers.csv: empty \(not even a header line\); re-run 'mmm data'"):
        load_quality(tmp_path)
    (tmp_path / "outliers.csv").write_bytes(b"Geo,value\n\xff\xfe,1\n")
    with pytest.raises(InputError, match=r"outliers.csv: not a readable CSV"):
        load_quality(tmp_path)


def test_read_panel_checks_a_parquet_s_contract(eda_panel: pd.DataFrame, tmp_path: Path) -> None:
    """Before: a TypeError in the sales index when Sales_Value was text."""
    path = tmp_path / "clean_panel.parquet"
    eda_panel.assign(Sales_Value=eda_panel["Sales_Value"].astype(str)).to_parquet(path)
    with pytest.raises(InputError, match=r"column 'Sales_Value' holds \w+ values, not numbers"):
        read_panel(path)
