"""Fixtures: a hand-built trained-model folder and a simulator on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.simulator import MarketingSimulator

from .hand_built import build_params, write_model


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 brands x 2 regions x 3 channels x 60 weeks, 8 draws, Hill saturation."""
    return write_model(tmp_path_factory.mktemp("model"), build_params())


@pytest.fixture(scope="session")
def simulator(model_dir: Path) -> MarketingSimulator:
    """The trained test model's simulator, recommending the expected optimum itself, however small its gain
    (the optimiser's mechanics; the cautious advice and the smallest gain worth a change are tested in
    ``test_expected.py`` and ``test_cautious_advice``)."""
    return MarketingSimulator.from_model_dir(
        model_dir, SimulatorSettings(horizon_weeks=13, starts=4, advice_confidence=0.0, min_uplift_share=0.0)
    )
