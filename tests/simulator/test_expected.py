"""The expected response over posterior draws: equal to the mean of the draws, exact gradients, and an
optimum that follows the expectation where it disagrees with the point estimate.

Tolerances: values against the mean of the draw responses rtol=1e-12 (same kernel, a sum in another
order); gradients against central differences rtol=1e-6; closed-form optima rtol=1e-3 (SLSQP's end);
the interval against NumPy quantiles of the reference per-draw uplift rtol=1e-9.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.response.artifacts import ModelMetadata
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.defaults import CAUTIOUS_STEPS
from mmm_analytics.simulator.expected import (
    CautiousCells,
    ExpectedCells,
    Objective,
    cautious_step,
    uplift_over_current,
)
from mmm_analytics.simulator.optimizer import optimize_allocation
from mmm_analytics.simulator.surface import DrawSet, ResponseSurface
from mmm_analytics.style import numbers

from .hand_built import build_params, coefficient_only_draws, per_cell, replace_params, two_channel_draws, write_model

POINT_COEFFICIENT = np.array([[40_000.0, 25_000.0]])
#: Channel 0's coefficient is 0.2x or 1x its point value with equal chance (mean 0.6x); channel 1's is certain.
FACTORS = np.array([[0.2, 1.0], [1.0, 1.0]] * 4)


@pytest.fixture(scope="module", params=["hill", "sigmoid"])
def params(request: pytest.FixtureRequest):
    return build_params(saturation=request.param, n_draws=12)


def _expected(params, rows: np.ndarray, n: int = 0) -> ExpectedCells:
    return ExpectedCells.build(ResponseSurface.from_params(params).cells(rows), DrawSet.build(params, rows).head(n))


def test_value_is_the_mean_over_draws_of_the_summed_response(params) -> None:
    rows = np.arange(len(params.series_brand))
    spend = params.spend.mean(axis=1) * 0.8
    value, _ = _expected(params, rows).value_and_grad(spend)
    per_draw = DrawSet.build(params, rows).response(spend).sum(axis=(1, 2))
    assert value == pytest.approx(per_draw.mean(), rel=1e-12)
    np.testing.assert_allclose(
        _expected(params, rows).response(spend), DrawSet.build(params, rows).response(spend).mean(axis=0), rtol=1e-12
    )


def test_gradient_and_curvature_are_exact(params) -> None:
    rows = np.array([1, 3])
    cells = _expected(params, rows)
    spend = params.spend.mean(axis=1)[rows] * 1.2
    step = 1e-4 * spend
    _, grad = cells.value_and_grad(spend)
    numeric = (cells.response(spend + step) - cells.response(spend - step)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6)
    numeric_curvature = (cells.value_and_grad(spend + step)[1] - cells.value_and_grad(spend - step)[1]) / (2 * step)
    np.testing.assert_allclose(cells.curvature(spend), numeric_curvature, rtol=1e-5)


def test_the_bad_case_is_the_mean_less_z_sd_of_the_uplift_with_an_exact_gradient(params) -> None:
    """Value: expected total response less z sd over draws of the uplift over today's spend (rtol 1e-9
    against NumPy); gradient: central differences (rtol 1e-5); at today's spend the spread vanishes
    (to its floor, 1e-9 of today's sales: rtol 1e-8)."""
    rows = np.array([1, 3])
    expected = _expected(params, rows)
    today = params.spend.mean(axis=1)[rows]
    cells = CautiousCells.build(expected, today, z=1.2816)
    spend = today * np.linspace(0.6, 1.5, today.size).reshape(today.shape)
    per_draw = DrawSet.build(params, rows)
    gains = per_draw.response(spend).sum(axis=(1, 2)) - per_draw.response(today).sum(axis=(1, 2))
    value, grad = cells.value_and_grad(spend)
    assert value == pytest.approx(expected.value_and_grad(spend)[0] - 1.2816 * gains.std(), rel=1e-9)
    numeric = np.zeros_like(spend)
    for index in np.ndindex(spend.shape):
        step = np.zeros_like(spend)
        step[index] = 1e-5 * spend[index]
        numeric[index] = (cells.value_and_grad(spend + step)[0] - cells.value_and_grad(spend - step)[0]) / (
            2 * step[index]
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)
    assert cells.value_and_grad(today)[0] == pytest.approx(expected.value_and_grad(today)[0], rel=1e-8)


def test_the_bad_case_gradient_at_zero_spend_is_never_nan() -> None:
    """A Hill curve with slope < 1 has an infinite marginal ROI at zero spend. Where only some draws
    had such a slope, the spread's gradient was inf - inf: NaN, with a RuntimeWarning on the
    screen of ``mmm optimize``. Now the channel's gradient is +inf (as the expected response's),
    and every other cell's is the same as with a tiny positive spend there (1e-15 of today's: its
    response, about (1e-15)**0.6 of today's, moves the spread by < 1e-8; rtol 1e-6)."""
    import warnings

    params = build_params(saturation="hill", n_draws=12)
    slopes = params.slope_draws.copy()
    slopes[::2, 0] = 0.6  # half the draws: channel 0 steeper than linear at zero
    params = replace_params(params, slope_draws=slopes)
    rows = np.array([0, 1])
    expected = _expected(params, rows)
    today = params.spend.mean(axis=1)[rows]
    cells = CautiousCells.build(expected, today, z=1.2816)
    spend = today.copy()
    spend[0, 0] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = cells.value_and_grad(spend)
    assert np.isfinite(value) and not np.isnan(grad).any()
    assert grad[0, 0] == np.inf
    nearby = spend.copy()
    nearby[0, 0] = 1e-15 * today[0, 0]
    others = np.ones_like(grad, dtype=bool)
    others[0, 0] = False
    np.testing.assert_allclose(grad[others], cells.value_and_grad(nearby)[1][others], rtol=1e-6)


def test_a_subset_of_draws_is_the_first_ones(params) -> None:
    rows = np.array([0])
    spend = params.spend.mean(axis=1)[rows]
    head = DrawSet.build(params, rows).head(5)
    assert head.n_draws == 5 and DrawSet.build(params, rows).head(0).n_draws == params.n_draws
    np.testing.assert_allclose(head.response(spend), DrawSet.build(params, rows).response(spend)[:5], rtol=1e-12)


def test_the_expectation_is_the_same_whichever_layout_half_saturation_has(params) -> None:
    """Per channel (D, C) or per series (D, K, C): the draw arrays broadcast either way."""
    rows = np.array([0, 2])
    draws = DrawSet.build(params, rows)
    coefficient, scale, cpm, carry, half, slope = draws.arrays
    as_channels = half if half.ndim == 2 else half[:, 0, :]
    as_series = per_cell(np.asarray(as_channels), replace_params(params))[:, rows]
    spend = params.spend.mean(axis=1)[rows]
    point = ResponseSurface.from_params(params).cells(rows)
    values = [
        ExpectedCells.build(point, DrawSet(draws.family, (coefficient, scale, cpm, carry, layout, slope))).response(
            spend
        )
        for layout in (np.asarray(as_channels), as_series)
    ]
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)


def test_uplift_interval_is_the_quantiles_of_the_per_draw_uplift(params) -> None:
    rows = np.arange(len(params.series_brand))
    draws, point = DrawSet.build(params, rows), ResponseSurface.from_params(params).cells(rows)
    current = params.spend.mean(axis=1)
    plan = current * np.linspace(0.6, 1.4, current.size).reshape(current.shape)
    uplift = uplift_over_current(plan, current, 0.9, draws, point)
    gains = draws.response(plan).sum(axis=(1, 2)) - draws.response(current).sum(axis=(1, 2))
    assert (uplift.lower, uplift.upper) == pytest.approx(tuple(np.quantile(gains, [0.05, 0.95])), rel=1e-9)
    assert uplift.prob_beats_current == pytest.approx(np.mean(gains > 0), abs=1e-15)
    assert uplift.expected == pytest.approx(gains.mean(), rel=1e-9)
    without = uplift_over_current(plan, current, 0.9, None, point)
    assert without.lower == without.upper == pytest.approx(without.expected, rel=1e-12)


# ----- the optimiser follows the expectation -------------------------------------------------
@pytest.fixture(scope="module")
def skewed(tmp_path_factory: pytest.TempPathFactory) -> MarketingSimulator:
    """One segment, two channels, Hill slope 1; channel 0's point coefficient is its most likely value
    but its mean over the draws is 0.6x that: the point estimate over-rates it."""
    params = two_channel_draws(FACTORS, tuple(POINT_COEFFICIENT[0]))
    folder = write_model(tmp_path_factory.mktemp("skewed"), params)
    settings = SimulatorSettings(data_range=False, advice_confidence=0.0, min_uplift_share=0.0)  # the expectation alone
    return MarketingSimulator(params, ModelMetadata.load(folder), settings)


def closed_form(sim: MarketingSimulator, coefficient: np.ndarray, budget: float) -> np.ndarray:
    """Equal marginal ROI of c_i x / (x + k_i): c1 k1 / (x1 + k1)^2 = c2 k2 / (x2 + k2)^2, x1 + x2 = budget."""
    p = sim.params
    half = per_cell(p.half_saturation, p)[0]
    k = half * p.exposure_scale[0] * p.cpm / (1000.0 * p.carry_sum[0])
    root = np.sqrt(coefficient * k)
    first = root[0] * (budget + k.sum()) / root.sum() - k[0]
    return np.array([first, budget - first])


def _budget(sim: MarketingSimulator, multiple: float) -> float:
    return multiple * sum(sim.current_spend("BrandA", "CENTRAL").values())


@pytest.mark.parametrize("multiple", [0.5, 1.0, 2.0], ids=["half", "current", "double"])
def test_the_optimum_is_the_closed_form_of_the_expectation_not_of_the_point_estimate(
    skewed: MarketingSimulator, multiple: float
) -> None:
    budget = _budget(skewed, multiple)
    by_point = closed_form(skewed, POINT_COEFFICIENT[0], budget)
    by_mean = closed_form(skewed, POINT_COEFFICIENT[0] * FACTORS.mean(axis=0), budget)
    assert np.all(by_mean > 0) and by_mean[0] < 0.9 * by_point[0]  # the two answers really differ
    result = skewed.optimize_budget(budget, None, "BrandA", "CENTRAL")
    np.testing.assert_allclose(list(result.allocation.values()), by_mean, rtol=1e-3)
    assert result.objective == "expected" and not result.kept_current and result.mroi_spread < 1e-4


@pytest.mark.parametrize("multiple", [0.5, 1.0, 2.0], ids=["half", "current", "double"])
def test_the_point_objective_is_the_closed_form_of_the_point_estimate(
    skewed: MarketingSimulator, multiple: float
) -> None:
    """Without draws the point estimate is all there is, so nothing overrides its optimum."""
    budget = _budget(skewed, multiple)
    selection = dataclasses.replace(skewed.selection("BrandA", "CENTRAL"), draws=None)
    result = optimize_allocation(selection, budget, None, starts=2, objective=Objective.POINT)
    np.testing.assert_allclose(
        list(result.allocation.values()), closed_form(skewed, POINT_COEFFICIENT[0], budget), rtol=1e-3
    )
    assert result.uplift_lower == result.uplift_upper  # no draws: a point, not an interval


@pytest.mark.parametrize("multiple", [0.5, 1.0, 2.0], ids=["half", "current", "double"])
def test_a_point_optimum_that_loses_in_expectation_is_not_recommended(
    skewed: MarketingSimulator, multiple: float
) -> None:
    budget = _budget(skewed, multiple)
    by_point = closed_form(skewed, POINT_COEFFICIENT[0], budget)[None, :]
    today = skewed.scaled_current("BrandA", "CENTRAL", budget)
    draws = skewed.draw_set("BrandA", "CENTRAL")
    gain = float((draws.response(by_point) - draws.response(today)).sum(axis=(1, 2)).mean())
    result = skewed.optimize_budget(budget, None, "BrandA", "CENTRAL", objective="point")
    if gain > 0:  # it beats today's mix in expectation: it is the recommendation
        assert not result.kept_current
        np.testing.assert_allclose(list(result.allocation.values()), by_point[0], rtol=1e-3)
        assert result.expected_incremental_sales - result.current_incremental_sales == pytest.approx(gain, rel=1e-3)
    else:  # it would lose: today's mix is recommended, and one line says why
        assert result.kept_current and result.allocation == result.current_allocation
        assert (result.uplift, result.uplift_lower, result.uplift_upper, result.prob_beats_current) == (0, 0, 0, 0)
        assert result.warnings[0].startswith("no allocation beats today's mix in expectation (the best one found")
        assert f"{gain:+,.0f} INR" in result.warnings[0]


# ----- cautious advice: the step toward the optimum that does best in a bad case -----------------
#: Channel 0's coefficient spread evenly from 0.5x to 1.5x its point value: every draw agrees on the
#: direction of the move from today's mix, not on how far it should go.
SPREAD = np.stack([np.linspace(0.5, 1.5, 20), np.ones(20)], axis=1)


@pytest.fixture(scope="module")
def spread_out(skewed: MarketingSimulator, tmp_path_factory: pytest.TempPathFactory) -> MarketingSimulator:
    params = replace_params(skewed.params, slope_draws=np.ones((SPREAD.shape[0], 2)))
    params = coefficient_only_draws(params, SPREAD)
    folder = write_model(tmp_path_factory.mktemp("spread"), params)
    return MarketingSimulator(params, ModelMetadata.load(folder), skewed.settings)


def _cautious(sim: MarketingSimulator, confidence: float) -> MarketingSimulator:
    settings = SimulatorSettings(data_range=False, advice_confidence=confidence)
    return MarketingSimulator(sim.params, sim.metadata, settings)


def _steps_by_quantile(
    sim: MarketingSimulator, factors: np.ndarray, budget: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every step of the grid toward the expected optimum, and the 1 - confidence quantile of its uplift."""
    plan = closed_form(sim, POINT_COEFFICIENT[0] * factors.mean(axis=0), budget)[None, :]
    today = sim.scaled_current("BrandA", "CENTRAL", budget)
    draws = sim.draw_set("BrandA", "CENTRAL")
    steps = np.linspace(0.0, 1.0, CAUTIOUS_STEPS + 1)[1:]
    base = draws.response(today).sum(axis=(1, 2))
    gains = [draws.response(today + step * (plan - today)).sum(axis=(1, 2)) - base for step in steps]
    return steps, np.array([np.quantile(gain, 1.0 - confidence) for gain in gains])


@pytest.mark.parametrize("world", ["skewed", "spread_out"])
@pytest.mark.parametrize("multiple", [0.5, 1.0, 2.0], ids=["half", "current", "double"])
def test_cautious_advice_takes_the_step_that_does_best_in_a_bad_case(
    request: pytest.FixtureRequest, world: str, multiple: float
) -> None:
    """The advice is the plan with the highest 10% quantile of uplift, at least as high as the best grid
    step toward the expected optimum. ``skewed``: channel 0 is strong in half the draws and weak in the
    others, so every plan loses in many draws and today's mix is kept; ``spread_out``: every draw agrees
    on the direction, and the weak draws on a shorter move, so the advice goes part of the way."""
    sim: MarketingSimulator = request.getfixturevalue(world)
    factors = FACTORS if world == "skewed" else SPREAD
    budget = _budget(sim, multiple)
    expected = sim.optimize_budget(budget, None, "BrandA", "CENTRAL")  # advice_confidence 0: the optimum
    cautious = _cautious(sim, 0.9).optimize_budget(budget, None, "BrandA", "CENTRAL")
    steps, lows = _steps_by_quantile(sim, factors, budget, 0.9)
    if world == "skewed":
        assert lows.max() <= 0 and expected.prob_beats_current == 0.5
        assert cautious.kept_current and cautious.step == 0.0
        assert cautious.warnings[0].startswith("no allocation beats today's mix in 90% of posterior draws")
        assert cautious.allocation == cautious.current_allocation
        return
    best = float(steps[int(np.argmax(lows))])
    assert 0.2 < best < 0.9  # a real partial step
    assert 0.0 < cautious.step < 1.0 and not cautious.kept_current
    # Two channels and a fixed budget: every plan lies on the line through today's mix and the optimum.
    # The cautious plan is the point of it with the best bad case, found between the grid's steps, and
    # never worse there than the best grid step.
    assert cautious.step == pytest.approx(best, abs=1.0 / CAUTIOUS_STEPS)
    today = np.array(list(cautious.current_allocation.values()))
    optimum = np.array(list(expected.allocation.values()))
    recommended = np.array(list(cautious.allocation.values()))
    np.testing.assert_allclose(recommended, today + cautious.step * (optimum - today), rtol=1e-6)
    draws = sim.draw_set("BrandA", "CENTRAL")
    base = draws.response(today[None, :]).sum(axis=(1, 2))
    low = np.quantile(draws.response(recommended[None, :]).sum(axis=(1, 2)) - base, 0.1)
    assert low >= lows.max() - 1e-9 * abs(lows.max())
    assert cautious.prob_beats_current >= 0.9 and 0 < cautious.uplift < expected.uplift
    assert sum(cautious.allocation.values()) == pytest.approx(budget, rel=1e-9)
    assert any(
        line.startswith(
            "cautious advice: the recommendation is the plan whose uplift is largest at 90% confidence, the uplift it "
            "exceeds in 90% of posterior draws (simulator.advice_confidence), about"
        )
        and f"about {cautious.step:.0%} of the way" in line
        for line in cautious.warnings
    )
    assert not any("marginal ROIs of the free channels differ" in line for line in cautious.warnings)


def test_a_cautious_plan_a_hair_from_today_s_mix_is_today_s_mix(
    spread_out: MarketingSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a cautious plan 1e-7 of the way to the optimum was reported as a change (kept_current false)
    that "sells more in 97% of draws", by 0.0002 INR a week; now it is today's mix, and said so."""
    from mmm_analytics.simulator import optimizer

    def a_hair(self, baseline, line, line_bad_case):
        return baseline + 1e-7 * (line - baseline)

    monkeypatch.setattr(optimizer._Outcome, "_cautious_plan", a_hair)
    result = _cautious(spread_out, 0.9).optimize_budget(_budget(spread_out, 1.0), None, "BrandA", "CENTRAL")
    assert result.kept_current and result.step == 0.0 and result.prob_beats_current == 0.0
    assert result.allocation == result.current_allocation
    assert any(line.startswith("no allocation beats today's mix in 90% of posterior draws") for line in result.warnings)


def _worth(sim: MarketingSimulator, confidence: float, min_uplift: float, cautious: bool = True):
    settings = SimulatorSettings(data_range=False, advice_confidence=confidence, min_uplift_share=min_uplift)
    advised = MarketingSimulator(sim.params, sim.metadata, settings)
    return advised.optimize_budget(_budget(sim, 1.0), None, "BrandA", "CENTRAL", cautious=cautious)


def test_advice_that_adds_less_than_the_smallest_gain_worth_a_change_keeps_today_s_mix(
    spread_out: MarketingSimulator,
) -> None:
    """Before, any expected gain was advised: a plan adding 57 INR a week to a cell whose media sold 24,000
    was recommended, and under the truth it sold 3 INR a week less than today's mix (the benchmark's
    noise12 world). Now advice must add ``min_uplift_share`` of today's media sales; the frontier's optima
    (``cautious=False``) are what a budget could buy and keep every gain."""
    every_gain = _worth(spread_out, 0.0, 0.0)
    share = every_gain.uplift  # expected uplift over today's mix, a share of its expected media sales
    assert not every_gain.kept_current and 0.0 < share < 0.5
    enough = _worth(spread_out, 0.0, 0.99 * share)
    assert not enough.kept_current and enough.allocation == pytest.approx(every_gain.allocation, rel=1e-9)
    assert not any("worth a change" in line for line in enough.warnings)
    too_little = _worth(spread_out, 0.0, 1.01 * share)
    assert too_little.kept_current and too_little.allocation == too_little.current_allocation
    assert (too_little.uplift, too_little.uplift_lower, too_little.uplift_upper, too_little.prob_beats_current) == (
        0,
        0,
        0,
        0,
    )
    gain = every_gain.expected_incremental_sales - every_gain.current_incremental_sales
    assert too_little.warnings[0] == (
        f"no allocation adds enough to be worth a change (the best recommendation found adds "
        f"{numbers.grouped(gain, signed=True)} INR of expected weekly sales, {numbers.percent(share, 2)} of what "
        f"today's mix sells through media, under the {numbers.percent(1.01 * share, 2)} a change must bring), "
        "so today's mix is recommended (simulator.min_uplift_share)"
    )
    frontier = _worth(spread_out, 0.0, 1.01 * share, cautious=False)
    assert not frontier.kept_current
    assert frontier.allocation == pytest.approx(_worth(spread_out, 0.0, 0.0, cautious=False).allocation, rel=1e-9)


def test_a_cautious_plan_that_adds_too_little_goes_on_toward_the_optimum_while_it_still_wins(
    spread_out: MarketingSimulator,
) -> None:
    """The plan best at 90% confidence adds less than the bar: the advice takes the first step further toward the
    optimum that adds enough and still wins in 90% of draws (before the bar, that plan was the advice), or
    keeps today's mix when even the optimum adds too little, saying so."""
    cautious, optimum = _worth(spread_out, 0.9, 0.0), _worth(spread_out, 0.0, 0.0)
    assert 0.0 < cautious.step < 1.0 and 0.0 < cautious.uplift < optimum.uplift
    bar = (cautious.uplift + optimum.uplift) / 2
    further = _worth(spread_out, 0.9, bar)
    assert not further.kept_current and cautious.step < further.step < 1.0
    assert further.uplift >= bar and further.prob_beats_current >= 0.9
    assert any(
        line.startswith("cautious advice: the plan whose uplift is largest at 90% confidence adds ")
        and "so the recommendation goes on toward the expected optimum, about " in line
        for line in further.warnings
    )
    kept = _worth(spread_out, 0.9, 1.01 * optimum.uplift)
    assert kept.kept_current and kept.warnings[0].startswith("no allocation adds enough to be worth a change")
    optimum_gain = optimum.expected_incremental_sales - optimum.current_incremental_sales
    assert f"; the expected optimum's {numbers.grouped(optimum_gain, signed=True)} falls short too)" in kept.warnings[0]


def test_cautious_advice_is_the_optimum_where_every_draw_agrees(skewed: MarketingSimulator) -> None:
    """Draws that agree (channel 0 always at its mean strength): the optimum itself, whole."""
    certain = coefficient_only_draws(skewed.params, np.broadcast_to(FACTORS.mean(axis=0), FACTORS.shape).copy())
    sim = MarketingSimulator(certain, skewed.metadata, SimulatorSettings(data_range=False, advice_confidence=0.9))
    budget = _budget(skewed, 1.0)
    result = sim.optimize_budget(budget, None, "BrandA", "CENTRAL")
    by_mean = closed_form(skewed, POINT_COEFFICIENT[0] * FACTORS.mean(axis=0), budget)
    np.testing.assert_allclose(list(result.allocation.values()), by_mean, rtol=1e-3)
    assert result.step == 1.0 and result.prob_beats_current == 1.0
    assert not any(line.startswith("cautious advice") for line in result.warnings)


def test_cautious_step_never_moves_where_every_step_loses_in_a_bad_case(skewed: MarketingSimulator) -> None:
    draws = skewed.draw_set("BrandA", "CENTRAL")
    today = skewed.scaled_current("BrandA", "CENTRAL", _budget(skewed, 1.0))
    half_the_draws_lose = today * np.array([[0.5, 1.5]])
    gains = (draws.response(half_the_draws_lose) - draws.response(today)).sum(axis=(1, 2))
    assert np.mean(gains > 0) == 0.5
    steps = np.linspace(0.05, 1.0, 20)
    assert cautious_step(half_the_draws_lose, today, draws, 0.9, steps) == (0.0, 0.0)
    assert cautious_step(half_the_draws_lose, today, draws, 0.4, steps)[0] > 0.0  # at 60% it moves
    assert cautious_step(today, today, draws, 0.9, steps) == (0.0, 0.0)  # no move, no gain


def test_cautious_advice_leaves_the_line_to_the_optimum_for_a_surer_gain(tmp_path) -> None:
    """Three channels: one certain, one stronger on average but uncertain (log-sd 0.6 over the draws),
    one weak. The expected optimum moves the weak channel's money mostly to the uncertain one; the
    cautious plan gives more of it to the certain one. It lies off the line from today's mix to the
    optimum (by more than 5% of the budget) and its 10% quantile of uplift beats every step of that line."""
    rng = np.random.default_rng(0)
    base = build_params(n_brands=1, n_regions=1, n_channels=3, n_weeks=30, n_draws=40)
    params = replace_params(
        base, slope=np.ones(3), slope_draws=np.ones((40, 3)), coefficient=np.array([[30_000.0, 40_000.0, 8_000.0]])
    )
    factors = np.ones((40, 3))
    factors[:, 0] = np.exp(rng.normal(0.0, 0.03, 40))
    factors[:, 1] = np.exp(rng.normal(0.0, 0.6, 40))
    factors[:, 1] /= factors[:, 1].mean()
    params = coefficient_only_draws(params, factors)
    folder = write_model(tmp_path / "three", params)
    sim = MarketingSimulator(
        params, ModelMetadata.load(folder), SimulatorSettings(data_range=False, advice_confidence=0.9)
    )
    optimum = np.array(list(sim.optimize_budget(None, None, "BrandA", "CENTRAL", cautious=False).allocation.values()))
    result = sim.optimize_budget(None, None, "BrandA", "CENTRAL")
    today = np.array(list(result.current_allocation.values()))
    recommended = np.array(list(result.allocation.values()))
    assert not result.kept_current and 0.0 < result.step < 1.0
    assert recommended[0] > optimum[0] and recommended[1] < optimum[1] and recommended[2] < today[2]
    move = optimum - today
    on_line = today + (recommended - today) @ move / (move @ move) * move
    assert np.abs(recommended - on_line).max() > 0.05 * today.sum()
    draws = sim.draw_set("BrandA", "CENTRAL")
    base_sales = draws.response(today[None]).sum(axis=(1, 2))

    def bad_case(spend: np.ndarray) -> float:
        return float(np.quantile(draws.response(spend[None]).sum(axis=(1, 2)) - base_sales, 0.1))

    best_step = max(bad_case(today + step * move) for step in np.linspace(0.0, 1.0, CAUTIOUS_STEPS + 1)[1:])
    assert bad_case(recommended) > best_step > 0
    assert sum(result.allocation.values()) == pytest.approx(today.sum(), rel=1e-9)
    assert any(line.startswith("cautious advice: the recommendation is the plan") for line in result.warnings)


def _pooled_pair() -> tuple:
    """A Hill fit and a logistic fit of the same series (the pair the form choice could not tell apart)."""
    return build_params(saturation="hill", n_draws=12), build_params(saturation="logistic", n_draws=10)


def test_pooled_draws_stack_every_form_and_the_expectation_weighs_each_draw_once() -> None:
    hill, logistic = _pooled_pair()
    rows = np.array([0, 2])
    spend = hill.spend.mean(axis=1)[rows] * 0.9
    pooled = DrawSet.build(hill, rows, [logistic])
    parts = [DrawSet.build(hill, rows).response(spend), DrawSet.build(logistic, rows).response(spend)]
    assert pooled.n_draws == 22 and [p.family for p in pooled.parts] == ["hill", "logistic"]
    np.testing.assert_allclose(pooled.response(spend), np.concatenate(parts), rtol=1e-12)
    cells = ExpectedCells.build(ResponseSurface.from_params(hill).cells(rows), pooled)
    value, grad = cells.value_and_grad(spend)
    assert value == pytest.approx(np.concatenate(parts).sum(axis=(1, 2)).mean(), rel=1e-12)
    step = 1e-4 * spend
    for k, c in np.ndindex(spend.shape):
        up, down = spend.copy(), spend.copy()
        up[k, c] += step[k, c]
        down[k, c] -= step[k, c]
        slope = (cells.value_and_grad(up)[0] - cells.value_and_grad(down)[0]) / (2 * step[k, c])
        assert grad[k, c] == pytest.approx(slope, rel=1e-6)


def test_a_subset_of_pooled_draws_keeps_each_form_s_share() -> None:
    hill, logistic = _pooled_pair()
    rows = np.array([1])
    head = DrawSet.build(hill, rows, [logistic]).head(11)
    assert [p.n_draws for p in head.parts] == [6, 5] and head.n_draws == 11
    spend = hill.spend.mean(axis=1)[rows]
    full = DrawSet.build(hill, rows, [logistic]).response(spend)
    np.testing.assert_allclose(head.response(spend), np.concatenate([full[:6], full[12:17]]), rtol=1e-12)
