"""Levenberg-Marquardt polish and Laplace draws on the structured normal equations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import optimize

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.errors import InputError
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.posterior import (
    SeriesLeastSquares,
    _log_of_positive,
    _log_tangent,
    assign_theta,
    current_theta,
    laplace_draws,
    log_scale_weights,
    polish,
    residual_noise_scale,
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
    draws = laplace_draws(model, inputs, noise, 20_000, seed=3, problem=problem)
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


def test_laplace_draws_stay_where_the_posterior_is(panel) -> None:
    """Were the posterior exactly the Laplace Gaussian, a draw's objective would exceed the MAP's by
    half a chi-square with P degrees of freedom (median about P / 2). On the raw weights, a draw far
    along a weakly identified half-saturation (a softplus weight in its linear part) moved it by a
    fixed amount, toward zero or far above the exposures, where the data rule it out: the median
    excess was several times P / 2 and the ROI intervals ran far to one side. Tolerance: 2.5 x P / 2."""
    model = build_model(panel, fast_config().model.pinned("beta_gamma", "hill"))
    inputs = model_inputs(panel)
    problem = SeriesLeastSquares(model, inputs)
    noise = np.full(inputs.y.shape[0], 0.05)
    polish(model, inputs, noise, problem=problem)
    noise = residual_noise_scale(model, inputs)
    polish(model, inputs, noise, problem=problem)
    draws = laplace_draws(model, inputs, noise, 200, seed=5, problem=problem)
    centre = problem.cost(draws[0], noise)
    excess = np.array([problem.cost(draw, noise) - centre for draw in draws[1:]])
    print(np.median(excess), draws.shape[1] / 2)
    assert np.median(excess) <= 2.5 * draws.shape[1] / 2
