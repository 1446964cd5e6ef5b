"""Synthetic lift tests: columns, windows inside the panel, distinct tests, and noise around the truth.

Each test's ``incremental_sales`` is the true lift plus Normal noise of sd ``standard_error``:
every z-score stays within 4.5 (400 tests: a false alarm about 1 in 300) and their mean and sd
match 0 and 1 within 0.2 (about 4 and 3 standard errors).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.errors import InputError
from mmm_analytics.synthetic import SyntheticPanel, generate_panel
from mmm_analytics.synthetic.lift_tests import ALL, LIFT_TEST_COLUMNS, NATIONAL, draw_lift_tests

WEEKS = 8


@pytest.fixture(scope="module")
def panel() -> SyntheticPanel:
    return generate_panel(SyntheticSettings(seed=6, n_geos=4, n_brands=3, n_skus=2, n_weeks=60))


def _true_lift(panel: SyntheticPanel, row: pd.Series) -> float:
    """The truth recomputed from the panel's weekly contribution and the row's names and dates."""
    geos = list(range(len(panel.geos))) if row.region == ALL else [panel.geos.index(row.region)]
    brands = list(range(len(panel.brands))) if row.brand == ALL else [panel.brands.index(row.brand)]
    weeks = [k for k, d in enumerate(panel.dates) if row.start_date <= d.isoformat() <= row.end_date]
    channel = panel.truth.channels.index(row.channel)
    return float(panel.contribution[np.ix_(geos, brands, weeks, [channel])].sum())


def test_columns_names_and_windows(panel: SyntheticPanel) -> None:
    tests = draw_lift_tests(panel, 40, 1)
    assert tuple(tests.columns) == LIFT_TEST_COLUMNS and len(tests) == 40
    assert set(tests.channel) <= set(panel.truth.channels)
    assert set(tests.brand) <= {*panel.brands, ALL} and set(tests.region) <= {*panel.geos, ALL}
    dates = [d.isoformat() for d in panel.dates]
    for start, end in zip(tests.start_date, tests.end_date):
        assert start in dates and end in dates
        assert dates.index(end) - dates.index(start) == WEEKS - 1
        assert (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days == 7 * (WEEKS - 1)
    assert not tests.drop(columns=["incremental_sales", "standard_error"]).duplicated().any()
    assert {(b == ALL, r == ALL) for b, r in zip(tests.brand, tests.region)} == {
        (False, False),
        (True, False),
        (False, True),
        (True, True),
    }


def test_default_channels_are_the_largest_first(panel: SyntheticPanel) -> None:
    largest = np.argsort(-panel.contribution.sum(axis=(0, 1, 2)))[:3]
    tests = draw_lift_tests(panel, 3, 2)
    assert list(tests.channel) == [panel.truth.channels[c] for c in largest]


def test_chosen_channels_are_taken_in_turn(panel: SyntheticPanel) -> None:
    tests = draw_lift_tests(panel, 5, 3, channels=["Print", "Instagram"], weeks=4)
    assert list(tests.channel) == ["Print", "Instagram", "Print", "Instagram", "Print"]
    assert all(pd.to_datetime(tests.end_date) - pd.to_datetime(tests.start_date) == pd.Timedelta(weeks=3))


def test_measurements_scatter_around_the_truth_by_their_standard_error(panel: SyntheticPanel) -> None:
    tests = draw_lift_tests(panel, 400, 4)
    truth = np.array([_true_lift(panel, row) for row in tests.itertuples()])
    share = tests.standard_error.to_numpy() / truth
    assert np.all((share >= 0.10) & (share <= 0.20))
    z = (tests.incremental_sales.to_numpy() - truth) / tests.standard_error.to_numpy()
    assert np.abs(z).max() < 4.5
    assert abs(z.mean()) < 0.2 and abs(z.std() - 1.0) < 0.2


def test_same_seed_same_tests_generator_accepted(panel: SyntheticPanel) -> None:
    pd.testing.assert_frame_equal(draw_lift_tests(panel, 6, 9), draw_lift_tests(panel, 6, 9))
    assert not draw_lift_tests(panel, 6, 9).equals(draw_lift_tests(panel, 6, 10))
    drawn = draw_lift_tests(panel, 6, np.random.default_rng(9))
    assert len(drawn) == 6


def test_no_tests_is_an_empty_table(panel: SyntheticPanel) -> None:
    tests = draw_lift_tests(panel, 0, 1)
    assert tests.empty and tuple(tests.columns) == LIFT_TEST_COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        pytest.param({"n": -1}, "0 or more; got -1", id="negative_count"),
        pytest.param({"weeks": 0}, "1 to 60 weeks", id="no_weeks"),
        pytest.param({"weeks": 61}, "got 61", id="longer_than_the_panel"),
        pytest.param({"channels": ["Cinema"]}, "some of TV, YouTube", id="unknown_channel"),
        pytest.param({"channels": []}, "got []", id="no_channel"),
    ],
)
def test_bad_requests_name_the_value(panel: SyntheticPanel, kwargs: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        draw_lift_tests(panel, **({"n": 2, "rng_or_seed": 1} | kwargs))


def test_too_many_tests_for_a_tiny_panel() -> None:
    tiny = generate_panel(SyntheticSettings(seed=1, n_geos=1, n_brands=1, n_skus=1, n_weeks=40))
    # one channel, one series: 4 slices that are all the same series, 33 windows each
    with pytest.raises(InputError, match="cannot draw 200 distinct lift tests"):
        draw_lift_tests(tiny, 200, 1, channels=["TV"])


def test_more_tests_than_the_panel_has_room_for_are_refused_at_once(panel: SyntheticPanel) -> None:
    """Before, 'mmm data --lift-tests 1000000000' drew 50 tries per wanted test and ran for hours."""
    # 6 channels x (4 regions + 3 x 4 brand x regions + 3 brands + 1 national) x 53 windows of 8 weeks
    room = 6 * (4 + 12 + 3 + 1) * 53
    started = time.perf_counter()
    with pytest.raises(
        InputError, match=rf"^cannot draw 1000000000 distinct lift tests .* room for {room} at most; ask"
    ):
        draw_lift_tests(panel, 10**9, 1)
    assert time.perf_counter() - started < 1.0


def test_national_tests_cover_every_brand_and_region(panel: SyntheticPanel) -> None:
    tests = draw_lift_tests(panel, 6, 5, slices=NATIONAL)
    assert (tests["brand"] == ALL).all() and (tests["region"] == ALL).all()
    for _, row in tests.iterrows():
        assert row.incremental_sales == pytest.approx(_true_lift(panel, row), abs=4.5 * row.standard_error)
