"""Fixtures: the hand-built trained-model folder and its simulator, shared with tests/simulator."""

from tests.simulator.conftest import model_dir, simulator

__all__ = ["model_dir", "simulator"]
