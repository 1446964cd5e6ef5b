"""The structured normal equations against the dense Jacobian of every residual (the reference)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.normal_equations import SeriesLeastSquares
from mmm_analytics.models.posterior import current_theta, weight_key
from mmm_analytics.models.training import build_model
from mmm_analytics.synthetic import generate_panel
from tests.models.conftest import fast_config, to_feature_panel

#: Each carryover and saturation family once, with and without lift tests.
CASES = [("beta_gamma", "hill", False), ("weibull", "logistic", True), ("geometric", "sigmoid", True)]


@pytest.fixture(scope="module")
def panel():
    generated = generate_panel(SyntheticSettings(seed=5, n_geos=3, n_brands=2, n_skus=1, n_weeks=48, noise_sd=0.05))
    return to_feature_panel(generated, fast_config())


def _lift_tests(panel) -> LiftTests:
    n_series, n_weeks = panel.sales.shape
    series = np.zeros((2, n_series))
    series[0, :3] = 1.0
    series[1] = 1.0
    weeks = np.zeros((2, n_weeks))
    weeks[0, 10:18] = 1.0
    weeks[1, 30:38] = 1.0
    return LiftTests(np.array([0, 2]), series, weeks, np.array([2.0e6, 5.0e5]), np.array([3.0e5, 1.0e5]), ("a", "b"))


def _perturbed(model, seed: int) -> np.ndarray:
    theta = current_theta(model)
    return theta + 0.05 * np.random.default_rng(seed).standard_normal(theta.size)


def dense_residuals(model, inputs, noise):
    """Every residual as one vector of the flat weights, and its dense Jacobian (jacfwd), both
    jit-compiled: the reference the structured equations must match."""
    from mmm_analytics.models.normal_equations import FlatWeights

    flat = FlatWeights.of(model)
    non_trainable = [v.value for v in model.non_trainable_variables]
    x = {k: jnp.asarray(v) for k, v in inputs.x.items()}

    def residuals(t):
        trainable = flat.split(t)
        out = model.stateless_call(trainable, non_trainable, x)[0]
        fit = jnp.sqrt(inputs.train_mask) * (inputs.y - out["sales"]) / noise[:, None]
        with keras.StatelessScope(state_mapping=list(zip(model.trainable_variables, trainable))):
            evidence = model.prior_residuals(out["media"])
        return jnp.concatenate([fit.reshape(-1), evidence])

    return jax.jit(residuals), jax.jit(jax.jacfwd(residuals))


def _dense(model, inputs, theta, noise):
    """The residuals and their dense Jacobian at ``theta``, as NumPy arrays."""
    residuals, jacobian = dense_residuals(model, inputs, noise)
    t = jnp.asarray(theta)
    return np.asarray(residuals(t)), np.asarray(jacobian(t))


@pytest.mark.parametrize(("carryover", "saturation", "with_lift"), CASES, ids=lambda f: str(f))
def test_matches_the_dense_jacobian(panel, carryover, saturation, with_lift) -> None:
    config = fast_config().model.pinned(carryover, saturation)
    model = build_model(panel, config, lift_tests=_lift_tests(panel) if with_lift else None)
    inputs = model_inputs(panel)
    theta = _perturbed(model, 1)
    noise = np.linspace(0.03, 0.08, inputs.y.shape[0])
    residuals, jac = _dense(model, inputs, theta, noise)
    # Chunks smaller than the panel, with padding in the last one, must not change anything.
    problem = SeriesLeastSquares(model, inputs, chunk_series=4)
    normal = problem.normal_equations(theta, noise)
    hessian, gradient = jac.T @ jac, jac.T @ residuals
    own, rest = problem.own_weights.ravel(), problem.rest_weights
    scale = np.abs(hessian).max()
    # Tolerance: float64 round-off of sums over about 10^3 rows, relative to the largest entry.
    np.testing.assert_allclose(normal.rest, hessian[np.ix_(rest, rest)], atol=1e-9 * scale)
    own_blocks = problem.own_weights  # (S, L): each series' own weights (intercept, own trend and cycle)
    np.testing.assert_allclose(normal.own, hessian[own_blocks[:, :, None], own_blocks[:, None, :]], atol=1e-9 * scale)
    np.testing.assert_allclose(normal.coupling.toarray(), hessian[np.ix_(own, rest)], atol=1e-9 * scale)
    np.testing.assert_allclose(normal.gradient_rest, gradient[rest], atol=1e-9 * np.abs(gradient).max())
    np.testing.assert_allclose(normal.gradient_own, gradient[own_blocks], atol=1e-9 * np.abs(gradient).max())
    assert normal.cost == pytest.approx(0.5 * residuals @ residuals, rel=1e-10)
    assert problem.cost(theta, noise) == pytest.approx(normal.cost, rel=1e-10)
    # The own-own block is block-diagonal in the dense matrix too: no two series share an own weight.
    series_of = np.repeat(np.arange(own_blocks.shape[0]), own_blocks.shape[1])
    across = series_of[:, None] != series_of[None, :]
    assert np.abs(hessian[np.ix_(own, own)][across]).max(initial=0.0) <= 1e-12 * scale


def test_schur_step_solves_the_full_system(panel) -> None:
    model = build_model(panel, fast_config().model.pinned("weibull", "hill"))
    inputs = model_inputs(panel)
    theta = _perturbed(model, 2)
    noise = np.full(inputs.y.shape[0], 0.05)
    residuals, jac = _dense(model, inputs, theta, noise)
    problem = SeriesLeastSquares(model, inputs)
    normal = problem.normal_equations(theta, noise)
    step_own, step_rest = normal.solve(damping=1e-2)
    hessian = jac.T @ jac
    damped = hessian + 1e-2 * np.diag(np.maximum(np.diag(hessian), 1e-12 * np.diag(hessian).max()))
    expected = np.linalg.solve(damped, -jac.T @ residuals)
    step = problem.combine(np.zeros_like(theta), step_own, step_rest)
    np.testing.assert_allclose(step, expected, rtol=1e-6, atol=1e-8 * np.abs(expected).max())


def test_without_lift_tests_is_the_plain_model_s_problem_on_the_same_compiled_fit(panel) -> None:
    config = fast_config().model.pinned("beta_gamma", "hill")
    calibrated = build_model(panel, config, lift_tests=_lift_tests(panel))
    plain_model = build_model(panel, config)
    inputs = model_inputs(panel)
    theta = _perturbed(calibrated, 3)
    noise = np.full(inputs.y.shape[0], 0.05)
    problem = SeriesLeastSquares(calibrated, inputs)
    with_tests = problem.normal_equations(theta, noise)
    plain = problem.without_lift_tests()
    normal = plain.normal_equations(theta, noise)
    reference = SeriesLeastSquares(plain_model, inputs).normal_equations(theta, noise)
    # The large compiled pieces are shared, not compiled again.
    assert plain._normal_chunk is problem._normal_chunk and plain._cost_chunk is problem._cost_chunk
    # Same objective as a model built without the tests (float64 round-off), and not the calibrated one.
    assert normal.cost == pytest.approx(reference.cost, rel=1e-10)
    assert plain.cost(theta, noise) == pytest.approx(reference.cost, rel=1e-10)
    assert with_tests.cost > reference.cost * (1 + 1e-6)
    scale = np.abs(reference.rest).max()
    np.testing.assert_allclose(normal.rest, reference.rest, atol=1e-9 * scale)
    np.testing.assert_allclose(
        normal.gradient_rest, reference.gradient_rest, atol=1e-9 * np.abs(reference.gradient_rest).max()
    )
    # The calibrated problem still reads its tests.
    assert problem.normal_equations(theta, noise).cost == pytest.approx(with_tests.cost, rel=1e-12)


def test_moving_the_shared_trend_into_every_series_is_not_free(panel) -> None:
    """Each series' own trend and yearly cycle sit on top of the shared ones: shifting the shared
    weights by delta and every series' own by -delta predicts the same sales. Without a prior on
    the series' own weights that direction was flat, and on a 4,000-series panel the fit drifted
    along it to shared weights of -4e4. The Normal(0, series_sd) prior makes it cost
    0.5 * S * delta**2 / series_sd**2 per calendar term."""
    from mmm_analytics.models.inputs import SERIES_CONTROLS

    config = fast_config().model.pinned("beta_gamma", "hill")
    model = build_model(panel, config)
    inputs = model_inputs(panel)
    assert model.baseline.n_series_controls == len(SERIES_CONTROLS)
    problem = SeriesLeastSquares(model, inputs)
    theta = current_theta(model)
    delta = 0.3
    moved = theta.copy()
    # The shared controls are whitened: the shift of their weights that moves the shared index
    # as the series' calendar terms move it (exact: the terms are in the controls' span).
    shared, own = inputs.x["controls"], inputs.x["series_controls"]
    target = (own @ np.full(own.shape[-1], delta)).ravel()
    shift = np.linalg.lstsq(shared.reshape(-1, shared.shape[-1]).astype(np.float64), target, rcond=None)[0]
    for key, part in zip((weight_key(v) for v in model.trainable_variables), problem.flat.parts(np.arange(theta.size))):
        if key == "baseline/control_effect":
            moved[part] += shift
        elif key == "baseline/series_effect":
            moved[part] -= delta
    noise = np.full(inputs.y.shape[0], 0.05)
    residuals, _ = dense_residuals(model, inputs, noise)
    n_fit = inputs.y.size
    before, after = np.asarray(residuals(jnp.asarray(theta))), np.asarray(residuals(jnp.asarray(moved)))
    # The same predictions, so the same fit residuals (to the float32 inputs' round-off: 1e-5
    # noise scales is 5e-7 of a series' mean sales).
    np.testing.assert_allclose(after[:n_fit], before[:n_fit], atol=1e-5)
    sd = config.priors.shrinkage.series_sd
    expected = 0.5 * inputs.y.shape[0] * len(SERIES_CONTROLS) * delta**2 / sd**2
    # Tolerance: the fit residuals' round-off above moves the fit's sum of squares by < 1e-3.
    assert problem.cost(moved, noise) - problem.cost(theta, noise) == pytest.approx(expected, rel=1e-4)
    # The Keras loss (the Adam fit's) and the structured problem agree on the whole objective.
    assert 0.5 * float(after @ after) == pytest.approx(problem.cost(moved, noise), rel=1e-10)
