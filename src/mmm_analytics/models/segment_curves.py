"""Each segment's own saturation curve, estimated from its own data and shrunk toward the fitted one.

The model fits one half-saturation (scaled by series size) and one slope per channel for every
brand x region segment; real segments saturate at their own levels. After the fit, each segment
and channel is profiled on its own training weeks: the channel's half-saturation and slope moved
by factors exp(shift) on a grid, its coefficient and the segment's level refitted in closed form
at each point, the other channels on their own curves as found so far (backfitting), giving the
segment's own estimate of each shift and its standard error. Random-effects meta-analysis (DerSimonian-Laird) over the segments of each
channel gives how much segments really differ (tau, a log-sd: 0.3 = about +-30%), beyond what
their standard errors explain (from the segments whose profile peaks inside the grid); each
segment's shift is then its posterior mean over its whole profile under the prior N(0, tau^2)
(empirical Bayes), with the posterior sd left around it, so a segment whose profile still rises
at the grid's edge moves toward it rather than counting as unknown.

The simulator reads the result (:mod:`mmm_analytics.simulator.surface`): the advice judges each
segment on its own curve and its intervals carry the spread. Where segments do not differ
(tau = 0) nothing changes. Shapes: S series, T weeks, C channels.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import interpolate

from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import scaled_exposure

#: Log shifts of half-saturation and slope profiled per segment and channel (factors e^-1..e^1, e^-0.8..e^0.8).
HALF_SATURATION_SHIFTS = np.linspace(-1.0, 1.0, 21)
SLOPE_SHIFTS = np.linspace(-0.8, 0.8, 9)
#: The profile is interpolated (cubic spline) to this many points per grid step.
_FINE_STEPS = 10
#: A segment's refitted coefficient may move by at most this factor either way.
MAX_COEFFICIENT_FACTOR = 5.0


@dataclass(frozen=True, slots=True)
class SegmentCurves:
    """How each segment's curve departs from the fitted one, (S, C) arrays of log shifts and spreads.

    ``spread`` is tau per parameter (``half_saturation``, ``slope``), the log-sd by which segments'
    own values differ; ``identified`` the share of segment x channel pairs whose own data pin the
    value (an interior optimum of the profile); ``by_channel`` tau per channel and parameter.
    """

    half_saturation_shift: np.ndarray
    half_saturation_spread: np.ndarray
    slope_shift: np.ndarray
    slope_spread: np.ndarray
    coefficient_factor: np.ndarray
    spread: dict[str, float]
    identified: dict[str, float]
    by_channel: dict[str, dict[str, float]]

    def arrays(self) -> dict[str, np.ndarray]:
        """The per-segment arrays under their :class:`ResponseParams` field names."""
        return {
            "segment_half_saturation_shift": self.half_saturation_shift,
            "segment_half_saturation_spread": self.half_saturation_spread,
            "segment_slope_shift": self.slope_shift,
            "segment_slope_spread": self.slope_spread,
            "segment_coefficient_factor": self.coefficient_factor,
        }

    def apply_to(self, params: ResponseParams) -> ResponseParams:
        """``params`` carrying these segment curves."""
        return dataclasses.replace(params, **self.arrays())  # type: ignore[arg-type]

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the spreads, the shares identified and the spreads by channel."""
        return {
            "spread": {name: round(value, 4) for name, value in self.spread.items()},
            "identified": {name: round(value, 3) for name, value in self.identified.items()},
            "by_channel": {
                channel: {name: round(value, 4) for name, value in values.items()}
                for channel, values in self.by_channel.items()
            },
        }


def combined_summary(summaries: dict[str, dict[str, Any]], weights: dict[str, float]) -> dict[str, Any]:
    """One summary for markets fitted apart (``--split-by``): each figure the mean of the markets'
    :meth:`SegmentCurves.summary`, weighed by ``weights`` (their numbers of series), and each
    market's own under ``markets``."""
    total = sum(weights[name] for name in summaries) or 1.0

    def mean(pick: Any) -> Any:
        first = pick(next(iter(summaries.values())))
        if isinstance(first, dict):
            return {key: mean(lambda summary, key=key: pick(summary)[key]) for key in first}
        return round(sum(weights[name] * float(pick(summary)) for name, summary in summaries.items()) / total, 4)

    keys = ("spread", "identified", "by_channel")
    return {key: mean(lambda summary, key=key: summary[key]) for key in keys} | {"markets": dict(summaries)}


def estimate_segment_curves(
    params: ResponseParams,
    sales: np.ndarray,
    n_train_weeks: int,
    rounds: int = 3,
    observed: np.ndarray | None = None,
) -> SegmentCurves:
    """Each segment's own curve from ``sales`` (S, T) in INR over the first ``n_train_weeks`` weeks,
    for the fitted response ``params`` (its point estimate and ``predicted_sales``); ``observed``
    (S, T), where given, leaves out the weeks whose sales the cleaning filled in (False).

    Per round, every channel is profiled with the others on their curves of the round before
    (backfitting: another channel's misfit is not noise to be fitted by this one): half-saturation
    first, the slope at its fitted value, then the slope on the segment's shrunk half-saturation
    (profiled together, the two trade along a ridge whose local curvature reads far more certain
    than it is, and a panel without any difference between segments then shows one).
    """
    fit = _SegmentFit.of(params, sales, n_train_weeks, observed)
    has_slope = saturation.has_slope(params.saturation)
    found = fit.one_round(has_slope)
    for _ in range(rounds - 1):
        fit = fit.moved_to(found)
        found = fit.one_round(has_slope)
    return found


@dataclass(frozen=True, slots=True)
class _SegmentFit:
    """Each segment's channels over the training weeks: the fitted contributions ``fitted`` and
    the current ones ``moved`` (S, T, C) (each channel on its segment's curve as found so far),
    and ``residual`` (S, T), sales less the fitted prediction. ``weight`` (S, T) is 1 on the weeks whose
    sales were observed and 0 elsewhere (None: every week, read without weights)."""

    params: ResponseParams
    carried: np.ndarray
    residual: np.ndarray
    fitted: np.ndarray
    moved: np.ndarray
    weight: np.ndarray | None = None

    @classmethod
    def of(
        cls, params: ResponseParams, sales: np.ndarray, n_train_weeks: int, observed: np.ndarray | None = None
    ) -> _SegmentFit:
        exposure = scaled_exposure(params)
        carried = np.empty_like(exposure)
        for market, rows in params.market_rows():  # each market with its own lags
            carried[rows] = carryover.apply_carryover(exposure[rows], params.lag_weights[market])
        carried = carried[:, :n_train_weeks]
        residual = (np.asarray(sales, dtype=np.float64) - params.predicted_sales)[:, :n_train_weeks]
        fitted = _contribution(params, carried, 0.0, 0.0)
        weight = None if observed is None else (np.asarray(observed)[:, :n_train_weeks] > 0).astype(np.float64)
        return cls(params, carried, residual, fitted, fitted, weight)

    @property
    def unexplained(self) -> np.ndarray:
        """What no channel explains with every channel on its current curve, (S, T)."""
        return self.residual + np.sum(self.fitted - self.moved, axis=2)

    @property
    def target(self) -> np.ndarray:
        """What each channel must explain, its own current contribution plus what no channel
        explains, centred over weeks (the series' level is free in the model too), (S, T, C)."""
        return _centred(self.unexplained[:, :, None] + self.moved, self.weight)

    @property
    def noise(self) -> np.ndarray:
        """Each series' variance left with every channel on its current curve, (S,)."""
        floor = 1e-12 * max(float(np.mean(self.params.predicted_sales**2)), 1e-300)
        if self.weight is None:
            return np.maximum(np.var(self.unexplained, axis=1), floor)
        centred = _centred(self.unexplained[:, :, None], self.weight)[..., 0]
        return np.maximum(np.sum(centred**2, axis=1) / np.maximum(self.weight.sum(axis=1), 1.0), floor)

    def one_round(self, has_slope: bool) -> SegmentCurves:
        """Every segment's shifts, shrunk by how much segments differ, from this round's targets."""
        target, noise, markets = self.target, self.noise, self.params.series_market

        def loglik(half_shift: Any, slope_shift: Any) -> np.ndarray:
            curve = _contribution(self.params, self.carried, half_shift, slope_shift)
            return _loglik(target, noise, curve, self.weight)

        half_profile = np.stack([loglik(shift, 0.0) for shift in HALF_SATURATION_SHIFTS])
        half_est, half_se = _estimates(half_profile, HALF_SATURATION_SHIFTS)
        half_tau, half_by = _between_spread(half_est, half_se, markets)
        half_shift, half_spread = _shrunk(half_profile, HALF_SATURATION_SHIFTS, half_tau)
        if has_slope:
            slope_profile = np.stack([loglik(half_shift, shift) for shift in SLOPE_SHIFTS])
            slope_est, slope_se = _estimates(slope_profile, SLOPE_SHIFTS)
            slope_tau, slope_by = _between_spread(slope_est, slope_se, markets)
            slope_shift, slope_spread = _shrunk(slope_profile, SLOPE_SHIFTS, slope_tau)
        else:
            slope_est = np.full_like(half_est, np.nan)
            slope_tau, slope_by = 0.0, np.zeros(len(self.params.channels))
            slope_shift, slope_spread = np.zeros_like(half_shift), np.zeros_like(half_shift)
        moved = _best_multiple(target, _contribution(self.params, self.carried, half_shift, slope_shift), self.weight)
        at_fit = _best_multiple(target, self.fitted, self.weight)
        usable = np.isfinite(moved) & np.isfinite(at_fit) & (at_fit > 0) & (moved > 0)
        factor = np.where(usable, moved / np.where(usable, at_fit, 1.0), 1.0)
        unmoved = (half_shift == 0) & (slope_shift == 0)
        factor = np.where(unmoved, 1.0, np.clip(factor, 1.0 / MAX_COEFFICIENT_FACTOR, MAX_COEFFICIENT_FACTOR))
        names = ("half_saturation", "slope") if has_slope else ("half_saturation",)
        return SegmentCurves(
            half_saturation_shift=half_shift,
            half_saturation_spread=half_spread,
            slope_shift=slope_shift,
            slope_spread=slope_spread,
            coefficient_factor=factor,
            spread={"half_saturation": half_tau, "slope": slope_tau},
            identified={
                name: float(np.isfinite(est).mean()) for name, est in zip(names, (half_est, slope_est), strict=False)
            },
            by_channel={
                channel: {"half_saturation": float(half_by[c])} | ({"slope": float(slope_by[c])} if has_slope else {})
                for c, channel in enumerate(self.params.channels)
            },
        )

    def moved_to(self, found: SegmentCurves) -> _SegmentFit:
        """The same fit with every channel on the curves ``found``."""
        curve = _contribution(self.params, self.carried, found.half_saturation_shift, found.slope_shift)
        multiple = _best_multiple(self.target, curve, self.weight)
        multiple = np.where(np.isfinite(multiple) & (multiple > 0), multiple, 1.0)
        return dataclasses.replace(self, moved=multiple[:, None, :] * curve)


def _contribution(params: ResponseParams, carried: np.ndarray, half_shift: Any, slope_shift: Any) -> np.ndarray:
    """Contribution (INR) with each segment's half-saturation and slope moved by e^shift, (S, T, C)."""
    half = params.half_saturation * np.exp(half_shift)
    slope = params.series_slope * np.exp(slope_shift)
    response = saturation.saturate(carried, params.saturation, half[:, None, :], slope[:, None, :])
    return params.coefficient[:, None, :] * response


def _centred(values: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """``values`` (S, T, C) less their mean over weeks; with ``weight`` (S, T) of 0/1, the mean of the
    weeks of weight 1, and the others set to 0 (they count in no sum)."""
    if weight is None:
        return values - values.mean(axis=1, keepdims=True)
    w = weight[:, :, None]
    mean = np.sum(values * w, axis=1, keepdims=True) / np.maximum(np.sum(w, axis=1, keepdims=True), 1.0)
    return (values - mean) * w


def _best_multiple(target: np.ndarray, curve: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """The multiple of ``curve`` (S, T, C) that fits the centred ``target`` best beside a level of
    its own, (S, C); NaN where the curve does not vary."""
    curve = _centred(curve, weight)
    norm = np.sum(curve**2, axis=1)
    return np.where(norm > 0, np.sum(target * curve, axis=1) / np.where(norm > 0, norm, 1.0), np.nan)


def _loglik(target: np.ndarray, noise: np.ndarray, curve: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Gaussian log-likelihood of each segment's channel on ``curve``, its coefficient and a level
    refitted, (S, C): the error left is |t|^2 - <t, f>^2 / <f, f>, t and f centred over weeks (the
    weeks of ``weight`` 1 where given)."""
    curve = _centred(curve, weight)
    cross, norm = np.sum(target * curve, axis=1), np.sum(curve**2, axis=1)
    explained = np.where(norm > 0, cross**2 / np.where(norm > 0, norm, 1.0), 0.0)
    return -(np.sum(target**2, axis=1) - explained) / (2.0 * noise[:, None])


def _estimates(loglik: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's own shift and its standard error from a profile (G, S, C): the grid's best
    point refined by the parabola through it and its neighbours. NaN and inf where the best point
    is on the grid's edge or the profile is not curved there (the data do not pin the shift)."""
    step = float(grid[1] - grid[0])
    best = np.argmax(loglik, axis=0)  # (S, C)
    inner = (best > 0) & (best < len(grid) - 1)
    at = np.clip(best, 1, len(grid) - 2)
    below, centre, above = (np.take_along_axis(loglik, (at + k)[None], axis=0)[0] for k in (-1, 0, 1))
    curvature = (below - 2.0 * centre + above) / step**2
    pinned = inner & (curvature < 0)
    safe = np.where(pinned, curvature, -1.0)
    offset = 0.5 * (below - above) / (safe * step**2) * step
    estimate = np.where(pinned, grid[at] + offset, np.nan)
    standard_error = np.where(pinned, 1.0 / np.sqrt(-safe), np.inf)
    return estimate, standard_error


def _between_spread(estimate: np.ndarray, standard_error: np.ndarray, markets: np.ndarray) -> tuple[float, np.ndarray]:
    """DerSimonian-Laird tau over all channels (each market and channel its own mean), and per channel (C,)."""
    n_channels = estimate.shape[1]
    q_all = df_all = scale_all = 0.0
    by_channel = np.zeros(n_channels)
    for c in range(n_channels):
        q_c = df_c = scale_c = 0.0
        for market in np.unique(markets):
            pinned = np.isfinite(estimate[:, c]) & (markets == market)
            if pinned.sum() < 2:
                continue
            weight = 1.0 / standard_error[pinned, c] ** 2
            values = estimate[pinned, c]
            mean = float(np.sum(weight * values) / np.sum(weight))
            q_c += float(np.sum(weight * (values - mean) ** 2))
            df_c += float(pinned.sum() - 1)
            scale_c += float(np.sum(weight) - np.sum(weight**2) / np.sum(weight))
        by_channel[c] = _tau(q_c, df_c, scale_c)
        q_all, df_all, scale_all = q_all + q_c, df_all + df_c, scale_all + scale_c
    return _tau(q_all, df_all, scale_all), by_channel


def _tau(q: float, df: float, scale: float) -> float:
    return float(np.sqrt(max(0.0, (q - df) / scale))) if scale > 0 else 0.0


def _shrunk(loglik: np.ndarray, grid: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes shift and the spread left around it, (S, C): each segment's posterior mean
    and sd over its whole profile (G, S, C) on ``grid`` under the prior N(0, tau^2). A profile that
    still rises at the grid's edge says the value lies there or beyond and moves it so (a parabola
    through the best point would call it unknown); a flat one keeps 0 and the prior's spread."""
    if tau <= 0:
        zeros = np.zeros(loglik.shape[1:])
        return zeros, zeros
    fine = np.linspace(grid[0], grid[-1], (len(grid) - 1) * _FINE_STEPS + 1)
    profile = interpolate.CubicSpline(grid, loglik, axis=0)(fine)
    prior = -0.5 * (fine / tau) ** 2
    weights = np.exp(profile + prior[:, None, None] - np.max(profile + prior[:, None, None], axis=0, keepdims=True))
    weights /= weights.sum(axis=0, keepdims=True)
    mean = np.einsum("f,fsc->sc", fine, weights)
    variance = np.einsum("f,fsc->sc", fine**2, weights) - mean**2
    return mean, np.sqrt(np.maximum(variance, 0.0))
