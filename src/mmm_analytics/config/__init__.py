"""Validated configuration: one pydantic model per YAML file in ``config/``."""

from mmm_analytics.config.data import ChannelSpec, DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.config.loader import ProjectConfig, load_config, parse_settings
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.config.viz import VizConfig

__all__ = [
    "ChannelSpec",
    "DataConfig",
    "FeatureConfig",
    "ModelConfig",
    "ProjectConfig",
    "VizConfig",
    "load_config",
    "parse_settings",
]
