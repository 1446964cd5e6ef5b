"""Aggregate benchmark runs into ``benchmark.csv`` and a readable ``benchmark.md``."""

from __future__ import annotations

import pandas as pd

from mmm_analytics.utils.markdown import markdown_table

#: Targets on the default setting, averaged over seeds.
CONTRIBUTION_ERROR_TARGET = 0.08
ROI_ERROR_TARGET = 0.20
MIN_SHARE_FOR_ROI_TARGET = 0.05
WMAPE_RATIO_TARGET = 1.2
COVERAGE_TARGET = 0.80
REGRET_TARGET = 0.02


def setting_summary(runs: pd.DataFrame, channels: pd.DataFrame) -> pd.DataFrame:
    """One row per setting: mean errors, coverage, width, wMAPE ratio, regret and times."""
    grouped = runs.groupby("setting", sort=False)
    summary = grouped.agg(
        seeds=("seed", "count"),
        contribution_error=("contribution_error", "mean"),
        ridge_contribution_error=("ridge_contribution_error", "mean"),
        holdout_wmape=("holdout_wmape", "mean"),
        noise_floor_wmape=("noise_floor_wmape", "mean"),
        ridge_holdout_wmape=("ridge_holdout_wmape", "mean"),
        coverage=("coverage", "mean"),
        fit_seconds=("fit_seconds", "mean"),
        max_fit_seconds=("fit_seconds", "max"),
    )
    if "regret" in runs:
        summary["regret"] = grouped["regret"].mean()
    if "max_regret" in runs:
        summary["max_regret"] = grouped["max_regret"].max()
        summary["cells_worse_than_current"] = grouped["cells_worse_than_current"].sum()
        summary["cells"] = grouped["cells"].sum()
    big = channels[channels["share_of_media"] >= MIN_SHARE_FOR_ROI_TARGET]
    summary["max_abs_roi_error_big_channels"] = big.groupby("setting", sort=False)["roi_error"].apply(
        lambda e: e.abs().max()
    )
    summary["mean_interval_width"] = channels.groupby("setting", sort=False)["interval_width"].mean()
    summary["wmape_ratio"] = summary["holdout_wmape"] / summary["noise_floor_wmape"]
    return summary.reset_index()


def channel_summary(channels: pd.DataFrame) -> pd.DataFrame:
    """Per setting and channel, averaged over seeds."""
    return (
        channels.groupby(["setting", "channel"], sort=False)
        .agg(
            share_of_media=("share_of_media", "mean"),
            true_roi=("true_roi", "mean"),
            roi=("roi", "mean"),
            roi_error=("roi_error", lambda e: e.abs().mean()),
            ridge_roi=("ridge_roi", "mean"),
            coverage=("covered", "mean"),
            interval_width=("interval_width", "mean"),
            true_half_life=("true_half_life", "mean"),
            half_life=("half_life", "mean"),
            true_half_saturation=("true_half_saturation", "mean"),
            half_saturation=("half_saturation", "mean"),
        )
        .reset_index()
    )


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


def markdown(summary: pd.DataFrame, per_channel: pd.DataFrame, timings: dict | None = None) -> str:
    """The benchmark report: targets on the default setting, then every setting and channel."""
    lines = [
        "# Recovery benchmark",
        "",
        "Synthetic panels with known truth (`mmm data --source synthetic`), fitted with the default config.",
        "",
    ]
    default = summary[summary["setting"] == "default"]
    if not default.empty:
        row = default.iloc[0]
        lines += [
            "## Targets (default setting, mean over seeds)",
            "",
            "| target | value | status |",
            "|---|---|---|",
            f"| media contribution error <= {CONTRIBUTION_ERROR_TARGET:.0%} | {row.contribution_error:.1%} | {_check(row.contribution_error <= CONTRIBUTION_ERROR_TARGET)} |",
            f"| every channel with >= 5% of media within {ROI_ERROR_TARGET:.0%} of true ROI | worst {row.max_abs_roi_error_big_channels:.1%} | {_check(row.max_abs_roi_error_big_channels <= ROI_ERROR_TARGET)} |",
            f"| holdout wMAPE <= {WMAPE_RATIO_TARGET}x noise floor | {row.wmape_ratio:.2f}x | {_check(row.wmape_ratio <= WMAPE_RATIO_TARGET)} |",
            f"| 90% ROI interval coverage >= {COVERAGE_TARGET:.0%} | {row.coverage:.0%} | {_check(row.coverage >= COVERAGE_TARGET)} |",
        ]
        if "regret" in summary:
            lines.append(
                f"| optimiser regret <= {REGRET_TARGET:.0%} | {row.regret:.2%} | {_check(row.regret <= REGRET_TARGET)} |"
            )
        lines += [
            f"| fit time < 60 s | mean {row.fit_seconds:.1f} s, max {row.max_fit_seconds:.1f} s | {_check(row.max_fit_seconds < 60)} |",
            "",
        ]
    lines += [
        "## All settings",
        "",
        markdown_table(summary, 4),
        "",
        "## Per channel (mean over seeds)",
        "",
        markdown_table(per_channel, 3),
        "",
    ]
    if timings:
        lines += ["## Simulator speed (default setting, first seed)", "", *_timing_lines(timings), ""]
    return "\n".join(lines)
