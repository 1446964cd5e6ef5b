"""The benchmark's fit with lift tests: which channels are tested, how the fit is scored, the wiring.

The wiring test replaces ``fit_and_summarise`` by the stand-in of ``test_pipeline`` (no
training); the end-to-end test, marked slow, trains on a tiny world.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.benchmark import lift, recovery
from mmm_analytics.benchmark.lift import (
    LIFT_FIGURES,
    calibrated_fit,
    channels_to_test,
    hardest_channels,
    least_certain_channels,
    lift_figures,
)
from mmm_analytics.benchmark.lift_design import LiftChoice, LiftDesign, LiftSlices
from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.data import SyntheticSetting
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.response.saturation import SaturationScaling
from mmm_analytics.synthetic.lift_tests import LIFT_TEST_COLUMNS
from tests.benchmark.test_pipeline import config, received  # noqa: F401  (fixtures)


def _rows(share: list[float], error: list[float]) -> pd.DataFrame:
    """Channels A, B, ... with a true contribution of 100 each and ``error`` added to the estimate."""
    channels = [chr(ord("A") + k) for k in range(len(share))]
    true = np.full(len(share), 100.0)
    return pd.DataFrame(
        {"channel": channels, "share_of_media": share, "true_contribution": true, "contribution": true + error}
    )


@pytest.mark.parametrize(
    "share, error, n, expected",
    [
        ([0.3, 0.3, 0.4], [5.0, -30.0, 10.0], 2, ["B", "C"]),
        ([0.3, 0.02, 0.68], [5.0, -30.0, 10.0], 2, ["C", "A"]),
        ([0.3, 0.02, 0.68], [5.0, -30.0, 10.0], 3, ["C", "A"]),
        ([0.04, 0.02, 0.94], [5.0, -30.0, 10.0], 3, ["C"]),
        ([0.5, 0.05, 0.45], [-7.0, 7.0, 1.0], 2, ["A", "B"]),
        ([0.5, 0.5], [1.0, 2.0], 0, []),
    ],
    ids=["largest_error_first", "small_share_skipped", "fewer_qualify", "one_qualifies", "tie_and_5pct_edge", "none"],
)
def test_hardest_channels_have_the_largest_absolute_error_among_big_channels(
    share: list[float], error: list[float], n: int, expected: list[str]
) -> None:
    assert hardest_channels(_rows(share, error), n) == expected


def _intervals(contribution: list[float], lower: list[float], upper: list[float]) -> pd.DataFrame:
    """Channels A, B, ... of ROI 2 with a fitted contribution and a 90% ROI interval; the truth is
    absurd on purpose (a choice from the fit alone must not read it)."""
    channels = [chr(ord("A") + k) for k in range(len(contribution))]
    return pd.DataFrame(
        {
            "channel": channels,
            "contribution": contribution,
            "roi": 2.0,
            "roi_lower": lower,
            "roi_upper": upper,
            "share_of_media": 0.0,
            "true_contribution": 1e9,
        }
    )


@pytest.mark.parametrize(
    "contribution, lower, upper, n, expected",
    [
        ([30.0, 30.0, 40.0], [1.0, 1.0, 2.0], [2.0, 4.0, 3.0], 2, ["B", "C"]),  # widths 15, 45, 20 INR
        ([50.0, 2.0, 48.0], [1.0, 0.1, 1.0], [2.0, 90.0, 3.0], 3, ["C", "A"]),  # B holds 2% of the fit's media
        ([50.0, 50.0], [1.0, 1.0], [2.0, 2.0], 0, []),
    ],
    ids=["widest_first", "small_share_skipped", "none"],
)
def test_least_certain_channels_have_the_widest_contribution_interval_among_big_channels(
    contribution: list[float], lower: list[float], upper: list[float], n: int, expected: list[str]
) -> None:
    rows = _intervals(contribution, lower, upper)
    assert least_certain_channels(rows, n) == expected
    assert channels_to_test(rows, n, LiftChoice.UNCERTAIN) == expected


def test_the_error_choice_reads_the_truth_and_the_uncertain_choice_does_not() -> None:
    rows = _intervals([30.0, 30.0, 40.0], [1.0, 1.0, 2.0], [2.0, 4.0, 3.0]).assign(
        share_of_media=[0.3, 0.3, 0.4], true_contribution=[100.0, 100.0, 100.0]
    )
    assert channels_to_test(rows.assign(contribution=[130.0, 101.0, 90.0]), 1, LiftChoice.ERROR) == ["A"]
    assert channels_to_test(rows, 1, LiftChoice.UNCERTAIN) == ["B"]
    assert channels_to_test(rows.assign(true_contribution=1e6), 1, LiftChoice.UNCERTAIN) == ["B"]


def test_lift_figures_score_tested_and_untested_channels() -> None:
    before = _rows([0.25] * 4, [40.0, -20.0, 10.0, -5.0]).assign(covered=[False, True, True, True], interval_width=0.2)
    after = _rows([0.25] * 4, [8.0, -6.0, -14.0, -5.0]).assign(
        covered=[True, True, False, True], interval_width=[0.1, 0.1, 0.2, 0.2]
    )
    figures = lift_figures(before, after, ["A", "B"])
    expected = {
        "lift_contribution_error": (8 + 6 + 14 + 5) / 400,
        "lift_tested_error_before": (40 + 20) / 200,
        "lift_tested_error_after": (8 + 6) / 200,
        "lift_untested_worst_change": (14 - 10) / 400,  # C got worse by 4 of 400; D unchanged
        "lift_coverage": 0.75,
        "lift_tested_coverage_before": 0.5,  # A missed before its test, B held
        "lift_tested_coverage": 1.0,
        "lift_mean_interval_width": 0.15,
    }
    assert figures == pytest.approx(expected, rel=1e-12)


def test_lift_figures_without_untested_channels_leave_that_change_blank() -> None:
    rows = _rows([0.5, 0.5], [10.0, -10.0]).assign(covered=True, interval_width=0.2)
    figures = lift_figures(rows, rows, ["A", "B"])
    assert np.isnan(figures["lift_untested_worst_change"])
    assert figures["lift_tested_error_before"] == figures["lift_tested_error_after"] == pytest.approx(0.1, rel=1e-12)


def test_calibrated_fit_tests_the_hardest_channels_and_fits_with_them(
    config: ProjectConfig,  # noqa: F811
    received,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[LiftTests | None] = []
    fit_one = recovery.fit_one

    def recording_fit_one(*args, lift_tests: LiftTests | None = None, **kwargs) -> recovery.FitResult:
        given.append(lift_tests)
        return fit_one(*args, lift_tests=lift_tests, **kwargs)

    monkeypatch.setattr(lift, "fit_one", recording_fit_one)
    panel, generated = recovery.world(SyntheticSetting.DEFAULT, 2, config)
    ridge = recovery.ridge_baseline(panel, generated.truth, config)
    ours = recovery.fit_one(panel, generated.truth, config, ridge)
    run = calibrated_fit(generated, panel, ours, config, ridge, LiftDesign(2), seed=2)
    hardest = hardest_channels(ours.channels, 2)
    assert list(run.tests.columns) == list(LIFT_TEST_COLUMNS) and list(run.tests["channel"]) == hardest
    [tests] = given
    assert tests is not None and [panel.channels[c] for c in tests.channel] == hardest
    assert tests.weeks.sum(axis=1).tolist() == [8.0, 8.0]
    np.testing.assert_allclose(tests.incremental_sales, run.tests["incremental_sales"], rtol=1e-12)
    assert run.fit is not None and set(run.fit.channels["fit"]) == {"lift"}
    # As `mmm train` records them, so the advice scored is the one shipped: the tested channels' split goes free.
    assert run.fit.metadata.extra["lift_tested_channels"] == sorted(hardest)
    assert "lift_tested_channels" not in ours.metadata.extra
    assert set(LIFT_FIGURES) <= set(run.figures) and run.figures["lift_channels"] == "; ".join(hardest)
    assert run.figures["lift_tests"] == 2
    # The stand-in fit ignores the tests: the same errors before and after.
    assert run.figures["lift_tested_error_after"] == pytest.approx(run.figures["lift_tested_error_before"], rel=1e-12)
    again = calibrated_fit(generated, panel, ours, config, ridge, LiftDesign(2), seed=2)
    pd.testing.assert_frame_equal(again.tests, run.tests)  # seeded: the same tests
    assert (run.tests["brand"] == "all").all() and (run.tests["region"] == "all").all()  # national by default
    mixed = calibrated_fit(generated, panel, ours, config, ridge, LiftDesign(2, LiftSlices.MIXED), seed=2)
    assert list(zip(mixed.tests["brand"] == "all", mixed.tests["region"] == "all")) == [(True, False), (False, False)]
    uncertain = calibrated_fit(
        generated, panel, ours, config, ridge, LiftDesign(2, choice=LiftChoice.UNCERTAIN), seed=2
    )
    least_certain = least_certain_channels(ours.channels, 2)
    assert list(uncertain.tests["channel"]) == least_certain and uncertain.figures["lift_channels"] == "; ".join(
        least_certain
    )


def test_calibrated_fit_without_a_qualifying_channel_fits_nothing(
    config: ProjectConfig,  # noqa: F811
    received,  # noqa: F811
) -> None:
    panel, generated = recovery.world(SyntheticSetting.DEFAULT, 2, config)
    ridge = recovery.ridge_baseline(panel, generated.truth, config)
    ours = recovery.fit_one(panel, generated.truth, config, ridge)
    tiny = dataclasses.replace(ours, channels=ours.channels.assign(share_of_media=0.01))
    run = calibrated_fit(generated, panel, tiny, config, ridge, LiftDesign(3), seed=2)
    assert run.fit is None and run.tests.empty and len(received) == 1
    assert run.figures["lift_tests"] == 0 and all(np.isnan(run.figures[name]) for name in LIFT_FIGURES)


@pytest.mark.slow
def test_lift_tests_bring_the_tested_channels_closer_to_the_truth(config: ProjectConfig) -> None:  # noqa: F811
    """A tiny default world with its forms pinned, trained with and without 2 tests, ours and the floor."""
    from mmm_analytics.benchmark.pipeline import benchmark_world

    model = config.model.pinned("beta_gamma", "hill").model_copy(
        update={
            "epochs": 8,
            "saturation_scaling": SaturationScaling.RELATIVE,
            "intervals": config.model.intervals.model_copy(update={"draws": 20}),
        }
    )
    result = benchmark_world(SyntheticSetting.DEFAULT, 1, dataclasses.replace(config, model=model), lift=LiftDesign(2))
    row = result.row
    assert row["lift_tests"] == 2 and len(result.lift_tests) == 2
    assert row["lift_tested_error_after"] < row["lift_tested_error_before"]
    assert 0.0 <= row["lift_coverage"] <= 1.0 and row["lift_fit_seconds"] > 0.0
    assert sorted(result.channels["fit"].unique()) == ["floor", "floor_lift", "lift", "ours"]


def test_lift_figures_score_a_channel_without_a_finite_estimate_as_missing_its_truth() -> None:
    """Before, a calibrated fit that lost a channel (contribution NaN) scored no error for it: the total
    and tested errors fell to 0, and the benchmark read a broken fit as lift tests helping."""
    before = _rows([0.6, 0.4], [60.0, 0.0]).assign(covered=True, interval_width=0.2)
    after = _rows([0.6, 0.4], [0.0, 0.0]).assign(covered=[False, True], interval_width=[np.nan, 0.2])
    after.loc[after["channel"] == "A", "contribution"] = np.nan
    figures = lift_figures(before, after, ["A"])
    true_a = float(after.loc[after["channel"] == "A", "true_contribution"].iloc[0])
    total = float(after["true_contribution"].sum())
    assert figures["lift_contribution_error"] == pytest.approx(true_a / total, rel=1e-12)
    assert figures["lift_tested_error_after"] == pytest.approx(1.0, rel=1e-12)
    assert np.isnan(figures["lift_mean_interval_width"])
