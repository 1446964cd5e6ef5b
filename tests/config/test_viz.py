"""viz_config.yaml model: resolution bounds and the palette cycle."""

from __future__ import annotations

import pydantic
import pytest

from mmm_analytics.config.viz import DEFAULT_PALETTE, VizConfig


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


def test_number_format_defaults_to_indian_and_rejects_others() -> None:
    from mmm_analytics.config.viz import NumberFormat

    assert VizConfig().number_format is NumberFormat.INDIAN
    assert VizConfig.model_validate({"number_format": "western"}).number_format is NumberFormat.WESTERN
    with pytest.raises(pydantic.ValidationError, match="number_format"):
        VizConfig.model_validate({"number_format": "roman"})
