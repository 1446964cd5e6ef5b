"""A channel given by a spend column outside the schema, from the CSV through the data step to the model's spend.

The config gives ``TV: {column: TV_Impressions, spend_column: TV_Spend}``: ``TV_Spend`` (INR per
week) must survive validation and cleaning into ``clean_panel.parquet``, and the feature
panel's TV spend must be the ``TV_Spend`` totals. Tolerance: sums of the CSV's values
``rtol=1e-12``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import OUTLIER_FLAG, SALES_OBSERVED
from mmm_analytics.data.pipeline import load_clean_panel, run_data
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import build_panel
from mmm_analytics.features.pipeline import read_clean_panel
from mmm_analytics.synthetic import SyntheticPanel

CHANNELS_YAML = """
channels:
  TV:        {column: TV_Impressions,        spend_column: TV_Spend}
  YouTube:   {column: YouTube_Impressions,   cpm: 1.60}
  Facebook:  {column: Facebook_Impressions,  cpm: 2.00}
  Instagram: {column: Instagram_Impressions, cpm: 4.50}
  Print:     {column: Print_Readership,      cpm: 6.00}
  Radio:     {column: Radio_Listenership,    cpm: 0.60}
holdout_weeks: 13
"""
CONFIG = DataConfig.model_validate(yaml.safe_load(CHANNELS_YAML))
SERIES = [schema.GEO, schema.BRAND]


@pytest.fixture(scope="module")
def spend_csv(small_panel: SyntheticPanel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small panel (2 geos x 2 brands x 1 SKU x 104 weeks) with a ``TV_Spend`` column in INR."""
    frame = small_panel.frame.copy()
    rng = np.random.default_rng(5)
    frame["TV_Spend"] = np.round(frame["TV_Impressions"] * 1.2 / 1000 * rng.uniform(0.5, 1.5, len(frame)), 2)
    path = tmp_path_factory.mktemp("spend") / "with_spend.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def spend_run(spend_csv: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("spend_run")
    return run_data(str(spend_csv), root / "raw", root / "processed", CONFIG, None)


def _csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    return frame.assign(**{schema.DATE: pd.to_datetime(frame[schema.DATE], format="%m/%d/%Y")})


def test_clean_panel_parquet_keeps_the_spend_column(spend_run, spend_csv: Path) -> None:
    frame = pd.read_parquet(spend_run.clean_panel)
    assert list(frame.columns) == [*schema.ALL_COLUMNS, "TV_Spend", OUTLIER_FLAG, SALES_OBSERVED]
    assert frame["TV_Spend"].dtype == "float64"
    expected = _csv(spend_csv).sort_values([*schema.KEY_COLUMNS, schema.DATE]).reset_index(drop=True)
    np.testing.assert_array_equal(frame["TV_Spend"], expected["TV_Spend"])
    pd.testing.assert_frame_equal(load_clean_panel(spend_run.clean_panel), frame)


def test_model_tv_spend_is_the_spend_column(spend_run, spend_csv: Path) -> None:
    panel = build_panel(read_clean_panel(spend_run.clean_panel), CONFIG, FeatureConfig())
    source = _csv(spend_csv)
    tv, radio = panel.channels.index("TV"), panel.channels.index("Radio")
    assert panel.cpm[tv] == 1000.0
    np.testing.assert_allclose(panel.spend[..., tv].sum(), source["TV_Spend"].sum(), rtol=1e-12)
    weekly = source.groupby([*SERIES, schema.DATE], sort=True)[["TV_Spend", "Radio_Listenership"]].sum()
    shape = (len(panel.geo), len(panel.dates))
    np.testing.assert_allclose(panel.spend[..., tv], weekly["TV_Spend"].to_numpy().reshape(shape), rtol=1e-12)
    np.testing.assert_allclose(
        panel.spend[..., radio], weekly["Radio_Listenership"].to_numpy().reshape(shape) * 0.6 / 1000, rtol=1e-12
    )


def test_empty_spend_cells_are_imputed_end_to_end(spend_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(spend_csv)
    frame.loc[[10, 50], "TV_Spend"] = np.nan
    gappy = tmp_path / "gappy.csv"
    frame.to_csv(gappy, index=False)
    result = run_data(str(gappy), tmp_path / "raw", tmp_path / "processed", CONFIG, None)
    cleaned = pd.read_parquet(result.clean_panel)
    assert not cleaned["TV_Spend"].isna().any()
    assert any("TV_Spend" in fix for fix in result.fixes)


def test_missing_spend_column_stops_the_data_step(small_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        run_data(str(small_csv), tmp_path / "raw", tmp_path / "processed", CONFIG, None)
    message = str(caught.value)
    assert "column 'TV_Spend'" in message and "'channels.TV.spend_column'" in message
    assert "\n" not in message
    assert not (tmp_path / "processed").exists() or not any((tmp_path / "processed").iterdir())
