"""The interactive charts of ``model_report.html`` as plotly JSON: fit, decomposition, waterfall.

Actual sales are a dark solid line (dots in the decomposition), the model's fitted sales a
coloured dashed line, the holdout weeks shaded; money axes follow the number format.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.models.evaluation_figures import PlotData
from mmm_analytics.style import charts, numbers, palette

SALES_TITLE = "Sales_Value (INR per week)"
HOLDOUT_FILL = "#f0c987"


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) for v in np.asarray(values)]


def _dates(plots: PlotData) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in plots.dates]


def _holdout(plots: PlotData) -> list[dict[str, Any]]:
    """The shaded holdout weeks (nothing when there is no holdout)."""
    if plots.holdout_weeks <= 0:
        return []
    start = plots.dates[len(plots.dates) - plots.holdout_weeks].strftime("%Y-%m-%d")
    end = (plots.dates[-1] + pd.Timedelta(days=7)).strftime("%Y-%m-%d")
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": start,
            "x1": end,
            "y0": 0,
            "y1": 1,
            "fillcolor": HOLDOUT_FILL,
            "opacity": 0.35,
            "line": {"width": 0},
            "layer": "below",
        }
    ]


#: The charts' titles, shown above each chart where they wrap on a narrow screen (plotly's do not).
FIT_TITLE = "Actual vs fitted weekly sales (holdout shaded)"
DECOMPOSITION_TITLE = "Weekly national sales by part (holdout shaded)"
WATERFALL_TITLE = "Contribution waterfall over the data period"


def time_layout(plots: PlotData, values: list[float], fmt: NumberFormat) -> dict[str, Any]:
    """Weeks across, rupees up (ticks in ``fmt``), the holdout shaded."""
    layout = charts.layout("Week") | {"shapes": _holdout(plots)}
    layout["yaxis"] = charts.money_axis(values, fmt, SALES_TITLE)
    return layout


def _fit_views(plots: PlotData) -> list[tuple[str, np.ndarray, np.ndarray]]:
    views = [("National", plots.national_actual, plots.national_predicted)]
    for prefix, panels in (("Brand", plots.by_brand), ("Region", plots.by_region)):
        views += [(f"{prefix} {k}", a, p) for k, a, p in zip(panels.labels, panels.actual, panels.predicted)]
    return views


def fit_chart(plots: PlotData, fmt: NumberFormat) -> dict[str, Any]:
    """Actual and predicted weekly sales with a menu of national, brand and region views (the menu names
    the view shown)."""
    dates, views = _dates(plots), _fit_views(plots)
    data, buttons = [], []
    fitted = plots.colors.get("predicted", palette.FITTED)
    for index, (label, actual, predicted) in enumerate(views):
        visible = index == 0
        data.append(
            {
                "type": "scatter",
                "x": dates,
                "y": _rounded(actual),
                "name": "actual",
                "visible": visible,
                "line": {"color": palette.ACTUAL, "width": 1.5},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": dates,
                "y": _rounded(predicted),
                "name": "fitted",
                "visible": visible,
                "line": {"color": fitted, "width": 2.5, "dash": "dash"},
            }
        )
        flags = [k // 2 == index for k in range(2 * len(views))]
        axis = charts.money_axis([*actual, *predicted], fmt, SALES_TITLE)
        buttons.append({"label": label, "method": "update", "args": [{"visible": flags}, {"yaxis": axis}]})
    first = [*views[0][1], *views[0][2]]
    layout = time_layout(plots, first, fmt)
    # The view menu sits at the left, just above the plot: plotly's toolbar takes the top right on hover.
    menu = {"x": 0.0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "showactive": True}
    layout["updatemenus"] = [{"buttons": buttons, **menu}]
    layout["margin"] = layout["margin"] | {"t": 96}
    return {"data": data, "layout": layout}


def decomposition_chart(plots: PlotData, fmt: NumberFormat) -> dict[str, Any]:
    """National weekly sales stacked by part, with the fitted line and the actual dots."""
    dates = _dates(plots)
    data: list[dict[str, Any]] = [
        {"type": "bar", "x": dates, "y": _rounded(values), "name": name, "marker": {"color": plots.colors[name]}}
        for name, values in plots.national_parts.items()
    ]
    data.append(
        {
            "type": "scatter",
            "x": dates,
            "y": _rounded(plots.national_predicted),
            "name": "fitted",
            "line": {"color": palette.FITTED, "width": 2},
        }
    )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": dates,
            "y": _rounded(plots.national_actual),
            "name": "actual",
            "marker": {"color": palette.ACTUAL, "size": 4},
        }
    )
    negative = sum((np.minimum(v, 0.0) for v in plots.national_parts.values()), np.zeros(len(dates)))
    values = [*plots.national_actual, *plots.national_predicted, *negative]
    layout = time_layout(plots, values, fmt)
    return {"data": data, "layout": layout | {"barmode": "relative", "bargap": 0.05}}


def waterfall_chart(plots: PlotData, fmt: NumberFormat) -> dict[str, Any]:
    """From the base, each part added in turn, to the total over the data period."""
    names = list(plots.totals)
    values = [round(plots.totals[n], 2) for n in names]
    running = np.cumsum(values)
    trace = {
        "type": "waterfall",
        "x": [*names, "total"],
        "y": [*values, 0.0],
        "measure": ["absolute", *["relative"] * (len(names) - 1), "total"],
        "text": [numbers.compact(v, fmt) for v in [*values, float(running[-1]) if names else 0.0]],
        "textposition": "outside",
        "connector": {"line": {"color": "#777777"}},
    }
    layout = charts.layout()
    layout["yaxis"] = charts.money_axis([0.0, *running.tolist()], fmt, "Sales_Value (INR)")
    layout["showlegend"] = False
    return {"data": [trace], "layout": layout}
