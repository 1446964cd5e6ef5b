"""Fixtures for the EDA tests: a small cleaned panel (2 geos x 2 brands x 2 SKUs x 104 weeks) and fast settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.eda import EdaResult, run_eda
from mmm_analytics.eda.prepare import PanelView, QualityInputs, build_view
from mmm_analytics.synthetic import generate_panel

TABLE = Channels.default()
CHANNELS: dict[str, str] = TABLE.exposure_columns
CPMS: dict[str, float] = dict(zip(TABLE.names, TABLE.cpm))
#: Small, low-resolution figures keep the suite fast.
FAST_VIZ = VizConfig(dpi=50, figure_width=6.4, figure_height=3.6, max_workers=2)

type Runner = Callable[[pd.DataFrame, str], EdaResult]


def as_clean_panel(frame: pd.DataFrame) -> pd.DataFrame:
    """A generated frame in the cleaned-panel contract: datetime dates, boolean outlier_flag, sorted."""
    out = frame.assign(Date=pd.to_datetime(frame["Date"], format="%m/%d/%Y"), outlier_flag=False)
    return out.sort_values(["Geo", "Brand", "SKU", "Date"], ignore_index=True)


@pytest.fixture(scope="session")
def eda_panel() -> pd.DataFrame:
    """832 rows: 2 geos x 2 brands x 2 SKUs x 104 weeks (two full years, so STL runs), seed 11."""
    frame = generate_panel(SyntheticSettings(seed=11, n_geos=2, n_brands=2, n_skus=2, n_weeks=104)).frame
    return as_clean_panel(frame)


@pytest.fixture()
def panel(eda_panel: pd.DataFrame) -> pd.DataFrame:
    """A copy of the small panel that a test may change."""
    return eda_panel.copy()


@pytest.fixture(scope="session")
def view(eda_panel: pd.DataFrame) -> PanelView:
    return build_view(eda_panel, TABLE)


@pytest.fixture(scope="session")
def channels() -> dict[str, str]:
    """Channel name -> exposure column of the default configuration."""
    return dict(CHANNELS)


@pytest.fixture(scope="session")
def cpms() -> dict[str, float]:
    """Channel name -> INR per 1000 exposures of the default configuration."""
    return dict(CPMS)


@pytest.fixture(scope="session")
def table() -> Channels:
    """The default channel table."""
    return TABLE


@pytest.fixture(scope="session")
def fast_viz() -> VizConfig:
    return FAST_VIZ


@pytest.fixture(scope="session")
def make_view() -> Callable[..., PanelView]:
    """Build a view of a (changed) frame with the default channels and CPMs."""

    def make(frame: pd.DataFrame, quality: QualityInputs | None = None) -> PanelView:
        return build_view(frame, TABLE, quality)

    return make


@pytest.fixture()
def run_small(tmp_path: Path) -> Runner:
    """Run the whole EDA on a frame into ``tmp_path/<name>`` with the fast settings."""

    def run(frame: pd.DataFrame, name: str = "run") -> EdaResult:
        root = tmp_path / name
        return run_eda(frame, root / "figures", root / "tables", root / "eda_report.html", FAST_VIZ, TABLE, None)

    return run


@pytest.fixture(scope="session")
def eda_run(eda_panel: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> EdaResult:
    """One full EDA run on the small panel, shared by the pipeline, report and browser tests."""
    root = tmp_path_factory.mktemp("eda")
    quality = QualityInputs(report={"imputation": {"cells": {"Sales_Value": 3}}, "outliers": {"flagged_rows": 2}})
    return run_eda(eda_panel, root / "figures", root / "tables", root / "eda_report.html", FAST_VIZ, TABLE, quality)
