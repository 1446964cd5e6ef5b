"""Markdown tables."""

import pandas as pd

from mmm_analytics.utils.markdown import markdown_table


def test_markdown_table_formats_numbers_and_alignment() -> None:
    frame = pd.DataFrame({"name": ["a", "b"], "value": [1.23456, float("nan")], "count": [3, 4]})
    lines = markdown_table(frame, digits=2).splitlines()
    assert lines[0] == "| name | value | count |"
    assert lines[1] == "|---|---:|---:|"
    assert lines[2] == "| a | 1.23 | 3 |"
    assert lines[3] == "| b |  | 4 |"
