"""Scoring a fit against the truth: where the truth lies in an interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import erfinv

from mmm_analytics.benchmark.recovery import interval_z

Z90 = 1.6448536269514722  # the normal's 95th percentile


@pytest.mark.parametrize(
    "true_value, expected",
    [(2.0, 0.0), (4.0, Z90), (1.0, -Z90), (8.0, 2 * Z90)],
    ids=["centre", "upper_bound", "lower_bound", "a_half_width_beyond"],
)
def test_the_truth_is_placed_on_the_log_scale_in_standard_deviations(true_value: float, expected: float) -> None:
    # interval [1, 4] at 90%: centre log 2, half-width log 2 = 1.645 standard deviations
    assert interval_z(true_value, 1.0, 4.0, 0.9) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "lower, upper, true_value",
    [(0.0, 4.0, 2.0), (-1.0, 4.0, 2.0), (2.0, 2.0, 2.0), (3.0, 2.0, 2.0), (1.0, np.inf, 2.0), (1.0, 4.0, 0.0)],
)
def test_an_interval_without_positive_width_or_bounds_gives_nan(lower: float, upper: float, true_value: float) -> None:
    assert math.isnan(interval_z(true_value, lower, upper, 0.9))


@given(
    st.floats(0.01, 100.0),
    st.floats(1.01, 100.0),
    st.floats(0.5, 0.99),
)
def test_inside_the_interval_means_within_the_level_s_quantile(lower: float, spread: float, level: float) -> None:
    """|z| <= the normal quantile exactly when the truth is inside the interval (tolerance 1e-9)."""
    upper = lower * spread
    quantile = float(np.sqrt(2) * erfinv(level))
    for truth, inside in ((np.sqrt(lower * upper), True), (upper * 1.01, False), (lower / 1.01, False)):
        z = interval_z(truth, lower, upper, level)
        assert (abs(z) <= quantile + 1e-9) == inside


class _Truth:
    """The parts of a world's truth the channel rows read: true ROI, contribution, carryover, half-saturation."""

    def __init__(self, channels: tuple[str, ...], roi: float) -> None:
        self.roi = dict.fromkeys(channels, roi)
        self.data = {
            "carryover": {"weights": {c: np.array([1.0, 0.5]) for c in channels}},
            "saturation": {"half_saturation": dict.fromkeys(channels, 1.0)},
        }

    def national_roi(self) -> dict[str, float]:
        return self.roi

    def national_contribution(self) -> dict[str, float]:
        return dict.fromkeys(self.roi, 1.0)


def test_coverage_is_scored_on_the_shipped_interval_which_pools_the_forms() -> None:
    """The benchmark's ROI interval is ``channel_roi.csv``'s: with a pooled form, the quantiles of
    both forms' draws (tolerance 1e-12), and the truth it holds is counted as covered."""
    from mmm_analytics.benchmark.recovery import RidgeBaseline, _channel_rows
    from mmm_analytics.curves.summary import channel_roi_table, estimate_roi
    from tests.curves.hand_model import build_params

    hill, logistic = build_params(), build_params(saturation="logistic")
    table = channel_roi_table(estimate_roi(hill, pooled=(logistic,)), 0.9)
    alone = channel_roi_table(estimate_roi(hill), 0.9)
    # a true ROI inside the pooled interval but outside the chosen form's own
    above = (table["roi_upper"] > alone["roi_upper"]).to_numpy()
    assert above.any()
    c = int(np.argmax(above))
    true_roi = float((alone["roi_upper"].iloc[c] + table["roi_upper"].iloc[c]) / 2)
    ridge = RidgeBaseline(np.ones(len(hill.channels)), {})
    truth = _Truth(hill.channels, true_roi)
    pooled = estimate_roi(hill, pooled=(logistic,))
    pooled_rows = _channel_rows(hill, pooled, truth, ridge, 0.9, "beta_gamma")  # type: ignore[arg-type]
    own_rows = _channel_rows(hill, estimate_roi(hill), truth, ridge, 0.9, "beta_gamma")  # type: ignore[arg-type]
    np.testing.assert_allclose(pooled_rows["roi_upper"], table["roi_upper"], rtol=1e-12)
    np.testing.assert_allclose(pooled_rows["roi"], table["roi"], rtol=1e-12)  # the two forms' mean
    assert bool(pooled_rows["covered"].iloc[c]) and not bool(own_rows["covered"].iloc[c])


class _CellTruth:
    """The part of a world's truth the per-cell figures read: each brand x region's ROI per channel."""

    def __init__(self, roi: dict[tuple[str, str], dict[str, float]]) -> None:
        self.roi = roi

    def series(self, brand: str, region: str) -> dict[str, dict[str, float]]:
        return {"roi": self.roi[brand, region]}


def test_per_cell_roi_is_scored_beyond_each_channel_s_level() -> None:
    """Correlation of log ROI within channel: 1 for a truth that is the fit times a factor per channel,
    -1 for its inverse; coverage counts the cells x channels inside ``segment_roi.csv``'s interval
    (exactly, tolerance 1e-12 on the correlations)."""
    from mmm_analytics.benchmark.recovery import cell_roi_figures
    from mmm_analytics.curves.summary import estimate_roi, segment_roi_table
    from tests.curves.hand_model import build_params

    params = build_params(regions=("NORTH", "SOUTH", "EAST"))
    estimates = estimate_roi(params)
    table = segment_roi_table(estimates, 0.9).set_index(["brand", "region", "channel"])

    def truth_of(value) -> _CellTruth:  # type: ignore[no-untyped-def]
        cells = dict.fromkeys(zip(params.series_brand, params.series_region, strict=True))
        return _CellTruth({cell: {c: value(table.loc[(*cell, c)], c) for c in params.channels} for cell in cells})

    factor = {c: 2.0 + k for k, c in enumerate(params.channels)}
    scaled = cell_roi_figures(estimates, truth_of(lambda row, c: row.roi * factor[c]), 0.9)  # type: ignore[arg-type]
    assert scaled["cell_roi_correlation"] == pytest.approx(1.0, abs=1e-12)
    assert scaled["cell_roi_coverage"] == 0.0  # every truth 2-4x the fit, far outside the intervals
    inverse = cell_roi_figures(estimates, truth_of(lambda row, c: 1.0 / row.roi), 0.9)  # type: ignore[arg-type]
    assert inverse["cell_roi_correlation"] == pytest.approx(-1.0, abs=1e-12)
    inside = truth_of(lambda row, c: (row.roi_lower + row.roi_upper) / 2 if c == "TV" else row.roi_upper * 1.01)
    assert cell_roi_figures(estimates, inside, 0.9)["cell_roi_coverage"] == pytest.approx(1 / 3)  # type: ignore[arg-type]


def test_a_channel_without_a_finite_estimate_misses_all_of_its_truth() -> None:
    """A NaN estimate counted as no error: a fit that lost a channel scored better than one 2x off on it."""
    from mmm_analytics.benchmark.recovery import _error_share

    truth = pd.Series({"TV": 60.0, "Radio": 40.0})
    doubled = _error_share(pd.Series({"TV": 120.0, "Radio": 40.0}), truth)
    lost = _error_share(pd.Series({"TV": np.nan, "Radio": 40.0}), truth)
    assert doubled == pytest.approx(0.6) and lost == pytest.approx(0.6)
    assert _error_share(pd.Series({"TV": np.inf, "Radio": 40.0}), truth) == pytest.approx(0.6)


def test_a_brand_x_region_without_finite_draws_is_a_miss_and_leaves_the_others_alone() -> None:
    """A series whose draws were all NaN turned every cell's interval NaN (a product with the membership matrix),
    and the coverage then left them all out."""
    import dataclasses

    from mmm_analytics.benchmark.recovery import cell_roi_figures
    from mmm_analytics.curves.summary import estimate_roi, segment_roi_table
    from tests.curves.hand_model import build_params

    params = build_params(regions=("NORTH", "SOUTH", "EAST"))
    estimates = estimate_roi(params)
    table = segment_roi_table(estimates, 0.9).set_index(["brand", "region", "channel"])
    cells = list(dict.fromkeys(zip(params.series_brand, params.series_region, strict=True)))
    centre = _CellTruth(
        {
            cell: {c: (table.loc[(*cell, c)].roi_lower + table.loc[(*cell, c)].roi_upper) / 2 for c in params.channels}
            for cell in cells
        }
    )
    assert cell_roi_figures(estimates, centre, 0.9)["cell_roi_coverage"] == 1.0  # type: ignore[arg-type]
    draws = estimates.contribution_draws.copy()
    draws[:, 0] = np.nan  # the first series: every draw lost
    broken = dataclasses.replace(estimates, contribution_draws=draws)
    coverage = cell_roi_figures(broken, centre, 0.9)["cell_roi_coverage"]  # type: ignore[arg-type]
    assert coverage == pytest.approx(1.0 - 1.0 / len(cells))
