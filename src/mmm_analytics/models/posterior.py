"""The model's negative log posterior as a pure JAX function of its flattened weights.

Used to polish the Adam fit to the exact MAP (Levenberg-Marquardt on the residuals) and
for the Laplace approximation (Gaussian around the MAP with the inverse Gauss-Newton
Hessian as covariance) that gives every ROI, marginal ROI, contribution and curve its
interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import keras
import numpy as np
from scipy import optimize

from mmm_analytics.errors import InputError
from mmm_analytics.models.inputs import ModelInputs
from mmm_analytics.models.mmm import MarketingMixModel

type Residuals = Callable[[jnp.ndarray], jnp.ndarray]


@dataclass(frozen=True, slots=True)
class FlatWeights:
    """Trainable weights as one float64 vector, and the shapes to split it again."""

    shapes: tuple[tuple[int, ...], ...]
    dtype: str

    @classmethod
    def of(cls, model: keras.Model) -> FlatWeights:
        return cls(tuple(tuple(v.shape) for v in model.trainable_variables), keras.config.floatx())

    def flatten(self, values: list) -> np.ndarray:
        return np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values])

    def split(self, theta):
        """One flat vector (P,) -> the list of weight arrays."""
        return [part.reshape(shape).astype(self.dtype) for part, shape in zip(self.parts(theta), self.shapes)]

    def split_rows(self, thetas: np.ndarray) -> list[np.ndarray]:
        """Rows of flat vectors (D, P) -> one array (D, *shape) per weight."""
        return [part.reshape((len(thetas), *shape)) for part, shape in zip(self.parts(thetas), self.shapes)]

    def parts(self, values):
        """Slices of the last axis, one per weight."""
        out, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape)) if shape else 1
            out.append(values[..., start : start + size])
            start += size
        return out


def residual_function(model: MarketingMixModel, inputs: ModelInputs) -> tuple[Residuals, FlatWeights]:
    """r(theta): training residuals (scaled sales units, series-major) followed by the prior
    z-scores; :class:`CompiledResiduals` divides the fit part by each series' noise scale."""
    flat = FlatWeights.of(model)
    non_trainable = [v.value for v in model.non_trainable_variables]
    x = {k: jnp.asarray(v) for k, v in inputs.x.items()}
    y, mask = jnp.asarray(inputs.y), jnp.asarray(inputs.train_mask)

    def r(theta):
        trainable = flat.split(theta)
        y_pred, _ = model.stateless_call(trainable, non_trainable, x)
        with keras.StatelessScope(state_mapping=list(zip(model.trainable_variables, trainable))):
            return model.residuals(y, y_pred, mask, 1.0)

    return r, flat


def weight_key(variable: keras.Variable) -> str:
    """A weight's layer and name (``"adstock/beta_logit"``), the same in every model instance."""
    return "/".join(variable.path.split("/")[-2:])


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
class CompiledResiduals:
    """Jit-compiled residuals and their Jacobian; the noise scale is an argument so one
    compilation serves the polish and the Laplace step."""

    residuals: Callable
    jacobian: Callable

    @classmethod
    def of(cls, model: MarketingMixModel, inputs: ModelInputs) -> CompiledResiduals:
        r, _ = residual_function(model, inputs)
        # Fit residuals (series-major, (S, T) flattened) scale with 1 / noise_scale of their
        # series; the prior z-scores do not.
        n_series, n_weeks = inputs.y.shape
        n_fit = n_series * n_weeks

        def scaled(theta, noise_scale):
            values = r(theta)
            fit = (values[:n_fit].reshape(n_series, n_weeks) / noise_scale[:, None]).reshape(-1)
            return jnp.concatenate([fit, values[n_fit:]])

        return cls(jax.jit(scaled), jax.jit(jax.jacfwd(scaled)))


def polish(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise_scale: np.ndarray,
    max_evaluations: int = 200,
    compiled: CompiledResiduals | None = None,
) -> optimize.OptimizeResult:
    """Refine the weights to the MAP with Levenberg-Marquardt on the exact JAX Jacobian of
    the residuals (the posterior is too flat along some media directions for first-order
    steps to settle); updates ``model``."""
    start = current_theta(model)
    if not (np.isfinite(start).all() and np.isfinite(noise_scale).all()):
        raise InputError(
            "training diverged: the model's weights are not finite after the Adam epochs; lower "
            "model_config.yaml key 'learning_rate' or check the panel for extreme values, then re-run 'mmm train'"
        )
    compiled = compiled or CompiledResiduals.of(model, inputs)
    residuals = lambda theta: compiled.residuals(theta, jnp.asarray(noise_scale))
    jacobian = lambda theta: compiled.jacobian(theta, jnp.asarray(noise_scale))
    result = optimize.least_squares(
        lambda theta: np.asarray(residuals(jnp.asarray(theta)), dtype=np.float64),
        start,
        jac=lambda theta: np.asarray(jacobian(jnp.asarray(theta)), dtype=np.float64),
        method="lm",
        x_scale="jac",
        max_nfev=max_evaluations,
        ftol=1e-10,
        xtol=1e-10,
        gtol=1e-10,
    )
    assign_theta(model, result.x)
    return result


def laplace_draws(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise_scale: np.ndarray,
    n_draws: int,
    seed: int,
    compiled: CompiledResiduals | None = None,
) -> np.ndarray:
    """Draws of the flattened weights from the Laplace approximation at the MAP, (D, P).

    Covariance = inverse Gauss-Newton Hessian (J^T J)^-1 of the residuals, eigenvalues
    floored so flat directions stay finite. The first row is the MAP itself.
    """
    compiled = compiled or CompiledResiduals.of(model, inputs)
    theta = current_theta(model)
    jac = np.asarray(compiled.jacobian(jnp.asarray(theta), jnp.asarray(noise_scale)), dtype=np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(jac.T @ jac)
    eigenvalues = np.maximum(eigenvalues, 1e-9 * eigenvalues.max())
    root = eigenvectors / np.sqrt(eigenvalues)  # covariance = root @ root.T
    normal = np.random.default_rng(seed).standard_normal((n_draws, theta.size))
    draws = theta + normal @ root.T
    draws[0] = theta
    return draws
