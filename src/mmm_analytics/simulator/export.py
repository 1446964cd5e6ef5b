"""Exports: every simulator result as CSV and JSON, each file carrying its provenance.

A CSV starts with ``# key: <JSON value>`` lines (model path, data date range, CPMs, budget
semantics, ...) followed by the table; :func:`read_csv_export` reads both back. A JSON
export is ``{"metadata": {...}, "rows": [...]}`` plus the result's own fields; it is strict
JSON, an empty table cell written as ``null``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics import __version__
from mmm_analytics.simulator.defaults import BUDGET_SEMANTICS
from mmm_analytics.simulator.engine import MarketingSimulator, SimulationResult
from mmm_analytics.simulator.optimizer import OptimizationResult
from mmm_analytics.utils.io import json_ready, write_json, write_text

type Result = SimulationResult | OptimizationResult | pd.DataFrame


def provenance(simulator: MarketingSimulator) -> dict[str, Any]:
    """What a reader needs to interpret a simulator number."""
    return {
        "model_path": str(simulator.model_path) if simulator.model_path else None,
        "data_date_range": list(simulator.metadata.date_range),
        "cpm_inr_per_1000_exposures": simulator.params.cpm_by_channel,
        "currency": "INR",
        "budget_semantics": BUDGET_SEMANTICS,
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


def _fields(result: Result) -> dict[str, Any]:
    match result:
        case pd.DataFrame():
            return {}
        case SimulationResult():
            return {"result": result.to_dict()}
        case OptimizationResult():
            return {"result": result.summary()}
        case _:
            raise TypeError(f"cannot export {type(result).__name__}")


def write_csv_export(path: str | Path, table: pd.DataFrame, metadata: dict[str, Any]) -> Path:
    """CSV with ``# key: value`` provenance lines above the header."""
    header = "".join(
        f"# {key}: {json.dumps(json_ready(value), default=str, allow_nan=False)}\n" for key, value in metadata.items()
    )
    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    return write_text(path, header + buffer.getvalue())


def read_csv_export(path: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read a CSV written by :func:`write_csv_export`: (provenance, table)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    metadata: dict[str, Any] = {}
    count = 0
    for line in lines:
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        metadata[key] = json.loads(value)
        count += 1
    return metadata, pd.read_csv(io.StringIO("".join(lines[count:])))


def export_result(result: Result, name: str, folder: str | Path, simulator: MarketingSimulator) -> list[Path]:
    """Write ``<folder>/<name>.csv`` and ``<folder>/<name>.json``; returns both paths."""
    folder = Path(folder)
    metadata = {"result_name": name, **provenance(simulator)}
    table = as_table(result)
    csv_path = write_csv_export(folder / f"{name}.csv", table, metadata)
    rows = json_ready(table.to_dict(orient="records"), nulls=True)  # an empty cell of a table is "not available"
    payload = {"metadata": metadata, **_fields(result), "rows": rows}
    json_path = write_json(folder / f"{name}.json", payload)
    return [csv_path, json_path]
