"""Shared fixtures: small synthetic panels and the published-format fixture."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("MPLBACKEND", "Agg")

import pandas as pd
import pytest

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.synthetic import SyntheticPanel, generate_panel

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kaggle_head_path() -> Path:
    """The first 18 rows of the published Kaggle file, exactly as published."""
    return FIXTURES / "kaggle_mmm_weekly_india_head.csv"


@pytest.fixture(scope="session")
def small_panel() -> SyntheticPanel:
    """2 geos x 2 brands x 1 SKU x 104 weeks (416 rows), default world, seed 7."""
    return generate_panel(SyntheticSettings(seed=7, n_geos=2, n_brands=2, n_skus=1, n_weeks=104))


@pytest.fixture()
def small_frame(small_panel: SyntheticPanel) -> pd.DataFrame:
    return small_panel.frame.copy()
