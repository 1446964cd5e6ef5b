"""The data-quality figure: its counts in the configured number format."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.analyses_quality import DataQuality
from mmm_analytics.eda.figures_quality import plot_quality


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        pytest.param(NumberFormat.INDIAN, "1,23,456", id="indian"),
        pytest.param(NumberFormat.WESTERN, "123,456", id="western"),
    ],
)
def test_outlier_count_in_the_title_follows_the_number_format(fast_viz, fmt, shown) -> None:
    empty = pd.Series(dtype=float)
    result = DataQuality(
        missing=pd.Series({"Sales_Value": 0}),
        imputed=empty,
        outliers_by_geo=pd.Series({"NORTH": 100_000, "SOUTH": 23_456}),
        outliers_by_column=empty,
        facts=pd.DataFrame(),
        n_rows=10_000_000,
    )
    figure = plot_quality(result, fast_viz.model_copy(update={"number_format": fmt}))
    assert figure.axes[1].get_title() == f"outlier rows by geo: {shown} (1.2%)"


def test_one_outlier_row_of_many_is_not_called_0_percent(fast_viz) -> None:
    empty = pd.Series(dtype=float)
    result = DataQuality(
        missing=pd.Series({"Sales_Value": 0}),
        imputed=empty,
        outliers_by_geo=pd.Series({"NORTH": 1}),
        outliers_by_column=empty,
        facts=pd.DataFrame(),
        n_rows=11_232,
    )
    assert plot_quality(result, fast_viz).axes[1].get_title() == "outlier rows by geo: 1 (under 0.1%)"
