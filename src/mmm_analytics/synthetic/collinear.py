"""Pin the correlation of two channels' weekly exposure within every series (the collinear world).

The second channel is rebuilt as ``first + k * partner`` where ``partner`` is an independent
burst plan of the same kind, rescaled to the first channel's sd; ``k`` is solved so that the
sample correlation over the weeks is exactly the target. Both parts are >= 0, so the rebuilt
exposure is too; it keeps the second channel's mean weekly exposure of each series.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mmm_analytics.synthetic import signals
from mmm_analytics.synthetic.world import WorldSettings

type Array = npt.NDArray[np.float64]

#: Share of a burst's weight the partner plan keeps between bursts (digital stays on).
PARTNER_FLOOR = 0.1
#: Partner plans drawn before giving up (one is almost always enough).
MAX_TRIES = 20


def mixing_weight(correlation: float, target: float) -> float | None:
    """Weight k of a partner with sd equal to the first series' so that corr(x, x + k y) = ``target``.

    ``correlation`` is corr(x, y). Solves (1 + k r)^2 = t^2 (1 + k^2 + 2 k r) for its positive
    root; None when no positive root gives the target (|r| >= t, or 1 + k r <= 0).
    """
    r, t = float(correlation), float(target)
    gap = t * t - r * r
    if gap <= 0.0:
        return None
    rest = 1.0 - t * t
    k = (r * rest + np.sqrt(r * r * rest * rest + gap * rest)) / gap
    return float(k) if 1.0 + k * r > 0.0 else None


def correlated_partner(first: Array, target: float, ws: WorldSettings, rng: np.random.Generator) -> Array:
    """A series >= 0 whose sample correlation with ``first`` (n_weeks,) is ``target``, mean 1.

    Raises
    ------
    ValueError
        When ``first`` is constant or no partner plan reaches the target.
    """
    spread = float(first.std())
    if spread <= 0.0:
        raise ValueError("the first channel's exposure is constant; its correlation is undefined")
    for _ in range(MAX_TRIES):
        plan = signals.flighting(len(first), ws.burst_weeks, ws.gap_weeks, PARTNER_FLOOR, rng)
        partner = plan * np.exp(rng.normal(0.0, 0.12, len(first)))
        partner = partner * spread / partner.std()
        k = mixing_weight(float(np.corrcoef(first, partner)[0, 1]), target)
        if k is not None:
            mixed = first + k * partner
            return mixed / mixed.mean()
    raise ValueError(f"no partner plan reached a correlation of {target} in {MAX_TRIES} tries")


def pin_correlation(
    exposure: Array, first: int, second: int, target: float, ws: WorldSettings, rng: np.random.Generator
) -> Array:
    """Exposure with channel ``second`` rebuilt to correlate ``target`` with channel ``first``.

    Parameters
    ----------
    exposure : ndarray of shape (n_geos, n_brands, n_weeks, n_channels)
        Weekly exposure (impressions), >= 0.
    first, second : int
        Channel indices (YouTube, Instagram).
    target : float in (0, 1)
        Correlation of the two channels' weekly exposure within every geo x brand series.

    Returns
    -------
    ndarray of the same shape; channel ``second`` keeps each series' mean weekly exposure.
    """
    out = exposure.copy()
    n_geos, n_brands = exposure.shape[:2]
    for g in range(n_geos):
        for b in range(n_brands):
            shape = correlated_partner(exposure[g, b, :, first], target, ws, rng)
            out[g, b, :, second] = shape * exposure[g, b, :, second].mean()
    return out
