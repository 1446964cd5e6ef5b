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

import csv
import json
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    METADATA_FILE,
    PARAMS_FILE,
    ModelMetadata,
    ResponseParams,
    load_pooled,
    model_digest,
)
from mmm_analytics.utils.io import file_digest
from mmm_analytics.utils.paths import EDA_SOURCE_FILE, FEATURES_META_FILE, ProjectPaths

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
    #: Earlier steps' files left out because they are damaged, one line each: what is wrong
    #: and the command that writes the file again.
    damaged: tuple[str, ...] = ()
    #: The commands that write the damaged files again (``mmm curves``), one each.
    rewrite: frozenset[str] = frozenset()
    #: The response curves of the brand x region the advice covers, when it covers one (the
    #: columns of ``curves``); None for national advice, or when the curves have none of their own.
    plan_curves: pd.DataFrame | None = None
    #: The ``roi_by_segment.csv`` rows (one per channel) of the brand x region the advice covers, when it
    #: covers one; None for national advice, or when the table has no row of its own for it.
    plan_roi: pd.DataFrame | None = None
    #: ``segment_optimization.csv`` of ``mmm simulate``: each brand x region's own advice at its own budget
    #: today; None without it, or when it is an earlier model's.
    segment_plans: pd.DataFrame | None = None
    #: When the EDA report and the model describe different versions of one panel file (:func:`eda_of_other_data`):
    #: the file and which is behind it now (``eda``, ``model`` or ``both``); None when they agree or either is unknown.
    eda_of_other_data: tuple[str, str] | None = None
    #: The level of the media total's interval and the one the page asks for (``intervals.level``).
    level: float = 0.9
    #: The level of the ROI and marginal ROI intervals, as ``mmm curves`` computed them (its
    #: ``curves_summary.json``); ``level`` when this run made them or the file does not say.
    roi_level: float = 0.9

    @property
    def plan_level(self) -> float:
        """The level of the advice's uplift interval, as ``mmm optimize`` computed it (its JSON's
        ``interval_level``); ``level`` when it does not say."""
        return _share((self.allocation or {}).get("interval_level"), self.level)

    @property
    def channels(self) -> list[str]:
        """The model's channel order (the ROI table's when there is no metadata)."""
        if self.metadata is not None:
            return list(self.metadata.channels)
        return [] if self.channel_roi is None else [str(c) for c in self.channel_roi["channel"]]


def media_total(params: ResponseParams, level: float, pooled: tuple[ResponseParams, ...] = ()) -> MediaTotal:
    """Media's total contribution over the data period, with the equal-tailed interval over the draws:
    ``params`` and the ``pooled`` forms weighed equally, as in ``channel_roi.csv``."""
    from mmm_analytics.curves.summary import contribution_draws, point_contribution

    forms = (params, *pooled)
    point = float(point_contribution(forms).sum())
    draws = contribution_draws(forms).sum(axis=(1, 2))
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


def _record(paths: ProjectPaths, step: str) -> Path:
    """The JSON file in which later step ``step`` records the model it was run on (``model_digest``)."""
    match step:
        case "curves":
            from mmm_analytics.curves.pipeline import SUMMARY_FILE

            return paths.reports_dir / SUMMARY_FILE
        case "optimize":
            return paths.simulations_dir / "optimal_allocation.json"
        case "simulate":
            from mmm_analytics.simulator.batch import SUMMARY_FILE as SIMULATION_SUMMARY

            return paths.simulations_dir / SIMULATION_SUMMARY
        case _:
            raise ValueError(f"no later step {step!r}")


def _read_record(paths: ProjectPaths, step: str) -> tuple[dict[str, Any], str | None]:
    """``step``'s record as a JSON object ({} where it is not there or is damaged) and what is wrong with
    it when it is there but is not one (None: nothing): then nobody can tell which model the step's
    files came from."""
    record = _record(paths, step)
    if not record.exists():
        return {}, None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # empty, cut short, not UTF-8, a folder
        return {}, "empty" if record.is_file() and record.stat().st_size == 0 else _unreadable(error)
    return (data, None) if isinstance(data, dict) else ({}, "not a JSON object")


def _record_problems(paths: ProjectPaths) -> dict[str, str | None]:
    """What is wrong with each later step's record (:func:`_read_record`; None: nothing), each read once."""
    return {step: _read_record(paths, step)[1] for step in dict.fromkeys(step for step, _ in EARLIER_RESULTS.values())}


def _unreadable(error: Exception) -> str:
    """Why a file could not be read, in words: the first line of the reader's error."""
    return f"not readable: {str(error).splitlines()[0] if str(error) else type(error).__name__}"


def current_steps(paths: ProjectPaths) -> dict[str, None]:
    """For a summary written apart from a run: ``train`` and each later step whose file (of
    :data:`EARLIER_RESULTS`) was made from the model now in the folder, as :func:`load_inputs`'s
    ``results`` (no objects: the files are read).

    Each later step records the SHA-256 of the ``response_params.npz`` it read; a step whose record
    names another one came from an earlier model. Files of a version that recorded none are judged by
    their time: older than the model's metadata, an earlier model's. Before, every file was judged by
    its time, so a project copied without its file times lost its ROIs, advice and frontier."""
    trained = paths.models_dir / METADATA_FILE
    if not trained.is_file():
        return {}
    model_time = trained.stat().st_mtime
    digest = model_digest(paths.models_dir)

    def made_from_this_model(step: str, file: Path) -> bool:
        record, problem = _read_record(paths, step)
        if problem is not None:  # which model made it is unknown: left out as damaged
            return False
        recorded = record.get("model_digest")  # not there in files of an earlier version
        if isinstance(recorded, str) and recorded and digest:
            return recorded == digest
        return file.stat().st_mtime >= model_time

    current = {
        step
        for name, (step, _) in EARLIER_RESULTS.items()
        if (file := _file(paths, name)).is_file() and made_from_this_model(step, file)
    }
    return dict.fromkeys(["train", *sorted(current)])


def earlier_results(
    paths: ProjectPaths, results: Mapping[str, Any], problems: Mapping[str, str | None]
) -> tuple[str, ...]:
    """What :data:`EARLIER_RESULTS` holds from the model before the one this run (``results``) trained;
    a step whose record is damaged (``problems``, of :func:`_record_problems`) is named by
    :func:`_damaged_records` instead."""
    return tuple(
        words
        for name, (step, words) in EARLIER_RESULTS.items()
        if _earlier(name, results) and _file(paths, name).is_file() and problems[step] is None
    )


def _damaged_records(
    reading: _Reading, paths: ProjectPaths, results: Mapping[str, Any], problems: Mapping[str, str | None]
) -> None:
    """Name in ``reading`` each later step left out because the record of the model it was run on is
    damaged (``problems``, of :func:`_record_problems`), ``optimal_allocation.json`` among them: left out, it
    is never read, so this is where it is named."""
    # Before, a cut-short optimal_allocation.json was skipped here (to be named when read) and never read: the
    # page said "run mmm optimize first" of a file that was there.
    for step, problem in problems.items():
        record = _record(paths, step)
        names = [name for name, (owner, _) in EARLIER_RESULTS.items() if owner == step]
        if not any(_earlier(name, results) for name in names):
            continue
        if problem is not None:
            reading.damage(record, problem, f"mmm {step}")


#: The files the summary reads from disk: the command that writes each, and the columns (a table) or
#: keys (a JSON object) the page reads from it. A file without them is left out as damaged.
READ_FROM_DISK: dict[str, tuple[str, tuple[str, ...]]] = {
    "channel_roi.csv": (
        "mmm curves",
        ("channel", "roi", "roi_lower", "roi_upper", "spend", "contribution", "mroi_lower", "mroi_upper"),
    ),
    "roi_curves.parquet": ("mmm curves", ("brand", "region", "channel", "spend", "response")),
    "roi_by_segment.csv": ("mmm curves", ("brand", "region", "channel", "mroi", "mroi_lower", "mroi_upper")),
    "optimal_allocation.json": (
        "mmm optimize",
        (
            "weekly_budget",
            "current_incremental_sales",
            "expected_incremental_sales",
            "allocation",
            "current_allocation",
        ),
    ),
    "efficiency_frontier.csv": (
        "mmm simulate",
        ("weekly_budget", "budget_multiple", "optimal_incremental_sales", "current_mix_incremental_sales"),
    ),
    "segment_optimization.csv": (
        "mmm simulate",
        ("brand", "region", "weekly_budget", "current_incremental_sales", "optimal_incremental_sales"),
    ),
    "decomposition.csv": ("mmm train", ("date", "actual", "predicted")),
    "model_metrics.json": ("mmm train", ()),
}
_NUMBER_KEYS = ("weekly_budget", "current_incremental_sales", "expected_incremental_sales")
#: The columns of :data:`READ_FROM_DISK` that hold names or dates; the others hold numbers.
_TEXT_COLUMNS = frozenset({"channel", "brand", "region", "date"})


def _read(path: Path) -> Any:
    """The table or JSON object in ``path`` (by its suffix); raises what the reader raises."""
    match path.suffix:
        case ".csv":
            frame = pd.read_csv(path)
            # Names as written: a channel or brand called NA, null or 01 is not a missing value or the number 1.
            names = pd.read_csv(path, usecols=lambda c: c in _TEXT_COLUMNS, dtype=str, keep_default_na=False)
            return frame.assign(**{column: names[column] for column in names.columns})
        case ".parquet":
            return pd.read_parquet(path)
        case _:
            return json.loads(path.read_text(encoding="utf-8"))


def _content_problem(name: str, data: Any) -> str | None:
    """What the file ``name`` (of :data:`READ_FROM_DISK`) read as ``data`` lacks for the page, in words."""
    wanted = READ_FROM_DISK[name][1]
    if isinstance(data, pd.DataFrame):
        missing = [column for column in wanted if column not in data.columns]
        if missing:
            return f"no column '{missing[0]}'"
        for column in (c for c in wanted if c not in _TEXT_COLUMNS and not data.empty):
            if not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(data[column]):
                values = data[column]
                unread = values[pd.to_numeric(values, errors="coerce").isna() & values.notna()]
                example = (unread if len(unread) else values).iloc[0]
                return f"column '{column}' holds {example!r}, not a number"
        return None
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    if missing := [key for key in wanted if key not in data]:
        return f"no key '{missing[0]}'"
    for key in (k for k in _NUMBER_KEYS if k in wanted):
        if isinstance(data[key], bool) or not isinstance(data[key], int | float):
            return f"key '{key}' is {data[key]!r}, not a number"
    for key in ("allocation", "current_allocation"):
        if key in wanted and not isinstance(data[key], dict):
            return f"key '{key}' is not an object"
        for channel, value in data[key].items() if key in wanted else ():
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                return f"key '{key}' has {value!r} for {channel}, not a number"
    holdout = data.get("holdout") if name == "model_metrics.json" else None
    if holdout is None:
        return None
    if not (isinstance(holdout, dict) and isinstance(holdout.get("overall"), dict) and "wmape" in holdout["overall"]):
        return "key 'holdout' lacks the overall wMAPE"
    wmape = holdout["overall"]["wmape"]  # null: not available (the holdout's sales are all 0)
    if wmape is not None and (
        isinstance(wmape, bool) or not isinstance(wmape, int | float) or not math.isfinite(wmape)
    ):
        return f"the overall holdout wMAPE is {wmape!r}, not a number"
    return None


def _short_row(path: Path) -> str | None:
    """What is wrong when the CSV ``path`` ends inside a row (a copy or a write that stopped part way):
    its last row has fewer fields than its header. A file saved again by a spreadsheet, with or without
    a final line break, passes."""
    with path.open(encoding="utf-8", errors="replace", newline="") as file:
        rows = (row for row in csv.reader(file) if row)
        header = next(rows, None)
        tail = deque(rows, maxlen=1)  # the last row (none in a file of the header alone)
    last = tail[0] if tail else None
    if header is None or last is None or len(last) >= len(header):
        return None
    return f"cut short: its last row has {len(last)} of its {len(header)} columns"


def _checked(path: Path) -> tuple[Any, str | None]:
    """The content of the earlier step's file ``path`` and what is wrong with it for the page (None: nothing)."""
    try:
        if path.suffix == ".csv" and (short := _short_row(path)) is not None:
            return None, short
        data = _read(path)
    except pd.errors.EmptyDataError:
        return None, "empty"
    except (ValueError, UnicodeDecodeError, OSError, csv.Error, pd.errors.ParserError) as error:  # JSON, Arrow, CSV
        return None, _unreadable(error)
    return data, _content_problem(path.name, data)


@dataclass(slots=True)
class _Reading:
    """The earlier steps' files as one summary reads them: each file once, the damaged ones left out and
    named in ``damaged`` (one line each, in the order read), with the commands that write them again in
    ``rewrite``."""

    damaged: list[str] = field(default_factory=list)
    rewrite: set[str] = field(default_factory=set)

    def damage(self, path: Path, problem: str, command: str | None = None) -> None:
        """Name the damaged file ``path``, what is wrong and the command that writes it again (by default
        the one :data:`READ_FROM_DISK` names for it)."""
        command = command or READ_FROM_DISK[path.name][0]
        self.left_out(f"'{path}' is damaged ({problem}); run '{command}' again to rewrite it", command)

    def left_out(self, line: str, command: str) -> None:
        """Name a damaged file in ``line`` (its own words), and ``command``, which writes it again."""
        self.damaged.append(line)
        self.rewrite.add(command)

    def content(self, path: Path | None) -> Any:
        """What ``path`` holds when it is there and holds what the page reads, else None."""
        if path is None or not path.is_file():
            return None
        data, problem = _checked(path)
        if problem is not None:
            self.damage(path, problem)
            return None
        return data

    def table(self, path: Path | None) -> pd.DataFrame | None:
        frame = self.content(path)
        return frame if isinstance(frame, pd.DataFrame) else None

    def json(self, path: Path | None) -> dict[str, Any] | None:
        data = self.content(path)
        return data if isinstance(data, dict) else None


def _curves(reading: _Reading, paths: ProjectPaths, results: Mapping[str, Any]) -> pd.DataFrame | None:
    """Every response curve (national and per brand x region): this run's curves step's, else the file's."""
    result = results.get("curves")
    if result is not None:
        return cast("pd.DataFrame", result.curves.to_frame())
    return reading.table(_current(paths, "roi_curves.parquet", results))


def _of(table: pd.DataFrame, brand: str, region: str) -> pd.DataFrame:
    """The rows of ``table`` (curves or ROI rows, with ``brand`` and ``region`` columns) of ``brand`` x ``region``."""
    rows = table[(table["brand"].astype(str) == brand) & (table["region"].astype(str) == region)]
    return rows.reset_index(drop=True)


def plan_segment(allocation: Mapping[str, Any] | None) -> tuple[str, str]:
    """The brand and region an advice covers (``all`` for every one, and for a file that does not say)."""
    return str((allocation or {}).get("brand", NATIONAL)), str((allocation or {}).get("region", NATIONAL))


def _plan_curves(curves: pd.DataFrame | None, allocation: Mapping[str, Any] | None) -> pd.DataFrame | None:
    """The curves of the brand x region ``allocation`` covers; None when it is national or there is none, or
    when the curves have no rows of it (a brand across regions has no curve of its own) or more than one
    curve of a channel there (at SKU granularity, one per SKU)."""
    brand, region = plan_segment(allocation)
    if curves is None or (brand, region) == (NATIONAL, NATIONAL):
        return None
    rows = _of(curves, brand, region)
    return None if rows.empty or ("sku" in rows and rows["sku"].nunique() > 1) else rows


def _plan_roi(
    reading: _Reading, paths: ProjectPaths, results: Mapping[str, Any], allocation: Mapping[str, Any] | None
) -> pd.DataFrame | None:
    """The ROI rows of the brand x region ``allocation`` covers (of this run's curves step, else
    ``roi_by_segment.csv`` unless an earlier model made the ROIs); None when the advice is national, or the
    table has no row of it or more than one of a channel there (at SKU granularity, one per SKU)."""
    brand, region = plan_segment(allocation)
    if allocation is None or (brand, region) == (NATIONAL, NATIONAL):
        return None
    result = results.get("curves")
    if result is not None:
        table = result.roi_by_segment
    else:
        file = paths.reports_dir / "roi_by_segment.csv"
        table = reading.table(file if file.is_file() and not _earlier("channel_roi.csv", results) else None)
    if table is None:
        return None
    rows = _of(table, brand, region)
    return None if rows.empty or rows["channel"].duplicated().any() else rows


def _channel_roi(
    reading: _Reading, paths: ProjectPaths, results: Mapping[str, Any], channels: tuple[str, ...]
) -> pd.DataFrame | None:
    """The ROI per channel: of this run's curves step, else ``channel_roi.csv`` unless an earlier model made
    it; a file without a row for each of the model's ``channels`` is left out as damaged."""
    result = results.get("curves")
    if result is not None:
        return result.channel_roi
    path = _current(paths, "channel_roi.csv", results)
    frame = reading.table(path)
    missing = [] if frame is None else [c for c in channels if c not in set(frame["channel"].astype(str))]
    if path is not None and missing:
        problem = f"no row for {missing[0]}: {len(missing)} of the model's {len(channels)} channels are missing"
        reading.damage(path, problem)
        return None
    return frame


def _allocation(reading: _Reading, paths: ProjectPaths, results: Mapping[str, Any]) -> dict[str, Any] | None:
    """This run's optimum as the JSON dict, with its uncertainty keys when the object has them; else
    ``optimal_allocation.json`` unless an earlier model made it."""
    result = results.get("optimize")
    if result is None:
        return reading.json(_current(paths, "optimal_allocation.json", results))
    found: dict[str, Any] = dict(result.to_json_dict())
    for key in UNCERTAINTY_KEYS:
        if key not in found and getattr(result, key, None) is not None:
            found[key] = getattr(result, key)
    return found


def _pooled(
    reading: _Reading, models: Path, params: ResponseParams, metadata: ModelMetadata
) -> tuple[ResponseParams, ...]:
    """The pooled form the metadata names (none when none is); a damaged or missing one is left out and
    named, and the media total and interval are then the chosen form's alone."""
    try:
        return load_pooled(models, params, metadata.pooled_saturations)
    except InputError as error:
        reading.left_out(str(error), "mmm train")
        return ()


def eda_of_other_data(paths: ProjectPaths) -> tuple[str, str] | None:
    """When the EDA report and the model in ``paths`` were made from different versions of one panel file
    (``mmm eda`` and ``mmm features`` record its path and digest): that file and which of the two is behind the
    file as it is now, ``eda``, ``model`` or ``both``. None when they agree, when they read different files (a
    CSV and its cleaned panel), or when either step recorded none (an earlier version) or cannot be read."""
    from mmm_analytics.features.store import source_in

    eda, trained = source_in(paths.eda_tables / EDA_SOURCE_FILE), source_in(paths.models_dir / FEATURES_META_FILE)
    if eda is None or trained is None or eda[0].resolve() != trained[0].resolve() or eda[1] == trained[1]:
        return None
    try:
        now = file_digest(eda[0]) if eda[0].is_file() else ""
    except OSError:
        now = ""
    behind = "model" if now == eda[1] else "eda" if now == trained[1] else "both"
    return str(eda[0]), behind


def load_inputs(paths: ProjectPaths, results: Mapping[str, Any] | None = None, level: float = 0.9) -> SummaryInputs:
    """Read what the earlier steps left; ``results`` (step name -> result of this run) wins over the files,
    and where this run trained, a later step's file it did not rewrite is left out (``stale``); ``level`` is
    ``intervals.level``, the media total's level; the ROIs' and the advice's are the levels their steps
    recorded (the same unless the config changed since)."""
    results = results or {}
    models = paths.models_dir
    metadata = ModelMetadata.load(models) if (models / METADATA_FILE).is_file() else None
    params = ResponseParams.load(models) if (models / PARAMS_FILE).is_file() else None
    reading = _Reading()
    problems = _record_problems(paths)
    pooled = () if metadata is None or params is None else _pooled(reading, models, params, metadata)
    roi = _channel_roi(reading, paths, results, () if params is None else tuple(params.channels))
    curves, allocation = _curves(reading, paths, results), _allocation(reading, paths, results)
    frontier = reading.table(_current(paths, "efficiency_frontier.csv", results))
    segments = paths.simulations_dir / "segment_optimization.csv"  # of the step that writes the frontier
    segment_plans = reading.table(
        segments if segments.is_file() and not _earlier("efficiency_frontier.csv", results) else None
    )
    decomposition = reading.table(paths.reports_dir / "decomposition.csv")
    metrics = reading.json(paths.reports_dir / "model_metrics.json")
    plan_roi = _plan_roi(reading, paths, results, allocation)
    _damaged_records(reading, paths, results, problems)
    return SummaryInputs(
        metadata=metadata,
        cpm={} if params is None else dict(params.cpm_by_channel),
        media=None if params is None or params.n_draws < 2 else media_total(params, level, pooled),
        channel_roi=roi,
        curves=None if curves is None else _of(curves, NATIONAL, NATIONAL),
        allocation=allocation,
        frontier=frontier,
        decomposition=decomposition,
        metrics=metrics,
        stale=earlier_results(paths, results, problems),
        damaged=tuple(reading.damaged),
        rewrite=frozenset(reading.rewrite),
        plan_curves=_plan_curves(curves, allocation),
        plan_roi=plan_roi,
        segment_plans=segment_plans,
        eda_of_other_data=eda_of_other_data(paths),
        level=level,
        roi_level=level if "curves" in results else _curves_level(paths, level),
    )


def _share(value: object, default: float) -> float:
    """``value`` when it is a share strictly between 0 and 1 (an interval level), else ``default``."""
    return float(value) if isinstance(value, int | float) and 0.0 < float(value) < 1.0 else default


def _curves_level(paths: ProjectPaths, default: float) -> float:
    """The interval level ``mmm curves`` recorded in its summary (a file of an earlier version, or one that
    cannot be read, says none: ``default``)."""
    interval = _read_record(paths, "curves")[0].get("interval")
    return _share(interval.get("level") if isinstance(interval, dict) else None, default)
