"""``viz_config.yaml``: resolution, palette, number format and parallel rendering of figures."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from mmm_analytics.config.base import Settings, error_message
from mmm_analytics.errors import InputError

#: Smallest figure_width and figure_height (inches) a figure's titles, legend and margins fit in.
MIN_FIGURE_WIDTH = 6.0
MIN_FIGURE_HEIGHT = 3.5
#: Largest figure_width or figure_height in pixels (inches x dpi): 10 inches at 600 dpi. Figures are
#: drawn at up to 1.4 times the width and 3.4 times the height (grids of panels), so the largest is
#: about 8,400 x 20,400 pixels (0.7 GB while it is drawn). A figure far larger runs out of memory
#: while it is drawn (a width of 1000 inches took 24 GiB) instead of failing.
MAX_FIGURE_PIXELS = 6_000
#: Largest side in pixels of a figure that grows with what it shows (a row of panels per few
#: channels, a grid per brand and region): 3.4 times the largest height. More channels than fit
#: make the panels shorter, not the figure larger.
MAX_GROWN_PIXELS = 20_400
#: Most figure-rendering processes: each holds its own plotting library.
MAX_WORKERS = 32

DEFAULT_PALETTE = ["#1f4e79", "#e07b39", "#3c9d5d", "#c0392b", "#8e6bbf", "#8c6d31", "#d35fa0", "#7f7f7f"]

#: seaborn's figure styles (``seaborn.axes_style``), written out so that reading the config needs no seaborn.
type SeabornStyle = Literal["white", "dark", "whitegrid", "darkgrid", "ticks"]

#: What a colour of ``viz_config.yaml`` may be, for its messages.
COLOUR_HINT = "use a name such as 'tab:blue' or a hex code such as '#1f77b4'"
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CYCLE_COLOUR = re.compile(r"C[0-9]+")


def opaque_hex(value: str) -> str:
    """``value``, any opaque colour matplotlib knows (``red``, ``tab:blue``, ``#abc``), as ``#rrggbb``:
    the one form matplotlib, plotly and the reports' ``rgba`` all take.

    Raises
    ------
    ValueError
        When ``value`` is not a colour, is transparent, or is ``C0``-style (the current cycle's n-th).
    """
    if _HEX_COLOUR.fullmatch(value):  # the usual form: no need to load matplotlib
        return value
    if _CYCLE_COLOUR.fullmatch(value):
        raise ValueError(f"a colour of the palette cycle is not a fixed colour; {COLOUR_HINT}")
    from matplotlib.colors import is_color_like, to_hex, to_rgba  # here: importing the config stays cheap

    if not is_color_like(value):
        raise ValueError(f"not a colour; {COLOUR_HINT}")
    if to_rgba(value)[3] < 1:
        raise ValueError(f"a transparent colour is not drawn as given; {COLOUR_HINT}")
    return to_hex(value)


#: A colour of ``viz_config.yaml``, checked and stored as ``#rrggbb``.
type Colour = Annotated[str, AfterValidator(opaque_hex)]


def grown_size(width: float, height: float, dpi: int) -> tuple[float, float]:
    """``width`` x ``height`` inches with each side cut to :data:`MAX_GROWN_PIXELS` at ``dpi``."""
    limit = MAX_GROWN_PIXELS / dpi
    return min(width, limit), min(height, limit)


class NumberFormat(StrEnum):
    """Digit grouping of every number in figures and reports."""

    INDIAN = "indian"  # 1,23,45,678; lakh (L) and crore (Cr)
    WESTERN = "western"  # 12,345,678; thousand (K), million (M), billion (B)


class VizConfig(Settings):
    """Settings of every figure and report: resolution, size, style, colours and rendering."""

    dpi: int = Field(default=150, ge=50, le=600)
    style: SeabornStyle = "whitegrid"
    palette: list[Colour] = Field(default_factory=lambda: list(DEFAULT_PALETTE))
    channel_colors: dict[str, Colour] = Field(default_factory=dict)
    max_workers: int = Field(default=2, ge=1, le=MAX_WORKERS)
    #: Inches; below the floors a figure has no room for its titles, legend and margins.
    figure_width: float = Field(default=10.0, ge=MIN_FIGURE_WIDTH)
    figure_height: float = Field(default=5.5, ge=MIN_FIGURE_HEIGHT)
    number_format: NumberFormat = NumberFormat.INDIAN
    #: ``mmm curves`` draws single-curve figures for this many series x channel cells, the largest
    #: average weekly spends (``--all-figures``: every cell); national, grids and carryover always.
    top_curve_figures: int = Field(default=10, ge=0)

    @field_validator("palette")
    @classmethod
    def _some_colour(cls, palette: list[str]) -> list[str]:
        """Channels without a ``channel_colors`` entry cycle through the palette: it cannot be empty."""
        if not palette:
            raise ValueError(f"give at least one colour, e.g. ['{DEFAULT_PALETTE[0]}']")
        return palette

    @model_validator(mode="after")
    def _drawable(self) -> Self:
        if problem := self.size_problem():
            raise ValueError(problem)
        return self

    def size_problem(self) -> str | None:
        """Why a figure of this size and resolution is too large to draw (one sentence), or None."""
        for key, inches in (("figure_width", self.figure_width), ("figure_height", self.figure_height)):
            if inches * self.dpi > MAX_FIGURE_PIXELS:
                largest = math.floor(100 * MAX_FIGURE_PIXELS / self.dpi) / 100  # rounded down: itself allowed
                return (
                    f"{key} {inches:g} inches at dpi {self.dpi} is {inches * self.dpi:,.0f} pixels, above "
                    f"{MAX_FIGURE_PIXELS:,}; keep {key} at most {largest:g} at this dpi"
                )
        return None

    def figure_size(self, height_scale: float = 1.0, width_scale: float = 1.0) -> tuple[float, float]:
        """(width, height) in inches of a figure ``width_scale`` x ``figure_width`` by ``height_scale`` x
        ``figure_height``, each side at most :data:`MAX_GROWN_PIXELS` at this dpi."""
        return grown_size(self.figure_width * width_scale, self.figure_height * height_scale, self.dpi)

    def with_overrides(self, dpi: int | None = None, max_workers: int | None = None) -> VizConfig:
        """This config with a command line's ``--dpi`` and ``--workers`` (None keeps the file's).

        Raises
        ------
        InputError
            When a value is out of its range, or the figure size of ``viz_config.yaml`` is too large
            at that dpi.
        """
        updates = {key: value for key, value in (("dpi", dpi), ("max_workers", max_workers)) if value is not None}
        try:
            return type(self).model_validate(self.model_dump() | updates)
        except ValidationError as error:
            key = ".".join(str(part) for part in error.errors()[0]["loc"])
            message = error_message(error)
            given = ", ".join(f"{name} {value}" for name, value in updates.items())
            raise InputError(f"viz_config.yaml with {given}: {f'{key}: ' if key else ''}{message}") from None

    def color_for(self, index: int) -> str:
        """The ``index``-th colour of the palette, cycling."""
        return self.palette[index % len(self.palette)]
