"""ROI curves from a trained model's response parameters: response, ROI, marginal ROI.

A curve is the steady-state weekly incremental Sales_Value (INR) of one channel in
one brand x region series as a function of a sustained weekly spend (INR), from 0 to
``CurveSettings.max_spend_multiple`` times that series' average weekly spend over the
data, on ``CurveSettings.points`` evenly spaced spends. Along it: the average ROI
(response / spend) and the marginal ROI (derivative of the response with respect to spend,
by ``jax.grad``; see :mod:`mmm_analytics.response.kernels`).

At spend 0 (the first point of every curve) the response is 0 (its band too) and the ROI and
marginal ROI are NaN, with their bands, for every curve: ROI there is 0 / 0, and its limit, the
marginal ROI at 0, hinges on the slope's tiny details and is only approached at absurdly small
spends. A Hill curve's is 0 for a slope just above 1, finite at exactly 1 and infinite below 1
(on the default data national TV, slope 1.01 pooled with other forms, gave 1.85 at spend 0
against an ROI of 3.44 at the first grid point, 3,410 INR), so a value there would draw a spike
(or a dip) at the chart's left edge that no spend of any size shows. The ROI curves start at the
first positive spend.

National curves (brand = region = ``"all"``) scale every series' spend by the same
multiple of its own average weekly spend and sum the responses; their marginal ROI is
the derivative of the summed response with respect to the summed spend along that
path, i.e. the spend-weighted mean of the series' marginal ROIs.

Intervals: every point is also computed for each parameter draw; bands are
equal-tailed quantiles (see :mod:`mmm_analytics.curves.intervals`).

When the form choice could not rule out other saturation forms (``pooled``), every fit is
weighed equally, as in the advice: the curves, ceilings and saturation points are those of their
average curve, and the bands span every fit's draws.

Saturation points, per curve, at the point estimate:

- ``breakeven_spend``: the weekly spend beyond which the marginal ROI stays below 1
  (one more INR of spend returns less than one INR of sales); 0 when it never reaches 1.
- ``ceiling_spend``: the weekly spend at which the response reaches 90% of its
  ceiling (the coefficient, the response at full saturation; for national, summed over the
  series that spent on the channel).

Both saturation points are found on a log-spaced search grid up to 10,000 x the average weekly spend
and refined by bisection; NaN when the point lies beyond the grid or the series never
used the channel. Shapes: S series, P curve points, C channels, D draws, R = S + 1
rows (the series, then the national row).

A series that never spent on a channel (average weekly spend 0, see :func:`unspent_cells`) has
no estimated curve there: its shape is the priors' alone. Its ROI, marginal ROI (with their
bands), ceiling and saturation points are NaN, as in the ROI tables
(:mod:`mmm_analytics.curves.summary`); its spend grid and response stay 0. The national row
leaves such series out of its ceiling (the summed response never reaches them) and is NaN
likewise where no series spent on the channel.

At SKU granularity a series is a brand x region x SKU: curves then carry the SKU too
(``CurveSet.skus``, ``SegmentCurve.sku``, a ``sku`` column after ``region`` in the frame).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.curves.evaluation import draw_bands, evaluate_forms, spend_weighted
from mmm_analytics.data.schema import ALL_SELECTION
from mmm_analytics.response.artifacts import ResponseParams

type Array = npt.NDArray[np.float64]

NATIONAL = ALL_SELECTION
CEILING_SHARE = 0.9
BREAKEVEN_MROI = 1.0
SEARCH_MULTIPLES: Array = np.concatenate([[0.0], np.geomspace(1e-3, 1e4, 1500)])
BISECTION_STEPS = 60
CURVE_COLUMNS: tuple[str, ...] = (
    "channel",
    "brand",
    "region",
    "spend",
    "response",
    "response_lower",
    "response_upper",
    "roi",
    "mroi",
)
#: :data:`CURVE_COLUMNS` at SKU granularity.
SKU_CURVE_COLUMNS: tuple[str, ...] = (*CURVE_COLUMNS[:3], "sku", *CURVE_COLUMNS[3:])


def brand_label(brand: str, sku: str | None) -> str:
    """``BrandA``, or ``BrandA (BrandA_SKU1)`` for a series of one SKU."""
    return brand if sku is None else f"{brand} ({sku})"


@dataclass(frozen=True, slots=True)
class SegmentCurve:
    """One channel's curve in one row (a series or national), ready to plot.

    Arrays are of shape (P,): ``spend`` INR per week, ``response*`` INR per week,
    ``roi*`` and ``mroi*`` INR of sales per INR of spend (NaN at spend 0). Scalars in INR per week.
    """

    channel: str
    brand: str
    region: str
    spend: Array
    response: Array
    response_lower: Array
    response_upper: Array
    roi: Array
    mroi: Array
    mroi_lower: Array
    mroi_upper: Array
    current_spend: float
    current_response: float
    ceiling: float
    breakeven_spend: float
    ceiling_spend: float
    level: float
    sku: str | None = None

    @property
    def brand_label(self) -> str:
        """The brand, with the SKU at SKU granularity."""
        return brand_label(self.brand, self.sku)


@dataclass(frozen=True, slots=True)
class CurveSet:
    """Every curve of a model: S series rows then one national row.

    Attributes
    ----------
    channels : tuple of str, length C
    brands, regions : tuple of str, length R (the national row is ``"all"``, ``"all"``)
    multiples : ndarray of shape (P,), multiples of the average weekly spend
    spend : ndarray of shape (R, P, C), weekly spend (INR)
    response, response_lower, response_upper : ndarray of shape (R, P, C), INR per week
    roi, roi_lower, roi_upper, mroi, mroi_lower, mroi_upper : ndarray of shape (R, P, C), NaN at spend 0
    current_spend, current_response, ceiling : ndarray of shape (R, C), INR per week
    breakeven_spend, ceiling_spend : ndarray of shape (R, C), INR per week
    level : float, interval coverage
    skus : tuple of str, length R, at SKU granularity (the national row is ``"all"``); else None
    """

    channels: tuple[str, ...]
    brands: tuple[str, ...]
    regions: tuple[str, ...]
    multiples: Array
    spend: Array
    response: Array
    response_lower: Array
    response_upper: Array
    roi: Array
    roi_lower: Array
    roi_upper: Array
    mroi: Array
    mroi_lower: Array
    mroi_upper: Array
    current_spend: Array
    current_response: Array
    ceiling: Array
    breakeven_spend: Array
    ceiling_spend: Array
    level: float
    skus: tuple[str, ...] | None = None

    @property
    def n_rows(self) -> int:
        return len(self.brands)

    def segment(self, row: int, channel: int) -> SegmentCurve:
        """The curve of row ``row`` (series index, or ``n_rows - 1`` for national) and channel index."""
        at = (row, slice(None), channel)
        return SegmentCurve(
            self.channels[channel],
            self.brands[row],
            self.regions[row],
            self.spend[at],
            self.response[at],
            self.response_lower[at],
            self.response_upper[at],
            self.roi[at],
            self.mroi[at],
            self.mroi_lower[at],
            self.mroi_upper[at],
            float(self.current_spend[row, channel]),
            float(self.current_response[row, channel]),
            float(self.ceiling[row, channel]),
            float(self.breakeven_spend[row, channel]),
            float(self.ceiling_spend[row, channel]),
            self.level,
            None if self.skus is None else self.skus[row],
        )

    def to_frame(self) -> pd.DataFrame:
        """The curve grid, one row per channel x row x point: :data:`CURVE_COLUMNS`, or
        :data:`SKU_CURVE_COLUMNS` at SKU granularity."""
        n_rows, n_points, n_channels = self.spend.shape

        def flat(values: Array) -> Array:
            return np.transpose(values, (2, 0, 1)).reshape(-1)

        def keys(values: tuple[str, ...]) -> npt.NDArray[np.object_]:
            return np.tile(np.repeat(np.array(values, dtype=object), n_points), n_channels)

        skus = {} if self.skus is None else {"sku": keys(self.skus)}
        frame = pd.DataFrame(
            {
                "channel": np.repeat(np.array(self.channels, dtype=object), n_rows * n_points),
                "brand": keys(self.brands),
                "region": keys(self.regions),
                **skus,
                "spend": flat(self.spend),
                "response": flat(self.response),
                "response_lower": flat(self.response_lower),
                "response_upper": flat(self.response_upper),
                "roi": flat(self.roi),
                "mroi": flat(self.mroi),
            }
        )
        return frame.astype({name: "string" for name in ("channel", "brand", "region", *skus)})


def average_weekly_spend(params: ResponseParams) -> Array:
    """Average weekly spend (INR) over the data period, shape (S, C)."""
    return params.spend.mean(axis=1)


def _at_positive_spend(values: Array, spend: Array) -> Array:
    """ROIs or marginal ROIs ``values`` where ``spend`` (INR per week, of the same shape) is above 0;
    NaN at spend 0 (see the module docstring) and wherever a value is not finite."""
    return np.where((spend > 0.0) & np.isfinite(values), values, np.nan)


def _average_roi(response: Array, spend: Array) -> Array:
    """Response / spend (INR of sales per INR); NaN at spend 0, where it is 0 / 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _at_positive_spend(response / np.where(spend > 0.0, spend, 1.0), spend)


def last_crossing(gap: Callable[[Array], Array], n_rows: int, n_channels: int) -> Array:
    """Largest multiple m at which ``gap(m)`` turns from >= 0 to < 0, per row and channel.

    ``gap`` maps multiples of shape (R, G, C) to values of the same shape. Returns shape
    (R, C): 0 where the gap is negative everywhere, NaN where it is still >= 0 at the
    end of :data:`SEARCH_MULTIPLES`.
    """
    grid = SEARCH_MULTIPLES
    above = gap(np.broadcast_to(grid[None, :, None], (n_rows, grid.size, n_channels))) >= 0.0
    turns = above[:, :-1, :] & ~above[:, 1:, :]
    last = grid.size - 2 - np.argmax(turns[:, ::-1, :], axis=1)
    low, high = grid[last], grid[last + 1]
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (low + high)
        keep = gap(middle[:, None, :])[:, 0, :] >= 0.0
        low, high = np.where(keep, middle, low), np.where(keep, high, middle)
    crossing = np.where(turns.any(axis=1), high, 0.0)
    return np.where(above[:, -1, :], np.nan, crossing)


def saturation_points(forms: Sequence[ResponseParams], average: Array) -> tuple[Array, Array]:
    """Break-even (mroi falls below 1) and 90%-of-ceiling weekly spends, each of shape (S + 1, C),
    on the average curve of ``forms`` (the chosen fit, then any pooled ones; see :func:`evaluate_forms`).

    ``average`` is the average weekly spend (S, C); the last row is national.
    """
    coefficient = point_coefficient(forms)

    def cells(m: Array) -> tuple[Array, Array]:
        return evaluate_forms(forms, m * average[:, None, :])

    def national(m: Array) -> tuple[Array, Array]:
        response, mroi = evaluate_forms(forms, m * average[:, None, :])
        return response.sum(axis=0, keepdims=True), spend_weighted(mroi, average, axis=0)[None]

    n_series, n_channels = average.shape
    total_ceiling = reachable_ceiling(coefficient, average)[-1:]
    breakeven = np.concatenate(
        [
            last_crossing(lambda m: cells(m)[1] - BREAKEVEN_MROI, n_series, n_channels),
            last_crossing(lambda m: national(m)[1] - BREAKEVEN_MROI, 1, n_channels),
        ]
    ) * np.concatenate([average, average.sum(axis=0, keepdims=True)])
    at_ceiling = np.concatenate(
        [
            last_crossing(lambda m: CEILING_SHARE * coefficient[:, None, :] - cells(m)[0], n_series, n_channels),
            last_crossing(lambda m: CEILING_SHARE * total_ceiling[:, None, :] - national(m)[0], 1, n_channels),
        ]
    ) * np.concatenate([average, average.sum(axis=0, keepdims=True)])
    unused = unspent_cells(average)
    return np.where(unused, np.nan, breakeven), np.where(unused, np.nan, at_ceiling)


def point_coefficient(forms: Sequence[ResponseParams]) -> Array:
    """The response at full saturation (INR per week, (S, C)) of the average curve of ``forms``: the
    mean of their coefficients (every saturation form rises to 1)."""
    return np.mean([form.coefficient for form in forms], axis=0)


def unspent_cells(average: Array) -> npt.NDArray[np.bool_]:
    """Which cells have no spend in the data, shape (S + 1, C) boolean: a series whose average weekly
    spend (``average``, (S, C), INR) is 0, and the national row where no series spent. Their curve is
    the priors' alone, so it carries no ROI, marginal ROI, ceiling or saturation point."""
    return np.concatenate([average, average.sum(axis=0, keepdims=True)]) <= 0.0


def reachable_ceiling(coefficient: Array, average: Array) -> Array:
    """The response at full saturation (INR per week), shape (S + 1, C): each series' ``coefficient``
    (S, C), and nationally their sum over the series that spent on the channel (``average`` (S, C),
    INR per week, above 0); NaN in the cells of :func:`unspent_cells`."""
    spent = np.where(average > 0.0, coefficient, 0.0)
    return np.where(unspent_cells(average), np.nan, _with_national(spent, spent.sum(axis=0)))


def _estimated(values: Array, unused: npt.NDArray[np.bool_]) -> Array:
    """``values`` (S + 1, P, C) with NaN along the curves of the ``unused`` cells (S + 1, C)."""
    return np.where(unused[:, None, :], np.nan, values)


def _with_national(series: Array, national: Array) -> Array:
    """Stack series rows (S, ...) and the national row (...) into (S + 1, ...)."""
    return np.concatenate([series, national[None]], axis=0)


def extract_curves(
    params: ResponseParams,
    settings: CurveSettings,
    level: float,
    skus: Sequence[str] | None = None,
    pooled: Sequence[ResponseParams] = (),
) -> CurveSet:
    """Curves of every channel in every series and nationally, with intervals at ``level``.

    ``skus`` (length S) names each series' SKU at SKU granularity. The curves are those of
    ``params`` and ``pooled`` (other forms of the same series) weighed equally, their intervals
    over every form's draws.
    """
    if skus is not None and len(skus) != len(params.series_brand):
        raise ValueError(f"{len(skus)} SKUs for {len(params.series_brand)} series")
    average = average_weekly_spend(params)
    multiples = np.linspace(0.0, settings.max_spend_multiple, settings.points)
    spend = multiples[None, :, None] * average[:, None, :]
    forms = (params, *pooled)
    response, mroi = evaluate_forms(forms, spend)
    spend_all = _with_national(spend, spend.sum(axis=0))
    response_all = _with_national(response, response.sum(axis=0))
    mroi_all = _with_national(mroi, spend_weighted(mroi, average, axis=0))
    response_band, mroi_band = draw_bands(params, spend, average, level, pooled)
    current_response, _ = evaluate_forms(forms, average[:, None, :])
    breakeven, at_ceiling = saturation_points(forms, average)
    unused = unspent_cells(average)
    return CurveSet(
        channels=params.channels,
        brands=(*params.series_brand, NATIONAL),
        regions=(*params.series_region, NATIONAL),
        multiples=multiples,
        spend=spend_all,
        response=response_all,
        response_lower=response_band[0],
        response_upper=response_band[1],
        roi=_estimated(_average_roi(response_all, spend_all), unused),
        roi_lower=_estimated(_average_roi(response_band[0], spend_all), unused),
        roi_upper=_estimated(_average_roi(response_band[1], spend_all), unused),
        mroi=_estimated(_at_positive_spend(mroi_all, spend_all), unused),
        mroi_lower=_estimated(_at_positive_spend(mroi_band[0], spend_all), unused),
        mroi_upper=_estimated(_at_positive_spend(mroi_band[1], spend_all), unused),
        current_spend=_with_national(average, average.sum(axis=0)),
        current_response=_with_national(current_response[:, 0, :], current_response[:, 0, :].sum(axis=0)),
        ceiling=reachable_ceiling(point_coefficient(forms), average),
        breakeven_spend=breakeven,
        ceiling_spend=at_ceiling,
        level=level,
        skus=None if skus is None else (*skus, NATIONAL),
    )
