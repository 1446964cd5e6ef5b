"""The charts of the summary page as plotly JSON.

- ROI by channel: bars of the historical average ROI with their 90% intervals;
- spend share beside contribution share, each labelled;
- every channel's national response curve, today's and the recommended spend marked;
- the budget frontier, today's budget marked;
- actual vs fitted national sales with the fit's prediction band.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import charts, numbers, palette

#: z of a two-sided 90% normal interval.
Z90 = 1.6448536269514722
SPEND_SHARE = "Share of media spend"
CONTRIBUTION_SHARE = "Share of media contribution"


def roi_bars(roi: pd.DataFrame, colors: Mapping[str, str]) -> dict[str, Any]:
    """Historical average ROI per channel, error bars from the 90% interval, break-even at 1."""
    channels = [str(c) for c in roi["channel"]]
    values = roi["roi"].to_numpy(dtype=float)
    trace = {
        "type": "bar",
        "x": channels,
        "y": values.tolist(),
        "marker": {"color": [colors.get(c, palette.FITTED) for c in channels]},
        "error_y": {
            "type": "data",
            "array": (roi["roi_upper"].to_numpy(dtype=float) - values).tolist(),
            "arrayminus": (values - roi["roi_lower"].to_numpy(dtype=float)).tolist(),
            "color": palette.ACTUAL,
            "thickness": 1.5,
            "width": 6,
        },
        "text": [numbers.ratio(v) for v in values],
        "textposition": "none",
        "hovertemplate": "%{x}: historical average ROI %{text}<extra></extra>",
        "name": "historical average ROI",
    }
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1, "y1": 1, "line": {"dash": "dot"}}
    layout = charts.layout("", "Historical average ROI (INR of sales per INR)") | {
        "shapes": [line],
        "showlegend": False,
    }
    return {"data": [trace], "layout": layout}


def _shares(values: np.ndarray) -> np.ndarray:
    """Each value's share of their total; NaN throughout when the total is not positive (no media
    spend or contribution: there are no shares to draw)."""
    total = float(values.sum())
    return values / total if np.isfinite(total) and total > 0 else np.full(len(values), np.nan)


def share_bars(roi: pd.DataFrame) -> dict[str, Any]:
    """Each channel's share of media spend beside its share of media contribution."""
    channels = [str(c) for c in roi["channel"]]
    spend = roi["spend"].to_numpy(dtype=float)
    contribution = roi["contribution"].to_numpy(dtype=float)
    data = []
    for name, values, color in (
        (SPEND_SHARE, _shares(spend), palette.CURRENT),
        (CONTRIBUTION_SHARE, _shares(contribution), palette.FITTED),
    ):
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": channels,
                "y": [numbers.finite(v) for v in values],
                "marker": {"color": color},
                "text": [numbers.percent(v) for v in values],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{text} " + name.lower() + "<extra></extra>",
            }
        )
    layout = charts.layout("", "Share of all media") | {"barmode": "group"}
    layout["yaxis"] = layout["yaxis"] | {"tickformat": ".0%", "rangemode": "tozero"}
    return {"data": data, "layout": layout}


def _marker(name: str, symbol: str, color: str) -> dict[str, Any]:
    """A legend entry for a kind of marker (the markers on the curves carry no legend)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [None],
        "y": [None],
        "name": name,
        "marker": {"symbol": symbol, "size": 11, "color": color, "line": {"color": palette.ACTUAL, "width": 1}},
    }


def response_curves(
    curves: pd.DataFrame,
    colors: Mapping[str, str],
    today: Mapping[str, float],
    recommended: Mapping[str, float],
    fmt: NumberFormat,
) -> dict[str, Any]:
    """Every channel's steady-state response in ``curves`` (national, or one brand x region's); circles at
    ``today``'s spend, diamonds at the ``recommended`` (none where they are empty)."""
    data: list[dict[str, Any]] = []
    drawn: set[str] = set()
    for channel, rows in curves.groupby("channel", sort=False):
        color = colors.get(str(channel), palette.FITTED)
        spend, response = rows["spend"].to_numpy(dtype=float), rows["response"].to_numpy(dtype=float)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": str(channel),
                "x": spend.tolist(),
                "y": response.tolist(),
                "line": {"color": color, "width": 2.5},
                "legendgroup": str(channel),
            }
        )
        for points, symbol in ((today, "circle"), (recommended, "diamond")):
            value = numbers.finite(points.get(str(channel)))
            if value is None or value > spend.max():
                continue
            drawn.add(symbol)
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [value],
                    "y": [float(np.interp(value, spend, response))],
                    "marker": {
                        "symbol": symbol,
                        "size": 11,
                        "color": color,
                        "line": {"color": palette.ACTUAL, "width": 1},
                    },
                    "showlegend": False,
                    "legendgroup": str(channel),
                    "hovertemplate": f"{channel}: {'today' if symbol == 'circle' else 'recommended'} "
                    f"{numbers.money(value, fmt)} per week<extra></extra>",
                }
            )
    # Before, the legend named both markers on curves that carried none (the national curves beside the
    # advice of one brand x region).
    keys = (("Today's spend", "circle"), ("Recommended spend", "diamond"))
    data += [_marker(name, symbol, "#ffffff") for name, symbol in keys if symbol in drawn]
    layout = charts.layout()
    layout["xaxis"] = charts.money_axis(curves["spend"], fmt, "Weekly spend on the channel (INR)")
    layout["yaxis"] = charts.money_axis(curves["response"], fmt, "Incremental sales (INR per week)")
    return {"data": data, "layout": layout}


def national_fit(decomposition: pd.DataFrame, holdout_weeks: int) -> pd.DataFrame:
    """Weekly national actual and fitted sales with the 90% prediction band.

    The band is fitted +- 1.645 x the standard deviation of the national weekly residuals
    over the training weeks (the holdout's last ``holdout_weeks`` weeks are left out).
    """
    weekly = decomposition.groupby("date", sort=True)[["actual", "predicted"]].sum()
    residual = weekly["actual"] - weekly["predicted"]
    train = residual.iloc[: len(residual) - holdout_weeks] if 0 < holdout_weeks < len(residual) else residual
    spread = Z90 * float(train.std(ddof=1)) if len(train) > 1 else 0.0
    return weekly.assign(lower=weekly["predicted"] - spread, upper=weekly["predicted"] + spread)


def fit_chart(weekly: pd.DataFrame, fmt: NumberFormat, holdout_weeks: int) -> dict[str, Any]:
    """Actual (dark solid line with dots) vs fitted (blue dashed, drawn on top) weekly sales, the band shaded;
    the sales axis starts near the lowest week, not at 0, so the gap between the two lines shows."""
    dates = [str(d)[:10] for d in weekly.index]
    band = palette.BAND
    data = [
        {"type": "scatter", "x": dates, "y": weekly["upper"].tolist(), "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "x": dates, "y": weekly["lower"].tolist(), "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": band, "name": "90% prediction band", "hoverinfo": "skip"},
        {"type": "scatter", "x": dates, "y": weekly["actual"].tolist(), "mode": "lines+markers", "name": "Actual",
         "line": {"color": palette.ACTUAL, "width": 1.5}, "marker": {"size": 4, "color": palette.ACTUAL}},
        {"type": "scatter", "x": dates, "y": weekly["predicted"].tolist(), "mode": "lines", "name": "Fitted",
         "line": {"color": palette.FITTED, "width": 2.5, "dash": "dash"}},
    ]  # fmt: skip
    layout = charts.layout("Week")
    values = [*weekly["upper"], *weekly["lower"], *weekly["actual"]]
    layout["yaxis"] = charts.money_axis(values, fmt, "National sales (INR per week)", zero=False)
    if 0 < holdout_weeks < len(dates):
        holdout = {"type": "rect", "xref": "x", "yref": "paper", "x0": dates[-holdout_weeks], "x1": dates[-1]}
        layout["shapes"] = [holdout | {"y0": 0, "y1": 1, "fillcolor": "#f0c987", "opacity": 0.3, "line": {"width": 0}}]
    return {"data": data, "layout": layout}


def todays_allocation(allocation: Mapping[str, Any]) -> dict[str, float]:
    """Today's weekly spend per channel (INR) as it is, not scaled to the advice's budget: the optimiser's
    ``today_allocation``; from a file written before it, ``current_allocation`` (today's mix scaled to the
    budget) scaled back to ``today_weekly_spend`` when that is there, else ``current_allocation`` itself."""
    today = allocation.get("today_allocation")
    if isinstance(today, Mapping) and today and all(numbers.finite(v) is not None for v in today.values()):
        return {str(c): float(v) for c, v in today.items()}
    scaled = allocation.get("current_allocation")
    pairs = scaled.items() if isinstance(scaled, Mapping) else ()
    # a value that is not a number is left out, for the callers' own checks to see (before: a TypeError)
    current = {str(c): value for c, v in pairs if (value := numbers.finite(v)) is not None}
    spend, budget = (
        numbers.finite(allocation.get("today_weekly_spend")),
        numbers.finite(allocation.get("weekly_budget")),
    )
    if spend is None or budget is None or budget <= 0:
        return current
    return {c: v * spend / budget for c, v in current.items()}


def allocation_points(allocation: Mapping[str, Any] | None) -> tuple[dict[str, float], dict[str, float]]:
    """Today's weekly spend per channel as it is (:func:`todays_allocation`) and the recommended one (empty
    without an optimisation)."""
    if not allocation:
        return {}, {}
    return todays_allocation(allocation), dict(allocation.get("allocation", {}))
