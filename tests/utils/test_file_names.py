"""File-name parts made from names in the data."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.simulator.session_export import export_stem
from mmm_analytics.utils.file_names import MAX_NAME_PART_BYTES, file_name_part


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TV", "TV"), ("Tamil Nadu", "Tamil_Nadu"), ("a/b", "a_b"), ("../x", "x"), (".hidden", "hidden"), ("///", "_")],
)
def test_file_name_part(text: str, expected: str) -> None:
    assert file_name_part(text) == expected


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_a_long_name_keeps_file_names_within_the_limit(text: str) -> None:
    """Before, brands of 260 characters made every 'mmm curves' fail ("a name in the path is too long")."""
    part = file_name_part(text)
    assert 0 < len(part.encode()) <= MAX_NAME_PART_BYTES and "/" not in part and not part.startswith(".")
    assert len(f"roi_{part}_{part}_{part}_{part}_9.png".encode()) <= 255


def test_long_names_that_share_a_start_stay_apart() -> None:
    one, two = file_name_part("B" * 300), file_name_part("B" * 299 + "C")
    assert one != two and one.startswith("B" * 30)


def test_an_export_of_a_region_named_at_length_fits_a_file_name() -> None:
    """A region of 300 characters made the interactive menu's every export of it fail ('a name in the path
    is too long for the file system; use a shorter path'), which no shorter folder could fix."""
    stem = export_stem("simulation", "all", "G" * 300, dt.datetime(2025, 1, 31, 14, 25, 1))
    assert len(f"{stem}_999.json".encode()) <= 255
    assert stem.startswith("simulation_all_GGG") and stem.endswith("_20250131-142501")
