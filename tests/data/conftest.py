"""Fixtures for the data step: the small synthetic panel as text, and a CSV writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.data.loader import read_raw_csv
from mmm_analytics.synthetic import SyntheticPanel

type CsvWriter = Callable[[pd.DataFrame, str], Path]


@pytest.fixture()
def write_panel_csv(tmp_path: Path) -> CsvWriter:
    """Write a frame to ``tmp_path/name`` as CSV and return the path."""

    def write(frame: pd.DataFrame, name: str = "panel.csv") -> Path:
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return path

    return write


@pytest.fixture(scope="session")
def small_csv(small_panel: SyntheticPanel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small synthetic panel (2 geos x 2 brands x 1 SKU x 104 weeks) written as CSV."""
    path = tmp_path_factory.mktemp("small") / "small_panel.csv"
    small_panel.frame.to_csv(path, index=False)
    return path


@pytest.fixture()
def raw_small(small_csv: Path) -> pd.DataFrame:
    """The small panel read as text (416 rows, file order: by week, then geo, brand, SKU)."""
    return read_raw_csv(small_csv)
