"""Budget optimisation: closed-form optimum, exact budget and bounds, national mode, marginal ROI,
percent limits relative to the current column, budget limits, finite results and labelled warnings.

The solver's maths is checked on the point estimate without the data range (``objective="point"``,
``data_range=False``); the expected objective and the data range have their own test files.
Tolerances: ``EXACT`` on budget and bounds; closed-form optima rtol=1e-3 (SLSQP's end).
"""

from __future__ import annotations

import dataclasses
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import ModelMetadata
from mmm_analytics.simulator import BudgetConstraints, MarketingSimulator, solver
from mmm_analytics.simulator import optimizer as optimizer_module
from mmm_analytics.simulator.bounds import SpendRange
from mmm_analytics.simulator.expected import draw_totals
from mmm_analytics.simulator.optimizer import (
    JSON_KEYS,
    NonFiniteResultError,
    Selection,
    optimize_allocation,
    scaled_current,
)
from mmm_analytics.simulator.surface import DrawSet
from mmm_analytics.simulator.terms import Terms
from mmm_analytics.style import numbers
from mmm_analytics.utils.io import to_json, write_json

from .hand_built import build_params, per_cell, replace_params, write_model

EXACT = 1e-6  # relative tolerance on budget and bounds


@pytest.fixture(scope="module")
def two_channel(tmp_path_factory: pytest.TempPathFactory) -> MarketingSimulator:
    """One segment, two channels, Hill slope 1: response_c(x) = coefficient_c * x / (x + k_c)."""
    base = build_params(n_brands=1, n_regions=1, n_channels=2, n_weeks=30, n_draws=4)
    coefficient = np.array([[40_000.0, 25_000.0]])
    params = replace_params(
        base,
        slope=np.ones(2),
        slope_draws=np.ones((4, 2)),
        coefficient=coefficient,
        coefficient_draws=base.coefficient_draws / base.coefficient * coefficient,
    )
    folder = write_model(tmp_path_factory.mktemp("two"), params)
    return MarketingSimulator(params, ModelMetadata.load(folder))


def _closed_form(sim: MarketingSimulator, budget: float) -> np.ndarray:
    """Equal marginal ROI: c1 k1 / (x1 + k1)^2 = c2 k2 / (x2 + k2)^2 with x1 + x2 = budget."""
    p = sim.params
    k = per_cell(p.half_saturation, p)[0] * p.exposure_scale[0] * p.cpm / (1000.0 * p.carry_sum[0])
    root = np.sqrt(p.coefficient[0] * k)
    x1 = root[0] * (budget + k.sum()) / root.sum() - k[0]
    return np.array([x1, budget - x1])


@pytest.mark.parametrize("multiple", [0.5, 1.0, 2.0], ids=["half", "current", "double"])
def test_two_channel_closed_form_optimum(two_channel: MarketingSimulator, multiple: float) -> None:
    budget = multiple * sum(two_channel.current_spend("BrandA", "CENTRAL").values())
    expected = _closed_form(two_channel, budget)
    assert np.all(expected > 0)
    result = two_channel.optimize_budget(budget, None, "BrandA", "CENTRAL", objective="point", data_range=False)
    assert not result.kept_current
    np.testing.assert_allclose(list(result.allocation.values()), expected, rtol=1e-3)
    assert sum(result.allocation.values()) == pytest.approx(budget, rel=EXACT)
    assert result.mroi_spread < 1e-4


def test_optimum_beats_current_mix_and_equalises_mroi(simulator: MarketingSimulator) -> None:
    result = simulator.optimize_budget(None, None, "BrandB", "EAST", data_range=False)
    assert result.expected_incremental_sales >= result.current_incremental_sales * (1 - 1e-12)
    assert result.uplift >= 0
    free = [c for c, s in result.channel_status.items() if s == "free"]
    mroi = np.array([result.marginal_roi[c] for c in free])
    assert len(free) >= 2 and np.ptp(mroi) / mroi.mean() < 1e-3
    assert result.converged


def _halfway(sim: MarketingSimulator, budget: float, segment: tuple[str, str]) -> tuple[dict, dict]:
    """Today's mix scaled to ``budget`` and the point halfway to the optimum: limits met there leave a
    plan that still beats today's mix (the response is nearly concave)."""
    free = sim.optimize_budget(budget, None, *segment, data_range=False)
    assert not free.kept_current
    middle = {c: 0.5 * (free.allocation[c] + free.current_allocation[c]) for c in sim.channels}
    return free.current_allocation, middle


def test_budget_and_bounds_respected_exactly(simulator: MarketingSimulator) -> None:
    segment = ("BrandA", "EAST")
    current = simulator.current_spend(*segment)
    budget = 1.3 * sum(current.values())
    scaled, middle = _halfway(simulator, budget, segment)
    share = middle["YouTube"] / scaled["YouTube"]
    constraints = BudgetConstraints(
        min_spend={"TV": middle["TV"]}, max_fraction={"YouTube": share}, locked=("Facebook",)
    )
    result = simulator.optimize_budget(budget, constraints, *segment, data_range=False)
    spend = result.allocation
    assert not result.kept_current
    assert sum(spend.values()) == pytest.approx(budget, rel=EXACT)
    assert spend["TV"] >= middle["TV"] * (1 - EXACT)
    assert spend["YouTube"] <= share * 1.3 * current["YouTube"] * (1 + EXACT)  # a share of the scaled current mix
    assert spend["Facebook"] == pytest.approx(current["Facebook"], rel=EXACT)  # a lock keeps today's spend
    assert result.channel_status["Facebook"] == "locked"


@pytest.mark.parametrize("side", ["max", "min"])
def test_percent_limits_refer_to_the_current_column_at_the_new_budget(simulator: MarketingSimulator, side: str) -> None:
    """At twice today's budget, --max C=P% caps C at P% of the "Current mix" the result shows (today's
    mix scaled to the budget), not of today's unscaled spend (half that column)."""
    segment = ("BrandA", "EAST")
    budget = 2.0 * sum(simulator.current_spend(*segment).values())
    scaled, middle = _halfway(simulator, budget, segment)
    ratio = {c: middle[c] / scaled[c] for c in simulator.channels}
    channel = (max if side == "max" else min)(ratio, key=ratio.__getitem__)
    share = ratio[channel]  # halfway to where the optimum takes it: the limit binds
    assert abs(share - 1) > 0.05
    limit = {channel: share}
    constraints = BudgetConstraints(max_fraction=limit) if side == "max" else BudgetConstraints(min_fraction=limit)
    result = simulator.optimize_budget(budget, constraints, *segment, data_range=False)
    assert result.current_allocation == pytest.approx(scaled, rel=1e-12)
    assert result.allocation[channel] == pytest.approx(share * result.current_allocation[channel], rel=EXACT)
    assert result.allocation[channel] / result.current_allocation[channel] - 1 == pytest.approx(share - 1, abs=1e-9)
    assert result.channel_status[channel] == ("at maximum" if side == "max" else "at minimum")
    assert result.current_is_scaled and not result.kept_current


def test_at_most_never_exceeds_budget(simulator: MarketingSimulator) -> None:
    segment = ("BrandA", "CENTRAL")
    _, middle = _halfway(simulator, sum(simulator.current_spend(*segment).values()), segment)
    caps = {c: 0.99 * v for c, v in middle.items()}
    result = simulator.optimize_budget(
        None, BudgetConstraints(max_spend=caps, at_most=True), *segment, data_range=False
    )
    assert sum(result.allocation.values()) == pytest.approx(sum(caps.values()), rel=EXACT)
    for channel, cap in caps.items():
        assert result.allocation[channel] <= cap * (1 + EXACT)


def test_national_joint_optimisation(simulator: MarketingSimulator) -> None:
    national = simulator.optimize_budget(None, None, "all", "all", data_range=False)
    budget = sum(simulator.current_spend("all", "all").values())
    assert national.weekly_budget == pytest.approx(budget, rel=1e-12)
    assert national.cells["spend"].sum() == pytest.approx(budget, rel=EXACT)
    assert len(national.cells) == 4 * 3
    # Joint beats optimising each segment on its own historical budget (it may move money between them).
    separate = sum(
        simulator.optimize_budget(None, None, b, r, data_range=False).expected_incremental_sales
        for b, r in simulator.segments
    )
    assert national.expected_incremental_sales >= separate * (1 - 1e-9)
    active = national.cells[national.cells["spend"] > 1e-6 * budget]
    assert np.ptp(active["marginal_roi"]) / active["marginal_roi"].mean() < 1e-3


def test_national_channel_limits_apply_to_totals(simulator: MarketingSimulator) -> None:
    budget = sum(simulator.current_spend("all", "all").values())
    constraints = BudgetConstraints(min_spend={"TV": 0.4 * budget}, max_spend={"Facebook": 0.1 * budget})
    result = simulator.optimize_budget(budget, constraints, "all", "all")
    assert result.allocation["TV"] >= 0.4 * budget * (1 - EXACT)
    assert result.allocation["Facebook"] <= 0.1 * budget * (1 + EXACT)
    assert sum(result.allocation.values()) == pytest.approx(budget, rel=EXACT)


def test_infeasible_request_names_constraint(simulator: MarketingSimulator) -> None:
    with pytest.raises(InputError, match=r"minimum spends \(TV=.*above the weekly budget"):
        optimize_allocation(
            simulator.selection("BrandA", "EAST"), 100.0, BudgetConstraints(min_spend={"TV": 1000.0}), starts=1
        )


def test_zero_budget_spends_nothing(simulator: MarketingSimulator) -> None:
    result = simulator.optimize_budget(0.0, None, "BrandA", "EAST", data_range=False)
    assert all(v == 0.0 for v in result.allocation.values())
    assert result.expected_incremental_sales == 0.0
    assert result.converged and result.warnings == ()  # the only feasible allocation is exact


def test_segment_budgets_are_each_brand_and_region_s_share_of_the_plan(simulator: MarketingSimulator) -> None:
    """The national advice plans each brand x region on its own: the budget each gets, beside today's spend there,
    is in the file (the manager's page showed the channel totals alone, as if split the way today's spend is)."""
    result = simulator.optimize_budget(None, None, "all", "all")
    segments = result.segment_budgets
    assert len(segments) == len(simulator.selection("all", "all").segments) > 1
    assert sum(s["weekly_budget"] for s in segments) == pytest.approx(result.weekly_budget, rel=EXACT)
    assert sum(s["today_weekly_spend"] for s in segments) == pytest.approx(result.today_weekly_spend, rel=EXACT)
    first = result.cells[
        (result.cells["brand"] == segments[0]["brand"]) & (result.cells["region"] == segments[0]["region"])
    ]
    assert segments[0]["weekly_budget"] == pytest.approx(first["spend"].sum(), rel=EXACT)
    assert result.to_json_dict()["segment_budgets"] == segments
    assert simulator.optimize_budget(None, None, "BrandA", "EAST").segment_budgets == []


def test_json_has_exactly_the_documented_keys(simulator: MarketingSimulator) -> None:
    payload = simulator.optimize_budget(None, None, "BrandA", "EAST").to_json_dict()
    assert tuple(payload) == JSON_KEYS
    assert set(payload["allocation"]) == set(simulator.channels) == set(payload["marginal_roi"])
    # Whether today's mix was kept, how far the advice went and what held each channel are in the
    # file itself, not only in the warning lines.
    result = simulator.optimize_budget(None, None, "BrandA", "EAST")
    assert payload["kept_current"] is result.kept_current and 0.0 <= payload["step"] <= 1.0
    assert payload["channel_status"] == result.channel_status and set(payload["channel_status"]) == set(
        simulator.channels
    )


def test_sigmoid_model_optimises(tmp_path: Path) -> None:
    params = build_params(saturation="sigmoid", n_weeks=20)
    sim = MarketingSimulator.from_model_dir(write_model(tmp_path / "s", params))
    result = sim.optimize_budget(None, None, "BrandA", "EAST", cautious=False)  # the optimum itself
    assert result.converged and result.starts_used == 1  # concave: the first converged start is enough
    assert result.mroi_spread < 1e-4


def test_optimiser_needs_only_a_selection(simulator: MarketingSimulator) -> None:
    rows = simulator.rows("all", "EAST")
    selection = Selection(
        brand="all",
        region="EAST",
        channels=simulator.channels,
        segments=tuple(simulator.segments[row] for row in rows),
        current=simulator.current_matrix[rows],
        cells=simulator.surface.cells(rows),
        concave=simulator.surface.is_concave,
        draws=DrawSet.build(simulator.params, rows),
        spend_range=SpendRange.from_history(
            simulator.params.spend[rows], quantile=simulator.settings.data_range_quantile
        ),
    )
    budget = 1.1 * float(selection.current.sum())
    direct = optimize_allocation(selection, budget, None, starts=simulator.settings.starts)
    through = simulator.optimize_budget(budget, None, "all", "EAST")
    assert direct.allocation == pytest.approx(through.allocation, rel=1e-12)
    assert direct.expected_incremental_sales == pytest.approx(through.expected_incremental_sales, rel=1e-12)
    assert direct.cells[["brand", "region"]].drop_duplicates().apply(tuple, axis=1).tolist() == list(selection.segments)


def test_scaled_current_keeps_the_mix_or_splits_evenly() -> None:
    current = np.array([[1.0, 3.0], [0.0, 4.0]])
    np.testing.assert_allclose(scaled_current(current, 16.0), 2.0 * current)
    np.testing.assert_allclose(scaled_current(np.zeros((2, 2)), 8.0), np.full((2, 2), 2.0))


# ----- budgets must be physical; results are finite and say when they may not be the optimum
@pytest.mark.parametrize("budget", [1e300, 1e15], ids=["1e300", "1e15"])
def test_an_implausible_budget_names_the_option_and_the_allowed_maximum(
    simulator: MarketingSimulator, budget: float
) -> None:
    limit = simulator.max_weekly_spend("all", "all")
    with pytest.raises(InputError) as caught:
        simulator.optimize_budget(budget, None, "all", "all")
    message = str(caught.value)
    assert message.startswith(f"weekly budget (total_budget / --budget) of {budget:.3g} INR is too large: ")
    assert (
        f"the allowed maximum is {numbers.grouped(limit)} INR (100 x the current weekly spend of brand all / region all"
        in message
    )


@pytest.mark.parametrize("budget", [float("nan"), float("inf"), -1.0], ids=["nan", "inf", "negative"])
def test_a_budget_must_be_a_finite_number_at_least_zero(simulator: MarketingSimulator, budget: float) -> None:
    with pytest.raises(InputError, match=r"weekly budget \(total_budget / --budget\) must be a number >= 0 INR"):
        simulator.optimize_budget(budget, None, "BrandA", "EAST")


def test_the_budget_is_named_as_the_interface_that_asked_names_it(simulator: MarketingSimulator) -> None:
    """Before, the menu's budget was refused as ``total_budget / --budget``, neither of which it has."""
    menu = Terms(budget="weekly budget")
    with pytest.raises(InputError) as caught:
        simulator.optimize_budget(1e30, None, "BrandA", "EAST", terms=menu)
    assert str(caught.value).startswith("weekly budget of 1e+30 INR is too large: the allowed maximum is ")
    with pytest.raises(InputError, match=r"^weekly budget must be a number >= 0 INR; got -1"):
        simulator.check_budget(-1, "BrandA", "EAST", menu)


def test_the_largest_budget_is_accepted_and_flagged_as_saturated(simulator: MarketingSimulator) -> None:
    result = simulator.optimize_budget(simulator.max_weekly_spend("BrandA", "EAST"), None, "BrandA", "EAST")
    assert np.isfinite(result.expected_incremental_sales)
    assert all(v >= 0.0 for v in result.marginal_roi.values())
    assert any("every channel is saturated at this budget" in w for w in result.warnings)


def _strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_the_json_says_whether_it_converged_and_why_not(simulator: MarketingSimulator, tmp_path: Path) -> None:
    result = simulator.optimize_budget(None, None, "BrandA", "EAST", data_range=False)
    payload = _strict_json(write_json(tmp_path / "optimal_allocation.json", result.to_json_dict()).read_text())
    assert payload["converged"] is True and payload["warnings"] == []
    assert _strict_json(to_json(result.summary()))["warnings"] == []


def test_a_run_that_did_not_converge_is_labelled(simulator: MarketingSimulator, monkeypatch) -> None:
    def stalled(problem, starts, concave, runs=None):
        solution = solver.solve(problem, starts, concave)
        return dataclasses.replace(solution, converged=False)

    monkeypatch.setattr(optimizer_module, "solve", stalled)
    result = simulator.optimize_budget(None, None, "BrandA", "EAST")
    assert result.converged is False
    assert result.warnings[0].startswith("the optimiser did not converge from any of its")
    assert result.to_json_dict()["warnings"] == list(result.warnings)


def test_a_non_finite_optimum_is_an_error_not_a_result(simulator: MarketingSimulator, monkeypatch) -> None:
    """Not silently replaced by today's mix either."""

    def broken(problem, starts, concave, runs=None):
        solution = solver.solve(problem, starts, concave)
        return dataclasses.replace(solution, spend=np.full_like(solution.spend, np.nan))

    monkeypatch.setattr(optimizer_module, "solve", broken)
    with pytest.raises(NonFiniteResultError, match=r"the allocation is not finite \(nan\)"):
        simulator.optimize_budget(None, None, "BrandA", "EAST")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(0.0, 1.0))
def test_marginal_roi_is_never_negative_so_never_prints_minus_zero(simulator: MarketingSimulator, share: float) -> None:
    result = simulator.optimize_budget(
        share * simulator.max_weekly_spend("BrandB", "EAST"), None, "BrandB", "EAST", starts=1
    )
    values = [*result.marginal_roi.values(), *result.cells["marginal_roi"]]
    assert all(np.isfinite(v) and v >= 0.0 and not np.signbit(v) for v in values)
    assert not any(f"{v:.3f}" == "-0.000" for v in values)


# ----- channels the data never spent on --------------------------------------------------------
@pytest.fixture(scope="module")
def facebook_unseen(tmp_path_factory: pytest.TempPathFactory) -> MarketingSimulator:
    """2 x 2 segments x 3 channels; Facebook has no spend in any week of BrandA / CENTRAL, spend elsewhere."""
    params = build_params(n_weeks=40)
    exposure, scale = params.exposure.copy(), params.exposure_scale.copy()
    exposure[0, :, 2] = 0.0
    scale[0, 2] *= 1e-6  # as a fit leaves it: a curve scaled to nothing, steep from the first rupee
    params = replace_params(params, exposure=exposure, exposure_scale=scale)
    return MarketingSimulator.from_model_dir(write_model(tmp_path_factory.mktemp("unseen"), params))


def test_a_channel_without_spend_in_the_data_gets_none_and_no_marginal_roi(
    facebook_unseen: MarketingSimulator, tmp_path: Path
) -> None:
    """Before, a Facebook at 0 throughout showed a marginal ROI in the tens of thousands (the curve's slope at
    0 from the priors alone) and, without the data range, took money on it."""
    for data_range in (True, False):
        result = facebook_unseen.optimize_budget(None, None, "BrandA", "CENTRAL", data_range=data_range)
        assert result.allocation["Facebook"] == 0.0
        assert result.marginal_roi["Facebook"] is None and result.marginal_roi["TV"] is not None
        assert result.channel_status["Facebook"] in ("no spend in data", "today's mix")
        assert any(w.startswith("Facebook has no spend in the data here") for w in result.warnings)
        facebook = result.cells[result.cells["channel"] == "Facebook"]
        assert facebook["marginal_roi"].isna().all()
        document = json.loads(write_json(tmp_path / "a.json", result.to_json_dict()).read_text())
        assert document["marginal_roi"]["Facebook"] is None


def test_nationally_only_the_unseen_cells_are_held(facebook_unseen: MarketingSimulator) -> None:
    result = facebook_unseen.optimize_budget(None, None, "all", "all", data_range=False)
    cells = result.cells.set_index(["brand", "region", "channel"])
    assert cells.loc[("BrandA", "CENTRAL", "Facebook"), "spend"] == 0.0
    assert np.isnan(cells.loc[("BrandA", "CENTRAL", "Facebook"), "marginal_roi"])
    assert result.allocation["Facebook"] > 0 and result.marginal_roi["Facebook"] is not None
    assert any(w.startswith("Facebook has no spend in the data in 1 of 4 segments") for w in result.warnings)


def test_a_minimum_on_a_channel_without_spend_is_refused(facebook_unseen: MarketingSimulator) -> None:
    with pytest.raises(InputError, match=r"minimum \(--min\) for 'Facebook': Facebook has no spend in the data here"):
        facebook_unseen.optimize_budget(None, BudgetConstraints(min_spend={"Facebook": 100.0}), "BrandA", "CENTRAL")


def test_a_scenario_spending_where_the_data_never_did_is_flagged(facebook_unseen: MarketingSimulator) -> None:
    result = facebook_unseen.simulate_scenario({"Facebook": 5_000.0}, "BrandA", "CENTRAL")
    assert result.warnings == (
        "Facebook gets 5,000 INR per week here where the data has no spend on it: its response there is not "
        "estimated, so it adds no sales there",
    )
    # Before, one rupee there bought Facebook's whole ceiling (the exposure over a scale of 0 was infinite).
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero on the way
        for spend in (1.0, 100.0, 10_000.0):
            same = facebook_unseen.simulate_scenario({"Facebook": spend}, "BrandA", "CENTRAL")
            assert same.channel_contributions["Facebook"] == 0.0
            assert same.incremental_sales == pytest.approx(
                facebook_unseen.simulate_scenario({}, "BrandA", "CENTRAL").incremental_sales, rel=1e-12
            )
    assert facebook_unseen.simulate_scenario({"Facebook": 5_000.0}, "BrandB", "CENTRAL").warnings == ()


def test_a_channel_cut_to_zero_where_some_cells_never_spent_reads_its_seen_cells(
    facebook_unseen: MarketingSimulator,
) -> None:
    """Before, a channel left with no money read the largest slope of all its cells, the never-spent one's
    (from the priors alone) included: a marginal ROI in the tens of thousands."""
    result = facebook_unseen.optimize_budget(None, BudgetConstraints(max_spend={"Facebook": 0.0}), "all", "all")
    cells = result.cells[result.cells["channel"] == "Facebook"]
    seen = cells[cells["current_spend"] > 0]["marginal_roi"]
    assert result.allocation["Facebook"] == 0.0
    assert result.marginal_roi["Facebook"] == pytest.approx(seen.max(), rel=1e-12)
    assert cells[cells["current_spend"] == 0]["marginal_roi"].isna().all()


def test_a_locked_channel_without_spend_has_no_marginal_roi(facebook_unseen: MarketingSimulator) -> None:
    result = facebook_unseen.optimize_budget(None, BudgetConstraints(locked=("Facebook",)), "BrandA", "CENTRAL")
    assert result.channel_status["Facebook"] in ("locked", "today's mix")
    assert result.marginal_roi["Facebook"] is None


def test_a_segment_that_never_advertised_gets_no_advice(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Before, ``--at-most`` advised nothing against an even split of the budget called today's mix, and a
    budget stopped with a message about cells; such a segment has no today's mix and no estimated response."""
    params = build_params(n_weeks=40)
    exposure = params.exposure.copy()
    exposure[0] = 0.0  # BrandA / CENTRAL: no spend on any channel in any week
    simulator = MarketingSimulator.from_model_dir(
        write_model(tmp_path_factory.mktemp("silent"), replace_params(params, exposure=exposure))
    )
    for budget, constraints in ((None, None), (10_000.0, None), (10_000.0, BudgetConstraints(at_most=True))):
        with pytest.raises(
            InputError, match="brand BrandA / region CENTRAL has no media spend in any week of the data"
        ):
            simulator.optimize_budget(budget, constraints, "BrandA", "CENTRAL")
    assert simulator.optimize_budget(None, None, "all", "all").allocation["TV"] > 0  # the others are advised


def test_scenarios_spending_where_the_data_never_did_carry_their_warning(facebook_unseen: MarketingSimulator) -> None:
    from mmm_analytics.simulator.report import _scenario_warnings
    from mmm_analytics.simulator.scenarios import Scenario, compare_scenarios, warning_lines

    scenarios = [
        Scenario("new_facebook", "", "BrandA", "CENTRAL", {"Facebook": 5_000.0}),
        Scenario("today", "", "BrandA", "CENTRAL", {}),
    ]
    summary, _ = compare_scenarios(facebook_unseen, scenarios)
    lines = warning_lines(summary)
    assert [name for name, _ in lines] == ["new_facebook"]
    assert lines[0][1].startswith("Facebook gets 5,000 INR per week here where the data has no spend on it")
    assert [note.title for note in _scenario_warnings(summary)] == ["Scenario warning."]


def test_a_national_plan_over_hundreds_of_cells_is_solved_by_prices_in_seconds(tmp_path: Path) -> None:
    """Before, 301-600 free cells went to SLSQP, whose dense steps grow with the cube of the cells: 19 s here
    (90 brand x region segments x 6 channels) and 9 minutes for `mmm simulate` on 100 segments; the price
    solver takes about a second and finds a plan that sells at least as much (measured: 0.01% more)."""
    folder = write_model(tmp_path, build_params(n_brands=3, n_regions=30, n_channels=6, n_draws=16))
    simulator = MarketingSimulator.from_model_dir(folder, SimulatorSettings(horizon_weeks=13))
    began = time.perf_counter()
    result = simulator.optimize_budget()
    seconds = time.perf_counter() - began
    assert result.cells.shape[0] == 540 and result.converged
    assert seconds < 8.0, f"{seconds:.1f} s"
    assert result.expected_incremental_sales > result.current_incremental_sales


def test_json_gives_today_s_mix_as_it_is_beside_the_one_scaled_to_the_budget(simulator: MarketingSimulator) -> None:
    """Before, at a budget 50% above today's the file held only today's mix scaled to it: readers took the
    scaled mix for what the manager spends now, and could not tell the budget had changed."""
    segment = ("BrandA", "EAST")
    today = simulator.current_spend(*segment)
    grown = simulator.optimize_budget(1.5 * sum(today.values()), None, *segment).to_json_dict()
    assert grown["today_weekly_spend"] == pytest.approx(sum(today.values()), rel=1e-12)
    assert grown["today_allocation"] == pytest.approx(today, rel=1e-12)
    assert grown["current_allocation"] == pytest.approx({c: 1.5 * v for c, v in today.items()}, rel=1e-12)
    assert grown["today_incremental_sales"] < grown["current_incremental_sales"]
    same = simulator.optimize_budget(None, None, *segment).to_json_dict()
    assert same["today_allocation"] == pytest.approx(same["current_allocation"], rel=1e-12)
    assert same["today_incremental_sales"] == pytest.approx(same["current_incremental_sales"], rel=1e-9)
    json.loads(to_json(grown))  # strict JSON


def test_the_sales_of_a_plan_chosen_on_the_point_estimate_are_named_as_what_they_are(
    two_channel: MarketingSimulator,
) -> None:
    """``objective: point`` called the mean over the draws the advice reports "at the point estimate"."""
    result = two_channel.optimize_budget(None, None, "BrandA", "CENTRAL", objective="point", data_range=False)
    spend = result.cells["spend"].to_numpy().reshape(1, -1)
    point = float(two_channel.cell_set("BrandA", "CENTRAL").response(spend).sum())
    draws = two_channel.draw_set("BrandA", "CENTRAL")
    assert draws is not None
    mean = float(draw_totals(draws, spend).mean())
    assert result.expected_incremental_sales == pytest.approx(mean, rel=1e-9)
    assert abs(mean / point - 1.0) > 1e-3  # the two differ here, so the words matter
    assert result.measure == "mean over the posterior draws; the plan chosen on the point estimate"
    expected = two_channel.optimize_budget(None, None, "BrandA", "CENTRAL", data_range=False)
    assert expected.measure == "mean over the posterior draws"
