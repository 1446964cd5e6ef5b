"""Media figures: their cell labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_analytics.eda.figures_media import _two_decimals


def test_heatmap_cells_never_read_minus_zero() -> None:
    """A correlation of -0.001 read "-0.00" in the cross-correlation heatmap."""
    labels = _two_decimals(pd.DataFrame([[-0.001, 0.456], [np.nan, -0.2]]))
    assert labels.tolist() == [["0.00", "0.46"], ["n/a", "-0.20"]]
