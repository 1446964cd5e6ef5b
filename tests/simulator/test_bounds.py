"""The data range: each cell within the weekly spend seen in the data, combined with the user's limits,
giving way to them and to the budget, and reported where it binds.

Tolerances: bounds and budgets to 1e-9 relative (the solver's repair step is exact to rounding).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator import BudgetConstraints, MarketingSimulator
from mmm_analytics.simulator.bounds import (
    AT_DATA_MAXIMUM,
    AT_DATA_MINIMUM,
    NO_SPEND_IN_DATA,
    CellBounds,
    SpendRange,
    binding_note,
    cell_bounds,
    channel_status,
    top_words,
)
from mmm_analytics.simulator.constraints import resolve_limits
from mmm_analytics.simulator.terms import Terms

from .hand_built import build_params, steady_history, write_model

CHANNELS = ("TV", "YouTube", "Radio")
EXACT = 1e-9
SEGMENT = ("BrandA", "EAST")


def _limits(constraints: BudgetConstraints | None, current: np.ndarray, budget: float):
    return resolve_limits(constraints, CHANNELS, current.sum(axis=0), budget)


def test_the_range_is_the_lowest_and_highest_week_widened_by_the_margin() -> None:
    history = np.array([[[10.0, 0.0, 5.0], [30.0, 4.0, 5.0], [20.0, 2.0, 5.0]]])  # (K=1, T=3, C=3)
    plain, wide = SpendRange.from_history(history), SpendRange.from_history(history, margin=0.5)
    np.testing.assert_allclose(plain.lower, [[10.0, 0.0, 5.0]])
    np.testing.assert_allclose(plain.upper, [[30.0, 4.0, 5.0]])
    np.testing.assert_allclose(wide.lower, [[5.0, 0.0, 2.5]])
    np.testing.assert_allclose(wide.upper, [[45.0, 6.0, 7.5]])
    assert plain.top_words == "highest weekly spend in the data"


def test_the_top_is_a_quantile_of_the_weeks_and_never_below_their_average() -> None:
    """Top = the 0.9 quantile of 11 weekly spends 0..10 (9.0, linear interpolation); a channel spent
    in one week of eleven keeps its average (1/11 of the burst) as its top, not 0."""
    weeks = np.arange(11.0)
    burst = np.where(weeks == 10, 110.0, 0.0)
    history = np.stack([weeks, burst, np.full(11, 5.0)], axis=-1)[None]  # (K=1, T=11, C=3)
    top = SpendRange.from_history(history, quantile=0.9)
    np.testing.assert_allclose(top.upper, [[9.0, 10.0, 5.0]])
    np.testing.assert_allclose(top.lower, [[0.0, 0.0, 5.0]])
    np.testing.assert_allclose(SpendRange.from_history(history, margin=0.5, quantile=0.9).upper, [[13.5, 15.0, 7.5]])
    assert top.top_words == "90th-percentile weekly spend in the data"
    np.testing.assert_allclose(SpendRange.from_history(history, quantile=1.0).upper, [[10.0, 110.0, 5.0]])


@pytest.mark.parametrize(
    ("quantile", "words"),
    [(0.95, "95th"), (0.91, "91st"), (0.92, "92nd"), (0.93, "93rd"), (0.975, "97.5th"), (0.5, "50th")],
)
def test_the_top_is_named_by_its_percentile(quantile: float, words: str) -> None:
    assert top_words(quantile) == f"{words}-percentile weekly spend in the data"


def test_one_segment_takes_the_tighter_of_each_limit_and_the_data_range() -> None:
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    constraints = BudgetConstraints(max_spend={"TV": 25.0}, min_spend={"YouTube": 0.5})
    bounds = cell_bounds(_limits(constraints, current, 27.0), current, spend_range, 27.0, False, CHANNELS)
    np.testing.assert_allclose(bounds.lower, [[10.0, 1.0, 4.0]])
    np.testing.assert_allclose(bounds.upper, [[25.0, 4.0, 6.0]])
    assert bounds.data_upper.tolist() == [[False, True, True]]  # TV's maximum is the user's
    assert bounds.data_lower.tolist() == [[True, True, True]]
    assert bounds.channel_lower is None and bounds.notes == ()


@pytest.mark.parametrize(
    ("constraints", "budget", "fragment"),
    [
        (BudgetConstraints(min_spend={"TV": 40.0}), 50.0, "TV: your minimum 40 INR is above its highest weekly spend"),
        (BudgetConstraints(max_spend={"TV": 5.0}), 14.0, "TV: your maximum 5 INR is below its lowest weekly spend"),
    ],
    ids=["min-above-range", "max-below-range"],
)
def test_a_user_limit_outside_the_data_range_wins_and_is_reported(
    constraints: BudgetConstraints, budget: float, fragment: str
) -> None:
    """(Budgets within the stretched tops, 50 and 15: above them the data-range maxima give way.)"""
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    bounds = cell_bounds(_limits(constraints, current, budget), current, spend_range, budget, True, CHANNELS)
    assert len(bounds.notes) == 1 and bounds.notes[0].startswith(fragment)
    held = "minimum" if constraints.min_spend else "maximum"
    assert bounds.notes[0].endswith(
        f"your limit applies, and the data range stretches to it (TV is held at your {held} while the data "
        "range holds the other channels)"
    )
    limit = 40.0 if constraints.min_spend else 5.0
    assert bounds.lower[0, 0] == pytest.approx(limit, rel=EXACT) and bounds.upper[0, 0] == pytest.approx(
        limit, rel=EXACT
    )
    assert bounds.data_upper[0, 1:].all()  # the other channels keep their range
    # the stretched range is the user's limit, not the data's: never "at the data range" (before, the
    # binding note said "TV at its highest weekly spend in the data (40 INR)", the user's minimum)
    assert not bounds.data_upper[0, 0] and not bounds.data_lower[0, 0]


def test_a_minimum_above_the_range_does_not_leave_that_channel_the_only_one_without_a_top() -> None:
    """Budget 150 against tops of 30 + 4 + 6, TV's minimum 40: before, TV alone had no top, so the other
    channels stayed at their tops and the 110 left all went to TV (a plan that sold less than today's
    mix scaled up). Now TV's top is its minimum, the budget is beyond every top, and the maxima give way
    for every channel, as without the minimum."""
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    constraints = BudgetConstraints(min_spend={"TV": 40.0})
    bounds = cell_bounds(_limits(constraints, current, 150.0), current, spend_range, 150.0, False, CHANNELS)
    assert np.isinf(bounds.upper).all() and not bounds.data_upper.any()
    assert bounds.lower[0, 0] == pytest.approx(40.0, rel=EXACT)
    assert any("the data-range maxima are not applied" in note for note in bounds.notes)
    # Two segments: TV's cells stretch in proportion to their tops, to a total of its minimum.
    current2 = np.array([[20.0, 2.0, 5.0], [10.0, 1.0, 1.0]])
    range2 = SpendRange(lower=current2 * 0.5, upper=current2 * 1.5)
    wide = BudgetConstraints(min_spend={"TV": 60.0})  # above TV's tops of 30 + 15
    bounds2 = cell_bounds(_limits(wide, current2, 70.0), current2, range2, 70.0, True, CHANNELS)
    np.testing.assert_allclose(bounds2.upper[:, 0], [40.0, 20.0], rtol=EXACT)
    assert not bounds2.data_upper[:, 0].any() and bounds2.channel_lower[0] == pytest.approx(60.0, rel=EXACT)


@pytest.mark.parametrize(
    ("budget", "side"), [(100.0, "maxima"), (10.0, "minima")], ids=["above-the-maxima", "below-the-minima"]
)
def test_a_budget_the_data_range_cannot_hold_drops_that_side_of_it(budget: float, side: str) -> None:
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    bounds = cell_bounds(_limits(None, current, budget), current, spend_range, budget, False, CHANNELS)
    assert len(bounds.notes) == 1 and f"the data-range {side} are not applied" in bounds.notes[0]
    beyond = "below" if side == "minima" else "above"
    assert bounds.notes[0].endswith(f"extrapolate the curves {beyond} any spend the model has seen")
    if side == "maxima":
        assert np.isinf(bounds.upper).all() and bounds.data_lower.all()
        # spending at most the budget too: before, the tops held, so today's mix scaled to the budget (the
        # plan every advice is judged against) was out of reach and a plan selling less was recommended
        at_most = cell_bounds(_limits(None, current, budget), current, spend_range, budget, True, CHANNELS)
        assert np.isinf(at_most.upper).all() and at_most.notes == bounds.notes
        top = SpendRange(spend_range.lower, spend_range.upper, quantile=0.9)
        (note,) = cell_bounds(_limits(None, current, budget), current, top, budget, False, CHANNELS).notes
        assert "every channel at its 90th-percentile weekly spend in the data: 40 INR" in note
        assert note.endswith(
            "read the curves above the 90th-percentile weekly spend in the data, where they rest on few weeks"
        )
    else:
        assert (bounds.lower == 0).all() and bounds.data_upper.all()


def test_national_bounds_are_per_cell_and_the_limits_per_channel_total() -> None:
    current = np.array([[20.0, 2.0, 5.0], [10.0, 1.0, 1.0]])
    spend_range = SpendRange(lower=current * 0.5, upper=current * 2.0)
    constraints = BudgetConstraints(max_spend={"TV": 50.0}, locked=("Radio",))
    bounds = cell_bounds(_limits(constraints, current, 39.0), current, spend_range, 39.0, False, CHANNELS)
    np.testing.assert_allclose(bounds.lower, [[10.0, 1.0, 5.0], [5.0, 0.5, 1.0]])
    np.testing.assert_allclose(bounds.upper, [[40.0, 4.0, 5.0], [20.0, 2.0, 1.0]])
    np.testing.assert_allclose(bounds.channel_upper, [50.0, np.inf, 6.0])
    assert not bounds.data_upper[:, 2].any()  # a locked channel keeps today's spend, not a range


def test_status_and_note_name_the_channels_held_by_the_data_range() -> None:
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    limits = _limits(None, current, 27.0)
    bounds = cell_bounds(limits, current, spend_range, 27.0, False, CHANNELS)
    spend = np.array([[22.0, 1.0, 4.0]])
    assert channel_status(spend, bounds, limits, 27.0) == ["free", AT_DATA_MINIMUM, AT_DATA_MINIMUM]
    note = binding_note(spend, bounds, CHANNELS, 27.0)
    assert note is not None and note.startswith(
        "the advice is held within the data's range of weekly spend: YouTube at its lowest weekly spend in the data (1 INR), Radio at its lowest"
    )
    assert binding_note(np.array([[21.0, 2.0, 4.5]]), bounds, CHANNELS, 27.5) is None


@pytest.mark.parametrize(
    ("fmt", "low", "budget", "total"),
    [
        (NumberFormat.INDIAN, ("1,00,000", "4,00,000"), "1,00,00,000", "40,00,000"),
        (NumberFormat.WESTERN, ("100,000", "400,000"), "10,000,000", "4,000,000"),
    ],
    ids=["indian", "western"],
)
def test_the_notes_group_amounts_in_the_format_given(
    fmt: NumberFormat, low: tuple[str, str], budget: str, total: str
) -> None:
    """Before, they read 100,000 INR whatever the project's number_format."""
    current = np.array([[2e6, 2e5, 5e5]])
    spend_range = SpendRange(lower=np.array([[1e6, 1e5, 4e5]]), upper=np.array([[3e6, 4e5, 6e5]]))
    bounds = cell_bounds(_limits(None, current, 2.7e6), current, spend_range, 2.7e6, False, CHANNELS, fmt=fmt)
    note = binding_note(np.array([[2.2e6, 1e5, 4e5]]), bounds, CHANNELS, 2.7e6, fmt=fmt)
    assert note is not None and note.startswith(
        f"the advice is held within the data's range of weekly spend: YouTube at its lowest weekly spend in the data ({low[0]} INR), Radio at its lowest "
        f"weekly spend in the data ({low[1]} INR)"
    )
    (over,) = cell_bounds(_limits(None, current, 1e7), current, spend_range, 1e7, False, CHANNELS, fmt=fmt).notes
    assert over.startswith(
        f"the weekly budget of {budget} INR is above what the data range allows (every channel at its highest "
        f"weekly spend in the data: {total} INR)"
    )


def test_the_messages_speak_in_the_terms_of_the_interface_that_asked() -> None:
    """Before, the menu and the batch run were told of --min, --at-most and --no-data-range, which they lack."""
    menu = Terms(minimum="minimum ('Minimum spends')", at_most=None, data_range_off="simulator.data_range: false")
    current = np.array([[20.0, 2.0, 0.0]])
    unseen = BudgetConstraints(min_spend={"Radio": 5.0})
    with pytest.raises(InputError, match=re.escape("minimum ('Minimum spends') for 'Radio': Radio has no spend")):
        cell_bounds(_limits(unseen, current, 22.0), current, None, 22.0, False, CHANNELS, menu)
    capped = BudgetConstraints(max_spend={"TV": 20.0, "YouTube": 2.0})
    with pytest.raises(InputError) as caught:
        cell_bounds(_limits(capped, current, 30.0), current, None, 30.0, False, CHANNELS, menu)
    assert str(caught.value).endswith(
        "Radio has no spend in the data here); choose a smaller budget or raise a maximum"
    )
    current = np.array([[20.0, 2.0, 5.0]])
    spend_range = SpendRange(lower=np.array([[10.0, 1.0, 4.0]]), upper=np.array([[30.0, 4.0, 6.0]]))
    bounds = cell_bounds(_limits(None, current, 27.0), current, spend_range, 27.0, False, CHANNELS, menu)
    note = binding_note(np.array([[22.0, 1.0, 4.0]]), bounds, CHANNELS, 27.0, menu)
    assert note is not None and "--" not in note
    assert note.endswith(
        "; simulator.data_range: false or simulator.data_range_margin (simulator.data_range_quantile for the top) "
        "in model_config.yaml lets it go further"
    )


# ----- through the optimiser --------------------------------------------------------------------
@pytest.fixture(scope="module")
def narrow(tmp_path_factory: pytest.TempPathFactory) -> MarketingSimulator:
    """2 x 2 segments x 3 channels whose weekly spend stayed within +-10% of its mean."""
    params = steady_history(build_params(n_weeks=40), spread=0.1)
    return MarketingSimulator.from_model_dir(write_model(tmp_path_factory.mktemp("narrow"), params))


def _range(sim: MarketingSimulator, brand: str, region: str) -> tuple[np.ndarray, np.ndarray]:
    """The lowest week and the configured top (the 0.9 quantile of the weeks, at least their mean)."""
    history = sim.params.spend[sim.rows(brand, region)]
    top = np.maximum(np.quantile(history, sim.settings.data_range_quantile, axis=1), history.mean(axis=1))
    return history.min(axis=1), top


def test_a_segment_stays_in_its_data_range_and_says_where_it_binds(narrow: MarketingSimulator) -> None:
    low, high = _range(narrow, *SEGMENT)
    free = narrow.optimize_budget(None, None, *SEGMENT, data_range=False)
    spend_free = np.array(list(free.allocation.values()))
    assert ((spend_free < low[0] * (1 - 1e-3)) | (spend_free > high[0] * (1 + 1e-3))).any()  # the range matters
    result = narrow.optimize_budget(None, None, *SEGMENT)
    spend = np.array(list(result.allocation.values()))
    assert np.all(spend >= low[0] * (1 - EXACT)) and np.all(spend <= high[0] * (1 + EXACT))
    held = {c: s for c, s in result.channel_status.items() if s in (AT_DATA_MAXIMUM, AT_DATA_MINIMUM)}
    assert held
    (note,) = [
        w for w in result.warnings if w.startswith("the advice is held within the data's range of weekly spend: ")
    ]
    for channel, status in held.items():
        extreme = "90th-percentile" if status == AT_DATA_MAXIMUM else "lowest"
        assert f"{channel} at its {extreme} weekly spend in the data" in note
    assert result.expected_incremental_sales <= free.expected_incremental_sales * (1 + 1e-9)


def test_national_cells_each_stay_in_their_own_range(narrow: MarketingSimulator) -> None:
    low, high = _range(narrow, "all", "all")
    result = narrow.optimize_budget(None, None, "all", "all")
    spend = result.cells["spend"].to_numpy().reshape(low.shape)
    assert np.all(spend >= low * (1 - EXACT)) and np.all(spend <= high * (1 + EXACT))
    assert sum(result.allocation.values()) == pytest.approx(result.weekly_budget, rel=EXACT)
    assert any(
        w.startswith("the advice is held within the data's range of weekly spend: ") and " segments" in w
        for w in result.warnings
    )


def test_the_margin_widens_the_range(narrow: MarketingSimulator) -> None:
    wide = MarketingSimulator(narrow.params, narrow.metadata, SimulatorSettings(data_range_margin=0.5))
    low, high = _range(narrow, *SEGMENT)
    spend = np.array(list(wide.optimize_budget(None, None, *SEGMENT).allocation.values()))
    assert np.all(spend >= low[0] * 0.5 * (1 - EXACT)) and np.all(spend <= high[0] * 1.5 * (1 + EXACT))
    narrow_spend = np.array(list(narrow.optimize_budget(None, None, *SEGMENT).allocation.values()))
    assert np.abs(spend - narrow_spend).max() > 1e-3 * spend.sum()


def test_the_quantile_setting_sets_the_top(narrow: MarketingSimulator) -> None:
    """By default the top is each cell's 0.9 quantile of weekly spend; 1 gives back its highest week."""
    history = narrow.params.spend[narrow.rows(*SEGMENT)]
    highest = MarketingSimulator(narrow.params, narrow.metadata, SimulatorSettings(data_range_quantile=1.0))
    np.testing.assert_allclose(highest.spend_range(*SEGMENT).upper, history.max(axis=1))
    default = narrow.spend_range(*SEGMENT).upper
    assert np.all(default < history.max(axis=1)) and np.all(default >= history.mean(axis=1))
    assert narrow.settings.data_range_quantile == 0.9


def test_a_user_minimum_above_the_data_range_is_met_and_reported(narrow: MarketingSimulator) -> None:
    low, high = _range(narrow, *SEGMENT)
    minimum = 1.5 * float(high[0, 0])
    result = narrow.optimize_budget(None, BudgetConstraints(min_spend={"TV": minimum}), *SEGMENT)
    assert result.allocation["TV"] >= minimum * (1 - EXACT)
    assert any(w.startswith("TV: your minimum") and "your limit applies" in w for w in result.warnings)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(multiple=st.floats(0.2, 3.0), at_most=st.booleans())
def test_any_budget_gets_a_feasible_allocation_within_what_is_kept_of_the_range(
    narrow: MarketingSimulator, multiple: float, at_most: bool
) -> None:
    """Whatever the budget, the run succeeds; each side of the range holds unless a note says it gave way."""
    budget = multiple * sum(narrow.current_spend(*SEGMENT).values())
    result = narrow.optimize_budget(budget, BudgetConstraints(at_most=at_most), *SEGMENT, starts=1)
    spend = np.array(list(result.allocation.values()))
    low, high = _range(narrow, *SEGMENT)
    total = spend.sum()
    assert total <= budget * (1 + EXACT) and (at_most or total == pytest.approx(budget, rel=EXACT))
    if not result.kept_current and not any("minima are not applied" in w for w in result.warnings):
        assert np.all(spend >= low[0] * (1 - EXACT))
    if not result.kept_current and not any("maxima are not applied" in w for w in result.warnings):
        assert np.all(spend <= high[0] * (1 + EXACT))


def test_data_range_off_by_setting(tmp_path: Path) -> None:
    params = steady_history(build_params(n_brands=1, n_regions=1, n_weeks=30), spread=0.05)
    folder = write_model(tmp_path / "m", params)
    off = MarketingSimulator.from_model_dir(folder, SimulatorSettings(data_range=False))
    on = MarketingSimulator.from_model_dir(folder)
    assert off.selection("BrandA", "CENTRAL").spend_range is None
    assert on.selection("BrandA", "CENTRAL").spend_range is not None
    assert on.selection("BrandA", "CENTRAL", data_range=False).spend_range is None


@pytest.mark.parametrize(
    "settings",
    [
        {"data_range_margin": -0.1},
        {"data_range_margin": float("inf")},
        {"data_range_quantile": 0.0},
        {"data_range_quantile": 1.5},
        {"objective": "median"},
        {"objective_draws": -1},
        {"advice_confidence": 1.0},
        {"advice_confidence": -0.1},
        {"advice_confidence": float("nan")},
        {"min_uplift_share": -0.01},
        {"min_uplift_share": 1.0},
        {"min_uplift_share": float("nan")},
    ],
    ids=[
        "negative-margin",
        "infinite-margin",
        "zero-quantile",
        "quantile-above-one",
        "unknown-objective",
        "negative-draws",
        "certain-advice",
        "negative-confidence",
        "nan-confidence",
        "negative-min-uplift",
        "whole-min-uplift",
        "nan-min-uplift",
    ],
)
def test_settings_refuse_impossible_values(settings: dict) -> None:
    with pytest.raises(ValidationError):
        SimulatorSettings(**settings)


def test_outside_names_the_channels_whose_cells_or_total_leave_their_bounds() -> None:
    """Cell bounds per cell, channel bounds on totals; the tolerance is 1e-6 of the budget."""
    bounds = CellBounds(
        lower=np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
        upper=np.array([[5.0, 5.0, np.inf], [5.0, 5.0, np.inf]]),
        channel_lower=np.array([0.0, 0.0, 3.0]),
        channel_upper=np.array([np.inf, 6.0, np.inf]),
        data_lower=np.zeros((2, 3), dtype=bool),
        data_upper=np.zeros((2, 3), dtype=bool),
    )
    inside = np.array([[1.0, 3.0, 2.0], [5.0, 3.0, 1.0]])
    assert not bounds.outside(inside, budget=1_000.0).any()
    assert not bounds.outside(inside - np.array([[0.0009, 0, 0], [0, 0, 0]]), budget=1_000.0).any()  # tolerance
    cell_low = inside - np.array([[0.5, 0, 0], [0, 0, 0]])
    total_high = inside + np.array([[0, 0.5, 0], [0, 0, 0]])
    total_low = inside - np.array([[0, 0, 0.5], [0, 0, 0]])
    assert bounds.outside(cell_low, budget=1_000.0).tolist() == [True, False, False]
    assert bounds.outside(total_high, budget=1_000.0).tolist() == [False, True, False]
    assert bounds.outside(total_low, budget=1_000.0).tolist() == [False, False, True]


# ----- cells the data never spent on --------------------------------------------------------------
def test_a_cell_without_spend_in_the_data_is_held_at_zero_with_or_without_the_range() -> None:
    current = np.array([[20.0, 2.0, 0.0], [10.0, 1.0, 3.0]])  # Radio: no spend in the first segment
    spend_range = SpendRange(lower=current * 0.5, upper=current * 2.0)
    for used_range in (spend_range, None):
        bounds = cell_bounds(_limits(None, current, 36.0), current, used_range, 36.0, False, CHANNELS)
        assert bounds.upper[0, 2] == 0.0 and bounds.upper[1, 2] > 0.0
        assert bounds.unseen is not None and bounds.unseen.tolist() == [[False, False, True], [False, False, False]]
        assert not bounds.unseen_channels.any()  # Radio has spend in the other segment
        assert not bounds.data_upper[0, 2]  # held for want of data, not by the data range
        assert "Radio has no spend in the data in 1 of 2 segments: held at 0 there" in bounds.notes[-1]


def test_a_channel_without_spend_anywhere_is_named_by_its_status() -> None:
    current = np.array([[20.0, 2.0, 0.0]])
    limits = _limits(None, current, 22.0)
    bounds = cell_bounds(limits, current, None, 22.0, False, CHANNELS)
    assert bounds.unseen_channels.tolist() == [False, False, True]
    assert channel_status(np.array([[20.0, 2.0, 0.0]]), bounds, limits, 22.0) == ["free", "free", NO_SPEND_IN_DATA]
    assert bounds.notes == ("Radio has no spend in the data here: held at 0 there (its response is not estimated)",)


def test_a_locked_channel_without_spend_is_locked_not_unseen() -> None:
    current = np.array([[20.0, 2.0, 0.0]])
    limits = _limits(BudgetConstraints(locked=("Radio",)), current, 22.0)
    bounds = cell_bounds(limits, current, None, 22.0, False, CHANNELS)
    assert bounds.unseen is not None and not bounds.unseen.any() and bounds.notes == ()


@pytest.mark.parametrize(
    ("constraints", "budget", "message"),
    [
        (
            BudgetConstraints(min_spend={"Radio": 5.0}),
            22.0,
            "minimum (--min) for 'Radio': Radio has no spend in the data here",
        ),
        (
            BudgetConstraints(max_spend={"TV": 20.0, "YouTube": 2.0}),
            30.0,
            "the weekly budget of 30 INR does not fit in the cells with spend in the data (22 INR at most within "
            "your limits and locks; Radio has no spend in the data here); choose a smaller budget, raise a "
            "maximum, or spend at most the budget (--at-most)",  # nothing is locked: no "unlock a channel"
        ),
    ],
    ids=["minimum-on-unseen", "budget-beyond-seen"],
)
def test_money_that_only_unseen_cells_could_take_is_an_input_error(
    constraints: BudgetConstraints, budget: float, message: str
) -> None:
    current = np.array([[20.0, 2.0, 0.0]])
    with pytest.raises(InputError, match=re.escape(message)):
        cell_bounds(_limits(constraints, current, budget), current, None, budget, False, CHANNELS)
    at_most = BudgetConstraints(max_spend={"TV": 20.0, "YouTube": 2.0}, at_most=True)
    bounds = cell_bounds(_limits(at_most, current, 30.0), current, None, 30.0, True, CHANNELS)  # --at-most: fine
    assert bounds.upper[0, 2] == 0.0


def test_a_budget_beyond_the_seen_cells_offers_only_the_remedies_that_apply() -> None:
    """With locks and no maximum, the message said 'raise a maximum'; where no budget is set (the batch
    run), it said to choose a smaller budget."""
    from mmm_analytics.simulator.terms import BATCH

    current = np.array([[20.0, 2.0, 0.0]])
    locked = BudgetConstraints(locked=["TV", "YouTube"])
    with pytest.raises(InputError) as caught:
        cell_bounds(_limits(locked, current, 30.0), current, None, 30.0, False, CHANNELS)
    said = str(caught.value)
    assert said.endswith("choose a smaller budget, unlock a channel, or spend at most the budget (--at-most)")
    assert "raise a maximum" not in said
    with pytest.raises(InputError) as caught:
        cell_bounds(_limits(locked, current, 30.0), current, None, 30.0, False, CHANNELS, BATCH)
    assert str(caught.value).endswith("Radio has no spend in the data here); unlock a channel")


def test_a_channel_the_user_holds_is_not_said_to_be_held_by_the_data() -> None:
    """Before, 'mmm optimize --max Print=0' read "Print at its lowest weekly spend in the data in 24 of 24
    segments": a lowest spend of 0 holds nothing, and the user's own limit held Print."""
    current = np.array([[20.0, 2.0, 1.0], [10.0, 1.0, 1.0]])  # two segments: the limits are channel totals
    spend_range = SpendRange(
        lower=np.array([[10.0, 0.0, 0.5], [5.0, 0.0, 0.5]]), upper=np.array([[30.0, 4.0, 1.0], [15.0, 2.0, 1.0]])
    )
    constraints = BudgetConstraints(max_spend={"YouTube": 0.0, "Radio": 2.0})
    limits = _limits(constraints, current, 35.0)
    bounds = cell_bounds(limits, current, spend_range, 35.0, False, CHANNELS)
    # YouTube at 0, its data low and the user's maximum; Radio at its data tops, whose sum is the user's maximum
    held = np.array([[20.0, 0.0, 1.0], [13.0, 0.0, 1.0]])
    assert binding_note(held, bounds, CHANNELS, 35.0) is None
    at_data_low = np.array([[10.0, 0.0, 0.75], [5.0, 0.0, 0.75]])  # TV at its data lows of 10 and 5
    note = binding_note(at_data_low, bounds, CHANNELS, 16.5)
    assert note is not None and "TV at its lowest weekly spend in the data in 2 of 2 segments" in note
    assert "YouTube" not in note and "Radio" not in note
