"""Exports of the interactive simulator: a plain CSV and, beside it, a JSON file with its metadata.

File names carry the result, brand, region and the local time of the export, e.g.
``simulation_BrandA_EAST_20250131-142501.csv``; an existing file is never overwritten (a
``_2``, ``_3``, ... suffix is added instead). The files follow the rule of every export
(:func:`mmm_analytics.simulator.export.write_export`): the CSV is the table alone (a header row, no
comment lines, a text cell that starts like a spreadsheet formula written with a leading ``'``),
readable by any spreadsheet and by ``pandas.read_csv``; ``<same name>.json`` holds the provenance
(model path, data date range, CPMs, budget semantics, ..., the brand and region), the result's own
fields and the same rows, as strict JSON. :func:`mmm_analytics.simulator.export.read_csv_export`
reads both back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.export import Result, as_table, provenance, result_fields, write_export
from mmm_analytics.utils.file_names import file_name_part

STAMP_FORMAT = "%Y%m%d-%H%M%S"
#: Copies tried before giving up on a free name (one export per second per name is the usual pace).
MAX_COPIES = 1000


def export_stem(name: str, brand: str, region: str, when: dt.datetime) -> str:
    """``<name>_<brand>_<region>_<YYYYmmdd-HHMMSS>``, each part made safe for a file name (and short
    enough: a region of 300 characters made every export of it fail)."""
    return "_".join([file_name_part(name), file_name_part(brand), file_name_part(region), when.strftime(STAMP_FORMAT)])


def free_stem(folder: Path, stem: str) -> str:
    """``stem``, or ``stem_2``, ``stem_3``, ...: the first whose CSV and JSON do not exist in ``folder``."""
    for copy in range(1, MAX_COPIES + 1):
        candidate = stem if copy == 1 else f"{stem}_{copy}"
        if not (folder / f"{candidate}.csv").exists() and not (folder / f"{candidate}.json").exists():
            return candidate
    raise FileExistsError(f"{folder / stem}.csv and {MAX_COPIES - 1} numbered copies exist")


def export_session_result(
    result: Result,
    name: str,
    brand: str,
    region: str,
    folder: str | Path,
    simulator: MarketingSimulator,
    when: dt.datetime | None = None,
) -> list[Path]:
    """Write ``<stem>.csv`` (the table) and ``<stem>.json`` (metadata, result, rows) into ``folder``.

    Parameters
    ----------
    result : SimulationResult, OptimizationResult or DataFrame
        What to export; its table is :func:`mmm_analytics.simulator.export.as_table`.
    name : str
        The kind of result (``simulation``, ``optimization``, ``scenario_comparison``, ...).
    brand, region : str
        The selection the result is for (``all``, or ``mixed`` for a comparison across several).
    when : datetime, optional
        The time in the file names (default: now, local time).

    Returns
    -------
    list of Path
        The CSV and the JSON written; neither replaced an existing file.
    """
    target = Path(folder)
    stem = free_stem(target, export_stem(name, brand, region, when or dt.datetime.now()))
    metadata = {"result_name": name, "brand": brand, "region": region, **provenance(simulator)}
    return write_export(target, stem, as_table(result), metadata, result_fields(result))
