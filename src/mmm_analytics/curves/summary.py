"""Contribution, ROI and marginal ROI per channel, nationally and per brand x region, with intervals.

- spend: exposure x CPM / 1000 summed over the full data period (INR).
- contribution: :func:`mmm_analytics.response.steady_state.historical_contribution` summed
  over the data period (INR): the model's prediction minus its prediction with that
  channel's exposure at 0 throughout. Media enter the model additively, so this
  counterfactual difference is exactly the channel's response term.
- roi: contribution / spend (INR of sales per INR of spend).
- mroi: marginal ROI at the current average weekly spend, the derivative of the
  steady-state weekly response with respect to weekly spend (``jax.grad``). The
  national mroi is the derivative of the summed response when every series' spend
  moves in proportion to its average, i.e. the spend-weighted mean of series mrois.

A series that never spent on a channel has no roi or mroi for it (NaN, an empty cell in the
CSV): its curve there is the priors' alone.

Intervals: each quantity is computed for every parameter draw and summarised by
equal-tailed quantiles (:mod:`mmm_analytics.curves.intervals`); the point value is
computed from the point estimate. When the form choice could not rule out other
saturation forms, every fit is weighed equally, as in the advice: the point value is the
mean of their point values and the draws are every fit's draws. ``roi_lower * spend`` and
``roi_upper * spend`` are the contribution interval.

At SKU granularity a series is a brand x region x SKU and the segment table has a ``sku``
column after ``region`` (:data:`SKU_SEGMENT_COLUMNS`): one row per series and channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mmm_analytics.curves.evaluation import evaluate, evaluate_forms
from mmm_analytics.curves.extraction import average_weekly_spend
from mmm_analytics.curves.intervals import equal_tailed
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.steady_state import contribution_totals, historical_contribution

type Array = npt.NDArray[np.float64]

ROI_COLUMNS: tuple[str, ...] = (
    "channel",
    "spend",
    "contribution",
    "roi",
    "roi_lower",
    "roi_upper",
    "mroi",
    "mroi_lower",
    "mroi_upper",
)
SEGMENT_COLUMNS: tuple[str, ...] = ("brand", "region", *ROI_COLUMNS)
SKU_SEGMENT_COLUMNS: tuple[str, ...] = ("brand", "region", "sku", *ROI_COLUMNS)

#: A channel is suggested for a lift test only with at least this share of the fitted media contribution.
MIN_SHARE_FOR_EXPERIMENT = 0.05
#: How many channels the ROI report suggests for a lift test.
SUGGESTED_EXPERIMENTS = 3


@dataclass(frozen=True, slots=True)
class RoiEstimates:
    """Per-series totals over the data period and their draws.

    Attributes
    ----------
    channels : tuple of str, length C
    brands, regions : tuple of str, length S
    spend : ndarray of shape (S, C), INR over the data period
    average_spend : ndarray of shape (S, C), INR per week
    contribution : ndarray of shape (S, C), INR; contribution_draws (D, S, C)
    mroi : ndarray of shape (S, C) at the average weekly spend; mroi_draws (D, S, C)
    skus : tuple of str, length S, at SKU granularity; else None
    """

    channels: tuple[str, ...]
    brands: tuple[str, ...]
    regions: tuple[str, ...]
    spend: Array
    average_spend: Array
    contribution: Array
    contribution_draws: Array
    mroi: Array
    mroi_draws: Array
    skus: tuple[str, ...] | None = None


def total_contribution(params: ResponseParams, draw: int | None = None) -> Array:
    """Media contribution (INR) summed over the data period, shape (S, C); a series that never
    used a channel contributes exactly 0 to it."""
    return historical_contribution(params, draw).sum(axis=1)


def point_contribution(forms: Sequence[ResponseParams]) -> Array:
    """The point media contribution (INR over the data period, (S, C)) of ``forms`` weighed equally:
    the chosen fit, then any pooled ones (see :func:`~mmm_analytics.curves.evaluation.evaluate_forms`)."""
    return np.mean([total_contribution(form) for form in forms], axis=0)


def contribution_draws(forms: Sequence[ResponseParams]) -> Array:
    """Media contribution (INR over the data period) of every draw of every form, (D, S, C)."""
    return np.concatenate([contribution_totals(form) for form in forms])


def estimate_roi(
    params: ResponseParams, skus: Sequence[str] | None = None, pooled: Sequence[ResponseParams] = ()
) -> RoiEstimates:
    """Spend, contribution and marginal ROI of every series and channel, with draws.

    ``skus`` (length S) names each series' SKU at SKU granularity. ``pooled`` holds other saturation
    forms of the same series that the form choice could not rule out: the point values are the mean
    of every form's, and the draws those of ``params`` followed by every pooled form's, so the
    intervals hold the form's uncertainty as well as each form's own.
    """
    if skus is not None and len(skus) != len(params.series_brand):
        raise ValueError(f"{len(skus)} SKUs for {len(params.series_brand)} series")
    forms = (params, *pooled)
    average = average_weekly_spend(params)
    _, mroi = evaluate_forms(forms, average[:, None, :])
    mroi_draws = np.concatenate([evaluate(form, average[:, None, :], draws=True)[1] for form in forms])
    return RoiEstimates(
        channels=params.channels,
        brands=params.series_brand,
        regions=params.series_region,
        spend=params.spend.sum(axis=1),
        average_spend=average,
        contribution=point_contribution(forms),
        contribution_draws=contribution_draws(forms),
        mroi=mroi[:, 0, :],
        mroi_draws=mroi_draws[:, :, 0, :],
        skus=None if skus is None else tuple(skus),
    )


def _ratio(numerator: Array, denominator: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def _columns(
    spend: Array, contribution: Array, contribution_draws: Array, mroi: Array, mroi_draws: Array, level: float
) -> dict[str, Array]:
    """The numeric ROI columns for arrays of shape (..., C) (draws with a leading D axis)."""
    roi_lower, roi_upper = equal_tailed(_ratio(contribution_draws, spend), level)
    mroi_lower, mroi_upper = equal_tailed(mroi_draws, level)
    return {
        "spend": spend,
        "contribution": contribution,
        "roi": _ratio(contribution, spend),
        "roi_lower": roi_lower,
        "roi_upper": roi_upper,
        "mroi": mroi,
        "mroi_lower": mroi_lower,
        "mroi_upper": mroi_upper,
    }


def channel_roi_table(estimates: RoiEstimates, level: float) -> pd.DataFrame:
    """National totals per channel, columns exactly :data:`ROI_COLUMNS`."""
    weights = estimates.average_spend
    weight_total = weights.sum(axis=0)

    def national_mroi(values: Array) -> Array:
        used = np.where(weights > 0, values, 0.0)  # unused series: weight 0, NaN mroi
        return _ratio((used * weights).sum(axis=-2), weight_total)

    columns = _columns(
        estimates.spend.sum(axis=0),
        estimates.contribution.sum(axis=0),
        estimates.contribution_draws.sum(axis=1),
        national_mroi(estimates.mroi),
        national_mroi(estimates.mroi_draws),
        level,
    )
    frame = pd.DataFrame({"channel": pd.array(estimates.channels, dtype="string"), **columns})
    return frame.loc[:, list(ROI_COLUMNS)]


def segment_roi_table(estimates: RoiEstimates, level: float) -> pd.DataFrame:
    """One row per series x channel, columns exactly :data:`SEGMENT_COLUMNS` (brand, region first),
    or :data:`SKU_SEGMENT_COLUMNS` at SKU granularity."""
    unused = estimates.average_spend <= 0  # no spend in any week: no curve estimated, no marginal ROI
    columns = _columns(
        estimates.spend,
        estimates.contribution,
        estimates.contribution_draws,
        np.where(unused, np.nan, estimates.mroi),
        np.where(unused, np.nan, estimates.mroi_draws),
        level,
    )
    n_series, n_channels = estimates.spend.shape
    skus = {} if estimates.skus is None else {"sku": pd.array(np.repeat(estimates.skus, n_channels), dtype="string")}
    frame = pd.DataFrame(
        {
            "brand": pd.array(np.repeat(estimates.brands, n_channels), dtype="string"),
            "region": pd.array(np.repeat(estimates.regions, n_channels), dtype="string"),
            **skus,
            "channel": pd.array(np.tile(estimates.channels, n_series), dtype="string"),
            **{name: values.reshape(-1) for name, values in columns.items()},
        }
    )
    return frame.loc[:, list(SEGMENT_COLUMNS if estimates.skus is None else SKU_SEGMENT_COLUMNS)]


def experiment_candidates(
    table: pd.DataFrame, n: int = SUGGESTED_EXPERIMENTS, min_share: float = MIN_SHARE_FOR_EXPERIMENT
) -> pd.DataFrame:
    """The ``n`` channels whose sales credit is least certain: where a lift test would teach the most.

    Of the channels with at least ``min_share`` of the fitted media contribution (a negative
    contribution counts as none) and a known interval, those whose contribution interval is widest,
    widest first (ties keep the table's order). The contribution interval is the ROI interval times
    the spend, and spend = contribution / roi, so the width is ``contribution * (roi_upper -
    roi_lower) / roi``, in the contribution's units: a big channel known to +-20% can leave more
    sales unexplained than a small one known to a factor of two, and it moves the split of the
    budget more. A channel with no ROI (never spent on) or no finite interval is never named.

    Parameters
    ----------
    table : DataFrame
        One row per channel with ``channel``, ``contribution`` (INR, or any sales unit), ``roi``,
        ``roi_lower`` and ``roi_upper`` (sales per INR spent), e.g. :func:`channel_roi_table`'s.

    Returns
    -------
    DataFrame
        The chosen rows with ``share`` (of the fitted media contribution) and
        ``contribution_width`` (the contribution's units) added.
    """
    fitted = table["contribution"].astype(float).clip(lower=0.0)
    total = float(fitted.sum())
    share = fitted / total if total > 0 else fitted * np.nan
    roi = table["roi"].astype(float)
    lower = table["roi_lower"].astype(float)
    upper = table["roi_upper"].astype(float)
    known = (roi > 0) & np.isfinite(roi) & np.isfinite(lower) & np.isfinite(upper)
    ranked = table.assign(share=share, contribution_width=(fitted * (upper - lower) / roi).where(known))
    ranked = ranked[(ranked["share"] >= min_share) & ranked["contribution_width"].notna()]
    order = np.argsort(-ranked["contribution_width"].to_numpy(), kind="stable")
    return ranked.iloc[order[: max(n, 0)]]
