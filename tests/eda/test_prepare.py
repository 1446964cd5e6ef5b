"""Panel validation and the geo x brand / national weekly views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import ChannelSpec, DataConfig
from mmm_analytics.eda.prepare import build_view, series_index
from mmm_analytics.errors import InputError

RTOL = 1e-9


def test_weekly_view_sums_sales_and_exposure_and_averages_controls(panel: pd.DataFrame, make_view) -> None:
    view = make_view(panel)
    week = panel["Date"].min()
    rows = panel[panel["Date"] == week]
    assert view.n_weeks == panel["Date"].nunique() == 104
    np.testing.assert_allclose(view.weekly.loc[week, "Sales_Value"], rows["Sales_Value"].sum(), rtol=RTOL)
    np.testing.assert_allclose(view.weekly.loc[week, "TV_Impressions"], rows["TV_Impressions"].sum(), rtol=RTOL)
    geo_mean = rows.groupby("Geo")["CPI"].mean().mean()
    np.testing.assert_allclose(view.weekly.loc[week, "CPI"], geo_mean, rtol=RTOL)


def test_spend_is_exposure_times_cpm_over_1000(panel: pd.DataFrame, make_view, cpms) -> None:
    view = make_view(panel)
    expected = panel.groupby("Date")["Instagram_Impressions"].sum() * cpms["Instagram"] / 1000.0
    np.testing.assert_allclose(view.spend["Instagram"].to_numpy(), expected.to_numpy(), rtol=RTOL)


def test_series_view_has_one_row_per_geo_brand_week_and_index_mean_one(panel: pd.DataFrame, make_view) -> None:
    view = make_view(panel)
    assert len(view.series) == 2 * 2 * 104
    means = view.series.groupby(["Geo", "Brand"])["sales_index"].mean()
    np.testing.assert_allclose(means.to_numpy(), 1.0, rtol=RTOL)


def test_series_index_gives_nan_for_an_all_zero_series() -> None:
    frame = pd.DataFrame({"Geo": ["A", "A", "B", "B"], "Brand": ["x"] * 4, "v": [0.0, 0.0, 1.0, 3.0]})
    index = series_index(frame, ["v"])["v"]
    assert index.iloc[:2].isna().all()
    np.testing.assert_allclose(index.iloc[2:].to_numpy(), [0.5, 1.5], rtol=RTOL)


def test_active_and_idle_channels(panel: pd.DataFrame, make_view) -> None:
    panel["Radio_Listenership"] = 0.0
    view = make_view(panel)
    assert view.idle_channels == ["Radio"]
    assert "Radio" not in view.active_channels and len(view.active_channels) == 5


def test_text_dates_are_parsed(panel: pd.DataFrame, make_view) -> None:
    panel["Date"] = panel["Date"].dt.strftime("%m/%d/%Y")
    view = make_view(panel)
    assert pd.api.types.is_datetime64_any_dtype(view.rows["Date"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["Rainfall_Index"]), "Rainfall_Index"),
        (lambda f: f.assign(Date="not a date"), "not dates"),
        (lambda f: f.iloc[:0], "no rows"),
    ],
    ids=["missing-column", "bad-dates", "empty"],
)
def test_bad_panels_raise_input_error_naming_the_problem(panel, change, message: str, table) -> None:
    with pytest.raises(InputError, match=message):
        build_view(change(panel), table)


def test_missing_spend_column_is_an_input_error(panel: pd.DataFrame) -> None:
    config = DataConfig(channels={"TV": ChannelSpec(column="TV_Impressions", spend_column="TV_Spend")})
    with pytest.raises(InputError, match="missing column.*TV_Spend"):
        build_view(panel, config.channel_table())


def test_a_channel_reading_sales_is_an_input_error(panel: pd.DataFrame) -> None:
    """A config edited after 'mmm data' to read TV from Sales_Value plotted sales as TV's exposure."""
    config = DataConfig(channels={"TV": ChannelSpec(column="Sales_Value", cpm=1.2)})
    with pytest.raises(InputError, match="channels.TV.column is 'Sales_Value', the schema's sales column"):
        build_view(panel, config.channel_table())


def test_spend_column_is_summed_and_used_as_spend(panel: pd.DataFrame) -> None:
    panel["TV_Spend"] = panel["TV_Impressions"] * 0.003 + 50.0
    config = DataConfig(
        channels={
            "TV": ChannelSpec(column="TV_Impressions", spend_column="TV_Spend"),
            "Radio": ChannelSpec(column="Radio_Listenership", cpm=0.6),
        }
    )
    view = build_view(panel, config.channel_table())
    weekly_spend = panel.groupby("Date")["TV_Spend"].sum()
    np.testing.assert_allclose(view.spend["TV"].to_numpy(), weekly_spend.to_numpy(), rtol=RTOL)
    radio = panel.groupby("Date")["Radio_Listenership"].sum() * 0.6 / 1000.0
    np.testing.assert_allclose(view.spend["Radio"].to_numpy(), radio.to_numpy(), rtol=RTOL)
    assert view.channels == {"TV": "TV_Impressions", "Radio": "Radio_Listenership"}
