"""The data dictionary: role, type, unit, range and gaps of every column, in file order."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import CleaningSettings
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import clean_panel
from mmm_analytics.data.dictionary import MAX_LISTED_VALUES, build_dictionary
from mmm_analytics.data.loader import read_raw_csv
from mmm_analytics.data.validation import validate_panel
from mmm_analytics.utils.io import to_json


@pytest.fixture()
def fixture_dictionary(kaggle_head_path: Path) -> tuple[dict, pd.DataFrame]:
    raw = read_raw_csv(kaggle_head_path)
    raw.loc[[0, 5], "Trade_Spend"] = ""
    validated = validate_panel(raw, "head.csv")
    cleaned = clean_panel(validated.frame, CleaningSettings())
    return build_dictionary(cleaned.frame, validated.missing_in_file, cleaned.imputed, "head.csv"), cleaned.frame


def test_every_column_in_file_order_with_role_and_unit(fixture_dictionary) -> None:
    dictionary, _ = fixture_dictionary
    assert [c["name"] for c in dictionary["columns"]] == list(schema.ALL_COLUMNS)
    for entry in dictionary["columns"]:
        role, unit = schema.COLUMNS[entry["name"]]
        assert (entry["role"], entry["unit"]) == (role.value, unit)
    assert dictionary["roles"]["media"] == list(Channels.default().columns)
    assert (dictionary["rows"], dictionary["series"], dictionary["weeks"]) == (18, 18, 1)


def test_ranges_and_types(fixture_dictionary) -> None:
    dictionary, frame = fixture_dictionary
    entries = {c["name"]: c for c in dictionary["columns"]}
    assert entries["Date"]["range"] == {"first": "2022-07-04", "last": "2022-07-04"}
    assert entries["Geo"]["range"] == {"distinct": 2, "values": ["CENTRAL", "EAST"]}
    assert entries["Geo"]["type"] == "string"
    assert entries["TPR_Flag"]["type"] == "integer 0/1"
    tv = entries["TV_Impressions"]
    assert tv["type"] == "float"
    assert tv["range"]["min"] == pytest.approx(frame["TV_Impressions"].min(), rel=1e-12)
    assert tv["range"]["max"] == pytest.approx(frame["TV_Impressions"].max(), rel=1e-12)


def test_missing_and_imputed_counts(fixture_dictionary) -> None:
    dictionary, _ = fixture_dictionary
    entries = {c["name"]: c for c in dictionary["columns"]}
    assert (entries["Trade_Spend"]["missing_in_file"], entries["Trade_Spend"]["imputed"]) == (2, 2)
    assert sum(e["missing_in_file"] for e in dictionary["columns"]) == 2


def test_dictionary_is_json_ready(fixture_dictionary) -> None:
    dictionary, _ = fixture_dictionary
    assert json.loads(to_json(dictionary)) == dictionary


def test_long_id_lists_are_cut(fixture_dictionary) -> None:
    _, frame = fixture_dictionary
    many = pd.concat([frame.assign(SKU=f"S{i}") for i in range(MAX_LISTED_VALUES + 5)], ignore_index=True)
    entries = {c["name"]: c for c in build_dictionary(many, {}, {}, "x")["columns"]}
    assert entries["SKU"]["range"]["distinct"] == MAX_LISTED_VALUES + 5
    assert len(entries["SKU"]["range"]["values"]) == MAX_LISTED_VALUES
