"""Levenberg-Marquardt polish and Laplace draws on the structured normal equations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.errors import InputError
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.posterior import (
    LaplaceMap,
    PosteriorDraws,
    SeriesLeastSquares,
    _log_of_positive,
    _log_tangent,
    assign_theta,
    current_theta,
    langevin,
    log_scale_weights,
    long_run_variance_factor,
    markets_summary,
    newey_west_lags,
    polish,
    posterior_draws,
    residual_noise_scale,
    training_residuals,
)
from mmm_analytics.models.training import build_model
from mmm_analytics.synthetic import generate_panel
from tests.models.conftest import fast_config, to_feature_panel
from tests.models.test_normal_equations import _dense, dense_residuals

#: The model config with one trend and yearly cycle shared by every series.
PLAIN_BASELINE = fast_config().model.model_copy(update={"series_baseline": False})


@pytest.fixture(scope="module")
def panel():
    generated = generate_panel(SyntheticSettings(seed=8, n_geos=2, n_brands=2, n_skus=1, n_weeks=48, noise_sd=0.05))
    return to_feature_panel(generated, fast_config())


def test_polish_reaches_the_least_squares_optimum(panel) -> None:
    """Same minimum as MINPACK's Levenberg-Marquardt on the dense Jacobian (the reference).

    One trend and cycle for all series: on this 48-week panel a trend and a yearly cycle per series
    leave a valley so flat that both solvers stop at different points of it (the own blocks of
    several weights are checked against the dense Jacobian in test_normal_equations)."""
    model = build_model(panel, PLAIN_BASELINE.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    noise = np.full(inputs.y.shape[0], 0.05)
    start = current_theta(model)
    residuals, jacobian = dense_residuals(model, inputs, noise)
    reference = optimize.least_squares(
        lambda t: np.asarray(residuals(t)),
        start,
        jac=lambda t: np.asarray(jacobian(t)),
        method="lm",
        x_scale="jac",
        max_nfev=400,
        ftol=1e-12,
        xtol=1e-12,
    )
    assign_theta(model, start)
    result = polish(model, inputs, noise, max_evaluations=400, tolerance=1e-12)
    # Tolerance: both stop within 1e-9 (relative) of the same minimum of half the sum of squares.
    assert result.cost == pytest.approx(reference.cost, rel=1e-7)
    assert result.cost <= reference.cost * (1 + 1e-9)
    np.testing.assert_allclose(current_theta(model), result.x)


def test_laplace_covariance_is_the_inverse_gauss_newton_matrix(panel) -> None:
    """On the raw weights, and on the log of the positive carryover and saturation parameters."""
    model = build_model(panel, PLAIN_BASELINE.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    noise = np.full(inputs.y.shape[0], 0.05)
    problem = SeriesLeastSquares(model, inputs)
    polish(model, inputs, noise, problem=problem)
    theta = current_theta(model)
    _, jac = _dense(model, inputs, theta, noise)
    covariance = np.linalg.inv(jac.T @ jac)
    draws = posterior_draws(model, inputs, noise, 20_000, seed=3, problem=problem).draws
    np.testing.assert_array_equal(draws[0], theta)
    # The Gaussian is over the log of the positive carryover and saturation parameters: there the
    # covariance is the inverse Gauss-Newton matrix divided by d raw / d log on each side.
    logged = log_scale_weights(model)
    assert logged.sum() >= 2  # half-saturation and slope of each channel
    tangent = np.where(logged, _log_tangent(theta), 1.0)
    covariance /= np.outer(tangent, tangent)
    draws = np.where(logged, _log_of_positive(draws), draws)
    sd = np.sqrt(np.diag(covariance))
    # Tolerance: with 20,000 draws an sd estimate is within about 3 x 0.5% of the truth.
    np.testing.assert_allclose(draws.std(axis=0), sd, rtol=0.03)
    correlation = covariance / np.outer(sd, sd)
    np.testing.assert_allclose(np.corrcoef(draws.T), correlation, atol=0.04)


class _OverflowingDerivatives(SeriesLeastSquares):
    """The problem with the derivatives poisoned (NaN) at every point but the first few: as when a
    derivative overflows far out in a flat direction while the objective stays finite."""

    finite_calls = 2

    def normal_equations(self, theta, noise):
        normal = super().normal_equations(theta, noise)
        self.finite_calls -= 1
        if self.finite_calls >= 0:
            return normal
        return dataclasses.replace(normal, rest=np.full_like(normal.rest, np.nan))


def test_polish_never_steps_where_the_derivatives_are_not_finite(panel) -> None:
    """Such a point once ended training in a LinAlgError; now the step is refused and the polish
    stops at the last point with finite normal equations, lower than the start."""
    model = build_model(panel, fast_config().model.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    noise = np.full(inputs.y.shape[0], 0.05)
    problem = _OverflowingDerivatives(model, inputs)
    start_cost = problem.cost(current_theta(model), noise)
    result = polish(model, inputs, noise, max_evaluations=30, problem=problem)
    assert np.isfinite(result.x).all() and np.isfinite(result.cost)
    assert result.cost < start_cost and result.iterations == 1
    assert result.message == "no step lowers the objective" or result.evaluations == 30
    np.testing.assert_allclose(current_theta(model), result.x)


def test_polish_reports_non_finite_derivatives_at_the_start_in_one_line(panel) -> None:
    model = build_model(panel, fast_config().model.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    problem = _OverflowingDerivatives(model, inputs)
    problem.finite_calls = 0
    with pytest.raises(InputError, match="training diverged: the objective or its derivatives are not finite"):
        polish(model, inputs, np.full(inputs.y.shape[0], 0.05), problem=problem)


def _gaussian_target(mean: np.ndarray, sd: np.ndarray):
    """The log density of independent normals and its gradient, for a batch of states (D, d)."""

    def value_and_gradient(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = (states - mean) / sd
        return -0.5 * (z**2).sum(axis=1), -z / sd

    return value_and_gradient


def test_langevin_moves_too_wide_draws_onto_the_target() -> None:
    """Draws three times too wide (as a Laplace Gaussian can be where the objective is steeper than
    quadratic) end with the target's mean and spread. Tolerance: with 4,000 chains a spread estimate
    is within about 3 x 1.1% of its value once the chains have reached the target; 10% allows for
    chains still on their way."""
    rng = np.random.default_rng(0)
    d = 20
    mean, sd = np.linspace(-1.0, 1.0, d), np.linspace(0.6, 1.2, d)
    start = 3.0 * rng.standard_normal((4000, d))
    result = langevin(_gaussian_target(mean, sd), start, steps=60, rng=rng)
    np.testing.assert_allclose(result.states.mean(axis=0), mean, atol=0.1)
    np.testing.assert_allclose(result.states.std(axis=0), sd, rtol=0.1)
    assert 0.4 < result.acceptance < 0.8  # the warm-up tuned the step toward 57% acceptance
    assert start.std() > 2.5  # the start was left as it was (a copy moved)


def test_langevin_leaves_draws_from_the_target_where_they_are() -> None:
    """Started on the target, the chains stay on it (the Metropolis correction keeps it invariant).
    Tolerance: 3 standard errors of the spread with 4,000 chains (1.1% each), on every coordinate."""
    rng = np.random.default_rng(1)
    d = 20
    mean, sd = np.zeros(d), np.linspace(0.5, 1.5, d)
    start = mean + sd * rng.standard_normal((4000, d))
    result = langevin(_gaussian_target(mean, sd), start, steps=30, rng=rng)
    np.testing.assert_allclose(result.states.std(axis=0), sd, rtol=0.045)


def test_chains_started_where_the_density_is_zero_move_off_it() -> None:
    """Before, a chain at a point of zero density (an objective that overflowed far in a tail) refused
    every proposal: +inf ratios were read as -inf, and the Laplace draw came back unchanged."""
    rng = np.random.default_rng(3)
    target = _gaussian_target(np.zeros(5), np.ones(5))

    def with_a_hole(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        value, gradient = target(states)
        hole = np.abs(states[:, 0]) > 4.0
        return np.where(hole, -np.inf, value), np.where(hole[:, None], 0.0, gradient)

    start = rng.standard_normal((200, 5))
    start[:20, 0] = 4.5  # in the hole: density zero
    result = langevin(with_a_hole, start, steps=30, rng=rng)
    assert np.abs(result.states[:, 0]).max() <= 4.0 and result.unmoved == 0.0


def test_chains_started_far_out_in_a_steep_tail_move_in() -> None:
    """Where the log density falls much faster than a Gaussian's (a quartic wall, as along a carryover
    shape the Laplace draws overshoot), a full Langevin drift overshoots and every proposal is refused:
    before, chains started beyond the wall never moved. The tamed drift brings them in."""
    rng = np.random.default_rng(4)
    d = 10

    def quartic(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wall = 200.0 * states[:, 0] ** 4 / 4.0
        gradient = -states.copy()
        gradient[:, 0] -= 200.0 * states[:, 0] ** 3
        return -0.5 * (states**2).sum(axis=1) - wall, gradient

    start = rng.standard_normal((400, d))
    start[:60, 0] = rng.uniform(1.5, 2.5, 60)
    result = langevin(quartic, start, steps=30, rng=rng)
    assert result.unmoved < 0.02
    assert np.abs(result.states[:, 0]).max() < 0.8  # the wall's bulk is within |x| < 0.5


def test_the_laplace_map_is_the_same_in_numpy_and_jax(panel) -> None:
    """One map from standard normals to weights serves the draws (NumPy) and the Langevin steps (JAX)."""
    import jax.numpy as jnp

    model = build_model(panel, fast_config().model.pinned("weibull", "hill"))
    inputs = model_inputs(panel)
    problem = SeriesLeastSquares(model, inputs)
    noise = np.full(inputs.y.shape[0], 0.05)
    polish(model, inputs, noise, problem=problem)
    laplace = LaplaceMap.of(model, problem, noise)
    normals = np.random.default_rng(2).standard_normal((5, laplace.n_normals))
    weights = laplace.weights(normals)
    dense = dataclasses.replace(laplace, coupling=laplace.coupling.toarray())
    frozen = dataclasses.replace(
        dense, **{f.name: jnp.asarray(getattr(dense, f.name)) for f in dataclasses.fields(dense)}
    )
    np.testing.assert_allclose(np.asarray(frozen.weights(jnp.asarray(normals), jnp)), weights, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(laplace.weights(np.zeros((1, laplace.n_normals)))[0], laplace.theta)


def test_langevin_steps_bring_the_laplace_draws_to_the_posterior(panel) -> None:
    """A Laplace draw's objective exceeds the MAP's by more than a posterior draw's would: the Gaussian
    is wider than the posterior where the objective is steeper than quadratic (carryover shapes, curve
    slopes). Were the posterior Gaussian, the excess would be half a chi-square with P degrees of
    freedom (median about P / 2); after the Langevin steps the median excess is within 25% of P / 2,
    and below the Laplace draws'. The MAP stays the first draw; the same seed gives the same draws.

    The Laplace draws themselves stay within 2.5 x P / 2: on the raw weights (before the Gaussian was
    taken over the log of the positive parameters) a draw far along a weakly identified
    half-saturation moved it by a fixed amount, toward zero or far above the exposures, where the
    data rule it out, and the median excess was several times P / 2."""
    model = build_model(panel, fast_config().model.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    problem = SeriesLeastSquares(model, inputs)
    noise = np.full(inputs.y.shape[0], 0.05)
    polish(model, inputs, noise, problem=problem)
    noise = residual_noise_scale(model, inputs)
    polish(model, inputs, noise, problem=problem)
    laplace = posterior_draws(model, inputs, noise, 200, seed=5, problem=problem)
    refined = posterior_draws(model, inputs, noise, 200, seed=5, problem=problem, steps=20)
    assert laplace.refinement is None and refined.refinement is not None
    np.testing.assert_array_equal(refined.draws[0], current_theta(model))
    centre = problem.cost(refined.draws[0], noise)

    def median_excess(draws: np.ndarray) -> float:
        return float(np.median([problem.cost(draw, noise) - centre for draw in draws[1:]]))

    half_p = refined.draws.shape[1] / 2
    assert median_excess(refined.draws) < median_excess(laplace.draws) <= 2.5 * half_p
    assert 0.75 * half_p < median_excess(refined.draws) < 1.25 * half_p
    assert 0.3 < refined.refinement.acceptance < 0.85 and refined.refinement.unmoved < 0.02
    summary = refined.summary()
    assert summary["method"] == "laplace+langevin" and summary["draws"] == 200
    again = posterior_draws(model, inputs, noise, 200, seed=5, problem=problem, steps=20)
    np.testing.assert_array_equal(again.draws, refined.draws)


def test_the_objective_function_is_the_cost(panel) -> None:
    """The JAX objective the Langevin steps differentiate equals the cost the polish minimises."""
    model = build_model(panel, fast_config().model.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    problem = SeriesLeastSquares(model, inputs)
    noise = np.full(inputs.y.shape[0], 0.07)
    theta = current_theta(model) + 0.01
    assert float(problem.objective(noise)(theta)) == pytest.approx(problem.cost(theta, noise), rel=1e-12)


def test_markets_summary_says_how_the_markets_draws_were_made() -> None:
    """Before, a model fitted per market had no draws row in its top-level training table."""
    laplace = {"method": "laplace", "draws": 400, "steps": 0}
    moved = {"method": "laplace+langevin", "draws": 400, "steps": 20, "acceptance": 0.5, "unmoved": 0.1, "seconds": 2.0}
    other = moved | {"acceptance": 0.7, "unmoved": 0.3, "seconds": 3.0}
    assert markets_summary([laplace, laplace]) == laplace
    both = markets_summary([moved, other])
    assert both == {
        "method": "laplace+langevin",
        "draws": 400,
        "steps": 20,
        "acceptance": pytest.approx(0.6, abs=1e-12),
        "unmoved": pytest.approx(0.2, abs=1e-12),
        "seconds": pytest.approx(5.0, abs=1e-12),
    }
    some = markets_summary([moved, laplace, other])
    assert (some["markets_with_steps"], some["markets"]) == (2, 3)


# --- the residuals' autocorrelation ---------------------------------------------------------


def _ar1(rho: float, n_series: int, n_weeks: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal((n_series, n_weeks))
    out = np.empty_like(shocks)
    out[:, 0] = shocks[:, 0] / np.sqrt(1.0 - rho**2)
    for week in range(1, n_weeks):
        out[:, week] = rho * out[:, week - 1] + shocks[:, week]
    return out


def test_newey_west_lags_grow_slowly_with_the_weeks() -> None:
    assert [newey_west_lags(n) for n in (1, 52, 100, 143, 156, 520)] == [1, 3, 4, 4, 4, 5]


def test_independent_weeks_count_in_full() -> None:
    """White noise: the factor is 1 up to the sampling noise of the autocorrelations (72 series x 143 weeks:
    each rho_k within about 3 x 0.01, the factor within 1 + 2 x 4 x 0.01 x 3 / 2)."""
    factor = long_run_variance_factor(_ar1(0.0, 72, 143, seed=1), np.ones((72, 143)))
    assert 1.0 <= factor < 1.12


@pytest.mark.parametrize("rho", [0.3, 0.6])
def test_residuals_that_drift_together_count_as_fewer_weeks(rho: float) -> None:
    """AR(1) residuals: the Bartlett sum of rho ** k over 4 lags (the autocorrelation estimates fall short of
    rho ** k by about (1 + rho) / (1 - rho) / T each, so 8% of the excess is allowed)."""
    expected = 1.0 + 2.0 * sum((1.0 - k / 5.0) * rho**k for k in range(1, 5))
    factor = long_run_variance_factor(_ar1(rho, 200, 143, seed=2), np.ones((200, 143)))
    assert factor == pytest.approx(expected, rel=0.08)


def test_weeks_outside_the_mask_and_series_without_two_weeks_are_left_out() -> None:
    residuals = _ar1(0.6, 50, 143, seed=3)
    mask = np.ones_like(residuals)
    full = long_run_variance_factor(residuals, mask)
    mask[:, 130:] = 0.0  # holdout weeks: whatever they hold does not count
    poisoned = residuals.copy()
    poisoned[:, 130:] = 1e6
    assert long_run_variance_factor(poisoned, mask) == pytest.approx(full, rel=0.05)
    mask_one = np.vstack([mask, np.eye(1, 143)])  # a series of one week adds nothing
    assert long_run_variance_factor(np.vstack([poisoned, np.full((1, 143), 1e6)]), mask_one) == pytest.approx(
        long_run_variance_factor(poisoned, mask), rel=1e-12
    )
    assert long_run_variance_factor(residuals, np.zeros_like(mask)) == 1.0
    assert long_run_variance_factor(np.ones((3, 10)), np.ones((3, 10))) == 1.0  # nothing left about the mean


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 40)), elements=st.floats(-1e6, 1e6)),
    st.integers(1, 8),
)
def test_the_factor_is_finite_and_at_least_one(residuals: np.ndarray, lags: int) -> None:
    mask = (np.arange(residuals.size).reshape(residuals.shape) % 7 != 3).astype(float)
    factor = long_run_variance_factor(residuals, mask, lags)
    assert np.isfinite(factor) and factor >= 1.0
    assert factor <= 1.0 + 2.0 * lags  # no autocorrelation exceeds 1


def test_autocorrelated_residuals_widen_the_draws_as_a_larger_noise_would(panel) -> None:
    """The draws with ``autocorrelation`` are the draws at the noise scale times sqrt(factor), MAP unchanged;
    a slow drift the model cannot follow (a random walk of 10% steps) makes the factor exceed 1."""
    walk = np.cumsum(np.random.default_rng(0).standard_normal(panel.sales.shape), axis=-1)
    drifting = dataclasses.replace(panel, sales=panel.sales * np.exp(0.1 * walk))
    model = build_model(drifting, PLAIN_BASELINE.pinned("beta_gamma", "hill"))
    inputs = model_inputs(drifting)
    problem = SeriesLeastSquares(model, inputs)
    polish(model, inputs, np.full(inputs.y.shape[0], 0.05), problem=problem)
    noise = residual_noise_scale(model, inputs)
    factor = long_run_variance_factor(training_residuals(model, inputs), inputs.train_mask)
    assert factor > 1.2
    widened = posterior_draws(model, inputs, noise, 300, seed=4, problem=problem, autocorrelation=True)
    scaled = posterior_draws(model, inputs, noise * np.sqrt(factor), 300, seed=4, problem=problem)
    plain = posterior_draws(model, inputs, noise, 300, seed=4, problem=problem)
    np.testing.assert_allclose(widened.draws, scaled.draws, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(widened.draws[0], plain.draws[0])
    assert widened.draws[1:].std(axis=0).mean() > plain.draws[1:].std(axis=0).mean()
    said = {"method": "laplace", "draws": 300, "steps": 0, "autocorrelation": round(factor, 4)}
    assert widened.summary() == said | {"widened": 1}
    assert plain.summary() == said | {"widened": 0}  # measured and said, not applied


def test_markets_summary_keeps_the_widest_autocorrelation_factor() -> None:
    one = PosteriorDraws(np.zeros((2, 1)), autocorrelation=1.5, widened=True).summary()
    two = PosteriorDraws(np.zeros((2, 1)), autocorrelation=1.2, widened=True).summary()
    white = PosteriorDraws(np.zeros((2, 1)), autocorrelation=1.0, widened=True).summary()
    assert white == {"method": "laplace", "draws": 2, "steps": 0}
    assert markets_summary([one, two, white]) == white | {"autocorrelation": 1.5, "widened": 1}
    assert markets_summary([white, white]) == white
