"""Channels the panel never spent on, or in only a few weeks: where the data has no spend, no
response can be estimated, and from a few weeks hardly any.

A brand x region segment (the model's and the optimiser's unit, summed over SKUs) whose spend on
a channel is 0 in every week gives the fit nothing to learn that channel's curve from there: the
curves report no ROI or marginal ROI for it and the advice keeps it at 0 (see
:mod:`mmm_analytics.simulator.bounds`). The data step says so, one line per channel.
"""

from __future__ import annotations

import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.errors import InputError

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
        if len(unspent) == len(by_segment):
            notes.append(
                f"{channel} has no spend in any week of the panel ({channels.column_of(channel)} is 0 "
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
