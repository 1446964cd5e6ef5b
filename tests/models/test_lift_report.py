"""The lift-test section: slice sums per draw, the comparison and ROI tables, the section itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.models.lift_report import (
    LIFT_COLUMNS,
    ROI_COLUMNS,
    SECTION_ID,
    ContributionDraws,
    DrawTotals,
    ParamsContributions,
    draw_totals,
    forms_totals,
    lift_comparison,
    lift_insight,
    lift_section,
    roi_comparison,
)
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.style.page import Note, Page, Table, Text, render_page

CHANNELS = ("TV", "Radio")
#: Two tests on 2 series x 3 weeks: TV in series 0 over weeks 0-1; Radio in both series in week 2.
TESTS = LiftTests(
    channel=np.array([0, 1]),
    series=np.array([[1.0, 0.0], [1.0, 1.0]]),
    weeks=np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    incremental_sales=np.array([3.0, 10.0]),
    standard_error=np.array([1.0, 2.0]),
    labels=("TV, A, X, w0 to w1", "Radio, all brands, X, w2 to w2"),
)
#: Contribution of draw 0: grid[s, t, c] = 6 s + 2 t + c (INR); draw 1 is twice that.
GRID = np.arange(12.0).reshape(2, 3, 2)
DRAWS = np.stack([GRID, 2.0 * GRID])
#: Exact to the last bit for these small whole numbers; quantiles interpolate linearly.
RTOL = 1e-12


def test_draw_totals_sum_each_tests_slice_and_each_channel() -> None:
    totals = draw_totals(TESTS, DRAWS)
    # Test 0: grid[0, 0, 0] + grid[0, 1, 0] = 0 + 2; test 1: grid[0, 2, 1] + grid[1, 2, 1] = 5 + 11.
    np.testing.assert_allclose(totals.tests, [[2.0, 16.0], [4.0, 32.0]], rtol=RTOL)
    np.testing.assert_allclose(totals.channels, [[30.0, 36.0], [60.0, 72.0]], rtol=RTOL)


def test_draw_totals_match_a_loop_over_tests() -> None:
    rng = np.random.default_rng(7)
    draws = rng.gamma(2.0, 1e5, size=(4, 5, 8, 3))
    tests = LiftTests(
        channel=np.array([2, 0, 2]),
        series=(rng.random((3, 5)) < 0.5).astype(float),
        weeks=(rng.random((3, 8)) < 0.5).astype(float),
        incremental_sales=np.ones(3),
        standard_error=np.ones(3),
        labels=("a", "b", "c"),
    )
    expected = [
        [draws[d][tests.series[n] > 0][:, tests.weeks[n] > 0, tests.channel[n]].sum() for n in range(3)]
        for d in range(4)
    ]
    np.testing.assert_allclose(draw_totals(tests, draws).tests, expected, rtol=1e-12)


def test_no_draws_is_a_mistake_of_the_caller() -> None:
    with pytest.raises(ValueError, match="at least one"):
        draw_totals(TESTS, np.zeros((0, 2, 3, 2)))


def _params(exposure_scale: np.ndarray) -> ResponseParams:
    """Two series x 3 weeks x 2 channels; series 1 never used Radio; three draws."""
    exposure = np.array([[[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]], [[2.0, 0.0], [1.0, 0.0], [0.0, 0.0]]])
    lag = np.array([[1.0, 1.0], [0.5, 0.2]])
    draws = 3
    return ResponseParams(
        channels=CHANNELS,
        series_brand=("A", "B"),
        series_region=("X", "X"),
        saturation="hill",
        cpm=np.ones(2),
        exposure_scale=exposure_scale,
        exposure=exposure,
        dates=("2023-01-02", "2023-01-09", "2023-01-16"),
        lag_weights=lag,
        half_saturation=np.ones((2, 2)),
        slope=np.ones(2),
        coefficient=np.full((2, 2), 100.0),
        lag_weights_draws=np.stack([lag] * draws),
        half_saturation_draws=np.stack([np.ones((2, 2)) * (1 + d) for d in range(draws)]),
        slope_draws=np.ones((draws, 2)),
        coefficient_draws=np.stack([np.full((2, 2), 100.0 * (1 + d)) for d in range(draws)]),
        predicted_sales=np.zeros((2, 3)),
        baseline_sales=np.zeros((2, 3)),
    )


def test_params_contributions_make_each_draw_on_demand() -> None:
    params = _params(np.array([[1.5, 1.0], [1.0, 2.0]]))
    contributions = ParamsContributions(params)
    assert len(contributions) == 3
    stacked = np.stack([historical_contribution(params, d) for d in range(3)])
    for d in range(3):
        np.testing.assert_array_equal(contributions[d], stacked[d])
    lazy, eager = draw_totals(TESTS, contributions), draw_totals(TESTS, stacked)
    np.testing.assert_allclose(lazy.tests, eager.tests, rtol=RTOL)
    np.testing.assert_allclose(lazy.channels, eager.channels, rtol=RTOL)


def test_a_channel_a_series_never_used_contributes_zero() -> None:
    contributions = ParamsContributions(_params(np.array([[1.5, 1.0], [1.0, 0.0]])))
    grid = contributions[0]
    assert np.isfinite(grid).all() and (grid[1, :, 1] == 0.0).all()


def test_an_ndarray_is_a_source_of_contribution_draws() -> None:
    draws: ContributionDraws = DRAWS
    assert len(draws) == 2 and draws[1].shape == (2, 3, 2)


def _comparison(level: float = 0.5, uncalibrated: bool = True) -> pd.DataFrame:
    without = draw_totals(TESTS, 0.5 * GRID[None]) if uncalibrated else None
    return lift_comparison(TESTS, CHANNELS, draw_totals(TESTS, DRAWS), without, level=level)


def test_lift_comparison_numbers() -> None:
    table = _comparison()
    assert list(table.columns) == list(LIFT_COLUMNS) and table["channel"].tolist() == ["TV", "Radio"]
    z = 0.6744897501960817  # standard normal quantile at 0.75: the 50% range
    np.testing.assert_allclose(table["measured_lower"], [3.0 - z, 10.0 - 2.0 * z], rtol=1e-12)
    np.testing.assert_allclose(table["measured_upper"], [3.0 + z, 10.0 + 2.0 * z], rtol=1e-12)
    # Draws of test 0: 2 and 4; of test 1: 16 and 32. The value is draw 0's (the posterior mode, as in
    # the decomposition), not the draws' mean; quantiles 0.25 and 0.75, linear.
    np.testing.assert_allclose(table["calibrated"], [2.0, 16.0], rtol=RTOL)
    np.testing.assert_allclose(table["calibrated_lower"], [2.5, 20.0], rtol=RTOL)
    np.testing.assert_allclose(table["calibrated_upper"], [3.5, 28.0], rtol=RTOL)
    np.testing.assert_allclose(table["calibrated_z"], [-1.0, 3.0], atol=1e-12)
    # One uncalibrated draw, half of draw 0: 1 and 8.
    np.testing.assert_allclose(
        table[["uncalibrated", "uncalibrated_lower", "uncalibrated_upper"]], [[1.0] * 3, [8.0] * 3]
    )
    np.testing.assert_allclose(table["uncalibrated_z"], [-2.0, -1.0], rtol=RTOL)


def test_without_uncalibrated_draws_its_columns_are_missing() -> None:
    table = _comparison(uncalibrated=False)
    assert table[["uncalibrated", "uncalibrated_lower", "uncalibrated_upper", "uncalibrated_z"]].isna().all().all()


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5], ids=["zero", "one", "above_one"])
def test_interval_level_outside_zero_one(level: float) -> None:
    with pytest.raises(InputError, match="intervals.level"):
        _comparison(level=level)


def test_roi_comparison_numbers() -> None:
    without = DrawTotals(np.zeros((1, 2)), np.array([[15.0, 9.0]]))
    table = roi_comparison(TESTS, CHANNELS, np.array([10.0, 0.0]), draw_totals(TESTS, DRAWS), without, level=0.5)
    assert list(table.columns) == list(ROI_COLUMNS) and table["lift_tests"].tolist() == [1, 1]
    # TV: contributions 30 (the mode) and 60 over spend 10; Radio has no spend, so no ROI.
    np.testing.assert_allclose(
        table.loc[0, ["calibrated_roi", "calibrated_roi_lower", "calibrated_roi_upper"]], [3.0, 3.75, 5.25]
    )
    np.testing.assert_allclose(table.loc[0, ["uncalibrated_roi", "uncalibrated_roi_lower"]], [1.5, 1.5], rtol=RTOL)
    assert table.loc[1, ["calibrated_roi", "uncalibrated_roi"]].isna().all()


def _section(comparison: pd.DataFrame):
    # Radio: contributions 36 and 72 over spend 5: ROI 7.2 and 14.4.
    roi = roi_comparison(TESTS, CHANNELS, np.array([10.0, 5.0]), draw_totals(TESTS, DRAWS), level=0.5)
    return lift_section(comparison, roi, level=0.5)


def test_section_shows_each_test_its_fit_and_the_roi() -> None:
    section = _section(_comparison())
    assert section.id == SECTION_ID
    tests, roi = (block for block in section.blocks if isinstance(block, Table))
    assert [row[0].text for row in tests.rows] == list(TESTS.labels)
    assert [cell.text for cell in tests.rows[0]] == [
        "TV, A, X, w0 to w1",
        "INR 3",
        "INR 2.33 to INR 3.67",
        "INR 2",
        "INR 2.5 to INR 3.5",
        "-1.0",
        "INR 1",
        "INR 1 to INR 1",
        "-2.0",
    ]
    assert [cell.text for cell in roi.rows[1]] == ["Radio", "1", "7.20", "9.00 to 12.60", "n/a", "n/a"]
    text = " ".join(p for block in section.blocks if isinstance(block, Text) for p in block.paragraphs)
    assert "Model values are at the posterior mode" in text and "means over the parameter draws" not in text
    assert "1 of 2 measured values lie inside the calibrated model's 50% interval; 0 of 2 without calibration." in text
    assert not any(isinstance(block, Note) for block in section.blocks)  # no gap beyond 2 SE without calibration


def test_tests_far_from_the_uncalibrated_model_are_named() -> None:
    comparison = _comparison().assign(uncalibrated_z=[0.5, -3.0])
    notes = [block for block in _section(comparison).blocks if isinstance(block, Note)]
    assert len(notes) == 1 and "Radio, all brands, X, w2 to w2" in notes[0].text and "TV, A" not in notes[0].text
    assert "sharper than the model" not in notes[0].text  # Radio's measured value lies outside that interval


def test_a_far_test_inside_the_model_s_wide_interval_is_explained() -> None:
    """Before, "2 of 2 lie inside the model's interval without calibration" stood beside "the model was more
    than 2 standard errors from" the same test, unexplained."""
    comparison = _comparison().assign(
        uncalibrated_z=[-3.0, 0.5], uncalibrated_lower=[0.0, 0.0], uncalibrated_upper=[9.0, 9.0]
    )
    (note,) = [block for block in _section(comparison).blocks if isinstance(block, Note)]
    assert "more than 2 of the test's standard errors from: TV, A, X, w0 to w1." in note.text
    assert "The model's own 50% interval held TV, A, X, w0 to w1 all the same" in note.text


def test_a_test_the_calibrated_fit_cannot_come_near_is_named() -> None:
    """Before, a test 450 standard errors from the calibrated fit (a fall of 65% of its slice's sales, a typing
    slip of sign or unit) was only counted among those outside the interval."""
    assert "standard errors from" not in lift_insight(_comparison(), 0.5)  # gaps of 1 and 3: no word
    far = _comparison().assign(calibrated_z=[-1.0, 450.0])
    text = lift_insight(far, 0.5)
    assert text.endswith(
        "Test Radio, all brands, X, w2 to w2 (measured +10 INR) lies 450 standard errors from the calibrated "
        "model's +16: the fit cannot agree with it; check its sign, units (INR summed over SKUs), slice and weeks."
    )


def test_without_uncalibrated_draws_the_section_says_only_the_calibrated_count() -> None:
    section = _section(_comparison(uncalibrated=False))
    text = " ".join(p for block in section.blocks if isinstance(block, Text) for p in block.paragraphs)
    assert "calibrated model's 50% interval." in text and "without calibration." not in text


def test_two_forms_totals_are_their_modes_mean_then_every_draw() -> None:
    """A pooled second form is weighed equally: row 0 the mean of the two modes (as the decomposition
    reports), then both forms' draws for the intervals. Before, the section read the chosen form alone."""
    other = 3.0 * DRAWS
    totals = forms_totals(TESTS, [DRAWS, other])
    chosen, pooled = draw_totals(TESTS, DRAWS), draw_totals(TESTS, other)
    np.testing.assert_allclose(totals.tests[0], (chosen.tests[0] + pooled.tests[0]) / 2.0, rtol=RTOL)
    np.testing.assert_allclose(totals.channels[0], (chosen.channels[0] + pooled.channels[0]) / 2.0, rtol=RTOL)
    np.testing.assert_array_equal(totals.tests[1:], np.concatenate([chosen.tests, pooled.tests]))
    np.testing.assert_array_equal(totals.channels[1:], np.concatenate([chosen.channels, pooled.channels]))
    one = forms_totals(TESTS, [DRAWS])
    np.testing.assert_array_equal(one.tests, chosen.tests)
    np.testing.assert_array_equal(one.channels, chosen.channels)
    assert (totals.draws_from, one.draws_from) == (1, 0)


def test_pooled_intervals_are_over_the_draws_alone() -> None:
    """The mean of the pooled forms' modes (no draw of either) was counted among the draws of every interval
    of the section, so they differed from channel_roi.csv's over the draws alone."""
    other = 3.0 * DRAWS
    totals = forms_totals(TESTS, [DRAWS, other])
    table = lift_comparison(TESTS, CHANNELS, totals, level=0.5)
    draws = np.concatenate([draw_totals(TESTS, DRAWS).tests, draw_totals(TESTS, other).tests])
    np.testing.assert_allclose(table["calibrated"], totals.tests[0], rtol=RTOL)
    np.testing.assert_allclose(table["calibrated_lower"], np.quantile(draws, 0.25, axis=0), rtol=RTOL)
    np.testing.assert_allclose(table["calibrated_upper"], np.quantile(draws, 0.75, axis=0), rtol=RTOL)
    roi = roi_comparison(TESTS, CHANNELS, np.array([10.0, 5.0]), totals, level=0.5)
    channel_draws = np.concatenate([draw_totals(TESTS, DRAWS).channels, draw_totals(TESTS, other).channels])
    np.testing.assert_allclose(roi["calibrated_roi_lower"], np.quantile(channel_draws / [10.0, 5.0], 0.25, axis=0))


@pytest.mark.parametrize(
    ("forms", "says", "not_said"),
    [
        ((1, 1), "Model values are at the posterior mode", "two saturation forms"),
        ((2, 2), "with and without calibration alike", "the chosen form's fit alone"),
        ((2, 1), "without calibration, the chosen form's fit alone", "with and without calibration alike"),
    ],
)
def test_section_says_which_fits_its_values_weigh(forms: tuple[int, int], says: str, not_said: str) -> None:
    comparison = _comparison()
    roi = roi_comparison(TESTS, CHANNELS, np.array([10.0, 5.0]), draw_totals(TESTS, DRAWS), level=0.5)
    section = lift_section(comparison, roi, level=0.5, forms=forms)
    text = " ".join(p for block in section.blocks if isinstance(block, Text) for p in block.paragraphs)
    assert says in text and not_said not in text


def test_section_renders_with_labels_escaped() -> None:
    tests = LiftTests(
        TESTS.channel, TESTS.series, TESTS.weeks, TESTS.incremental_sales, TESTS.standard_error, ("<b>TV</b>", "Radio")
    )
    comparison = lift_comparison(tests, CHANNELS, draw_totals(tests, DRAWS), level=0.9)
    page = Page("Model evaluation", "", (_section(comparison),), "model_report.html")
    html = render_page(page)
    assert "&lt;b&gt;TV&lt;/b&gt;" in html and "<b>TV</b>" not in html and 'id="lift-tests"' in html


def test_fitted_values_are_the_decompositions_channel_parts(fitted, tmp_path) -> None:
    """Draw 0 is the point estimate: its slice sums equal the decomposition's over the same cells."""
    from mmm_analytics.models.decomposition import decompose
    from mmm_analytics.models.lift_tests import HEADER, read_lift_tests

    model, panel, params = fitted
    weeks = [d.date().isoformat() for d in panel.dates]
    rows = [
        f"{panel.channels[0]},all,all,{weeks[10]},{weeks[17]},1e6,1e5",
        f"{panel.channels[-1]},{panel.brand[0]},{panel.geo[0]},{weeks[40]},{weeks[40]},1e4,1e3",
    ]
    path = tmp_path / "lift.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    tests = read_lift_tests(path, panel)
    media = decompose(model, panel).media
    expected = [media[tests.series[n] > 0][:, tests.weeks[n] > 0, tests.channel[n]].sum() for n in range(len(tests))]
    totals = draw_totals(tests, ParamsContributions(params))
    assert totals.tests.shape == (params.n_draws, 2) and totals.channels.shape == (params.n_draws, len(panel.channels))
    # Two float64 forward passes subtracted (decomposition) vs the closed form (response params).
    np.testing.assert_allclose(totals.tests[0], expected, rtol=1e-7)
    np.testing.assert_allclose(totals.channels[0], media.sum(axis=(0, 1)), rtol=1e-7)
