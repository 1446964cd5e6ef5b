"""The posterior mode, the Laplace approximation around it, and Langevin steps toward the posterior.

The Adam fit is polished to the exact MAP with Levenberg-Marquardt on the residuals; the Laplace
approximation (a Gaussian around the MAP with the inverse Gauss-Newton Hessian as covariance)
gives the first draws, and Metropolis-adjusted Langevin steps on the exact posterior move them
where the Gaussian is off; the draws give every ROI, marginal ROI, contribution and curve its
interval. The polish and the Laplace work on the structured normal equations of
:mod:`~mmm_analytics.models.normal_equations`, whose cost grows linearly with the number of series.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np

from mmm_analytics.errors import InputError
from mmm_analytics.models.inputs import ModelInputs
from mmm_analytics.models.mmm import MarketingMixModel, weight_key
from mmm_analytics.models.normal_equations import FlatWeights, SeriesLeastSquares, equal_part
from mmm_analytics.response.carryover import CARRYOVER_FORMS, Array
from mmm_analytics.response.links import Link, constrain
from mmm_analytics.response.saturation import SATURATION_FORMS

__all__ = [
    "FlatWeights",
    "Langevin",
    "LaplaceMap",
    "PolishResult",
    "PosteriorDraws",
    "SeriesLeastSquares",
    "assign_theta",
    "current_theta",
    "langevin",
    "long_run_variance_factor",
    "markets_summary",
    "polish",
    "posterior_draws",
    "residual_noise_scale",
    "weight_key",
]


def current_theta(model: keras.Model) -> np.ndarray:
    return FlatWeights.of(model).flatten([keras.ops.convert_to_numpy(v.value) for v in model.trainable_variables])


def assign_theta(model: keras.Model, theta: np.ndarray) -> None:
    for variable, value in zip(model.trainable_variables, FlatWeights.of(model).split(jnp.asarray(theta))):
        variable.assign(np.asarray(value))


def training_residuals(model: MarketingMixModel, inputs: ModelInputs) -> np.ndarray:
    """Sales less the model's fit (scaled units), (S, T), zero outside the training weeks."""
    predicted = keras.ops.convert_to_numpy(model(inputs.x)["sales"])
    return np.asarray(inputs.train_mask * (inputs.y - predicted), dtype=np.float64)


def residual_noise_scale(model: MarketingMixModel, inputs: ModelInputs) -> np.ndarray:
    """Residual sd of each series over the training weeks (scaled units), shape (S,).

    Series differ in size, and so in the size of their weekly noise; each gets its own
    scale (degrees of freedom corrected for the fitted weights, shared evenly)."""
    mask = inputs.train_mask
    n_series = mask.shape[0]
    n_weights = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    dof = np.maximum(mask.sum(axis=1) - n_weights / n_series, 1.0)
    sse = (training_residuals(model, inputs) ** 2).sum(axis=1)
    return np.sqrt(sse / dof)


def newey_west_lags(n_weeks: int) -> int:
    """Lags of the long-run variance over ``n_weeks`` weeks: floor(4 (T / 100) ** (2 / 9)), Newey and West's rule
    (4 for two to three years of weeks)."""
    return max(int(4.0 * (max(n_weeks, 1) / 100.0) ** (2.0 / 9.0)), 1)


def long_run_variance_factor(residuals: np.ndarray, mask: np.ndarray, lags: int | None = None) -> float:
    """How many weeks' worth of evidence each week of the residuals is short of: the ratio of their long-run
    variance to their variance, ``1 + 2 sum_k (1 - k / (L + 1)) rho_k`` over lags k = 1..L (Bartlett weights;
    ``L`` by :func:`newey_west_lags` of the longest series by default).

    ``residuals`` (S, T) in any units, ``mask`` (S, T) 1 on the weeks that count; ``rho_k`` is the lag-k
    autocorrelation of each series' residuals about their mean over those weeks (pairs of weeks that both
    count), averaged over the series with two or more of them. Residuals that drift together week to week
    (a slow driver the model lacks) carry fewer independent weeks than they number, and the factor says by
    how much; it is at least 1, since residuals that alternate in sign are read as independent weeks, not as
    more. Returns 1 where no series has two weeks.
    """
    mask = np.asarray(mask, dtype=np.float64) > 0
    values = np.where(mask, np.asarray(residuals, dtype=np.float64), 0.0)
    counts = mask.sum(axis=1)
    centred = np.where(mask, values - values.sum(axis=1, keepdims=True) / np.maximum(counts, 1)[:, None], 0.0)
    variance = (centred**2).sum(axis=1)
    usable = (counts >= 2) & (variance > 0)
    if not usable.any():
        return 1.0
    n_lags = newey_west_lags(int(counts.max())) if lags is None else lags
    factor = 1.0
    for lag in range(1, min(n_lags, values.shape[1] - 1) + 1):
        products = (centred[:, lag:] * centred[:, :-lag]).sum(axis=1)
        rho = float(np.mean(products[usable] / variance[usable]))
        factor += 2.0 * (1.0 - lag / (n_lags + 1.0)) * rho
    return max(factor, 1.0)


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


def _log_of_positive(raw: Any, xp: Any = np) -> Any:
    """log(softplus(raw)), elementwise (the log of a positive parameter from its raw weight)."""
    safe = xp.maximum(raw, _EXP_REGION)
    return xp.where(raw <= _EXP_REGION, raw, xp.log(constrain(Link.POSITIVE, safe, xp)))


def _raw_of_log(log_value: Any, xp: Any = np) -> Any:
    """The raw weight whose softplus is exp(log_value) (inverse of :func:`_log_of_positive`):
    log(expm1(v)) = v + log(1 - exp(-v)), v = exp(log_value)."""
    value = xp.exp(xp.clip(log_value, _EXP_REGION, 700.0))
    return xp.where(log_value <= _EXP_REGION, log_value, value + xp.log(-xp.expm1(-value)))


def _log_tangent(raw: np.ndarray) -> np.ndarray:
    """d raw / d log(softplus(raw)) = v / (1 - exp(-v)), v = softplus(raw); 1 where v is tiny."""
    value = constrain(Link.POSITIVE, raw, np)
    return np.where(value < 1e-8, 1.0, value / -np.expm1(-np.maximum(value, 1e-8)))


@dataclass(frozen=True, slots=True)
class LaplaceMap:
    """The Laplace approximation at the MAP as a map from standard normals to flat weights.

    ``rest`` (G,) standard normals move the shared, brand and region weights along the eigenvectors
    of their Schur block (the log of each positive carryover and saturation parameter, the other
    weights as they are); ``own`` (S, L) standard normals draw each series' own weights given the
    rest from their Gaussian conditional. The map is linear from the normals to those coordinates,
    so a density over the normals differs from one over the coordinates by a constant. Those
    coordinates are the ones the priors are stated in (the log of each positive parameter is normal
    a priori), so exp(-objective) is the posterior density over them, and over the normals.
    """

    theta: Array  # (P,) the MAP
    own_centre: Array  # (S * L,) each series' own weights at the MAP
    centre: Array  # (G,) the rest weights at the MAP, raw
    logged: Array  # (G,) bool: the rest weights taken on the log of their parameter
    tangent: Array  # (G,) d raw / d the Gaussian's coordinate, at the MAP
    root: Array  # (G, G) covariance of the rest coordinates = root @ root.T
    coupling: Array  # (S * L, G) the own-rest block of the Gauss-Newton matrix (sparse; dense in JAX)
    inverse: Array  # (S, L, L) each series' own block, inverted
    chol: Array  # (S, L, L) its Cholesky factor
    order: Array  # (P,) where each flat weight sits in [own weights (S * L), rest weights (G)]

    @classmethod
    def of(cls, model: MarketingMixModel, problem: SeriesLeastSquares, noise_scale: np.ndarray) -> LaplaceMap:
        """Covariance = inverse Gauss-Newton Hessian (J^T J)^-1 of the residuals at the model's weights,
        eigenvalues of the rest block (after eliminating each series' own weights exactly) floored so
        flat directions stay finite."""
        theta = current_theta(model)
        normal = problem.normal_equations(theta, noise_scale)
        centre = theta[problem.rest_weights]
        logged = log_scale_weights(model)[problem.rest_weights]
        tangent = np.ones(len(centre))
        tangent[logged] = _log_tangent(centre[logged])
        schur = normal.schur() * tangent[:, None] * tangent[None, :]
        eigenvalues, eigenvectors = np.linalg.eigh(schur)
        eigenvalues = np.maximum(eigenvalues, 1e-9 * max(float(eigenvalues.max(initial=0.0)), 1e-300))
        own = normal.own
        n_own = own.shape[1]
        inverse = np.linalg.inv(own + 1e-12 * np.eye(n_own) * np.einsum("sll->s", own)[:, None, None])
        order = np.empty(len(theta), dtype=np.int64)
        order[np.concatenate([problem.own_weights.ravel(), problem.rest_weights])] = np.arange(len(theta))
        return cls(
            theta=theta,
            own_centre=theta[problem.own_weights.ravel()],
            centre=centre,
            logged=logged,
            tangent=tangent,
            root=eigenvectors / np.sqrt(eigenvalues),
            coupling=normal.coupling,
            inverse=inverse,
            chol=np.linalg.cholesky(0.5 * (inverse + np.swapaxes(inverse, 1, 2))),
            order=order,
        )

    @property
    def n_normals(self) -> int:
        """Standard normals per draw: G rest, then S * L own."""
        return len(self.centre) + self.coupling.shape[0]

    def weights(self, normals: Array, xp: Any = np) -> Array:
        """Flat weights (D, P) for standard normals (D, G + S * L), in the namespace ``xp``."""
        n_rest = len(self.centre)
        n_series, n_own = self.inverse.shape[:2]
        step_log = normals[:, :n_rest] @ self.root.T
        step_rest = step_log * self.tangent
        coupled = xp.reshape((self.coupling @ step_rest.T).T, (-1, n_series, n_own))
        own_normals = xp.reshape(normals[:, n_rest:], (-1, n_series, n_own))
        own = self.own_centre + xp.reshape(
            xp.einsum("slm,dsm->dsl", self.chol, own_normals) - xp.einsum("slm,dsm->dsl", self.inverse, coupled),
            (-1, n_series * n_own),
        )
        log_value = xp.where(self.logged, _log_of_positive(self.centre, xp) + step_log, 0.0)
        rest = xp.where(self.logged, _raw_of_log(log_value, xp), self.centre + step_rest)
        return xp.take(xp.concatenate([own, rest], axis=1), self.order, axis=1)


@dataclass(frozen=True, slots=True)
class Langevin:
    """Where the Langevin chains ended: states (D, d), the steps taken, the share of proposals
    accepted after the warm-up, the step size they ran with (in the states' units), and how long
    they took (s)."""

    states: np.ndarray
    steps: int
    acceptance: float
    step_size: float
    seconds: float
    #: The share of chains that never accepted a step (left where they started).
    unmoved: float = 0.0


#: The acceptance rate the warm-up tunes the Langevin step size to (optimal for MALA, Roberts & Rosenthal 1998).
TARGET_ACCEPTANCE = 0.574
#: The gradient norm, in multiples of sqrt(d) (its size in the bulk of a standard normal), above which
#: the Langevin drift is tamed.
TAMED_ABOVE = 3.0


def langevin(
    value_and_gradient: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    start: np.ndarray,
    steps: int,
    rng: np.random.Generator,
    warmup: int | None = None,
) -> Langevin:
    """Metropolis-adjusted Langevin steps for a batch of chains, one per row of ``start`` (D, d).

    ``value_and_gradient`` maps states (D, d) to the log density (D,) and its gradient (D, d) (-inf
    where the density is 0). Each step proposes x + drift + h noise and accepts it by the
    Metropolis-Hastings ratio, so the target is left invariant whatever the drift; during the first
    ``warmup`` steps (default half) h is tuned, shared by the chains, toward :data:`TARGET_ACCEPTANCE`.

    The drift is h^2/2 grad, tamed where the gradient is far steeper than in the bulk of a
    d-dimensional standard normal (norm above :data:`TAMED_ABOVE` x sqrt(d)): there a full step
    would overshoot and every proposal be refused, and a chain started far out in a steep tail would
    never move. A chain at a point of zero density accepts any proposal of positive density.
    """
    t0 = time.perf_counter()
    warmup = steps // 2 if warmup is None else warmup
    states = np.array(start, dtype=np.float64)
    value, gradient = value_and_gradient(states)
    ceiling = TAMED_ABOVE * np.sqrt(states.shape[1])
    step = 0.5 * states.shape[1] ** (-1.0 / 6.0)

    def drift(gradient: np.ndarray) -> np.ndarray:
        norm = np.sqrt((gradient**2).sum(axis=1, keepdims=True))
        return 0.5 * step**2 * gradient * np.minimum(1.0, ceiling / np.maximum(norm, 1e-300))

    moved = np.zeros(len(states), dtype=bool)
    accepted: list[float] = []
    for k in range(steps):
        mean = states + drift(gradient)
        proposal = mean + step * rng.standard_normal(states.shape)
        proposed_value, proposed_gradient = value_and_gradient(proposal)
        back = proposal + drift(proposed_gradient)
        log_ratio = (
            proposed_value
            - value
            + (((proposal - mean) ** 2).sum(axis=1) - ((states - back) ** 2).sum(axis=1)) / (2.0 * step**2)
        )
        log_ratio = np.where(np.isneginf(value) & np.isfinite(proposed_value), np.inf, log_ratio)
        accept = np.log(rng.random(len(states))) < np.where(np.isnan(log_ratio), -np.inf, log_ratio)
        moved |= accept
        states[accept], value[accept], gradient[accept] = (
            proposal[accept],
            proposed_value[accept],
            proposed_gradient[accept],
        )
        rate = float(accept.mean())
        if k < warmup:
            step *= float(np.exp(rate - TARGET_ACCEPTANCE))
        else:
            accepted.append(rate)
    acceptance = float(np.mean(accepted)) if accepted else float(moved.mean())
    return Langevin(states, steps, acceptance, step, time.perf_counter() - t0, float(1.0 - moved.mean()))


#: Most chains evaluated together in one compiled call.
CHAINS_PER_CALL = 100
#: Memory allowed for one call's chains, bytes, and what one chain takes per series-week (rough,
#: measured on the gradient of the default model).
CHAIN_BYTES = 1024 * 2**20
BYTES_PER_CELL = 1536


@dataclass(frozen=True, slots=True)
class PosteriorDraws:
    """Draws of the flat weights (D, P), the first the MAP; ``refinement`` says how the Langevin
    steps went (None where the Laplace draws are kept as they are)."""

    draws: np.ndarray
    refinement: Langevin | None = None
    #: The training residuals' long-run variance factor (1: independent weeks), and whether the data's
    #: evidence was divided by it (``widened``).
    autocorrelation: float = 1.0
    widened: bool = False

    def summary(self) -> dict[str, float | int | str]:
        """What the model report and metadata say about the draws."""
        summary: dict[str, float | int | str] = {"method": "laplace", "draws": len(self.draws), "steps": 0}
        if self.refinement is not None:
            summary = {
                "method": "laplace+langevin",
                "draws": len(self.draws),
                "steps": self.refinement.steps,
                "acceptance": round(self.refinement.acceptance, 4),
                "unmoved": round(self.refinement.unmoved, 4),
                "step_size": round(self.refinement.step_size, 6),
                "seconds": round(self.refinement.seconds, 3),
            }
        if self.autocorrelation > 1.0:
            summary |= {"autocorrelation": round(self.autocorrelation, 4), "widened": int(self.widened)}
        return summary


def markets_summary(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The draws of models fitted one per market (each a :meth:`PosteriorDraws.summary`) in one summary:
    the most steps any market ran, with ``markets_with_steps`` of ``markets`` when not all ran them;
    acceptance and unmoved share averaged over the markets that ran steps, their seconds summed; the
    largest residual autocorrelation factor of any market, and whether the draws were widened by it."""
    moved = [summary for summary in summaries if int(summary.get("steps") or 0) > 0]
    drifting = [summary for summary in summaries if "autocorrelation" in summary]
    widened = (
        {
            "autocorrelation": round(max(float(summary["autocorrelation"]) for summary in drifting), 4),
            "widened": max(int(summary.get("widened") or 0) for summary in drifting),
        }
        if drifting
        else {}
    )
    if not moved:
        return {"method": "laplace", "draws": int(summaries[0]["draws"]) if summaries else 0, "steps": 0} | widened
    combined: dict[str, Any] = {
        "method": "laplace+langevin",
        "draws": int(moved[0]["draws"]),
        "steps": max(int(summary["steps"]) for summary in moved),
        "acceptance": round(float(np.mean([summary["acceptance"] for summary in moved])), 4),
        "unmoved": round(float(np.mean([summary["unmoved"] for summary in moved])), 4),
        "seconds": round(float(sum(summary["seconds"] for summary in moved)), 3),
    }
    if len(moved) < len(summaries):
        combined |= {"markets_with_steps": len(moved), "markets": len(summaries)}
    return combined | widened


def posterior_draws(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise_scale: np.ndarray,
    n_draws: int,
    seed: int,
    problem: SeriesLeastSquares | None = None,
    steps: int = 0,
    autocorrelation: bool = False,
) -> PosteriorDraws:
    """Draws of the flattened weights: the Laplace approximation at the MAP (:class:`LaplaceMap`),
    then ``steps`` Metropolis-adjusted Langevin steps from each draw toward the exact posterior
    exp(-objective) (0: the Laplace draws as they are). The first row is the MAP itself.

    The training residuals' long-run variance factor (:func:`long_run_variance_factor`) is measured either
    way; with ``autocorrelation`` the weeks' evidence is divided by it: the noise scale of the draws, not of
    the MAP, grows by its square root, so residuals that drift together week to week widen the draws as
    fewer independent weeks would; the priors and any lift tests keep their weight.

    The Laplace Gaussian is exact only where the objective is quadratic; along the carryover
    shapes and curve slopes it is not, and a Gaussian draw there can sit where the data rule it
    out (its objective far above what a posterior draw's would be). The Langevin steps run in the
    Laplace's own standard-normal coordinates (so the Gaussian preconditions them) and pull such
    draws in fast; where the posterior is wider than the Gaussian they widen the draws only slowly
    (a random walk of the step size), so a few steps leave the draws between the Laplace and the
    posterior there. The first half of the steps tunes the step size.
    """
    problem = problem or SeriesLeastSquares(model, inputs)
    factor = long_run_variance_factor(training_residuals(model, inputs), inputs.train_mask)
    noise_scale = np.asarray(noise_scale, dtype=np.float64) * (np.sqrt(factor) if autocorrelation else 1.0)
    laplace = LaplaceMap.of(model, problem, noise_scale)
    rng = np.random.default_rng(seed)
    n_rest = len(laplace.centre)
    # All the rest weights' normals first, then the own weights': the order a seed's Laplace draws have always had.
    rest_normals = rng.standard_normal((n_draws, n_rest))
    normals = np.concatenate([rest_normals, rng.standard_normal((n_draws, laplace.n_normals - n_rest))], axis=1)
    refinement = None
    if steps > 0 and n_draws > 1:
        refinement = langevin(_log_posterior(laplace, problem, noise_scale), normals[1:], steps, rng)
        normals[1:] = refinement.states
    draws = laplace.weights(normals)
    draws[0] = laplace.theta
    return PosteriorDraws(draws, refinement, factor, autocorrelation)


def _log_posterior(
    laplace: LaplaceMap, problem: SeriesLeastSquares, noise_scale: np.ndarray
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The log posterior over the Laplace's standard normals and its gradient, for a batch (D, d):
    -objective of the weights (a constant apart). Chains go through in equal calls of as many as
    :data:`CHAIN_BYTES` allows (the last padded with copies of the first state), so one compilation
    serves them all."""
    objective = problem.objective(noise_scale)
    dense = dataclasses.replace(laplace, coupling=laplace.coupling.toarray())
    frozen = dataclasses.replace(
        dense, **{field.name: jnp.asarray(getattr(dense, field.name)) for field in dataclasses.fields(dense)}
    )

    def log_density(normal: jax.Array) -> jax.Array:
        value = -objective(frozen.weights(normal[None, :], jnp)[0])
        return jnp.where(jnp.isfinite(value), value, -jnp.inf)

    batched = jax.jit(jax.vmap(jax.value_and_grad(log_density)))
    per_call = int(np.clip(CHAIN_BYTES // (BYTES_PER_CELL * problem.n_series * problem.n_weeks), 1, CHAINS_PER_CALL))

    def value_and_gradient(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        size = equal_part(len(states), per_call)
        padded = np.concatenate([states, np.repeat(states[:1], -len(states) % size, axis=0)])
        parts = [batched(jnp.asarray(padded[i : i + size])) for i in range(0, len(padded), size)]
        value = np.concatenate([np.asarray(v) for v, _ in parts])[: len(states)]
        gradient = np.concatenate([np.asarray(g) for _, g in parts])[: len(states)]
        return value, np.where(np.isfinite(gradient), gradient, 0.0)

    return value_and_gradient
