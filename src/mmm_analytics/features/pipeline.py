"""``mmm features``: cleaned panel -> ``features.parquet`` (+ meta)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mmm_analytics.config import ProjectConfig
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.features.store import save_panel


def read_clean_panel(path: Path) -> pd.DataFrame:
    """The cleaned panel written by ``mmm data`` (parquet) or a CSV in the same schema."""
    if not path.is_file():
        raise InputError(f"'{path}' not found; run 'mmm data' to make it")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    from mmm_analytics.data.loader import load_panel

    return load_panel(path)


def build_features(clean_path: Path, output: Path, config: ProjectConfig) -> FeaturePanel:
    """Build the model-ready panel from the cleaned data and write it to ``output``."""
    panel = build_panel(read_clean_panel(clean_path), config.data, config.features)
    save_panel(panel, output, config.features)
    return panel
