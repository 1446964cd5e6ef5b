"""Exports: every simulator result as a plain CSV and, beside it, a JSON file with its provenance.

``<name>.csv`` is the table alone: a header row, then the rows, no comment lines, so pandas, Excel
and any other CSV reader read it as is. A text cell or header a spreadsheet would run as a formula
(one starting with ``=``, ``+``, ``-`` or ``@``) is written with a leading ``'``, as text.
``<name>.json`` beside it (same name) is ``{"metadata": {...}, ..., "rows": [...]}``: the
provenance (model path, data date range, CPMs, budget semantics, ..., the CSV's file name and its
columns), the result's own fields and the same rows as they are, in strict JSON (an empty table
cell written as ``null``). Every export follows this rule: ``mmm simulate --export`` through
:func:`export_result` and the interactive menu's exports
(:mod:`mmm_analytics.simulator.session_export`), both through :func:`write_export`.

:func:`read_csv_export` reads a CSV back with the metadata of its JSON, and also a CSV exported by
an earlier version, which carried the provenance in ``# key: <JSON value>`` lines above the header.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics import __version__
from mmm_analytics.errors import InputError
from mmm_analytics.simulator.defaults import budget_semantics
from mmm_analytics.simulator.engine import MarketingSimulator, SimulationResult
from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.utils.io import json_ready, to_json, write_csv, write_text

type Result = SimulationResult | OptimizationResult | pd.DataFrame

#: How a line of provenance above the header of a CSV exported by an earlier version starts.
OLD_METADATA_PREFIX = "# "


def provenance(simulator: MarketingSimulator) -> dict[str, Any]:
    """What a reader needs to interpret a simulator number."""
    return {
        "model_path": str(simulator.model_path) if simulator.model_path else None,
        "data_date_range": list(simulator.metadata.date_range),
        "cpm_inr_per_1000_exposures": simulator.params.cpm_by_channel,
        "currency": "INR",
        "budget_semantics": budget_semantics(simulator.settings.horizon_weeks),
        "horizon_weeks": simulator.settings.horizon_weeks,
        "interval_level": simulator.interval_level,
        "saturation": simulator.params.saturation,
        "pooled_saturation": [p.saturation for p in simulator.pooled],
        "mmm_analytics_version": __version__,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def as_table(result: Result) -> pd.DataFrame:
    """The tabular view of a result: channel rows for a simulation, cell rows for an optimisation."""
    match result:
        case pd.DataFrame():
            return result
        case SimulationResult():
            return pd.DataFrame(
                {
                    "brand": result.brand,
                    "region": result.region,
                    "channel": list(result.spend),
                    "spend": list(result.spend.values()),
                    "contribution": [result.channel_contributions[c] for c in result.spend],
                }
            )
        case OptimizationResult():
            return result.cells
        case _:
            raise TypeError(f"cannot export {type(result).__name__}")


def result_fields(result: Result) -> dict[str, Any]:
    """The result's own fields for its JSON export (none for a plain table)."""
    match result:
        case pd.DataFrame():
            return {}
        case SimulationResult():
            return {"result": result.to_dict()}
        case OptimizationResult():
            return {"result": result.summary()}
        case _:
            raise TypeError(f"cannot export {type(result).__name__}")


def json_path_of(csv_path: str | Path) -> Path:
    """The JSON export beside a CSV export: the same name, ending ``.json``."""
    return Path(csv_path).with_suffix(".json")


def write_export(
    folder: str | Path, stem: str, table: pd.DataFrame, metadata: dict[str, Any], fields: dict[str, Any]
) -> list[Path]:
    """Write ``<folder>/<stem>.csv`` (the table alone) and ``<folder>/<stem>.json`` (``metadata``, with the
    CSV's name and columns added, then ``fields`` and the rows); returns both paths.

    The JSON text is made first: a value strict JSON cannot hold stops the export before either
    file is written (a CSV is never left without its metadata)."""
    folder = Path(folder)
    csv_path = folder / f"{stem}.csv"
    metadata = {**metadata, "csv_file": csv_path.name, "columns": [str(column) for column in table.columns]}
    rows = json_ready(table.to_dict(orient="records"), nulls=True)  # an empty cell of a table is "not available"
    text = to_json({"metadata": metadata, **fields, "rows": rows}) + "\n"
    write_csv(csv_path, table, for_spreadsheets=True)
    return [csv_path, write_text(json_path_of(csv_path), text)]


def read_csv_export(path: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read a CSV export back: (provenance, table).

    The provenance is the ``metadata`` of the JSON beside the CSV (``{}`` for a CSV copied without
    it); a CSV exported by an earlier version carries it in ``# key: <JSON value>`` lines above its
    header, read from there. A text cell written with a leading ``'`` (see the module's docstring)
    is read as written; the JSON's rows hold the values as they are."""
    path = Path(path)
    with path.open(encoding="utf-8") as file:
        old_layout = file.readline().startswith(OLD_METADATA_PREFIX)
    if old_layout:
        return _read_old_layout(path)
    table = pd.read_csv(path)
    sibling = json_path_of(path)
    if not sibling.is_file():
        return {}, table
    try:
        metadata = json.loads(sibling.read_text(encoding="utf-8"))["metadata"]
    except (ValueError, KeyError, TypeError) as err:  # not JSON, or no metadata in it
        raise InputError(f"'{sibling}' holds no export metadata ({err}); export the result again") from err
    if not isinstance(metadata, dict):
        raise InputError(f"'{sibling}' holds no export metadata (not a JSON object); export the result again")
    return metadata, table


def _read_old_layout(path: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """A CSV of an earlier version: ``# key: <JSON value>`` lines, then the table."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    metadata: dict[str, Any] = {}
    count = 0
    for line in lines:
        if not line.startswith(OLD_METADATA_PREFIX):
            break
        key, _, value = line[len(OLD_METADATA_PREFIX) :].partition(": ")
        metadata[key] = json.loads(value)
        count += 1
    return metadata, pd.read_csv(io.StringIO("".join(lines[count:])))


def export_result(result: Result, name: str, folder: str | Path, simulator: MarketingSimulator) -> list[Path]:
    """Write ``<folder>/<name>.csv`` and ``<folder>/<name>.json`` (see :func:`write_export`); returns both paths."""
    metadata = {"result_name": name, **provenance(simulator)}
    return write_export(folder, name, as_table(result), metadata, result_fields(result))
