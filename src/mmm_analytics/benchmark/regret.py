"""Regret of the optimiser on a synthetic panel with known truth.

For each brand x region at its current weekly budget: the model recommends an allocation;
the TRUE response (from ``ground_truth.json``) of that allocation is compared with the true
optimum at the same budget, ``regret = 1 - true(recommended) / true(optimal)``: the share of
the media's best weekly return the advice leaves. ``regret_of_sales`` reads the same gap against
the cell's weekly sales (its mean over the data weeks as the model fits them, within a fraction of
a percent of the data's): the share of sales it leaves. The true optimum is found with the same
solver on a JAX twin of :func:`mmm_analytics.synthetic.true_steady_state_response` built from the
truth's parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_analytics.errors import InputError
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.solver import Problem, solve
from mmm_analytics.simulator.surface import ResponseSurface
from mmm_analytics.synthetic import GroundTruth
from mmm_analytics.utils.words import numbered

REGRET_COLUMNS: tuple[str, ...] = (
    "brand",
    "region",
    "weekly_budget",
    "true_response_recommended",
    "true_response_optimal",
    "true_response_current_mix",
    "regret",
    "current_mix_regret",
    "weekly_sales",
    "regret_of_sales",
    "true_uplift",
    "expected_uplift",
    "uplift_lower",
    "uplift_upper",
    "prob_beats_current",
    "kept_current",
)


def truth_surface(truth: GroundTruth, channels: tuple[str, ...], segments: list[tuple[str, str]]) -> ResponseSurface:
    """The true steady-state response as a :class:`ResponseSurface` (rows follow ``segments``).

    Half-saturation is per series, (K, C): the truth's typical value scaled by each series' size
    relative to every series of the truth, with the truth's scaling (1 relative, 0 absolute).

    Raises
    ------
    InputError
        When a model channel or segment is missing from the truth.
    """
    missing = [c for c in channels if c not in truth.channels]
    if missing:
        raise InputError(
            f"ground truth has no {numbered(len(missing), 'channel')} {missing}; it lists {truth.channels}"
        )
    data = truth.data
    entries = [truth.series(brand, region) for brand, region in segments]
    rows = [truth.series_index(brand, region) for brand, region in segments]
    # Each series' own half-saturation: the typical one scaled by its size (truth's scaling).
    half_saturation = truth.series_half_saturation(list(channels))[rows]
    per_series = (len(entries), len(channels))
    carry_sum = np.array([sum(data["carryover"]["weights"][c]) for c in channels], dtype=np.float64)
    slope = truth.series_slope(list(channels))[rows]  # the channel's, times each series' own factor
    return ResponseSurface(
        channels=tuple(channels),
        family=data["saturation"]["family"],
        coefficient=np.array([[entry["coefficient"][c] for c in channels] for entry in entries]),
        exposure_scale=np.array([[entry["exposure_scale"][c] for c in channels] for entry in entries]),
        cpm=np.array([data["cpm"][c] for c in channels], dtype=np.float64),
        carry_sum=np.broadcast_to(carry_sum, per_series).copy(),
        half_saturation=half_saturation.reshape(per_series),
        slope=slope.reshape(per_series),
    )


#: Random starts of the search for the true optimum (with the even split and the starts that leave out one
#: channel), so that where the truth's curves are S-shaped the search does not stop in the basin of the advice
#: it scores (with the advice's own starts 5 of 48 cells fell short of the optimum by 0.7-2.8% in the logistic
#: and segments worlds, and such advice scored no regret there).
OPTIMUM_RANDOM_STARTS = 32
#: Seed of those starts.
OPTIMUM_SEED = 20_260_412


def optimum_starts(budget: float, n_channels: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Starts (1, C) at ``budget`` INR per week chosen without the model: the even split, the even split over
    every channel but one (each in turn), and :data:`OPTIMUM_RANDOM_STARTS` random splits."""
    shape = (1, n_channels)
    starts = [np.full(shape, budget / n_channels)]
    for left_out in range(n_channels if n_channels > 1 else 0):
        split = np.full(shape, budget / (n_channels - 1))
        split[0, left_out] = 0.0
        starts.append(split)
    starts += [rng.dirichlet(np.ones(n_channels)).reshape(shape) * budget for _ in range(OPTIMUM_RANDOM_STARTS)]
    return starts


def true_optimum(surface: ResponseSurface, row: int, budget: float, starts: list[np.ndarray]) -> float:
    """Best true weekly response (INR) of series ``row`` at ``budget`` (no channel limits): SLSQP from the
    solver's dual start and from every one of ``starts`` (a concave truth stops at the first converged run)."""
    cells = surface.cells(np.array([row]))
    shape = (1, len(surface.channels))
    problem = Problem(cells, budget, np.zeros(shape), np.full(shape, np.inf))
    return solve(problem, starts, concave=surface.is_concave).value


def regret_per_segment(simulator: MarketingSimulator, truth: GroundTruth, data_range: bool = False) -> pd.DataFrame:
    """Regret of the model's recommendation under the true response, per brand x region.

    ``data_range=False`` scores the advice of the model alone (no channel bounds); ``True`` the
    advice ``mmm optimize`` gives by default, each channel within the range of weekly spend seen in
    the data. Either way the true optimum is unbounded, at the same budget.

    Returns
    -------
    DataFrame with columns :data:`REGRET_COLUMNS`; responses and sales in INR per week, regrets as
    shares (0.01 = the recommendation earns 1 % less than the true optimum; ``regret_of_sales``
    0.01 = the gap is 1 % of the cell's weekly sales). ``true_uplift`` is the recommendation's weekly
    gain over today's mix under the truth (negative: it sells less), ``expected_uplift`` with
    ``uplift_lower`` and ``uplift_upper`` the model's own mean and interval of that gain.
    """
    surface = truth_surface(truth, simulator.channels, simulator.segments)
    weekly_sales = simulator.params.predicted_sales.mean(axis=1)  # (S,), INR per week
    rows = []
    for row, (brand, region) in enumerate(simulator.segments):
        recommended = simulator.optimize_budget(None, None, brand, region, data_range=data_range)
        budget = recommended.weekly_budget
        spend = np.array([[recommended.allocation[c] for c in simulator.channels]])
        current = simulator.scaled_current(brand, region, budget)
        cells = surface.cells(np.array([row]))
        true_recommended = cells.value_and_grad(spend)[0]
        true_current = cells.value_and_grad(current)[0]
        starts = optimum_starts(budget, len(simulator.channels), np.random.default_rng([OPTIMUM_SEED, row]))
        best = max(true_optimum(surface, row, budget, [*starts, spend, current]), true_recommended, true_current)
        rows.append(
            {
                "brand": brand,
                "region": region,
                "weekly_budget": budget,
                "true_response_recommended": true_recommended,
                "true_response_optimal": best,
                "true_response_current_mix": true_current,
                "regret": 1.0 - true_recommended / best if best > 0 else 0.0,
                "current_mix_regret": 1.0 - true_current / best if best > 0 else 0.0,
                "weekly_sales": float(weekly_sales[row]),
                "regret_of_sales": (best - true_recommended) / weekly_sales[row] if weekly_sales[row] > 0 else 0.0,
                "true_uplift": true_recommended - true_current,
                "expected_uplift": recommended.expected_incremental_sales - recommended.current_incremental_sales,
                "uplift_lower": recommended.uplift_lower,
                "uplift_upper": recommended.uplift_upper,
                "prob_beats_current": recommended.prob_beats_current,
                "kept_current": recommended.kept_current,
            }
        )
    return pd.DataFrame(rows, columns=list(REGRET_COLUMNS))
