"""The scale benchmark's parts: per-process time and memory, the table, the CLI's checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.benchmark.scale import COLUMNS, run_step, scale_markdown, scale_row
from mmm_analytics.errors import InputError


def test_run_step_measures_its_own_process(tmp_path: Path) -> None:
    usage = run_step(["--help"], tmp_path / "log.txt")
    assert 0 < usage.seconds < 60
    assert 0.01 < usage.peak_gb < 2  # a Python process with typer loaded: tens of MB
    assert "Usage" in (tmp_path / "log.txt").read_text()


def test_a_failing_step_names_its_log(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="log.txt"):
        run_step(["train", "--data", str(tmp_path / "missing.parquet")], tmp_path / "log.txt")


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="24, 400, 1000, 4000"):
        scale_row(7, tmp_path, tmp_path)


def test_markdown_table_has_one_row_per_size() -> None:
    row = dict.fromkeys(COLUMNS, 1.0) | {"series": 400, "geos": 20, "brands": 20, "forms": "beta_gamma+hill"}
    text = scale_markdown(pd.DataFrame([row, row | {"series": 4000, "geos": 200}]))
    lines = text.strip().splitlines()
    assert len(lines) == 4 and lines[2].startswith("| 400 (20 x 20)") and lines[3].startswith("| 4,000 (200 x 20)")
    assert "100.0%" in lines[2]
