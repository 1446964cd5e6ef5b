"""Media analyses: spend, flighting, correlation, collinear pair, VIF, cross-correlation, lagged response."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import ChannelSpec, DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.eda import analyses_media as media
from mmm_analytics.eda.outcome import NotApplicable
from mmm_analytics.eda.prepare import build_view
from mmm_analytics.features.panel import build_panel

RTOL = 1e-9


def _indexed_by_hand(panel: pd.DataFrame, column: str) -> pd.Series:
    """Geo x brand weekly totals divided by their series mean, in (Geo, Brand, Date) order."""
    totals = panel.groupby(["Geo", "Brand", "Date"])[column].sum()
    return totals / totals.groupby(level=["Geo", "Brand"]).transform("mean")


def test_spend_share_matches_exposure_times_cpm(view, eda_panel: pd.DataFrame, cpms) -> None:
    share = media.spend_share(view).share.set_index("channel")
    spend = {name: eda_panel[column].sum() * cpms[name] / 1000.0 for name, column in view.channels.items()}
    total = sum(spend.values())
    np.testing.assert_allclose(share.loc["TV", "spend_inr"], spend["TV"], rtol=RTOL)
    np.testing.assert_allclose(share.loc["Print", "share_pct"], 100.0 * spend["Print"] / total, rtol=RTOL)
    np.testing.assert_allclose(share["share_pct"].sum(), 100.0, rtol=RTOL)


def test_spend_shares_with_a_spend_column_are_the_model_inputs_shares(panel: pd.DataFrame) -> None:
    """A channel given by a spend column: EDA's spend shares equal those of the spend the model is given."""
    rng = np.random.default_rng(0)
    panel["TV_Spend"] = panel["TV_Impressions"] * rng.uniform(0.5, 4.0, len(panel)) * 1e-3
    specs = DataConfig().channels | {"TV": ChannelSpec(column="TV_Impressions", spend_column="TV_Spend")}
    config = DataConfig(channels=specs)
    result = media.spend_share(build_view(panel, config.channel_table())).share.set_index("channel")
    model = build_panel(panel, config, FeatureConfig())
    model_spend = model.spend.sum(axis=(0, 1))
    np.testing.assert_allclose(result.loc[list(model.channels), "spend_inr"], model_spend, rtol=RTOL)
    np.testing.assert_allclose(
        result.loc[list(model.channels), "share_pct"], 100.0 * model_spend / model_spend.sum(), rtol=RTOL
    )
    np.testing.assert_allclose(
        result.loc["TV", "cpm_inr"], 1000.0 * panel["TV_Spend"].sum() / panel["TV_Impressions"].sum(), rtol=RTOL
    )
    assert result.loc["Radio", "cpm_inr"] == 0.6


def test_spend_share_is_skipped_without_any_exposure(panel: pd.DataFrame, make_view, channels) -> None:
    panel[list(channels.values())] = 0.0
    with pytest.raises(NotApplicable, match="no channel has any exposure"):
        media.spend_share(make_view(panel))


def test_flighting_levels_are_relative_to_each_channels_peak(view) -> None:
    result = media.flighting(view)
    assert result.level.shape == (6, view.n_weeks)
    np.testing.assert_allclose(result.level.max(axis=1).to_numpy(), 1.0, rtol=RTOL)
    assert (result.level.to_numpy() >= 0).all()


def test_channel_correlation_matches_a_hand_computation(view, eda_panel: pd.DataFrame) -> None:
    matrix = media.channel_correlation(view).matrix
    youtube = _indexed_by_hand(eda_panel, "YouTube_Impressions")
    instagram = _indexed_by_hand(eda_panel, "Instagram_Impressions")
    np.testing.assert_allclose(matrix.loc["YouTube", "Instagram"], youtube.corr(instagram), rtol=1e-9)
    np.testing.assert_allclose(np.diag(matrix), 1.0, rtol=RTOL)


def test_collinear_pair_defaults_to_youtube_and_instagram(view) -> None:
    pair = media.collinear_pair(view)
    assert (pair.x_channel, pair.y_channel) == ("YouTube", "Instagram")
    assert pair.correlation > 0.3  # the synthetic digital plan drives both


def test_collinear_pair_falls_back_to_the_most_correlated_pair(panel: pd.DataFrame, make_view) -> None:
    panel["Instagram_Impressions"] = 0.0
    panel["Print_Readership"] = panel["TV_Impressions"] * 0.1
    pair = media.collinear_pair(make_view(panel))
    assert {pair.x_channel, pair.y_channel} == {"TV", "Print"}
    np.testing.assert_allclose(pair.correlation, 1.0, rtol=1e-9)


def test_vif_equals_one_over_one_minus_r_squared(view, eda_panel: pd.DataFrame, channels) -> None:
    table = media.vif(view).table.set_index("channel")
    design = np.column_stack([_indexed_by_hand(eda_panel, column) for column in channels.values()])
    names = list(channels)
    target = names.index("Instagram")
    others = np.column_stack([np.ones(len(design)), np.delete(design, target, axis=1)])
    coefficients, *_ = np.linalg.lstsq(others, design[:, target], rcond=None)
    residual = design[:, target] - others @ coefficients
    r_squared = 1.0 - residual.var() / design[:, target].var()
    np.testing.assert_allclose(table.loc["Instagram", "vif"], 1.0 / (1.0 - r_squared), rtol=1e-8)


def test_vif_leaves_out_an_all_zero_channel_and_needs_two(panel: pd.DataFrame, make_view, channels) -> None:
    panel["Radio_Listenership"] = 0.0
    assert "Radio" not in set(media.vif(make_view(panel)).table["channel"])
    for column in list(channels.values())[1:]:
        panel[column] = 0.0
    with pytest.raises(NotApplicable, match="at least 2 channel"):
        media.vif(make_view(panel))


def test_cross_correlation_lag_k_correlates_with_exposure_k_weeks_earlier(view, eda_panel: pd.DataFrame) -> None:
    result = media.cross_correlation(view, max_lag=3)
    assert list(result.matrix.columns) == [0, 1, 2, 3]
    sales = _indexed_by_hand(eda_panel, "Sales_Value")
    tv = _indexed_by_hand(eda_panel, "TV_Impressions")
    lagged = tv.groupby(level=["Geo", "Brand"]).shift(2)
    np.testing.assert_allclose(result.matrix.loc["TV", 2], lagged.corr(sales), rtol=1e-9)
    best = result.best.set_index("channel")
    assert best.loc["TV", "correlation"] == result.matrix.loc["TV"].max()


def test_lagged_response_uses_each_channels_best_lag(view) -> None:
    result = media.lagged_response(view)
    best = media.cross_correlation(view).best.set_index("channel")["best_lag_weeks"]
    assert result.lags == {name: int(lag) for name, lag in best.items()}
    assert set(result.panels) == set(view.channels)
    assert all(panel.n > 0 and not panel.curve.empty for panel in result.panels.values())
