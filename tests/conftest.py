"""Shared fixtures: small synthetic panels and the published-format fixture."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("MPLBACKEND", "Agg")

import importlib.util
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from mmm_analytics.compute import RAY_ADDRESS, connect_ray
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.synthetic import SyntheticPanel, generate_panel

FIXTURES = Path(__file__).parent / "fixtures"
HAS_RAY = importlib.util.find_spec("ray") is not None


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


@pytest.fixture(scope="module")
def ray() -> Iterator[Any]:
    """A local Ray instance of 2 CPUs for this module (about 10-20 s to start), shut down after it."""
    if not HAS_RAY:
        pytest.skip("Ray is not installed (pip install 'mmm-analytics[ray]')")
    if os.environ.get(RAY_ADDRESS):
        pytest.skip(f"{RAY_ADDRESS} is set: these tests start their own local instance")
    module = connect_ray(num_cpus=2)
    yield module
    module.shutdown()
