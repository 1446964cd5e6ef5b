"""Fixtures for the feature step: the small synthetic panel with parsed dates, and built panels."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.config.data import DataConfig, SyntheticSettings
from mmm_analytics.config.features import FeatureConfig, Granularity
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.synthetic import SyntheticPanel, generate_panel


def with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """The cleaned-panel layout: ``Date`` parsed from M/D/YYYY text."""
    out = frame.copy()
    out["Date"] = pd.to_datetime(out["Date"], format="%m/%d/%Y")
    return out


@pytest.fixture(scope="session")
def dated_frame(small_panel: SyntheticPanel) -> pd.DataFrame:
    """2 geos x 2 brands x 1 SKU x 104 weeks with datetime ``Date``; do not modify (session scope)."""
    return with_dates(small_panel.frame)


@pytest.fixture(scope="session")
def sku_frame() -> pd.DataFrame:
    """2 geos x 2 brands x 2 SKUs x 40 weeks with datetime ``Date``."""
    return with_dates(generate_panel(SyntheticSettings(seed=11, n_geos=2, n_brands=2, n_skus=2, n_weeks=40)).frame)


@pytest.fixture(scope="session")
def geo_brand_panel(dated_frame: pd.DataFrame) -> FeaturePanel:
    """The default-config panel of the small frame: S=4, T=104, C=6."""
    return build_panel(dated_frame, DataConfig(), FeatureConfig())


@pytest.fixture(scope="session")
def sku_panel(sku_frame: pd.DataFrame) -> FeaturePanel:
    """geo x brand x SKU panel of ``sku_frame``: S=8, T=40."""
    return build_panel(sku_frame, DataConfig(), FeatureConfig(granularity=Granularity.GEO_BRAND_SKU))
