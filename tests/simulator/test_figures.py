"""Static simulator figures: the sensitivity bars sit side by side, scenarios carry their scope."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.simulator import figures

VIZ = VizConfig(dpi=50, figure_width=6.0, figure_height=3.5)
CHANGES = (-0.5, -0.2, -0.1, 0.1, 0.2, 0.5)


def _sensitivity() -> pd.DataFrame:
    rows = [
        {"channel": c, "change": k, "delta_incremental_sales": 1000.0 * k * (i + 1)}
        for i, c in enumerate(("TV", "Radio", "Print"))
        for k in CHANGES
    ]
    return pd.DataFrame(rows)


def test_sensitivity_bars_are_grouped_not_stacked_on_each_other() -> None:
    """Within a channel every change has its own band of the row: no bar hides another."""
    fig = figures.tornado_figure(_sensitivity(), VIZ, "Sensitivity")
    try:
        bars = [bar for bar in fig.axes[0].patches]
        assert len(bars) == 3 * len(CHANGES)
        spans = sorted((bar.get_y(), bar.get_y() + bar.get_height()) for bar in bars)
        for (_, top), (bottom, _) in itertools.pairwise(spans):
            assert bottom >= top - 1e-9
        labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
        assert labels == ["-50% spend", "-20% spend", "-10% spend", "+10% spend", "+20% spend", "+50% spend"]
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("brand", "region", "label"),
    [
        ("all", "all", "push"),
        ("BrandA", "all", "push (BrandA only)"),
        ("all", "NORTH", "push (NORTH only)"),
        ("BrandA", "NORTH", "push (BrandA in NORTH only)"),
    ],
    ids=["national", "brand", "region", "brand_region"],
)
def test_scenario_labels_name_their_scope(brand: str, region: str, label: str) -> None:
    assert figures.scenario_label("push", brand, region) == label


def test_scenario_figure_labels_a_one_brand_scenario() -> None:
    summary = pd.DataFrame(
        {
            "scenario": ["now", "push"],
            "brand": ["all", "BrandA"],
            "region": ["all", "all"],
            "incremental_sales": [100.0, 40.0],
            "incremental_lower": [90.0, 35.0],
            "incremental_upper": [110.0, 45.0],
            "roi": [2.0, 2.1],
            "contribution_TV": [100.0, 40.0],
        }
    )
    fig = figures.scenario_figure(summary, ("TV",), VIZ)
    try:
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert ticks == ["now", "push (BrandA only)"]
        assert "Steady-state ROI" in fig.axes[1].get_title()
        assert np.isclose(fig.axes[0].patches[1].get_height(), 40.0)
    finally:
        plt.close(fig)


def test_many_scenarios_widen_the_figure_and_long_names_are_shortened() -> None:
    """Before, 300 scenarios drew as one block of overlapping labels at the configured width."""
    n = 40
    summary = pd.DataFrame(
        {
            "scenario": [f"s{i}" for i in range(n - 1)] + ["x" * 5000],
            "brand": ["all"] * n,
            "region": ["all"] * n,
            "incremental_sales": [100.0] * n,
            "incremental_lower": [90.0] * n,
            "incremental_upper": [110.0] * n,
            "roi": [2.0] * (n - 1) + [float("nan")],
            "contribution_TV": [100.0] * n,
        }
    )
    fig = figures.scenario_figure(summary, ("TV",), VIZ)
    try:
        width = fig.get_size_inches()[0]
        assert width == pytest.approx(VIZ.figure_width * n / figures.SCENARIOS_PER_PANEL)
        last = fig.axes[0].get_xticklabels()[-1].get_text()
        assert len(last) == figures.MAX_LABEL_CHARS and last.endswith("…")
    finally:
        plt.close(fig)


def test_an_interval_that_does_not_hold_its_point_is_drawn_as_it_is() -> None:
    """Before, a point estimate above its interval's top (a skewed posterior: sales in lakhs of INR,
    ROIs of 1e-5 against priors near 1) ended 'mmm simulate' in matplotlib's "'yerr' must not contain
    negative values"; the bar is drawn from the interval's bottom to its top, wherever the point is."""
    summary = pd.DataFrame(
        {
            "scenario": ["now", "push"],
            "brand": ["all", "all"],
            "region": ["all", "all"],
            "incremental_sales": [1.2e-5, 3.0e-5],
            "incremental_lower": [0.2e-5, 0.5e-5],
            "incremental_upper": [0.9e-5, 2.5e-5],
            "roi": [1e-5, 1e-5],
            "contribution_TV": [1.2e-5, 3.0e-5],
        }
    )
    fig = figures.scenario_figure(summary, ("TV",), VIZ)
    try:
        (whiskers,) = [c for c in fig.axes[0].collections if len(c.get_segments()) == 2]
        spans = [sorted(segment[:, 1]) for segment in whiskers.get_segments()]
        assert np.allclose(spans, [[0.2e-5, 0.9e-5], [0.5e-5, 2.5e-5]])
    finally:
        plt.close(fig)
