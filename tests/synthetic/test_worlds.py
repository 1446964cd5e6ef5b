"""Each synthetic world has the property it is named for, measured on the generated panel.

Noise: the sd of (observed - noise-free) weekly Sales_Value over each series' mean weekly
noise-free sales, pooled over series and weeks (rtol 6%, about 4 standard errors). Collinear:
the YouTube-Instagram correlation of each geo x brand's weekly exposure, summed over SKUs
as the model sees it. Delayed, logistic, absolute: the forms recorded in the truth.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import DataConfig, SyntheticSetting, SyntheticSettings
from mmm_analytics.data import schema
from mmm_analytics.response import saturation
from mmm_analytics.synthetic import SyntheticPanel, generate_panel, world
from mmm_analytics.synthetic.truth import GroundTruth, true_steady_state_response
from mmm_analytics.synthetic.world import world_settings

NOISE_RTOL = 0.06


def _world(setting: SyntheticSetting, n_skus: int = 1, n_geos: int = 4, n_weeks: int = 156) -> SyntheticPanel:
    return generate_panel(
        SyntheticSettings(seed=5, setting=setting, n_geos=n_geos, n_brands=3, n_skus=n_skus, n_weeks=n_weeks)
    )


def _weekly(frame: pd.DataFrame, columns: list[str]) -> dict[tuple[str, str], pd.DataFrame]:
    """Weekly sums over SKUs per (geo, brand), weeks in order."""
    week = pd.to_datetime(frame[schema.DATE], format="%m/%d/%Y")
    summed = frame.assign(week=week).groupby([schema.GEO, schema.BRAND, "week"], sort=False)[columns].sum()
    return {key: part.droplevel([0, 1]).sort_index() for key, part in summed.groupby(level=[0, 1], sort=False)}


@pytest.mark.parametrize(
    "setting, noise_sd",
    [
        (SyntheticSetting.DEFAULT, 0.06),
        (SyntheticSetting.NOISE6, 0.06),
        (SyntheticSetting.NOISE12, 0.12),
        (SyntheticSetting.NOISY, 0.08),
    ],
    ids=["default", "noise6", "noise12", "noisy"],
)
def test_weekly_noise_is_the_stated_share_of_weekly_sales(setting: SyntheticSetting, noise_sd: float) -> None:
    panel = _world(setting)
    weekly = _weekly(panel.frame, ["Sales_Value"])
    geos, brands = list(dict.fromkeys(panel.frame[schema.GEO])), list(dict.fromkeys(panel.frame[schema.BRAND]))
    relative = [
        (weekly[(geo, brand)]["Sales_Value"].to_numpy() - panel.expected_sales[g, b])
        / panel.expected_sales[g, b].mean()
        for g, geo in enumerate(geos)
        for b, brand in enumerate(brands)
    ]
    assert np.std(np.concatenate(relative)) == pytest.approx(noise_sd, rel=NOISE_RTOL)
    assert panel.truth.data["noise_sd_share_of_sales"] == noise_sd


def test_collinear_world_pins_youtube_instagram_correlation_within_each_series() -> None:
    columns = ["YouTube_Impressions", "Instagram_Impressions", "TV_Impressions"]
    collinear, default = _world(SyntheticSetting.COLLINEAR, n_skus=2), _world(SyntheticSetting.DEFAULT, n_skus=2)
    pinned, plain = _weekly(collinear.frame, columns), _weekly(default.frame, columns)
    for key, series in pinned.items():
        correlation = series["YouTube_Impressions"].corr(series["Instagram_Impressions"])
        assert correlation == pytest.approx(0.95, abs=0.03), key
        # Only Instagram's week-to-week shape changes: its mean, and every other channel, stay.
        assert series["Instagram_Impressions"].mean() == pytest.approx(
            plain[key]["Instagram_Impressions"].mean(), rel=1e-9
        )
        np.testing.assert_allclose(series["TV_Impressions"], plain[key]["TV_Impressions"], rtol=1e-12)
    looser = [s["YouTube_Impressions"].corr(s["Instagram_Impressions"]) for s in plain.values()]
    assert max(looser) < 0.9  # the default plan is collinear, but not this much
    assert collinear.truth.data["youtube_instagram_correlation"] == 0.95


def test_delayed_world_peaks_one_to_three_weeks_after_the_spend() -> None:
    truth = _world(SyntheticSetting.DELAYED, n_geos=1, n_weeks=60).truth.data
    assert (truth["carryover"]["family"], truth["saturation"]["family"]) == ("weibull", "hill")
    peaks = {c: int(np.argmax(w)) for c, w in truth["carryover"]["weights"].items()}
    assert all(1 <= peak <= 3 for peak in peaks.values()), peaks
    assert max(peaks.values()) >= 2


def test_logistic_world_has_s_shaped_logistic_saturation() -> None:
    truth = _world(SyntheticSetting.LOGISTIC, n_geos=1, n_weeks=60).truth.data
    assert (truth["carryover"]["family"], truth["saturation"]["family"]) == ("beta_gamma", "logistic")
    half = np.array(list(truth["saturation"]["half_saturation"].values()))
    slope = np.array(list(truth["saturation"]["slope"].values()))
    np.testing.assert_allclose(saturation.logistic(half, half, slope), 0.5, rtol=1e-12)
    # S-shaped: a quarter of the way to half-saturation gives well under a quarter of the half ceiling.
    assert np.all(saturation.logistic(half / 4, half, slope) < 0.5 / 4)


def test_absolute_world_saturates_at_the_same_absolute_exposure() -> None:
    truth = _world(SyntheticSetting.ABSOLUTE).truth
    channels = truth.channels
    assert truth.data["saturation"]["scaling_form"] == "absolute"
    np.testing.assert_array_equal(truth.scaling(), np.zeros(len(channels)))
    scale = np.array([[e["exposure_scale"][c] for c in channels] for e in truth.data["series"]])
    own = np.array([[e["half_saturation"][c] for c in channels] for e in truth.data["series"]])
    np.testing.assert_allclose(own, truth.series_half_saturation(), rtol=1e-12)
    absolute = own * scale  # half-saturation in impressions: the same for every series
    np.testing.assert_allclose(absolute, np.broadcast_to(absolute[0], absolute.shape), rtol=1e-9)
    biggest, smallest = scale.argmax(axis=0), scale.argmin(axis=0)
    columns = np.arange(len(channels))
    assert np.all(own[biggest, columns] < own[smallest, columns])  # bigger series saturate sooner


def test_segments_world_gives_each_brand_x_region_its_own_s_curve() -> None:
    """Log-normal factors on half-saturation and slope, log-sd 0.3 (within 0.08 over 8 x 3 x 6 draws);
    the truth's steady-state response reads each series' own curve."""
    panel = _world(SyntheticSetting.SEGMENTS, n_geos=8, n_weeks=60)
    truth = panel.truth
    assert truth.data["saturation"]["family"] == "logistic"
    typical = np.array([truth.data["saturation"]["half_saturation"][c] for c in truth.channels])
    slope = np.array([truth.data["saturation"]["slope"][c] for c in truth.channels])
    half_factor = truth.series_half_saturation() / typical
    slope_factor = truth.series_slope() / slope
    for factor in (half_factor, slope_factor):
        assert np.std(np.log(factor)) == pytest.approx(world.SEGMENT_SPREAD, abs=0.08)
    own = np.array([[e["half_saturation"][c] for c in truth.channels] for e in truth.data["series"]])
    np.testing.assert_allclose(own, truth.series_half_saturation(), rtol=1e-12)
    entry = truth.data["series"][0]
    spend = {c: 1.5 * entry["spend"][c] / 60 for c in truth.channels}
    on_own = true_steady_state_response(truth, entry["brand"], entry["region"], spend)
    plain = dict(
        truth.data, series=[{k: v for k, v in e.items() if not k.endswith("_factor")} for e in truth.data["series"]]
    )
    on_channel = true_steady_state_response(GroundTruth(plain), entry["brand"], entry["region"], spend)
    assert on_own != pytest.approx(on_channel, rel=1e-3)


def _coefficients(truth: GroundTruth) -> np.ndarray:
    """Each series' true coefficient per channel, (n_geos, n_brands, n_channels) in the panel's order."""
    entries = {(e["region"], e["brand"]): e for e in truth.data["series"]}
    regions = list(dict.fromkeys(region for region, _ in entries))
    brands = list(dict.fromkeys(brand for _, brand in entries))
    return np.array([[[entries[r, b]["coefficient"][c] for c in truth.channels] for b in brands] for r in regions])


def test_cell_roi_world_gives_each_brand_x_region_its_own_roi_factor() -> None:
    """The same draws as the default world, every coefficient times its own log-normal factor (and
    one sales scale for all, which the factors move a little): log-sd 0.25 (within 0.06 over 8 x 3 x 6
    draws), not shared by a brand or a region (their offsets are the default world's)."""
    default, cells = (_world(s, n_geos=8, n_weeks=60) for s in (SyntheticSetting.DEFAULT, SyntheticSetting.CELL_ROI))
    log_factor = np.log(_coefficients(cells.truth) / _coefficients(default.truth))
    assert np.std(log_factor) == pytest.approx(world.CELL_ROI_SPREAD, abs=0.06)
    within = log_factor - log_factor.mean(axis=0) - log_factor.mean(axis=1, keepdims=True) + log_factor.mean((0, 1))
    assert np.std(within) > 0.15  # each cell its own, not its brand's or its region's
    same = [c for c in default.frame.columns if c not in ("Sales_Value", "Sales_Units")]
    pd.testing.assert_frame_equal(cells.frame[same], default.frame[same], check_exact=True)


def test_relative_worlds_keep_one_half_saturation_for_every_series() -> None:
    truth = _world(SyntheticSetting.DEFAULT, n_geos=2, n_weeks=60).truth
    typical = np.array([truth.data["saturation"]["half_saturation"][c] for c in truth.channels])
    np.testing.assert_allclose(truth.series_half_saturation(), np.broadcast_to(typical, (6, 6)), rtol=1e-12)
    assert truth.data["saturation"]["scaling_form"] == "relative"


def test_worlds_share_the_default_draws_apart_from_their_knob() -> None:
    """Same seed: the absolute and logistic worlds have the default world's exposures and controls."""
    default = _world(SyntheticSetting.DEFAULT, n_geos=2, n_weeks=60).frame
    for setting in (
        SyntheticSetting.ABSOLUTE,
        SyntheticSetting.LOGISTIC,
        SyntheticSetting.DELAYED,
        SyntheticSetting.SEGMENTS,
    ):
        frame = _world(setting, n_geos=2, n_weeks=60).frame
        same = [c for c in frame.columns if c not in ("Sales_Value", "Sales_Units")]
        pd.testing.assert_frame_equal(frame[same], default[same], check_exact=True)


@pytest.mark.parametrize("setting", list(SyntheticSetting), ids=[s.value for s in SyntheticSetting])
def test_every_world_is_a_config_choice(setting: SyntheticSetting) -> None:
    config = DataConfig.model_validate({"synthetic": {"setting": setting.value}})
    assert config.synthetic.setting is setting
    assert world_settings(setting).noise_sd > 0
    assert world_settings(setting, 0.02) == dataclasses.replace(world_settings(setting), noise_sd=0.02)
