"""Names and traits of the geos and brands of a synthetic panel of any size.

The first geos and brands are the published file's (:data:`~mmm_analytics.synthetic.world.GEOS`,
:data:`~mmm_analytics.synthetic.world.BRANDS`) with their fixed traits; later ones get generated
names (``GEO009``, ``BrandD``, ..., ``BrandZ``, ``BrandAA``) and traits drawn from a stream of
their own, keyed by the seed and the brand's position, so a brand's traits do not depend on how
many brands the panel has and the main stream of draws is untouched.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from mmm_analytics.synthetic import world

#: Stream key of the generated brands' traits (any constant apart from the main stream).
BRAND_TRAIT_STREAM = 7_301
#: Ranges of a generated brand's traits: size multiplier, value price elasticity, list price (INR).
GENERATED_SIZE = (0.7, 1.2)
GENERATED_ELASTICITY = (0.7, 1.5)
GENERATED_PRICE = (50.0, 110.0)


@dataclass(frozen=True, slots=True)
class BrandTraits:
    """Per-brand traits, each of shape (n_brands,).

    ``size`` scales sales level and exposure; ``elasticity`` is the value price elasticity;
    ``price`` the average list price (MRP, INR) of the brand's SKUs.
    """

    names: tuple[str, ...]
    size: np.ndarray
    elasticity: np.ndarray
    price: np.ndarray


def geo_names(n_geos: int) -> tuple[str, ...]:
    """The published geos first, then ``GEO009``, ``GEO010``, ... (1-based, three digits or more)."""
    known = world.GEOS[:n_geos]
    return known + tuple(f"GEO{k:03d}" for k in range(len(known) + 1, n_geos + 1))


def _letters(index: int) -> str:
    """Spreadsheet column letters of a 0-based index: A, ..., Z, AA, AB, ..."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def brand_names(n_brands: int) -> tuple[str, ...]:
    """``BrandA``, ``BrandB``, ... ``BrandZ``, ``BrandAA``, ...; the first three are the published ones."""
    return tuple(f"Brand{_letters(k)}" for k in range(n_brands))


def brand_traits(n_brands: int, seed: int) -> BrandTraits:
    """Traits of the first ``n_brands`` brands: fixed for the published ones, drawn for the others."""
    names = brand_names(n_brands)
    size, elasticity, price = [], [], []
    for k, name in enumerate(names):
        if name in world.BRAND_SIZE:
            size.append(world.BRAND_SIZE[name])
            elasticity.append(world.ELASTICITY[name])
            price.append(world.BRAND_PRICE[name])
            continue
        rng = np.random.default_rng([seed, BRAND_TRAIT_STREAM, k])
        size.append(float(rng.uniform(*GENERATED_SIZE)))
        elasticity.append(float(rng.uniform(*GENERATED_ELASTICITY)))
        price.append(float(rng.uniform(*GENERATED_PRICE)))
    return BrandTraits(names, np.array(size), np.array(elasticity), np.array(price))
