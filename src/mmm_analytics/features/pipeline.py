"""``mmm features``: cleaned panel -> ``features.parquet`` (+ meta).

The input is the cleaned panel written by ``mmm data`` (parquet), or a CSV in the panel
schema, which is validated and cleaned by the data step's own functions first (the same
checks, imputation and outlier handling as ``mmm data``; nothing of that step is written).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.data import DataConfig
from mmm_analytics.data.pipeline import read_clean_parquet
from mmm_analytics.data.validation import check_clean_panel
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.features.store import SERIES_ID, is_features_file, save_panel
from mmm_analytics.utils.paths import require_readable


def clean_csv(path: Path, config: DataConfig) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Validate and clean a panel CSV as ``mmm data`` does; returns the cleaned frame
    (:attr:`~mmm_analytics.data.cleaning.CleanedPanel.frame`) and the fixes made, one line each."""
    from mmm_analytics.data.cleaning import check_outlier_columns, clean_panel
    from mmm_analytics.data.columns import check_channel_columns
    from mmm_analytics.data.loader import read_raw_csv
    from mmm_analytics.data.validation import validate_panel

    check_outlier_columns(config.cleaning.outliers)
    channels = config.channel_table()
    check_channel_columns(channels)
    validated = validate_panel(read_raw_csv(path), str(path), channels, config.validation)
    return clean_panel(validated.frame, config.cleaning).frame, tuple(issue.message for issue in validated.issues)


def _features_given(path: Path, option: str | None = None) -> InputError:
    """The features step's own output given back to it as the panel (``option``: the option that named it)."""
    where = f"{option} '{path}'" if option else str(path)
    return InputError(
        f"{where} is a features file (written by 'mmm features'), not a cleaned panel; give the "
        "cleaned panel of 'mmm data' (data/processed/clean_panel.parquet) or a CSV in the schema"
    )


def check_panel_input(path: Path, option: str) -> None:
    """Refuse a features file given as the panel (``option`` names it), before any output is checked:
    ``mmm features --input data/processed/features.parquet`` is a mistake in the input, not the output."""
    if path.suffix.lower() == ".parquet" and path.is_file() and is_features_file(path):
        raise _features_given(path, option)


def read_clean_panel(path: Path, config: DataConfig | None = None) -> pd.DataFrame:
    """The cleaned panel of :func:`read_panel_fixes`, without the fixes."""
    return read_panel_fixes(path, config)[0]


def read_panel_fixes(path: Path, config: DataConfig | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The cleaned panel written by ``mmm data`` (parquet, its contract checked by
    :func:`~mmm_analytics.data.validation.check_clean_panel`), or a CSV in the same schema validated and
    cleaned with ``config`` (default: the built-in ``data_config.yaml``), and the fixes that made (none
    for a parquet)."""
    config = config or DataConfig()
    if path.suffix == ".parquet":
        frame = read_clean_parquet(path, ("Date", "Geo", "Brand", "Sales_Value"), "run 'mmm data' to make it")
        if SERIES_ID in frame.columns:  # the features step's own output, given back to it
            raise _features_given(path)
        check_clean_panel(frame, str(path), config.channel_table(), config.validation)
        return frame, ()
    require_readable(path, "run 'mmm data' to make it")
    return clean_csv(path, config)


def build_features(clean_path: Path, output: Path, config: ProjectConfig) -> FeaturePanel:
    """Build the model-ready panel from the cleaned data and write it to ``output``."""
    frame, fixes = read_panel_fixes(clean_path, config.data)
    panel = build_panel(frame, config.data, config.features, str(clean_path))
    if fixes:  # a CSV cleaned here: say so, as 'mmm data' would list them
        made = (
            f"'{clean_path}' was validated and cleaned as 'mmm data' does, with {len(fixes)} fix(es) "
            f"(first: {fixes[0]}); 'mmm data --source {clean_path}' lists them all and keeps the cleaned panel"
        )
        panel = dataclasses.replace(panel, notes=(made, *panel.notes))
    save_panel(panel, output, config.features, source=clean_path)
    return panel
