"""The data step end to end on small panels: files written, the clean-panel contract, sources."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import (
    CleaningSettings,
    DataConfig,
    OutlierSettings,
    SyntheticSettings,
)
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import OUTLIER_FLAG, SALES_OBSERVED
from mmm_analytics.data.pipeline import (
    SourceKind,
    load_clean_panel,
    run_data,
    source_kind,
)
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import write_synthetic
from mmm_analytics.synthetic import generate_panel
from mmm_analytics.utils.io import write_parquet

SMALL = SyntheticSettings(seed=11, n_geos=2, n_brands=2, n_skus=2, n_weeks=52)
CONFIG = DataConfig(synthetic=SMALL)


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pipeline")
    return run_data(write_synthetic, root / "raw", root / "processed", CONFIG, None), root


def test_synthetic_run_writes_every_file(synthetic_run) -> None:
    result, root = synthetic_run
    assert [p.relative_to(root).as_posix() for p in result.files] == [
        "raw/mmm_data.csv",
        "raw/ground_truth.json",
        "raw/data_dictionary.json",
        "processed/clean_panel.parquet",
        "processed/cleaning_report.json",
        "processed/outliers.csv",
    ]
    assert all(p.is_file() for p in result.files)
    assert (result.n_rows, result.n_series, result.n_weeks) == (2 * 2 * 2 * 52, 8, 52)
    assert result.first_date.isoformat() == "2022-07-04"
    assert result.source == "synthetic (setting default, seed 11)"
    assert not list(root.rglob(".*"))  # no temporary files left behind


def test_raw_csv_is_the_generated_panel(synthetic_run) -> None:
    result, _ = synthetic_run
    panel = generate_panel(SMALL, CONFIG.channel_table())
    raw = pd.read_csv(result.raw_csv)
    assert list(raw.columns) == list(schema.ALL_COLUMNS)
    assert raw[schema.DATE].iloc[0] == "7/4/2022"
    pd.testing.assert_frame_equal(raw, panel.frame, check_dtype=False, rtol=1e-15, atol=0)
    assert json.loads(result.ground_truth.read_text(encoding="utf-8")) == panel.truth.data


def test_clean_panel_contract(synthetic_run) -> None:
    result, _ = synthetic_run
    frame = pd.read_parquet(result.clean_panel)
    assert list(frame.columns) == [*schema.ALL_COLUMNS, OUTLIER_FLAG, SALES_OBSERVED]
    assert frame[SALES_OBSERVED].all()  # the synthetic panel has every week
    assert frame[schema.DATE].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == "int64" for c in schema.FLAG_COLUMNS)
    floats = [c for c in schema.NUMERIC_COLUMNS if c not in schema.FLAG_COLUMNS]
    assert (frame[floats].dtypes == "float64").all()
    assert all(isinstance(v, str) for v in frame[schema.SKU])
    assert frame[OUTLIER_FLAG].dtype == bool
    assert not frame.isna().any().any()
    assert frame.equals(frame.sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True))
    pd.testing.assert_frame_equal(load_clean_panel(result.clean_panel), frame)


def test_report_outliers_and_dictionary_agree(synthetic_run) -> None:
    result, _ = synthetic_run
    report = json.loads(result.cleaning_report.read_text(encoding="utf-8"))
    outliers = pd.read_csv(result.outliers_csv)
    frame = pd.read_parquet(result.clean_panel)
    assert report["rows_out"] == result.n_rows and report["rows_dropped"] == 0
    assert len(outliers) == sum(report["outliers"]["flagged_cells"].values())
    assert report["outliers"]["flagged_rows"] == int(frame[OUTLIER_FLAG].sum()) == result.n_outliers
    dictionary = json.loads(result.dictionary.read_text(encoding="utf-8"))
    assert dictionary["rows"] == result.n_rows and len(dictionary["columns"]) == 28


def test_seed_option_overrides_the_config(tmp_path: Path) -> None:
    result = run_data(write_synthetic, tmp_path / "raw", tmp_path / "processed", CONFIG, 5)
    assert json.loads(result.ground_truth.read_text(encoding="utf-8"))["seed"] == 5
    expected = generate_panel(SMALL.model_copy(update={"seed": 5}), CONFIG.channel_table()).frame
    pd.testing.assert_frame_equal(pd.read_csv(result.raw_csv), expected, check_dtype=False, rtol=1e-15, atol=0)


def test_a_holdout_longer_than_the_panel_allows_is_named_by_the_data_step(synthetic_run, tmp_path: Path) -> None:
    """Before, holdout_weeks: 1000 passed 'mmm data' without a word and stopped only 'mmm features'."""
    assert not any("holdout_weeks" in line for line in synthetic_run[0].warnings)
    config = CONFIG.model_copy(update={"holdout_weeks": 50})
    result = run_data(write_synthetic, tmp_path / "raw", tmp_path / "processed", config, None)
    (line,) = [line for line in result.warnings if "holdout_weeks" in line]
    assert line == (
        "data_config.yaml: key 'holdout_weeks' (50) leaves too few training weeks of the 52 in the data (at least 9 "
        "are needed); set holdout_weeks to at most 43 ('mmm features' stops on it)"
    )


def test_csv_source_in_place_is_left_untouched(synthetic_run) -> None:
    result, root = synthetic_run
    before = result.raw_csv.read_bytes()
    again = run_data(str(result.raw_csv), root / "raw", root / "processed", CONFIG, None)
    assert again.raw_csv.read_bytes() == before
    assert not again.raw_written and again.raw_csv not in again.files
    assert again.stale_truth is None and again.ground_truth is None
    assert (again.n_rows, again.n_fixes) == (result.n_rows, 0)


@pytest.mark.parametrize("with_lift_tests", [False, True])
def test_other_csv_into_a_synthetic_folder_reports_stale_files(
    synthetic_run, kaggle_head_path: Path, tmp_path: Path, with_lift_tests: bool
) -> None:
    """The truth of an earlier synthetic panel is named stale, and (before, unmentioned) its lift tests."""
    result, _ = synthetic_run
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "ground_truth.json").write_bytes(result.ground_truth.read_bytes())
    if with_lift_tests:
        (raw_dir / "lift_tests.csv").write_text("channel,brand\n", encoding="utf-8")
    fixture = run_data(str(kaggle_head_path), raw_dir, tmp_path / "processed", CONFIG, None)
    assert fixture.stale_truth == raw_dir / "ground_truth.json"
    assert fixture.stale_lift_tests == (raw_dir / "lift_tests.csv" if with_lift_tests else None)
    assert fixture.removed == ()
    assert fixture.raw_csv.read_bytes() == kaggle_head_path.read_bytes()
    assert fixture.n_rows == 18 and fixture.n_weeks == 1


def test_a_synthetic_run_without_lift_tests_removes_the_earlier_panel_s(tmp_path: Path) -> None:
    """Before, seed 1's lift_tests.csv stayed beside seed 7's panel, unmentioned."""
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    with_tests = DataConfig(synthetic=SMALL.model_copy(update={"lift_tests": 2}))
    first = run_data(write_synthetic, raw, processed, with_tests, 1)
    assert first.lift_tests == raw / "lift_tests.csv" and first.lift_tests in first.files
    second = run_data(write_synthetic, raw, processed, CONFIG, 7)
    assert not (raw / "lift_tests.csv").exists()
    assert second.removed == (raw / "lift_tests.csv",) and second.lift_tests is None


def test_a_user_s_lift_tests_without_an_earlier_synthetic_panel_are_kept(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "lift_tests.csv").write_text("channel,brand\n", encoding="utf-8")
    result = run_data(write_synthetic, raw, tmp_path / "processed", CONFIG, None)
    assert (raw / "lift_tests.csv").is_file() and result.removed == () and result.stale_lift_tests is None


def test_fatal_problem_writes_nothing(kaggle_head_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(kaggle_head_path.read_text(encoding="utf-8").replace("TV_Impressions", "TV_Imps"), encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: column 'TV_Impressions': is missing; the file has 'TV_Imps'"):
        run_data(str(bad), tmp_path / "raw", tmp_path / "processed", CONFIG, None)
    assert not (tmp_path / "raw").exists() and not (tmp_path / "processed").exists()


def test_bad_outlier_column_fails_before_anything_is_written(tmp_path: Path) -> None:
    config = DataConfig(synthetic=SMALL, cleaning=CleaningSettings(outliers=OutlierSettings(columns=["Revenue"])))
    with pytest.raises(InputError, match=r"cleaning\.outliers\.columns': 'Revenue'"):
        run_data(write_synthetic, tmp_path / "raw", tmp_path / "processed", config, None)
    assert not (tmp_path / "raw").exists()


def test_missing_values_are_imputed_end_to_end(synthetic_run, tmp_path: Path) -> None:
    result, _ = synthetic_run
    text = pd.read_csv(result.raw_csv, dtype=str, keep_default_na=False)
    text.loc[[3, 50], "Sales_Value"] = ""
    path = tmp_path / "gappy.csv"
    text.to_csv(path, index=False)
    gappy = run_data(str(path), tmp_path / "raw", tmp_path / "processed", CONFIG, None)
    report = json.loads(gappy.cleaning_report.read_text(encoding="utf-8"))
    assert report["imputation"]["cells"] == {"Sales_Value": 2}
    assert gappy.n_fixes == 2
    assert gappy.raw_csv.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    cleaned = load_clean_panel(gappy.clean_panel)
    assert np.isfinite(cleaned["Sales_Value"]).all()


@pytest.mark.parametrize(
    ("source", "kind"),
    [("synthetic", SourceKind.SYNTHETIC), (" Kaggle ", SourceKind.KAGGLE), ("data/raw/mmm_data.csv", SourceKind.CSV)],
    ids=["synthetic", "kaggle", "csv"],
)
def test_source_kind(source: str, kind: SourceKind) -> None:
    assert source_kind(source) is kind


def test_load_clean_panel_errors(tmp_path: Path, synthetic_run) -> None:
    with pytest.raises(InputError, match="not found; run 'mmm data' first"):
        load_clean_panel(tmp_path / "clean_panel.parquet")
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable parquet file"):
        load_clean_panel(junk)
    without_nos = pd.read_parquet(synthetic_run[0].clean_panel).drop(columns="NOS")
    partial = write_parquet(tmp_path / "partial.parquet", without_nos)
    with pytest.raises(InputError, match=r"column 'NOS' is missing \(not a cleaned panel\?\); re-run 'mmm data'"):
        load_clean_panel(partial)


def test_the_synthetic_source_is_handed_in(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pass its generator"):
        run_data("synthetic", tmp_path / "raw", tmp_path / "processed", CONFIG, None)


def test_the_data_step_warns_of_names_that_differ_only_in_case(synthetic_run, tmp_path: Path) -> None:
    result, _ = synthetic_run
    frame = pd.read_csv(result.raw_csv)
    first = frame[schema.GEO].iloc[0]
    frame.loc[frame[schema.GEO] == first, schema.GEO] = first.lower().capitalize()
    frame.loc[frame[schema.GEO] != first.lower().capitalize(), schema.GEO] = first.upper()
    source = tmp_path / "twins.csv"
    frame.to_csv(source, index=False)
    twins = run_data(str(source), tmp_path / "raw", tmp_path / "processed", CONFIG, None)
    assert [w for w in twins.warnings if "differ only in case" in w] == [
        f"column 'Geo': '{first.upper()}' and '{first.lower().capitalize()}' differ only in case; they are kept "
        "apart, so type each exactly as written where a command asks for one (or make them one name in the file)"
    ]


@pytest.mark.parametrize(
    ("fmt", "shown"), [(NumberFormat.INDIAN, "4,50,00,00,000"), (NumberFormat.WESTERN, "4,500,000,000")]
)
def test_the_data_step_groups_its_warning_s_amounts_in_the_report_format(
    synthetic_run, tmp_path: Path, fmt: NumberFormat, shown: str
) -> None:
    """Before, the extreme-outlier warning of ``mmm data`` was grouped the Indian way whatever
    ``viz.number_format`` said."""
    result, _ = synthetic_run
    frame = pd.read_csv(result.raw_csv)
    frame.loc[0, schema.SALES_VALUE] = 4_500_000_000.0  # a slip of a few zeros
    source = tmp_path / "slip.csv"
    frame.to_csv(source, index=False)
    slipped = run_data(str(source), tmp_path / "raw", tmp_path / "processed", CONFIG, None, fmt=fmt)
    [note] = [w for w in slipped.warnings if "robust spreads" in w]
    assert f" is {shown}, " in note
