"""``mmm features`` library entry: read the cleaned panel (parquet, or a CSV cleaned like ``mmm data``), build, write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config import load_config
from mmm_analytics.config.data import DataConfig
from mmm_analytics.data.cleaning import clean_panel
from mmm_analytics.data.loader import read_raw_csv
from mmm_analytics.data.validation import validate_panel
from mmm_analytics.errors import InputError
from mmm_analytics.features.pipeline import build_features, check_panel_input, read_clean_panel
from mmm_analytics.features.store import load_panel, meta_path
from mmm_analytics.synthetic import SyntheticPanel


def test_missing_clean_panel_names_the_file_and_the_command(tmp_path: Path) -> None:
    path = tmp_path / "clean_panel.parquet"
    with pytest.raises(InputError, match=rf"'{path}' not found; run 'mmm data' to make it"):
        read_clean_panel(path)


def test_a_damaged_clean_panel_names_the_file_and_the_command(tmp_path: Path) -> None:
    path = tmp_path / "clean_panel.parquet"
    path.write_text("junk")
    with pytest.raises(InputError, match=r"clean_panel.parquet: not a readable parquet file .*re-run 'mmm data'"):
        read_clean_panel(path)


def test_a_parquet_that_is_not_a_cleaned_panel_is_named(tmp_path: Path) -> None:
    path = tmp_path / "features.parquet"
    pd.DataFrame({"series_id": [0], "Sales_Value": [1.0]}).to_parquet(path)
    with pytest.raises(InputError, match=r"features.parquet: column 'Date' is missing \(not a cleaned panel\?\)"):
        read_clean_panel(path)


def test_reads_parquet_as_written(dated_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "clean_panel.parquet"
    dated_frame.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(read_clean_panel(path), dated_frame, check_dtype=False)


def test_reads_a_schema_csv_with_typed_dates(small_panel: SyntheticPanel, tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    small_panel.frame.to_csv(path, index=False)
    frame = read_clean_panel(path)
    assert frame["Date"].dtype.kind == "M" and len(frame) == 416


def test_build_features_writes_what_load_panel_reads(dated_frame: pd.DataFrame, tmp_path: Path) -> None:
    clean = tmp_path / "clean_panel.parquet"
    dated_frame.to_parquet(clean, index=False)
    output = tmp_path / "processed" / "features.parquet"
    panel = build_features(clean, output, load_config(tmp_path / "no-config"))
    assert output.is_file() and meta_path(output).is_file()
    loaded = load_panel(output)
    assert panel.exposure.shape == loaded.exposure.shape == (4, 104, 6)
    np.testing.assert_array_equal(loaded.sales, panel.sales)


def _raw_csv_with_gaps(small_panel: SyntheticPanel, tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The small panel as CSV with one empty Sales_Value and one week missing for every series."""
    frame = small_panel.frame.copy()
    frame["Sales_Value"] = frame["Sales_Value"].astype(object)
    frame.loc[5, "Sales_Value"] = ""
    frame = frame[frame["Date"] != frame["Date"].iloc[40]]
    path = tmp_path / "raw_panel.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_a_raw_csv_is_validated_and_cleaned_like_the_data_step(small_panel: SyntheticPanel, tmp_path: Path) -> None:
    path, _ = _raw_csv_with_gaps(small_panel, tmp_path)
    config = DataConfig()
    frame = read_clean_panel(path, config)
    validated = validate_panel(read_raw_csv(path), str(path), config.channel_table(), config.validation)
    pd.testing.assert_frame_equal(frame, clean_panel(validated.frame, config.cleaning).frame)
    assert len(frame) == 416 and not frame.isna().any().any()
    assert (frame["Sales_Value"] > 0).all()  # the empty cell and the missing week are imputed, not 0.0


def test_features_from_a_raw_csv_with_a_missing_week_build(small_panel: SyntheticPanel, tmp_path: Path) -> None:
    path, _ = _raw_csv_with_gaps(small_panel, tmp_path)
    panel = build_features(path, tmp_path / "features.parquet", load_config(tmp_path / "no-config"))
    assert panel.sales.shape == (4, 104)
    assert np.isfinite(panel.scaled_controls).all() and (panel.sales > 0).all()


def test_a_raw_csv_with_an_implausible_exposure_names_the_column(small_panel: SyntheticPanel, tmp_path: Path) -> None:
    frame = small_panel.frame.copy()
    frame["TV_Impressions"] = frame["TV_Impressions"].astype(object)
    frame.loc[7, "TV_Impressions"] = "1e308"
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=rf"^{path}: column 'TV_Impressions': 1 value above 1e\+12"):
        build_features(path, tmp_path / "features.parquet", load_config(tmp_path / "no-config"))


def test_a_cleaned_panel_is_read_by_the_data_steps_reader(tmp_path: Path) -> None:
    """The features step and ``load_clean_panel`` check a cleaned parquet with one reader: same lines."""
    from mmm_analytics.data.pipeline import load_clean_panel

    path = tmp_path / "clean_panel.parquet"
    pd.DataFrame({"Date": [0], "Geo": ["A"], "Sales_Value": [1.0]}).to_parquet(path)
    for read in (read_clean_panel, load_clean_panel):
        with pytest.raises(InputError, match=r"column 'Brand' is missing \(not a cleaned panel\?\); re-run 'mmm data'"):
            read(path)


def test_a_features_file_given_as_the_cleaned_panel_is_named(tmp_path: Path) -> None:
    """Before, it said to fix the channels of data_config.yaml."""
    path = tmp_path / "features.parquet"
    frame = pd.DataFrame({"series_id": [0], "Date": [0], "Geo": ["A"], "Brand": ["B"], "Sales_Value": [1.0]})
    frame.to_parquet(path)
    with pytest.raises(InputError, match=r"features.parquet is a features file \(written by 'mmm features'\)"):
        read_clean_panel(path)


def test_a_features_file_given_as_the_input_names_the_option(tmp_path: Path) -> None:
    features = tmp_path / "features.parquet"
    pd.DataFrame({"series_id": [0], "Sales_Value": [1.0]}).to_parquet(features)
    with pytest.raises(InputError, match=rf"^--input '{features}' is a features file \(written by 'mmm features'\)"):
        check_panel_input(features, "--input")
    clean = tmp_path / "clean_panel.parquet"
    pd.DataFrame({"Date": [0], "Sales_Value": [1.0]}).to_parquet(clean)
    check_panel_input(clean, "--input")
    check_panel_input(tmp_path / "missing.parquet", "--input")  # left to the reading, which names it


def test_a_parquet_with_text_sales_is_one_line_not_a_traceback(dated_frame: pd.DataFrame, tmp_path: Path) -> None:
    """Before: TypeError in the price weighting (``Can only string multiply by an integer``)."""
    path = tmp_path / "clean_panel.parquet"
    dated_frame.assign(Sales_Value=dated_frame["Sales_Value"].astype(str)).to_parquet(path, index=False)
    with pytest.raises(InputError, match=r"clean_panel.parquet: column 'Sales_Value' holds \w+ values, not numbers"):
        read_clean_panel(path)


def test_a_parquet_with_duplicate_rows_is_refused_not_summed(dated_frame: pd.DataFrame, tmp_path: Path) -> None:
    """Before, the duplicated series-weeks had their sales and exposures doubled in the features."""
    path = tmp_path / "clean_panel.parquet"
    pd.concat([dated_frame, dated_frame.iloc[:3]]).to_parquet(path, index=False)
    with pytest.raises(InputError, match=r"3 duplicate series-week rows"):
        read_clean_panel(path)


def test_a_csv_cleaned_by_the_features_step_says_what_was_fixed(small_panel: SyntheticPanel, tmp_path: Path) -> None:
    """Before, the fixes ('n/a' imputed, weeks added) were made without a word, unlike in 'mmm data'."""
    frame = small_panel.frame.astype({"TV_Impressions": object})
    frame.loc[5, "TV_Impressions"] = "n/a"
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    panel = build_features(path, tmp_path / "features.parquet", load_config(tmp_path / "no-config"))
    assert panel.notes[0].startswith(f"'{path}' was validated and cleaned as 'mmm data' does, with 1 fix(es) (first: ")
    assert "column 'TV_Impressions'" in panel.notes[0]
    clean = tmp_path / "clean_panel.parquet"
    read_clean_panel(path).to_parquet(clean)
    parquet = build_features(clean, tmp_path / "features2.parquet", load_config(tmp_path / "no-config"))
    assert not any("was validated and cleaned" in note for note in parquet.notes)
