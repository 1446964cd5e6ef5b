"""Benchmark aggregation and the Markdown report."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.benchmark.report import channel_summary, markdown, setting_summary


@pytest.fixture()
def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = pd.DataFrame(
        {
            "setting": ["default", "default", "noisy"],
            "seed": [1, 2, 1],
            "contribution_error": [0.06, 0.08, 0.15],
            "ridge_contribution_error": [0.3, 0.4, 0.5],
            "holdout_wmape": [0.011, 0.012, 0.02],
            "noise_floor_wmape": [0.010, 0.010, 0.018],
            "ridge_holdout_wmape": [0.02, 0.02, 0.03],
            "coverage": [1.0, 0.5, 1.0],
            "fit_seconds": [20.0, 30.0, 25.0],
            "regret": [0.01, 0.02, 0.03],
            "max_regret": [0.02, 0.05, 0.04],
            "cells_worse_than_current": [0, 1, 2],
            "cells": [4, 4, 4],
        }
    )
    channels = pd.DataFrame(
        {
            "setting": ["default"] * 4 + ["noisy"] * 2,
            "seed": [1, 1, 2, 2, 1, 1],
            "channel": ["TV", "Print"] * 3,
            "share_of_media": [0.9, 0.02] * 3,
            "true_roi": [1.0, 0.5] * 3,
            "roi": [1.1, 0.9, 0.95, 0.5, 1.3, 0.4],
            "roi_error": [0.1, 0.8, -0.05, 0.0, 0.3, -0.2],
            "ridge_roi": [1.0] * 6,
            "covered": [True, False, True, True, True, True],
            "interval_width": [0.2] * 6,
            "true_half_life": [1.0] * 6,
            "half_life": [1.1] * 6,
            "true_half_saturation": [2.0] * 6,
            "half_saturation": [2.1] * 6,
        }
    )
    return runs, channels


def test_setting_summary_averages_seeds_and_ignores_tiny_channels(runs) -> None:
    summary = setting_summary(*runs).set_index("setting")
    assert summary.loc["default", "contribution_error"] == pytest.approx(0.07)
    assert summary.loc["default", "coverage"] == pytest.approx(0.75)
    assert summary.loc["default", "regret"] == pytest.approx(0.015)
    assert summary.loc["default", "max_regret"] == pytest.approx(0.05)
    assert (summary.loc["default", "cells_worse_than_current"], summary.loc["default", "cells"]) == (1, 8)
    assert summary.loc["default", "wmape_ratio"] == pytest.approx(0.0115 / 0.010)
    # Print (2% of media) is reported but not held to the ROI target: the worst big channel is TV.
    assert summary.loc["default", "max_abs_roi_error_big_channels"] == pytest.approx(0.1)
    assert summary.loc["default", "max_fit_seconds"] == pytest.approx(30.0)


def test_channel_summary_has_one_row_per_setting_and_channel(runs) -> None:
    per_channel = channel_summary(runs[1])
    assert len(per_channel) == 4
    tv = per_channel[(per_channel.setting == "default") & (per_channel.channel == "TV")].iloc[0]
    assert tv.roi_error == pytest.approx(0.075)
    assert tv.coverage == pytest.approx(1.0)


def test_markdown_states_each_target_and_its_status(runs) -> None:
    summary = setting_summary(*runs)
    text = markdown(
        summary, channel_summary(runs[1]), {"scenario_s": 0.004, "optimize_national_s": 3.2, "segments": 24}
    )
    assert "| media contribution error <= 8% | 7.0% | met |" in text
    assert "interval coverage >= 80% | 75% | NOT met" in text
    assert "- scenario: 4.0 ms" in text and "- optimize national: 3.20 s" in text and "- segments: 24" in text
    assert "## Per channel" in text
