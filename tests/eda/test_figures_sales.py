"""Sales figures: many geos or brands are cut to the largest in the figure, never in the result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.eda import defaults
from mmm_analytics.eda.analyses_sales import GeoBrandSales, Trend
from mmm_analytics.eda.figures_sales import plot_geo_brand, plot_trend

VIZ = VizConfig(dpi=50, figure_width=6.0, figure_height=3.5)


def _weekly(n_groups: int) -> pd.DataFrame:
    dates = pd.date_range("2023-01-02", periods=8, freq="W-MON")
    return pd.DataFrame({f"G{g:03d}": np.full(8, float(g + 1)) for g in range(n_groups)}, index=dates)


def test_trend_legend_names_the_largest_groups() -> None:
    sales = _weekly(defaults.TOP_IN_FIGURES + 5)
    figure = plot_trend(Trend("Geo", sales), VIZ)
    legend = figure.axes[0].get_legend()
    assert legend is not None
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == list(sales.columns[-defaults.TOP_IN_FIGURES :])
    assert f"top {defaults.TOP_IN_FIGURES} of {sales.shape[1]}" in figure.get_suptitle()


def test_small_trend_keeps_every_group() -> None:
    figure = plot_trend(Trend("Brand", _weekly(3)), VIZ)
    legend = figure.axes[0].get_legend()
    assert legend is not None and len(legend.get_texts()) == 3
    assert "top" not in figure.get_suptitle()


def test_heatmap_rows_are_the_largest_geos() -> None:
    n_geos = defaults.TOP_HEATMAP_ROWS + 10
    sales = pd.DataFrame(
        {"BrandA": np.arange(n_geos, dtype=float), "BrandB": np.ones(n_geos)},
        index=pd.Index([f"G{g:03d}" for g in range(n_geos)], name="Geo"),
    )
    figure = plot_geo_brand(GeoBrandSales(sales), VIZ)
    rows = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert len(rows) <= defaults.TOP_HEATMAP_ROWS and "G000" not in rows and f"G{n_geos - 1:03d}" in rows


@pytest.mark.parametrize(
    ("number_format", "unit", "cell", "small"),
    [("indian", "INR crore", "4.5", "0.03"), ("western", "INR millions", "45", "0.3")],
    ids=["indian", "western"],
)
def test_heatmap_values_are_in_the_number_formats_unit(number_format: str, unit: str, cell: str, small: str) -> None:
    """Before, the heatmap read "INR millions" whatever the format; the Indian one counts in lakh and crore.
    A cell far below the largest keeps its digits (with one decimal, 3 lakh in crore read 0.0)."""
    sales = pd.DataFrame(
        {"BrandA": [4.5e7, 2.0e6], "BrandB": [1.2e7, 3.0e5]}, index=pd.Index(["NORTH", "SOUTH"], name="Geo")
    )
    figure = plot_geo_brand(GeoBrandSales(sales), VIZ.model_copy(update={"number_format": number_format}))
    colorbar = figure.axes[-1]
    assert colorbar.get_ylabel() == f"Sales_Value ({unit})" and figure.get_suptitle().endswith(unit)
    cells = [text.get_text() for text in figure.axes[0].texts]
    assert cell in cells and small in cells and "0.0" not in cells
