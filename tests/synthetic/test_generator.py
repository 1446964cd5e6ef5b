"""The bundled synthetic panel: exact schema and size, determinism, and a truth file that matches the CSV.

The truth check recomputes every channel's contribution from the exposures written to
the CSV (SKUs summed per geo x brand) with the carryover weights, saturation and
coefficients stored in the truth, and compares with the stored totals (rtol 1e-6).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import (
    ChannelSpec,
    DataConfig,
    SyntheticSetting,
    SyntheticSettings,
)
from mmm_analytics.data import schema
from mmm_analytics.data.loader import load_panel
from mmm_analytics.response import carryover, saturation
from mmm_analytics.synthetic import GroundTruth, SyntheticPanel, generate_panel, world
from tests.fingerprint import STORED, assert_same_fingerprint, frame_fingerprint, json_fingerprint

CHANNELS = Channels.default()
RTOL = 1e-6


@pytest.fixture(scope="module")
def default_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    """The default-size panel (one generation for this module), written as CSV, and its truth."""
    panel = generate_panel(SyntheticSettings(), CHANNELS)
    path = tmp_path_factory.mktemp("synthetic") / "mmm_data.csv"
    panel.frame.to_csv(path, index=False)
    return path, panel.truth


def _series_exposure(frame: pd.DataFrame, region: str, brand: str, columns: list[str]) -> np.ndarray:
    """Weekly exposure of one geo x brand summed over SKUs, shape (n_weeks, n_channels)."""
    rows = frame[(frame[schema.GEO] == region) & (frame[schema.BRAND] == brand)]
    week = pd.to_datetime(rows[schema.DATE], format="%m/%d/%Y")
    return rows.groupby(week, sort=True)[columns].sum().to_numpy()


def _recompute(frame: pd.DataFrame, truth: GroundTruth) -> tuple[dict[str, float], dict[str, float], list[dict]]:
    """National contribution and spend per channel, and per-series contributions, from the CSV exposures."""
    data = truth.data
    channels = truth.channels
    columns = [CHANNELS.column_of(c) for c in channels]
    weights = np.array([data["carryover"]["weights"][c] for c in channels]).T  # (max_lag + 1, n_channels)
    slope = np.array([data["saturation"]["slope"][c] for c in channels])
    cpm = np.array([data["cpm"][c] for c in channels])
    contribution, spend, per_series = np.zeros(len(channels)), np.zeros(len(channels)), []
    for entry in data["series"]:
        exposure = _series_exposure(frame, entry["region"], entry["brand"], columns)
        scale = np.array([entry["exposure_scale"][c] for c in channels])
        coefficient = np.array([entry["coefficient"][c] for c in channels])
        half = np.array([entry["half_saturation"][c] for c in channels])  # the series' own
        own_slope = slope * np.array([(entry.get("slope_factor") or {}).get(c, 1.0) for c in channels])
        carried = carryover.apply_carryover(exposure / scale, weights)
        weekly = coefficient * saturation.saturate(carried, data["saturation"]["family"], half, own_slope)
        per_series.append(dict(zip(channels, weekly.sum(axis=0))))
        contribution += weekly.sum(axis=0)
        spend += exposure.sum(axis=0) * cpm / 1000.0
    return dict(zip(channels, contribution)), dict(zip(channels, spend)), per_series


def test_default_panel_has_the_exact_schema_and_size(default_csv) -> None:
    path, _ = default_csv
    raw = pd.read_csv(path)
    assert list(raw.columns) == list(schema.ALL_COLUMNS)
    assert raw.shape == (11_232, 28)
    assert raw[schema.DATE].iloc[0] == "7/4/2022"
    assert (raw[schema.GEO].nunique(), raw[schema.BRAND].nunique(), raw[schema.SKU].nunique()) == (8, 3, 9)
    assert raw.groupby(schema.BRAND)[schema.SKU].nunique().tolist() == [3, 3, 3]
    assert raw.groupby(list(schema.KEY_COLUMNS)).ngroups == 72
    assert raw[schema.DATE].nunique() == 156
    assert set(raw[list(schema.FLAG_COLUMNS)].to_numpy().ravel()) <= {0, 1}


def test_default_panel_validates_on_a_complete_weekly_grid(default_csv) -> None:
    path, _ = default_csv
    frame = load_panel(path)
    assert len(frame) == 11_232 and not frame.isna().any().any()
    weeks = np.sort(frame[schema.DATE].unique())
    assert weeks[0] == np.datetime64("2022-07-04") and (np.diff(weeks) == np.timedelta64(7, "D")).all()


def test_truth_matches_the_csv(default_csv) -> None:
    path, truth = default_csv
    frame = pd.read_csv(path)
    contribution, spend, per_series = _recompute(frame, truth)
    assert sum(contribution.values()) == pytest.approx(truth.data["total_media_contribution"], rel=RTOL)
    for channel, value in truth.data["national"].items():
        assert contribution[channel] == pytest.approx(value["contribution"], rel=RTOL)
        assert spend[channel] == pytest.approx(value["spend"], rel=RTOL)
        assert contribution[channel] / spend[channel] == pytest.approx(value["roi"], rel=RTOL)
    for recomputed, entry in zip(per_series, truth.data["series"]):
        for channel in truth.channels:
            assert recomputed[channel] == pytest.approx(entry["contribution"][channel], rel=RTOL)


OTHER_WORLDS = [s for s in SyntheticSetting if s is not SyntheticSetting.DEFAULT]


@pytest.mark.parametrize("setting", OTHER_WORLDS, ids=[s.value for s in OTHER_WORLDS])
def test_truth_matches_the_data_in_other_settings(setting: SyntheticSetting) -> None:
    settings = SyntheticSettings(seed=3, n_geos=2, n_brands=2, n_skus=2, n_weeks=60, setting=setting)
    panel = generate_panel(settings, CHANNELS)
    contribution, _, _ = _recompute(panel.frame, panel.truth)
    assert sum(contribution.values()) == pytest.approx(panel.truth.data["total_media_contribution"], rel=RTOL)
    assert panel.truth.data["setting"] == setting.value


def test_same_seed_same_panel_other_seed_other_panel() -> None:
    small = SyntheticSettings(seed=21, n_geos=2, n_brands=1, n_skus=2, n_weeks=52)
    first, again = generate_panel(small), generate_panel(small)
    pd.testing.assert_frame_equal(first.frame, again.frame, check_exact=True)
    assert first.truth.data == again.truth.data
    other = generate_panel(small.model_copy(update={"seed": 22}))
    assert not np.allclose(first.frame["Sales_Value"], other.frame["Sales_Value"])


def test_truth_cpms_follow_the_channel_table() -> None:
    """A configured CPM prices the truth's spend; channels the table lacks or prices by a spend column keep the built-in CPM."""
    small = SyntheticSettings(seed=21, n_geos=1, n_brands=1, n_skus=1, n_weeks=40)
    config = DataConfig(
        channels={
            "TV": ChannelSpec(column="TV_Impressions", cpm=2.4),
            "Radio": ChannelSpec(column="Radio_Listenership", spend_column="Radio_Spend"),
        }
    )
    priced, default = generate_panel(small, config.channel_table()), generate_panel(small)
    expected = dict(zip(CHANNELS.names, CHANNELS.cpm)) | {"TV": 2.4}
    assert priced.truth.data["cpm"] == expected
    assert default.truth.data["cpm"] == dict(zip(CHANNELS.names, CHANNELS.cpm))
    pd.testing.assert_frame_equal(priced.frame, default.frame, check_exact=True)
    tv_spend = (priced.truth.data["national"]["TV"]["spend"], default.truth.data["national"]["TV"]["spend"])
    assert tv_spend[0] == pytest.approx(2.0 * tv_spend[1], rel=1e-12)
    assert priced.truth.data["national"]["Radio"] == default.truth.data["national"]["Radio"]


def test_exposure_columns_follow_the_default_channel_table(default_csv) -> None:
    path, truth = default_csv
    assert truth.channels == list(CHANNELS.names)
    assert set(CHANNELS.columns) <= set(pd.read_csv(path, nrows=1).columns)


def test_start_date_and_size_follow_the_settings() -> None:
    settings = SyntheticSettings(n_geos=1, n_brands=2, n_skus=1, n_weeks=40, start_date=dt.date(2023, 1, 2))
    panel = generate_panel(settings)
    assert len(panel.frame) == 1 * 2 * 1 * 40
    assert panel.frame[schema.DATE].iloc[0] == "1/2/2023"


def test_youtube_and_instagram_move_together(default_csv) -> None:
    """National weekly exposure per brand: YouTube and Instagram strongly correlated, unlike TV."""
    path, _ = default_csv
    frame = pd.read_csv(path)
    columns = ["YouTube_Impressions", "Instagram_Impressions", "TV_Impressions"]
    weekly = frame.groupby([schema.BRAND, schema.DATE])[columns].sum()
    for _, brand in weekly.groupby(level=0):
        correlation = brand.corr()
        assert correlation.loc["YouTube_Impressions", "Instagram_Impressions"] > 0.8
        assert abs(correlation.loc["YouTube_Impressions", "TV_Impressions"]) < 0.5


def test_festival_index_peaks_around_diwali(default_csv) -> None:
    path, _ = default_csv
    frame = pd.read_csv(path)
    festival = frame.groupby(schema.DATE, sort=False)["Festival_Index"].mean()
    peak = pd.to_datetime(festival.idxmax(), format="%m/%d/%Y")
    assert peak.month in (10, 11)


# ----- panels of any size; the default panel unchanged
UNCHANGED_WORLDS = (SyntheticSetting.DEFAULT, SyntheticSetting.COLLINEAR, SyntheticSetting.MISSPECIFIED)


@pytest.mark.parametrize("setting", UNCHANGED_WORLDS, ids=[s.value for s in UNCHANGED_WORLDS])
def test_default_panel_is_unchanged(setting: SyntheticSetting) -> None:
    panel = generate_panel(SyntheticSettings(setting=setting))
    assert_same_fingerprint(frame_fingerprint(panel.frame), STORED[setting.value]["frame"])
    assert_same_fingerprint(json_fingerprint(panel.truth.to_json()), STORED[setting.value]["truth"])


def test_a_small_panel_is_unchanged() -> None:
    panel = generate_panel(SyntheticSettings(seed=7, n_geos=2, n_brands=2, n_skus=1, n_weeks=104))
    assert_same_fingerprint(frame_fingerprint(panel.frame), STORED["small"]["frame"])


def test_the_fingerprint_catches_a_change_far_below_a_cents_worth() -> None:
    """One Sales_Value moved by a millionth of itself, one flag flipped, one truth number nudged: each is caught."""
    panel = generate_panel(SyntheticSettings(seed=7, n_geos=2, n_brands=2, n_skus=1, n_weeks=104))
    expected = STORED["small"]["frame"]
    moved = panel.frame.copy()
    moved.loc[5, "Sales_Value"] *= 1.0 + 1e-6
    with pytest.raises(AssertionError, match="Sales_Value"):
        assert_same_fingerprint(frame_fingerprint(moved), expected)
    flipped = panel.frame.copy()
    flipped.loc[3, "TPR_Flag"] = 1 - flipped.loc[3, "TPR_Flag"]
    with pytest.raises(AssertionError, match="TPR_Flag"):
        assert_same_fingerprint(frame_fingerprint(flipped), expected)
    truth = json.loads(panel.truth.to_json())
    reference = json_fingerprint(json.dumps(truth))
    truth["national"]["TV"]["roi"] *= 1.0 + 1e-6
    with pytest.raises(AssertionError, match="floats"):
        assert_same_fingerprint(json_fingerprint(json.dumps(truth)), reference)


@pytest.fixture(scope="module")
def large_panel() -> SyntheticPanel:
    """More geos, brands and SKUs than the published file: 12 x 5 x 4 x 52."""
    return generate_panel(SyntheticSettings(seed=8, n_geos=12, n_brands=5, n_skus=4, n_weeks=52), CHANNELS)


def test_a_large_panel_has_generated_names_and_a_full_grid(large_panel: SyntheticPanel) -> None:
    frame = large_panel.frame
    assert len(frame) == 12 * 5 * 4 * 52 and list(frame.columns) == list(schema.ALL_COLUMNS)
    assert list(frame[schema.GEO].unique()) == [*world.GEOS, "GEO009", "GEO010", "GEO011", "GEO012"]
    assert list(frame[schema.BRAND].unique()) == ["BrandA", "BrandB", "BrandC", "BrandD", "BrandE"]
    assert frame.groupby(schema.BRAND)[schema.SKU].nunique().tolist() == [4] * 5
    assert frame.groupby(list(schema.KEY_COLUMNS)).ngroups == 12 * 5 * 4
    assert len(large_panel.truth.data["series"]) == 60
    assert set(large_panel.truth.data["elasticity"]) == set(large_panel.brands)


def test_a_large_panels_truth_matches_its_data(large_panel: SyntheticPanel) -> None:
    contribution, _, per_series = _recompute(large_panel.frame, large_panel.truth)
    assert sum(contribution.values()) == pytest.approx(large_panel.truth.data["total_media_contribution"], rel=RTOL)
    for recomputed, entry in zip(per_series, large_panel.truth.data["series"]):
        for channel in large_panel.truth.channels:
            assert recomputed[channel] == pytest.approx(entry["contribution"][channel], rel=RTOL)


def test_weekly_contribution_sums_to_the_truth(large_panel: SyntheticPanel) -> None:
    """``SyntheticPanel.contribution`` (geo, brand, week, channel) is the truth's weekly split (rtol 1e-9)."""
    weekly = large_panel.contribution
    assert weekly.shape == (12, 5, 52, len(CHANNELS.names)) and np.all(weekly >= 0.0)
    for entry in large_panel.truth.data["series"]:
        g, b = large_panel.geos.index(entry["region"]), large_panel.brands.index(entry["brand"])
        totals = [entry["contribution"][c] for c in large_panel.truth.channels]
        np.testing.assert_allclose(weekly[g, b].sum(axis=0), totals, rtol=1e-9)
    assert large_panel.dates[0] == dt.date(2022, 7, 4) and len(large_panel.dates) == 52


def test_generated_brands_vary_in_level(large_panel: SyntheticPanel) -> None:
    """Per-brand variation carries over to generated brands: mean weekly sales differ by brand."""
    by_brand = large_panel.frame.groupby(schema.BRAND)["Sales_Value"].mean()
    assert by_brand.nunique() == 5 and by_brand.max() / by_brand.min() > 1.1
