"""The batch run: tables, figures and a self-contained report with plotly inlined once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.batch import BatchPaths, batch_units, run_batch, segment_optimisation
from mmm_analytics.simulator.defaults import FRONTIER_POINTS

from .hand_built import build_params, replace_params, write_model

SCENARIOS = "scenarios:\n  - name: now\n  - name: more_tv\n    spend: {TV: '+50%'}\n"


def test_batch_writes_everything(tmp_path: Path, simulator: MarketingSimulator) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(SCENARIOS)
    paths = BatchPaths(scenarios, tmp_path / "sim", tmp_path / "fig", tmp_path / "report.html", export=True)
    heard: list[tuple[str, int, int]] = []
    results = run_batch(simulator, paths, VizConfig(dpi=50), progress=lambda *said: heard.append(said))
    for name in (
        "scenario_comparison.csv",
        "efficiency_frontier.csv",
        "sensitivity.csv",
        "optimal_allocation.json",
        "segment_optimization.csv",
        "exports/efficiency_frontier.json",
        "exports/optimal_allocation.csv",
    ):
        assert (paths.output / name).is_file(), name
    pngs = sorted(p.name for p in paths.figures.glob("*.png"))
    assert pngs == [
        "efficiency_frontier.png",
        "scenario_comparison.png",
        "sensitivity_current.png",
        "sensitivity_optimum.png",
    ]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths.figures.glob("*.png"))
    page = paths.report.read_text()
    assert page.count(get_plotlyjs()[:200]) == 1
    assert "<script src=" not in page  # nothing loaded from a CDN (plotly.js only names one for map tiles)
    assert page.count("cdn.plot.ly") == get_plotlyjs().count("cdn.plot.ly")
    assert "Efficiency frontier" in page and "more_tv" in page and "CPM" in page
    assert len(pd.read_csv(paths.output / "segment_optimization.csv")) == len(simulator.segments)
    assert len(results.written) >= 20
    # Before, `mmm simulate` showed one spinner for the whole run (13 minutes on 100 series).
    total = batch_units(simulator)
    assert total == 5 + len(simulator.segments) + FRONTIER_POINTS
    assert {t for _, _, t in heard} == {total} and heard[-1] == ("done", total, total)
    done = [d for _, d, _ in heard]
    assert done == sorted(done) and done[0] == 0
    counted = {label: sum(1 for said, _, _ in heard if said == label) for label, _, _ in heard}
    assert counted[f"efficiency frontier ({FRONTIER_POINTS} budgets)"] == FRONTIER_POINTS + 1
    assert counted[f"each brand x region's own plan ({len(simulator.segments)} in all)"] == len(simulator.segments) + 1


def test_the_batch_selection_applies_to_the_scenarios_without_their_own(
    tmp_path: Path, simulator: MarketingSimulator
) -> None:
    """Before, --brand/--region moved the advice, sensitivity and frontier but left such scenarios national;
    the tables, the report and the JSON export say where each scenario was run."""
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(SCENARIOS + "  - name: national\n    brand: all\n    region: all\n")
    paths = BatchPaths(scenarios, tmp_path / "sim", tmp_path / "fig", tmp_path / "report.html", export=True)
    results = run_batch(simulator, paths, VizConfig(dpi=50), "BrandA", "EAST")
    assert (results.optimum.brand, results.optimum.region) == ("BrandA", "EAST")
    where = [("BrandA", "EAST"), ("BrandA", "EAST"), ("all", "all")]
    assert list(zip(results.scenarios["brand"], results.scenarios["region"])) == where
    today = sum(simulator.current_spend("BrandA", "EAST").values())
    assert results.scenarios.loc[0, "total_spend"] == pytest.approx(today)
    table = pd.read_csv(paths.output / "scenario_comparison.csv")
    assert list(zip(table["brand"], table["region"])) == where
    channels = pd.read_csv(paths.output / "scenario_channels.csv")
    assert set(zip(channels["brand"], channels["region"])) == set(where)
    rows = json.loads((paths.output / "exports" / "scenario_comparison.json").read_text())["rows"]
    assert [(row["brand"], row["region"]) for row in rows] == where
    page = paths.report.read_text()
    assert page.count("BrandA in EAST only") >= 2 and "national" in page


@pytest.mark.parametrize("count", [1, 3], ids=["largest-only", "three"])
def test_segment_table_keeps_the_largest_spenders(simulator: MarketingSimulator, count: int) -> None:
    spend = simulator.current_matrix.sum(axis=1)
    table = segment_optimisation(simulator, count)
    expected = [simulator.segments[i] for i in sorted(np.argsort(-spend)[:count].tolist())]
    assert list(zip(table["brand"], table["region"])) == expected


def test_a_segment_that_never_advertised_is_left_out_of_the_segment_table(tmp_path: Path) -> None:
    """Before, it got a row advising an even split of nothing; now the optimiser refuses it, so the table
    leaves it out instead of failing the whole batch."""
    params = build_params(n_weeks=40)
    exposure = params.exposure.copy()
    exposure[0] = 0.0  # the first segment: no spend on any channel in any week
    simulator = MarketingSimulator.from_model_dir(write_model(tmp_path, replace_params(params, exposure=exposure)))
    table = segment_optimisation(simulator, len(simulator.segments))
    assert list(zip(table["brand"], table["region"])) == simulator.segments[1:]
