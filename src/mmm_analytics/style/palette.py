"""The one set of colours: every channel keeps its colour in every figure and report.

Channels take ``viz_config.yaml``'s ``channel_colors`` when set, else the palette in the
order of the model's channel list. The other parts of a chart (base, price, promotions,
actual and fitted sales, the interval band, markers) have fixed colours here, shared by
matplotlib and plotly.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmm_analytics.config.viz import VizConfig

#: Parts of the sales decomposition other than the channels.
PART_COLORS: dict[str, str] = {"base": "#c5ccd6", "price": "#7a8797", "promotions": "#e3b505"}
#: Actual sales: near-black, drawn as a thin solid line or dots.
ACTUAL = "#222222"
#: The model's fitted (predicted) sales.
FITTED = "#1f77b4"
#: A prediction or interval band (the fitted colour, transparent).
BAND = "rgba(31, 119, 180, 0.18)"
#: Today's spend or mix.
CURRENT = "#555555"
#: The recommended spend or mix.
RECOMMENDED = "#d62728"
#: Break-even (marginal ROI below 1) and 90%-of-ceiling markers.
BREAKEVEN = "#b8860b"
CEILING = "#4b0082"
#: Text, grid and axis greys.
INK = "#1d2630"
MUTED = "#4a5866"
GRID = "#e3e6ea"


def channel_color(viz: VizConfig, channel: str, index: int) -> str:
    """Colour of ``channel``, the ``index``-th of the model's channels."""
    return viz.channel_colors.get(channel, viz.color_for(index))


def channel_colors(viz: VizConfig, channels: Sequence[str]) -> dict[str, str]:
    """Colour of every channel of ``channels`` (the model's channel order)."""
    return {name: channel_color(viz, name, index) for index, name in enumerate(channels)}


def part_colors(viz: VizConfig, channels: Sequence[str]) -> dict[str, str]:
    """Colours of the decomposition: the fixed non-media parts, then every channel."""
    return PART_COLORS | channel_colors(viz, channels)


def rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS/plotly ``rgba(...)`` with opacity ``alpha``."""
    red, green, blue = (int(color.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"
