"""The fast panel CSV writer writes exactly what ``DataFrame.to_csv(index=False)`` writes."""

from __future__ import annotations

from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.synthetic import generate_panel
from mmm_analytics.synthetic.panel_csv import float_text, write_panel_csv

EDGES = np.array(
    [0.0, -0.0, 5.0, -5.0, 0.1, 1e-4, 9.999999999999999e-05, 1.5e-07, 1e15, 1e16, 9999999999999998.0, 1e22,
     123456789012345.6, 5e-324, 1e300, np.inf, -np.inf, np.nan]
)  # fmt: skip


def _pandas_cells(values: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else repr(float(v)) for v in values]


def test_edge_floats_are_written_as_python_writes_them() -> None:
    assert float_text(EDGES).to_pylist() == _pandas_cells(EDGES)


@given(hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_any_float_is_written_as_python_writes_it(values: np.ndarray) -> None:
    assert float_text(values).to_pylist() == _pandas_cells(values)


@given(st.lists(st.floats(min_value=1e-6, max_value=1e17), min_size=1, max_size=40))
def test_floats_near_the_layout_switches_are_written_as_python_writes_them(values: list[float]) -> None:
    array = np.array(values)
    assert float_text(array).to_pylist() == _pandas_cells(array)


def test_a_panel_file_is_byte_for_byte_pandas(tmp_path: Path) -> None:
    frame = generate_panel(SyntheticSettings(seed=2, n_geos=3, n_brands=4, n_skus=2, n_weeks=40)).frame
    frame = frame.assign(Trade_Spend=frame["Trade_Spend"].where(frame.index % 7 != 0))  # some empty cells
    path = write_panel_csv(tmp_path / "panel.csv", frame)
    assert path.read_bytes() == frame.to_csv(index=False).encode()
