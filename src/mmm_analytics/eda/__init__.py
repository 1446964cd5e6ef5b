"""Exploratory analysis of the cleaned panel: numbered figures, CSV tables and an HTML report."""

from mmm_analytics.eda.pipeline import (
    PROGRESS_STEPS,
    EdaResult,
    load_quality,
    read_panel,
    run_eda,
)
from mmm_analytics.eda.prepare import QualityInputs

__all__ = ["PROGRESS_STEPS", "EdaResult", "QualityInputs", "load_quality", "read_panel", "run_eda"]
