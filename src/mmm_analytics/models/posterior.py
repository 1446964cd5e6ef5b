"""The posterior mode and the Laplace approximation around it.

The Adam fit is polished to the exact MAP with Levenberg-Marquardt on the residuals, and the
Laplace approximation (a Gaussian around the MAP with the inverse Gauss-Newton Hessian as
covariance) gives every ROI, marginal ROI, contribution and curve its interval. Both work on
the structured normal equations of :mod:`~mmm_analytics.models.normal_equations`, whose cost
grows linearly with the number of series.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import keras
import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.models.inputs import ModelInputs
from mmm_analytics.models.mmm import MarketingMixModel, weight_key
from mmm_analytics.models.normal_equations import FlatWeights, SeriesLeastSquares
from mmm_analytics.response.carryover import CARRYOVER_FORMS
from mmm_analytics.response.links import Link, constrain
from mmm_analytics.response.saturation import SATURATION_FORMS

__all__ = [
    "FlatWeights",
    "PolishResult",
    "SeriesLeastSquares",
    "assign_theta",
    "current_theta",
    "laplace_draws",
    "polish",
    "residual_noise_scale",
    "weight_key",
]


def current_theta(model: keras.Model) -> np.ndarray:
    return FlatWeights.of(model).flatten([keras.ops.convert_to_numpy(v.value) for v in model.trainable_variables])


def assign_theta(model: keras.Model, theta: np.ndarray) -> None:
    for variable, value in zip(model.trainable_variables, FlatWeights.of(model).split(jnp.asarray(theta))):
        variable.assign(np.asarray(value))


def residual_noise_scale(model: MarketingMixModel, inputs: ModelInputs) -> np.ndarray:
    """Residual sd of each series over the training weeks (scaled units), shape (S,).

    Series differ in size, and so in the size of their weekly noise; each gets its own
    scale (degrees of freedom corrected for the fitted weights, shared evenly)."""
    predicted = keras.ops.convert_to_numpy(model(inputs.x)["sales"])
    mask = inputs.train_mask
    n_series = mask.shape[0]
    n_weights = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    dof = np.maximum(mask.sum(axis=1) - n_weights / n_series, 1.0)
    sse = (mask * (inputs.y - predicted) ** 2).sum(axis=1)
    return np.sqrt(sse / dof)


@dataclass(frozen=True, slots=True)
class PolishResult:
    """Where Levenberg-Marquardt stopped: weights, half the sum of squares, evaluations, why."""

    x: np.ndarray
    cost: float
    evaluations: int
    iterations: int
    message: str


def polish(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise_scale: np.ndarray,
    max_evaluations: int = 200,
    problem: SeriesLeastSquares | None = None,
    tolerance: float = 1e-10,
) -> PolishResult:
    """Refine the weights to the MAP with Levenberg-Marquardt (Marquardt's diagonal scaling,
    Nielsen's damping update) on the exact Gauss-Newton matrix (the posterior is too flat along
    some media directions for first-order steps to settle); updates ``model``.

    Stops when a step lowers the objective by less than ``tolerance`` (relative), when the
    step or the gradient vanishes, or after ``max_evaluations`` objective evaluations.
    """
    theta = current_theta(model)
    if not (np.isfinite(theta).all() and np.isfinite(noise_scale).all()):
        raise InputError(
            "training diverged: the model's weights are not finite after the Adam epochs; lower "
            "model_config.yaml key 'learning_rate' or check the panel for extreme values, then re-run 'mmm train'"
        )
    problem = problem or SeriesLeastSquares(model, inputs)
    normal = problem.normal_equations(theta, noise_scale)
    if not normal.is_finite:
        raise InputError(
            "training diverged: the objective or its derivatives are not finite at the fitted weights; check the "
            "panel for extreme values, or pin 'carryover' and 'saturation' in model_config.yaml, then re-run 'mmm train'"
        )
    damping, growth, evaluations, iterations, message = 1e-3, 2.0, 1, 0, "maximum evaluations reached"
    while evaluations < max_evaluations:
        gradient = max(
            float(np.abs(normal.gradient_own).max(initial=0.0)), float(np.abs(normal.gradient_rest).max(initial=0.0))
        )
        if gradient <= tolerance * max(normal.cost, 1e-300):
            message = "gradient vanished"
            break
        step_own, step_rest = normal.solve(damping)
        candidate = problem.combine(theta, step_own, step_rest)
        cost = problem.cost(candidate, noise_scale) if np.isfinite(candidate).all() else np.inf
        evaluations += 1
        predicted = normal.predicted_decrease(step_own, step_rest, damping)
        actual = normal.cost - cost
        # A step is taken only where it lowers the objective and its normal equations are finite
        # (far out in a flat direction a derivative can overflow where the objective does not).
        following = problem.normal_equations(candidate, noise_scale) if np.isfinite(cost) and actual > 0 else None
        if following is not None and following.is_finite:
            ratio = actual / predicted if predicted > 0 else 1.0
            damping *= max(1.0 / 3.0, 1.0 - (2.0 * ratio - 1.0) ** 3)
            growth = 2.0
            step_size = float(np.sqrt((step_own**2).sum() + (step_rest**2).sum()))
            theta, previous, normal = candidate, normal.cost, following
            iterations += 1
            if actual <= tolerance * previous:
                message = "objective converged"
                break
            if step_size <= tolerance * (tolerance + float(np.linalg.norm(theta))):
                message = "step vanished"
                break
        else:
            damping *= growth
            growth *= 2.0
            if damping > 1e16:
                message = "no step lowers the objective"
                break
    assign_theta(model, theta)
    return PolishResult(theta, normal.cost, evaluations, iterations, message)


def log_scale_weights(model: keras.Model) -> np.ndarray:
    """Which flat weights (P,) are the raw weights of a positive carryover or saturation parameter
    (half-saturation, slope, Weibull shape and scale: ``Link.POSITIVE``, a softplus of the raw weight).
    Their posterior is close to log-normal (the data pin ratios such as coefficient / half-saturation
    ** slope), so the Laplace approximation is taken on the log of the parameter, not on the raw weight."""
    names = {
        p.raw_name
        for registry in (CARRYOVER_FORMS, SATURATION_FORMS)
        for form in registry.values()
        for p in form.parameters
        if p.link is Link.POSITIVE
    }
    return np.concatenate(
        [np.full(int(np.prod(v.shape)), v.path.split("/")[-1] in names) for v in model.trainable_variables]
    )


#: Below this raw weight softplus(raw) = exp(raw) to float64 precision: the log of the parameter is the raw weight.
_EXP_REGION = -30.0


def _log_of_positive(raw: np.ndarray) -> np.ndarray:
    """log(softplus(raw)), elementwise (the log of a positive parameter from its raw weight)."""
    safe = np.maximum(raw, _EXP_REGION)
    return np.where(raw <= _EXP_REGION, raw, np.log(constrain(Link.POSITIVE, safe, np)))


def _raw_of_log(log_value: np.ndarray) -> np.ndarray:
    """The raw weight whose softplus is exp(log_value) (inverse of :func:`_log_of_positive`):
    log(expm1(v)) = v + log(1 - exp(-v)), v = exp(log_value)."""
    value = np.exp(np.clip(log_value, _EXP_REGION, 700.0))
    return np.where(log_value <= _EXP_REGION, log_value, value + np.log(-np.expm1(-value)))


def _log_tangent(raw: np.ndarray) -> np.ndarray:
    """d raw / d log(softplus(raw)) = v / (1 - exp(-v)), v = softplus(raw); 1 where v is tiny."""
    value = constrain(Link.POSITIVE, raw, np)
    return np.where(value < 1e-8, 1.0, value / -np.expm1(-np.maximum(value, 1e-8)))


def laplace_draws(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise_scale: np.ndarray,
    n_draws: int,
    seed: int,
    problem: SeriesLeastSquares | None = None,
) -> np.ndarray:
    """Draws of the flattened weights from the Laplace approximation at the MAP, (D, P).

    Covariance = inverse Gauss-Newton Hessian (J^T J)^-1 of the residuals, eigenvalues of the
    shared/brand/region block (after eliminating each series' own weights exactly) floored so
    flat directions stay finite. The Gaussian is taken over the log of every positive carryover and
    saturation parameter (:func:`log_scale_weights`) and over the other weights as they are; a draw
    along a weakly identified half-saturation then moves it by factors, as the data allow, instead of
    by a fixed amount that can drive it toward zero or far above the exposures. The first row is the
    centre itself.
    """
    problem = problem or SeriesLeastSquares(model, inputs)
    theta = current_theta(model)
    normal = problem.normal_equations(theta, noise_scale)
    centre = theta[problem.rest_weights]
    logged = log_scale_weights(model)[problem.rest_weights]
    tangent = np.ones(len(centre))  # d raw weight / d the variable the Gaussian is over
    tangent[logged] = _log_tangent(centre[logged])
    schur = normal.schur() * tangent[:, None] * tangent[None, :]
    eigenvalues, eigenvectors = np.linalg.eigh(schur)
    eigenvalues = np.maximum(eigenvalues, 1e-9 * max(float(eigenvalues.max(initial=0.0)), 1e-300))
    root = eigenvectors / np.sqrt(eigenvalues)  # covariance of the rest (log scale) = root @ root.T
    rng = np.random.default_rng(seed)
    step_log = rng.standard_normal((n_draws, len(eigenvalues))) @ root.T
    step_rest = step_log * tangent[None, :]  # the same step, to first order, in raw weights
    # Own weights given the rest: N(-own^-1 coupling step_rest, own^-1), one block per series.
    own = normal.own
    n_series, n_own = own.shape[:2]
    inverse = np.linalg.inv(own + 1e-12 * np.eye(n_own) * np.einsum("sll->s", own)[:, None, None])
    conditional = -np.einsum(
        "slm,dsm->dsl", inverse, (normal.coupling @ step_rest.T).T.reshape(n_draws, n_series, n_own)
    )
    chol = np.linalg.cholesky(0.5 * (inverse + np.swapaxes(inverse, 1, 2)))
    noise = np.einsum("slm,dsm->dsl", chol, rng.standard_normal((n_draws, n_series, n_own)))
    draws = np.repeat(theta[None, :], n_draws, axis=0)
    draws[:, problem.own_weights.ravel()] += (conditional + noise).reshape(n_draws, -1)
    rest = centre[None, :] + step_rest
    rest[:, logged] = _raw_of_log(_log_of_positive(centre[logged])[None, :] + step_log[:, logged])
    draws[:, problem.rest_weights] = rest
    draws[0] = theta
    return draws
