"""Benchmark aggregation and the Markdown report: ours beside the true-form floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.benchmark.lift_design import LiftChoice, LiftDesign, LiftSlices
from mmm_analytics.benchmark.report import (
    channel_summary,
    lift_misses,
    lift_table,
    losing_cells,
    markdown,
    setting_summary,
    side_by_side,
    uplift_coverage_lines,
)


@pytest.fixture()
def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = pd.DataFrame(
        {
            "setting": ["default", "default", "noisy"],
            "seed": [1, 2, 1],
            "true_forms": ["beta_gamma+hill/relative"] * 3,
            "forms": ["beta_gamma+hill/learned 0.50", "beta_gamma+hill/learned 0.50", "weibull+hill/learned 0.40"],
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
            "cells_kept_current": [1, 0, 3],
            "cells": [4, 4, 4],
            "floor_contribution_error": [0.05, 0.05, 0.10],
            "floor_holdout_wmape": [0.010, 0.011, 0.019],
            "floor_coverage": [1.0, 1.0, 1.0],
            "floor_fit_seconds": [10.0, 12.0, 11.0],
            "floor_regret": [0.005, 0.005, 0.01],
            "floor_max_regret": [0.01, 0.02, 0.03],
            "floor_cells_worse_than_current": [0, 0, 1],
            "floor_cells_kept_current": [0, 2, 1],
        }
    )
    ours = pd.DataFrame(
        {
            "setting": ["default"] * 4 + ["noisy"] * 2,
            "seed": [1, 1, 2, 2, 1, 1],
            "fit": ["ours"] * 6,
            "channel": ["TV", "Print"] * 3,
            "share_of_media": [0.9, 0.02] * 3,
            "true_roi": [1.0, 0.5] * 3,
            "roi": [1.1, 0.9, 0.95, 0.5, 1.3, 0.4],
            "roi_error": [0.1, 0.8, -0.05, 0.0, 0.3, -0.2],
            "ridge_roi": [1.0] * 6,
            "covered": [True, False, True, True, True, True],
            "interval_width": [0.2] * 6,
            "interval_z": [0.5, -1.5, 1.0, 0.0, 2.0, np.nan],
            "true_half_life": [1.0] * 6,
            "half_life": [1.1] * 6,
            "true_peak_lag": [0] * 6,
            "peak_lag": [0, 1] * 3,
            "true_half_saturation": [2.0] * 6,
            "half_saturation": [2.1] * 6,
        }
    )
    floor = ours.assign(
        fit="floor",
        roi=[1.0, 0.5, 1.05, 0.45, 1.1, 0.5],
        roi_error=[0.0, 0.0, 0.05, -0.1, 0.1, 0.0],
        covered=[True] * 6,
        interval_width=[0.3] * 6,
        interval_z=[0.1] * 6,
    )
    return runs, pd.concat([ours, floor], ignore_index=True)


def test_setting_summary_averages_seeds_and_ignores_tiny_channels(runs) -> None:
    summary = setting_summary(*runs).set_index("setting")
    assert summary.loc["default", "contribution_error"] == pytest.approx(0.07)
    assert summary.loc["default", "coverage"] == pytest.approx(0.75)
    assert summary.loc["default", "regret"] == pytest.approx(0.015)
    assert summary.loc["default", "max_regret"] == pytest.approx(0.05)
    assert (summary.loc["default", "cells_worse_than_current"], summary.loc["default", "cells"]) == (1, 8)
    assert (summary.loc["default", "cells_kept_current"], summary.loc["default", "floor_cells_kept_current"]) == (1, 2)
    assert summary.loc["default", "wmape_ratio"] == pytest.approx(0.0115 / 0.010)
    # Print (2% of media) is reported but not held to the ROI target: the worst big channel is TV.
    assert summary.loc["default", "max_abs_roi_error_big_channels"] == pytest.approx(0.1)
    assert summary.loc["default", "max_fit_seconds"] == pytest.approx(30.0)


def test_a_channel_without_a_finite_roi_blanks_its_world_s_worst_error_and_width(runs) -> None:
    """TV's ROI lost in one seed read as a worst ROI error of the other seed's 10%, and its width as the others'."""
    channels = runs[1].copy()
    lost = (channels["fit"] == "ours") & (channels["setting"] == "default") & (channels["seed"] == 2)
    channels.loc[lost & (channels["channel"] == "TV"), ["roi", "roi_error", "interval_width"]] = np.nan
    summary = setting_summary(runs[0], channels).set_index("setting")
    assert np.isnan(summary.loc["default", "max_abs_roi_error_big_channels"])
    assert np.isnan(summary.loc["default", "mean_interval_width"])
    assert summary.loc["noisy", "max_abs_roi_error_big_channels"] == pytest.approx(0.3)
    # ... and so did the channel table (TV's error and width read as seed 1's alone).
    per_channel = channel_summary(channels).set_index(["setting", "channel"])
    assert np.isnan(per_channel.loc[("default", "TV"), "roi_error"])
    assert np.isnan(per_channel.loc[("default", "TV"), "interval_width"])
    assert np.isfinite(per_channel.loc[("default", "Print"), ["roi_error", "interval_width"]].astype(float)).all()


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


def test_floor_figures_sit_beside_ours_with_the_ratio(runs) -> None:
    summary = setting_summary(*runs)
    columns = list(summary.columns)
    for figure in ("contribution_error", "max_abs_roi_error_big_channels", "coverage", "mean_interval_width"):
        assert columns.index(f"floor_{figure}") == columns.index(figure) + 1
    assert columns.index("contribution_error_ratio") == columns.index("floor_contribution_error") + 1
    default = summary.set_index("setting").loc["default"]
    assert default.floor_contribution_error == pytest.approx(0.05)
    assert default.contribution_error_ratio == pytest.approx(0.07 / 0.05)
    # Floor coverage and width over every channel and seed of the floor's rows.
    assert default.floor_coverage == pytest.approx(1.0) and default.floor_mean_interval_width == pytest.approx(0.3)
    # Calibration: the root mean square of the truth's z over every channel and seed (NaN left out).
    assert default.interval_z_rms == pytest.approx(np.sqrt((0.25 + 2.25 + 1.0 + 0.0) / 4), rel=1e-12)
    assert default.floor_interval_z_rms == pytest.approx(0.1, rel=1e-12)
    assert summary.set_index("setting").loc["noisy"].interval_z_rms == pytest.approx(2.0, rel=1e-12)
    assert side_by_side(summary).set_index("world").loc["default", "interval calibration (rms z)"] == "0.94 / 0.10"
    older = setting_summary(runs[0], runs[1].drop(columns="interval_z"))  # runs written before the figure
    assert (
        older["interval_z_rms"].isna().all() and "- / -" in side_by_side(older)["interval calibration (rms z)"].tolist()
    )
    assert default.floor_max_abs_roi_error_big_channels == pytest.approx(0.05)  # TV's, Print is too small
    assert default.floor_regret == pytest.approx(0.005) and default.floor_max_regret == pytest.approx(0.02)
    assert default.floor_cells_worse_than_current == 0
    assert default.forms == "beta_gamma+hill/learned 0.50" and default.true_forms == "beta_gamma+hill/relative"


def test_channel_summary_puts_the_floor_beside_ours(runs) -> None:
    per_channel = channel_summary(runs[1])
    tv = per_channel[(per_channel.setting == "default") & (per_channel.channel == "TV")].iloc[0]
    assert tv.floor_roi == pytest.approx(1.025) and tv.floor_roi_error == pytest.approx(0.025)
    assert list(per_channel.columns[:7]) == [
        "setting",
        "channel",
        "share_of_media",
        "true_roi",
        "roi",
        "floor_roi",
        "roi_error",
    ]


def test_report_shows_ours_and_floor_side_by_side(runs) -> None:
    summary = setting_summary(*runs)
    table = side_by_side(summary).set_index("world")
    assert table.loc["default", "contribution error"] == "7.0% / 5.0%"
    assert table.loc["default", "ratio"] == "1.40x"
    assert table.loc["default", "coverage"] == "75% / 100%"
    assert table.loc["default", "regret mean"] == "1.50% / 0.50%"
    assert table.loc["default", "cells worse than today"] == "1 / 0 of 8"
    assert table.loc["default", "today's mix kept"] == "1 / 2"
    text = markdown(summary, channel_summary(runs[1]))
    assert "## Ours beside the true-form floor" in text
    assert "| default | beta_gamma+hill/relative | beta_gamma+hill/learned 0.50 | 7.0% / 5.0% | 1.40x |" in text
    assert "floor_contribution_error" in text and "contribution_error_ratio" in text
    # Runs written before the per-cell ROI figures: blank, not an error.
    assert table.loc["default", "per-cell ROI correlation"] == "- / -"
    assert table.loc["default", "per-cell ROI coverage"] == "- / -"


def test_per_cell_roi_figures_are_the_mean_over_seeds_beside_the_floor_s(runs) -> None:
    cells = runs[0].assign(
        cell_roi_correlation=[0.2, 0.4, 0.5],
        cell_roi_coverage=[0.8, 0.9, 1.0],
        floor_cell_roi_correlation=[0.6, 0.6, 0.7],
        floor_cell_roi_coverage=[0.9, 0.95, 0.9],
    )
    table = side_by_side(setting_summary(cells, runs[1])).set_index("world")
    assert table.loc["default", "per-cell ROI correlation"] == "0.30 / 0.60"
    assert table.loc["default", "per-cell ROI coverage"] == "85% / 92%"


def test_a_broken_fit_leaves_blank_figures_and_is_listed(runs) -> None:
    broken_runs = runs[0].assign(
        floor_regret=[0.005, float("nan"), 0.01],
        floor_nonfinite_draws=[0.0, 0.9975, 0.0],
        nonfinite_draws=[0.0, 0.0, 0.0],
    )
    summary = setting_summary(broken_runs, runs[1])
    default = summary.set_index("setting").loc["default"]
    assert np.isnan(default.floor_regret) and default.floor_nonfinite_draws == pytest.approx(0.49875)
    assert side_by_side(summary).set_index("world").loc["default", "regret mean"] == "1.50% / -"
    text = markdown(summary, channel_summary(runs[1]))
    assert "## Fit problems" in text
    assert "- default, floor: 49.9% of parameter draws non-finite; regret not scored" in text
    assert "- noisy" not in text


@pytest.fixture()
def lift_runs(runs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs, default renamed delayed, with a fit of 2 lift tests each (our fit times: 20, 30
    and 25 s); and their channel rows."""
    lifted = runs[0].assign(
        lift_tests=[2, 2, 2],
        lift_channels=["TV; Print", "TV; Print", "Print; TV"],
        lift_contribution_error=[0.03, 0.04, 0.12],
        lift_tested_error_before=[0.20, 0.30, 0.10],
        lift_tested_error_after=[0.05, 0.07, 0.08],
        lift_untested_worst_change=[0.001, 0.025, np.nan],
        lift_coverage=[0.9, 0.9, 0.5],
        lift_tested_coverage_before=[0.5, 0.0, 1.0],
        lift_tested_coverage=[1.0, 0.5, 0.5],
        lift_mean_interval_width=[0.3, 0.5, 0.4],
        lift_fit_seconds=[22.0, 33.0, 40.0],
        lift_fit_time_ratio=[1.1, 1.1, 1.6],
        setting=["delayed", "delayed", "noisy"],
    )
    return lifted, runs[1].replace({"setting": {"default": "delayed"}})


#: The floor's figures with the same tests, per lift run (delayed, delayed, noisy): floor fit times 10, 12 and 11 s.
FLOOR_WITH_TESTS: dict[str, tuple[float, float, float]] = {
    "contribution_error": (0.02, 0.03, 0.09),
    "tested_error_before": (0.10, 0.20, 0.10),
    "tested_error_after": (0.04, 0.06, 0.05),
    "untested_worst_change": (0.0, 0.01, np.nan),
    "coverage": (1.0, 1.0, 0.5),
    "tested_coverage_before": (0.5, 0.5, 1.0),
    "tested_coverage": (1.0, 1.0, 0.5),
    "mean_interval_width": (0.4, 0.6, 0.5),
    "fit_seconds": (11.0, 13.0, 20.0),
    "fit_time_ratio": (1.1, 1.08, 1.8),
}


@pytest.fixture()
def floor_lift_runs(lift_runs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lift runs with the floor fitted with the same tests."""
    runs, channels = lift_runs
    return runs.assign(**{f"floor_lift_{name}": list(values) for name, values in FLOOR_WITH_TESTS.items()}), channels


def test_the_floor_with_the_same_tests_stands_beside_ours(floor_lift_runs) -> None:
    """Before, the lift table had ours alone: a target missed gave no sign whether the true forms miss it too."""
    summary = setting_summary(*floor_lift_runs).set_index("setting", drop=False)
    delayed = summary.loc["delayed"]
    assert delayed.floor_lift_contribution_error == pytest.approx(0.025, rel=1e-12)
    assert delayed.floor_lift_contribution_error_fall == pytest.approx(1 - 0.025 / 0.05, rel=1e-12)  # floor: 5% without
    assert delayed.floor_lift_tested_error_fall == pytest.approx(1 - 0.05 / 0.15, rel=1e-12)
    assert delayed.floor_lift_fit_time_ratio == pytest.approx(12.0 / 11.0, rel=1e-12)
    assert "floor_lift_channels" not in summary  # the tests are ours: named once
    assert lift_misses(summary.loc["noisy"], "floor_lift_") == ["coverage", "fit time"]
    table = lift_table(summary, 2).set_index("world")
    expected = {
        ("delayed", "contribution error, 0 -> 2 tests"): "7.0% -> 3.5% (5.0% -> 2.5%)",
        ("delayed", "tested channels' error, 0 -> 2 tests"): "25.0% -> 6.0% (15.0% -> 5.0%)",
        ("delayed", "coverage, 0 -> 2 tests"): "75% -> 90% (100% -> 100%)",
        ("delayed", "worst untested change"): "+2.5 pt (+1.0 pt)",
        ("delayed", "targets"): "NOT met: untested change",
        # Both miss the coverage and the time in the noisy world: the targets column says the floor does too.
        ("noisy", "targets"): "NOT met: coverage (floor too), fit time (floor too)",
    }
    assert {cell: table.loc[cell] for cell in expected} == expected


def test_lift_summary_sets_the_fit_with_tests_beside_ours(runs, lift_runs) -> None:
    summary = setting_summary(*lift_runs)
    delayed = summary.set_index("setting").loc["delayed"]
    assert delayed.lift_contribution_error == pytest.approx(0.035, rel=1e-12)
    assert delayed.lift_contribution_error_fall == pytest.approx(1 - 0.035 / 0.07, rel=1e-12)
    assert (delayed.lift_tested_error_before, delayed.lift_tested_error_after) == pytest.approx((0.25, 0.06))
    assert delayed.lift_tested_error_fall == pytest.approx(1 - 0.06 / 0.25, rel=1e-12)
    assert delayed.lift_untested_worst_change == pytest.approx(0.025, rel=1e-12)  # the worse seed
    assert delayed.lift_fit_time_ratio == pytest.approx(27.5 / 25.0, rel=1e-12)  # mean time / mean time
    assert delayed.lift_channels == "TV; Print" and delayed.lift_tests == 2
    assert "lift_coverage" not in setting_summary(*runs)  # without lift tests: no lift columns


def test_the_tested_channels_are_counted_over_seeds(lift_runs) -> None:
    """Before, each seed's three names were joined one after another ("Instagram; TV; YouTube; Instagram; ..."),
    which read as one list of channels."""
    runs, channels = lift_runs
    mixed = runs.assign(lift_channels=["TV; Print", "Print; Radio", ""])
    summary = setting_summary(mixed, channels).set_index("setting")
    assert summary.loc["delayed", "lift_channels"] == "Print 2/2, TV 1/2, Radio 1/2"
    assert summary.loc["noisy", "lift_channels"] == ""  # no channel qualified
    assert setting_summary(*lift_runs).set_index("setting").loc["delayed", "lift_channels"] == "TV; Print"


def test_lift_targets_hold_the_falls_only_in_the_hard_worlds(lift_runs) -> None:
    summary = setting_summary(*lift_runs).set_index("setting", drop=False)
    # delayed: falls 50% and 76%, untested worse by 2.5 points, coverage 90%, 1.10x the time.
    assert lift_misses(summary.loc["delayed"]) == ["untested change"]
    # noisy: falls not held; no untested channel scored; coverage 50%, 1.60x the time.
    assert lift_misses(summary.loc["noisy"]) == ["coverage", "fit time"]


def test_the_report_shows_errors_with_zero_and_n_lift_tests(lift_runs) -> None:
    summary = setting_summary(*lift_runs)
    table = lift_table(summary, 2).set_index("world")
    assert table.loc["delayed", "contribution error, 0 -> 2 tests"] == "7.0% -> 3.5%"
    assert table.loc["delayed", "total fall"] == "50%"
    assert table.loc["delayed", "tested channels' error, 0 -> 2 tests"] == "25.0% -> 6.0%"
    assert table.loc["delayed", "tested fall"] == "76%"
    assert table.loc["delayed", "worst untested change"] == "+2.5 pt"
    assert table.loc["noisy", "worst untested change"] == "-"
    assert table.loc["delayed", "tested channels' coverage, 0 -> 2 tests"] == "25% -> 75%"
    assert table.loc["delayed", "fit time"] == "25.0 s -> 27.5 s (1.10x)"
    assert table.loc["noisy", "targets"] == "NOT met: coverage, fit time"
    per_channel = channel_summary(lift_runs[1])
    text = markdown(summary, per_channel, lift=LiftDesign(2))
    assert "## With 2 lift tests" in text
    assert (
        "| delayed | TV; Print | 7.0% -> 3.5% | 50% | 25.0% -> 6.0% | 76% | +2.5 pt | 75% -> 90% | 25% -> 75% | 40% |"
        in text
    )
    assert "## With" not in markdown(summary, per_channel)  # lift tests off: no section
    assert "`--lift-slices national`, `--lift-choice error`" in text and "got most wrong" in text
    blind = markdown(summary, per_channel, lift=LiftDesign(2, LiftSlices.MIXED, LiftChoice.UNCERTAIN))
    assert "`--lift-slices mixed`, `--lift-choice uncertain`" in blind and "from the fit alone" in blind
    assert "got most wrong" not in blind and "one brand x region" in blind


def _cells(true_uplift: list[float], current: list[float]) -> pd.DataFrame:
    """Rows of ``benchmark_cells.csv``: one per recommendation, true weekly change and today's response."""
    n = len(true_uplift)
    return pd.DataFrame(
        {
            "setting": ["noise12"] * n,
            "seed": list(range(1, n + 1)),
            "fit": (["ours", "floor", "lift"] * n)[:n],
            "advice": (["model", "shipped"] * n)[:n],
            "brand": ["BrandA"] * n,
            "region": ["NORTH"] * n,
            "true_uplift": true_uplift,
            "true_response_current_mix": current,
            "expected_uplift": [120.0] * n,
            "uplift_lower": [-15.0] * n,
            "uplift_upper": [260.0] * n,
            "prob_beats_current": [0.96] * n,
        }
    )


def test_losing_cells_lists_the_recommendations_that_sell_less_than_today_largest_share_first() -> None:
    cells = _cells([50.0, -10.0, -30.0, 0.0], [1000.0, 100.0, 2000.0, 500.0])
    table = losing_cells(cells)
    assert list(table["seed"]) == [2, 3]  # 10% of today's response, then 1.5%; the gains and the tie left out
    assert list(table["share of today's media response"]) == ["10.00%", "1.50%"]
    assert list(table["true loss, INR a week"]) == ["10", "30"]
    assert list(table["fit"]) == ["floor", "ours with lift tests"] and list(table["advice"]) == [
        "as shipped",
        "model's own",
    ]
    assert table.loc[0, "model's expected uplift [90%]"] == "+120 [-15, +260]"
    assert table.loc[0, "P(beats today)"] == "96%" and table.loc[0, "brand x region"] == "BrandA x NORTH"
    # A cell whose today's mix earns nothing under the truth has no share, and is listed last.
    nothing = losing_cells(_cells([-5.0, -1.0], [0.0, 100.0]))
    assert list(nothing["share of today's media response"]) == ["1.00%", "-"]
    assert losing_cells(_cells([1.0], [10.0])).empty


def test_the_report_names_the_losing_recommendations_or_says_there_are_none(runs) -> None:
    summary = setting_summary(*runs)
    per_channel = channel_summary(runs[1])
    text = markdown(summary, per_channel, cells=_cells([-10.0, 5.0], [100.0, 100.0]))
    assert "## Recommendations that sell less than today's mix" in text
    assert "| noise12 | 1 | ours | model's own | BrandA x NORTH | 10 | 10.00% | +120 [-15, +260] | 96% |" in text
    clean = markdown(summary, per_channel, cells=_cells([10.0], [100.0]))
    assert "None: under the truth every recommendation sells at least as much as today's mix." in clean
    assert "sell less than today's mix" not in markdown(summary, per_channel)  # no cells given: no section


def test_the_advice_uplift_coverage_pools_the_moved_cells_of_every_seed(runs) -> None:
    """Over every moved cell of every seed (not a mean of per-seed shares), for ours and the floor;
    a world where no cell moved has none (blank), and runs written before the figure show no column."""
    frame, channels = runs
    counted = frame.assign(
        cells_moved=[4, 1, 0],
        uplift_inside=[4, 0, 0],
        floor_cells_moved=[2, 2, 3],
        floor_uplift_inside=[1, 2, 3],
    )
    summary = setting_summary(counted, channels).set_index("setting")
    assert summary.loc["default", "uplift_coverage"] == pytest.approx(4 / 5)  # a mean of shares would say 0.5
    assert summary.loc["default", "floor_uplift_coverage"] == pytest.approx(3 / 4)
    assert np.isnan(summary.loc["noisy", "uplift_coverage"]) and summary.loc["noisy", "floor_uplift_coverage"] == 1.0
    table = side_by_side(summary.reset_index()).set_index("world")
    assert table.loc["default", "uplift interval coverage"] == "80% / 75%"
    assert table.loc["noisy", "uplift interval coverage"] == "- / 100%"
    assert "uplift interval coverage" not in side_by_side(setting_summary(frame, channels))
    # The worlds whose advice intervals hold the truth outside 85-95% are named: ours 80% is too narrow.
    assert uplift_coverage_lines(summary.reset_index()) == [
        "- default: the advice's 90% uplift intervals hold the true uplift in 80% of the cells it moves "
        "(the floor 75%), outside 85%-95%: ours too narrow and the floor's too narrow.",
        "- noisy: the advice's 90% uplift intervals hold the true uplift in - of the cells it moves "
        "(the floor 100%), outside 85%-95%: the floor's too wide.",
    ]
    assert "## Advice intervals outside 85%-95%" in markdown(summary.reset_index(), channel_summary(channels))
    calibrated = counted.assign(uplift_inside=[4, 1, 0], floor_uplift_inside=[2, 2, 3])  # 100% / 100%: too wide
    lines = uplift_coverage_lines(setting_summary(calibrated, channels))
    assert lines[0].endswith("too wide.") and "noisy" in lines[1]
    assert uplift_coverage_lines(setting_summary(frame, channels)) == []
    # Read as shown, in whole percents: 95.2% shows as 95%, inside the band.
    edge = counted.assign(cells_moved=[500, 0, 0], uplift_inside=[476, 0, 0])  # default 95.2%; noisy none
    edge = edge.assign(floor_cells_moved=[20, 0, 1], floor_uplift_inside=[18, 0, 1])  # default 90%; noisy 100%
    assert [line.split(":")[0] for line in uplift_coverage_lines(setting_summary(edge, channels))] == ["- noisy"]
    # Ours inside, the floor outside: the line names the floor's, not ours (it said "92% ... outside: too wide").
    floor_only = counted.assign(uplift_inside=[45, 1, 0], cells_moved=[49, 1, 0])  # default 46 of 50, 92%
    floor_only = floor_only.assign(floor_cells_moved=[30, 0, 0], floor_uplift_inside=[29, 0, 0])  # default 97%
    assert uplift_coverage_lines(setting_summary(floor_only, channels)) == [
        "- default: the advice's 90% uplift intervals hold the true uplift in 92% of the cells it moves "
        "(the floor 97%), outside 85%-95%: the floor's too wide.",
    ]  # noisy: no cell moved by either fit
