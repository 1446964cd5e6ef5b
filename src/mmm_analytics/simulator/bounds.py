"""Cell bounds of an allocation: the user's channel limits combined with the range of spend in the data.

The response curves are fitted to the weekly spends seen in the data; far outside them the
model extrapolates. By default (``simulator.data_range`` in ``model_config.yaml``, off with
``mmm optimize --no-data-range``) every cell's weekly spend stays within the lowest weekly
spend of that cell over the data weeks and the top of its range, widened by
``simulator.data_range_margin`` (``[min x (1 - margin), top x (1 + margin)]``). The top is the
``simulator.data_range_quantile`` quantile of its weekly spends (0.9 by default: the level its
busiest tenth of weeks reach; 1: the highest week), and never below today's average: a curve's
reading above that level rests on a handful of weeks, and advice that moves a channel there
is the advice most often wrong when the curve's form is not the world's.

A cell is one brand x region x channel. For one brand x region the cells are its channels;
nationally (``"all"``) the optimiser sets every cell's spend, and each cell's response rests
on that cell's own history, so each cell keeps to its own range (a channel's national total
then stays within the sum of its cells' ranges). Locked channels keep today's spend.

The user's limits (``--min``/``--max``, channel totals) and the data range both apply. Where
they cannot both hold (a limit outside the data range), the user's limit wins: that channel's
range stretches to the limit, so the channel is held at it while the range holds the others
(its cells are not reported as at the data range); where the data range cannot hold the budget (its
minima add up to more, or its maxima to less, without ``--at-most``), that side of it is
dropped. Each such case is reported in one line.

A cell with no spend in any week of the data (today's average is 0) has a response curve the
data never saw: its shape is the priors' alone, and under relative saturation scaling its
half-saturation sits at zero spend, so its marginal ROI is meaningless. Such a cell stays at 0,
with or without the data range, and a line names it; a channel with no other cell in the
selection gets the status :data:`NO_SPEND_IN_DATA`. A user minimum that only such cells could
meet, or a budget the other cells cannot hold (unless the budget is only an upper limit,
``--at-most``), is an :class:`InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator.constraints import RELATIVE_TOLERANCE, ChannelLimits
from mmm_analytics.simulator.defaults import BOUND_TOLERANCE
from mmm_analytics.simulator.surface import SpendMatrix
from mmm_analytics.simulator.terms import OPTIONS, Terms
from mmm_analytics.style.numbers import message_inr

#: Channel statuses set by the data range (the others come from :meth:`ChannelLimits.status`).
AT_DATA_MINIMUM = "at data minimum"
AT_DATA_MAXIMUM = "at data maximum"
#: The bottom of every data range, in words.
LOWEST = "lowest weekly spend in the data"
#: The status of a channel held at 0 because no cell of it in the selection has spend in the data.
NO_SPEND_IN_DATA = "no spend in data"


@dataclass(frozen=True, slots=True)
class SpendRange:
    """Lowest weekly spend (INR) of each of K x C cells over the data and the top of its range (its
    ``quantile`` of weekly spends, 1: the highest week), each of shape (K, C)."""

    lower: SpendMatrix
    upper: SpendMatrix
    quantile: float = 1.0

    @classmethod
    def from_history(cls, history: np.ndarray, margin: float = 0.0, quantile: float = 1.0) -> SpendRange:
        """The range of ``history`` (K, T, C), weekly spend in INR: from its lowest week to its
        ``quantile`` (0 < quantile <= 1) but at least its average, widened by ``margin`` (a share, >= 0)."""
        history = np.asarray(history, dtype=np.float64)
        top = history.max(axis=1) if quantile >= 1 else np.quantile(history, quantile, axis=1)
        return cls(
            lower=history.min(axis=1) * max(1.0 - margin, 0.0),
            upper=np.maximum(top, history.mean(axis=1)) * (1.0 + margin),
            quantile=min(quantile, 1.0),
        )

    @property
    def top_words(self) -> str:
        """What the top of the range is, in words ("highest weekly spend in the data", ...)."""
        return top_words(self.quantile)


def top_words(quantile: float) -> str:
    """The top of a data range of this ``quantile`` in words: "highest weekly spend in the data",
    "90th-percentile weekly spend in the data"."""
    if quantile >= 1:
        return "highest weekly spend in the data"
    percent = f"{100 * quantile:.3g}"
    suffix = "th" if percent.endswith(("11", "12", "13")) else {"1": "st", "2": "nd", "3": "rd"}.get(percent[-1], "th")
    return f"{percent}{suffix}-percentile weekly spend in the data"


@dataclass(frozen=True, slots=True)
class CellBounds:
    """The bounds the solver gets.

    Attributes
    ----------
    lower, upper : ndarray of shape (K, C)
        Bounds of each cell's weekly spend (INR).
    channel_lower, channel_upper : ndarray of shape (C,) or None
        Limits on channel totals (INR), for selections of several segments.
    data_lower, data_upper : ndarray of bool, shape (K, C)
        Where the data range is the bound in force (tighter than the user's limit).
    notes : tuple of str
        Where the data range gave way to a limit or to the budget, and the channels held at 0 for
        want of spend in the data.
    unseen : ndarray of bool, shape (K, C)
        Cells held at 0 because the data has no spend in them (their response is the priors').
    """

    lower: SpendMatrix
    upper: SpendMatrix
    channel_lower: np.ndarray | None
    channel_upper: np.ndarray | None
    data_lower: np.ndarray
    data_upper: np.ndarray
    notes: tuple[str, ...] = ()
    unseen: np.ndarray | None = None
    top: str = top_words(1.0)

    @property
    def unseen_channels(self) -> np.ndarray:
        """Per channel, (C,): whether every cell of it is held at 0 for want of spend in the data."""
        if self.unseen is None:
            return np.zeros(self.lower.shape[1], dtype=bool)
        return self.unseen.all(axis=0)

    def outside(self, spend: SpendMatrix, budget: float) -> np.ndarray:
        """Per channel, (C,): whether ``spend`` (K, C, INR per week) leaves a cell's bounds or the channel
        total's, beyond the tolerance of a weekly ``budget``."""
        tolerance = BOUND_TOLERANCE * max(budget, 1.0)
        out = ((spend < self.lower - tolerance) | (spend > self.upper + tolerance)).any(axis=0)
        totals = spend.sum(axis=0)
        if self.channel_lower is not None:
            out |= totals < self.channel_lower - tolerance
        if self.channel_upper is not None:
            out |= totals > self.channel_upper + tolerance
        return out


def cell_bounds(
    limits: ChannelLimits,
    current: SpendMatrix,
    spend_range: SpendRange | None,
    budget: float,
    at_most: bool,
    channels: tuple[str, ...],
    terms: Terms = OPTIONS,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> CellBounds:
    """Combine the user's channel ``limits`` with the data range ``spend_range`` (None: not applied).

    ``current`` (K, C) is today's weekly spend (locked cells keep it); ``budget`` in INR per week;
    ``terms`` name the minimum and the switches in messages, whose amounts are grouped per ``fmt``.
    """
    locked = np.broadcast_to(limits.locked, current.shape)
    user_lower, user_upper = limits.lower, limits.upper
    stretched = np.zeros(current.shape[1], dtype=bool)  # channels whose range a limit stretched
    if spend_range is None:
        data_low, data_high = np.zeros(current.shape), np.full(current.shape, np.inf)
        low_on = high_on = np.zeros(current.shape, dtype=bool)
        notes: list[str] = []
        top = top_words(1.0)
    else:
        data_low, data_high, top = spend_range.lower, spend_range.upper, spend_range.top_words
        below, above = _outside(limits, data_low.sum(axis=0), data_high.sum(axis=0))
        notes = _conflicts(limits, data_low.sum(axis=0), data_high.sum(axis=0), below, above, channels, top, fmt)
        data_low, data_high = _stretched(limits, data_low, data_high, below, above)
        stretched = below | above
        low_on, high_on = ~locked, ~locked
        low_total = np.maximum(user_lower, np.where(low_on, data_low, 0.0).sum(axis=0))
        if low_total.sum() > budget * (1 + RELATIVE_TOLERANCE):
            notes.append(_budget_note(budget, "below", LOWEST, low_total.sum(), "minima", seen_beyond=False, fmt=fmt))
            low_on[:] = False
        high_total = np.minimum(user_upper, np.where(high_on, data_high, np.inf).sum(axis=0))
        # With --at-most too: today's mix scaled to the budget, the plan every advice is judged against,
        # must stay within reach (before, a losing plan under the tops was recommended).
        if high_total.sum() < budget * (1 - RELATIVE_TOLERANCE):
            seen_beyond = spend_range.quantile < 1  # weeks above the top exist: the curves are not blind there
            notes.append(_budget_note(budget, "above", top, high_total.sum(), "maxima", seen_beyond, fmt))
            high_on[:] = False
    lower = np.where(locked, current, np.where(low_on, data_low, 0.0))
    upper = np.where(locked, current, np.where(high_on, data_high, np.inf))
    unseen, unseen_notes = _unseen_cells(limits, current, upper, budget, at_most, channels, terms, fmt)
    notes += unseen_notes
    upper = np.where(unseen, 0.0, upper)
    low_on, high_on = low_on & ~unseen, high_on & ~unseen
    # A stretched range holds the user's own limit, not the data's: its cells are not "at the data range".
    flag_low, flag_high = low_on & ~stretched[None, :], high_on & ~stretched[None, :]
    if current.shape[0] > 1:
        return CellBounds(
            lower, upper, user_lower.copy(), user_upper.copy(), flag_low, flag_high, tuple(notes), unseen, top
        )
    # One segment: its cells are the channels, so the user's limits are cell bounds too.
    single_lower, single_upper = np.maximum(lower, user_lower[None, :]), np.minimum(upper, user_upper[None, :])
    data_lower = flag_low & (data_low > user_lower[None, :])
    data_upper = flag_high & (data_high < user_upper[None, :])
    return CellBounds(single_lower, single_upper, None, None, data_lower, data_upper, tuple(notes), unseen, top)


def _unseen_cells(
    limits: ChannelLimits,
    current: SpendMatrix,
    upper: SpendMatrix,
    budget: float,
    at_most: bool,
    channels: tuple[str, ...],
    terms: Terms = OPTIONS,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> tuple[np.ndarray, list[str]]:
    """The cells (K, C) to hold at 0 because the data has no spend in them, and one line per channel held.

    Raises :class:`InputError` for a user minimum that only such cells could meet, and for a budget
    that the other cells cannot hold (amounts grouped per ``fmt``): either would put money on a curve
    the data never saw."""
    unseen = (current <= 0) & ~np.broadcast_to(limits.locked, current.shape)
    where = "here" if current.shape[0] == 1 else "in the selected segments"
    for c in np.flatnonzero(unseen.all(axis=0) & (limits.lower > 0)):
        raise InputError(
            f"{terms.minimum} for {channels[c]!r}: {channels[c]} has no spend in the data {where}, so its response "
            "there is not estimated; remove the minimum, or add weeks with its spend to the data and re-train"
        )
    room = float(np.minimum(np.where(unseen, 0.0, upper).sum(axis=0), limits.upper).sum())
    if unseen.any() and not at_most and room < budget * (1 - RELATIVE_TOLERANCE):
        raise InputError(
            f"the weekly budget of {message_inr(budget, fmt)} does not fit in the cells with spend in the data "
            f"({message_inr(room, fmt)} at most within your limits and locks; {_unseen_words(unseen, channels)}); "
            f"{_fit_remedy(limits, terms)}"
        )
    notes = [
        f"{_unseen_words(unseen[:, [c]], (channels[c],))}: held at 0 there (its response is not estimated)"
        for c in np.flatnonzero(unseen.any(axis=0))
    ]
    return unseen, notes


def _fit_remedy(limits: ChannelLimits, terms: Terms) -> str:
    """How to fit a budget into the cells with spend in the data: the remedies that apply (a maximum to
    raise, a lock to lift; the data range gives way to a budget beyond its tops) among those ``terms`` offer."""
    remedies = ["choose a smaller budget"] if terms.budget_set else []
    remedies += ["raise a maximum"] if terms.budget_set and np.isfinite(limits.upper[~limits.locked]).any() else []
    remedies += ["unlock a channel"] if limits.locked.any() else []
    remedies += [] if terms.at_most is None else [f"spend at most the budget ({terms.at_most})"]
    if not remedies:
        return "add weeks with spend in the other cells to the data and re-train"
    if len(remedies) == 1:
        return remedies[0]
    return f"{', '.join(remedies[:-1])}{',' if len(remedies) > 2 else ''} or {remedies[-1]}"


def where_words(cells: np.ndarray) -> str:
    """Where the flagged segments of one channel are, for ``cells`` (K,) bool: ``here`` when the
    selection is one segment, else ``in 3 of 24 segments``."""
    return "here" if cells.shape[0] == 1 else f"in {cells.sum()} of {cells.shape[0]} segments"


def _unseen_words(unseen: np.ndarray, channels: tuple[str, ...]) -> str:
    """``Radio has no spend in the data here`` (one segment) or ``... in 3 of 24 segments``, for the
    channels (columns of ``unseen``, (K, C) bool) with such cells; joined with ``;``."""
    return "; ".join(
        f"{channels[c]} has no spend in the data {where_words(unseen[:, c])}"
        for c in np.flatnonzero(unseen.any(axis=0))
    )


def _outside(limits: ChannelLimits, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel (C,), locked ones left out: whether the user's maximum lies below the data range
    (channel totals ``low``..``high``), and whether the minimum lies above it."""
    free = ~np.asarray(limits.locked, dtype=bool)
    below = free & (limits.upper < low * (1 - RELATIVE_TOLERANCE))
    above = free & ~below & (limits.lower > high * (1 + RELATIVE_TOLERANCE))
    return below, above


def _conflicts(
    limits: ChannelLimits,
    low: np.ndarray,
    high: np.ndarray,
    below: np.ndarray,
    above: np.ndarray,
    channels: tuple[str, ...],
    top: str,
    fmt: NumberFormat,
) -> list[str]:
    """One line per channel whose user limit lies outside its data range (channel totals
    ``low``..``high``, (C,); ``below``, ``above`` from :func:`_outside`); ``top`` names the range's top,
    ``fmt`` groups the amounts."""
    out = []
    for c in np.flatnonzero(below | above):
        if below[c]:
            limit, bound = message_inr(limits.upper[c], fmt), message_inr(low[c], fmt)
            side = f"your maximum {limit} is below its {LOWEST} ({bound})"
            held = "held at your maximum"
        else:
            limit, bound = message_inr(limits.lower[c], fmt), message_inr(high[c], fmt)
            side = f"your minimum {limit} is above its {top} ({bound})"
            held = "held at your minimum"
        out.append(
            f"{channels[c]}: {side}; your limit applies, and the data range stretches to it "
            f"({channels[c]} is {held} while the data range holds the other channels)"
        )
    return out


def _stretched(
    limits: ChannelLimits, low: SpendMatrix, high: SpendMatrix, below: np.ndarray, above: np.ndarray
) -> tuple[SpendMatrix, SpendMatrix]:
    """The data range (cells (K, C), INR per week) stretched to take in a user's maximum ``below`` its
    bottom or minimum ``above`` its top (:func:`_outside`), each cell in proportion: such a channel is
    held at that limit for as long as the data range holds the others. Before, it was left without a
    top, and a budget beyond the others' tops all went to it, however little it earned there."""
    low_total, high_total = low.sum(axis=0), high.sum(axis=0)
    raise_top = np.where(above, limits.lower / np.where(above & (high_total > 0), high_total, 1.0), 1.0)
    lower_bottom = np.where(below, limits.upper / np.where(below, low_total, 1.0), 1.0)
    return low * lower_bottom[None, :], high * raise_top[None, :]


def _budget_note(
    budget: float, side: str, reach: str, total: float, what: str, seen_beyond: bool, fmt: NumberFormat
) -> str:
    """The line for a budget the data range cannot hold; ``seen_beyond``: the data have weeks past ``reach``;
    amounts grouped per ``fmt``."""
    beyond = (
        f"read the curves {side} the {reach}, where they rest on few weeks"
        if seen_beyond
        else f"extrapolate the curves {side} any spend the model has seen"
    )
    return (
        f"the weekly budget of {message_inr(budget, fmt)} is {side} what the data range allows (every channel at its "
        f"{reach}: {message_inr(total, fmt)}); the data-range {what} are not applied, and "
        f"the sales and marginal ROIs at this budget {beyond}"
    )


def channel_status(spend: SpendMatrix, bounds: CellBounds, limits: ChannelLimits, budget: float) -> list[str]:
    """Per channel: the user-limit status of :meth:`ChannelLimits.status`; :data:`NO_SPEND_IN_DATA` for
    one held at 0 for want of spend in the data; or, for a channel free of those, ``"at data maximum"``/
    ``"at data minimum"`` when every one of its cells sits at that bound."""
    tolerance = BOUND_TOLERANCE * max(budget, 1.0)
    at_high = ~bounds.data_upper | (spend >= bounds.upper - tolerance)
    at_low = ~bounds.data_lower | (spend <= bounds.lower + tolerance)
    out = limits.status(spend.sum(axis=0), budget)
    unseen = bounds.unseen_channels
    for c, status in enumerate(out):
        if unseen[c] and status in ("free", "at minimum"):
            out[c] = NO_SPEND_IN_DATA
            continue
        if status != "free":
            continue
        if bounds.data_upper[:, c].any() and at_high[:, c].all():
            out[c] = AT_DATA_MAXIMUM
        elif bounds.data_lower[:, c].any() and at_low[:, c].all():
            out[c] = AT_DATA_MINIMUM
    return out


def free_cells(spend: SpendMatrix, bounds: CellBounds, status: list[str], budget: float) -> np.ndarray:
    """Cells strictly inside their bounds, of channels free of every limit: (K, C) bool. Their
    marginal ROIs are equal at an optimum."""
    tolerance = BOUND_TOLERANCE * max(budget, 1.0)
    inside = (spend > bounds.lower + tolerance) & (spend < np.minimum(bounds.upper, budget) - tolerance)
    return inside & np.array([s == "free" for s in status])[None, :]


def binding_note(
    spend: SpendMatrix,
    bounds: CellBounds,
    channels: tuple[str, ...],
    budget: float,
    terms: Terms = OPTIONS,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> str | None:
    """One line naming the channels held at their data range at ``spend`` (K, C), or None; ``terms`` say
    what lifts the range, ``fmt`` groups the amounts.

    A channel that the user's own limit on its total holds, or a cell at a lowest spend of 0 (no plan
    spends less), is not held by the data: before, ``--max Print=0`` read "Print at its lowest weekly spend
    in the data in 24 of 24 segments"."""
    tolerance = BOUND_TOLERANCE * max(budget, 1.0)
    total = spend.sum(axis=0)
    user_high = (
        np.zeros(total.shape, dtype=bool) if bounds.channel_upper is None else total >= bounds.channel_upper - tolerance
    )
    user_low = (
        np.zeros(total.shape, dtype=bool)
        if bounds.channel_lower is None
        else (bounds.channel_lower > 0) & (total <= bounds.channel_lower + tolerance)
    )
    high = bounds.data_upper & (spend >= bounds.upper - tolerance) & ~user_high[None, :]
    low = bounds.data_lower & (bounds.lower > tolerance) & (spend <= bounds.lower + tolerance) & ~user_low[None, :]
    parts = []
    for c, channel in enumerate(channels):
        for held, reach, side in ((high[:, c], bounds.top, bounds.upper), (low[:, c], LOWEST, bounds.lower)):
            if not held.any():
                continue
            if spend.shape[0] == 1:
                parts.append(f"{channel} at its {reach} ({message_inr(side[0, c], fmt)})")
            else:
                parts.append(f"{channel} at its {reach} in {held.sum()} of {held.size} segments")
    if not parts:
        return None
    return f"the advice is held within the data's range of weekly spend: {', '.join(parts)}; {terms.data_range_hint}"
