"""Time-based train/test split: the last N weeks held out."""

from __future__ import annotations

import pandas as pd
import pytest

from mmm_analytics.data import schema
from mmm_analytics.data.data_splitter import DEFAULT_HOLDOUT_WEEKS, holdout_cutoff, split_train_test
from mmm_analytics.errors import InputError


def test_default_holds_out_last_13_weeks(small_frame: pd.DataFrame) -> None:
    split = split_train_test(small_frame)
    dates = pd.to_datetime(small_frame[schema.DATE], format="%m/%d/%Y")
    weeks = sorted(dates.unique())
    assert DEFAULT_HOLDOUT_WEEKS == 13
    assert split.cutoff == weeks[-13]
    assert split.n_test_weeks == 13
    assert len(split.train) + len(split.test) == len(small_frame)
    assert len(split.test) == 13 * 4
    assert pd.to_datetime(split.train[schema.DATE], format="%m/%d/%Y").max() < split.cutoff
    assert pd.to_datetime(split.test[schema.DATE], format="%m/%d/%Y").min() == split.cutoff


@pytest.mark.parametrize("holdout", [1, 5, 103], ids=["one", "five", "all_but_one"])
def test_every_series_loses_the_same_weeks(small_frame: pd.DataFrame, holdout: int) -> None:
    frame = small_frame.assign(Date=pd.to_datetime(small_frame[schema.DATE], format="%m/%d/%Y"))
    split = split_train_test(frame, holdout)
    per_series = split.test.groupby(list(schema.KEY_COLUMNS)).size()
    assert (per_series == holdout).all() and len(per_series) == 4
    assert split.train[schema.DATE].nunique() == 104 - holdout


def test_zero_holdout_keeps_everything_for_training(small_frame: pd.DataFrame) -> None:
    frame = small_frame.assign(Date=pd.to_datetime(small_frame[schema.DATE], format="%m/%d/%Y"))
    split = split_train_test(frame, 0)
    assert split.test.empty and len(split.train) == len(frame)
    assert split.cutoff == frame[schema.DATE].max() + pd.Timedelta(weeks=1)


@pytest.mark.parametrize(("holdout", "match"), [(104, "only 104 week"), (-1, ">= 0"), (2.5, "whole number")],
                         ids=["all_weeks", "negative", "fraction"])
def test_bad_holdout_names_the_config_key(small_frame: pd.DataFrame, holdout, match: str) -> None:
    with pytest.raises(InputError, match=rf"config key 'holdout_weeks'.*{match}"):
        holdout_cutoff(small_frame[schema.DATE], holdout)
