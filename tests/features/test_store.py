"""features.parquet + features_meta.json: columns, fixed transforms, round trip, missing files.

Tolerances: a save/load round trip is exact (float64 parquet); fixed-transform columns
equal their NumPy references within ``rtol=1e-12``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig, FixedTransform, Granularity
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.features.store import (
    fixed_transform_columns,
    is_features_file,
    load_panel,
    meta_path,
    recorded_source,
    require_features_file,
    save_panel,
    to_frame,
)
from mmm_analytics.response import carryover, saturation
from mmm_analytics.utils.io import file_digest

ARRAYS = ("cpm", "exposure", "sales", "relative_price", "controls")


def assert_same_panel(loaded: FeaturePanel, panel: FeaturePanel) -> None:
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(panel, name), err_msg=name)
    np.testing.assert_array_equal(loaded.dates.to_numpy(), panel.dates.to_numpy())
    for name in ("geo", "brand", "sku", "channels", "control_names", "holdout_weeks", "notes"):
        assert getattr(loaded, name) == getattr(panel, name), name
    assert loaded.scalers.to_dict() == panel.scalers.to_dict()
    np.testing.assert_array_equal(loaded.scaled_controls, panel.scaled_controls)
    np.testing.assert_array_equal(loaded.observed, panel.observed)


def test_meta_path_sits_beside_the_parquet() -> None:
    assert meta_path(Path("data/processed/features.parquet")) == Path("data/processed/features_meta.json")


def test_save_load_round_trip_is_exact(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    path = tmp_path / "features.parquet"
    assert save_panel(geo_brand_panel, path, FeatureConfig()) == path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.parquet", "features_meta.json"]
    assert_same_panel(load_panel(path), geo_brand_panel)
    assert json.loads(meta_path(path).read_text())["granularity"] == "geo_brand"


def test_weeks_of_filled_in_sales_survive_the_file(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    """Before, the features file had no word of which weeks' sales the cleaning filled in."""
    observed = np.ones(geo_brand_panel.sales.shape, dtype=bool)
    observed[2, :30] = False
    panel = dataclasses.replace(geo_brand_panel, sales_observed=observed)
    path = save_panel(panel, tmp_path / "features.parquet", FeatureConfig())
    loaded = load_panel(path)
    assert loaded.sales_observed is not None and (loaded.sales_observed == observed).all()
    frame = pd.read_parquet(path).drop(columns="sales_observed")  # a file written before the column was kept
    frame.to_parquet(path)
    assert load_panel(path).sales_observed is None and load_panel(path).observed.all()


def test_the_source_file_is_recorded_by_path_and_digest(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    source = tmp_path / "clean_panel.parquet"
    source.write_bytes(b"panel bytes")
    path = tmp_path / "features.parquet"
    save_panel(geo_brand_panel, path, FeatureConfig(), source=source)
    assert recorded_source(path) == (source, file_digest(source))
    assert file_digest(source) == "5ae28589eaa7c939d9cafd27aab744e5972322f18d195085b66197ad00b270d6"  # sha256
    source.write_bytes(b"other bytes")
    recorded = recorded_source(path)
    assert recorded is not None and recorded[1] != file_digest(source)


def test_features_without_a_recorded_source_say_none(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    """Features of an earlier version record no source; a damaged meta file reads as none too."""
    path = tmp_path / "features.parquet"
    save_panel(geo_brand_panel, path, FeatureConfig())
    assert recorded_source(path) is None
    meta_path(path).write_text("{not json")
    assert recorded_source(path) is None


def test_a_panel_with_a_constant_and_a_copied_control_saves_and_loads(
    dated_frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Before, a promotion flag never on (or a control equal to another) stopped 'mmm features' with an
    IndexError: the whitened components (fewer than the controls) were written one per control name."""
    frame = dated_frame.assign(Feature_Flag=0.0, Numeric_Distribution=dated_frame["Weighted_Distribution"])
    panel = build_panel(frame, DataConfig(), FeatureConfig())
    n_components = panel.scaled_controls.shape[-1]
    assert n_components == len(panel.control_names) - 2
    path = save_panel(panel, tmp_path / "features.parquet", FeatureConfig())
    assert_same_panel(load_panel(path), panel)
    written = pd.read_parquet(path).filter(like="control_component_")
    assert list(written.columns) == [f"control_component_{j + 1}" for j in range(n_components)]


def test_sku_panel_round_trip_keeps_the_skus(sku_panel: FeaturePanel, tmp_path: Path) -> None:
    path = tmp_path / "features.parquet"
    save_panel(sku_panel, path, FeatureConfig(granularity=Granularity.GEO_BRAND_SKU))
    loaded = load_panel(path)
    assert loaded.sku == sku_panel.sku and loaded.exposure.shape == (8, 40, 6)
    assert_same_panel(loaded, sku_panel)
    assert json.loads(meta_path(path).read_text())["granularity"] == "geo_brand_sku"


@pytest.mark.parametrize("missing", ["features.parquet", "features_meta.json"], ids=["parquet", "meta"])
def test_missing_file_error_names_the_file(geo_brand_panel: FeaturePanel, tmp_path: Path, missing: str) -> None:
    path = tmp_path / "features.parquet"
    save_panel(geo_brand_panel, path, FeatureConfig())
    (tmp_path / missing).unlink()
    with pytest.raises(InputError, match=rf"'{tmp_path / missing}' not found; run 'mmm features'"):
        load_panel(path)


def _damage_parquet(path: Path) -> None:
    path.write_text("junk")


def _damage_meta(path: Path) -> None:
    meta_path(path).write_text("{")


def _meta_not_an_object(path: Path) -> None:
    meta_path(path).write_text("[1, 2]")


def _meta_without_channels(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta.pop("channels")
    meta_path(path).write_text(json.dumps(meta))


def _meta_with_a_damaged_value(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta["holdout_weeks"] = "twelve"
    meta_path(path).write_text(json.dumps(meta))


def _not_a_features_file(path: Path) -> None:
    pd.DataFrame({"Date": ["2024-01-01"], "Sales_Value": [1.0]}).to_parquet(path)


def _no_rows(path: Path) -> None:
    pd.read_parquet(path).iloc[:0].to_parquet(path)


def _a_series_short_of_weeks(path: Path) -> None:
    pd.read_parquet(path).iloc[1:].to_parquet(path)


def _series_ids_not_numbers(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame["series_id"] = frame["series_id"].astype(str)
    frame.to_parquet(path)


def _week_dropped_everywhere(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame[frame["Date"] != frame["Date"].unique()[5]].to_parquet(path)


def _weeks_dropped_unevenly(path: Path) -> None:
    frame = pd.read_parquet(path)
    weeks = frame["Date"].unique()
    drop = ((frame["series_id"] != 1) & (frame["Date"] == weeks[3])) | (
        (frame["series_id"] == 1) & (frame["Date"] == weeks[7])
    )  # one week out of every series, the same count each, another week in series 1
    frame[~drop].to_parquet(path)


def _every_row_twice(path: Path) -> None:
    frame = pd.read_parquet(path)
    pd.concat([frame, frame], ignore_index=True).to_parquet(path)


def _one_series_shifted(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame.loc[frame["series_id"] == 1, "Date"] += pd.Timedelta(days=2)
    frame.to_parquet(path)


def _negative_holdout(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta["holdout_weeks"] = -3
    meta_path(path).write_text(json.dumps(meta))


def _holdout_of_every_week(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta["holdout_weeks"] = int(pd.read_parquet(path)["Date"].nunique())
    meta_path(path).write_text(json.dumps(meta))


def _cpm_not_a_number(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta["cpm"] = [None, *meta["cpm"][1:]]
    meta_path(path).write_text(json.dumps(meta))


def _cpm_short(path: Path) -> None:
    meta = json.loads(meta_path(path).read_text())
    meta["cpm"] = meta["cpm"][1:]
    meta_path(path).write_text(json.dumps(meta))


def _negative_exposure(path: Path) -> None:
    frame = pd.read_parquet(path)
    column = next(c for c in frame.columns if c.startswith("exposure_"))
    frame.loc[4, column] = -1.0
    frame.to_parquet(path)


def _sales_missing(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame.loc[4, "Sales_Value"] = float("nan")
    frame.to_parquet(path)


def _zero_price(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame.loc[4, "relative_price"] = 0.0
    frame.to_parquet(path)


def test_features_sorted_another_way_load_as_written(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    """Before, a file re-sorted by date was cut into series x weeks as it lay: each series trained on other
    series' weeks (train R2 0.63 against 0.91), exit 0."""
    path = tmp_path / "features.parquet"
    save_panel(geo_brand_panel, path, FeatureConfig())
    expected = load_panel(path)
    frame = pd.read_parquet(path)
    frame.sort_values(["Date", "series_id"]).to_parquet(path, index=False)
    loaded = load_panel(path)
    np.testing.assert_array_equal(loaded.sales, expected.sales)
    np.testing.assert_array_equal(loaded.exposure, expected.exposure)
    assert (loaded.dates == expected.dates).all() and loaded.geo == expected.geo


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_damage_parquet, r"features.parquet: not a readable parquet file \(ArrowInvalid\)"),
        (_damage_meta, r"features_meta.json: not readable JSON \(JSONDecodeError\)"),
        (_meta_not_an_object, r"features_meta.json: expected a JSON object, got list"),
        (_meta_without_channels, r"features_meta.json: key 'channels' is missing"),
        (_meta_with_a_damaged_value, r"features_meta.json: a damaged value \(ValueError"),
        (_not_a_features_file, r"features.parquet: column 'series_id' is missing \(not a features file\?\)"),
        (_no_rows, r"features.parquet: no rows"),
        (_a_series_short_of_weeks, r"features.parquet: the series do not all have the same weeks"),
        (_series_ids_not_numbers, r"features.parquet: column 'series_id' does not hold series numbers"),
        # Before, each of these trained without a word: a dropped week closed up under the carryover, a shifted
        # series read against another's dates, 312 "weeks" from doubled rows, a negative holdout, a NaN CPM.
        (_week_dropped_everywhere, r"features.parquet: week \S+ is followed by \S+ \(14 days\), not the next week"),
        (_weeks_dropped_unevenly, r"features.parquet: series 1 does not have the same weeks as series 0"),
        (_every_row_twice, r"features.parquet: week \S+ is followed by \S+ \(0 days\), not the next week"),
        (_one_series_shifted, r"features.parquet: series 1 does not have the same weeks as series 0"),
        (_negative_holdout, r"features_meta.json: key 'holdout_weeks' is -3, not 0 to \d+ weeks of the \d+"),
        (_holdout_of_every_week, r"features_meta.json: key 'holdout_weeks' is \d+, not 0 to"),
        (_cpm_not_a_number, r"features_meta.json: key 'cpm' is not one finite, positive CPM per channel"),
        (_cpm_short, r"features_meta.json: key 'cpm' is not one finite, positive CPM per channel"),
        (_negative_exposure, r"features.parquet: column 'exposure_\w+' holds a value that is not >= 0"),
        (_sales_missing, r"features.parquet: column 'Sales_Value' holds a missing or non-finite value"),
        (_zero_price, r"features.parquet: column 'relative_price' holds a value that is not > 0"),
    ],
    ids=lambda value: getattr(value, "__name__", "")[1:] or None,
)
def test_a_damaged_or_foreign_file_is_named_with_the_fix(
    geo_brand_panel: FeaturePanel, tmp_path: Path, damage: Any, message: str
) -> None:
    """Files another step wrote, damaged or swapped: one InputError naming the file, never a traceback."""
    path = tmp_path / "features.parquet"
    save_panel(geo_brand_panel, path, FeatureConfig())
    damage(path)
    with pytest.raises(InputError, match=message + r".*re-run 'mmm features' to rebuild it"):
        load_panel(path)


def test_frame_has_one_row_per_series_and_week(geo_brand_panel: FeaturePanel) -> None:
    frame = to_frame(geo_brand_panel, FeatureConfig())
    assert len(frame) == 4 * 104
    assert frame["is_holdout"].sum() == 4 * 13
    assert not frame.loc[frame.series_id == 0, "is_holdout"].iloc[:91].any()
    for channel in geo_brand_panel.channels:
        for prefix in ("exposure", "spend", "scaled_exposure", "fixed"):
            assert f"{prefix}_{channel}" in frame.columns
    np.testing.assert_allclose(frame["spend_TV"], geo_brand_panel.spend[..., 0].ravel(), rtol=1e-12)
    assert "SKU" not in frame.columns
    assert frame.filter(like="control_component_").shape[1] == geo_brand_panel.scalers.whitening.shape[1]


def test_fixed_columns_are_adstock_then_hill_with_config_parameters(geo_brand_panel: FeaturePanel) -> None:
    config = FeatureConfig(
        max_lag=6,
        channel_transforms={"Radio": FixedTransform(carryover_beta=0.3, retention=0.8, half_saturation=2.0, slope=2.0)},
    )
    fixed = fixed_transform_columns(geo_brand_panel, config)
    scaled = geo_brand_panel.scaled_exposure
    tv = saturation.hill(carryover.beta_gamma_decay(scaled[..., 0], 0.6, 0.5, 6), 1.0, 1.0)
    radio = saturation.hill(carryover.beta_gamma_decay(scaled[..., 5], 0.3, 0.8, 6), 2.0, 2.0)
    np.testing.assert_allclose(fixed[..., 0], tv, rtol=1e-12)
    np.testing.assert_allclose(fixed[..., 5], radio, rtol=1e-12)
    assert np.all((fixed >= 0) & (fixed < 1))


def test_notes_round_trip_and_an_older_meta_without_them_loads(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    noted = dataclasses.replace(geo_brand_panel, notes=("control 'NOS' is constant over the training weeks",))
    path = save_panel(noted, tmp_path / "features.parquet", FeatureConfig())
    assert load_panel(path).notes == noted.notes
    meta = json.loads(meta_path(path).read_text())
    del meta["notes"]
    meta_path(path).write_text(json.dumps(meta))
    assert load_panel(path).notes == ()


def test_only_a_features_file_is_taken_as_one(geo_brand_panel: FeaturePanel, tmp_path: Path) -> None:
    """Before, the raw panel CSV given as --data was reported as a missing '..._meta.json'."""
    features = save_panel(geo_brand_panel, tmp_path / "features.parquet", FeatureConfig())
    clean = tmp_path / "clean_panel.parquet"
    pd.DataFrame({"Date": [0], "Geo": ["A"]}).to_parquet(clean)
    raw = tmp_path / "mmm_data.csv"
    raw.write_text("Date,Geo\n7/4/2022,A\n", encoding="utf-8")
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"junk")
    assert (is_features_file(features), is_features_file(clean), is_features_file(raw)) == (True, False, None)
    require_features_file(features, "--data")
    require_features_file(damaged, "--data")  # load_panel names the damage and the fix
    for given in (raw, clean):
        with pytest.raises(InputError, match=rf"^--data '{given}' is not a features file; --data must be the "):
            require_features_file(given, "--data")
