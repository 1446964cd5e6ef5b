"""Generate a panel in exactly the Kaggle schema, plus its ground truth.

Truth form (per geo g, brand b, week t; SKUs are shares of the geo x brand total):

    Sales_Value = level_gb * baseline_index_gbt * (Net_Price / reference) ** -elasticity_b
                  + sum_c coefficient_gbc * saturation_c(carryover_c(exposure_gbct / scale_gbc); h_gbc)
                  + noise_gbt

``scale_gbc`` is the series' mean weekly exposure of channel c;
``coefficient_gbc = sales_scale * softplus(mu_c + brand_offset_bc + region_offset_gc) * cell_gbc`` where
``sales_scale`` is the mean weekly Sales_Value of a series over the weeks before the last 13
(the scale the model measures its coefficients in), ``cell_gbc`` the series' own log-normal factor
(mean 1; 1 in every world but ``cell_roi``); ``h_gbc`` is the series' half-saturation,
``h_c * size_gbc ** (scaling - 1)`` (scaling 1 in every world but ``absolute``, where it is 0);
``noise_gbt ~ Normal(0, noise_sd * mean_t expected Sales_Value_gbt)``. The world's knobs are in
:mod:`mmm_analytics.synthetic.world`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.data import schema
from mmm_analytics.synthetic import catalogue, collinear, signals, world
from mmm_analytics.synthetic.truth import (
    GroundTruth,
    MediaTruth,
    build_truth,
)

LEVEL_REFERENCE = 45_000.0  # INR per week for an average geo x brand
HOLDOUT_WEEKS = 13  # the default holdout; the coefficient scale is measured on the weeks before it


@dataclass(frozen=True, slots=True)
class SyntheticPanel:
    """A generated panel: the frame (Kaggle schema), its truth, and the noise-free sales.

    Attributes
    ----------
    expected_sales : ndarray of shape (n_geos, n_brands, n_weeks)
        Sales_Value without noise (INR), summed over SKUs.
    contribution : ndarray of shape (n_geos, n_brands, n_weeks, n_channels)
        True weekly media contribution (INR of Sales_Value) of each channel, summed over SKUs;
        channels in ``truth.channels`` order.
    geos, brands : tuple of str
        The panel's Geo and Brand names, in the order of the arrays' first two axes.
    dates : tuple of datetime.date
        The week-start date of each week (the Date column), in the order of the weeks axis.
    """

    frame: pd.DataFrame
    truth: GroundTruth
    expected_sales: np.ndarray
    contribution: np.ndarray
    geos: tuple[str, ...]
    brands: tuple[str, ...]
    dates: tuple[dt.date, ...]


def _softplus_inverse(value: np.ndarray) -> np.ndarray:
    return np.log(np.expm1(value))


def _media_exposure(
    n_geos: int, brand_size: np.ndarray, n_weeks: int, ws: world.WorldSettings, rng: np.random.Generator
) -> np.ndarray:
    """Weekly exposure per geo x brand x channel, shape (n_geos, n_brands, n_weeks, n_channels).

    ``brand_size`` of shape (n_brands,) scales each brand's exposure.
    """
    n_brands = len(brand_size)
    geo_size = rng.uniform(0.7, 1.4, size=(n_geos, 1, 1))
    brand_size = brand_size[None, :, None]
    exposure = np.empty((n_geos, n_brands, n_weeks, len(world.CHANNELS)))
    # Share of a burst's weight kept between bursts: TV and print go dark, digital stays on.
    floors = {"TV": 0.0, "YouTube": 0.1, "Facebook": 0.25, "Instagram": 0.1, "Print": 0.0, "Radio": 0.05}
    for b in range(n_brands):
        patterns = {c: signals.flighting(n_weeks, ws.burst_weeks, ws.gap_weeks, floors[c], rng) for c in world.CHANNELS}
        # Instagram follows YouTube (same digital video plan) with its own noise: strongly collinear.
        patterns["Instagram"] = patterns["YouTube"] * np.exp(rng.normal(0.0, 0.2, n_weeks))
        for c, channel in enumerate(world.CHANNELS):
            # Regional plans: each geo follows the national plan with its own regional bursts.
            geo_pattern = np.stack(
                [signals.flighting(n_weeks, ws.burst_weeks, ws.gap_weeks, floors[channel], rng) for _ in range(n_geos)]
            )
            mix = 0.6 * patterns[channel][None, :] + 0.4 * geo_pattern
            noise = np.exp(rng.normal(0.0, 0.12, size=(n_geos, n_weeks)))
            exposure[:, b, :, c] = world.BASE_EXPOSURE[channel] * mix * noise
    exposure = exposure * geo_size[..., None] * brand_size[..., None]
    if ws.youtube_instagram_correlation is not None:
        # Draws of their own: every other signal of the world stays as in the default world.
        exposure = collinear.pin_correlation(
            exposure,
            world.CHANNELS.index("YouTube"),
            world.CHANNELS.index("Instagram"),
            ws.youtube_instagram_correlation,
            ws,
            rng.spawn(1)[0],
        )
    return exposure


def _response(media: MediaTruth, saturated: np.ndarray) -> np.ndarray:
    """``media_response(media, exposure)`` from its saturated part ``media.saturate(media.carried(exposure))``.

    The carryover and saturation do not depend on the coefficients, so the generator computes
    them once; the product is the same, bit for bit.
    """
    return media.coefficient[:, :, None, :] * saturated


def _media_truth(
    exposure: np.ndarray, ws: world.WorldSettings, rng: np.random.Generator
) -> tuple[MediaTruth, np.ndarray]:
    """The media truth (coefficients at ``LEVEL_REFERENCE``) and the saturated carried-over
    exposure of shape (n_geos, n_brands, n_weeks, n_channels)."""
    n_geos, n_brands = exposure.shape[:2]
    scale = exposure.mean(axis=2)  # (n_geos, n_brands, n_channels)
    channels = world.CHANNELS
    params = {
        "beta": np.array([world.CARRYOVER_BETA[c] for c in channels]),
        "retention": np.array([world.RETENTION[c] for c in channels]),
        "weibull_shape": np.array([ws.weibull[c][0] for c in channels]),
        "weibull_scale": np.array([ws.weibull[c][1] for c in channels]),
        "slope": np.array([ws.slope[c] for c in channels]),
    }
    scaling = np.full(len(channels), float(ws.scaling))
    draft = MediaTruth(
        channels,
        ws.carryover,
        ws.saturation,
        params,
        np.ones(len(channels)),
        scaling,
        scale,
        np.ones((n_geos, n_brands, len(channels))),
    )
    carried = draft.carried(exposure)
    half_sat = carried.mean(axis=(0, 1, 2)) * np.array([world.HALF_SATURATION_RATIO[c] for c in channels])
    draft = dataclasses.replace(draft, half_saturation=half_sat)
    if ws.segment_spread > 0:  # each series its own curve, from a stream of its own (rng's draws unchanged)
        own = rng.spawn(1)[0].normal(size=(2, n_geos, n_brands, len(channels)))
        half_factor, slope_factor = np.exp(ws.segment_spread * own)
        draft = dataclasses.replace(draft, half_saturation_factor=half_factor, slope_factor=slope_factor)
    saturated = draft.saturate(carried)
    mean_saturation = saturated.mean(axis=(0, 1, 2))
    mu = _softplus_inverse(np.array([world.MEDIA_SHARE[c] for c in channels]) / mean_saturation)
    brand_offset = rng.normal(0.0, ws.offset_sd, size=(1, n_brands, len(channels)))
    region_offset = rng.normal(0.0, ws.offset_sd, size=(n_geos, 1, len(channels)))
    coefficient = LEVEL_REFERENCE * np.logaddexp(0.0, mu + brand_offset + region_offset)
    if ws.cell_roi_spread > 0:  # each series' own ROI factor, mean 1, from a stream of its own (rng's draws unchanged)
        own = rng.spawn(1)[0].normal(size=coefficient.shape)
        coefficient = coefficient * np.exp(ws.cell_roi_spread * own - ws.cell_roi_spread**2 / 2)
    return dataclasses.replace(draft, coefficient=coefficient), saturated


def _rescale_coefficients(media: MediaTruth, saturated: np.ndarray, non_media: np.ndarray, n_train: int) -> MediaTruth:
    """Express coefficients in units of the mean weekly sales over the first ``n_train`` weeks.

    With unit media ``u`` (coefficients / LEVEL_REFERENCE), the scale R solves
    R = mean(non_media + R * u), so that coefficient = R * softplus(...) exactly.
    """
    unit = _response(media, saturated).sum(axis=-1) / LEVEL_REFERENCE
    scale = non_media[..., :n_train].mean() / (1.0 - unit[..., :n_train].mean())
    return dataclasses.replace(media, coefficient=media.coefficient * scale / LEVEL_REFERENCE)


def _sales_noise(
    standard: np.ndarray, noise_sd: float, media: MediaTruth, saturated: np.ndarray, base: np.ndarray
) -> np.ndarray:
    """Weekly sales noise (INR), (n_geos, n_brands, n_weeks): ``standard`` normal draws times
    ``noise_sd`` times each series' mean weekly noise-free Sales_Value.

    The mean is taken with the coefficients scaled on the noise-free sales; the final scaling
    (on sales with noise) moves it by well under 1%.
    """
    noise_free = _rescale_coefficients(media, saturated, base, base.shape[-1] - HOLDOUT_WEEKS)
    mean_sales = (base + _response(noise_free, saturated).sum(axis=-1)).mean(axis=-1, keepdims=True)
    return standard * noise_sd * mean_sales


def _promotions(n_geos: int, n_brands: int, n_weeks: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    tpr = np.stack([[signals.episodes(n_weeks, 0.08, (1, 3), rng) for _ in range(n_brands)] for _ in range(n_geos)])
    depth = rng.uniform(0.10, 0.22, size=tpr.shape)
    feature = np.clip(tpr * (rng.random(tpr.shape) < 0.6) + (rng.random(tpr.shape) < 0.04), 0, 1)
    display = np.clip(tpr * (rng.random(tpr.shape) < 0.5) + (rng.random(tpr.shape) < 0.08), 0, 1)
    return {"TPR_Flag": tpr, "Feature_Flag": feature, "Display_Flag": display, "discount": tpr * depth}


def _geo_controls(dates: list[dt.date], n_geos: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Geo-level weekly signals, each of shape (n_geos, n_weeks)."""
    n_weeks = len(dates)
    cpi_start = rng.uniform(117.0, 122.0, n_geos)
    cpi = cpi_start[:, None] + 0.11 * np.arange(n_weeks)[None, :] + rng.normal(0, 0.3, (n_geos, n_weeks))
    gdp = signals.random_walk(n_geos, n_weeks, rng.uniform(5.0, 7.0, n_geos), 0.08, rng)
    weighted = signals.growth_curve(n_geos, n_weeks, 0.32, 0.45, rng)
    numeric = signals.growth_curve(n_geos, n_weeks, 0.40, 0.52, rng)
    return {
        "Trade_Spend": rng.uniform(10_000, 15_000, (n_geos, 1)) * np.exp(rng.normal(0, 0.08, (n_geos, n_weeks))),
        "FB_Banner_Content_Score": np.clip(
            signals.random_walk(n_geos, n_weeks, rng.uniform(70, 80, n_geos), 0.8, rng), 40, 98
        ),
        "IG_Banner_Content_Score": np.clip(
            signals.random_walk(n_geos, n_weeks, rng.uniform(72, 84, n_geos), 0.8, rng), 40, 98
        ),
        "Weighted_Distribution": weighted,
        "Numeric_Distribution": numeric,
        "TDP": 36.0 * weighted / 0.33 + rng.normal(0, 0.3, (n_geos, n_weeks)),
        "NOS": np.clip(3.0 + 0.8 * (weighted - 0.32) / 0.13 + rng.normal(0, 0.1, (n_geos, n_weeks)), 1, None),
        "CPI": cpi,
        "GDP_Growth": gdp,
        "Festival_Index": signals.festival_index(dates, n_geos, rng),
        "Rainfall_Index": signals.rainfall_index(dates, n_geos, rng),
    }


def _baseline_index(dates: list[dt.date], geo: dict[str, np.ndarray], promo: dict[str, np.ndarray]) -> np.ndarray:
    """Multiplicative baseline index, linear in the controls; shape (n_geos, n_brands, n_weeks)."""
    n_weeks = len(dates)
    doy = np.array([d.timetuple().tm_yday for d in dates]) / 365.25 * 2 * np.pi
    seasonal = 0.04 * np.sin(doy) + 0.025 * np.cos(doy) - 0.015 * np.sin(2 * doy)
    trend = 0.06 * np.arange(n_weeks) / 52.0
    geo_part = (
        0.12 * (geo["Festival_Index"] - 1.0)
        + 0.9 * (geo["Weighted_Distribution"] - 0.38)
        - 0.004 * (geo["Rainfall_Index"] - 3.0)
        + 0.01 * (geo["GDP_Growth"] - 6.0)
        - 0.002 * (geo["CPI"] - 125.0)
        + 0.001 * (geo["FB_Banner_Content_Score"] - 75.0)
    )
    promo_part = 0.05 * promo["Feature_Flag"] + 0.03 * promo["Display_Flag"]
    return 1.0 + trend + seasonal + geo_part[:, None, :] + promo_part


def _truth_cpm(channels: Channels) -> dict[str, float]:
    """INR per 1000 exposures of each world channel: the table's CPM, or the built-in one where the
    table lacks the channel or prices it by a spend column (the generated data has no spend columns)."""
    default = Channels.default()
    return {
        name: (channels if name in channels and channels.spend_column_of(name) is None else default).cpm_of(name)
        for name in world.CHANNELS
    }


def generate_panel(settings: SyntheticSettings | None = None, channels: Channels | None = None) -> SyntheticPanel:
    """Generate the synthetic panel (``n_geos x n_brands x n_skus x n_weeks`` rows) and its truth.

    ``channels`` gives the CPMs behind the truth's spend and ROIs (``DataConfig.channel_table()``;
    the built-in table when omitted). The exposure columns written are always the built-in six.
    """
    settings = settings or SyntheticSettings()
    cpm = _truth_cpm(channels or Channels.default())
    rng = np.random.default_rng(settings.seed)
    ws = world.world_settings(settings.setting, settings.noise_sd)
    traits = catalogue.brand_traits(settings.n_brands, settings.seed)
    geos, brands = list(catalogue.geo_names(settings.n_geos)), list(traits.names)
    dates = [settings.start_date + dt.timedelta(weeks=k) for k in range(settings.n_weeks)]
    n_geos, n_brands, n_weeks = len(geos), len(brands), len(dates)

    geo = _geo_controls(dates, n_geos, rng)
    promo = _promotions(n_geos, n_brands, n_weeks, rng)
    exposure = _media_exposure(n_geos, traits.size, n_weeks, ws, rng)
    media, saturated = _media_truth(exposure, ws, rng)

    level = LEVEL_REFERENCE * rng.uniform(0.75, 1.3, (n_geos, 1, 1)) * traits.size[None, :, None]
    hike = (np.arange(n_weeks) >= n_weeks // 2).astype(float) * 0.04
    relative_price = (1.0 + hike)[None, None, :] * (1.0 - promo["discount"])
    reference = (1.0 + hike).mean()
    elasticity = traits.elasticity[None, :, None]
    base = level * _baseline_index(dates, geo, promo) * (relative_price / reference) ** -elasticity
    noise = _sales_noise(rng.normal(0.0, 1.0, base.shape), ws.noise_sd, media, saturated, base)
    media = _rescale_coefficients(media, saturated, base + noise, n_weeks - HOLDOUT_WEEKS)
    contribution = _response(media, saturated)
    expected = base + contribution.sum(axis=-1)
    observed = np.clip(expected + noise, 0.05 * level, None)

    frame = _assemble(dates, traits, settings.n_skus, geo, promo, exposure, observed, relative_price, rng)
    extra = {
        "setting": settings.setting.value,
        "seed": settings.seed,
        "kpi": "Sales_Value",
        "currency": "INR",
        "n_weeks": n_weeks,
        "start_date": settings.start_date.isoformat(),
        "elasticity": dict(zip(brands, traits.elasticity.tolist())),
        "noise_sd_share_of_sales": ws.noise_sd,
        "youtube_instagram_correlation": ws.youtube_instagram_correlation,
        **({"cell_roi_spread": ws.cell_roi_spread} if ws.cell_roi_spread > 0 else {}),
        "baseline_contribution": float(base.sum()),
        "noise_floor_wmape": float(np.abs(expected - observed).sum() / observed.sum()),
        "noise_floor_wmape_last_13_weeks": float(
            np.abs(expected - observed)[..., -13:].sum() / observed[..., -13:].sum()
        ),
    }
    truth = build_truth(media, exposure, cpm, geos, brands, extra, contribution)
    return SyntheticPanel(frame, truth, expected, contribution, tuple(geos), tuple(brands), tuple(dates))


def _assemble(
    dates: list[dt.date],
    traits: catalogue.BrandTraits,
    n_skus: int,
    geo: dict[str, np.ndarray],
    promo: dict[str, np.ndarray],
    exposure: np.ndarray,
    sales: np.ndarray,
    relative_price: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Split geo x brand totals into SKUs and lay the rows out in the published column order."""
    n_geos, n_brands, n_weeks = sales.shape
    brands = traits.names
    sku_share = rng.dirichlet(np.full(n_skus, 8.0), size=(n_geos, n_brands))
    sales_sku = signals.split_shares(sales, sku_share, 0.04, rng)  # (g, b, s, t)
    exposure_sku = np.stack(
        [signals.split_shares(exposure[..., c], sku_share, 0.1, rng) for c in range(exposure.shape[-1])], axis=-1
    )
    mrp_base = np.array([[price * rng.uniform(0.92, 1.08, n_skus) for price in traits.price]] * n_geos)
    mrp = mrp_base[..., None] * (relative_price / (1.0 - promo["discount"]))[:, :, None, :]
    net = mrp * (1.0 - promo["discount"])[:, :, None, :]
    g_idx, b_idx, s_idx, t_idx = np.meshgrid(
        np.arange(n_geos), np.arange(n_brands), np.arange(n_skus), np.arange(n_weeks), indexing="ij"
    )
    order = np.lexsort((s_idx.ravel(), b_idx.ravel(), g_idx.ravel(), t_idx.ravel()))
    g, b, s, t = (a.ravel()[order] for a in (g_idx, b_idx, s_idx, t_idx))
    columns: dict[str, np.ndarray | list[str]] = {
        schema.DATE: np.array([f"{d.month}/{d.day}/{d.year}" for d in dates], dtype=object)[t],
        schema.GEO: np.array(catalogue.geo_names(n_geos))[g],
        schema.BRAND: np.array(brands)[b],
        schema.SKU: np.array([[f"{brand}_SKU{k + 1}" for k in range(n_skus)] for brand in brands])[b, s],
        "Sales_Units": sales_sku[g, b, s, t] / net[g, b, s, t],
        "Sales_Value": sales_sku[g, b, s, t],
        "MRP": mrp[g, b, s, t],
        "Net_Price": net[g, b, s, t],
        "Feature_Flag": promo["Feature_Flag"][g, b, t].astype(int),
        "Display_Flag": promo["Display_Flag"][g, b, t].astype(int),
        "TPR_Flag": promo["TPR_Flag"][g, b, t].astype(int),
    }
    media = Channels.default()
    for c, channel in enumerate(world.CHANNELS):
        columns[media.column_of(channel)] = exposure_sku[g, b, s, t, c]
    for column in schema.CONTROL_COLUMNS:
        if column not in schema.FLAG_COLUMNS:  # the flags come from the promotions above
            columns[column] = geo[column][g, t]
    frame = pd.DataFrame(columns)
    return frame[list(schema.ALL_COLUMNS)]
