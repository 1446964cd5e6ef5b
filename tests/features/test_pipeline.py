"""``mmm features`` library entry: read the cleaned panel (parquet or CSV), build, write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config import load_config
from mmm_analytics.errors import InputError
from mmm_analytics.features.pipeline import build_features, read_clean_panel
from mmm_analytics.features.store import load_panel, meta_path
from mmm_analytics.synthetic import SyntheticPanel


def test_missing_clean_panel_names_the_file_and_the_command(tmp_path: Path) -> None:
    path = tmp_path / "clean_panel.parquet"
    with pytest.raises(InputError, match=rf"'{path}' not found; run 'mmm data' to make it"):
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
