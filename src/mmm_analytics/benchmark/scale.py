"""``mmm benchmark --scale``: time and peak memory of each step by panel size.

Each size is a synthetic panel of geos x brands x 1 SKU x 156 weeks made by ``mmm data``; the
steps run as their own ``mmm`` processes, so each one's peak memory (resident set) is its own.
The fit's time is the model's own record (form choice, fit and intervals); the contribution
error is scored against the panel's ground truth, as in the recovery benchmark.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_analytics.errors import InputError

#: Panel size (series) -> (geos, brands): 1 SKU each, the issue's sizes.
SIZES: dict[int, tuple[int, int]] = {24: (8, 3), 400: (20, 20), 1000: (50, 20), 4000: (200, 20)}
COLUMNS: tuple[str, ...] = (
    "series",
    "geos",
    "brands",
    "data_seconds",
    "data_peak_gb",
    "features_seconds",
    "features_peak_gb",
    "fit_seconds",
    "train_seconds",
    "train_peak_gb",
    "contribution_error",
    "forms",
)


@dataclass(frozen=True, slots=True)
class StepUsage:
    """Wall time (s) and peak resident memory (GB) of one child process."""

    seconds: float
    peak_gb: float


def run_step(arguments: Sequence[str], log: Path) -> StepUsage:
    """Run ``mmm`` with ``arguments`` in its own process; its wall time and peak memory.

    Raises
    ------
    InputError
        When the step fails (its output is in ``log``).
    """
    command = [str(Path(sys.executable).parent / "mmm"), *arguments]
    began = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise InputError(f"'mmm {' '.join(arguments)}' failed; see {log}")
    return StepUsage(seconds, usage.ru_maxrss / 1e6)  # ru_maxrss is in KiB on Linux


def contribution_error(model_dir: Path, truth_path: Path) -> float:
    """Sum over channels of |fitted - true| media contribution over the panel / total true contribution."""
    from mmm_analytics.response.artifacts import ResponseParams
    from mmm_analytics.response.steady_state import historical_contribution
    from mmm_analytics.synthetic.truth import GroundTruth

    params = ResponseParams.load(model_dir)
    truth = GroundTruth.load(truth_path).national_contribution()
    fitted = historical_contribution(params).sum(axis=(0, 1))
    true = np.array([truth[c] for c in params.channels])
    return float(np.abs(fitted - true).sum() / true.sum())


def scale_row(n_series: int, folder: Path, config_dir: Path, seed: int = 42) -> dict[str, object]:
    """Make, prepare and fit one panel of ``n_series`` series under ``folder``; one table row."""
    import json

    if n_series not in SIZES:
        raise InputError(f"--scale {n_series}: choose sizes among {', '.join(map(str, SIZES))}")
    geos, brands = SIZES[n_series]
    raw, processed, model = folder / "raw", folder / "processed", folder / "model"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "steps.log"
    config = ["--config-dir", str(config_dir)]
    made = ["--geos", str(geos), "--brands", str(brands), "--skus", "1", "--seed", str(seed)]
    data = run_step(
        ["data", "--source", "synthetic", *made, "--output", str(raw), "--processed-dir", str(processed), *config], log
    )
    features_file = str(processed / "features.parquet")
    clean = str(processed / "clean_panel.parquet")
    features = run_step(["features", "--input", clean, "--output", features_file, *config], log)
    reports = ["--reports", str(folder / "reports"), "--figures", str(folder / "figures")]
    train = run_step(["train", "--data", features_file, "--output", str(model), *reports, *config], log)
    metadata = json.loads((model / "metadata.json").read_text())
    timings = metadata.get("extra", {}).get("timings", {})
    return {
        "series": n_series,
        "geos": geos,
        "brands": brands,
        "data_seconds": data.seconds,
        "data_peak_gb": data.peak_gb,
        "features_seconds": features.seconds,
        "features_peak_gb": features.peak_gb,
        "fit_seconds": float(timings.get("total", np.nan)),
        "train_seconds": train.seconds,
        "train_peak_gb": train.peak_gb,
        "contribution_error": contribution_error(model, raw / "ground_truth.json"),
        "forms": f"{metadata.get('carryover')}+{metadata.get('saturation')}",
    }


def scale_markdown(table: pd.DataFrame) -> str:
    """The table for ``docs/benchmark.md``: seconds and GB per step, contribution error."""
    header = (
        "| series (geos x brands) | `mmm data` s / GB | `mmm features` s / GB | fit + intervals s "
        "| `mmm train` s / GB | contribution error | forms |\n|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.series:,} ({r.geos} x {r.brands}) | {r.data_seconds:.1f} / {r.data_peak_gb:.2f} "
        f"| {r.features_seconds:.1f} / {r.features_peak_gb:.2f} | {r.fit_seconds:.1f} "
        f"| {r.train_seconds:.1f} / {r.train_peak_gb:.2f} | {r.contribution_error:.1%} | {r.forms} |"
        for r in table.itertuples()
    ]
    return header + "\n".join(lines) + "\n"
