"""Driver analyses; uplifts and the elasticity are checked on frames built with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.eda import analyses_drivers as drivers
from mmm_analytics.eda.outcome import NotApplicable

RTOL = 1e-9


def _festive_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Every 4th week festive (index 1.5), and its sales exactly 25% above the series' other weeks."""
    week = (panel["Date"] - panel["Date"].min()).dt.days // 7
    festive = week % 4 == 0
    level = panel.groupby(["Geo", "Brand", "SKU"])["Sales_Value"].transform("mean")
    return panel.assign(Festival_Index=np.where(festive, 1.5, 1.0), Sales_Value=level * np.where(festive, 1.25, 1.0))


def test_festive_uplift_equals_the_built_in_25_percent(panel: pd.DataFrame, make_view) -> None:
    table = drivers.festive_uplift(make_view(_festive_panel(panel))).table.set_index("group")
    np.testing.assert_allclose(table["uplift_pct"].to_numpy(), 25.0, rtol=RTOL)
    assert table.loc[drivers.ALL, "rows_with"] == 26 * 8  # 26 festive weeks x 8 series


def test_festive_uplift_matches_a_hand_computation_on_the_fixture(view, eda_panel: pd.DataFrame) -> None:
    table = drivers.festive_uplift(view).table.set_index("group")
    index = np.empty(len(eda_panel))
    for _, rows in eda_panel.groupby(["Geo", "Brand", "SKU"]):
        index[rows.index] = rows["Sales_Value"] / rows["Sales_Value"].mean()
    festive = (eda_panel["Festival_Index"] >= 1.10).to_numpy()
    expected = 100.0 * (index[festive].mean() / index[~festive].mean() - 1.0)
    np.testing.assert_allclose(table.loc[drivers.ALL, "uplift_pct"], expected, rtol=1e-9)
    brand_a = (eda_panel["Brand"] == "BrandA").to_numpy()
    expected_a = 100.0 * (index[festive & brand_a].mean() / index[~festive & brand_a].mean() - 1.0)
    np.testing.assert_allclose(table.loc["BrandA", "uplift_pct"], expected_a, rtol=1e-9)


@pytest.mark.parametrize("value", [1.0, 1.3], ids=["never-festive", "always-festive"])
def test_festive_uplift_is_skipped_when_festival_index_is_constant(panel, make_view, value: float) -> None:
    panel["Festival_Index"] = value
    with pytest.raises(NotApplicable, match="Festival_Index ranges"):
        drivers.festive_uplift(make_view(panel))


def test_promo_uplift_recovers_a_built_in_tpr_effect(panel: pd.DataFrame, make_view) -> None:
    week = (panel["Date"] - panel["Date"].min()).dt.days // 7
    on = week % 5 == 0
    level = panel.groupby(["Geo", "Brand", "SKU"])["Sales_Value"].transform("mean")
    changed = panel.assign(TPR_Flag=on.astype("int64"), Sales_Value=level * np.where(on, 1.10, 1.0))
    table = drivers.promo_uplift(make_view(changed)).table
    tpr = table[table["event"] == "TPR_Flag"]
    np.testing.assert_allclose(tpr["uplift_pct"].to_numpy(), 10.0, rtol=1e-9)


def _promotions(panel: pd.DataFrame, feature_alone: bool = True) -> pd.DataFrame:
    """TPR every 5th week (sales x 1.15), a feature in every 10th week (with the TPR) and, with ``feature_alone``,
    every 7th week from the 3rd (mostly alone; sales x 1.03 either way); no display."""
    week = (panel["Date"] - panel["Date"].min()).dt.days // 7
    tpr = week % 5 == 0
    feature = (week % 10 == 0) | ((week % 7 == 3) if feature_alone else False)
    level = panel.groupby(["Geo", "Brand", "SKU"])["Sales_Value"].transform("mean")
    return panel.assign(
        TPR_Flag=tpr.astype("int64"),
        Feature_Flag=feature.astype("int64"),
        Display_Flag=0,
        Sales_Value=level * np.where(tpr, 1.15, 1.0) * np.where(feature, 1.03, 1.0),
    )


def test_promo_uplift_holds_the_other_flags_fixed(panel: pd.DataFrame, make_view) -> None:
    """Before, a feature that mostly ran with a TPR was credited with the TPR's lift: each flag was compared on
    against off alone (the analyst read +14% for a feature worth +3%)."""
    table = drivers.promo_uplift(make_view(_promotions(panel))).table
    feature, tpr = (table[table["event"] == flag] for flag in ("Feature_Flag", "TPR_Flag"))
    np.testing.assert_allclose(feature["uplift_pct"].to_numpy(), 3.0, rtol=1e-9)
    np.testing.assert_allclose(tpr["uplift_pct"].to_numpy(), 15.0, rtol=1e-9)
    assert (feature["uplift_pct_unadjusted"] > 6.0).all()  # the plain comparison, kept beside it
    assert table["others_held_fixed"].all()
    on = _promotions(panel)
    expected_share = (on.loc[on["Feature_Flag"] > 0, "TPR_Flag"] > 0).mean()
    np.testing.assert_allclose(feature["share_with_other_flag"].to_numpy(), expected_share, rtol=1e-12)


def test_a_brand_without_one_promotion_keeps_the_others_adjusted_where_there_are_two(
    panel: pd.DataFrame, make_view
) -> None:
    """A brand that never ran a feature lost the adjustment of every flag, under a note that its flags "move
    together", and was given the other brands' share of features run with a TPR."""
    frame = _promotions(panel)
    brand_b = frame["Brand"] == "BrandB"
    frame.loc[brand_b, "Feature_Flag"] = 0
    frame.loc[brand_b, "Sales_Value"] = frame.loc[brand_b, "Sales_Value"] / np.where(
        _promotions(panel).loc[brand_b, "Feature_Flag"] > 0, 1.03, 1.0
    )
    result = drivers.promo_uplift(make_view(frame))
    rows = result.table.set_index(["group", "event"])
    assert not any("BrandB" in note for note in result.notes)
    assert np.isnan(rows.loc[("BrandB", "Feature_Flag"), "share_with_other_flag"])  # it never ran one
    assert rows.loc[("BrandA", "Feature_Flag"), "share_with_other_flag"] > 0
    # BrandB has one varying flag: its plain comparison is its own (exact: TPR x 1.15 alone there)
    np.testing.assert_allclose(rows.loc[("BrandB", "TPR_Flag"), "uplift_pct"], 15.0, rtol=1e-9)
    assert not rows.loc[("BrandB", "TPR_Flag"), "others_held_fixed"]
    np.testing.assert_allclose(rows.loc[("BrandA", "Feature_Flag"), "uplift_pct"], 3.0, rtol=1e-9)


def test_promotions_that_always_run_together_keep_the_plain_comparison(panel: pd.DataFrame, make_view) -> None:
    changed = _promotions(panel, feature_alone=False).assign(TPR_Flag=lambda f: f["Feature_Flag"])
    result = drivers.promo_uplift(make_view(changed))
    assert not result.table["others_held_fixed"].any()
    np.testing.assert_allclose(result.table["uplift_pct"], result.table["uplift_pct_unadjusted"], rtol=0)
    assert any(note.startswith(f"{drivers.ALL}: Feature_Flag and TPR_Flag run together") for note in result.notes)


def test_promo_flag_that_never_varies_is_noted(panel: pd.DataFrame, make_view) -> None:
    panel["Display_Flag"] = 0
    result = drivers.promo_uplift(make_view(panel))
    assert "Display_Flag" not in set(result.table["event"])
    assert result.notes == ("Display_Flag is never on: no uplift to measure",)


def test_elasticity_recovers_a_constant_elasticity_demand(panel: pd.DataFrame, make_view) -> None:
    scale = panel.groupby(["Geo", "Brand", "SKU"])["Sales_Units"].transform("mean")
    panel["Sales_Units"] = scale * (panel["Net_Price"] / 100.0) ** -1.5
    table = drivers.price_elasticity(make_view(panel)).table.set_index("brand")
    np.testing.assert_allclose(table["elasticity"].to_numpy(), -1.5, rtol=1e-9)
    np.testing.assert_allclose(table["r_squared"].to_numpy(), 1.0, rtol=1e-9)


def test_elasticity_equals_a_within_sku_least_squares_fit(view, eda_panel: pd.DataFrame) -> None:
    table = drivers.price_elasticity(view).table.set_index("brand")
    rows = eda_panel[eda_panel["Brand"] == "BrandB"]
    logs = np.log(rows[["Net_Price", "Sales_Units"]])
    demeaned = logs - logs.groupby(rows["SKU"].to_numpy() + rows["Geo"].to_numpy()).transform("mean")
    slope = np.polyfit(demeaned["Net_Price"], demeaned["Sales_Units"], 1)[0]
    np.testing.assert_allclose(table.loc["BrandB", "elasticity"], slope, rtol=1e-8)


def test_elasticity_skips_a_brand_whose_price_never_moves(panel: pd.DataFrame, make_view) -> None:
    brand_a = panel["Brand"] == "BrandA"
    panel.loc[brand_a, "Net_Price"] = 100.0
    result = drivers.price_elasticity(make_view(panel))
    assert list(result.table["brand"]) == ["BrandB"]
    assert result.notes and "BrandA" in result.notes[0]


def test_elasticity_without_units_names_the_units_not_the_price(panel: pd.DataFrame, make_view) -> None:
    """Before, Sales_Units at 0 in every row skipped the figure with "no brand's price varies within its
    SKUs: " and nothing after the colon, while the prices did vary."""
    panel.loc[panel["Brand"] == "BrandA", "Sales_Units"] = 0.0
    result = drivers.price_elasticity(make_view(panel))
    assert list(result.table["brand"]) == ["BrandB"]
    assert result.notes == ("BrandA: no week sells units (Sales_Units above 0) at a Net_Price above 0",)
    panel["Sales_Units"] = 0.0
    with pytest.raises(NotApplicable) as raised:
        drivers.price_elasticity(make_view(panel))
    assert str(raised.value) == (
        "no brand's price elasticity can be fitted: BrandA: no week sells units (Sales_Units above 0) at a "
        "Net_Price above 0; BrandB: no week sells units (Sales_Units above 0) at a Net_Price above 0"
    )


def test_rainfall_scatter_uses_geo_weeks_and_a_monthly_profile(view) -> None:
    result = drivers.rainfall_vs_sales(view)
    panel = result.panels["Rainfall_Index"]
    assert panel.n == 2 * view.n_weeks
    assert list(result.profile.index) == list(range(1, 13))


def test_distribution_and_creative_panels(view) -> None:
    distribution = drivers.distribution_vs_sales(view)
    assert list(distribution.panels) == ["Weighted_Distribution", "Numeric_Distribution", "TDP", "NOS"]
    creative = drivers.creative_scores(view)
    assert creative.hue_labels["FB_Banner_Content_Score"].startswith("Facebook exposure index")


def test_constant_creative_scores_skip_the_analysis(panel: pd.DataFrame, make_view) -> None:
    panel[["FB_Banner_Content_Score", "IG_Banner_Content_Score"]] = 75.0
    with pytest.raises(NotApplicable, match="^FB_Banner_Content_Score, IG_Banner_Content_Score never vary$"):
        drivers.creative_scores(make_view(panel))


def test_a_constant_rainfall_skips_with_the_reason_alone(panel: pd.DataFrame, make_view) -> None:
    """Before: 'rainfall vs sales: Rainfall_Index never vary', shown after the title 'Rainfall vs sales: '."""
    panel["Rainfall_Index"] = 1.0
    with pytest.raises(NotApplicable, match="^Rainfall_Index never varies$"):
        drivers.rainfall_vs_sales(make_view(panel))


def test_driver_correlation_is_within_series_and_sorted_by_strength(view) -> None:
    table = drivers.driver_correlation(view).table
    assert table["correlation"].abs().is_monotonic_decreasing
    series = view.series
    centred = series["TPR_Flag"] - series.groupby(["Geo", "Brand"])["TPR_Flag"].transform("mean")
    expected = centred.corr(series["sales_index"])
    np.testing.assert_allclose(table.set_index("driver").loc["TPR_Flag", "correlation"], expected, rtol=1e-9)


def test_macro_trends_are_weekly(view) -> None:
    assert list(drivers.macro_trends(view).weekly.columns) == ["CPI", "GDP_Growth", "Sales_Value"]


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(0.1, 10.0), min_size=4, max_size=40),
    scale=st.floats(0.01, 100.0),
    data=st.data(),
)
def test_event_uplift_ignores_the_index_scale_and_inverts_when_events_swap(values, scale, data) -> None:
    n = len(values)
    event = pd.Series(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    event.iloc[0], event.iloc[1] = True, False  # both kinds of week present
    index, brands = pd.Series(values), pd.Series(["B"] * n)
    uplift = drivers.event_uplift(index, event, brands, "e").set_index("group")["uplift_pct"]
    scaled = drivers.event_uplift(index * scale, event, brands, "e").set_index("group")["uplift_pct"]
    swapped = drivers.event_uplift(index, ~event, brands, "e").set_index("group")["uplift_pct"]
    np.testing.assert_allclose(scaled.to_numpy(), uplift.to_numpy(), rtol=1e-9, atol=1e-9)
    ratio = 1.0 + uplift / 100.0
    np.testing.assert_allclose((1.0 + swapped / 100.0).to_numpy(), (1.0 / ratio).to_numpy(), rtol=1e-9)
    assert list(uplift.index) == [drivers.ALL, "B"] and uplift.iloc[0] == uplift.iloc[1]
