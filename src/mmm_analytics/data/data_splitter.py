"""Time-based train/test split: the last N weeks of every series are held out (never a random split)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mmm_analytics.data import schema
from mmm_analytics.errors import InputError

#: Default weeks held out, as in ``data_config.yaml`` (``holdout_weeks``).
DEFAULT_HOLDOUT_WEEKS = 13


@dataclass(frozen=True, slots=True)
class TrainTestSplit:
    """Rows before ``cutoff`` (train) and from ``cutoff`` on (test).

    ``cutoff`` is the first held-out week start; with no weeks held out it is one week
    after the last week, and ``test`` is empty.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp

    @property
    def n_test_weeks(self) -> int:
        return int(self.test[schema.DATE].nunique())


def holdout_cutoff(dates: pd.Series, holdout_weeks: int) -> pd.Timestamp:
    """First week start of the last ``holdout_weeks`` distinct weeks in ``dates``."""
    weeks = pd.Series(pd.to_datetime(dates).unique()).sort_values().reset_index(drop=True)
    if holdout_weeks < 0 or int(holdout_weeks) != holdout_weeks:
        raise InputError(f"config key 'holdout_weeks' must be a whole number >= 0; got {holdout_weeks}")
    if holdout_weeks >= len(weeks):
        raise InputError(
            f"config key 'holdout_weeks' is {holdout_weeks} but the panel has only {len(weeks)} week(s); "
            "hold out fewer weeks so some remain for training"
        )
    if holdout_weeks == 0:
        return pd.Timestamp(weeks.iloc[-1]) + pd.Timedelta(weeks=1)
    return pd.Timestamp(weeks.iloc[len(weeks) - holdout_weeks])


def split_train_test(frame: pd.DataFrame, holdout_weeks: int = DEFAULT_HOLDOUT_WEEKS) -> TrainTestSplit:
    """Hold out the last ``holdout_weeks`` weeks of a panel.

    Parameters
    ----------
    frame : DataFrame
        A panel with a ``Date`` column (week starts), any number of series.
    holdout_weeks : int >= 0
        Weeks at the end of the panel kept for testing.

    Returns
    -------
    TrainTestSplit
        Train and test frames (row order kept, index reset) and the cutoff date.

    Raises
    ------
    InputError
        When ``holdout_weeks`` is negative or leaves no weeks to train on.
    """
    cutoff = holdout_cutoff(frame[schema.DATE], holdout_weeks)
    in_test = pd.to_datetime(frame[schema.DATE]) >= cutoff
    train = frame[~in_test].reset_index(drop=True)
    test = frame[in_test].reset_index(drop=True)
    return TrainTestSplit(train=train, test=test, cutoff=cutoff)
