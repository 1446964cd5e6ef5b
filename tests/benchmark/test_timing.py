"""The speed probe the benchmark calls."""

from __future__ import annotations

from mmm_analytics.benchmark.timing import TARGETS_SECONDS, measure_speed
from mmm_analytics.simulator import MarketingSimulator


def test_measure_speed_reports_every_operation(simulator: MarketingSimulator) -> None:
    speed = measure_speed(simulator, scenario_repeats=5, frontier_points=3)
    for key in (*TARGETS_SECONDS, "scenario_national_s", "frontier_segment_s", "first_optimize_national_s"):
        assert 0.0 < speed[key] < 60.0, key
    assert speed["segments"] == 4 and speed["channels"] == 3
    assert speed["scenario_s"] < TARGETS_SECONDS["scenario_s"]
    assert isinstance(speed["meets_targets"], bool)
