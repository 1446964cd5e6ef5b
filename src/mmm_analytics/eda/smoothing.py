"""Scatter data for plots: a fixed-seed sample of points, the correlation and a LOWESS curve."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.nonparametric.smoothers_lowess import lowess

from mmm_analytics.eda import defaults

#: Points of the LOWESS curve kept for drawing.
CURVE_POINTS = 120


@dataclass(frozen=True, slots=True)
class Scatter:
    """Paired values for a scatter plot.

    Attributes
    ----------
    points : DataFrame with columns x, y (and optional hue), at most MAX_SCATTER_POINTS rows
        A fixed-seed sample of the complete pairs.
    curve : DataFrame with columns x, y
        LOWESS fit over all complete pairs, sorted by x (empty when x does not vary).
    correlation : float
        Pearson correlation over all complete pairs (NaN when either side is constant).
    n : int
        Number of complete pairs.
    """

    points: pd.DataFrame
    curve: pd.DataFrame
    correlation: float
    n: int


def scatter(x: pd.Series, y: pd.Series, hue: pd.Series | None = None) -> Scatter:
    """Sample, correlate and smooth ``y`` against ``x`` (rows with a missing value are dropped)."""
    frame = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy()})
    if hue is not None:
        frame["hue"] = hue.to_numpy()
    frame = frame.dropna(subset=["x", "y"])
    if frame.empty:
        return Scatter(frame, pd.DataFrame({"x": [], "y": []}), float("nan"), 0)
    span = float(frame["x"].max() - frame["x"].min())
    curve = pd.DataFrame({"x": [], "y": []})
    if span > 0 and len(frame) > 10:
        fitted = lowess(frame["y"], frame["x"], frac=defaults.LOWESS_FRACTION, it=1, delta=0.01 * span)
        step = max(1, len(fitted) // CURVE_POINTS)
        curve = pd.DataFrame(fitted[::step], columns=["x", "y"])
    correlation = float(frame["x"].corr(frame["y"])) if span > 0 and frame["y"].std() > 0 else float("nan")
    sample = frame
    if len(frame) > defaults.MAX_SCATTER_POINTS:
        sample = frame.sample(defaults.MAX_SCATTER_POINTS, random_state=np.random.default_rng(defaults.SAMPLE_SEED))
    return Scatter(sample.reset_index(drop=True), curve, correlation, len(frame))
