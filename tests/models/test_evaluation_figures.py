"""Evaluation figures from hand-made results: files, sizes from dpi, waterfall heights, date ticks."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.models.evaluation_figures import (
    FigureKind,
    FitPanels,
    PlotData,
    build_figure,
    date_ticks,
    part_colors,
    render_figures,
)
from mmm_analytics.models.metrics import residual_diagnostics

VIZ = VizConfig(dpi=50, max_workers=1, figure_width=8.0, figure_height=4.0)


@pytest.fixture(scope="module")
def plot_data() -> PlotData:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2023-01-02", periods=30, freq="W-MON")
    actual = rng.uniform(90.0, 110.0, size=(4, 30))
    predicted = actual + rng.normal(0.0, 3.0, size=(4, 30))
    parts = {
        "base": np.full(30, 300.0),
        "price": rng.normal(0.0, 5.0, 30),
        "promotions": np.full(30, 8.0),
        "TV": np.full(30, 50.0),
        "Radio": np.full(30, 42.0),
    }
    keys = pd.DataFrame({"brand": ["A", "A", "B", "B"], "region": ["N", "S", "N", "S"]})
    return PlotData(
        dates=dates,
        holdout_weeks=5,
        by_brand=FitPanels(("A", "B"), actual[:2], predicted[:2]),
        by_region=FitPanels(("N", "S", "E", "W"), actual, predicted),
        national_actual=actual.sum(0),
        national_predicted=sum(parts.values()),
        national_parts=parts,
        totals={name: float(values.sum()) for name, values in parts.items()},
        diagnostics=residual_diagnostics(actual, predicted, keys, holdout_weeks=5),
        colors=part_colors(VIZ, ("TV", "Radio")),
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_render_figures_writes_every_png_at_the_configured_dpi(plot_data, tmp_path):
    paths = render_figures(plot_data, tmp_path / "figures", VIZ)
    assert [p.name for p in paths] == [f"{kind.value}.png" for kind in FigureKind]
    for path in paths:
        width, _ = _png_size(path.read_bytes())
        assert width == pytest.approx(VIZ.figure_width * VIZ.dpi, abs=2), path.name
    assert not list((tmp_path / "figures").glob(".*")), "no temporary files left behind"


def test_worker_processes_write_the_same_figures_and_clear_stale_temp_files(plot_data, tmp_path):
    folder = tmp_path / "figures"
    folder.mkdir()
    stale = [folder / ".fit_by_brand.k3j2_h1g.png", folder / ".residual_acf.a1b2c3d4.png"]
    kept = [folder / ".training_history.a1b2c3d4.png", folder / "notes.png"]
    for path in stale + kept:
        path.write_bytes(b"partial")
    paths = render_figures(plot_data, folder, VIZ.model_copy(update={"max_workers": 2}))
    assert [p.name for p in paths] == [f"{kind.value}.png" for kind in FigureKind]
    assert all(_png_size(p.read_bytes())[0] == pytest.approx(VIZ.figure_width * VIZ.dpi, abs=2) for p in paths)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)


def test_waterfall_steps_end_at_the_total(plot_data):
    figure = build_figure(FigureKind.WATERFALL, plot_data, VIZ)
    bars = [p for p in figure.axes[0].patches if isinstance(p, Rectangle)]
    assert len(bars) == len(plot_data.totals) + 1
    total = sum(plot_data.totals.values())
    assert bars[-1].get_height() == pytest.approx(total, rel=1e-12)
    last_part = bars[-2]
    assert last_part.get_y() + last_part.get_height() == pytest.approx(total, rel=1e-12)
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == [*plot_data.totals, "total"]


def test_decomposition_stacks_negative_parts_below_zero(plot_data):
    figure = build_figure(FigureKind.DECOMPOSITION, plot_data, VIZ)
    ax = figure.axes[0]
    lowest = min(c.get_paths()[0].vertices[:, 1].min() for c in ax.collections if c.get_paths())
    assert lowest == pytest.approx(np.clip(plot_data.national_parts["price"], None, 0.0).min(), rel=1e-9)
    assert ax.get_title() and "INR" in ax.get_ylabel()


def test_channel_colours_follow_the_config():
    viz = VizConfig(channel_colors={"Radio": "#123456"})
    colors = part_colors(viz, ("TV", "Radio"))
    assert colors["Radio"] == "#123456" and colors["TV"] == viz.palette[0]
    assert {"base", "price", "promotions"} <= colors.keys()


def test_date_ticks_are_month_starts_inside_the_data():
    dates = pd.date_range("2022-07-04", periods=156, freq="W-MON")
    ticks, labels = date_ticks(dates)
    assert 2 <= len(ticks) <= 8
    assert (ticks >= dates[0]).all() and (ticks <= dates[-1]).all() and (ticks.day == 1).all()
    assert labels[0].endswith(str(ticks[0].year))
