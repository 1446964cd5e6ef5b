"""Aggregate benchmark runs into ``benchmark.csv`` and a readable ``benchmark.md``.

Every figure comes twice, side by side: ours (the project config) and the floor (the same fit
with the truth's forms pinned), its column prefixed with :data:`FLOOR_PREFIX`;
``contribution_error_ratio`` is ours / floor.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from mmm_analytics.benchmark.lift_design import (
    FLOOR_LIFT_PREFIX,
    LIFT_PREFIX,
    NO_LIFT_TESTS,
    LiftChoice,
    LiftDesign,
    LiftSlices,
)
from mmm_analytics.utils.markdown import markdown_table

#: Targets on the default setting, averaged over seeds.
CONTRIBUTION_ERROR_TARGET = 0.08
ROI_ERROR_TARGET = 0.20
MIN_SHARE_FOR_ROI_TARGET = 0.05
WMAPE_RATIO_TARGET = 1.2
COVERAGE_TARGET = 0.80
REGRET_TARGET = 0.02

#: Targets of the fit with lift tests: relative falls of the error in the worlds where our fit
#: errs most, the worst rise of an untested channel's error (share of media), coverage and time.
LIFT_TARGET_WORLDS: tuple[str, ...] = ("collinear", "delayed", "noise12")
LIFT_TESTED_FALL_TARGET = 0.50
LIFT_TOTAL_FALL_TARGET = 0.30
LIFT_UNTESTED_WORSENING_MAX = 0.02
LIFT_COVERAGE_RANGE = (0.85, 0.95)
LIFT_TIME_RATIO_MAX = 1.20

#: The band the advice's 90% uplift intervals should hold the true uplift in (share of moved cells).
UPLIFT_COVERAGE_RANGE = (0.85, 0.95)

#: Prefix of the true-form floor's columns.
FLOOR_PREFIX = "floor_"
#: How each regret figure of the runs is summed up over seeds.
REGRET_AGGREGATES: dict[str, str] = {
    "regret": "mean",
    "max_regret": "max",
    "regret_of_sales": "mean",
    "max_regret_of_sales": "max",
    "cells_worse_than_current": "sum",
    "cells_kept_current": "sum",
    "cells_moved": "sum",
    "uplift_inside": "sum",
}
#: The regret figures of each fit (``bounded_`` prefixed: of the advice as ``mmm optimize`` ships it).
REGRET_FIGURES: tuple[str, ...] = tuple(REGRET_AGGREGATES)
#: Figures reported for ours and for the floor, in report order.
PAIRED_FIGURES: tuple[str, ...] = (
    "contribution_error",
    "max_abs_roi_error_big_channels",
    "coverage",
    "mean_interval_width",
    "interval_z_rms",
    "cell_roi_correlation",
    "cell_roi_coverage",
    *REGRET_FIGURES,
    "uplift_coverage",
    *(f"bounded_{figure}" for figure in REGRET_FIGURES),
    "bounded_uplift_coverage",
    "holdout_wmape",
    "nonfinite_draws",
    "fit_seconds",
)


def _root_mean_square(values: pd.Series) -> float:
    """sqrt(mean(v^2)) over the finite values; NaN when there are none."""
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.sqrt(np.mean(finite**2))) if len(finite) else float("nan")


def _fit_figures(runs: pd.DataFrame, channels: pd.DataFrame, fit: str) -> pd.DataFrame:
    """Per setting, the paired figures of one fit (``ours`` or ``floor``), unprefixed."""
    prefix = FLOOR_PREFIX if fit == "floor" else ""
    grouped = runs.groupby("setting", sort=False)
    rows = channels[channels["fit"] == fit]
    by_setting = rows.groupby("setting", sort=False)
    big = rows[rows["share_of_media"] >= MIN_SHARE_FOR_ROI_TARGET]
    out = pd.DataFrame(
        {
            "contribution_error": grouped[f"{prefix}contribution_error"].mean(),
            # A channel without a finite ROI leaves the world's figure blank (it read as the other channels' worst).
            "max_abs_roi_error_big_channels": big.groupby("setting", sort=False)["roi_error"].apply(
                lambda e: e.abs().max(skipna=False)
            ),
            # Over every channel of every seed, not a mean of per-seed means.
            "coverage": by_setting["covered"].mean(),
            "mean_interval_width": by_setting["interval_width"].apply(_mean_or_blank),
            # Runs written before this figure have no z column: blank.
            "interval_z_rms": by_setting["interval_z"].apply(_root_mean_square) if "interval_z" in rows else np.nan,
            # Each brand x region's own ROI (mean over seeds); runs written before these figures: blank.
            **{
                figure: grouped[f"{prefix}{figure}"].mean() if f"{prefix}{figure}" in runs else np.nan
                for figure in ("cell_roi_correlation", "cell_roi_coverage")
            },
            "holdout_wmape": grouped[f"{prefix}holdout_wmape"].mean(),
            "nonfinite_draws": grouped[f"{prefix}nonfinite_draws"].mean()
            if f"{prefix}nonfinite_draws" in runs
            else np.nan,
            "fit_seconds": grouped[f"{prefix}fit_seconds"].mean(),
        }
    )
    for kind in ("", "bounded_"):  # the model's own advice; mmm optimize's (within the data's range)
        if f"{prefix}{kind}regret" not in runs:
            continue
        # A run whose regret could not be scored (NaN) leaves the setting's figures blank; a figure
        # that older runs lack (the regret of sales, the kept count) is left out.
        for figure, how in REGRET_AGGREGATES.items():
            if f"{prefix}{kind}{figure}" in runs:
                out[f"{kind}{figure}"] = grouped[f"{prefix}{kind}{figure}"].agg(
                    lambda r, how=how: r.agg(how, skipna=False)
                )
        if f"{kind}uplift_inside" in out:  # over every moved cell of every seed
            moved = out[f"{kind}cells_moved"]
            out[f"{kind}uplift_coverage"] = out[f"{kind}uplift_inside"] / moved.where(moved > 0)
    return out


def _forms(values: pd.Series) -> str:
    """The distinct forms over seeds, most frequent first."""
    return "; ".join(values.astype(str).value_counts().index)


def setting_summary(runs: pd.DataFrame, channels: pd.DataFrame) -> pd.DataFrame:
    """One row per setting: ours and the floor side by side, then the baselines and times.

    ``runs`` has one row per (setting, seed) with our figures and the floor's (prefixed);
    ``channels`` one row per (setting, seed, fit, channel) with a ``fit`` column.
    """
    grouped = runs.groupby("setting", sort=False)
    ours, floor = _fit_figures(runs, channels, "ours"), _fit_figures(runs, channels, "floor")
    summary = pd.DataFrame(
        {
            "true_forms": grouped["true_forms"].first() if "true_forms" in runs else "",
            "forms": grouped["forms"].agg(_forms) if "forms" in runs else "",
            "seeds": grouped["seed"].count(),
        }
    )
    if "noise_sd" in runs:
        summary.insert(0, "noise_sd", grouped["noise_sd"].first())
    for figure in PAIRED_FIGURES:
        if figure in ours:
            summary[figure] = ours[figure]
            summary[f"{FLOOR_PREFIX}{figure}"] = floor[figure]
        if figure == "contribution_error":
            with np.errstate(divide="ignore", invalid="ignore"):
                summary["contribution_error_ratio"] = ours[figure] / floor[figure]
    if "cells" in runs:
        summary["cells"] = grouped["cells"].agg(lambda r: r.sum(skipna=False))
    summary["ridge_contribution_error"] = grouped["ridge_contribution_error"].mean()
    summary["noise_floor_wmape"] = grouped["noise_floor_wmape"].mean()
    summary["ridge_holdout_wmape"] = grouped["ridge_holdout_wmape"].mean()
    summary["wmape_ratio"] = summary["holdout_wmape"] / summary["noise_floor_wmape"]
    summary["max_fit_seconds"] = grouped["fit_seconds"].max()
    if "lift_contribution_error" in runs:
        lift_grouped = runs.groupby("setting", sort=False)
        design = pd.DataFrame(
            {
                "lift_tests": lift_grouped["lift_tests"].mean(),
                "lift_channels": lift_grouped["lift_channels"].agg(_tested_channels),
            }
        )
        summary = (
            summary.join(design).join(lift_summary(runs)).join(lift_summary(runs, FLOOR_LIFT_PREFIX, FLOOR_PREFIX))
        )
    return summary.reset_index()


def lift_summary(runs: pd.DataFrame, prefix: str = LIFT_PREFIX, base: str = "") -> pd.DataFrame:
    """Per setting, a fit with lift tests beside the same fit without: mean errors over seeds and
    their relative falls, the worst untested change over seeds, coverage, width and the fit time
    ratio (mean seconds with tests / mean seconds without).

    ``prefix`` names the fit with tests (``lift_``: ours; ``floor_lift_``: the floor's) and ``base``
    the fit without (``""``: ours; ``floor_``); the columns come back ``prefix``-ed. Runs written
    before the floor had tests lack the ``floor_lift_`` columns: an empty frame."""
    grouped = runs.groupby("setting", sort=False)
    if f"{prefix}contribution_error" not in runs:
        return pd.DataFrame(index=grouped.size().index)
    names = ("contribution_error", "coverage", "tested_coverage_before", "tested_coverage", "fit_seconds")
    figures = [f"{base}contribution_error", f"{base}fit_seconds", *(f"{prefix}{f}" for f in names)]
    mean = grouped[[*figures, f"{prefix}tested_error_before", f"{prefix}tested_error_after"]].mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        total_fall = 1.0 - mean[f"{prefix}contribution_error"] / mean[f"{base}contribution_error"]
        tested_fall = 1.0 - mean[f"{prefix}tested_error_after"] / mean[f"{prefix}tested_error_before"]
        time_ratio = mean[f"{prefix}fit_seconds"] / mean[f"{base}fit_seconds"]
    out = pd.DataFrame(
        {
            "contribution_error": mean[f"{prefix}contribution_error"],
            "contribution_error_fall": total_fall,
            "tested_error_before": mean[f"{prefix}tested_error_before"],
            "tested_error_after": mean[f"{prefix}tested_error_after"],
            "tested_error_fall": tested_fall,
            "untested_worst_change": grouped[f"{prefix}untested_worst_change"].max(),
            "coverage": mean[f"{prefix}coverage"],
            "tested_coverage_before": mean[f"{prefix}tested_coverage_before"],
            "tested_coverage": mean[f"{prefix}tested_coverage"],
            "mean_interval_width": grouped[f"{prefix}mean_interval_width"].agg(_mean_or_blank),
            "fit_seconds": mean[f"{prefix}fit_seconds"],
            "fit_time_ratio": time_ratio,
        }
    ).add_prefix(prefix)
    return out.join(_lift_regret_summary(runs, prefix))


def _tested_channels(values: pd.Series) -> str:
    """The channels the seeds tested (each ``A; B; C``): as written where every seed tested the same
    ones, else each channel with the share of seeds that tested it, most tested first (``YouTube 5/5,
    TV 3/5``)."""
    tested = [tuple(name for name in str(v).split("; ") if name) for v in values.fillna("")]
    if len({frozenset(names) for names in tested}) == 1:
        return "; ".join(tested[0])
    counts = Counter(name for names in tested for name in names)
    return ", ".join(f"{name} {n}/{len(tested)}" for name, n in counts.most_common())


def _lift_regret_summary(runs: pd.DataFrame, prefix: str = LIFT_PREFIX) -> pd.DataFrame:
    """Per setting, the advice of a fit with lift tests (``prefix`` as in :func:`lift_summary`): mean
    and max regret (of the optimum's media return and of sales) and the cells worse than today's mix,
    where the runs have them."""
    grouped = runs.groupby("setting", sort=False)
    out = pd.DataFrame(index=grouped.size().index)
    if f"{prefix}regret" not in runs:  # (runs before this figure)
        return out
    for name in ("regret", "regret_of_sales"):
        out[f"{prefix}{name}"] = grouped[f"{prefix}{name}"].mean()
        out[f"{prefix}max_{name}"] = grouped[f"{prefix}max_{name}"].max()
    out[f"{prefix}cells_worse_than_current"] = grouped[f"{prefix}cells_worse_than_current"].sum()
    return out


def _mean_or_blank(values: pd.Series) -> float:
    """The mean, NaN when any value is (a lost channel or seed blanks the figure rather than leaving it out)."""
    return float(values.mean(skipna=False))


def channel_summary(channels: pd.DataFrame) -> pd.DataFrame:
    """Per setting and channel, averaged over seeds: ours and the floor side by side."""
    keys = ["setting", "channel"]

    def per_fit(fit: str) -> pd.DataFrame:
        rows = channels[channels["fit"] == fit].groupby(keys, sort=False)
        return rows.agg(
            # A seed without a finite ROI leaves the channel's figures blank, as the world's are.
            roi=("roi", _mean_or_blank),
            roi_error=("roi_error", lambda e: _mean_or_blank(e.abs())),
            coverage=("covered", "mean"),
            interval_width=("interval_width", _mean_or_blank),
            half_life=("half_life", "mean"),
            peak_lag=("peak_lag", "mean"),
            half_saturation=("half_saturation", "mean"),
        )

    truth = (
        channels[channels["fit"] == "ours"]
        .groupby(keys, sort=False)
        .agg(
            share_of_media=("share_of_media", "mean"),
            true_roi=("true_roi", "mean"),
            ridge_roi=("ridge_roi", "mean"),
            true_half_life=("true_half_life", "mean"),
            true_peak_lag=("true_peak_lag", "mean"),
            true_half_saturation=("true_half_saturation", "mean"),
        )
    )
    ours, floor = per_fit("ours"), per_fit("floor").add_prefix(FLOOR_PREFIX)
    out = truth.join(ours).join(floor)
    order = ["share_of_media", "true_roi", "roi", "floor_roi", "roi_error", "floor_roi_error", "coverage"]
    order += ["floor_coverage", "interval_width", "floor_interval_width", "ridge_roi", "true_half_life"]
    order += ["half_life", "floor_half_life", "true_peak_lag", "peak_lag", "floor_peak_lag"]
    order += ["true_half_saturation", "half_saturation", "floor_half_saturation"]
    return out[order].reset_index()


def _percent(value: float, digits: int = 1) -> str:
    return "-" if pd.isna(value) else f"{value:.{digits}%}"


def _ratio(value: float) -> str:
    """A plain number to two decimals; a figure that could not be scored (NaN) shows as ``-``."""
    return "-" if not np.isfinite(value) else f"{value:.2f}"


def _count(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0f}"


def side_by_side(summary: pd.DataFrame) -> pd.DataFrame:
    """The headline table: per setting, ours / floor for each figure, formatted for reading."""

    def pair(row: pd.Series, figure: str, digits: int = 1) -> str:
        return f"{_percent(row[figure], digits)} / {_percent(row[FLOOR_PREFIX + figure], digits)}"

    rows = []
    for _, row in summary.iterrows():
        entry = {
            "world": row["setting"],
            **({"weekly noise": _percent(row["noise_sd"], 1)} if "noise_sd" in summary else {}),
            "true forms": row["true_forms"],
            "our forms": row["forms"],
            "contribution error": pair(row, "contribution_error"),
            "ratio": "-"
            if not np.isfinite(row["contribution_error_ratio"])
            else f"{row.contribution_error_ratio:.2f}x",
            "worst ROI error": pair(row, "max_abs_roi_error_big_channels"),
            "coverage": pair(row, "coverage", 0),
            "interval width": pair(row, "mean_interval_width", 0),
            "interval calibration (rms z)": f"{_ratio(row['interval_z_rms'])} / {_ratio(row[FLOOR_PREFIX + 'interval_z_rms'])}",
            "per-cell ROI correlation": f"{_ratio(row['cell_roi_correlation'])} / "
            f"{_ratio(row[FLOOR_PREFIX + 'cell_roi_correlation'])}",
            "per-cell ROI coverage": pair(row, "cell_roi_coverage", 0),
        }
        if "regret" in summary:
            entry["regret mean"] = pair(row, "regret", 2)
            entry["regret max"] = pair(row, "max_regret", 2)
            if "regret_of_sales" in summary:
                entry["regret of sales, mean / max"] = (
                    f"{_percent(row.regret_of_sales, 2)} / {_percent(row.max_regret_of_sales, 2)} "
                    f"({_percent(row.floor_regret_of_sales, 2)} / {_percent(row.floor_max_regret_of_sales, 2)})"
                )
            worse = (_count(row.cells_worse_than_current), _count(row.floor_cells_worse_than_current))
            entry["cells worse than today"] = f"{worse[0]} / {worse[1]} of {_count(row.cells)}"
            if "cells_kept_current" in summary:
                kept = (_count(row.cells_kept_current), _count(row.floor_cells_kept_current))
                entry["today's mix kept"] = f"{kept[0]} / {kept[1]}"
            if "uplift_coverage" in summary:
                entry["uplift interval coverage"] = pair(row, "uplift_coverage", 0)
        if "bounded_regret" in summary:
            entry["mmm optimize: regret mean / max, cells worse"] = (
                f"{_percent(row.bounded_regret, 2)} / {_percent(row.bounded_max_regret, 2)}, "
                f"{_count(row.bounded_cells_worse_than_current)}"
            )
        rows.append(entry)
    return pd.DataFrame(rows)


def problem_lines(summary: pd.DataFrame) -> list[str]:
    """One line per setting and fit whose posterior draws were not all finite, or whose regret
    could not be scored (blank figures in the tables)."""
    lines = []
    for _, row in summary.iterrows():
        for label, prefix in (("ours", ""), ("floor", FLOOR_PREFIX)):
            share = row.get(f"{prefix}nonfinite_draws", 0.0)
            unscored = "regret" in summary and pd.isna(row[f"{prefix}regret"])
            if (pd.notna(share) and share > 0) or unscored:
                detail = f"{share:.1%} of parameter draws non-finite" if pd.notna(share) and share > 0 else ""
                detail += ("; " if detail else "") + ("regret not scored" if unscored else "")
                lines.append(f"- {row['setting']}, {label}: {detail}")
    return lines


def _points(value: float) -> str:
    """A change of a share as signed percentage points; ``-`` when it could not be scored."""
    return "-" if pd.isna(value) else f"{round(100 * value, 1) + 0.0:+.1f} pt"  # + 0.0: no "-0.0"


def lift_misses(row: pd.Series, prefix: str = LIFT_PREFIX) -> list[str]:
    """The lift-test targets a setting's summary row misses (the falls count only in
    :data:`LIFT_TARGET_WORLDS`; a figure that could not be scored misses), for our fit with the
    tests or (``prefix`` ``floor_lift_``) the floor's."""
    low, high = LIFT_COVERAGE_RANGE
    untested = row[f"{prefix}untested_worst_change"]
    checks = {
        "tested fall": row[f"{prefix}tested_error_fall"] >= LIFT_TESTED_FALL_TARGET,
        "total fall": row[f"{prefix}contribution_error_fall"] >= LIFT_TOTAL_FALL_TARGET,
        "untested change": pd.isna(untested) or untested <= LIFT_UNTESTED_WORSENING_MAX,
        "coverage": low <= row[f"{prefix}coverage"] <= high,
        "fit time": row[f"{prefix}fit_time_ratio"] < LIFT_TIME_RATIO_MAX,
    }
    if row.setting not in LIFT_TARGET_WORLDS:
        del checks["tested fall"], checks["total fall"]
    return [name for name, ok in checks.items() if not ok]


def _targets(row: pd.Series) -> str:
    """The lift table's verdict on our fit, with the misses the floor shares where the run has the floor's tests."""
    misses = lift_misses(row)
    if not misses:
        return "met"
    if f"{FLOOR_LIFT_PREFIX}coverage" not in row:
        return "NOT met: " + ", ".join(misses)
    floor_misses = set(lift_misses(row, FLOOR_LIFT_PREFIX))
    return "NOT met: " + ", ".join(f"{m} (floor too)" if m in floor_misses else m for m in misses)


def _arrow(before: float, after: float, digits: int = 1) -> str:
    """``before -> after`` as percentages."""
    return f"{_percent(before, digits)} -> {_percent(after, digits)}"


def _lift_texts(row: pd.Series, n: int, prefix: str = LIFT_PREFIX, base: str = "") -> dict[str, str]:
    """The lift table's figures of one fit, formatted: ``prefix`` names it with the tests (``lift_``:
    ours; ``floor_lift_``: the floor's) and ``base`` without them (``""``; ``floor_``). The regret
    columns only where the run has the fit's regret with the tests."""

    def with_tests(name: str) -> float:
        return row.get(prefix + name, np.nan)

    def without(name: str) -> float:
        return row.get(base + name, np.nan)

    texts = {
        f"contribution error, 0 -> {n} tests": _arrow(without("contribution_error"), with_tests("contribution_error")),
        "total fall": _percent(with_tests("contribution_error_fall"), 0),
        f"tested channels' error, 0 -> {n} tests": _arrow(
            with_tests("tested_error_before"), with_tests("tested_error_after")
        ),
        "tested fall": _percent(with_tests("tested_error_fall"), 0),
        "worst untested change": _points(with_tests("untested_worst_change")),
        f"coverage, 0 -> {n} tests": _arrow(without("coverage"), with_tests("coverage"), 0),
        f"tested channels' coverage, 0 -> {n} tests": _arrow(
            with_tests("tested_coverage_before"), with_tests("tested_coverage"), 0
        ),
        "interval width": _percent(with_tests("mean_interval_width"), 0),
    }
    if f"{prefix}regret" in row:
        texts[f"regret mean / max, 0 -> {n} tests"] = (
            f"{_percent(without('regret'), 2)} / {_percent(without('max_regret'), 2)} -> "
            f"{_percent(with_tests('regret'), 2)} / {_percent(with_tests('max_regret'), 2)}"
        )
        texts[f"cells worse than today, 0 -> {n} tests"] = (
            f"{_count(without('cells_worse_than_current'))} -> {_count(with_tests('cells_worse_than_current'))}"
        )
    return texts


def lift_table(summary: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per setting: our fit without lift tests -> with ``n``, and in brackets the floor's with the
    same tests (runs written before the floor had tests: ours alone), formatted for reading."""
    rows = []
    for _, row in summary.iterrows():
        ours = _lift_texts(row, n)
        floor = _lift_texts(row, n, FLOOR_LIFT_PREFIX, FLOOR_PREFIX) if f"{FLOOR_LIFT_PREFIX}coverage" in row else {}
        rows.append(
            {
                "world": row["setting"],
                "tested channels": row["lift_channels"],
                **{column: f"{text} ({floor[column]})" if column in floor else text for column, text in ours.items()},
                "fit time": f"{row.fit_seconds:.1f} s -> {row.lift_fit_seconds:.1f} s ({row.lift_fit_time_ratio:.2f}x)",
                "targets": _targets(row),
            }
        )
    return pd.DataFrame(rows)


def _lift_lines(summary: pd.DataFrame, design: LiftDesign) -> list[str]:
    low, high = LIFT_COVERAGE_RANGE
    n = design.tests
    match design.slices:
        case LiftSlices.NATIONAL:
            where = "national (every brand and region)"
        case LiftSlices.MIXED:
            where = "in turn over one region, one brand x region, one brand and the nation"
    match design.choice:
        case LiftChoice.ERROR:
            which = [
                f"{n} channels with the largest contribution error among those with >= 5% of media (fewer where fewer",
            ]
            reading = [
                "The tested channels are those our fit got most wrong, so",
                "the untested ones are its best estimated and their intervals hold the truth more often than 90%",
                "by that choice: the tested channels' coverage is the figure that speaks to the calibrated intervals.",
            ]
        case LiftChoice.UNCERTAIN:
            which = [
                f"{n} channels whose 90% contribution interval is widest in INR, among those with >= 5% of the",
                "fitted media contribution: chosen from the fit alone, as the ROI report suggests (fewer where fewer",
            ]
            reading = [
                "The choice does not look at the truth, so the coverage over every channel speaks to the calibrated",
                "intervals; the floor's beside it says how much of a miss a fit that knows the true forms shares.",
            ]
    return [
        f"## With {n} lift tests",
        "",
        "After our fit of each world and seed, an 8-week lift test is drawn from the truth on each of the",
        *which,
        f"qualify; the tests are in `lift_tests/`), {where} (`--lift-slices {design.slices}`, "
        f"`--lift-choice {design.choice}`), and the world is",
        "fitted again with them, ours and the true-form floor (the floor's figures in brackets: what the same",
        'tests do for a fit that knows the true forms; a target marked "floor too" the floor misses as well).',
        "Means over seeds;",
        "the worst untested change is the largest rise of an untested channel's |error|, in points of the",
        "true media contribution, over seeds.",
        *reading,
        "",
        markdown_table(lift_table(summary, n)),
        "",
        f"Targets: in {', '.join(LIFT_TARGET_WORLDS)}, the tested channels' error falls by >= "
        f"{LIFT_TESTED_FALL_TARGET:.0%} and the total by >= {LIFT_TOTAL_FALL_TARGET:.0%}; everywhere, no",
        f"untested channel worse by more than {100 * LIFT_UNTESTED_WORSENING_MAX:.0f} points, 90% coverage "
        f"{low:.0%}-{high:.0%} and fit time + < {LIFT_TIME_RATIO_MAX - 1:.0%} (the time with tests includes",
        "the uncalibrated response the fit computes beside the calibrated one).",
        "",
    ]


#: How the losing-cells table names each fit and kind of advice.
FIT_WORDS: dict[str, str] = {
    "ours": "ours",
    "floor": "floor",
    "lift": "ours with lift tests",
    "floor_lift": "floor with lift tests",
}
ADVICE_WORDS: dict[str, str] = {"model": "model's own", "shipped": "as shipped"}


def losing_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The recommendations of ``cells`` (``benchmark_cells.csv``) that sell less than today's mix
    under the truth, one row each, worst loss first: the loss in INR a week and as a share of
    today's mix's true media response, and the model's own view (expected uplift, its interval, the
    share of draws in which the plan beats today's mix)."""
    lost = cells[cells["true_uplift"] < 0]
    if lost.empty:
        return pd.DataFrame()
    share = -lost["true_uplift"] / lost["true_response_current_mix"].where(lost["true_response_current_mix"] > 0)
    frame = pd.DataFrame(
        {
            "world": lost["setting"],
            "seed": lost["seed"],
            "fit": lost["fit"].map(FIT_WORDS).fillna(lost["fit"]),
            "advice": lost["advice"].map(ADVICE_WORDS).fillna(lost["advice"]),
            "brand x region": lost["brand"] + " x " + lost["region"],
            "true loss, INR a week": [f"{-v:,.0f}" for v in lost["true_uplift"]],
            "share of today's media response": [_percent(v, 2) for v in share],
            "model's expected uplift [90%]": [
                f"{u:+,.0f} [{lo:+,.0f}, {hi:+,.0f}]"
                for u, lo, hi in zip(lost["expected_uplift"], lost["uplift_lower"], lost["uplift_upper"], strict=True)
            ],
            "P(beats today)": [_percent(v, 0) for v in lost["prob_beats_current"]],
        }
    )
    order = np.argsort(-share.fillna(-np.inf).to_numpy(), kind="stable")  # largest first, no share last
    return frame.iloc[order].reset_index(drop=True)


def _losing_lines(cells: pd.DataFrame) -> list[str]:
    """The report's section on the recommendations that sell less than today's mix."""
    table = losing_cells(cells)
    lines = ["## Recommendations that sell less than today's mix", ""]
    if table.empty:
        return [*lines, "None: under the truth every recommendation sells at least as much as today's mix.", ""]
    return [
        *lines,
        "Every brand x region whose recommendation sells less than today's mix under the truth, largest",
        "share first (`benchmark_cells.csv` has every cell). The loss is weekly, in INR and as a share of",
        "today's mix's true media response; the model's view is its own expected uplift with its 90%",
        "interval, and the share of posterior draws in which the plan beats today's mix.",
        "",
        markdown_table(table),
        "",
    ]


def uplift_coverage_lines(summary: pd.DataFrame) -> list[str]:
    """One line per world whose advice's 90% uplift intervals (ours or the floor's) hold the true
    uplift in a share of moved cells outside :data:`UPLIFT_COVERAGE_RANGE`; none when all are in it."""
    if "uplift_coverage" not in summary:
        return []
    low, high = UPLIFT_COVERAGE_RANGE
    lines = []
    for _, row in summary.iterrows():
        shares = (row["uplift_coverage"], row[f"{FLOOR_PREFIX}uplift_coverage"])
        outside = [
            f"{who} {'too narrow' if shown < low else 'too wide'}"
            for who, share in zip(("ours", "the floor's"), shares, strict=True)
            if np.isfinite(share) and not low <= (shown := round(share, 2)) <= high  # as shown, whole percents
        ]
        if outside:
            lines.append(
                f"- {row['setting']}: the advice's 90% uplift intervals hold the true uplift in "
                f"{_percent(shares[0], 0)} of the cells it moves (the floor {_percent(shares[1], 0)}), outside "
                f"{low:.0%}-{high:.0%}: {' and '.join(outside)}."
            )
    return lines


def _check(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _timing_lines(timings: dict) -> list[str]:
    lines = []
    for key, value in timings.items():
        if key.endswith("_s"):
            lines.append(
                f"- {key[:-2].replace('_', ' ')}: {value * 1000:.1f} ms"
                if value < 1
                else f"- {key[:-2].replace('_', ' ')}: {value:.2f} s"
            )
        else:
            lines.append(f"- {key.replace('_', ' ')}: {value}")
    return lines


def _target_lines(row: pd.Series, with_regret: bool) -> list[str]:
    lines = [
        "## Targets (default world, ours, mean over seeds)",
        "",
        "| target | value | status |",
        "|---|---|---|",
        f"| media contribution error <= {CONTRIBUTION_ERROR_TARGET:.0%} | {row.contribution_error:.1%} | {_check(row.contribution_error <= CONTRIBUTION_ERROR_TARGET)} |",
        f"| every channel with >= 5% of media within {ROI_ERROR_TARGET:.0%} of true ROI | worst {row.max_abs_roi_error_big_channels:.1%} | {_check(row.max_abs_roi_error_big_channels <= ROI_ERROR_TARGET)} |",
        f"| holdout wMAPE <= {WMAPE_RATIO_TARGET}x noise floor | {row.wmape_ratio:.2f}x | {_check(row.wmape_ratio <= WMAPE_RATIO_TARGET)} |",
        f"| 90% ROI interval coverage >= {COVERAGE_TARGET:.0%} | {row.coverage:.0%} | {_check(row.coverage >= COVERAGE_TARGET)} |",
    ]
    if with_regret:
        lines.append(
            f"| optimiser regret <= {REGRET_TARGET:.0%} | {row.regret:.2%} | {_check(row.regret <= REGRET_TARGET)} |"
        )
    lines += [
        f"| fit time < 60 s | mean {row.fit_seconds:.1f} s, max {row.max_fit_seconds:.1f} s | {_check(row.max_fit_seconds < 60)} |",
        "",
    ]
    return lines


def markdown(
    summary: pd.DataFrame,
    per_channel: pd.DataFrame,
    timings: dict | None = None,
    lift: LiftDesign = NO_LIFT_TESTS,
    cells: pd.DataFrame | None = None,
) -> str:
    """The benchmark report: targets on the default world, ours beside the floor, ours with
    ``lift.tests`` lift tests (when > 0), the recommendations that lose against today's mix (when
    ``cells``, ``benchmark_cells.csv``, is given), every figure, channels."""
    lines = [
        "# Recovery benchmark",
        "",
        "Synthetic worlds with known truth (`mmm data --source synthetic` with `synthetic.setting: WORLD`), each",
        "panel fitted twice: **ours** (the project config) and the **floor** (the same fit with the truth's",
        "carryover, saturation and scaling pinned). Figures read `ours / floor`; the ratio is ours / floor for",
        "the contribution error.",
        "",
    ]
    default = summary[summary["setting"] == "default"]
    if not default.empty:
        lines += _target_lines(default.iloc[0], "regret" in summary)
    lines += [
        "## Ours beside the true-form floor (means over seeds; worst ROI error and max regret the largest, cells "
        "summed)",
        "",
        markdown_table(side_by_side(summary)),
        "",
        "Contribution error: sum over channels of |recovered - true| / true media contribution. Worst ROI",
        "error: over channels with >= 5% of media. Coverage: share of true national ROIs inside the 90%",
        "intervals, over every channel and seed; width: mean interval width as a share of the true ROI;",
        "calibration: the root mean square of where the true ROI lies in its interval, on the log scale in",
        "standard deviations (about 1 when the intervals are calibrated; below 1 too wide, above 1 too narrow).",
        "Per-cell ROI: each brand x region's ROI per channel; correlation of its log with the truth's, each",
        "channel's mean over cells taken out (0: every cell at its channel's ROI, 1: each cell's own found),",
        "and the share of brand x region x channels whose true ROI lies inside the 90% interval.",
        "Regret: 1 - true response of the recommended mix / true optimum, per brand x region cell at its",
        "current budget (the share of the media's best weekly return the advice leaves); regret of sales:",
        "the same gap as a share of the cell's weekly sales, ours (floor); cells worse than today: where",
        "the advice sells less than today's mix; today's mix",
        "kept: where the cautious advice recommends no change (ours / floor); uplift interval coverage: over",
        "the cells whose advice moves away from today's mix, the share whose 90% interval of the weekly uplift",
        "over today's mix holds the true uplift (about 90% when the advice's intervals are calibrated). Regret and",
        "cells score the model's own advice (no channel bounds); the `mmm optimize` column scores ours as",
        "shipped, each channel kept within the range of weekly spend in the data (the true optimum stays",
        "unbounded).",
        "",
    ]
    if lift.tests > 0 and "lift_contribution_error" in summary:
        lines += _lift_lines(summary, lift)
    if misses := uplift_coverage_lines(summary):
        low, high = UPLIFT_COVERAGE_RANGE
        lines += [f"## Advice intervals outside {low:.0%}-{high:.0%}", "", *misses, ""]
    if cells is not None and not cells.empty:
        lines += _losing_lines(cells)
    problems = problem_lines(summary)
    if problems:
        lines += ["## Fit problems", "", *problems, ""]
    lines += [
        "## All figures",
        "",
        markdown_table(summary, 4),
        "",
        "## Per channel (mean over seeds)",
        "",
        markdown_table(per_channel, 3),
        "",
    ]
    if timings:
        lines += ["## Simulator speed (ours, first world and seed)", "", *_timing_lines(timings), ""]
    return "\n".join(lines)
