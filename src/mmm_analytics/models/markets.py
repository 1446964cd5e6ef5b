"""``mmm train --split-by brand|region``: one independent fit per market, merged into one model.

The forms (carryover and saturation family) are chosen once, on the whole panel, so that every
market's response is of the same family and the curves and the simulator read one model. Each
market (every brand, or every region) is then fitted on its own series alone, as a task on
``compute.backend`` (so the markets fan out over a Ray cluster), and the fits are merged:

- ``response_params.npz``: every series' response, with one carryover, slope and size scaling
  per market (:meth:`~mmm_analytics.response.artifacts.ResponseParams.merge`);
- the evaluation (metrics, decomposition, contributions, report) over the whole panel;
- each market's own model folder under ``markets/<by>=<name>/`` (its Keras model, response and
  metadata: ``mmm curves --model`` and ``mmm simulate --model`` read it alone too).

A lift test must fall within one market (with ``--split-by brand``, name one brand); it is
evidence in that market's fit only.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from mmm_analytics.compute import Backend, run_tasks
from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.model import SplitBy
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.decomposition import Decomposition, decompose
from mmm_analytics.models.fitting import fit_and_summarise
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import assign_theta, current_theta
from mmm_analytics.models.training import build_model
from mmm_analytics.response.artifacts import ResponseParams, scatter_series
from mmm_analytics.utils.file_names import file_name_part


@dataclass(frozen=True, slots=True)
class Market:
    """One brand or region: its name, its series' indices in the whole panel and its panel."""

    name: str
    rows: np.ndarray
    panel: FeaturePanel
    lift_tests: LiftTests | None = None


@dataclass(frozen=True, slots=True)
class MarketFit:
    """What one market's fit returns (plain arrays, so it travels back from a Ray worker).

    ``theta`` the fitted weights (flat), ``params`` its response with draws, ``uncalibrated``
    the same without its lift tests (None without tests), ``noise`` (S_m,) residual sd per
    series, ``info`` timings and training history.
    """

    theta: np.ndarray
    params: ResponseParams
    uncalibrated: ResponseParams | None
    noise: np.ndarray
    info: dict


@dataclass(frozen=True, slots=True)
class MarketsFit:
    """The merged fit of every market (see the module docstring)."""

    markets: list[Market]
    models: list[MarketingMixModel]
    fits: list[MarketFit]
    params: ResponseParams
    uncalibrated: ResponseParams | None
    noise: np.ndarray
    decomposition: Decomposition
    seconds: dict[str, float]

    @property
    def forms(self) -> tuple[str, str]:
        """The (carryover, saturation) every market was fitted with."""
        return self.models[0].carryover, self.models[0].saturation


def market_keys(panel: FeaturePanel, by: SplitBy) -> tuple[str, ...]:
    """Each series' market: its brand or its region, length S."""
    match by:
        case SplitBy.BRAND:
            return panel.brand
        case SplitBy.REGION:
            return panel.geo


def split_markets(panel: FeaturePanel, by: SplitBy, lift_tests: LiftTests | None = None) -> list[Market]:
    """The panel's markets in name order, each with the lift tests that fall within it.

    Raises
    ------
    InputError
        When a lift test spans several markets.
    """
    keys = np.asarray(market_keys(panel, by))
    names = sorted(set(keys.tolist()))
    rows = [np.flatnonzero(keys == name) for name in names]
    tests: list[LiftTests | None] = [None] * len(names)
    if lift_tests is not None and len(lift_tests):
        owner = np.full(len(lift_tests), -1)
        for m, market_rows in enumerate(rows):
            inside = lift_tests.series[:, market_rows].sum(axis=1)
            owner[(inside > 0) & (inside == lift_tests.series.sum(axis=1))] = m
        spanning = np.flatnonzero(owner < 0)
        if spanning.size:
            raise InputError(
                f"lift test {lift_tests.named(spanning[0])} spans several {by.value}s; with --split-by "
                f"{by.value} each test must name one {by.value} (or drop --split-by)"
            )
        for m, market_rows in enumerate(rows):
            picked = np.flatnonzero(owner == m)
            if picked.size:
                tests[m] = lift_tests.select(picked, market_rows)
    return [
        Market(name, market_rows, panel.series_subset(market_rows), market_tests)
        for name, market_rows, market_tests in zip(names, rows, tests, strict=True)
    ]


def market_folders(by: SplitBy, names: list[str]) -> list[str]:
    """The folder name of each market's model: ``brand=BrandA`` (the name as a file-name part,
    :func:`~mmm_analytics.utils.file_names.file_name_part`; names that would then clash get ``-2``,
    ``-3``, ... in order)."""
    folders: list[str] = []
    for name in names:
        base = f"{by.value}={file_name_part(name)}"
        folder, k = base, 1
        while folder.lower() in {f.lower() for f in folders}:  # case-insensitive file systems too
            k += 1
            folder = f"{base}-{k}"
        folders.append(folder)
    return folders


def fit_market(config: ProjectConfig, market: Market) -> MarketFit:
    """Fit one market on its own (the forms pinned in ``config``); a Ray task on that backend."""
    model, params, noise, info = fit_and_summarise(market.panel, config, lift_tests=market.lift_tests)
    uncalibrated = info.pop("uncalibrated", None)
    return MarketFit(current_theta(model), params, uncalibrated, np.asarray(noise), info)


def fit_markets(panel: FeaturePanel, config: ProjectConfig, markets: list[Market]) -> MarketsFit:
    """Fit every market (:func:`split_markets` of ``panel``) on its own and merge; ``config``'s
    forms must be pinned.

    The fits run on ``config.model.compute.backend``; each market's Keras model is rebuilt here
    from its weights, for its decomposition and its saved folder.
    """
    if not config.model.is_pinned:
        raise ValueError("choose or pin the forms before the markets are fitted")
    start = time.perf_counter()
    local = dataclasses.replace(config, model=config.model.with_backend(Backend.LOCAL))  # no tasks within tasks
    fits = run_tasks(fit_market, markets, config.model.compute.backend, (local,))
    fitted = time.perf_counter()
    models = []
    for market, fit in zip(markets, fits, strict=True):
        model = build_model(market.panel, config.model, market.lift_tests)
        assign_theta(model, fit.theta)
        models.append(model)
    n_series = len(panel.brand)
    params = ResponseParams.merge([(m.name, m.rows, f.params) for m, f in zip(markets, fits, strict=True)], n_series)
    uncalibrated = None
    if any(f.uncalibrated is not None for f in fits):
        uncalibrated = ResponseParams.merge(
            [(m.name, m.rows, f.params if f.uncalibrated is None else f.uncalibrated) for m, f in zip(markets, fits)],
            n_series,
        )
    noise = np.empty(n_series)
    for market, fit in zip(markets, fits, strict=True):
        noise[market.rows] = fit.noise
    decomposition = merge_decompositions(
        [(m.rows, decompose(model, m.panel)) for m, model in zip(markets, models, strict=True)], n_series
    )
    seconds = {
        "market fits": fitted - start,
        "decomposition": time.perf_counter() - fitted,
    }
    return MarketsFit(markets, models, fits, params, uncalibrated, noise, decomposition, seconds)


def merge_decompositions(parts: list[tuple[np.ndarray, Decomposition]], n_series: int) -> Decomposition:
    """One decomposition of the whole panel from each market's (``rows`` in the panel, its own)."""

    def scatter(name: str) -> np.ndarray:
        return scatter_series([(rows, getattr(part, name)) for rows, part in parts], n_series)

    return Decomposition(
        channels=parts[0][1].channels,
        predicted=scatter("predicted"),
        base=scatter("base"),
        price=scatter("price"),
        promotions=scatter("promotions"),
        media=scatter("media"),
    )
