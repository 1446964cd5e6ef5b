"""The posterior's least-squares problem, assembled series by series.

The negative log posterior is half a sum of squares: each series' standardised weekly
residuals, then the prior z-scores and lift tests ("evidence"), which read the weights and a
few sums of contributions over series and weeks. A series' sales depend only on its own
intercept, its brand's and region's slices of the grouped weights and the shared weights, so
the Gauss-Newton matrix J^T J is a sum of small per-series blocks (K local columns each) plus
the evidence's dense block over the few non-series weights. Building it costs one pass over
the panel per Jacobian, in chunks of series: time and memory grow linearly with the panel.
The series' own weights are then eliminated in closed form (Schur complement), so each solve
is a dense system in the shared, brand and region weights only.

Columns are found by "colouring": a tangent that moves one weight slice for every group at
once gives each series the derivative for its own slice, so K Jacobian-vector products
replace one per weight. Media weights act on one channel each, so one tangent per media
weight gives all C channels' columns (read from the channel's contribution).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import jax
import jax.numpy as jnp
import keras
import numpy as np
from scipy import linalg, sparse

from mmm_analytics.models.inputs import ModelInputs
from mmm_analytics.models.layers.hierarchical import cell_index
from mmm_analytics.models.mmm import MEDIA_LAYERS, MarketingMixModel, weight_key

#: Memory allowed for one chunk's Jacobian-vector products, bytes (rough).
CHUNK_BYTES = 256 * 2**20


def equal_part(n: int, largest: int) -> int:
    """The size of the fewest equal parts of at most ``largest`` that hold ``n`` items: the last part,
    padded to that size, pads as little as possible (one compiled shape serves every part)."""
    return -(-n // -(-n // largest))


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


@dataclass(frozen=True, slots=True)
class Columns:
    """The K local columns of each series and the tangents that produce them.

    ``index`` (S, K): flat weight index of local column k of series s; the first ``n_own``
    columns are weights of that series alone (its intercept). Columns ``[0, n_baseline)`` come
    from ``baseline_tangents`` (one per column, over the non-media weights), the rest from
    ``media_tangents`` in (media weight, channel) order.
    """

    index: np.ndarray
    n_own: int
    n_baseline: int
    n_channels: int
    baseline_weights: tuple[int, ...]
    media_weights: tuple[int, ...]
    baseline_tangents: tuple[np.ndarray, ...]
    media_tangents: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, model: MarketingMixModel, inputs: ModelInputs) -> Columns:
        ids = {name: np.asarray(inputs.x[name], dtype=np.int64) for name in ("series", "brand", "region")}
        ids["cell"] = cell_index(ids["brand"], ids["region"], model.n_regions)
        n_series, n_channels = len(ids["series"]), model.n_channels
        own: list[tuple[np.ndarray, dict[int, np.ndarray]]] = []
        other: list[tuple[np.ndarray, dict[int, np.ndarray]]] = []
        media: list[np.ndarray] = []
        baseline_weights, media_weights = [], []
        offset = 0
        for position, variable in enumerate(model.trainable_variables):
            shape, group = tuple(variable.shape), model.weight_group(variable)
            size = int(np.prod(shape)) if shape else 1
            if weight_key(variable).split("/")[0] in MEDIA_LAYERS:
                if not shape or shape[-1] != n_channels or len(shape) > 2:
                    raise ValueError(f"media weight {weight_key(variable)} must end in the channel axis: {shape}")
                slot = ids[group] * n_channels if group != "shared" else np.zeros(n_series, dtype=np.int64)
                media.append(offset + slot[:, None] + np.arange(n_channels)[None, :])
                media_weights.append(position)
            else:
                baseline_weights.append(position)
                if group == "shared":
                    for element in range(size):
                        tangent = np.zeros(size)
                        tangent[element] = 1.0
                        other.append((np.full(n_series, offset + element), {position: tangent.reshape(shape)}))
                else:
                    inner = size // shape[0]
                    for r in range(inner):
                        tangent = np.zeros((shape[0], inner))
                        tangent[:, r] = 1.0
                        entry = (offset + ids[group] * inner + r, {position: tangent.reshape(shape)})
                        (own if group == "series" else other).append(entry)
            offset += size
        baseline = own + other

        if not own or not media:
            raise ValueError("the model needs a per-series weight (intercept) and media weights")

        def tangent_stack(columns: list[dict[int, np.ndarray]], weights: list[int]) -> tuple[np.ndarray, ...]:
            """Per weight, its tangent in each column, (K, *shape); zero where the column moves another weight."""
            shapes = {p: tuple(model.trainable_variables[p].shape) for p in weights}
            return tuple(np.stack([column.get(p, np.zeros(shapes[p])) for column in columns]) for p in weights)

        one_each = [{p: np.ones(tuple(model.trainable_variables[p].shape))} for p in media_weights]
        index = np.concatenate([np.stack([column for column, _ in baseline], axis=1), *media], axis=1)
        return cls(
            index=index.astype(np.int64),
            n_own=len(own),
            n_baseline=len(baseline),
            n_channels=n_channels,
            baseline_weights=tuple(baseline_weights),
            media_weights=tuple(media_weights),
            baseline_tangents=tangent_stack([tangents for _, tangents in baseline], baseline_weights),
            media_tangents=tangent_stack(one_each, media_weights),
        )


@dataclass(frozen=True, slots=True)
class NormalEquations:
    """J^T J and J^T r at one point, with the series' own weights kept block-diagonal.

    ``own`` (S, L, L) and ``coupling`` (sparse, S*L x G) are the own-own and own-rest blocks;
    ``rest`` (G, G) the dense block of the other G weights; ``gradient_own`` (S, L) and
    ``gradient_rest`` (G,) the gradient J^T r; ``cost`` half the sum of squares.
    """

    cost: float
    own: np.ndarray
    coupling: sparse.csr_array
    rest: np.ndarray
    gradient_own: np.ndarray
    gradient_rest: np.ndarray

    @property
    def is_finite(self) -> bool:
        """Whether the cost, both gradients and every block are finite (a step can be solved for)."""
        arrays = (self.own, self.coupling.data, self.rest, self.gradient_own, self.gradient_rest)
        return bool(np.isfinite(self.cost) and all(np.isfinite(a).all() for a in arrays))

    def solve(self, damping: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """The step (own (S, L), rest (G,)) solving (H + damping diag(H)) step = -gradient."""
        own, matrix, g_own, g_rest = self.own, self.rest, self.gradient_own, self.gradient_rest
        if damping:
            own = own + damping * _diagonal_matrix(own)
            matrix = matrix + damping * np.diag(_floored(np.diag(matrix)))
        inverse = np.linalg.inv(own)
        block = _block_diagonal(inverse)
        reduced = matrix - (self.coupling.T @ (block @ self.coupling)).toarray()
        rhs = -g_rest + self.coupling.T @ (block @ g_own.ravel())
        step_rest = _solve_symmetric(reduced, rhs)
        step_own = -(block @ (g_own.ravel() + self.coupling @ step_rest))
        return step_own.reshape(g_own.shape), step_rest

    def schur(self) -> np.ndarray:
        """The rest block after eliminating the own weights, (G, G)."""
        block = _block_diagonal(np.linalg.inv(self.own))
        return self.rest - (self.coupling.T @ (block @ self.coupling)).toarray()

    def predicted_decrease(self, step_own: np.ndarray, step_rest: np.ndarray, damping: float) -> float:
        """The decrease of the quadratic model for a damped step: (damping step'D step - g'step) / 2."""
        d_own = np.einsum("sll->sl", self.own)
        d_rest = _floored(np.diag(self.rest))
        scaled = float((d_own * step_own**2).sum() + (d_rest * step_rest**2).sum())
        slope = float((self.gradient_own * step_own).sum() + self.gradient_rest @ step_rest)
        return 0.5 * (damping * scaled - slope)


def _floored(values: np.ndarray) -> np.ndarray:
    return np.maximum(values, 1e-12 * max(float(np.max(values, initial=0.0)), 1e-300))


def _diagonal_matrix(blocks: np.ndarray) -> np.ndarray:
    """diag of each (L, L) block as a block, (S, L, L)."""
    return np.einsum("sl,lm->slm", np.einsum("sll->sl", blocks), np.eye(blocks.shape[1]))


def _block_diagonal(blocks: np.ndarray) -> sparse.csr_array:
    """The (S, L, L) blocks as one sparse (S*L, S*L) block-diagonal matrix."""
    n_blocks, size = blocks.shape[0], blocks.shape[1]
    start = (np.arange(n_blocks) * size)[:, None, None]
    rows = np.broadcast_to(start + np.arange(size)[None, :, None], blocks.shape)
    cols = np.broadcast_to(start + np.arange(size)[None, None, :], blocks.shape)
    return sparse.csr_array((blocks.ravel(), (rows.ravel(), cols.ravel())), shape=(n_blocks * size, n_blocks * size))


def _solve_symmetric(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Cholesky, or a least-squares solve when the matrix is not positive definite."""
    try:
        return linalg.cho_solve(linalg.cho_factor(matrix, lower=True, check_finite=True), rhs)
    except (linalg.LinAlgError, ValueError):
        return np.linalg.lstsq(matrix, rhs, rcond=None)[0]


class SeriesLeastSquares:
    """The residuals of ``model`` on ``inputs`` (training weeks) as a structured problem.

    Fit residuals are sqrt(mask) (y - prediction) / noise_scale[s]; then the evidence rows
    (:meth:`MarketingMixModel.evidence_residuals`) and the per-series priors on the series' own
    weights (:meth:`MarketingMixModel.series_prior_residuals`, kept in the own blocks). Flat weights as in
    :class:`~mmm_analytics.models.posterior.FlatWeights`.
    """

    def __init__(self, model: MarketingMixModel, inputs: ModelInputs, chunk_series: int | None = None):
        self.model, self.inputs = model, inputs
        self.flat = FlatWeights.of(model)
        self.columns = Columns.of(model, inputs)
        n_series, n_weeks = inputs.y.shape
        self.n_series, self.n_weeks = n_series, n_weeks
        self.sums = model.series_sums(n_weeks)
        self.n_weights = int(sum(int(np.prod(s)) if s else 1 for s in self.flat.shapes))
        per_series = (
            8 * n_weeks * (self.columns.index.shape[1] + len(self.columns.media_weights) * model.n_channels) * 6
        )
        largest = int(chunk_series or max(1, min(n_series, CHUNK_BYTES // max(per_series, 1))))
        self.chunk = equal_part(n_series, largest)
        own = self.columns.index[:, : self.columns.n_own].ravel()
        self.rest_position = np.full(self.n_weights, -1, dtype=np.int64)
        is_rest = np.ones(self.n_weights, dtype=bool)
        is_rest[own] = False
        self.rest_weights = np.flatnonzero(is_rest)
        self.rest_position[self.rest_weights] = np.arange(len(self.rest_weights))
        self.own_weights = self.columns.index[:, : self.columns.n_own]
        n_rest_local = self.columns.index.shape[1] - self.columns.n_own
        rest_local = self.rest_position[self.columns.index[:, self.columns.n_own :]]
        if (rest_local < 0).any():
            raise ValueError("a series' own weight also appears among another series' columns")
        self._rest_local = rest_local
        n_rest = len(self.rest_weights)
        self._pairs = (rest_local[:, :, None] * n_rest + rest_local[:, None, :]).ravel()
        rows = np.repeat(np.arange(n_series * self.columns.n_own), n_rest_local)
        self._coupling_rows = rows
        self._coupling_cols = np.repeat(rest_local, self.columns.n_own, axis=0).ravel() if self.columns.n_own else rows
        # Column of each (contribution sum a, media weight w) per series: index[s, n_baseline + w*C + channel[a]].
        media_cols = self.columns.n_baseline + (
            np.arange(len(self.columns.media_weights))[None, :] * model.n_channels + self.sums.channel[:, None]
        )
        self._sum_columns = self.columns.index[:, media_cols]  # (S, A, Km)
        self.own_precision = self._own_precision()
        #: Evidence rows left out at the end (the lift tests', in :meth:`without_lift_tests`).
        self._dropped_rows = 0

    def _own_precision(self) -> np.ndarray:
        """Prior precision of each series' own weights, (S, n_own): the model's per-series
        Normal(0, sd) priors (:meth:`MarketingMixModel.series_prior_precision`), 0 where none.
        They add a diagonal to each series' own block, so they never couple two series."""
        precision = np.zeros(self.n_weights)
        priors = self.model.series_prior_precision()
        for variable, part in zip(self.model.trainable_variables, self.flat.parts(np.arange(self.n_weights))):
            if weight_key(variable) in priors:
                precision[part] = priors[weight_key(variable)]
        if not np.isin(np.flatnonzero(precision), self.own_weights).all():
            raise ValueError("a per-series prior is on a weight that is not a series' own")
        return precision[self.own_weights]

    def _own_prior(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Half the per-series priors' sum of squares at ``theta``, and its gradient on the own weights (S, n_own)."""
        own = theta[self.own_weights]
        return 0.5 * float((self.own_precision * own**2).sum()), self.own_precision * own

    def without_lift_tests(self) -> SeriesLeastSquares:
        """The same problem without the lift tests' evidence rows: the fit and the priors alone.

        It shares this problem's compiled fit pieces (the contribution sums still include the
        tests' slices, which no row reads), so only the small evidence functions compile again.
        """
        tests = self.model.lift_tests
        plain = copy.copy(self)
        plain.__dict__.update(_normal_chunk=self._normal_chunk, _cost_chunk=self._cost_chunk)
        plain.__dict__.pop("_evidence", None)
        plain.__dict__.pop("_evidence_jacobians", None)
        plain._dropped_rows = 0 if tests is None else len(tests)
        return plain

    # --- compiled pieces ----------------------------------------------------------------
    @cached_property
    def _normal_chunk(self) -> Callable:
        model, cols = self.model, self.columns
        non_trainable = [v.value for v in model.non_trainable_variables]
        media_tangents = [jnp.asarray(t) for t in cols.media_tangents]
        baseline_tangents = [jnp.asarray(t) for t in cols.baseline_tangents]

        def run(theta, x, y, mask, noise, valid):
            trainable = self.flat.split(theta)

            def outputs(parts, positions):
                merged = list(trainable)
                for position, part in zip(positions, parts):
                    merged[position] = part
                return model.stateless_call(merged, non_trainable, x)[0]

            media_part = [trainable[p] for p in cols.media_weights]
            base_part = [trainable[p] for p in cols.baseline_weights]
            out = outputs(media_part, cols.media_weights)
            media_tan = jax.vmap(
                lambda t: jax.jvp(lambda m: outputs(m, cols.media_weights)["media"], (media_part,), (t,))[1]
            )(media_tangents)  # (Km, n, T, C)
            base_tan = jax.vmap(
                lambda t: jax.jvp(lambda b: outputs(b, cols.baseline_weights)["sales"], (base_part,), (t,))[1]
            )(baseline_tangents)  # (Kb, n, T)
            weight = jnp.sqrt(mask) * valid[:, None] / noise[:, None]
            residual = weight * (y - out["sales"])
            n, t = residual.shape
            media_cols = jnp.transpose(media_tan, (1, 2, 0, 3)).reshape(n, t, -1)
            jac = -weight[:, :, None] * jnp.concatenate([jnp.transpose(base_tan, (1, 2, 0)), media_cols], axis=-1)
            gram = jnp.einsum("ntk,ntl->nkl", jac, jac)
            gradient = jnp.einsum("ntk,nt->nk", jac, residual)
            sums = model.contribution_sums(out["media"], x["series"]) * valid[:, None]
            sums_jac = jax.vmap(lambda m: model.contribution_sums(m, x["series"]))(media_tan)  # (Km, n, A)
            sums_jac = jnp.transpose(sums_jac, (1, 2, 0)) * valid[:, None, None]
            return 0.5 * jnp.sum(residual**2), gram, gradient, sums.sum(axis=0), sums_jac

        return jax.jit(run)

    @cached_property
    def _cost_chunk(self) -> Callable:
        model = self.model
        non_trainable = [v.value for v in model.non_trainable_variables]

        def run(theta, x, y, mask, noise, valid):
            out = model.stateless_call(self.flat.split(theta), non_trainable, x)[0]
            residual = jnp.sqrt(mask) * valid[:, None] / noise[:, None] * (y - out["sales"])
            sums = model.contribution_sums(out["media"], x["series"]) * valid[:, None]
            return 0.5 * jnp.sum(residual**2), sums.sum(axis=0)

        return jax.jit(run)

    def _evidence_rows(self, theta, totals):
        trainable = self.flat.split(theta)
        with keras.StatelessScope(state_mapping=list(zip(self.model.trainable_variables, trainable))):
            rows = self.model.evidence_residuals(totals)
        return rows[: rows.shape[0] - self._dropped_rows]

    @cached_property
    def _evidence(self) -> Callable:
        return jax.jit(self._evidence_rows)

    @cached_property
    def _evidence_jacobians(self) -> Callable:
        return jax.jit(jax.jacrev(self._evidence_rows, argnums=(0, 1)))

    # --- chunks ---------------------------------------------------------------------------
    def _chunks(self, noise: np.ndarray):
        """(series positions, padded x, y, mask, noise, valid) per chunk, all chunks one size."""
        size = self.chunk
        for start in range(0, self.n_series, size):
            positions = np.arange(start, min(start + size, self.n_series))
            valid = np.ones(size)
            if len(positions) < size:
                valid[len(positions) :] = 0.0
                padded = np.concatenate([positions, np.full(size - len(positions), positions[0])])
            else:
                padded = positions
            x = {k: jnp.asarray(np.asarray(v)[padded]) for k, v in self.inputs.x.items()}
            yield (
                positions,
                x,
                jnp.asarray(self.inputs.y[padded]),
                jnp.asarray(self.inputs.train_mask[padded]),
                jnp.asarray(noise[padded]),
                jnp.asarray(valid),
            )

    def objective(self, noise: np.ndarray) -> Callable[[jax.Array], jax.Array]:
        """Half the sum of squares as a pure JAX function of the flat weights (P,): the same value
        as :meth:`cost`, for gradients and batches of weights (``jax.vmap``)."""
        chunks = [tuple(arrays) for _, *arrays in self._chunks(noise)]
        own_weights, own_precision = jnp.asarray(self.own_weights), jnp.asarray(self.own_precision)

        def run(theta: jax.Array) -> jax.Array:
            fit, totals = jnp.zeros(()), jnp.zeros(len(self.sums.channel))
            for arrays in chunks:
                part, sums = self._cost_chunk(theta, *arrays)
                fit, totals = fit + part, totals + sums
            evidence = self._evidence_rows(theta, totals)
            return fit + 0.5 * jnp.sum(evidence**2) + 0.5 * jnp.sum(own_precision * theta[own_weights] ** 2)

        return run

    def cost(self, theta: np.ndarray, noise: np.ndarray) -> float:
        """Half the sum of squares at ``theta`` (no Jacobian)."""
        theta_j = jnp.asarray(theta)
        fit, totals = 0.0, np.zeros(len(self.sums.channel))
        for _, *arrays in self._chunks(noise):
            part, sums = self._cost_chunk(theta_j, *arrays)
            fit, totals = fit + float(part), totals + np.asarray(sums)
        evidence = np.asarray(self._evidence(theta_j, jnp.asarray(totals)))
        return fit + 0.5 * float(evidence @ evidence) + self._own_prior(theta)[0]

    def normal_equations(self, theta: np.ndarray, noise: np.ndarray) -> NormalEquations:
        cols, n_own = self.columns, self.columns.n_own
        n_local = cols.index.shape[1]
        grams = np.empty((self.n_series, n_local, n_local))
        gradients = np.empty((self.n_series, n_local))
        sums_jac = np.empty((self.n_series, len(self.sums.channel), len(cols.media_weights)))
        theta_j = jnp.asarray(theta)
        fit_cost, totals = 0.0, np.zeros(len(self.sums.channel))
        for positions, *arrays in self._chunks(noise):
            part, gram, gradient, sums, sum_jac = self._normal_chunk(theta_j, *arrays)
            n = len(positions)
            grams[positions], gradients[positions] = np.asarray(gram)[:n], np.asarray(gradient)[:n]
            sums_jac[positions] = np.asarray(sum_jac)[:n]
            fit_cost, totals = fit_cost + float(part), totals + np.asarray(sums)
        n_rest = len(self.rest_weights)
        rest = np.bincount(self._pairs, weights=grams[:, n_own:, n_own:].ravel(), minlength=n_rest * n_rest).reshape(
            n_rest, n_rest
        )
        gradient_rest = np.bincount(self._rest_local.ravel(), weights=gradients[:, n_own:].ravel(), minlength=n_rest)
        # Evidence rows: d evidence / d weights directly, plus through the contribution sums.
        evidence = np.asarray(self._evidence(theta_j, jnp.asarray(totals)))
        d_theta, d_totals = (np.asarray(a) for a in self._evidence_jacobians(theta_j, jnp.asarray(totals)))
        n_sums = len(self.sums.channel)
        flat_cols = (np.arange(n_sums)[None, :, None] * self.n_weights + self._sum_columns).ravel()
        totals_jac = np.bincount(flat_cols, weights=sums_jac.ravel(), minlength=n_sums * self.n_weights)
        jac = d_theta + d_totals @ totals_jac.reshape(n_sums, self.n_weights)
        jac_rest = jac[:, self.rest_weights]
        rest += jac_rest.T @ jac_rest
        gradient_rest += jac_rest.T @ evidence
        coupling = sparse.csr_array(
            (grams[:, :n_own, n_own:].ravel(), (self._coupling_rows, self._coupling_cols)),
            shape=(self.n_series * n_own, n_rest),
        )
        own_cost, own_gradient = self._own_prior(theta)
        own = grams[:, :n_own, :n_own] + self.own_precision[:, :, None] * np.eye(n_own)[None]
        return NormalEquations(
            cost=fit_cost + 0.5 * float(evidence @ evidence) + own_cost,
            own=own,
            coupling=coupling,
            rest=rest,
            gradient_own=gradients[:, :n_own] + own_gradient,
            gradient_rest=gradient_rest,
        )

    def combine(self, theta: np.ndarray, step_own: np.ndarray, step_rest: np.ndarray) -> np.ndarray:
        """``theta`` moved by a step given as (own (S, L), rest (G,)) parts."""
        out = np.array(theta, dtype=np.float64, copy=True)
        out[self.own_weights.ravel()] += step_own.ravel()
        out[self.rest_weights] += step_rest
        return out
