"""Synthetic lift tests: experiments drawn from a generated panel's true media contribution.

A lift test measures what one channel added to Sales_Value (INR) in one slice of the panel (one
brand or ``all``, one region or ``all``; SKUs summed) over a window of consecutive weeks. Here
the measured value is the true contribution of that channel in that slice and window
(:attr:`~mmm_analytics.synthetic.generator.SyntheticPanel.contribution`) plus Normal noise whose
sd, the reported ``standard_error``, is a drawn share (10-20%) of the true lift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_analytics.data.schema import LIFT_TEST_ALL as ALL
from mmm_analytics.data.schema import LIFT_TEST_COLUMNS
from mmm_analytics.errors import InputError
from mmm_analytics.synthetic.generator import SyntheticPanel

#: Weeks in a test's window, by default.
DEFAULT_WEEKS = 8
#: Range of the standard error as a share of the true lift.
STANDARD_ERROR_SHARE = (0.10, 0.20)
#: Stream key of the tests' draws, apart from the panel's own (used when a seed is given).
LIFT_TEST_STREAM = 5_189
#: The slices the default tests cycle through: (one brand?, one region?).
SLICES: tuple[tuple[bool, bool], ...] = ((False, True), (True, True), (True, False), (False, False))
#: National tests only (every brand, every region): a platform's lift study, or a geo experiment
#: run across the country.
NATIONAL: tuple[tuple[bool, bool], ...] = ((False, False),)
#: Draws per wanted test before giving up on finding distinct tests.
TRIES_PER_TEST = 50


@dataclass(frozen=True, slots=True)
class _Test:
    channel: int
    brand: int | None  # None: all brands
    region: int | None  # None: all regions
    start: int  # first week index of the window


def _channel_order(panel: SyntheticPanel, channels: Sequence[str] | None) -> list[int]:
    """Indices of ``channels`` (checked), else every channel from the largest true contribution down."""
    names = panel.truth.channels
    if channels is None:
        return [int(c) for c in np.argsort(-panel.contribution.sum(axis=(0, 1, 2)), kind="stable")]
    unknown = [c for c in channels if c not in names]
    if unknown or not channels:
        raise InputError(f"lift-test channels must be some of {', '.join(names)}; got {list(channels)}")
    return [names.index(c) for c in channels]


def _draw_test(
    k: int,
    order: list[int],
    panel: SyntheticPanel,
    weeks: int,
    rng: np.random.Generator,
    slices: tuple[tuple[bool, bool], ...] = SLICES,
) -> _Test:
    """The ``k``-th test: channels and slices in turn, the brand, region and window drawn."""
    n_geos, n_brands, n_weeks = panel.expected_sales.shape
    one_brand, one_region = slices[k % len(slices)]
    brand = int(rng.integers(n_brands)) if one_brand else None
    region = int(rng.integers(n_geos)) if one_region else None
    return _Test(order[k % len(order)], brand, region, int(rng.integers(n_weeks - weeks + 1)))


def true_lift(panel: SyntheticPanel, test: _Test, weeks: int) -> float:
    """True incremental Sales_Value (INR) of the test's channel in its slice and window."""
    geos = slice(None) if test.region is None else slice(test.region, test.region + 1)
    brands = slice(None) if test.brand is None else slice(test.brand, test.brand + 1)
    return float(panel.contribution[geos, brands, test.start : test.start + weeks, test.channel].sum())


def _row(panel: SyntheticPanel, test: _Test, weeks: int, rng: np.random.Generator) -> dict[str, object]:
    truth = true_lift(panel, test, weeks)
    standard_error = truth * rng.uniform(*STANDARD_ERROR_SHARE)
    return {
        "channel": panel.truth.channels[test.channel],
        "brand": ALL if test.brand is None else panel.brands[test.brand],
        "region": ALL if test.region is None else panel.geos[test.region],
        "start_date": panel.dates[test.start].isoformat(),
        "end_date": panel.dates[test.start + weeks - 1].isoformat(),
        "incremental_sales": truth + rng.normal(0.0, standard_error),
        "standard_error": standard_error,
    }


def draw_lift_tests(
    panel: SyntheticPanel,
    n: int,
    rng_or_seed: np.random.Generator | int,
    channels: Sequence[str] | None = None,
    weeks: int = DEFAULT_WEEKS,
    slices: tuple[tuple[bool, bool], ...] = SLICES,
) -> pd.DataFrame:
    """Draw ``n`` distinct lift tests from the panel's true media contribution.

    Parameters
    ----------
    panel : SyntheticPanel
        A generated panel; its ``contribution`` is the truth the tests measure.
    n : int >= 0
        Number of tests.
    rng_or_seed : numpy Generator or int
        The draws; a seed starts a stream of its own (not the panel's).
    channels : sequence of str, optional
        Channels to test, taken in turn; by default every channel, largest true contribution first.
    weeks : int in [1, n_weeks]
        Length of each window (consecutive weeks, inclusive dates).
    slices : sequence of (one brand?, one region?)
        The slices the tests take in turn (default :data:`SLICES`; :data:`NATIONAL`: every test
        over all brands and regions).

    Returns
    -------
    DataFrame with :data:`LIFT_TEST_COLUMNS`, one row per test: ISO week-start dates of the
    panel, ``incremental_sales`` and ``standard_error`` in INR. Tests cycle through ``slices``
    (by default region, brand x region, brand, national); no two share channel, slice and window.
    """
    n_weeks = len(panel.dates)
    if n < 0:
        raise InputError(f"the number of lift tests must be 0 or more; got {n}")
    if not 1 <= weeks <= n_weeks:
        raise InputError(f"a lift test's window must be 1 to {n_weeks} weeks (the panel's length); got {weeks}")
    rng = (
        rng_or_seed
        if isinstance(rng_or_seed, np.random.Generator)
        else np.random.default_rng([int(rng_or_seed), LIFT_TEST_STREAM])
    )
    order = _channel_order(panel, channels)
    n_geos, n_brands, _ = panel.expected_sales.shape
    windows = n_weeks - weeks + 1
    room = len(order) * windows * sum((n_brands if b else 1) * (n_geos if r else 1) for b, r in slices)
    if n > room:  # refused before drawing: each wanted test has a number of tries
        raise InputError(
            f"cannot draw {n} distinct lift tests from a panel of {n_weeks} weeks: its channels, slices and "
            f"{windows} windows of {weeks} weeks have room for {room} at most; ask for fewer"
        )
    tests: dict[_Test, None] = {}  # insertion-ordered set
    for _ in range(TRIES_PER_TEST * n):
        if len(tests) == n:
            break
        tests.setdefault(_draw_test(len(tests), order, panel, weeks, rng, slices))
    if len(tests) < n:
        raise InputError(
            f"cannot draw {n} distinct lift tests from a panel of {n_weeks} weeks; ask for fewer (found {len(tests)})"
        )
    return pd.DataFrame([_row(panel, test, weeks, rng) for test in tests], columns=list(LIFT_TEST_COLUMNS))
