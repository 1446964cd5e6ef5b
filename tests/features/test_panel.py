"""The model-ready panel: shapes, aggregation, spend, prices, controls and user errors.

Tolerances: sums and products of the input columns ``rtol=1e-12``; whitened training
controls have the identity covariance within ``atol=1e-6``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import ChannelSpec, DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel, build_panel, require_fittable

CHANNEL_COLUMNS = [
    "TV_Impressions",
    "YouTube_Impressions",
    "Facebook_Impressions",
    "Instagram_Impressions",
    "Print_Readership",
    "Radio_Listenership",
]


def test_shapes_for_two_geos_by_two_brands(geo_brand_panel: FeaturePanel) -> None:
    panel = geo_brand_panel
    assert panel.exposure.shape == (4, 104, 6)
    assert panel.sales.shape == panel.relative_price.shape == (4, 104)
    assert panel.controls.shape == (4, 104, len(panel.control_names))
    assert panel.geo == ("CENTRAL", "CENTRAL", "EAST", "EAST")
    assert panel.brand == ("BrandA", "BrandB", "BrandA", "BrandB")
    assert panel.sku is None
    assert panel.channels == ("TV", "YouTube", "Facebook", "Instagram", "Print", "Radio")
    assert len(panel.dates) == 104 and panel.dates.is_monotonic_increasing
    assert panel.dates[0] == pd.Timestamp("2022-07-04")
    assert panel.holdout_weeks == 13 and panel.n_train_weeks == 91


def test_control_names_put_calendar_terms_first(geo_brand_panel: FeaturePanel) -> None:
    names = geo_brand_panel.control_names
    assert names[:8] == (
        "trend",
        "festive_week",
        "fourier_sin_1",
        "fourier_cos_1",
        "fourier_sin_2",
        "fourier_cos_2",
        "fourier_sin_3",
        "fourier_cos_3",
    )
    assert "CPI" in names and "TPR_Flag" in names and "TV_Impressions" not in names
    controls = geo_brand_panel.controls
    np.testing.assert_allclose(controls[0, :, 0], np.arange(104) / 52.0, rtol=1e-12)
    assert set(np.unique(controls[..., 1])) <= {0.0, 1.0}
    np.testing.assert_array_equal(controls[:, :, :8], np.broadcast_to(controls[:1, :, :8], controls[:, :, :8].shape))


def test_arrays_follow_the_source_rows(geo_brand_panel: FeaturePanel, dated_frame: pd.DataFrame) -> None:
    panel = geo_brand_panel
    for s, (geo, brand) in enumerate(zip(panel.geo, panel.brand, strict=True)):
        rows = dated_frame[(dated_frame.Geo == geo) & (dated_frame.Brand == brand)].sort_values("Date")
        np.testing.assert_allclose(panel.exposure[s], rows[CHANNEL_COLUMNS].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(panel.sales[s], rows["Sales_Value"].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(panel.relative_price[s], (rows.Net_Price / rows.MRP.mean()).to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(
            panel.controls[s, :, panel.control_names.index("CPI")], rows.CPI.to_numpy(), rtol=1e-12
        )


def test_spend_is_exposure_times_cpm_per_thousand(geo_brand_panel: FeaturePanel) -> None:
    cpm = np.array([1.20, 1.60, 2.00, 4.50, 6.00, 0.60])
    np.testing.assert_allclose(geo_brand_panel.cpm, cpm, rtol=1e-12)
    np.testing.assert_allclose(geo_brand_panel.spend, geo_brand_panel.exposure * cpm / 1000.0, rtol=1e-12)
    assert geo_brand_panel.spend.shape == (4, 104, 6)


def test_whitened_controls_have_identity_covariance_on_training_weeks(geo_brand_panel: FeaturePanel) -> None:
    whitened = geo_brand_panel.scaled_controls
    train = whitened[:, : geo_brand_panel.n_train_weeks].reshape(-1, whitened.shape[-1])
    np.testing.assert_allclose(np.cov(train, rowvar=False), np.eye(train.shape[1]), atol=1e-6)
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-6)


def test_scaled_exposure_averages_one_per_series_and_channel(geo_brand_panel: FeaturePanel) -> None:
    means = geo_brand_panel.scaled_exposure.mean(axis=1)
    ran = geo_brand_panel.exposure.sum(axis=1) > 0
    np.testing.assert_allclose(means[ran], 1.0, rtol=1e-9)


def test_geo_brand_sku_granularity_keeps_every_sku(sku_panel: FeaturePanel, sku_frame: pd.DataFrame) -> None:
    assert sku_panel.exposure.shape == (2 * 2 * 2, 40, 6)
    assert sku_panel.sku is not None and len(set(sku_panel.sku)) == 4
    assert list(zip(sku_panel.geo, sku_panel.brand, sku_panel.sku, strict=True)) == sorted(
        zip(sku_panel.geo, sku_panel.brand, sku_panel.sku, strict=True)
    )
    np.testing.assert_allclose(sku_panel.sales.sum(), sku_frame.Sales_Value.sum(), rtol=1e-12)
    assert set(sku_panel.vocabularies()) == {"brand", "region", "sku"}


def test_geo_brand_sums_the_skus(sku_frame: pd.DataFrame) -> None:
    panel = build_panel(sku_frame, DataConfig(), FeatureConfig())
    assert panel.exposure.shape == (4, 40, 6)
    expected = sku_frame.groupby(["Geo", "Brand", "Date"])[CHANNEL_COLUMNS].sum().to_numpy().reshape(4, 40, 6)
    np.testing.assert_allclose(panel.exposure, expected, rtol=1e-12)
    relative = sku_frame.Net_Price / sku_frame.groupby(["Geo", "Brand", "SKU"]).MRP.transform("mean")
    weighted = (relative * sku_frame.Sales_Value).groupby([sku_frame.Geo, sku_frame.Brand, sku_frame.Date]).sum()
    sales = sku_frame.groupby(["Geo", "Brand", "Date"]).Sales_Value.sum()
    np.testing.assert_allclose(panel.relative_price, (weighted / sales).to_numpy().reshape(4, 40), rtol=1e-12)


def test_vocabularies_and_meta_are_json_ready(geo_brand_panel: FeaturePanel) -> None:
    vocab = geo_brand_panel.vocabularies()
    assert vocab["brand"].values == ("BrandA", "BrandB") and vocab["region"].values == ("CENTRAL", "EAST")
    meta = json.loads(json.dumps(geo_brand_panel.meta()))
    assert meta["channels"][0] == "TV" and meta["holdout_weeks"] == 13
    assert meta["vocabularies"]["region"] == {"name": "region", "values": ["CENTRAL", "EAST"]}
    assert len(meta["scalers"]["exposure_scale"]) == 4


def test_a_spend_column_channel_has_spend_equal_to_the_column(dated_frame: pd.DataFrame) -> None:
    frame = dated_frame.assign(TV_Spend=dated_frame.TV_Impressions * 0.002)
    config = DataConfig(
        channels={
            "TV": ChannelSpec(column="TV_Impressions", spend_column="TV_Spend"),
            "Radio": ChannelSpec(column="Radio_Listenership", cpm=0.6),
        }
    )
    panel = build_panel(frame, config, FeatureConfig())
    assert panel.channels == ("TV", "Radio")
    np.testing.assert_allclose(panel.cpm, [1000.0, 0.6], rtol=1e-12)
    np.testing.assert_array_equal(panel.cpm, config.channel_table().cpm_array())
    expected = frame[frame.Geo.eq("CENTRAL") & frame.Brand.eq("BrandA")].sort_values("Date").TV_Spend
    np.testing.assert_allclose(panel.spend[0, :, 0], expected.to_numpy(), rtol=1e-12)


def test_missing_channel_column_names_channel_and_column(dated_frame: pd.DataFrame) -> None:
    config = DataConfig(channels={"Cinema": ChannelSpec(column="Cinema_Admissions", cpm=3.0)})
    with pytest.raises(InputError, match=r"channel 'Cinema': column 'Cinema_Admissions' is not in the panel"):
        build_panel(dated_frame, config, FeatureConfig())


def test_incomplete_grid_is_an_input_error(dated_frame: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="not a complete series x week grid"):
        build_panel(dated_frame.drop(index=dated_frame.index[5]), DataConfig(), FeatureConfig())


@pytest.mark.parametrize("weeks", [1, 8])
def test_a_panel_too_short_to_train_on_says_so(dated_frame: pd.DataFrame, weeks: int) -> None:
    """Before, the published file's first rows (one week) were told to set holdout_weeks to 0, which
    still left too few weeks."""
    first = sorted(dated_frame["Date"].unique())[:weeks]
    with pytest.raises(InputError, match=rf"^the panel has {weeks} weeks? of data; the model needs at least 9"):
        build_panel(dated_frame[dated_frame["Date"].isin(first)], DataConfig(holdout_weeks=0), FeatureConfig())


@pytest.mark.parametrize("holdout", [96, 200], ids=["leaves_eight_weeks", "longer_than_data"])
def test_too_long_holdout_names_the_key(dated_frame: pd.DataFrame, holdout: int) -> None:
    """The message says what to set (it named no limit)."""
    with pytest.raises(
        InputError, match=rf"data_config.yaml: key 'holdout_weeks' \({holdout}\) leaves too few"
    ) as caught:
        build_panel(dated_frame, DataConfig(holdout_weeks=holdout), FeatureConfig())
    assert str(caught.value).endswith("set holdout_weeks to at most 95")
    build_panel(dated_frame, DataConfig(holdout_weeks=95), FeatureConfig())  # the largest allowed


# ----- what the model cannot fit is an InputError naming the series, channel or control
@pytest.mark.parametrize("launch", [None, 91], ids=["never_sold", "launched_in_the_holdout"])
def test_a_series_without_training_sales_is_left_out_and_named(dated_frame: pd.DataFrame, launch: int | None) -> None:
    """Before, a brand launched in the holdout weeks stopped 'mmm features' ("correct its sales or remove
    the series") although the panel was valid; it is left out of the model and named."""
    frame = dated_frame.copy()
    weeks = sorted(frame["Date"].unique())
    late = (frame.Geo == "EAST") & (frame.Brand == "BrandB")
    if launch is not None:
        late &= frame["Date"] < weeks[launch]
    frame.loc[late, "Sales_Value"] = 0.0
    panel = build_panel(frame, DataConfig(), FeatureConfig())
    full = build_panel(dated_frame, DataConfig(), FeatureConfig())
    assert "EAST/BrandB" not in panel.series_labels()
    assert panel.series_labels() == [label for label in full.series_labels() if label != "EAST/BrandB"]
    kept = [i for i, label in enumerate(full.series_labels()) if label != "EAST/BrandB"]
    np.testing.assert_array_equal(panel.sales, full.sales[kept])
    np.testing.assert_array_equal(panel.exposure, full.exposure[kept])
    assert panel.notes[0] == (
        "series EAST/BrandB sells nothing in the 91 training weeks (launched in the last weeks of the panel?): "
        f"left out of the model, the curves and the advice, which cover the other {len(kept)} series"
    )


def test_a_panel_where_no_series_sells_in_the_training_weeks_is_named(dated_frame: pd.DataFrame) -> None:
    frame = dated_frame.assign(Sales_Value=0.0)
    with pytest.raises(InputError) as caught:
        build_panel(frame, DataConfig(), FeatureConfig())
    message = str(caught.value)
    assert message.startswith(
        "no series has a Sales_Value above 0 in any of the 91 training weeks: there is nothing to fit"
    )
    assert "re-run 'mmm data'" in message and "\n" not in message


@pytest.mark.parametrize("column", ["Radio_Listenership", "Sales_Value", "CPI"])
def test_a_missing_value_is_named_not_summed_as_zero(dated_frame: pd.DataFrame, column: str) -> None:
    frame = dated_frame.copy()
    frame.loc[frame.index[(frame.Geo == "EAST") & (frame.Brand == "BrandA")][3], column] = np.nan
    with pytest.raises(InputError) as caught:
        build_panel(frame, DataConfig(), FeatureConfig())
    message = str(caught.value)
    assert message.startswith(f"the cleaned panel: column '{column}' has 1 missing or non-finite value ")
    assert "(first: EAST/BrandA/" in message and "re-run 'mmm data'" in message


def test_a_non_finite_array_is_named_by_channel_and_series(geo_brand_panel: FeaturePanel) -> None:
    exposure = geo_brand_panel.exposure.copy()
    exposure[2, 5, 5] = np.inf
    broken = dataclasses.replace(geo_brand_panel, exposure=exposure)
    with pytest.raises(
        InputError, match=r"^exposure of channel 'Radio' has 1 missing .*\(first in series EAST/BrandA\)"
    ):
        require_fittable(broken, "re-run 'mmm features'")


def test_a_zero_list_price_names_the_series(dated_frame: pd.DataFrame) -> None:
    frame = dated_frame.copy()
    frame.loc[(frame.Geo == "CENTRAL") & (frame.Brand == "BrandB"), "MRP"] = 0.0
    with pytest.raises(InputError, match=r"column 'MRP' averages 0 for series CENTRAL/BrandB/"):
        build_panel(frame, DataConfig(), FeatureConfig())


def test_a_constant_control_is_noted_in_the_panel_and_its_meta(dated_frame: pd.DataFrame) -> None:
    panel = build_panel(dated_frame.assign(NOS=3.0), DataConfig(), FeatureConfig())
    assert "control 'NOS' is constant over the training weeks and was dropped" in panel.notes
    assert json.loads(json.dumps(panel.meta()))["notes"] == list(panel.notes)
    assert np.isfinite(panel.scaled_controls).all()


def test_a_channel_without_spend_in_a_segment_is_noted(dated_frame: pd.DataFrame) -> None:
    """A CSV given straight to 'mmm features' gets the data step's note too."""
    frame = dated_frame.copy()
    frame.loc[(frame.Geo == "CENTRAL") & (frame.Brand == "BrandB"), "Print_Readership"] = 0.0
    panel = build_panel(frame, DataConfig(), FeatureConfig())
    assert any(
        note.startswith("Print has no spend in any week in 1 of ") and "(e.g. BrandB / CENTRAL)" in note
        for note in panel.notes
    )
    assert not any("has no spend" in note for note in build_panel(dated_frame, DataConfig(), FeatureConfig()).notes)


def test_require_fittable_accepts_the_built_panel(geo_brand_panel: FeaturePanel) -> None:
    require_fittable(geo_brand_panel, "re-run")
    assert geo_brand_panel.series_labels()[:2] == ["CENTRAL/BrandA", "CENTRAL/BrandB"]


def test_a_csv_without_any_media_spend_is_refused(dated_frame: pd.DataFrame) -> None:
    """A CSV given straight to 'mmm features' skips the data step's check."""
    media = list(DataConfig().channel_table().columns)
    with pytest.raises(InputError, match="^no channel has any spend in the panel"):
        build_panel(dated_frame.assign(**dict.fromkeys(media, 0.0)), DataConfig(), FeatureConfig())


def test_weeks_whose_sales_the_cleaning_filled_in_are_marked_per_series(sku_frame: pd.DataFrame) -> None:
    """Before, a week whose sales were copied from a neighbour was a week like any other to the model."""
    from mmm_analytics.data.cleaning import SALES_OBSERVED

    frame = sku_frame.assign(**{SALES_OBSERVED: True})
    first_sku = (frame["Geo"] == frame["Geo"].iloc[0]) & (frame["Brand"] == frame["Brand"].iloc[0])
    first_sku &= frame["SKU"] == frame["SKU"].iloc[0]
    early = first_sku & (frame["Date"] < sorted(frame["Date"].unique())[10])
    frame.loc[early, SALES_OBSERVED] = False  # one SKU of the first geo x brand starts 10 weeks late
    panel = build_panel(frame, DataConfig(), FeatureConfig())
    assert panel.sales_observed is not None and panel.sales_observed.shape == panel.sales.shape
    # The geo x brand week counts as observed only where every SKU's sales were.
    assert not panel.sales_observed[0, :10].any() and panel.sales_observed[0, 10:].all()
    assert panel.sales_observed[1:].all()
    np.testing.assert_array_equal(panel.observed[0, :12], [0.0] * 10 + [1.0] * 2)
    assert panel.series_subset([1, 0]).sales_observed[1, :10].sum() == 0
    assert build_panel(sku_frame, DataConfig(), FeatureConfig()).sales_observed is None  # every week observed


def test_a_built_panel_with_a_series_that_sells_nothing_is_refused_by_the_fit_check(
    geo_brand_panel: FeaturePanel,
) -> None:
    """A features file written before series without training sales were left out still stops the fit, by name."""
    sales = geo_brand_panel.sales.copy()
    sales[1] = 0.0
    with pytest.raises(InputError, match=r"^series CENTRAL/BrandB has zero Sales_Value in all 91 training weeks"):
        require_fittable(dataclasses.replace(geo_brand_panel, sales=sales), "re-run 'mmm features'")


@pytest.mark.parametrize("granularity", ["geo_brand_sku", "geo_brand"])
def test_a_week_without_a_price_takes_the_series_nearest_price_and_the_panel_loads(
    sku_frame: pd.DataFrame, granularity: str, tmp_path: Path
) -> None:
    """A stock-out week (no sales at a price of 0, which validation allows) gave a relative price of 0: `mmm
    features` wrote it and `mmm train` refused the file it wrote, whatever was re-run."""
    from mmm_analytics.config.features import Granularity
    from mmm_analytics.features.store import load_panel, save_panel

    frame = sku_frame.copy()
    weeks = sorted(frame["Date"].unique())
    out = frame["Geo"].eq(frame["Geo"].iloc[0]) & frame["Brand"].eq(frame["Brand"].iloc[0])
    out &= frame["Date"].isin(weeks[10:12])  # both SKUs of one geo x brand off sale two weeks
    frame.loc[out, ["Sales_Units", "Sales_Value", "Net_Price"]] = 0.0
    config = FeatureConfig(granularity=Granularity(granularity))
    panel = build_panel(frame, DataConfig(), config)
    assert (panel.relative_price > 0).all()
    np.testing.assert_array_equal(panel.relative_price[0, 10:12], panel.relative_price[0, 9])  # the week before's
    save_panel(panel, tmp_path / "features.parquet", config)
    np.testing.assert_array_equal(load_panel(tmp_path / "features.parquet").relative_price, panel.relative_price)


def test_a_relative_price_of_0_is_refused_in_its_own_words(geo_brand_panel: FeaturePanel) -> None:
    """A features file written before weeks without a price took the nearest price holds relative prices of
    0: they were called "missing or non-finite values"."""
    price = geo_brand_panel.relative_price.copy()
    price[1, 5] = 0.0
    with pytest.raises(
        InputError, match=r"^relative_price has 1 value of 0 or less \(first in series CENTRAL/BrandB\); re-run"
    ):
        require_fittable(dataclasses.replace(geo_brand_panel, relative_price=price), "re-run 'mmm features'")
    price[1, 6] = -1.0
    with pytest.raises(InputError, match=r"^relative_price has 2 values of 0 or less \(first"):
        require_fittable(dataclasses.replace(geo_brand_panel, relative_price=price), "re-run 'mmm features'")
