"""What the summary page reads: the outputs of the earlier steps, from their result objects or from disk.

Every piece is optional: a run that stopped after training has no curves and no
optimisation, and the summary says what is missing instead of failing. Files read (under
the project layout of :class:`~mmm_analytics.utils.paths.ProjectPaths`):

- ``outputs/models/metadata.json`` and ``response_params.npz``: data period, model form,
  CPMs and the parameter draws (for the interval of media's total contribution);
- ``outputs/reports/channel_roi.csv``, ``roi_curves.parquet``, ``decomposition.csv``,
  ``model_metrics.json``;
- ``outputs/simulations/optimal_allocation.json`` and ``efficiency_frontier.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmm_analytics.response.artifacts import METADATA_FILE, PARAMS_FILE, ModelMetadata, ResponseParams
from mmm_analytics.utils.paths import ProjectPaths

#: Keys of the optimiser result that carry the uplift's uncertainty (when the optimiser gives them).
UNCERTAINTY_KEYS: tuple[str, ...] = ("uplift_lower", "uplift_upper", "prob_beats_current")
NATIONAL = "all"


@dataclass(frozen=True, slots=True)
class MediaTotal:
    """Media's incremental sales over the data period (INR) and its ROI, each with an interval."""

    contribution: float
    lower: float
    upper: float
    spend: float
    level: float

    @property
    def roi(self) -> float:
        return self.contribution / self.spend if self.spend > 0 else float("nan")

    @property
    def roi_lower(self) -> float:
        return self.lower / self.spend if self.spend > 0 else float("nan")

    @property
    def roi_upper(self) -> float:
        return self.upper / self.spend if self.spend > 0 else float("nan")


@dataclass(frozen=True, slots=True)
class SummaryInputs:
    """Everything the summary shows; None where the step that makes it has not run."""

    metadata: ModelMetadata | None
    cpm: dict[str, float]
    media: MediaTotal | None
    channel_roi: pd.DataFrame | None
    curves: pd.DataFrame | None
    allocation: dict[str, Any] | None
    frontier: pd.DataFrame | None
    decomposition: pd.DataFrame | None
    metrics: dict[str, Any] | None
    #: What was left out because an earlier model made it (the words of :data:`EARLIER_RESULTS`).
    stale: tuple[str, ...] = ()

    @property
    def channels(self) -> list[str]:
        """The model's channel order (the ROI table's when there is no metadata)."""
        if self.metadata is not None:
            return list(self.metadata.channels)
        return [] if self.channel_roi is None else [str(c) for c in self.channel_roi["channel"]]


def media_total(params: ResponseParams, level: float) -> MediaTotal:
    """Media's total contribution over the data period, with the equal-tailed interval over the draws."""
    from mmm_analytics.curves.summary import total_contribution

    point = float(total_contribution(params).sum())
    draws = np.array([total_contribution(params, d).sum() for d in range(params.n_draws)])
    low, high = np.quantile(draws, [(1.0 - level) / 2.0, (1.0 + level) / 2.0]) if draws.size else (point, point)
    return MediaTotal(point, float(low), float(high), float(params.spend.sum()), level)


#: The later steps' files the summary reads, each with the step that writes it and what it is.
EARLIER_RESULTS: dict[str, tuple[str, str]] = {
    "channel_roi.csv": ("curves", "the ROIs (mmm curves)"),
    "roi_curves.parquet": ("curves", "the response curves (mmm curves)"),
    "optimal_allocation.json": ("optimize", "the advice (mmm optimize)"),
    "efficiency_frontier.csv": ("simulate", "the budget frontier (mmm simulate)"),
}


def _file(paths: ProjectPaths, name: str) -> Path:
    """Where the later step's file ``name`` (of :data:`EARLIER_RESULTS`) is written."""
    folder = paths.reports_dir if EARLIER_RESULTS[name][0] == "curves" else paths.simulations_dir
    return folder / name


def _earlier(name: str, results: Mapping[str, Any]) -> bool:
    """Whether the later step's file ``name`` is the model before this run's: a run that trained
    (``results`` holds ``train``) but left out the step that writes it has only the earlier model's."""
    return "train" in results and EARLIER_RESULTS[name][0] not in results


def _current(paths: ProjectPaths, name: str, results: Mapping[str, Any]) -> Path | None:
    """The later step's file ``name`` when it is there and not an earlier model's."""
    file = _file(paths, name)
    return file if file.is_file() and not _earlier(name, results) else None


def earlier_results(paths: ProjectPaths, results: Mapping[str, Any]) -> tuple[str, ...]:
    """What :data:`EARLIER_RESULTS` holds from the model before the one this run (``results``) trained."""
    return tuple(
        words
        for name, (_, words) in EARLIER_RESULTS.items()
        if _earlier(name, results) and _file(paths, name).is_file()
    )


def _csv(path: Path | None) -> pd.DataFrame | None:
    return pd.read_csv(path) if path is not None and path.is_file() else None


def _json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def _national_curves(paths: ProjectPaths, results: Mapping[str, Any]) -> pd.DataFrame | None:
    result = results.get("curves")
    if result is not None:
        frame = result.curves.to_frame()
    elif (file := _current(paths, "roi_curves.parquet", results)) is not None:
        frame = pd.read_parquet(file)
    else:
        return None
    national = (frame["brand"] == NATIONAL) & (frame["region"] == NATIONAL)
    return frame.loc[national].reset_index(drop=True)


def channel_roi(paths: ProjectPaths, results: Mapping[str, Any]) -> pd.DataFrame | None:
    """The ROI per channel: of this run's curves step, else ``channel_roi.csv`` unless an earlier model made it."""
    result = results.get("curves")
    return result.channel_roi if result is not None else _csv(_current(paths, "channel_roi.csv", results))


def allocation(paths: ProjectPaths, results: Mapping[str, Any]) -> dict[str, Any] | None:
    """This run's optimum as the JSON dict, with its uncertainty keys when the object has them; else
    ``optimal_allocation.json`` unless an earlier model made it."""
    result = results.get("optimize")
    if result is None:
        file = _current(paths, "optimal_allocation.json", results)
        return None if file is None else _json(file)
    found: dict[str, Any] = dict(result.to_json_dict())
    for key in UNCERTAINTY_KEYS:
        if key not in found and getattr(result, key, None) is not None:
            found[key] = getattr(result, key)
    return found


def load_inputs(paths: ProjectPaths, results: Mapping[str, Any] | None = None, level: float = 0.9) -> SummaryInputs:
    """Read what the earlier steps left; ``results`` (step name -> result of this run) wins over the files,
    and where this run trained, a later step's file it did not rewrite is left out (``stale``)."""
    results = results or {}
    models = paths.models_dir
    metadata = ModelMetadata.load(models) if (models / METADATA_FILE).is_file() else None
    params = ResponseParams.load(models) if (models / PARAMS_FILE).is_file() else None
    interval = metadata.interval_level if metadata is not None else level
    return SummaryInputs(
        metadata=metadata,
        cpm={} if params is None else dict(params.cpm_by_channel),
        media=None if params is None or params.n_draws < 2 else media_total(params, interval),
        channel_roi=channel_roi(paths, results),
        curves=_national_curves(paths, results),
        allocation=allocation(paths, results),
        frontier=_csv(_current(paths, "efficiency_frontier.csv", results)),
        decomposition=_csv(paths.reports_dir / "decomposition.csv"),
        metrics=_json(paths.reports_dir / "model_metrics.json"),
        stale=earlier_results(paths, results),
    )
