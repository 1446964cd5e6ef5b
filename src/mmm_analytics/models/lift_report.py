"""The model report's section on lift tests: each experiment next to the model's fit, and ROI.

For every lift test the model's fitted value is the sum of the channel's weekly
contribution (INR) over the test's series (every SKU of its brand x region slice) and weeks,
computed once per parameter draw: its value at the posterior mode (the first draw is the mode
itself, so it is the same number as the decomposition's and ``channel_roi.csv``'s; with pooled
saturation forms, the mean of every fit's mode, as there: :func:`forms_totals`) and the
equal-tailed interval over the draws at ``level``. It is shown twice: calibrated (the posterior
with the tests as evidence) and without calibration (the same posterior with the tests'
evidence removed, re-polished to its own mode), beside the
measured value and its range measured +- z x standard error. ROI per channel = contribution
summed over the data period / spend, with and without calibration.

Memory: a draw's contribution (S, T, C) is made and reduced to the tests' sums (N,) and the
channels' totals (C,) before the next one, so the cost is D passes over S x T x C numbers
and never an array of shape (D, S, T, C) (see :class:`ParamsContributions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import historical_contribution, weighted_contribution_totals
from mmm_analytics.style import numbers
from mmm_analytics.style.page import Cell, Note, Section, Table, Text
from mmm_analytics.utils.words import the_count

type Grid = npt.NDArray[np.float64]

#: Columns of :func:`lift_comparison` (fitted values and intervals in INR, z in standard errors).
LIFT_COLUMNS: tuple[str, ...] = (
    "test",
    "channel",
    "measured",
    "standard_error",
    "measured_lower",
    "measured_upper",
    "calibrated",
    "calibrated_lower",
    "calibrated_upper",
    "calibrated_z",
    "uncalibrated",
    "uncalibrated_lower",
    "uncalibrated_upper",
    "uncalibrated_z",
)
#: Columns of :func:`roi_comparison` (spend in INR, ROI in INR of sales per INR of spend).
ROI_COLUMNS: tuple[str, ...] = (
    "channel",
    "spend",
    "lift_tests",
    "calibrated_roi",
    "calibrated_roi_lower",
    "calibrated_roi_upper",
    "uncalibrated_roi",
    "uncalibrated_roi_lower",
    "uncalibrated_roi_upper",
)
SECTION_ID = "lift-tests"


class ContributionDraws(Protocol):
    """Weekly media contribution per parameter draw: ``draws[d]`` of shape (S, T, C), INR.

    An ndarray of shape (D, S, T, C) is one; :class:`ParamsContributions` makes each draw on demand.
    """

    def __len__(self) -> int: ...

    def __getitem__(self, draw: int, /) -> Grid: ...


@dataclass(frozen=True, slots=True)
class ParamsContributions:
    """The contribution draws of a model's :class:`ResponseParams`, made one draw at a time
    (:func:`~mmm_analytics.response.steady_state.historical_contribution`): S x T x C memory."""

    params: ResponseParams

    def __len__(self) -> int:
        return self.params.n_draws

    def __getitem__(self, draw: int, /) -> Grid:
        return historical_contribution(self.params, draw)


@dataclass(frozen=True, slots=True)
class DrawTotals:
    """Per draw: each test's fitted value ``tests`` (D, N) and each channel's contribution over
    the data period ``channels`` (D, C), both INR. Row 0 is the centre (a fit's mode); the draws
    start at row ``draws_from``: 0 for one fit (its mode is its first draw), 1 for pooled forms (the
    mean of their modes, which is no draw of any)."""

    tests: Grid
    channels: Grid
    draws_from: int = 0


def draw_totals(tests: LiftTests, contributions: ContributionDraws) -> DrawTotals:
    """Sum each draw's contribution over every test's series and weeks, and over everything per channel.

    fitted[d, n] = sum_s sum_t series[n, s] * weeks[n, t] * contribution[d][s, t, channel[n]].
    A model's draws (:class:`ParamsContributions`) are summed in batches of draws
    (:func:`~mmm_analytics.response.steady_state.weighted_contribution_totals`), any other source draw by draw.
    """
    if len(contributions) == 0:
        raise ValueError("draw_totals needs at least one contribution draw")
    if isinstance(contributions, ParamsContributions):
        every_week = np.ones((1, tests.weeks.shape[1]))
        totals = weighted_contribution_totals(contributions.params, np.concatenate([tests.weeks, every_week]))
        per_test = totals[np.arange(len(tests)), :, :, tests.channel]  # (N, D, S)
        fitted = np.einsum("nds,ns->dn", per_test, tests.series)
        return DrawTotals(fitted, totals[-1].sum(axis=1))
    rows, channel_totals = [], []
    for draw in range(len(contributions)):
        grid = np.asarray(contributions[draw], dtype=np.float64)
        rows.append(np.einsum("ns,stn,nt->n", tests.series, grid[..., tests.channel], tests.weeks))
        channel_totals.append(grid.sum(axis=(0, 1)))
    return DrawTotals(np.array(rows).reshape(len(rows), len(tests)), np.array(channel_totals))


def forms_totals(tests: LiftTests, forms: Sequence[ContributionDraws]) -> DrawTotals:
    """:func:`draw_totals` of fits of the same panel weighed equally (the chosen form's, then any
    pooled ones'): the first row is the mean of their modes, as the decomposition and
    ``channel_roi.csv`` report, then every draw of every form, as their intervals pool them.
    One form: its own totals."""
    each = [draw_totals(tests, form) for form in forms]
    if len(each) == 1:
        return each[0]

    def weighed(rows: list[Grid]) -> Grid:
        return np.concatenate([np.mean([draws[0] for draws in rows], axis=0)[None], *rows])

    return DrawTotals(weighed([t.tests for t in each]), weighed([t.channels for t in each]), draws_from=1)


@dataclass(frozen=True, slots=True)
class LiftFits:
    """The lift tests a fit was calibrated to, with the fitted forms' responses (the chosen form's,
    then any pooled ones') with the tests as evidence (``calibrated``) and without them
    (``uncalibrated``; without a pooled form that could not be refitted)."""

    tests: LiftTests
    calibrated: tuple[ResponseParams, ...]
    uncalibrated: tuple[ResponseParams, ...]


def _summary(rows: Grid, level: float, draws_from: int) -> tuple[Grid, Grid, Grid]:
    """The centre (row 0, see :class:`DrawTotals`) and the equal-tailed interval over the draws (the rows
    from ``draws_from``), as ``channel_roi.csv`` gives them."""
    if not 0.0 < level < 1.0:
        raise InputError(f"interval level must be in (0, 1) (model_config.yaml intervals.level); got {level}")
    lower, upper = np.quantile(rows[draws_from:], [(1.0 - level) / 2.0, (1.0 + level) / 2.0], axis=0)
    return rows[0], lower, upper


def _fitted_columns(
    prefix: str, totals: DrawTotals | None, measured: Grid, error: Grid, level: float
) -> dict[str, Grid]:
    if totals is None:
        nan = np.full(len(measured), np.nan)
        return {prefix: nan, f"{prefix}_lower": nan, f"{prefix}_upper": nan, f"{prefix}_z": nan}
    mode, lower, upper = _summary(totals.tests, level, totals.draws_from)
    return {prefix: mode, f"{prefix}_lower": lower, f"{prefix}_upper": upper, f"{prefix}_z": (mode - measured) / error}


def lift_comparison(
    tests: LiftTests,
    channels: Sequence[str],
    calibrated: DrawTotals,
    uncalibrated: DrawTotals | None = None,
    level: float = 0.9,
) -> pd.DataFrame:
    """One row per test: measured value and range, the model's fit with and without calibration.

    Parameters
    ----------
    tests : LiftTests
        The N tests.
    channels : sequence of str, length C
        Channel names in the model's order (``tests.channel`` indexes them).
    calibrated, uncalibrated : DrawTotals
        :func:`draw_totals` of the calibrated and the uncalibrated posterior draws; without
        ``uncalibrated`` its columns are NaN.
    level : float in (0, 1)
        Coverage of the intervals; the measured range is measured +- z x standard_error with
        z the standard normal quantile at (1 + level) / 2.

    Returns
    -------
    DataFrame with :data:`LIFT_COLUMNS`: amounts in INR; ``*_z`` = (fitted value - measured) /
    standard_error, the test's residual in the likelihood.
    """
    measured, error = np.asarray(tests.incremental_sales), np.asarray(tests.standard_error)
    z = float(stats.norm.ppf((1.0 + level) / 2.0)) if 0.0 < level < 1.0 else np.nan
    frame = {
        "test": list(tests.labels),
        "channel": [channels[int(c)] for c in tests.channel],
        "measured": measured,
        "standard_error": error,
        "measured_lower": measured - z * error,
        "measured_upper": measured + z * error,
    }
    frame |= _fitted_columns("calibrated", calibrated, measured, error, level)
    frame |= _fitted_columns("uncalibrated", uncalibrated, measured, error, level)
    return pd.DataFrame(frame, columns=list(LIFT_COLUMNS))


def roi_comparison(
    tests: LiftTests,
    channels: Sequence[str],
    spend: Grid,
    calibrated: DrawTotals,
    uncalibrated: DrawTotals | None = None,
    level: float = 0.9,
) -> pd.DataFrame:
    """ROI of every channel over the data period, with and without calibration.

    ``spend`` (C,) is each channel's spend over the data period (INR); ROI = contribution /
    spend per draw (NaN without spend), summarised as in :func:`lift_comparison`.
    ``lift_tests`` counts each channel's tests. Returns :data:`ROI_COLUMNS`.
    """
    spend = np.asarray(spend, dtype=np.float64)
    counts = np.bincount(np.asarray(tests.channel, dtype=int), minlength=len(channels))
    frame: dict[str, object] = {"channel": list(channels), "spend": spend, "lift_tests": counts}
    for prefix, totals in (("calibrated", calibrated), ("uncalibrated", uncalibrated)):
        if totals is None:
            mode = lower = upper = np.full(len(channels), np.nan)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                roi = np.where(spend > 0, totals.channels / np.where(spend > 0, spend, 1.0), np.nan)
            mode, lower, upper = _summary(roi, level, totals.draws_from)
        frame |= {f"{prefix}_roi": mode, f"{prefix}_roi_lower": lower, f"{prefix}_roi_upper": upper}
    return pd.DataFrame(frame, columns=list(ROI_COLUMNS))


def _inside(values: pd.Series, lower: pd.Series, upper: pd.Series) -> int:
    return int(((values >= lower) & (values <= upper)).sum())


#: A test whose measured value lies this many of its standard errors from the calibrated model's fit is named:
#: the fit cannot come near it, which a wrong sign, unit or slice explains far more often than the data do.
FAR_LIFT_Z = 10.0


def lift_insight(comparison: pd.DataFrame, level: float) -> str:
    """One sentence: how many measured values lie inside the model's interval, each way; and one naming the
    test farthest from the calibrated fit when it lies more than :data:`FAR_LIFT_Z` standard errors away."""
    n, share = len(comparison), numbers.percent(level, 0)
    inside = _inside(comparison["measured"], comparison["calibrated_lower"], comparison["calibrated_upper"])
    values = "measured value lies" if n == 1 else "measured values lie"
    text = f"{inside} of {n} {values} inside the calibrated model's {share} interval"
    if comparison["uncalibrated"].notna().any():
        before = _inside(comparison["measured"], comparison["uncalibrated_lower"], comparison["uncalibrated_upper"])
        text += f"; {before} of {n} without calibration"
    gaps = comparison["calibrated_z"].abs()
    if gaps.notna().any() and float(gaps.max()) > FAR_LIFT_Z:
        # Before, a test 450 standard errors from the fit (a fall of 65% of the slice's sales) was only counted.
        far = comparison.loc[gaps.idxmax()]
        text += (
            f". Test {far['test']} (measured {numbers.grouped(far['measured'], signed=True)} INR) lies "
            f"{abs(float(far['calibrated_z'])):,.0f} standard errors from the calibrated model's "
            f"{numbers.grouped(far['calibrated'], signed=True)}: the fit cannot agree with it; check its sign, units "
            "(INR summed over SKUs), slice and weeks"
        )
    return text + "."


def _money(value: object, fmt: NumberFormat) -> Cell:
    return Cell(numbers.compact_money(value, fmt), numbers.finite(value))


def _range(low: object, high: object, show: Callable[[object], str]) -> Cell:
    return Cell(numbers.interval(low, high, show), numbers.finite(low))


def _tests_table(comparison: pd.DataFrame, level: float, fmt: NumberFormat) -> Table:
    money = lambda v: numbers.compact_money(v, fmt)
    rows = tuple(
        (
            Cell(r.test),
            _money(r.measured, fmt),
            _range(r.measured_lower, r.measured_upper, money),
            _money(r.calibrated, fmt),
            _range(r.calibrated_lower, r.calibrated_upper, money),
            Cell(numbers.ratio(r.calibrated_z, 1), numbers.finite(r.calibrated_z)),
            _money(r.uncalibrated, fmt),
            _range(r.uncalibrated_lower, r.uncalibrated_upper, money),
            Cell(numbers.ratio(r.uncalibrated_z, 1), numbers.finite(r.uncalibrated_z)),
        )
        for r in comparison.itertuples()
    )
    share = numbers.percent(level, 0)
    headers = ("Test (channel, brand, region, weeks)", "Measured", f"Measured {share} range")
    fitted = ("Model, calibrated", f"Calibrated {share} interval", "Gap (SE), calibrated")
    without = ("Model, without calibration", f"Without calibration {share} interval", "Gap (SE), without")
    caption = "Incremental Sales_Value (INR) of the channel in the test's slice and weeks, summed over SKUs."
    return Table((*headers, *fitted, *without), rows, (False,) + (True,) * 8, caption=caption, sortable=True)


def _roi_table(roi: pd.DataFrame, level: float) -> Table:
    rows = tuple(
        (
            Cell(r.channel),
            Cell(str(r.lift_tests), r.lift_tests),
            Cell(numbers.ratio(r.calibrated_roi), numbers.finite(r.calibrated_roi)),
            _range(r.calibrated_roi_lower, r.calibrated_roi_upper, numbers.ratio),
            Cell(numbers.ratio(r.uncalibrated_roi), numbers.finite(r.uncalibrated_roi)),
            _range(r.uncalibrated_roi_lower, r.uncalibrated_roi_upper, numbers.ratio),
        )
        for r in roi.itertuples()
    )
    share = numbers.percent(level, 0)
    headers = ("Channel", "Lift tests", "ROI, calibrated", f"{share} interval", "ROI, without calibration")
    caption = "Historical average ROI: contribution over the data period / spend (INR of sales per INR)."
    return Table((*headers, f"{share} interval"), rows, (False,) + (True,) * 5, caption=caption)


def _where_values_come_from(forms: tuple[int, int]) -> str:
    """What the section's model values are, for ``forms`` = (calibrated, uncalibrated) fits weighed."""
    calibrated, uncalibrated = forms
    mean = f"the mean of {the_count(calibrated, 'saturation forms')}' fits at their posterior modes"
    draws = "both fits'" if calibrated == 2 else "every fit's"
    match forms:
        case (1, _):
            return (
                "Model values are at the posterior mode (as in the decomposition), intervals over the parameter draws"
            )
        case _ if uncalibrated < calibrated:
            without = "the chosen form's fit alone" if uncalibrated == 1 else f"the mean of {uncalibrated} forms' fits"
            return (
                f"Calibrated values are {mean} (as in the decomposition), intervals over {draws} draws; without "
                f"calibration, {without} (the other forms' could not be refitted without the tests)"
            )
        case _:
            return (
                f"Model values are {mean} (as in the decomposition), with and without calibration alike; intervals "
                f"over {draws} parameter draws"
            )


def lift_section(
    comparison: pd.DataFrame,
    roi: pd.DataFrame,
    level: float,
    fmt: NumberFormat = NumberFormat.INDIAN,
    forms: tuple[int, int] = (1, 1),
) -> Section:
    """The model report's section (``extra_sections``) from :func:`lift_comparison` and :func:`roi_comparison`;
    ``forms`` counts the fits (calibrated, uncalibrated) their values weigh (see :class:`LiftFits`)."""
    intro = (
        "Each lift test (an experiment's incremental Sales_Value of one channel in one slice and weeks) beside what "
        "the model attributes to that channel in the same series and weeks. Calibrated: the fit with the tests as "
        "evidence; without calibration: the same posterior with the tests' evidence taken out. "
        f"{_where_values_come_from(forms)}; gap = (model - measured) / standard error."
    )
    blocks: list[Table | Text | Note] = [
        Text((intro, lift_insight(comparison, level))),
        _tests_table(comparison, level, fmt),
    ]
    far_rows = comparison.loc[comparison["uncalibrated_z"].abs() > 2.0]
    if len(far_rows):
        within = far_rows["test"][
            (far_rows["measured"] >= far_rows["uncalibrated_lower"])
            & (far_rows["measured"] <= far_rows["uncalibrated_upper"])
        ].tolist()
        # Before, this note stood beside "3 of 3 lie inside the interval without calibration", unexplained.
        sharper = (
            f" The model's own {numbers.percent(level, 0)} interval held {'; '.join(within)} all the same: there "
            "the experiment is sharper than the model, not at odds with it."
            if within
            else ""
        )
        blocks.append(
            Note(
                f"Without calibration the model was more than 2 of the test's standard errors from: "
                f"{'; '.join(far_rows['test'].tolist())}.{sharper} Check these experiments' design, or expect the "
                "calibration to move those channels' ROI.",
                "warning",
                "Where the experiments disagree with the model.",
            )
        )
    blocks.append(_roi_table(roi, level))
    return Section(SECTION_ID, "Lift tests: the model against your experiments", tuple(blocks))
