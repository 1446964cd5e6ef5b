"""The look of every plotly chart: one layout, money axes in the configured number format.

Plotly's own number formats know no lakh or crore, so money axes get their tick values
and labels from :func:`mmm_analytics.style.numbers.nice_ticks`, and hover texts are
formatted here too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers, palette

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


def plain(text: object) -> str:
    """``text`` (a name from the data) as plotly shows it letter for letter: plotly reads ``<b>``, ``<br>``
    and entities in any label, so ``&``, ``<`` and ``>`` go in as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Characters in a line of a category label, and lines in all (:func:`wrapped`).
LABEL_WIDTH = 18
LABEL_LINES = 3


def wrapped(text: object, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """``text`` (a name from the data) as a tick label of at most ``lines`` lines of ``width`` characters,
    each :func:`plain`, joined by ``<br>``: broken at spaces, inside a word too long for a line, and ended
    by an ellipsis when it does not fit. Plotly neither wraps nor shortens tick labels: a long one, turned
    to fit, pushed the margins past the chart's height and plotly drew nothing."""
    parts = textwrap.wrap(str(text), width, break_on_hyphens=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "<br>".join(plain(part) for part in parts)


def layout(x_title: str = "", y_title: str = "", **updates: Any) -> dict[str, Any]:
    """The shared layout: white background, light grid, axis titles, and the legend at the foot of the
    figure, clear of the toolbar plotly shows at its top right on hover (on a phone too)."""
    axis = {"gridcolor": palette.GRID, "zerolinecolor": "#c9ced4", "automargin": True}
    base: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": palette.INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 24, "t": 48, "b": 50},
        "legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
        "hoverlabel": {"font": {"family": FONT}},
        # A bar's label that would shrink below 10 px to fit (narrow bars, a phone) is left out; hover keeps it.
        "uniformtext": {"minsize": 10, "mode": "hide"},
        "xaxis": axis | {"title": {"text": x_title}},
        "yaxis": axis | {"title": {"text": y_title}},
    }
    return base | updates


def money_axis(values: Iterable[object], fmt: NumberFormat, title: str = "", zero: bool = True) -> dict[str, Any]:
    """An axis of rupees covering every finite value of ``values`` (and 0, unless ``zero`` is False),
    labelled in ``fmt``."""
    finite = [v for v in (numbers.finite(x) for x in values) if v is not None]
    low, high = min(finite, default=0.0), max(finite, default=1.0)
    ticks, labels = numbers.nice_ticks(low, high, fmt)
    if not zero and low > 0 and len(ticks) > 2:
        step = ticks[1] - ticks[0]
        ticks, labels = numbers.nice_ticks(0.0, high - step * int(low // step), fmt)
        ticks = [t + step * int(low // step) for t in ticks]
        labels = numbers.tick_labels(ticks, fmt)
    span = (ticks[-1] - ticks[0]) or 1.0
    return {
        "gridcolor": palette.GRID,
        "zerolinecolor": "#9aa3ad",
        "automargin": True,
        "title": {"text": title},
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": labels,
        "range": [ticks[0] - 0.01 * span, ticks[-1] + 0.02 * span],
    }


def money_text(values: Iterable[object], fmt: NumberFormat) -> list[str]:
    """Each value as ``INR 1,23,456`` for hover texts."""
    return [numbers.money(v, fmt) for v in values]
