"""Data quality: report flattening, per-column counts and outlier counts."""

from __future__ import annotations

import pandas as pd

from mmm_analytics.eda.analyses_quality import data_quality, flatten, per_column
from mmm_analytics.eda.prepare import QualityInputs

REPORT = {
    "rows_in_file": 832,
    "validation_fixes": [{"count": 2, "fatal": False}],
    "imputation": {"method": "linear", "cells": {"Sales_Value": 4, "TDP": 1}},
    "outliers": {"flagged_cells": {"Sales_Units": 3}, "flagged_rows": 3},
}


def test_flatten_yields_numeric_leaves_with_dotted_keys() -> None:
    leaves = dict(flatten(REPORT))
    assert leaves == {
        "rows_in_file": 832.0,
        "validation_fixes[0].count": 2.0,
        "imputation.cells.Sales_Value": 4.0,
        "imputation.cells.TDP": 1.0,
        "outliers.flagged_cells.Sales_Units": 3.0,
        "outliers.flagged_rows": 3.0,
    }


def test_per_column_picks_schema_columns_under_a_key() -> None:
    facts = pd.DataFrame(list(flatten(REPORT)), columns=["item", "value"])
    assert per_column(facts, "imput").to_dict() == {"Sales_Value": 4, "TDP": 1}
    assert per_column(facts, "flag").to_dict() == {"Sales_Units": 3}


def test_quality_counts_flagged_rows_per_geo_and_reads_the_report(panel: pd.DataFrame, make_view) -> None:
    panel.loc[[0, 1, 500], "outlier_flag"] = True
    panel.loc[3, "TDP"] = float("nan")
    result = data_quality(make_view(panel, QualityInputs(report=REPORT)))
    expected = panel[panel["outlier_flag"]].groupby("Geo").size()
    assert result.outliers_by_geo[expected.index].to_dict() == expected.to_dict()
    assert result.n_outliers == 3
    assert result.missing["TDP"] == 1
    assert result.imputed.to_dict() == {"Sales_Value": 4, "TDP": 1}
    assert result.outliers_by_column.to_dict() == {"Sales_Units": 3}
    table = result.tables()["data_quality"].set_index("column")
    assert table.loc["Sales_Value", "imputed_by_cleaning"] == 4
    assert result.notes == ()


def test_outlier_list_columns_are_counted_and_missing_inputs_noted(panel: pd.DataFrame, make_view) -> None:
    listed = pd.DataFrame({"Geo": ["EAST", "EAST"], "column": ["Sales_Value", "Sales_Units"]})
    result = data_quality(make_view(panel.drop(columns="outlier_flag"), QualityInputs(outliers=listed)))
    assert result.outliers_by_geo.to_dict() == {"CENTRAL": 0, "EAST": 2}
    assert result.outliers_by_column.to_dict() == {"Sales_Units": 1, "Sales_Value": 1}
    assert any("no cleaning report" in note for note in result.notes)
