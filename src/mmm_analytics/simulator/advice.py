"""What an optimisation result says besides its numbers: one-line warnings and the cell table.

Each warning is one plain line: the solver may have stopped short (no converged start, unequal
marginal ROIs), extra spend earns almost nothing, no plan beat today's mix (so today's mix is
recommended), the range of spend seen in the data holds a channel, a channel's last rupee
earns back less than a rupee (marginal ROI below ``LOSS_MROI``), or money moves between two
channels that moved together in the data (whose split the model knows least).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.simulator.bounds import AT_DATA_MINIMUM, CellBounds, binding_note
from mmm_analytics.simulator.defaults import (
    CAUTIOUS_LINE_START,
    FIRST_STEP_SHARE,
    KEPT_LINE_START,
    LOSS_MROI,
    MOVED_TOGETHER_CORRELATION,
    MROI_SPREAD_WARNING,
    SATURATED_MROI,
    SPLIT_SHIFT,
    UPLIFT_TOLERANCE,
)
from mmm_analytics.simulator.expected import Uplift
from mmm_analytics.simulator.solver import ResponseCells
from mmm_analytics.simulator.surface import SpendMatrix
from mmm_analytics.simulator.terms import OPTIONS, Terms
from mmm_analytics.style import numbers
from mmm_analytics.utils.amounts import same_budget

#: A budget this share above today's weekly spend or more is checked for paying back its extra rupees.
BUDGET_RISE_NOTED = 0.01

if TYPE_CHECKING:
    from mmm_analytics.simulator.selection import Selection

#: What holds a channel's spend up, by its status in the result, and how to let the advice cut it
#: (``{it}``: it or them; ``{switch}``: what lifts the data range, :attr:`Terms.data_range_switch`).
HELD_UP: dict[str, tuple[str, str]] = {
    "locked": ("locked at today's spend", "unlock {it} to let the advice cut {it}"),
    "at minimum": ("at your minimum", "lower the minimum to let the advice cut {it}"),
    AT_DATA_MINIMUM: ("at the lowest weekly spend in the data", "{switch} lets the advice cut {it}"),
}


def verdict_sentence(line: str) -> str | None:
    """``line`` of an optimisation's warnings as a sentence when it is a verdict (today's mix kept, a
    cautious step), which the CLI and the summary show as advice, not as a warning; else None."""
    if line.startswith((KEPT_LINE_START, CAUTIOUS_LINE_START)):
        return f"{line[:1].upper()}{line[1:]}."
    return None


def _spread_words(spread: float) -> str:
    """A marginal ROI spread, (max - min) / mean, as a share: small ones to two decimals, for they stand beside a
    solver that may not have converged (before, "under 1%; NOT converged" on a large panel whose spread was 0.4%)."""
    match spread:
        case wide if wide >= 0.005:
            return f"{wide:.0%}"
        case small if small >= 0.00005:
            return f"{small:.2%}"
        case _:
            return "under 0.01%"


def spread_line(spread: float, step: float, converged: bool, starts: int, seconds: float, segments: int = 1) -> str:
    """The solver line under an optimisation of ``segments`` brand x regions: the marginal ROI spread (equal at
    the optimum, so only meaningful there; none when today's mix is kept, ``step`` 0), convergence, starts and
    time; none at all when the limits leave one plan (``starts`` 0, a budget of 0)."""
    if starts == 0:
        return "The limits leave one plan: nothing for the optimiser to choose"
    where = "" if step >= 1.0 else f" ({step:.0%} of the way to the optimum, where they are equal)"
    state = "converged" if converged else "NOT converged"
    if step <= 0.0:
        return f"The optimiser {state} after {numbers.counted(starts, 'start')} in {seconds:.2f} s"
    shown = _spread_words(spread)
    free = "the free channels of every brand x region segment" if segments > 1 else "the free channels"
    return (
        f"Marginal ROI spread over {free}: {shown} of their mean{where}; {state} after "
        f"{numbers.counted(starts, 'start')} in {seconds:.2f} s"
    )


def spend_correlation(history: np.ndarray) -> np.ndarray:
    """Correlation of the channels' weekly spends within each segment, averaged over the segments
    of ``history`` (K, T, C), INR per week -> (C, C). A segment where a channel's spend never changes
    says nothing about it and is left out of that channel's pairs; a pair no segment informs is 0."""
    history = np.asarray(history, dtype=np.float64)
    centred = history - history.mean(axis=1, keepdims=True)
    spread = np.sqrt((centred**2).sum(axis=1))  # (K, C)
    varies = spread > 1e-12 * np.maximum(np.abs(history).max(axis=1), 1e-300)
    unit = np.where(varies[:, None, :], centred / np.where(spread > 0, spread, 1.0)[:, None, :], 0.0)
    per_segment = np.einsum("ktc,ktd->kcd", unit, unit)
    informed = (varies[:, :, None] & varies[:, None, :]).sum(axis=0)
    return np.where(informed > 0, per_segment.sum(axis=0) / np.maximum(informed, 1), 0.0)


def uplift_threshold(current: float) -> float:
    """The smallest expected weekly uplift (INR) that counts as beating today's mix worth ``current``."""
    return UPLIFT_TOLERANCE * max(abs(current), 1.0)


def worth_a_change(uplift: Uplift, min_uplift: float) -> float:
    """The smallest expected weekly uplift (INR) worth a change: ``min_uplift`` of the expected incremental
    sales of the mix ``uplift`` is measured over (today's, scaled to the budget)."""
    return min_uplift * max(uplift.current, 0.0)


def no_uplift(found: Uplift) -> Uplift:
    """The uplift of keeping today's mix: none, in every draw."""
    return Uplift(plan=found.current, current=found.current, lower=0.0, upper=0.0, prob_beats_current=0.0)


def cell_response(cells: ResponseCells, spend: SpendMatrix) -> SpendMatrix:
    """Weekly incremental sales (INR) per cell of ``spend`` (K, C) on ``cells``."""
    return np.asarray(cells.response(spend))


def marginal_returns(cells: ResponseCells, spend: SpendMatrix, reference: SpendMatrix) -> SpendMatrix:
    """Marginal ROI per cell (K, C), INR of weekly sales per extra INR of weekly spend: the slope of
    ``cells`` at ``spend``; where a cell spends (almost) nothing, the return per INR of its first step,
    ``FIRST_STEP_SHARE`` of ``reference`` (today's spend; of the largest cell where that is zero),
    because a curve that starts steep has an unbounded slope at zero spend."""
    scale = max(float(reference.max()), 1.0)
    floor = 1e-9 * scale
    _, grad = cells.value_and_grad(np.maximum(spend, floor))
    grad = np.asarray(grad, dtype=np.float64)
    empty = spend <= floor
    if empty.any():
        step = FIRST_STEP_SHARE * np.where(reference > 0, reference, scale)
        gain = cell_response(cells, np.where(empty, spend + step, spend)) - cell_response(cells, spend)
        grad = np.where(empty, gain / step, grad)
    return np.where(grad > 0, grad, 0.0)  # the response never falls with spend: a negative slope is rounding


def channel_mroi(spend: SpendMatrix, grad: SpendMatrix) -> np.ndarray:
    """Spend-weighted marginal ROI per channel (best cell's where the channel gets nothing), (C,).

    A NaN in ``grad`` (K, C) marks a cell with no marginal ROI (no spend in the data): it is passed
    over, and a channel with no other cell gets NaN."""
    known = np.isfinite(grad)
    spend = np.where(known, spend, 0.0)
    totals = spend.sum(axis=0)
    weighted = (spend * np.where(known, grad, 0.0)).sum(axis=0) / np.where(totals > 0, totals, 1.0)
    best = np.where(known, grad, -np.inf).max(axis=0, initial=-np.inf)
    return np.where(totals > 0, weighted, np.where(np.isfinite(best), best, np.nan))


def cell_table(selection: Selection, spend: SpendMatrix, response: SpendMatrix, grad: SpendMatrix) -> pd.DataFrame:
    """One row per segment and channel: the recommendation, today's spend, its sales and marginal ROI
    (``grad``, NaN where the data has no spend: no estimated curve)."""
    channels = selection.channels
    return pd.DataFrame(
        {
            "brand": [brand for brand, _ in selection.segments for _ in channels],
            "region": [region for _, region in selection.segments for _ in channels],
            "channel": list(channels) * len(selection.segments),
            "spend": spend.ravel(),
            "current_spend": selection.current.ravel(),
            "incremental_sales": response.ravel(),
            "marginal_roi": grad.ravel(),
        }
    )


def solver_warnings(
    converged: bool, starts: int, mroi: np.ndarray, free: np.ndarray, spread: float, notes: Notes
) -> tuple[str, ...]:
    """The solver's warnings; ``free`` marks the cells (or channels) free of every bound."""
    out = []
    if not converged:
        out.append(
            f"the optimiser did not converge from any of its {numbers.counted(starts, 'start')}; the allocation is the best "
            "one found within the limits and may not be the optimum"
        )
    elif free.sum() > 1 and spread > MROI_SPREAD_WARNING:
        out.append(
            f"the marginal ROIs of the free channels differ by {spread:.1%} of their mean (they are equal at "
            "an optimum); the allocation may not be the optimum"
        )
    known = mroi[np.isfinite(mroi)]  # channels with no spend in the data have none
    if notes.budget > notes.today and known.size and float(known.max()) < SATURATED_MROI:
        out.append(
            f"every channel is saturated at this budget (marginal ROI below {SATURATED_MROI:g} INR per INR): "
            "extra spend earns almost nothing"
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Notes:
    """Warnings about the recommendation of a weekly ``budget`` (INR); ``today`` is today's total weekly spend,
    ``confidence`` the cautious advice's (0: none), ``terms`` what the warnings call the switches,
    ``number_format`` the digit grouping of their amounts, ``min_uplift`` the smallest expected uplift worth a
    change (a share of today's mix's expected incremental sales)."""

    channels: tuple[str, ...]
    budget: float
    today: float
    confidence: float = 0.0
    terms: Terms = OPTIONS
    number_format: NumberFormat = NumberFormat.INDIAN
    min_uplift: float = 0.0

    def _change(self, value: float) -> str:
        """A change in weekly sales with its sign, grouped: ``+1,23,456``."""
        return numbers.grouped(value, self.number_format, signed=True)

    @property
    def baseline(self) -> str:
        """What the uplift is measured over, in words: ``today's mix`` at today's budget, else ``today's mix
        scaled to the budget`` (the page around it compares with today's mix as it is)."""
        return "today's mix" if same_budget(self.budget, self.today) else "today's mix scaled to the budget"

    def kept(
        self,
        found: Uplift,
        plan: SpendMatrix,
        baseline: SpendMatrix,
        breaches: Sequence[str],
        constrained: bool,
        kept: bool,
        beyond_range: bool = False,
        small: Uplift | None = None,
    ) -> tuple[str, ...]:
        """The line saying today's mix is recommended because the best ``plan`` found did not beat it
        (none when nothing was kept, or the plan is today's mix anyway); ``beyond_range``: today's mix
        is kept beyond the data range on ``breaches``; ``small``: the uplift of the recommendation kept
        back because it adds less than ``min_uplift`` of today's sales."""
        if not kept or np.abs(plan - baseline).max(initial=0.0) <= 1e-6 * max(self.budget, 1.0):
            return ()
        where = " within the limits" if constrained or beyond_range else ""
        if beyond_range:
            broken = (
                f"; it goes beyond the range of weekly spend seen in the data on {', '.join(breaches)}, where the "
                "curves rest on few weeks or none"
            )
        else:
            broken = f"; today's mix is outside the limits on {', '.join(breaches)}" if breaches else ""
        if small is not None:
            return (self._too_small(found, small, where) + broken,)
        if found.expected > uplift_threshold(found.current):  # kept because it wins in too few draws
            return (
                f"{KEPT_LINE_START}{where} beats today's mix in {self.confidence:.0%} of posterior draws (the best "
                f"one found sells more in only {numbers.chance(found.prob_beats_current)} of them, "
                f"{self._change(found.expected)} INR a week in expectation, and no cautious plan wins in "
                f"{self.confidence:.0%}), so today's mix is recommended{broken}",
            )
        return (
            f"{KEPT_LINE_START}{where} beats today's mix in expectation (the best one found changes expected weekly "
            f"incremental sales by {self._change(found.expected)} INR), so today's mix is recommended{broken}",
        )

    def _too_small(self, found: Uplift, small: Uplift, where: str) -> str:
        """The kept line when the recommendation (uplift ``small``; the expected optimum's ``found``) adds less than
        ``min_uplift`` of what the baseline sells through media."""
        share = small.expected / small.current if small.current > 0 else 0.0
        decimals = 2  # as many as tell the share from the bar (0.4996% is not "0.50%, under the 0.50%")
        while decimals < 6 and numbers.percent(share, decimals) == numbers.percent(self.min_uplift, decimals):
            decimals += 1
        optimum = ""
        if found.expected > small.expected + 1e-9 * max(abs(found.current), 1.0):  # a cautious plan short of it
            optimum = f"; the expected optimum's {self._change(found.expected)}"
            if found.expected >= worth_a_change(found, self.min_uplift):  # enough, but too unsure
                optimum += (
                    f" sells more than {self.baseline} in only {numbers.chance(found.prob_beats_current)} of draws"
                )
            else:
                optimum += " falls short too"
        return (
            f"{KEPT_LINE_START}{where} adds enough to be worth a change (the best recommendation found adds "
            f"{self._change(small.expected)} INR of expected weekly sales, {numbers.percent(share, decimals)} of what "
            f"{self.baseline} sells through media, under the {numbers.percent(self.min_uplift, decimals)} a change "
            f"must bring{optimum}), so today's mix is recommended (simulator.min_uplift_share)"
        )

    def budget_return(self, recommended_sales: float, today_sales: float) -> tuple[str, ...]:
        """The line saying a budget above today's spend returns less than it costs: the extra spend (the
        budget less ``today``) brings fewer extra weekly sales (``recommended_sales`` at the budget less
        ``today_sales`` at today's spend, INR) than rupees (none when the budget is not above today's)."""
        extra, gain = self.budget - self.today, recommended_sales - today_sales
        if extra <= BUDGET_RISE_NOTED * max(self.today, 1.0) or gain >= extra:
            return ()
        # Before, a budget 47 times today's was answered "+0 uplift" with no word on what it cost.
        return (
            f"the {numbers.grouped(extra, self.number_format)} INR a week above today's spend of "
            f"{numbers.grouped(self.today, self.number_format)} INR brings {self._change(gain)} INR of weekly sales "
            f"(each extra rupee returns {max(gain, 0.0) / extra:.2f}): against today's budget, this one loses "
            f"{numbers.grouped(extra - gain, self.number_format)} INR a week; consider a smaller budget",
        )

    def forced(self, found: Uplift, breaches: Sequence[str], kept: bool) -> tuple[str, ...]:
        """The line saying today's mix breaks the limits on ``breaches``, so it cannot be kept, when the
        recommendation (uplift ``found``) sells less than it in expectation or wins in fewer draws than the
        cautious advice's confidence asks."""
        if kept or not breaches:
            return ()
        if found.expected > uplift_threshold(found.current):
            if self.confidence <= 0.0 or found.prob_beats_current >= self.confidence:
                return ()
            # Before, the cautious rule was dropped here without a word (the README's own --max example).
            return (
                f"today's mix is outside the limits on {', '.join(breaches)}, so it cannot be kept and the "
                f"cautious rule (a plan that beats today's mix in {self.confidence:.0%} of posterior draws) does "
                f"not apply: the recommendation is the best plan within the limits, which sells more in only "
                f"{numbers.chance(found.prob_beats_current)} of the draws; loosen the limits for a surer plan",
            )
        return (
            f"today's mix is outside the limits on {', '.join(breaches)}, so it cannot be kept: the recommendation "
            f"is the best plan within them, and it changes expected weekly incremental sales by "
            f"{self._change(found.expected)} INR against today's mix; loosen the limits to keep more of today's "
            "sales",
        )

    def cautious(
        self, found: Uplift, uplift: Uplift, step: float, cautious: bool, raised: Uplift | None = None
    ) -> tuple[str, ...]:
        """The line saying the recommendation is a cautious plan short of the optimum found (uplift
        ``found``), about ``step`` of the way toward it: the plan that does best at the cautious
        advice's confidence, or, where that one (uplift ``raised``) adds less than ``min_uplift``, the
        first step toward the optimum that adds enough and still wins at the confidence (none when the
        recommendation is not ``cautious``)."""
        if not cautious:
            return ()
        if raised is not None:
            return (
                f"{CAUTIOUS_LINE_START}: the plan whose uplift is largest at {self.confidence:.0%} confidence adds "
                f"{self._change(raised.expected)} INR a week in expectation, under the "
                f"{numbers.percent(self.min_uplift, 2)} of what {self.baseline} sells through media a change must bring "
                f"(simulator.min_uplift_share), so the recommendation goes on toward the expected optimum, about "
                f"{step:.0%} of the way, the first step that adds that much and still sells more than {self.baseline} in "
                f"{self.confidence:.0%} of posterior draws; it keeps {self._change(uplift.expected)} of the optimum's "
                f"{self._change(found.expected)} INR expected weekly uplift and sells more than {self.baseline} in "
                f"{numbers.chance(uplift.prob_beats_current)} of draws (the optimum in "
                f"{numbers.chance(found.prob_beats_current)})",
            )
        return (
            # Before, "the plan with the largest uplift in 95% of posterior draws", which reads as a plan that beats
            # the others in 95% of them: it is the plan whose uplift exceeded in 95% of the draws is largest.
            f"{CAUTIOUS_LINE_START}: the recommendation is the plan whose uplift is largest at {self.confidence:.0%} "
            f"confidence, the uplift it exceeds in {self.confidence:.0%} of posterior draws "
            f"(simulator.advice_confidence), about {step:.0%} of the way from {self.baseline} to the "
            f"expected optimum; it keeps {self._change(uplift.expected)} of the optimum's "
            f"{self._change(found.expected)} INR expected weekly uplift and sells more than {self.baseline} in "
            f"{numbers.chance(uplift.prob_beats_current)} of draws (the optimum in {numbers.chance(found.prob_beats_current)})",
        )

    def binding(self, spend: SpendMatrix, bounds: CellBounds, kept: bool) -> tuple[str, ...]:
        """The line naming the channels the data range holds at ``spend`` (K, C)."""
        if kept:
            return ()
        line = binding_note(spend, bounds, self.channels, self.budget, self.terms, self.number_format)
        return () if line is None else (line,)

    def held(
        self,
        groups: Sequence[Sequence[int]],
        unheld: Sequence[tuple[Sequence[int], str]],
        correlation: np.ndarray | None,
    ) -> tuple[str, ...]:
        """One line per group of channels that kept today's split (``simulator.hold_split_correlation``),
        and per group left free, with the reason (``unheld``: (channels, why))."""
        if correlation is None:
            return ()
        out = []
        for members in groups:
            names, lowest = self._group(members, correlation)
            tests = (
                "a lift test on either separates them"
                if len(members) == 2
                else "lift tests on all but one separate them"
            )
            out.append(
                f"{names} moved together in the data (weekly spend correlation {lowest:.2f} or more), "
                "so the model can tell their effects apart least of all: the advice keeps their split as in today's "
                f"mix and moves them as one (simulator.hold_split_correlation; {tests})"
            )
        for members, reason in unheld:
            names, lowest = self._group(members, correlation)
            out.append(
                f"{names} moved together in the data (weekly spend correlation {lowest:.2f} or more), but {reason}, "
                "so their split is free here"
            )
        return tuple(out)

    def _group(self, members: Sequence[int], correlation: np.ndarray) -> tuple[str, float]:
        """The group's channel names joined with "and", and its lowest pairwise correlation."""
        names = " and ".join(self.channels[c] for c in members)
        return names, min(float(correlation[a, b]) for a in members for b in members if a < b)

    def moved_together(
        self,
        spend: SpendMatrix,
        baseline: SpendMatrix,
        correlation: np.ndarray | None,
        kept: bool,
        measured: Sequence[int] = (),
    ) -> tuple[str, ...]:
        """One line per pair of channels whose weekly spends correlate by at least
        ``MOVED_TOGETHER_CORRELATION`` in the data (``correlation`` (C, C)) when the advice ``spend``
        cuts one and raises the other by more than ``SPLIT_SHIFT`` of today's mix (``baseline``);
        none for a pair with a channel a lift test ``measured`` (the test told them apart)."""
        if kept or correlation is None:
            return ()
        today, advised = baseline.sum(axis=0), spend.sum(axis=0)
        change = np.where(today > 0, advised / np.where(today > 0, today, 1.0) - 1.0, 0.0)
        out = []
        for a, b in zip(*np.triu_indices(len(self.channels), k=1)):
            if correlation[a, b] < MOVED_TOGETHER_CORRELATION or change[a] * change[b] >= 0:
                continue
            if a in measured or b in measured:
                continue
            cut, raised = (a, b) if change[a] < 0 else (b, a)
            if min(-change[cut], change[raised]) <= SPLIT_SHIFT:
                continue
            out.append(
                f"{self.channels[a]} and {self.channels[b]} moved together in the data (weekly spend "
                f"correlation {correlation[a, b]:.2f}), so the model can tell their effects apart least of all, "
                f"and the advice cuts {self.channels[cut]} by {-change[cut]:.0%} and raises {self.channels[raised]} "
                f"by {change[raised]:.0%}: check that split with a lift test (mmm train --lift-tests) before acting on it"
            )
        return tuple(out)

    def losing(
        self,
        spend: SpendMatrix,
        mroi: np.ndarray,
        groups: Sequence[Sequence[int]] = (),
        held_up: Mapping[int, str] | None = None,
    ) -> tuple[str, ...]:
        """The line naming the channels that get money but earn back less than a rupee at the margin. The
        channels of a group that keeps today's split (``groups``) are named together, with their
        spend-weighted marginal ROI: the advice cannot cut one of them alone. ``held_up`` maps a
        channel index to the status that keeps its spend up (a key of :data:`HELD_UP`): the line
        says how to free it instead of asking for a smaller budget it cannot get."""
        totals = spend.sum(axis=0)
        grouped = {c for members in groups for c in members}
        units: list[tuple[tuple[int, ...], str]] = [
            ((c,), self.channels[c]) for c in range(len(self.channels)) if c not in grouped
        ]
        units += [(tuple(members), " + ".join(self.channels[c] for c in members)) for members in groups]
        losing, free = [], []
        kept_up: dict[str, list[str]] = {}
        for members, name in sorted(units, key=lambda unit: min(unit[0])):
            total = float(totals[list(members)].sum())
            value = float(np.nan_to_num(mroi[list(members)]) @ totals[list(members)]) / total if total > 0 else 0.0
            if total > 0 and value < LOSS_MROI:
                losing.append(f"{name} {value:.2f}" + (" together" if len(members) > 1 else ""))
                reasons = {(held_up or {}).get(c) for c in members}
                if len(reasons) == 1 and (reason := reasons.pop()) in HELD_UP:
                    kept_up.setdefault(reason, []).append(name)
                else:
                    free.append(name)
        if not losing:
            return ()
        advice = [f"consider a smaller budget for {', '.join(free)}"] if free else []
        for reason, names in kept_up.items():
            where, how = HELD_UP[reason]
            one = len(names) == 1
            advice.append(
                f"{', '.join(names)} {'is' if one else 'are'} {where}: "
                + how.format(it="it" if one else "them", switch=self.terms.data_range_switch)
            )
        return (
            f"marginal ROI below {LOSS_MROI:g} at the recommendation ({', '.join(losing)} INR per INR): the last "
            f"rupee spent there earns back less than a rupee of sales; {'; '.join(advice)}",
        )
