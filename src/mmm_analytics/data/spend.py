"""Channels the panel never spent on, or in only a few weeks: where the data has no spend, no
response can be estimated, and from a few weeks hardly any.

A brand x region segment (the model's and the optimiser's unit, summed over SKUs) whose spend on
a channel is 0 in every week gives the fit nothing to learn that channel's curve from there: the
curves report no ROI or marginal ROI for it and the advice keeps it at 0 (see
:mod:`mmm_analytics.simulator.bounds`). The data step says so, one line per channel, and once
when the media spend is as large as the sales (a unit slip in ``Sales_Value``).
"""

from __future__ import annotations

import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers

#: Fewer weeks with spend on a channel (anywhere in the panel) than this, and its ROI is the priors' more
#: than the data's: the data step says so.
MIN_SPENT_WEEKS = 4
#: The segment of a row, in the order a message names it (brand, then region).
SEGMENT_COLUMNS: tuple[str, str] = (schema.BRAND, schema.GEO)


def require_some_spend(frame: pd.DataFrame, channels: Channels) -> None:
    """Raise :class:`InputError` when no channel has spend in any row of ``frame`` (a panel in the
    schema): with no media at all there is nothing for a media model to measure."""
    spend = channels.spend(frame).fillna(0.0)
    if len(frame) and not (spend > 0).to_numpy().any():
        columns = ", ".join(channels.input_columns)  # the spend column where a channel has one
        raise InputError(
            f"no channel has any spend in the panel ({columns} are 0 or empty in every row): a media mix model "
            "needs media; check these columns of the file, or the channels' 'column' and 'spend_column' in data_config.yaml"
        )


def unspent_channel_notes(frame: pd.DataFrame, channels: Channels) -> tuple[str, ...]:
    """One line per channel with no spend in every week of some brand x region segment, one per
    channel spent on in fewer than :data:`MIN_SPENT_WEEKS` weeks of the panel (``Date`` column), and one
    per channel whose weekly spend never changes in any segment that spends on it (a flat always-on
    budget: nothing to learn its effect from).

    ``frame`` is a panel in the schema (one row per week and series, the channel table's input
    columns present; a missing value counts as no spend).
    """
    spend = channels.spend(frame).fillna(0.0)
    by_segment = spend.groupby([frame[column] for column in SEGMENT_COLUMNS], sort=True).sum()
    by_week = spend.groupby(frame[schema.DATE]).sum() if schema.DATE in frame else None
    notes: list[str] = []
    for channel in channels.names if len(by_segment) else ():
        unspent = by_segment.index[(by_segment[channel] <= 0).to_numpy()]
        n_weeks = len(by_week) if by_week is not None else 0
        spent_weeks = int((by_week[channel] > 0).sum()) if by_week is not None else 0
        if 0 < spent_weeks < min(MIN_SPENT_WEEKS, n_weeks):
            # before, one week of spend in the whole panel gave an ROI with an interval and no word
            notes.append(
                f"{channel} has spend in only {spent_weeks} of {n_weeks} weeks: too few to learn its curve "
                "from; its ROI rests mostly on the priors (read its interval, and test it before moving money to it)"
            )
        if by_week is not None and n_weeks >= MIN_SPENT_WEEKS and (flat := _flat_segment(spend[channel], frame)):
            notes.append(
                f"{channel}'s weekly spend never changes in any brand x region segment that spends on it (e.g. "
                f"the same every week in {flat[0]} / {flat[1]}): the data cannot tell its effect from the base "
                "sales, so its ROI rests on the priors (read its interval, and test it before moving money to it)"
            )
        few = 0 < spent_weeks < min(MIN_SPENT_WEEKS, n_weeks)  # named above: its curve is unknown anyway
        if by_week is not None and not few and (shift := _recent_shift(channel, by_week[channel])) is not None:
            notes.append(shift)
        if len(unspent) == len(by_segment):
            notes.append(
                f"{channel} has no spend in any week of the panel ({channels.input_column_of(channel)} is 0 "
                "throughout): its ROI cannot be estimated; the curves show it as n/a and the advice keeps it at 0"
            )
        elif len(unspent):
            brand, region = unspent[0]
            notes.append(
                f"{channel} has no spend in any week in {len(unspent)} of {len(by_segment)} brand x region "
                f"segments (e.g. {brand} / {region}): its ROI there cannot be estimated and the advice keeps "
                "it at 0 there"
            )
    return tuple(notes)


def sales_scale_notes(frame: pd.DataFrame, channels: Channels) -> tuple[str, ...]:
    """One line when the panel's media spend (INR, from the exposures at the channels' CPMs or the spend
    columns) is as large as its whole ``Sales_Value`` or larger: sales written in thousands or lakhs of
    INR, or CPMs far too high, where FMCG media spend is a few percent of sales. Every ROI would then be
    that many times too small, and the priors, which expect ROIs near 1, would fight the data.
    ``frame``: a panel in the schema."""
    if frame.empty or schema.SALES_VALUE not in frame:
        return ()
    spend = float(channels.spend(frame).fillna(0.0).to_numpy().sum())
    sales = float(frame[schema.SALES_VALUE].fillna(0.0).clip(lower=0.0).sum())
    if spend <= 0 or spend < sales:
        return ()
    ratio = spend / sales if sales > 0 else float("inf")
    times = "more than" if sales <= 0 else f"{ratio:,.0f} times" if ratio >= 10 else f"{ratio:.1f} times"
    return (
        f"the panel's media spend ({numbers.grouped(spend)} INR) is {times} its total '{schema.SALES_VALUE}' "
        f"({numbers.grouped(sales)} INR), where media spend is usually a few percent of sales: is '{schema.SALES_VALUE}' "
        "in thousands or lakhs of INR? ROIs would read that many times too small; write it in INR, or check the "
        "channels' 'cpm' in data_config.yaml",
    )


#: Weeks at the end of the panel whose spend is set beside the whole panel's average (a quarter).
RECENT_WEEKS = 13
#: A channel whose recent weekly spend is this many times its panel average, or this many times below it, is named.
RECENT_SHIFT = 2.0


def _recent_shift(channel: str, weekly: pd.Series) -> str | None:
    """A line naming ``channel`` when its national weekly spend (``weekly``, INR) of the last :data:`RECENT_WEEKS`
    weeks is :data:`RECENT_SHIFT` times the panel's average or more, or as far below it: a channel launched,
    stepped up or cut late in the panel, which the advice still reads at its average ("today's mix")."""
    if len(weekly) < 2 * RECENT_WEEKS:
        return None
    recent, overall = float(weekly.iloc[-RECENT_WEEKS:].mean()), float(weekly.mean())
    if overall <= 0 or RECENT_SHIFT**-1 < recent / overall < RECENT_SHIFT:
        return None
    # Before, a channel launched 20 weeks from the end was planned from its all-weeks average (1/8 of its
    # spend now) without a word: "Radio +8%" was in fact a cut of 86%.
    return (
        f"{channel}'s weekly spend over the last {RECENT_WEEKS} weeks ({numbers.grouped(recent)} INR) is "
        f"{recent / overall:.1f} times its average over the panel ({numbers.grouped(overall)} INR), which the advice takes as today's spend: read "
        "'today's mix' and the changes it advises against that average, or start the panel where today's "
        "spending pattern starts"
    )


def _flat_segment(spend: pd.Series, frame: pd.DataFrame) -> tuple[str, str] | None:
    """The first (brand, region) of a channel's ``spend`` (one value per row of ``frame``) when its weekly
    spend is the same in every week of every segment that spends on it at all; None when any varies."""
    weekly = spend.groupby([frame[column] for column in (*SEGMENT_COLUMNS, schema.DATE)], sort=True).sum()
    by_segment = weekly.groupby(level=[0, 1], sort=True)
    low, high = by_segment.min(), by_segment.max()
    spent = high > 0
    if not spent.any() or ((high - low)[spent] > 1e-9 * high[spent]).any():
        return None
    brand, region = high.index[spent.to_numpy()][0]
    return str(brand), str(region)


#: A week whose exposure is this many times its series' median week of spend on the channel is named.
SPIKE_RATIO = 20.0


def spend_spike_notes(frame: pd.DataFrame, channels: Channels) -> tuple[str, ...]:
    """One line per channel with weeks of exposure :data:`SPIKE_RATIO` times or more its series' median
    week with spend (a unit slip in a media feed, or a one-off burst): the worst, and how many such weeks.
    The outlier rules look at sales only, so these weeks would enter today's mix and its ROI as they are.
    ``frame``: a panel in the schema (``Date`` and the key columns, the channel table's input columns)."""
    if frame.empty or schema.DATE not in frame:
        return ()
    spend = channels.spend(frame).fillna(0.0)
    series = [frame[column] for column in schema.KEY_COLUMNS]
    notes: list[str] = []
    for channel in channels.names:
        spent = spend[channel].where(spend[channel] > 0)
        ratio = spent / spent.groupby(series).transform("median")
        spikes = ratio[ratio >= SPIKE_RATIO]
        if spikes.empty:
            continue
        worst = int(spikes.idxmax())
        name = "/".join(str(frame.at[worst, column]) for column in schema.KEY_COLUMNS)
        week = pd.Timestamp(frame.at[worst, schema.DATE]).date().isoformat()
        more = (
            f" ({numbers.counted(len(spikes) - 1, 'more week', plural='more weeks')} this far out)"
            if len(spikes) > 1
            else ""
        )
        # Before, 100x weeks passed without a word and made today's mix 2.6 times a normal week's spend.
        notes.append(
            f"{channel} ({channels.input_column_of(channel)}) of {name} in the week of {week} is {spikes.max():.0f} times "
            f"that series' median week of spend{more}: a unit slip in the media data, or a one-off burst? Such weeks "
            "enter today's mix and the channel's ROI as they are; fix them if they are slips"
        )
    return tuple(notes)
