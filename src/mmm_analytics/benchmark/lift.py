"""Lift-test calibration in the benchmark: our fit again with lift tests on chosen channels.

After our fit of a world, :func:`channels_to_test` picks the channels to test by the design's
:class:`~mmm_analytics.benchmark.lift_design.LiftChoice`: where the fit errs most
(:func:`hardest_channels`, chosen with the truth) or where its sales credit is least certain
(:func:`least_certain_channels`, chosen as an analyst would, from the fit alone).
:func:`calibrated_fit` draws one lift test per channel from the world's truth and refits with
them, and :func:`lift_figures` scores the calibrated fit against the uncalibrated one.
:func:`floor_calibrated_fit` gives the true-form floor the same tests, so that every figure with
tests has the floor's beside it.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_analytics.benchmark.lift_design import FLOOR_LIFT_PREFIX, LIFT_PREFIX, LiftChoice, LiftDesign, with_prefix
from mmm_analytics.benchmark.recovery import FitResult, RidgeBaseline, channel_errors, fit_one
from mmm_analytics.config import ProjectConfig
from mmm_analytics.curves.summary import MIN_SHARE_FOR_EXPERIMENT, experiment_candidates
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.lift_tests import LiftTests, read_lift_tests
from mmm_analytics.synthetic import SyntheticPanel, draw_lift_tests

#: Only channels with at least this share of the media contribution get a test (the true share when
#: the truth picks, the fitted share when the fit does).
MIN_SHARE_FOR_LIFT_TEST = MIN_SHARE_FOR_EXPERIMENT
#: Weeks in each test's window.
LIFT_TEST_WEEKS = 8


#: The calibrated fit's figures (besides ``lift_tests``, the number drawn, and ``lift_channels``).
LIFT_FIGURES: tuple[str, ...] = (
    "lift_contribution_error",
    "lift_tested_error_before",
    "lift_tested_error_after",
    "lift_untested_worst_change",
    "lift_coverage",
    "lift_tested_coverage_before",
    "lift_tested_coverage",
    "lift_mean_interval_width",
    "lift_fit_seconds",
    "lift_fit_time_ratio",
)


@dataclass(frozen=True, slots=True)
class CalibratedRun:
    """The calibrated fit of one world, its ``lift_`` figures, the tests it was given (CSV columns),
    the same tests as the fit read them and the channels they measured."""

    fit: FitResult | None
    figures: dict[str, float | str | int]
    tests: pd.DataFrame
    lift_tests: LiftTests | None = None
    tested: tuple[str, ...] = ()


def hardest_channels(rows: pd.DataFrame, n: int, min_share: float = MIN_SHARE_FOR_LIFT_TEST) -> list[str]:
    """The ``n`` channels with the largest |contribution - true_contribution|, largest first.

    Parameters
    ----------
    rows : DataFrame
        One row per channel with ``channel``, ``share_of_media`` (share of the true media
        contribution), ``contribution`` and ``true_contribution`` (KPI units).
    n : int >= 0
        Channels wanted; fewer come back when fewer have ``share_of_media >= min_share``.
    min_share : float in [0, 1]
        Smallest share of media a tested channel may have.

    Returns
    -------
    list of str
        Channel names; ties keep the rows' order.
    """
    eligible = rows[rows["share_of_media"] >= min_share]
    error = (eligible["contribution"] - eligible["true_contribution"]).abs()
    order = np.argsort(-error.to_numpy(), kind="stable")
    return [str(name) for name in eligible["channel"].to_numpy()[order][:n]]


def least_certain_channels(rows: pd.DataFrame, n: int, min_share: float = MIN_SHARE_FOR_LIFT_TEST) -> list[str]:
    """The ``n`` channels whose 90% contribution interval is widest in INR, widest first: the fit
    alone chooses, as the ROI report suggests to an analyst
    (:func:`~mmm_analytics.curves.summary.experiment_candidates`, ``min_share`` of the *fitted*
    media contribution).

    Parameters
    ----------
    rows : DataFrame
        One row per channel with ``channel``, ``contribution`` (KPI units), ``roi``, ``roi_lower``
        and ``roi_upper`` (INR of sales per INR spent).
    """
    return [str(name) for name in experiment_candidates(rows, n, min_share)["channel"]]


def channels_to_test(rows: pd.DataFrame, n: int, choice: LiftChoice) -> list[str]:
    """The channels the design tests, of one fit's channel rows (see :class:`LiftChoice`)."""
    match choice:
        case LiftChoice.ERROR:
            return hardest_channels(rows, n)
        case LiftChoice.UNCERTAIN:
            return least_certain_channels(rows, n)


def _abs_error(rows: pd.DataFrame) -> pd.Series:
    """:func:`channel_errors` of ``contribution`` against ``true_contribution`` (KPI units), indexed by channel."""
    indexed = rows.set_index("channel")
    return channel_errors(indexed["contribution"], indexed["true_contribution"])


def lift_figures(before: pd.DataFrame, after: pd.DataFrame, tested: Sequence[str]) -> dict[str, float]:
    """Score the calibrated fit's channel rows ``after`` against the uncalibrated ``before``.

    Both frames hold one row per channel (``channel``, ``contribution``, ``true_contribution``,
    ``covered``, ``interval_width``). Returns, as shares: ``lift_contribution_error`` (sum of
    |error| / true media total), ``lift_tested_error_before`` and ``_after`` (sum of |error| over
    ``tested`` / their true total), ``lift_untested_worst_change`` (the largest rise of an untested
    channel's |error| / true media total; NaN when every channel was tested), ``lift_coverage``,
    ``lift_tested_coverage_before`` and ``lift_tested_coverage`` (the share of ``tested`` whose
    interval holds the truth, without and with the tests) and ``lift_mean_interval_width``.

    With ``LiftChoice.ERROR`` the tested channels are those the uncalibrated fit got most wrong,
    so the untested ones are the best estimated: their intervals hold the truth more often than 90%
    by that choice, and the tested channels' coverage is the figure that speaks to the calibrated
    intervals. ``LiftChoice.UNCERTAIN`` chooses without the truth, so every channel's coverage does.
    """
    old, new = _abs_error(before), _abs_error(after)
    true = after.set_index("channel")["true_contribution"]
    total = float(true.sum())
    tested_total = float(true[list(tested)].sum())
    untested = [c for c in true.index if c not in set(tested)]
    change = (new[untested] - old[untested]) / total
    return {
        "lift_contribution_error": float(new.sum() / total),
        "lift_tested_error_before": float(old[list(tested)].sum() / tested_total),
        "lift_tested_error_after": float(new[list(tested)].sum() / tested_total),
        "lift_untested_worst_change": float(change.max()) if untested else float("nan"),
        "lift_coverage": float(after["covered"].mean()),
        "lift_tested_coverage_before": float(before.set_index("channel")["covered"][list(tested)].mean()),
        "lift_tested_coverage": float(after.set_index("channel")["covered"][list(tested)].mean()),
        # A channel without a finite interval leaves the figure blank, as in the uncalibrated fit's.
        "lift_mean_interval_width": float(after["interval_width"].mean(skipna=False)),
    }


def _unscored() -> dict[str, float | str | int]:
    """The figures of a world where no channel qualifies for a test: NaN, no tests."""
    figures: dict[str, float | str | int] = dict.fromkeys(LIFT_FIGURES, float("nan"))
    return figures | {"lift_tests": 0, "lift_channels": ""}


def _scored(before: FitResult, after: FitResult, tested: Sequence[str], prefix: str) -> dict[str, float | str | int]:
    """:func:`lift_figures` of ``after`` against ``before`` and the fit times, their ``lift_`` turned into ``prefix``."""
    seconds = float(after.summary["fit_seconds"])
    figures: dict[str, float | str | int] = {
        **lift_figures(before.channels, after.channels, tested),
        "lift_fit_seconds": seconds,
        "lift_fit_time_ratio": seconds / float(before.summary["fit_seconds"]),
    }
    return with_prefix(figures, prefix)


def calibrated_fit(
    generated: SyntheticPanel,
    panel: FeaturePanel,
    ours: FitResult,
    config: ProjectConfig,
    ridge: RidgeBaseline,
    design: LiftDesign,
    seed: int,
) -> CalibratedRun:
    """Draw one ``LIFT_TEST_WEEKS``-week lift test on each of the ``design.tests`` channels it
    chooses in our fit (seeded by ``seed``, in ``design.slices``), fit ``panel`` again with them
    and the same ``config``, and score the result.

    The tests pass through a CSV (as a user's would) read with
    :func:`~mmm_analytics.models.lift_tests.read_lift_tests`. Fit seconds include the
    uncalibrated response the fit computes beside the calibrated one.
    """
    tested = channels_to_test(ours.channels, design.tests, design.choice)
    if not tested:
        return CalibratedRun(None, _unscored(), pd.DataFrame())
    tests = draw_lift_tests(
        generated, len(tested), seed, channels=tested, weeks=LIFT_TEST_WEEKS, slices=design.slices.slices
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lift_tests.csv"
        tests.to_csv(path, index=False)
        lift_tests = read_lift_tests(path, panel, max_lag=config.model.max_lag)
    fit = fit_one(panel, ours.truth, config, ridge, "lift", lift_tests=lift_tests)
    figures = _scored(ours, fit, tested, LIFT_PREFIX) | {"lift_tests": len(tests), "lift_channels": "; ".join(tested)}
    return CalibratedRun(fit, figures, tests, lift_tests, tuple(tested))


def floor_calibrated_fit(
    calibrated: CalibratedRun,
    panel: FeaturePanel,
    floor: FitResult,
    config: ProjectConfig,
    ridge: RidgeBaseline,
    same_as_ours: bool = False,
) -> CalibratedRun:
    """The true-form floor (``floor``, fitted with its ``config``) fitted again with the tests of our
    calibrated fit, scored against the floor without them: the ``lift_`` figures as
    ``floor_lift_`` (NaN where our fit had no tests). Its channel rows have ``fit = "floor_lift"``.
    ``same_as_ours``: our config already pins the truth's forms, so our calibrated fit is the floor's.

    What the tests do for a fit that knows the true forms is the bar for what they do for ours:
    a target that fit misses with the same tests asks more of the tests than they hold.
    """
    if calibrated.fit is None or calibrated.lift_tests is None:
        nan: dict[str, float | str | int] = dict.fromkeys(LIFT_FIGURES, float("nan"))
        return CalibratedRun(None, with_prefix(nan, FLOOR_LIFT_PREFIX), pd.DataFrame())
    if same_as_ours:
        fit = dataclasses.replace(calibrated.fit, channels=calibrated.fit.channels.assign(fit="floor_lift"))
    else:
        fit = fit_one(panel, floor.truth, config, ridge, "floor_lift", lift_tests=calibrated.lift_tests)
    figures = _scored(floor, fit, calibrated.tested, FLOOR_LIFT_PREFIX)
    return CalibratedRun(fit, figures, calibrated.tests, calibrated.lift_tests, calibrated.tested)
