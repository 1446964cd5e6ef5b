"""The ROI prior learned across channels (empirical Bayes): the channels' ROIs as draws from one
log-normal whose centre and spread the data of the well-measured channels give.

The configured prior (log ROI ~ Normal(log 1, 1)) is wide on purpose: it must not decide a
channel the data measure. For a channel the data hardly measure (a small one) it decides almost
everything, and its interval is then the prior's, wider than anything the other channels' ROIs
suggest. Here the first fit's posterior of each channel's log ROI (mean and sd over the Laplace
draws, training weeks) has the configured prior divided out, leaving the data's own estimate and
standard error; a random-effects meta-analysis over the channels the data measure (Paule-Mandel)
gives the centre ``mu`` and the between-channel spread ``tau``. Each channel without an override
in ``priors.channel_roi`` then gets the prior log ROI ~ Normal(mu, sqrt(tau^2 + se(mu)^2)), never
narrower than ``priors.learn_roi.min_spread``, and the model is refitted from the first fit's weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from mmm_analytics.config.model import ModelConfig, RoiPrior
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import contribution_totals
from mmm_analytics.style.numbers import listing

#: A channel informs the learned prior when the data hold at least this share of the information
#: on its log ROI that the configured prior holds (likelihood precision / prior precision).
MIN_DATA_INFORMATION = 0.5
#: Fewer channels than this the data measure: no spread can be learned, the configured prior stays.
MIN_INFORMING_CHANNELS = 3


@dataclass(frozen=True, slots=True)
class ChannelEvidence:
    """Per channel (C,): the data's own estimate of log ROI (the posterior with the configured prior
    divided out) and its standard error, NaN where the data hardly measure it."""

    channels: tuple[str, ...]
    log_roi: np.ndarray
    error: np.ndarray

    @property
    def informing(self) -> np.ndarray:
        return np.isfinite(self.log_roi) & np.isfinite(self.error)


@dataclass(frozen=True, slots=True)
class LearnedRoiPrior:
    """The learned prior: log ROI ~ Normal(``centre``, ``spread``) for ``channels``; ``between`` is
    tau (the channels' log-ROI spread beyond their errors), ``centre_error`` the standard error of
    the centre, ``informed_by`` the channels whose data gave them."""

    centre: float
    between: float
    centre_error: float
    spread: float
    channels: tuple[str, ...]
    informed_by: tuple[str, ...]
    configured: RoiPrior

    @property
    def roi(self) -> float:
        """The learned prior's median ROI (INR per INR)."""
        return float(np.exp(self.centre))

    def apply(self, config: ModelConfig) -> ModelConfig:
        """``config`` with the learned prior as the ROI prior of each of ``channels``."""
        learned = RoiPrior(mean=self.roi, spread=self.spread)
        overrides = dict(config.priors.channel_roi) | {c: learned for c in self.channels}
        priors = config.priors.model_copy(update={"channel_roi": overrides})
        return config.model_copy(update={"priors": priors})

    def to_dict(self) -> dict:
        return {
            "roi": self.roi,
            "spread": self.spread,
            "between_channels": self.between,
            "centre_error": self.centre_error,
            "channels": list(self.channels),
            "informed_by": list(self.informed_by),
            "configured_roi": self.configured.mean,
            "configured_spread": self.configured.spread,
        }


def prior_words(summary: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Sentences for the model report on the learned prior (:meth:`LearnedRoiPrior.to_dict`); none
    when no prior was learned."""
    if not summary:
        return ()
    informed = set(summary["informed_by"])
    lean = [c for c in summary["channels"] if c not in informed]
    return (
        f"ROI prior learned across channels: the channels the data measure ({listing(summary['informed_by'])}) put "
        f"the typical ROI at {summary['roi']:.2f} INR per INR, with channels' ROIs apart by a log-sd of "
        f"{summary['between_channels']:.2f} beyond their errors.",
        f"The model was refitted with log(ROI) ~ Normal(log {summary['roi']:.2f}, {summary['spread']:.2f}) for "
        f"{listing(summary['channels'])}, in place of the configured Normal(log {summary['configured_roi']:g}, "
        f"{summary['configured_spread']:g})"
        + (
            f": {listing(lean)}, which the data hardly measure, now lean on what the other channels show."
            if lean
            else "."
        ),
    )


def channel_evidence(params: ResponseParams, n_train_weeks: int, config: ModelConfig) -> ChannelEvidence:
    """The data's estimate of each channel's log ROI over the first ``n_train_weeks`` weeks, from the
    draws of ``params`` fitted under ``config``'s ROI priors (see :func:`data_estimate`)."""
    weeks = np.zeros(len(params.dates))
    weeks[:n_train_weeks] = 1.0
    contribution = contribution_totals(params, weeks).sum(axis=1)  # (D, C), INR
    spend = params.spend[:, :n_train_weeks].sum(axis=(0, 1))  # (C,), INR
    priors = config.priors
    roi_priors = [priors.channel_roi.get(c, priors.roi) for c in params.channels]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_roi = np.log(contribution / np.where(spend > 0, spend, np.nan))
    estimate, error = data_estimate(
        log_roi,
        np.log([p.mean for p in roi_priors]),
        np.array([p.spread for p in roi_priors]) / np.sqrt(max(priors.weight, 1e-300)),
    )
    return ChannelEvidence(tuple(params.channels), estimate, error)


def data_estimate(
    log_roi: np.ndarray, prior_centre: np.ndarray, prior_spread: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The data's own estimate and standard error per channel, from posterior draws of log ROI
    ``log_roi`` (D, C) under the priors Normal(``prior_centre``, ``prior_spread``) (C,): with both
    Gaussian, the data's precision is the posterior's less the prior's, and its estimate the
    posterior's precision-weighted mean less the prior's. NaN where a draw is not finite or the data
    hold less than ``MIN_DATA_INFORMATION`` of the prior's information."""
    log_roi = np.asarray(log_roi, dtype=np.float64)
    finite = np.isfinite(log_roi).all(axis=0)
    safe = np.where(finite, log_roi, 0.0)
    mean, sd = safe.mean(axis=0), safe.std(axis=0)
    prior_precision = 1.0 / np.asarray(prior_spread, dtype=np.float64) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        posterior_precision = np.where(sd > 1e-9, 1.0 / sd**2, np.inf)  # constant draws: no estimate
        data_precision = posterior_precision - prior_precision
        measured = finite & np.isfinite(data_precision) & (data_precision >= MIN_DATA_INFORMATION * prior_precision)
        estimate = (posterior_precision * mean - prior_precision * prior_centre) / data_precision
        error = 1.0 / np.sqrt(data_precision)
    return np.where(measured, estimate, np.nan), np.where(measured, error, np.nan)


def between_spread(estimate: np.ndarray, error: np.ndarray) -> tuple[float, float, float]:
    """Random-effects meta-analysis of ``estimate`` (k,) with standard errors ``error`` (k,):
    the centre, the between spread tau (Paule-Mandel: the tau at which the weighted squared
    deviations equal k - 1; 0 when they fall short of it already at 0) and the centre's
    standard error."""
    variance = np.asarray(error, dtype=np.float64) ** 2
    estimate = np.asarray(estimate, dtype=np.float64)

    def centre(tau2: float) -> tuple[float, np.ndarray]:
        weight = 1.0 / (variance + tau2)
        return float((weight * estimate).sum() / weight.sum()), weight

    def excess(tau2: float) -> float:
        mu, weight = centre(tau2)
        return float((weight * (estimate - mu) ** 2).sum()) - (len(estimate) - 1)

    tau2 = 0.0
    if excess(0.0) > 0:
        high = max(float(np.var(estimate)) * 4.0, 1e-6)
        while excess(high) > 0:
            high *= 4.0
        tau2 = float(optimize.brentq(excess, 0.0, high, xtol=1e-10))
    mu, weight = centre(tau2)
    return mu, float(np.sqrt(tau2)), float(1.0 / np.sqrt(weight.sum()))


def learn_roi_prior(params: ResponseParams, n_train_weeks: int, config: ModelConfig) -> LearnedRoiPrior | None:
    """The ROI prior learned from the first fit ``params`` (fitted under ``config``), for the channels
    without an override in ``priors.channel_roi``; None when fewer than ``MIN_INFORMING_CHANNELS``
    channels are measured by the data, or every channel has an override."""
    evidence = channel_evidence(params, n_train_weeks, config)
    informing = evidence.informing
    learned_for = tuple(c for c in params.channels if c not in config.priors.channel_roi)
    if informing.sum() < MIN_INFORMING_CHANNELS or not learned_for:
        return None
    mu, tau, centre_error = between_spread(evidence.log_roi[informing], evidence.error[informing])
    spread = max(float(np.hypot(tau, centre_error)), config.priors.learn_roi.min_spread)
    informed_by = tuple(c for c, used in zip(params.channels, informing, strict=True) if used)
    return LearnedRoiPrior(mu, tau, centre_error, spread, learned_for, informed_by, config.priors.roi)
