"""The selected brand x region segments the optimiser works on (shared by the optimiser and its advice)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_analytics.simulator.bounds import SpendRange
from mmm_analytics.simulator.surface import CellSet, DrawSet, SpendMatrix


@dataclass(frozen=True, slots=True)
class Selection:
    """What the optimiser needs to know about the selected brand x region segments.

    Attributes
    ----------
    brand, region : str
        Labels of the selection (a name or ``"all"``), copied into the result.
    channels : tuple of str, length C
    segments : tuple of (brand, region), length K
        The segment of each row of ``current`` and ``cells``.
    current : ndarray of shape (K, C)
        Today's average weekly spend per segment and channel (INR).
    cells : CellSet
        The steady-state response of those K x C cells at the point estimate.
    concave : bool
        Whether every response curve is concave (one start is then enough).
    draws : DrawSet, optional
        The same cells for every posterior draw; needed by the expected objective and the
        uplift interval (without, both fall back to the point estimate).
    spend_range : SpendRange, optional
        Bounds on each cell's weekly spend from the data (None: not applied).
    correlation : ndarray of shape (C, C), optional
        How the channels' weekly spends moved together in the data, within a segment, averaged over
        the segments (:func:`~mmm_analytics.simulator.advice.spend_correlation`).
    """

    brand: str
    region: str
    channels: tuple[str, ...]
    segments: tuple[tuple[str, str], ...]
    current: SpendMatrix
    cells: CellSet
    concave: bool
    draws: DrawSet | None = None
    spend_range: SpendRange | None = None
    correlation: np.ndarray | None = None
