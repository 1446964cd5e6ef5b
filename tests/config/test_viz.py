"""viz_config.yaml model: resolution bounds, colours, style and the palette cycle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing

import pydantic
import pytest

from mmm_analytics.config.viz import DEFAULT_PALETTE, MAX_GROWN_PIXELS, SeabornStyle, VizConfig, grown_size
from mmm_analytics.errors import InputError


def test_color_for_cycles_through_the_palette() -> None:
    viz = VizConfig(palette=["#111111", "#222222"])
    assert [viz.color_for(i) for i in range(5)] == ["#111111", "#222222", "#111111", "#222222", "#111111"]
    assert VizConfig().color_for(0) == DEFAULT_PALETTE[0]


@pytest.mark.parametrize(
    "raw, key",
    [({"dpi": 601}, "dpi"), ({"max_workers": 0}, "max_workers"), ({"figure_width": 0}, "figure_width")],
    ids=["dpi_too_high", "no_workers", "zero_width"],
)
def test_bad_values_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=key):
        VizConfig.model_validate(raw)


@pytest.mark.parametrize(
    "raw, key", [({"figure_height": 1.0}, "figure_height"), ({"figure_width": 0.05}, "figure_width")]
)
def test_a_figure_too_small_for_its_margins_is_refused(raw: dict, key: str) -> None:
    """figure_height 1.0 passed the check and ``mmm train`` then failed after the whole fit with
    'bottom cannot be >= top' from matplotlib; 6 x 3.5 inches is the smallest every figure is drawn at."""
    with pytest.raises(pydantic.ValidationError, match=key):
        VizConfig.model_validate(raw)
    smallest = VizConfig.model_validate({"figure_width": 6.0, "figure_height": 3.5})
    assert (smallest.figure_width, smallest.figure_height) == (6.0, 3.5)


def test_number_format_defaults_to_indian_and_rejects_others() -> None:
    from mmm_analytics.config.viz import NumberFormat

    assert VizConfig().number_format is NumberFormat.INDIAN
    assert VizConfig.model_validate({"number_format": "western"}).number_format is NumberFormat.WESTERN
    with pytest.raises(pydantic.ValidationError, match="number_format"):
        VizConfig.model_validate({"number_format": "roman"})


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({"figure_width": 1000.0}, "figure_width 1000 inches at dpi 150 is 150,000 pixels, above 6,000"),
        ({"figure_height": 20.0, "dpi": 350}, "keep figure_height at most 17.14 at this dpi"),
        ({"max_workers": 10_000}, "max_workers"),
    ],
    ids=["wide", "tall-at-600-dpi", "workers"],
)
def test_a_figure_too_large_to_draw_is_refused(raw: dict, fragment: str) -> None:
    """A figure_width of 1000 inches went on to take 24 GiB while the first figure was drawn and was
    killed for memory, with no message."""
    with pytest.raises(pydantic.ValidationError, match=re.escape(fragment)):
        VizConfig.model_validate(raw)


@pytest.mark.parametrize("dpi", [150, 350, 600])
def test_the_largest_size_a_message_suggests_is_accepted(dpi: int) -> None:
    """The suggestion is rounded down: 10000 / 600 read 16.6667, which was itself refused."""
    message = VizConfig.model_construct(figure_width=1000.0, figure_height=5.0, dpi=dpi).size_problem()
    assert message is not None
    largest = float(message.split("at most ")[1].split(" ")[0])
    assert (
        VizConfig.model_validate({"figure_width": largest, "figure_height": largest, "dpi": dpi}).size_problem() is None
    )


def test_the_default_size_is_drawable_at_the_highest_dpi() -> None:
    assert VizConfig.model_validate({"dpi": 600}).size_problem() is None


def test_a_command_line_dpi_is_checked_with_the_file_s_figure_size() -> None:
    viz = VizConfig.model_validate({"figure_width": 30.0, "dpi": 150})  # 4500 pixels
    assert viz.with_overrides(dpi=200, max_workers=3).model_dump() == viz.model_dump() | {"dpi": 200, "max_workers": 3}
    assert viz.with_overrides().model_dump() == viz.model_dump()
    with pytest.raises(InputError, match=re.escape("viz_config.yaml with dpi 600: figure_width 30 inches at dpi 600")):
        viz.with_overrides(dpi=600)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"dpi": 10}, "with dpi 10: dpi: Input should be greater than or equal to 50"),
        ({"max_workers": 10_000}, "max_workers"),
    ],
    ids=["dpi", "workers"],
)
def test_overrides_keep_the_file_s_ranges(overrides: dict, fragment: str) -> None:
    """Overrides were copied in without validation: the Python API took dpi 10 and 10,000 workers."""
    with pytest.raises(InputError, match=re.escape(fragment)):
        VizConfig().with_overrides(**overrides)


@pytest.mark.parametrize("dpi", [50, 150, 600])
def test_a_figure_that_grows_with_its_content_stays_drawable(dpi: int) -> None:
    """Before, a row of panels per two channels made 40 channels a figure taller than 65,536 pixels at 600 dpi."""
    viz = VizConfig(dpi=dpi, figure_width=6_000 / 600, figure_height=5.5)
    width, height = viz.figure_size(height_scale=0.8 * 20 + 0.2, width_scale=1.4)
    assert max(width, height) * dpi <= MAX_GROWN_PIXELS + 1e-9
    assert viz.figure_size() == (viz.figure_width, viz.figure_height)  # an ordinary figure is untouched
    assert grown_size(2.6 * 48, 2.1, dpi)[0] * dpi <= MAX_GROWN_PIXELS + 1e-9


NOT_A_COLOUR = "not a colour; use a name such as 'tab:blue' or a hex code such as '#1f77b4'"


@pytest.mark.parametrize(
    "raw, loc, fragment",
    [
        ({"palette": []}, ("palette",), "give at least one colour, e.g. ['#1f4e79']"),
        ({"palette": ["#1f4e79", "notacolour"]}, ("palette", 1), NOT_A_COLOUR),
        ({"palette": ["#12"]}, ("palette", 0), NOT_A_COLOUR),
        ({"channel_colors": {"TV": "blurple"}}, ("channel_colors", "TV"), NOT_A_COLOUR),
        ({"palette": ["none"]}, ("palette", 0), "a transparent colour is not drawn as given"),
        ({"channel_colors": {"TV": "#1f77b480"}}, ("channel_colors", "TV"), "a transparent colour"),
        ({"palette": ["C0"]}, ("palette", 0), "a colour of the palette cycle is not a fixed colour"),
        ({"style": "neon"}, ("style",), "Input should be 'white', 'dark', 'whitegrid', 'darkgrid' or 'ticks'"),
    ],
    ids=[
        "empty_palette",
        "palette_word",
        "short_hex",
        "channel_word",
        "none",
        "half_transparent",
        "cycle_reference",
        "unknown_style",
    ],
)
def test_a_colour_or_style_nothing_can_draw_is_refused(raw: dict, loc: tuple, fragment: str) -> None:
    """Each was accepted and crashed ``mmm curves``/``mmm eda`` with a traceback while drawing: an empty
    palette by a division by zero, the words in seaborn or a worker process, the style in seaborn."""
    with pytest.raises(pydantic.ValidationError) as error:
        VizConfig.model_validate(raw)
    first = error.value.errors()[0]
    assert first["loc"] == loc
    assert fragment in first["msg"]
    assert "\n" not in first["msg"]


@pytest.mark.parametrize(
    "given, stored",
    [
        ("#1F4E79", "#1F4E79"),
        ("red", "#ff0000"),
        ("tab:blue", "#1f77b4"),
        ("#abc", "#aabbcc"),
        ("xkcd:sky blue", "#75bbfd"),
        ("0.5", "#808080"),
        ("#1f77b4ff", "#1f77b4"),
    ],
)
def test_every_matplotlib_colour_is_stored_as_rrggbb(given: str, stored: str) -> None:
    """The reports' ``rgba`` and plotly take ``#rrggbb`` but not ``red`` (rgba) or ``tab:blue`` (plotly)."""
    from mmm_analytics.style.palette import rgba

    viz = VizConfig.model_validate({"palette": [given], "channel_colors": {"TV": given}})
    assert viz.palette == [stored] and viz.channel_colors == {"TV": stored}
    assert rgba(viz.color_for(3), 0.2).startswith("rgba(")
    assert viz.with_overrides(dpi=200).palette == [stored]


def test_every_style_is_one_seaborn_draws() -> None:
    """The five names are written out in the config (no seaborn at config time); seaborn must know each."""
    import seaborn as sns

    styles = typing.get_args(SeabornStyle.__value__)
    assert len(styles) == 5 and VizConfig().style in styles
    for style in styles:
        assert VizConfig.model_validate({"style": style}).style == style
        sns.axes_style(style)  # raises ValueError for a name seaborn does not know


def test_checking_hex_colours_loads_no_plotting_library() -> None:
    """Only a colour other than ``#rrggbb`` needs matplotlib to check it; the shipped config has none."""
    code = (
        "import json, sys\nfrom mmm_analytics.config.viz import DEFAULT_PALETTE, VizConfig\n"
        "VizConfig.model_validate({'palette': DEFAULT_PALETTE, 'channel_colors': {'TV': '#000000'}})\n"
        "before = 'matplotlib' in sys.modules\nVizConfig.model_validate({'palette': ['red']})\n"
        "print(json.dumps([before, 'matplotlib' in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, True]
