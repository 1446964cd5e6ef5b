"""``viz_config.yaml``: resolution, palette, number format and parallel rendering of figures."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from mmm_analytics.config.base import Settings

DEFAULT_PALETTE = ["#1f4e79", "#e07b39", "#3c9d5d", "#c0392b", "#8e6bbf", "#8c6d31", "#d35fa0", "#7f7f7f"]


class NumberFormat(StrEnum):
    """Digit grouping of every number in figures and reports."""

    INDIAN = "indian"  # 1,23,45,678; lakh (L) and crore (Cr)
    WESTERN = "western"  # 12,345,678; thousand (K), million (M), billion (B)


class VizConfig(Settings):
    dpi: int = Field(default=150, ge=50, le=600)
    style: str = "whitegrid"
    palette: list[str] = Field(default_factory=lambda: list(DEFAULT_PALETTE))
    channel_colors: dict[str, str] = Field(default_factory=dict)
    max_workers: int = Field(default=2, ge=1)
    figure_width: float = Field(default=10.0, gt=0)
    figure_height: float = Field(default=5.5, gt=0)
    number_format: NumberFormat = NumberFormat.INDIAN
    #: ``mmm curves`` draws single-curve figures for this many series x channel cells, the largest
    #: average weekly spends (``--all-figures``: every cell); national, grids and carryover always.
    top_curve_figures: int = Field(default=10, ge=0)

    def color_for(self, index: int) -> str:
        return self.palette[index % len(self.palette)]
