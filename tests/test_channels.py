"""The channel table: construction, lookups, the spend-column CPM rule and spend.

Spend of an exposure channel is ``exposure * cpm / 1000`` (compared at rtol 1e-12); a
spend-column channel's spend is its column exactly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics import channels as channels_module
from mmm_analytics.channels import SPEND_COLUMN_CPM, Channels
from mmm_analytics.config.data import ChannelSpec, DataConfig
from mmm_analytics.data import schema
from mmm_analytics.errors import InputError

SETTINGS = settings(max_examples=50, deadline=None)
DEFAULT_CPM = {"TV": 1.20, "YouTube": 1.60, "Facebook": 2.00, "Instagram": 4.50, "Print": 6.00, "Radio": 0.60}


def _mixed() -> Channels:
    config = DataConfig(
        channels={
            "TV": ChannelSpec(column="TV_Impressions", cpm=1.5),
            "Search": ChannelSpec(column="Search_Clicks", spend_column="Search_Spend"),
            "Radio": ChannelSpec(column="Radio_Listenership", cpm=0.6),
        }
    )
    return Channels.from_config(config)


def test_default_table_is_the_six_published_channels() -> None:
    table = Channels.default()
    assert table.names == tuple(DEFAULT_CPM)
    assert dict(zip(table, table.cpm, strict=True)) == DEFAULT_CPM
    assert table.columns == schema.columns_with_role(schema.Role.MEDIA)
    assert table.spend_column == (None,) * 6
    assert len(table) == 6 and list(table) == list(DEFAULT_CPM) and "TV" in table and "Cinema" not in table


def test_from_config_equals_channel_table_and_keeps_the_config_order() -> None:
    config = DataConfig(
        channels={
            "Radio": ChannelSpec(column="Radio_Listenership", cpm=0.6),
            "TV": ChannelSpec(column="TV_Impressions", cpm=1.2),
        }
    )
    assert Channels.from_config(config) == config.channel_table()
    assert config.channel_table().names == ("Radio", "TV")
    assert Channels.from_config(DataConfig()) == Channels.default()


@pytest.mark.parametrize("configured_cpm", [None, 3.0], ids=["spend_only", "spend_and_cpm"])
def test_a_spend_column_channel_is_priced_at_one_thousand(configured_cpm: float | None) -> None:
    spec = ChannelSpec(column="Search_Clicks", cpm=configured_cpm, spend_column="Search_Spend")
    table = DataConfig(channels={"Search": spec}).channel_table()
    assert table.cpm == (SPEND_COLUMN_CPM,) == (1000.0,)
    assert table.input_columns == ("Search_Spend",)
    assert table.columns == ("Search_Clicks",) and table.spend_column_of("Search") == "Search_Spend"


def test_lookups_and_arrays() -> None:
    table = _mixed()
    assert table.index("Search") == 1 and table.column_of("Radio") == "Radio_Listenership"
    assert table.cpm_of("TV") == 1.5 and table.spend_column_of("TV") is None
    cpm = table.cpm_array()
    assert cpm.dtype == np.float64 and cpm.shape == (3,)
    np.testing.assert_array_equal(cpm, [1.5, 1000.0, 0.6])
    assert table.exposure_columns == {"TV": "TV_Impressions", "Search": "Search_Clicks", "Radio": "Radio_Listenership"}
    assert table.input_columns == ("TV_Impressions", "Search_Spend", "Radio_Listenership")
    assert table.data_columns == ("TV_Impressions", "Search_Clicks", "Radio_Listenership", "Search_Spend")
    with pytest.raises(KeyError, match="no channel named 'Cinema'"):
        table.column_of("Cinema")


def test_spend_of_a_frame_uses_the_spend_column_or_exposure_times_cpm() -> None:
    frame = pd.DataFrame(
        {
            "TV_Impressions": [1e6, 2e6],
            "Search_Clicks": [10.0, 20.0],
            "Search_Spend": [500, 700],
            "Radio_Listenership": [3e5, 0.0],
        },
        index=pd.Index([7, 9], name="week"),
    )
    spend = _mixed().spend(frame)
    assert list(spend.columns) == ["TV", "Search", "Radio"] and spend.index.equals(frame.index)
    assert (spend.dtypes == np.float64).all()
    np.testing.assert_array_equal(spend["Search"], [500.0, 700.0])
    np.testing.assert_allclose(spend["TV"], [1500.0, 3000.0], rtol=1e-12)
    np.testing.assert_allclose(spend["Radio"], [180.0, 0.0], rtol=1e-12)


def test_spend_of_a_mapping_is_an_array_of_shape_n_by_c() -> None:
    columns = {"TV_Impressions": [1e6], "Search_Spend": [5], "Radio_Listenership": [1e3]}
    spend = _mixed().spend(columns)
    assert spend.dtype == np.float64 and spend.shape == (1, 3)
    np.testing.assert_allclose(spend, [[1500.0, 5.0, 0.6]], rtol=1e-12)


def test_spend_names_the_channel_whose_input_column_is_missing() -> None:
    frame = pd.DataFrame({"TV_Impressions": [1.0], "Search_Clicks": [1.0], "Radio_Listenership": [1.0]})
    with pytest.raises(InputError, match="channel 'Search': column 'Search_Spend' is not in the panel"):
        _mixed().spend(frame)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((("TV",), ("TV_Impressions", "X"), (1.0,), (None,)), "one entry per channel"),
        (((), (), (), ()), "at least one channel"),
        ((("TV", "TV"), ("A", "B"), (1.0, 1.0), (None, None)), "unique"),
        ((("TV",), ("A",), (0.0,), (None,)), "finite and > 0 for channel"),
        ((("TV",), ("A",), (float("nan"),), (None,)), "finite and > 0 for channel"),
        ((("TV", "TV2"), ("A", "A"), (1.0, 2.0), (None, None)), "channels TV and TV2 read the same column 'A'"),
        ((("TV", "Web"), ("A", "B"), (1.0, 1.0), (None, "A")), "channels TV and Web read the same column 'A'"),
    ],
    ids=["ragged", "empty", "duplicate_name", "zero_cpm", "nan_cpm", "shared_exposure", "shared_input"],
)
def test_bad_tables_are_rejected(fields: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Channels(*fields)


def test_table_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Channels.default().cpm = (1.0,) * 6  # type: ignore[misc]


names = st.lists(st.text("abcdefgh", min_size=1, max_size=6), min_size=1, max_size=5, unique=True)


@SETTINGS
@given(names=names, data=st.data())
def test_spend_is_linear_and_matches_the_model_rule(names: list[str], data: st.DataObject) -> None:
    """For any table, spend == input x cpm / 1000 (the model's rule) and the spend of summed rows is the summed spend."""
    n = len(names)
    by_spend = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    cpms = data.draw(st.lists(st.floats(0.01, 500.0), min_size=n, max_size=n))
    specs = {
        name: ChannelSpec(column=f"{name}_exp", spend_column=f"{name}_inr")
        if spend
        else ChannelSpec(column=f"{name}_exp", cpm=cpm)
        for name, spend, cpm in zip(names, by_spend, cpms)
    }
    table = DataConfig(channels=specs).channel_table()
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    frame = pd.DataFrame({c: rng.uniform(0.0, 1e6, 4) for c in table.data_columns})
    spend = table.spend(frame)
    model_rule = frame[list(table.input_columns)].to_numpy() * table.cpm_array() / 1000.0
    np.testing.assert_allclose(spend.to_numpy(), model_rule, rtol=1e-12)
    np.testing.assert_allclose(table.spend(frame.sum().to_frame().T).to_numpy()[0], spend.sum().to_numpy(), rtol=1e-12)
    assert table.cpm == tuple(SPEND_COLUMN_CPM if s else c for s, c in zip(by_spend, cpms))


def test_module_level_imports_are_light() -> None:
    """channels.py imports only the standard library, numpy and the package's errors at module level."""
    tree = ast.parse(Path(channels_module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "math", "collections", "dataclasses", "typing", "numpy", "mmm_analytics"}
