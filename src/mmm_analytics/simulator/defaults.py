"""Named defaults of the simulator: windows, grids, solver settings and the budget semantics text."""

from __future__ import annotations

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.data.schema import ALL_SELECTION
from mmm_analytics.style import numbers

#: Baseline sales of a segment = its average weekly model baseline over this many recent weeks.
RECENT_BASELINE_WEEKS = 13

#: Efficiency frontier: budgets from ``FRONTIER_LOW`` to ``FRONTIER_HIGH`` x current weekly spend, in steps of
#: a twelfth, so today's budget (and every quarter of it) is a row of the table.
FRONTIER_LOW = 0.25
FRONTIER_HIGH = 2.0
FRONTIER_POINTS = 22

#: Sensitivity: relative changes of one channel's spend, both directions.
SENSITIVITY_STEPS: tuple[float, ...] = (0.10, 0.20, 0.50)

#: SLSQP settings (objective scaled to about 1, variables to about 1).
SOLVER_MAX_ITER = 500
SOLVER_FTOL = 1e-11
#: Selections with more free cells than this are solved by prices (:mod:`mmm_analytics.simulator.prices`),
#: not SLSQP, whose dense steps grow with the cube of the cells: on fitted 6-channel panels SLSQP took 4 s
#: at 144 cells, 10 s at 240 and 165 s at 600, where prices took 1 s and sold 0.01-0.03% less at 144-240
#: cells and 0.06% more at 600.
PRICE_SOLVER_CELLS = 300
#: With ``objective_draws`` 0 (every draw), the expected objective averages over at most
#: ``OBJECTIVE_CELL_DRAWS // cells`` draws while optimising (at least ``MIN_OBJECTIVE_DRAWS``):
#: a national plan over thousands of cells then costs about as much per step as a small one.
#: What is reported, and the uplift interval, use every draw.
OBJECTIVE_CELL_DRAWS = 2_000_000
MIN_OBJECTIVE_DRAWS = 32
#: ``mmm simulate`` optimises each brand x region on its own budget for at most this many segments,
#: those of the largest current weekly spend (one optimisation each).
SEGMENT_OPTIMISATION_ROWS = 100
#: Seed of the random optimiser starts (Dirichlet mixes); results are reproducible.
START_SEED = 20_240_701
#: A channel whose spend is within this share of the budget of a bound is "at" that bound.
BOUND_TOLERANCE = 1e-6

#: The optimiser warns when the free channels' marginal ROIs differ by more than this share
#: of their mean (they are equal at an optimum), or when every channel's marginal ROI is
#: below ``SATURATED_MROI`` INR per INR (extra spend earns almost nothing).
MROI_SPREAD_WARNING = 0.01
SATURATED_MROI = 1e-3

#: "all" selects every brand or every region.
ALL = ALL_SELECTION


def budget_semantics(horizon_weeks: int) -> str:
    """What a budget and the results mean, for a simulator whose totals run over ``horizon_weeks`` weeks."""
    # Before, the text read "the first horizon weeks", the setting's name where its number belongs.
    return (
        "An allocation is a sustained weekly spend per channel (INR). Results are weekly sales value (INR) at "
        "steady state (carryover of a sustained spend = sum of its lag weights) and totals over the horizon "
        f"(the first {numbers.counted(horizon_weeks, 'week')} after switching from the current mix, carryover "
        "building up). Current spend = average weekly spend over the data; baseline = average weekly model baseline "
        f"over the last {RECENT_BASELINE_WEEKS} weeks; incremental sales = media response; ROI = incremental sales / "
        "spend; marginal ROI = extra weekly sales per extra INR of weekly spend. For brand or region 'all' a scenario "
        "splits the spend of a channel across segments in proportion to their historical spend on it, while the "
        "optimiser plans each segment's spend on its own, so its advice also moves budget between segments (each "
        "segment's budget and channels are in optimal_allocation.csv)."
    )


#: The optimiser warns when a channel's marginal ROI at the recommendation is below this (INR of
#: weekly sales per INR of weekly spend): its last rupee earns back less than a rupee.
LOSS_MROI = 1.0
#: A plan is kept only if its expected uplift over today's mix exceeds this share of today's
#: expected incremental sales (anything smaller is rounding, not a gain).
UPLIFT_TOLERANCE = 1e-9
#: A cautious plan whose spend moves, over every channel and segment together, less than this share of
#: the weekly budget away from today's mix is today's mix (a move no one could buy).
NEGLIGIBLE_MOVE = 1e-4
#: Steps from today's mix toward the expected optimum a cautious recommendation may take (shares of the
#: way; see ``simulator.advice_confidence`` and :func:`mmm_analytics.simulator.expected.cautious_step`).
CAUTIOUS_STEPS = 20
#: How the line saying today's mix is kept begins, and the line saying the advice is a cautious plan
#: short of the optimum: verdicts, not warnings (the CLI shows them as plain sentences, the summary as notes).
KEPT_LINE_START = "no allocation"
CAUTIOUS_LINE_START = "cautious advice"

#: A cell the advice gives no spend reports as its marginal ROI the return per INR of a first step of this
#: share of its spend today: the slope at zero spend is unbounded for a curve that starts steep.
FIRST_STEP_SHARE = 0.01

#: Two channels whose weekly spends correlate at least this much within a segment (mean over the
#: selected segments) have moved together in the data: their split is what the model knows least,
#: and the advice warns when it moves money from one to the other (by more than ``SPLIT_SHIFT``
#: of each one's spend in today's mix). The same level as the default ``simulator.hold_split_correlation``,
#: above which such a split is held.
MOVED_TOGETHER_CORRELATION: float = SimulatorSettings.model_fields["hold_split_correlation"].default
SPLIT_SHIFT = 0.05
