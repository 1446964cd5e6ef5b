"""The what-if engine: a trained model's response, evaluated for a sustained weekly spend.

``MarketingSimulator.from_model_dir`` reads ``response_params.npz`` and ``metadata.json``
(no Keras needed) and answers "what weekly sales follow from this weekly spend mix?" per
brand x region, or summed over segments with ``"all"``. See
:func:`mmm_analytics.simulator.defaults.budget_semantics` for the exact semantics.

Spends and budgets must be finite, >= 0 and at most ``SimulatorSettings.max_spend_multiple``
(``simulator.max_spend_multiple`` in ``model_config.yaml``, default 100) times the selection's current
total weekly spend; anything else is an :class:`InputError` naming the option and the
allowed maximum. Every number of a result is finite.

:meth:`MarketingSimulator.optimize_budget` hands the optimiser a selection with the posterior
draws (it maximises the expected response by default, ``simulator.objective``) and the range
of weekly spend of each cell in the data (``simulator.data_range``); intervals use
``intervals.level`` of the config the simulator was loaded with, else the model's. Amounts in its
messages and advice are grouped in that config's ``viz.number_format`` (indian without one).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mmm_analytics.config.loader import ProjectConfig
from mmm_analytics.config.model import MAX_STARTS, ModelConfig, SimulatorSettings
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    ModelMetadata,
    ResponseParams,
    load_model_files,
    load_pooled,
    model_digest,
    model_folder,
)
from mmm_analytics.simulator.advice import spend_correlation
from mmm_analytics.simulator.bounds import SpendRange, where_words
from mmm_analytics.simulator.constraints import BudgetConstraints
from mmm_analytics.simulator.defaults import ALL, RECENT_BASELINE_WEEKS
from mmm_analytics.simulator.expected import Objective
from mmm_analytics.simulator.optimizer import (
    OptimizationResult,
    Selection,
    optimize_allocation,
    require_finite,
    scaled_current,
)
from mmm_analytics.simulator.result import Allocation, SimulationResult
from mmm_analytics.simulator.surface import (
    CellSet,
    DrawSet,
    ResponseSurface,
    Rows,
    SpendMatrix,
)
from mmm_analytics.simulator.terms import OPTIONS, Terms
from mmm_analytics.style.numbers import message_inr
from mmm_analytics.utils.names import one_name

type SegmentAllocation = Mapping[tuple[str, str], Mapping[str, float]]

#: Relative slack of the largest budget accepted: today's spend summed in another order (by channel, then the
#: channels; by segment; split across segments) differs in the last digits, and twice today's budget, the
#: frontier's end, was refused against a limit of twice today's budget.
SUMMING = 1e-9


def _settings(config: ModelConfig | ProjectConfig | SimulatorSettings | None) -> tuple[SimulatorSettings, float | None]:
    """The simulator settings and the configured interval level (None: the model's own)."""
    match config:
        case None:
            return SimulatorSettings(), None
        case ProjectConfig():
            return config.model.simulator, config.model.intervals.level
        case ModelConfig():
            return config.simulator, config.intervals.level
        case SimulatorSettings():
            return config, None
        case _:
            raise TypeError(f"config must be a ModelConfig, ProjectConfig or SimulatorSettings; got {type(config)}")


class MarketingSimulator:
    """Scenario evaluation and optimisation on a trained model's steady-state response."""

    def __init__(
        self,
        params: ResponseParams,
        metadata: ModelMetadata,
        settings: SimulatorSettings | None = None,
        model_path: Path | None = None,
        interval_level: float | None = None,
        pooled: Sequence[ResponseParams] = (),
        number_format: NumberFormat = NumberFormat.INDIAN,
    ) -> None:
        """``pooled``: the responses of other forms the model's form choice could not rule out, fitted
        to the same series, weighed equally with ``params``: the advice and the intervals of scenarios
        pool their draws, and a scenario's point figures are the mean of the forms'.
        ``number_format``: the digit grouping of the amounts in messages and advice."""
        if tuple(metadata.channels) != tuple(params.channels):
            raise InputError(
                f"metadata.json channels {metadata.channels} differ from response_params.npz channels "
                f"{list(params.channels)}; re-run 'mmm train'"
            )
        self.params = params
        self.pooled = tuple(pooled)
        self.metadata = metadata
        self.settings = settings or SimulatorSettings()
        self.model_path = model_path
        self.model_digest = "" if model_path is None else model_digest(model_path)
        self._interval_level = interval_level
        self.number_format = number_format
        self.max_spend_multiple = float(self.settings.max_spend_multiple)
        self.surface = ResponseSurface.from_params(params, self.settings.segment_curves)
        self._pooled_surfaces = tuple(ResponseSurface.from_params(p, self.settings.segment_curves) for p in self.pooled)
        spend = params.spend
        self.current_matrix: SpendMatrix = spend.mean(axis=1)  # (S, C)
        # (S,) recent weekly sales without media, the forms weighed equally as the response is
        recent = [form.baseline_sales[:, -RECENT_BASELINE_WEEKS:].mean(axis=1) for form in (params, *self.pooled)]
        self.baseline_weekly = np.mean(recent, axis=0)
        weights = np.cumsum(params.lag_weights, axis=1)  # (M, L + 1, C)
        lags = np.minimum(np.arange(self.settings.horizon_weeks), weights.shape[1] - 1)
        share = weights[:, lags] / np.where(weights[:, -1:] > 0, weights[:, -1:], 1.0)  # (M, H, C)
        self._build_up = np.moveaxis(share, 0, 1)  # (H, M, C): share of the steady state reached by week h

    @classmethod
    def from_model_dir(
        cls, path: str | Path, config: ModelConfig | ProjectConfig | SimulatorSettings | None = None
    ) -> MarketingSimulator:
        """Load the simulator from a model folder or the ``.keras`` file inside it; a ``ModelConfig``
        or ``ProjectConfig`` also sets the interval level (``intervals.level``), a ``ProjectConfig`` the
        number format (``viz.number_format``)."""
        folder = model_folder(path)
        metadata, params = load_model_files(folder)
        settings, level = _settings(config)
        pooled = load_pooled(folder, params, metadata.pooled_saturations)
        fmt = config.viz.number_format if isinstance(config, ProjectConfig) else NumberFormat.INDIAN
        return cls(
            params, metadata, settings, model_path=folder, interval_level=level, pooled=pooled, number_format=fmt
        )

    # ----- vocabularies -------------------------------------------------------------------
    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.params.channels)

    @property
    def segments(self) -> list[tuple[str, str]]:
        return list(zip(self.params.series_brand, self.params.series_region))

    @property
    def brands(self) -> list[str]:
        return sorted(set(self.params.series_brand))

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.params.series_region))

    @property
    def interval_level(self) -> float:
        """Level of every interval: the configured ``intervals.level``, else the model's."""
        return float(self.metadata.interval_level if self._interval_level is None else self._interval_level)

    def named(self, kind: Literal["brand", "region"], text: str) -> str:
        """The ``kind`` of the model that ``text`` names (see :func:`~mmm_analytics.utils.names.one_name`),
        or ``"all"``: what the command line, scenario files and the menu pass on to the other methods,
        which take names as the model writes them.

        Raises
        ------
        InputError
            For a name of neither, or one that matches several up to case.
        """
        known = self.brands if kind == "brand" else self.regions
        return one_name(text, known, kind, f"choose one of: {', '.join(known)} or all", every=ALL)

    def rows(self, brand: str, region: str) -> Rows:
        """Series indices selected by ``brand`` and ``region`` (each a name as the model writes it, or ``"all"``)."""
        if brand != ALL and brand not in self.brands:
            raise InputError(f"unknown brand {brand!r}; choose one of: {', '.join(self.brands)} or all")
        if region != ALL and region not in self.regions:
            raise InputError(f"unknown region {region!r}; choose one of: {', '.join(self.regions)} or all")
        picked = [i for i, (b, r) in enumerate(self.segments) if brand in (ALL, b) and region in (ALL, r)]
        if not picked:
            raise InputError(
                f"the model has no series of brand {brand!r} in region {region!r} (not sold there, or nothing sold "
                "in its training weeks); pick another pair"
            )
        return np.asarray(picked, dtype=np.int64)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - the simulator lives as long as its caches
    def cell_set(self, brand: str, region: str) -> CellSet:
        return self.surface.cells(self.rows(brand, region), self._pooled_surfaces)

    @functools.lru_cache(maxsize=64)  # noqa: B019
    def draw_set(self, brand: str, region: str) -> DrawSet:
        return DrawSet.build(self.params, self.rows(brand, region), self.pooled, self.settings.segment_curves)

    # ----- current mix and splitting --------------------------------------------------------
    def current_spend(self, brand: str = ALL, region: str = ALL) -> Allocation:
        """Average weekly spend per channel over the data (INR), summed over the selection."""
        totals = self.current_matrix[self.rows(brand, region)].sum(axis=0)
        return dict(zip(self.channels, totals.tolist()))

    def max_weekly_spend(self, brand: str = ALL, region: str = ALL) -> float:
        """The largest weekly budget or total spend (INR) accepted for the selection:
        ``max_spend_multiple`` x its current total weekly spend (the whole model's when the
        selection spends nothing today)."""
        return self.max_spend_multiple * self._reference_spend(brand, region)

    def _reference_spend(self, brand: str, region: str) -> float:
        current = float(self.current_matrix[self.rows(brand, region)].sum())
        return current if current > 0 else float(self.current_matrix.sum())

    def _inr(self, value: float) -> str:
        """``value`` (INR) for a message, grouped in the simulator's number format."""
        return message_inr(value, self.number_format)

    def _allowed(self, brand: str, region: str) -> str:
        reference = self._reference_spend(brand, region)
        return (
            # rounded down, so that the amount shown is itself accepted
            f"the allowed maximum is {self._inr(math.floor(self.max_weekly_spend(brand, region)))} "
            f"({self.max_spend_multiple:g} x the current weekly spend of brand {brand} / region {region}, "
            f"{self._inr(reference)})"
        )

    def check_budget(self, budget: float, brand: str = ALL, region: str = ALL, terms: Terms = OPTIONS) -> None:
        """Raise :class:`InputError` unless ``budget`` (INR per week) is finite, >= 0 and at most
        :meth:`max_weekly_spend`; the message calls it ``terms.budget``."""
        value = float(budget)
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{terms.budget} must be a number >= 0 INR; got {budget}")
        if value > self.max_weekly_spend(brand, region) * (1 + SUMMING):
            raise InputError(
                f"{terms.budget} of {self._inr(value)} is too large: "
                f"{self._allowed(brand, region)}; choose a smaller budget"
            )

    def check_spend(self, spend: SpendMatrix, brand: str = ALL, region: str = ALL) -> None:
        """Raise :class:`InputError` unless every cell of ``spend`` (K, C) is finite and >= 0 and
        the total is at most :meth:`max_weekly_spend`."""
        matrix = np.asarray(spend, dtype=np.float64)
        per_channel = matrix.sum(axis=0) if matrix.ndim == 2 else matrix
        for channel, values in zip(self.channels, np.atleast_2d(matrix).T, strict=True):
            if not np.isfinite(values).all() or (values < 0).any():
                raise InputError(f"spend for channel {channel!r} must be a number >= 0 (INR per week)")
        total = float(per_channel.sum())
        if total > self.max_weekly_spend(brand, region) * (1 + SUMMING):
            largest = int(np.argmax(per_channel))
            raise InputError(
                f"total weekly spend of {self._inr(total)} (largest: {self.channels[largest]} "
                f"{self._inr(float(per_channel[largest]))}) is too large: {self._allowed(brand, region)}; "
                "plan a smaller spend"
            )

    def split(self, totals: np.ndarray, rows: Rows) -> SpendMatrix:
        """Split channel totals (C,) across series in proportion to their historical spend: (K, C)."""
        history = self.current_matrix[rows]
        column = history.sum(axis=0)
        shares = np.where(column > 0, history / np.where(column > 0, column, 1.0), 1.0 / len(rows))
        return shares * np.asarray(totals, dtype=np.float64)

    def allocation_matrix(self, allocation: Allocation | SegmentAllocation, brand: str, region: str) -> SpendMatrix:
        """Turn a channel allocation (or one per (brand, region)) into a (K, C) spend matrix.

        Channels left out keep their current spend; unknown channels or negative amounts raise
        :class:`InputError`.
        """
        rows = self.rows(brand, region)
        if allocation and all(isinstance(key, tuple) for key in allocation):
            return self._segment_matrix(allocation, rows)  # type: ignore[arg-type]
        current = self.current_matrix[rows].sum(axis=0)
        return self.split(self._channel_vector(allocation, current), rows)  # type: ignore[arg-type]

    def _segment_matrix(self, allocation: SegmentAllocation, rows: Rows) -> SpendMatrix:
        matrix = self.current_matrix[rows].copy()
        segments = self.segments
        position = {segments[row]: k for k, row in enumerate(rows)}
        for segment, per_channel in allocation.items():
            if segment not in position:
                raise InputError(f"segment brand={segment[0]!r} region={segment[1]!r} is not in the selection")
            matrix[position[segment]] = self._channel_vector(per_channel, matrix[position[segment]])
        return matrix

    def _channel_vector(self, allocation: Mapping[str, float], default: np.ndarray) -> np.ndarray:
        vector = np.array(default, dtype=np.float64)
        for channel, amount in allocation.items():
            if channel not in self.channels:
                raise InputError(
                    f"unknown channel {channel!r} in the spend allocation; channels: {', '.join(self.channels)}"
                )
            value = float(amount)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"spend for channel {channel!r} must be a number >= 0 (INR per week); got {amount!r}")
            vector[self.channels.index(channel)] = value
        return vector

    # ----- evaluation ------------------------------------------------------------------------
    def simulate_scenario(
        self, spend_allocation: Allocation | SegmentAllocation, brand: str = ALL, region: str = ALL
    ) -> SimulationResult:
        """Weekly sales at steady state for a sustained weekly ``spend_allocation`` (INR per channel).

        With ``brand``/``region`` ``"all"`` the allocation is the total over segments, split in
        proportion to historical spend, unless it is given per ``(brand, region)`` key.
        """
        return self.simulate_matrix(self.allocation_matrix(spend_allocation, brand, region), brand, region)

    def simulate_matrix(self, spend: SpendMatrix, brand: str, region: str) -> SimulationResult:
        """Evaluate a (K, C) weekly spend matrix for the selection ``brand`` x ``region``."""
        self.check_spend(spend, brand, region)
        rows = self.rows(brand, region)
        cells = self.cell_set(brand, region)
        current = self.current_matrix[rows]
        # A cell the data never spent on has no estimated response (a curve scaled to nothing, steep from the
        # first rupee: one rupee bought the channel's whole ceiling); its spend counts, its sales do not.
        estimated = np.where(current > 0, spend, 0.0)
        contribution = cells.response(estimated)
        draws = self.draw_set(brand, region).response(estimated).sum(axis=(1, 2))
        tail = (1.0 - self.interval_level) / 2.0
        path = current[None] + (estimated - current)[None] * self._build_up[:, self.params.series_market[rows]]
        horizon = float(cells.response(path).sum())
        incremental = float(contribution.sum())
        baseline = float(self.baseline_weekly[rows].sum())
        total = float(spend.sum())
        require_finite(
            {
                "the channel contributions": contribution,
                "the interval draws": draws,
                "the horizon sales": horizon,
                "the baseline sales": baseline,
            },
            f"simulating a weekly spend of {self._inr(total)} for brand {brand} / region {region}",
        )
        return SimulationResult(
            brand=brand,
            region=region,
            spend=dict(zip(self.channels, spend.sum(axis=0).tolist())),
            predicted_sales=baseline + incremental,
            incremental_sales=incremental,
            roi=incremental / total if total > 0 else float("nan"),  # no spend: no ROI
            channel_contributions=dict(zip(self.channels, contribution.sum(axis=0).tolist())),
            baseline_sales=baseline,
            incremental_lower=float(np.quantile(draws, tail)),
            incremental_upper=float(np.quantile(draws, 1 - tail)),
            expected_incremental_sales=float(draws.mean()),
            interval_level=self.interval_level,
            horizon_weeks=self.settings.horizon_weeks,
            horizon_predicted_sales=baseline * self.settings.horizon_weeks + horizon,
            horizon_incremental_sales=horizon,
            warnings=(
                *unseen_spend_notes(spend, current, self.channels, self.number_format),
                *beyond_data_notes(spend, self.params.spend[rows], self.channels, self.number_format),
            ),
        )

    # ----- optimisation ---------------------------------------------------------------------
    def spend_range(self, brand: str = ALL, region: str = ALL) -> SpendRange:
        """Lowest weekly spend (INR) of each selected cell over the data and the top of its range
        (``settings.data_range_quantile``), (K, C) each, widened by ``settings.data_range_margin``
        (see :mod:`mmm_analytics.simulator.bounds`)."""
        history = self.params.spend[self.rows(brand, region)]
        return SpendRange.from_history(history, self.settings.data_range_margin, self.settings.data_range_quantile)

    def selection(self, brand: str = ALL, region: str = ALL, data_range: bool | None = None) -> Selection:
        """The optimiser's view of ``brand`` x ``region``: its segments, current spend, response cells,
        draws and (with ``data_range``, default ``settings.data_range``) the data range of its cells."""
        rows = self.rows(brand, region)
        bounded = self.settings.data_range if data_range is None else data_range
        segments = self.segments
        draws = self.draw_set(brand, region)
        return Selection(
            brand=brand,
            region=region,
            channels=self.channels,
            segments=tuple(segments[row] for row in rows),
            current=self.current_matrix[rows],
            cells=self.cell_set(brand, region),
            concave=self._concave and draws.is_concave,
            draws=draws,
            spend_range=self.spend_range(brand, region) if bounded else None,
            correlation=spend_correlation(self.params.spend[rows]),
        )

    @functools.cached_property
    def _lift_tested(self) -> tuple[int, ...]:
        """Indices of the channels the model's lift tests measured (their split with others may move)."""
        tested = self.metadata.extra.get("lift_tested_channels", [])
        return tuple(self.channels.index(c) for c in tested if c in self.channels)

    @functools.cached_property
    def _concave(self) -> bool:
        """Whether every response curve is concave at the point estimate (with a selection's draws concave
        too, the expected response is, and one converged start is enough: :meth:`selection`). The draws'
        slopes were read without the spread of each series' curve, so S-shaped draws passed as concave."""
        return all(s.is_concave for s in (self.surface, *self._pooled_surfaces))  # the point response: their mean

    def scaled_current(self, brand: str, region: str, budget: float) -> SpendMatrix:
        """Today's mix (K, C) of the selection scaled to ``budget`` (an even split when nothing is spent today)."""
        return scaled_current(self.current_matrix[self.rows(brand, region)], budget)

    def optimize_budget(
        self,
        total_budget: float | None = None,
        constraints: BudgetConstraints | None = None,
        brand: str = ALL,
        region: str = ALL,
        *,
        warm_start: SpendMatrix | None = None,
        starts: int | None = None,
        objective: Objective | str | None = None,
        data_range: bool | None = None,
        cautious: bool = True,
        terms: Terms = OPTIONS,
    ) -> OptimizationResult:
        """Best weekly allocation of ``total_budget`` (INR) across channels (and segments for ``"all"``).

        Parameters
        ----------
        total_budget : float, optional
            Weekly budget in INR; defaults to today's total weekly spend of the selection.
        constraints : BudgetConstraints, optional
            Channel minimum/maximum, locks and ``at_most`` (spend up to, not exactly, the budget).
        brand, region : str
            A segment, or ``"all"`` for a joint optimisation over every selected segment.
        warm_start : ndarray of shape (K, C), optional
            An allocation to try first (e.g. the optimum at a nearby budget).
        starts : int, optional
            Number of starts; defaults to ``settings.starts``.
        objective : Objective or str, optional
            "expected" (the mean over the posterior draws) or "point"; defaults to ``settings.objective``.
        data_range : bool, optional
            Keep every cell within its range of weekly spend in the data; defaults to ``settings.data_range``.
        cautious : bool
            Recommend the step toward the optimum that does best at ``settings.advice_confidence``
            (the advice); False: the optimum itself (what a budget could buy, as on the frontier).
        terms : Terms
            What the messages call the budget, the limits and the switches (those of the interface asking).

        Raises
        ------
        InputError
            An unknown brand/region/channel, a selection without spend in the data, a budget that is not finite, negative or above
            :meth:`max_weekly_spend`, ``starts`` outside 1 to ``MAX_STARTS``, or limits that no
            allocation of the budget can meet.

        See :func:`mmm_analytics.simulator.optimizer.optimize_allocation`.
        """
        if not self.current_matrix[self.rows(brand, region)].any():
            raise InputError(
                f"brand {brand} / region {region} has no media spend in any week of the data, so its response to "
                "media is not estimated and no budget split can be advised; choose a brand and region with spend"
            )
        if total_budget is not None:
            self.check_budget(total_budget, brand, region, terms)
        if starts is not None and not 1 <= starts <= MAX_STARTS:
            raise InputError(f"starts must be a whole number from 1 to {MAX_STARTS}; got {starts}")
        selection = self.selection(brand, region, data_range)
        result = optimize_allocation(
            selection,
            total_budget,
            constraints,
            starts=self.settings.starts if starts is None else starts,
            warm_start=warm_start,
            objective=Objective(self.settings.objective if objective is None else objective),
            objective_draws=self.settings.objective_draws,
            level=self.interval_level,
            confidence=self.settings.advice_confidence if cautious else 0.0,
            min_uplift=self.settings.min_uplift_share if cautious else 0.0,
            hold_split=self.settings.hold_split_correlation,
            released=self._lift_tested,
            terms=terms,
            number_format=self.number_format,
        )
        return dataclasses.replace(
            result,
            segment_curves=self.segment_spread,
            data_range=self._range_summary(selection.spend_range),
            model_digest=self.model_digest,
        )

    def _range_summary(self, spend_range: SpendRange | None) -> dict[str, Any]:
        """The data range an optimisation kept to, for the JSON: its ``quantile`` and ``margin``, and
        per channel the ``lower`` and ``upper`` totals over its segments (INR per week); {} when off."""
        if spend_range is None:
            return {}
        return {
            "quantile": spend_range.quantile,
            "margin": self.settings.data_range_margin,
            "lower": dict(zip(self.channels, spend_range.lower.sum(axis=0).tolist(), strict=True)),
            "upper": dict(zip(self.channels, spend_range.upper.sum(axis=0).tolist(), strict=True)),
        }

    @property
    def segment_spread(self) -> dict[str, float]:
        """How much segments' own curves differ from the fitted one (log-sd by parameter) when the
        simulator judges each segment on its own curve; empty when it uses the fitted curves."""
        if not self.settings.segment_curves:
            return {}
        found = self.metadata.extra.get("segment_curves") or {}
        return {str(name): float(value) for name, value in (found.get("spread") or {}).items()}


def unseen_spend_notes(
    spend: SpendMatrix, current: SpendMatrix, channels: tuple[str, ...], fmt: NumberFormat = NumberFormat.INDIAN
) -> tuple[str, ...]:
    """One line per channel that ``spend`` (K, C, INR per week) puts money on in segments where the data
    never spent on it (``current`` (K, C) is 0 there): its response there is not estimated, and counts as 0
    (:meth:`MarketingSimulator.simulate_matrix`). Amounts are grouped per ``fmt``."""
    unseen = (current <= 0) & (spend > 0)
    notes = []
    for c in np.flatnonzero(unseen.any(axis=0)):
        notes.append(
            f"{channels[c]} gets {message_inr(float(spend[unseen[:, c], c].sum()), fmt)} per week "
            f"{where_words(unseen[:, c])} where the data has no spend on it: its response there is not estimated, "
            "so it adds no sales there"
        )
    return tuple(notes)


#: A channel's weekly spend this many times the highest week of the data (over the selected segments)
#: or more is named: its sales there come from the curve's shape alone, far from any week the model saw.
FAR_BEYOND_DATA = 2.0


def beyond_data_notes(
    spend: SpendMatrix, history: np.ndarray, channels: tuple[str, ...], fmt: NumberFormat = NumberFormat.INDIAN
) -> tuple[str, ...]:
    """One line per channel whose weekly spend in ``spend`` (K, C, INR per week) is :data:`FAR_BEYOND_DATA`
    times or more the highest weekly spend of the data over the same segments (``history`` (K, T, C), INR
    per week). Amounts are grouped per ``fmt``."""
    total, highest = spend.sum(axis=0), history.sum(axis=0).max(axis=0, initial=0.0)
    notes = []
    for c in np.flatnonzero((highest > 0) & (total >= FAR_BEYOND_DATA * highest)):
        notes.append(
            f"{channels[c]} at {message_inr(float(total[c]), fmt)} per week is {total[c] / highest[c]:,.1f} times "
            f"its highest weekly spend in the data ({message_inr(float(highest[c]), fmt)}): its sales there are "
            "extrapolated from the curve's shape, far from any week the model saw"
        )
    return tuple(notes)
