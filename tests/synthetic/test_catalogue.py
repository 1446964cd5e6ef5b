"""Geo and brand names and brand traits of panels of any size: the published ones first."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.synthetic import catalogue, world


@pytest.mark.parametrize(
    ("n_geos", "last"),
    [
        pytest.param(1, "CENTRAL", id="one"),
        pytest.param(8, "SOUTHWEST", id="published"),
        (9, "GEO009"),
        (200, "GEO200"),
    ],
)
def test_geo_names_extend_the_published_ones(n_geos: int, last: str) -> None:
    names = catalogue.geo_names(n_geos)
    assert len(names) == len(set(names)) == n_geos
    assert names[: min(n_geos, 8)] == world.GEOS[:n_geos]
    assert names[-1] == last


@pytest.mark.parametrize(
    ("n_brands", "last"),
    [(1, "BrandA"), (3, "BrandC"), (4, "BrandD"), (26, "BrandZ"), (27, "BrandAA"), (53, "BrandBA"), (703, "BrandAAA")],
)
def test_brand_names_count_like_spreadsheet_columns(n_brands: int, last: str) -> None:
    names = catalogue.brand_names(n_brands)
    assert len(set(names)) == n_brands and names[-1] == last
    assert names[:3] == world.BRANDS[:n_brands]


def test_published_brands_keep_their_traits_and_others_are_drawn_in_range() -> None:
    traits = catalogue.brand_traits(20, seed=42)
    assert traits.size[:3].tolist() == [world.BRAND_SIZE[b] for b in world.BRANDS]
    assert traits.elasticity[:3].tolist() == [world.ELASTICITY[b] for b in world.BRANDS]
    assert traits.price[:3].tolist() == [world.BRAND_PRICE[b] for b in world.BRANDS]
    for values, (low, high) in (
        (traits.size[3:], catalogue.GENERATED_SIZE),
        (traits.elasticity[3:], catalogue.GENERATED_ELASTICITY),
        (traits.price[3:], catalogue.GENERATED_PRICE),
    ):
        assert np.all((values >= low) & (values <= high))
        assert len(np.unique(values)) == 17


def test_a_brands_traits_do_not_depend_on_the_panel_size() -> None:
    small, large = catalogue.brand_traits(5, seed=3), catalogue.brand_traits(12, seed=3)
    np.testing.assert_array_equal(small.price, large.price[:5])
    np.testing.assert_array_equal(small.elasticity, large.elasticity[:5])
    assert not np.array_equal(small.price, catalogue.brand_traits(5, seed=4).price)
