"""Fixtures of the curves tests: a hand-set model (see hand_model.py) and a fast config."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.config import load_config
from mmm_analytics.config.loader import ProjectConfig
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import build_params, build_sku_params, write_fast_config, write_model


@pytest.fixture(scope="session")
def params() -> ResponseParams:
    return build_params()


@pytest.fixture(scope="session")
def sigmoid_params() -> ResponseParams:
    return build_params(saturation="sigmoid", seed=1)


@pytest.fixture(scope="session")
def sku_params() -> tuple[ResponseParams, tuple[str, ...]]:
    """2 brands x 2 regions x 2 SKUs x 3 channels, and each series' SKU."""
    return build_sku_params()


@pytest.fixture()
def model_dir(tmp_path: Path, params: ResponseParams) -> Path:
    return write_model(tmp_path / "model", params)


@pytest.fixture()
def fast_config(tmp_path: Path) -> ProjectConfig:
    """Defaults with a low dpi, small figures and few curve points for speed."""
    return load_config(write_fast_config(tmp_path / "config"), required=True)
