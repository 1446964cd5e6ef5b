"""Channels the panel never spent on: one line per channel, for the whole panel or some segments."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import DataConfig, SyntheticSettings
from mmm_analytics.data import schema
from mmm_analytics.data.pipeline import run_data
from mmm_analytics.data.spend import require_some_spend, sales_scale_notes, unspent_channel_notes
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import write_synthetic

TABLE = Channels.default()
SMALL = DataConfig(synthetic=SyntheticSettings(seed=5, n_geos=2, n_brands=2, n_skus=2, n_weeks=40))


def _panel(spend: dict[tuple[str, str], float], weeks: int = 3) -> pd.DataFrame:
    """One SKU per brand x region; every channel has ``spend[(brand, region)]`` exposures a week, Radio included."""
    rows = [
        {schema.GEO: region, schema.BRAND: brand, schema.SKU: "SKU1", **dict.fromkeys(TABLE.columns, value)}
        for (brand, region), value in spend.items()
        for _ in range(weeks)
    ]
    return pd.DataFrame(rows, columns=[schema.GEO, schema.BRAND, schema.SKU, *TABLE.columns])


def test_a_channel_never_spent_on_is_named_once() -> None:
    frame = _panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0})
    frame[TABLE.column_of("Radio")] = 0.0
    (note,) = unspent_channel_notes(frame, TABLE)
    assert note.startswith("Radio has no spend in any week of the panel (Radio_Listenership is 0 throughout)")


def test_a_channel_priced_by_its_spend_column_names_that_column() -> None:
    """Before, "TV has no spend ... (TV_Impressions is 0 throughout)" where TV_Spend was 0 and the
    impressions were not."""
    table = DataConfig.model_validate(
        {
            "channels": {
                "TV": {"column": "TV_Impressions", "spend_column": "TV_Spend"},
                "Radio": {"column": "Radio_Listenership", "cpm": 0.6},
            }
        }
    ).channel_table()
    frame = _panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0}).assign(TV_Spend=0.0)
    (note,) = unspent_channel_notes(frame, table)
    assert note.startswith("TV has no spend in any week of the panel (TV_Spend is 0 throughout)")


def test_a_channel_missing_in_some_segments_names_how_many_and_one() -> None:
    frame = _panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0, ("BrandA", "WEST"): 10.0})
    tv = TABLE.column_of("TV")
    frame.loc[frame[schema.GEO].eq("WEST") & frame[schema.BRAND].eq("BrandA"), tv] = 0.0
    frame.loc[frame[schema.GEO].eq("WEST") & frame[schema.BRAND].eq("BrandB"), tv] = float("nan")
    (note,) = unspent_channel_notes(frame, TABLE)
    assert note.startswith("TV has no spend in any week in 2 of 3 brand x region segments (e.g. BrandA / WEST)")


@settings(max_examples=40, deadline=None)
@given(weekly=st.lists(st.sampled_from([0.0, 0.0, 1.0, 250.5]), min_size=6, max_size=6))
def test_a_segment_with_any_spend_is_never_named(weekly: list[float]) -> None:
    """Two segments of three weeks; TV is named exactly when one of them spends nothing in all three."""
    frame = _panel({("BrandA", "EAST"): 1.0, ("BrandB", "EAST"): 1.0})
    frame[TABLE.column_of("TV")] = weekly
    unspent = [sum(weekly[:3]) == 0, sum(weekly[3:]) == 0]
    notes = unspent_channel_notes(frame, TABLE)
    assert len(notes) == (1 if any(unspent) else 0)
    if all(unspent):
        assert "any week of the panel" in notes[0]


def test_the_data_step_reports_it_on_screen_and_in_the_cleaning_report(tmp_path: Path) -> None:
    generated = run_data(write_synthetic, tmp_path / "raw", tmp_path / "p0", SMALL, None)
    assert generated.warnings == ()
    frame = pd.read_csv(generated.raw_csv)
    frame[TABLE.column_of("Print")] = 0.0
    source = tmp_path / "no_print.csv"
    frame.to_csv(source, index=False)
    result = run_data(str(source), tmp_path / "raw2", tmp_path / "p1", SMALL, None)
    assert len(result.warnings) == 1 and result.warnings[0].startswith("Print has no spend in any week")
    assert json.loads(result.cleaning_report.read_text())["warnings"] == list(result.warnings)


@pytest.mark.parametrize("empty", [True, False])
def test_a_panel_without_rows_names_nothing(empty: bool) -> None:
    frame = _panel({("BrandA", "EAST"): 1.0}, weeks=0 if empty else 1)
    assert unspent_channel_notes(frame, TABLE) == ()


def test_a_panel_without_any_media_spend_is_refused_by_the_data_step(tmp_path: Path) -> None:
    """Before, every step ran on it and 'mmm run' ended in a ZeroDivisionError in the summary."""
    generated = run_data(write_synthetic, tmp_path / "raw", tmp_path / "p0", SMALL, None)
    frame = pd.read_csv(generated.raw_csv)
    frame[list(TABLE.columns)] = 0.0
    source = tmp_path / "no_media.csv"
    frame.to_csv(source, index=False)
    with pytest.raises(
        InputError, match=r"^no channel has any spend in the panel \(TV_Impressions, .*Radio_Listenership are 0"
    ):
        run_data(str(source), tmp_path / "raw2", tmp_path / "p1", SMALL, None)
    assert not (tmp_path / "p1").exists()  # nothing written


def test_one_row_of_spend_is_enough() -> None:
    require_some_spend(_panel({("BrandA", "EAST"): 0.0}, weeks=0), TABLE)  # no rows: nothing to refuse
    frame = _panel({("BrandA", "EAST"): 0.0, ("BrandB", "WEST"): 0.0})
    frame.loc[0, TABLE.column_of("Print")] = 1.0
    require_some_spend(frame, TABLE)
    frame.loc[0, TABLE.column_of("Print")] = float("nan")
    with pytest.raises(InputError, match="no channel has any spend"):
        require_some_spend(frame, TABLE)


def _dated(frame: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """``frame`` (rows of each segment in week order, ``weeks`` a segment) with a weekly ``Date``, every
    channel's spend doubled in odd weeks (so that it varies)."""
    dates = pd.date_range("2024-01-01", periods=weeks, freq="W-MON")
    pulse = [1.0 + (i % weeks) % 2 for i in range(len(frame))]
    columns = list(TABLE.columns)
    return frame.assign(**{schema.DATE: [dates[i % weeks] for i in range(len(frame))]}).assign(
        **{column: frame[column] * pulse for column in columns}
    )


def test_a_channel_spent_on_in_a_few_weeks_only_is_named() -> None:
    """Before, one impression in one week of a 60-week panel gave TV an ROI of 1.00 [0.14, 4.16] without a word."""
    frame = _dated(_panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0}, weeks=60), 60)
    tv = TABLE.column_of("TV")
    frame[tv] = 0.0
    frame.loc[[5, 70], tv] = 1.0  # week 6 of BrandA / EAST, week 11 of BrandB / WEST
    (note,) = unspent_channel_notes(frame, TABLE)
    assert note.startswith("TV has spend in only 2 of 60 weeks: too few to learn its curve from")
    frame.loc[[6, 7], tv] = 1.0  # four weeks: no longer named (but none in the last 13 weeks: that is)
    assert [note[:40] for note in unspent_channel_notes(frame, TABLE)] == ["TV's weekly spend over the last 13 weeks"]


def test_a_panel_of_fewer_weeks_than_the_rule_names_nothing_for_it() -> None:
    frame = _dated(_panel({("BrandA", "EAST"): 100.0}, weeks=2), 2)
    assert unspent_channel_notes(frame, TABLE) == ()


def test_a_channel_whose_spend_never_changes_is_named() -> None:
    """Before, a flat always-on budget (or a constant 1e-300 exposures a week) got an ROI with an interval and
    no word that the data cannot tell its effect from the base."""
    frame = _dated(_panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0}, weeks=8), 8)
    assert unspent_channel_notes(frame, TABLE) == ()
    tv = TABLE.column_of("TV")
    for flat in (1e-300, 250.0):
        frame[tv] = flat
        (note,) = unspent_channel_notes(frame, TABLE)
        assert note.startswith("TV's weekly spend never changes in any brand x region segment that spends on it")
        assert "(e.g. the same every week in BrandA / EAST)" in note and "rests on the priors" in note
    frame.loc[frame[schema.GEO].eq("WEST"), tv] = 0.0  # one segment flat, the other never spends: both named
    assert len(unspent_channel_notes(frame, TABLE)) == 2
    frame.loc[3, tv] = 251.0  # one week differs: its effect can be learnt from the weeks around it
    assert len(unspent_channel_notes(frame, TABLE)) == 1


@pytest.mark.parametrize(("late", "named"), [(8.0, True), (0.4, True), (1.5, False)], ids=["launched", "cut", "steady"])
def test_a_channel_whose_spend_changed_late_in_the_panel_is_named(late: float, named: bool) -> None:
    """Before, a channel launched 20 weeks before the end was planned from its all-weeks average (1/8 of
    its spend now), without a word: "Radio +8%" was in fact a cut of 86%."""
    import numpy as np

    dates = pd.date_range("2023-01-02", periods=52, freq="7D")
    frame = pd.DataFrame(
        {schema.DATE: dates, schema.GEO: "EAST", schema.BRAND: "BrandA", schema.SKU: "SKU1"}
        | {column: 100.0 + np.arange(52) % 3 for column in TABLE.columns}
    )
    radio = TABLE.column_of("Radio")
    frame.loc[frame.index[-13:], radio] = frame[radio].iloc[-13:] * late
    notes = [note for note in unspent_channel_notes(frame, TABLE) if "last 13 weeks" in note]
    assert len(notes) == int(named)
    if named:
        assert notes[0].startswith("Radio's weekly spend over the last 13 weeks (")
        assert "which the advice takes as today's spend" in notes[0]


def test_weeks_of_media_far_above_their_series_median_are_named() -> None:
    """Before, three weeks per series of Facebook at 100 times the median passed without a word (the outlier
    rules read sales only) and made today's Facebook spend 2.6 times a normal week's."""
    import numpy as np

    from mmm_analytics.data.spend import SPIKE_RATIO, spend_spike_notes

    frame = _dated(_panel({("BrandA", "EAST"): 100.0, ("BrandB", "WEST"): 50.0}, weeks=30), 30)
    columns = list(TABLE.columns)
    frame[columns] = frame[columns] * (1.0 + (np.arange(len(frame)) % 4)[:, None])  # 1-4x: flighting
    assert spend_spike_notes(frame, TABLE) == ()
    facebook = TABLE.column_of("Facebook")
    frame.loc[[3, 40], facebook] = frame.loc[[3, 40], facebook] * SPIKE_RATIO * 40
    (note,) = spend_spike_notes(frame, TABLE)
    assert note.startswith("Facebook (Facebook_Impressions) of ") and "times that series' median week of spend" in note
    assert "(1 more week this far out)" in note and "a unit slip in the media data" in note


@pytest.mark.parametrize(
    ("scale", "named"),
    [(1.0, False), (0.2, False), (1e-3, True), (1e-5, True)],
    ids=["inr", "fifth", "thousands", "lakhs"],
)
def test_sales_written_in_lakhs_are_named_by_the_data_step(tmp_path: Path, scale: float, named: bool) -> None:
    """Before, Sales_Value in lakhs of INR ran through training without a word (ROIs of 1e-5 against priors
    near 1) and ended 'mmm simulate' in a traceback; now the data step names the unit it suspects. This
    panel's media spend is 15% of its sales in INR: at a fifth of them (74%) it is still not named."""
    generated = run_data(write_synthetic, tmp_path / "raw", tmp_path / "p0", SMALL, None)
    frame = pd.read_csv(generated.raw_csv)
    frame[schema.SALES_VALUE] *= scale
    source = tmp_path / "scaled.csv"
    frame.to_csv(source, index=False)
    warnings = run_data(str(source), tmp_path / "raw2", tmp_path / "p1", SMALL, None).warnings
    scale_notes = [w for w in warnings if "in thousands or lakhs of INR" in w]
    assert len(scale_notes) == int(named), warnings
    if named:
        assert (
            scale_notes[0].startswith("the panel's media spend (") and "times its total 'Sales_Value'" in scale_notes[0]
        )


def test_a_panel_without_sales_value_or_spend_names_no_scale() -> None:
    frame = _panel({("BrandA", "EAST"): 100.0})
    assert sales_scale_notes(frame, TABLE) == ()
    assert sales_scale_notes(frame.assign(**{schema.SALES_VALUE: 0.0}), TABLE)[0].startswith("the panel's media spend")
    assert sales_scale_notes(frame.assign(**{schema.SALES_VALUE: 1e12}), TABLE) == ()
