"""The numbered analyses: what each answers, how it is computed and how it is drawn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.data import schema
from mmm_analytics.eda import analyses_drivers as drivers
from mmm_analytics.eda import analyses_media as media
from mmm_analytics.eda import analyses_quality as quality
from mmm_analytics.eda import analyses_sales as sales
from mmm_analytics.eda import (
    figures_drivers,
    figures_media,
    figures_quality,
    figures_sales,
)
from mmm_analytics.eda.outcome import AnalysisResult
from mmm_analytics.eda.prepare import PanelView

type Compute = Callable[[PanelView], AnalysisResult]
type Plot = Callable[[Any, VizConfig], Figure]


@dataclass(frozen=True, slots=True)
class Analysis:
    """One analysis: its number and slug name the PNG ``NN_slug.png``.

    ``uses_channel_variation`` marks analyses that leave out channels whose exposure never varies.
    """

    number: int
    slug: str
    title: str
    question: str
    compute: Compute
    plot: Plot
    uses_channel_variation: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.number:02d}_{self.slug}.png"


def brand_trend(view: PanelView) -> sales.Trend:
    return sales.sales_trend(view, schema.BRAND)


def geo_trend(view: PanelView) -> sales.Trend:
    return sales.sales_trend(view, schema.GEO)


_SPECS: tuple[tuple[str, str, str, Compute, Plot, bool], ...] = (
    (
        "sales_trend_brand",
        "Sales trend by brand",
        "How are sales trending for each brand?",
        brand_trend,
        figures_sales.plot_trend,
        False,
    ),
    (
        "sales_trend_geo",
        "Sales trend by geo",
        "Do regions grow at different rates?",
        geo_trend,
        figures_sales.plot_trend,
        False,
    ),
    (
        "sales_distribution",
        "Sales distribution",
        "Are weekly sales skewed enough to model on a log scale?",
        sales.sales_distribution,
        figures_sales.plot_distribution,
        False,
    ),
    (
        "seasonal_profile",
        "Seasonal profile",
        "Which months sell more, and is it the same every year?",
        sales.seasonal_profile,
        figures_sales.plot_seasonal_profile,
        False,
    ),
    (
        "stl_decomposition",
        "STL decomposition",
        "How much of the sales movement is trend, season and noise?",
        sales.decomposition,
        figures_sales.plot_decomposition,
        False,
    ),
    (
        "geo_brand_heatmap",
        "Geo x brand sales",
        "Where does each brand sell?",
        sales.geo_brand_sales,
        figures_sales.plot_geo_brand,
        False,
    ),
    ("sku_mix", "SKU mix", "Which SKUs carry each brand?", sales.sku_mix, figures_sales.plot_sku_mix, False),
    (
        "exposure_over_time",
        "Exposure by channel",
        "How much exposure did each channel deliver, and when?",
        media.channel_exposure,
        figures_media.plot_exposure,
        False,
    ),
    (
        "spend_share",
        "Spend and share of spend",
        "Where does the media money go?",
        media.spend_share,
        figures_media.plot_spend,
        False,
    ),
    (
        "flighting_calendar",
        "Flighting calendar",
        "When is each channel on air?",
        media.flighting,
        figures_media.plot_flighting,
        False,
    ),
    (
        "channel_correlation",
        "Channel correlation",
        "Which channels move together?",
        media.channel_correlation,
        figures_media.plot_correlation,
        True,
    ),
    (
        "collinear_pair",
        "Collinear channel pair",
        "Can the model tell YouTube from Instagram (or the most collinear pair) apart?",
        media.collinear_pair,
        figures_media.plot_pair,
        True,
    ),
    (
        "vif",
        "Variance inflation factors",
        "How collinear is each channel with all the others?",
        media.vif,
        figures_media.plot_vif,
        True,
    ),
    (
        "cross_correlation",
        "Cross-correlation by lag",
        "How long after exposure do sales respond?",
        media.cross_correlation,
        figures_media.plot_cross_correlation,
        True,
    ),
    (
        "lagged_response",
        "Sales vs lagged exposure",
        "Do sales rise with exposure, and does the response flatten?",
        media.lagged_response,
        figures_media.plot_lagged_response,
        True,
    ),
    (
        "festive_uplift",
        "Festive uplift",
        "Do festive weeks sell more?",
        drivers.festive_uplift,
        figures_drivers.plot_festive,
        False,
    ),
    (
        "rainfall_vs_sales",
        "Rainfall vs sales",
        "Does the monsoon move sales?",
        drivers.rainfall_vs_sales,
        figures_drivers.plot_rainfall,
        False,
    ),
    (
        "price_elasticity",
        "Price, TPR and units",
        "How strongly do units respond to price?",
        drivers.price_elasticity,
        figures_drivers.plot_elasticity,
        False,
    ),
    (
        "promo_uplift",
        "Promotion uplift",
        "Which promotions (feature, display, TPR) lift sales?",
        drivers.promo_uplift,
        figures_drivers.plot_promo,
        False,
    ),
    (
        "distribution_vs_sales",
        "Distribution vs sales",
        "Does wider distribution come with higher sales?",
        drivers.distribution_vs_sales,
        figures_drivers.plot_distribution_drivers,
        False,
    ),
    (
        "macro_trends",
        "Macro trends",
        "How do prices (CPI) and the economy (GDP) move next to sales?",
        drivers.macro_trends,
        figures_drivers.plot_macro,
        False,
    ),
    (
        "creative_scores",
        "Creative scores",
        "Do better banner creatives come with higher sales?",
        drivers.creative_scores,
        figures_drivers.plot_creative,
        False,
    ),
    (
        "driver_correlation",
        "Non-media drivers",
        "Which non-media drivers move with sales?",
        drivers.driver_correlation,
        figures_drivers.plot_driver_correlation,
        False,
    ),
    (
        "data_quality",
        "Data quality",
        "Can the data be trusted: what was missing, imputed or flagged?",
        quality.data_quality,
        figures_quality.plot_quality,
        False,
    ),
)

#: Every analysis in report order, numbered from 1.
ANALYSES: tuple[Analysis, ...] = tuple(
    Analysis(number, slug, name, question, compute, plot, channels)
    for number, (slug, name, question, compute, plot, channels) in enumerate(_SPECS, start=1)
)
