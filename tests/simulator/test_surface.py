"""The jit-compiled surface equals the shared response; its gradient and curvature are exact."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.response.steady_state import steady_state_response
from mmm_analytics.simulator.surface import DrawSet, ResponseSurface

from .hand_built import build_params, per_cell, reference_response, replace_params


def reference_draw_response(params, spend: np.ndarray) -> np.ndarray:
    """The NumPy reference for every draw, (D, S, C)."""
    return steady_state_response(
        spend[None],
        params.coefficient_draws,
        params.exposure_scale[None],
        params.cpm,
        params.carry_sum_draws,
        per_cell(params.half_saturation_draws, params),
        params.series_slope_draws,
        params.saturation,
    )


@pytest.fixture(scope="module", params=["hill", "sigmoid"])
def params(request: pytest.FixtureRequest):
    return build_params(saturation=request.param)


def test_cells_equal_point_response(params) -> None:
    surface = ResponseSurface.from_params(params)
    spend = params.spend.mean(axis=1) * 1.3
    got = surface.cells(np.arange(len(params.series_brand))).response(spend)
    np.testing.assert_allclose(got, reference_response(params, spend), rtol=1e-6)


def test_gradient_matches_central_difference(params) -> None:
    cells = ResponseSurface.from_params(params).cells(np.array([1, 2]))
    spend = params.spend.mean(axis=1)[[1, 2]]
    _, grad = cells.value_and_grad(spend)
    step = 1e-4 * spend
    numeric = (cells.response(spend + step) - cells.response(spend - step)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6)


def test_curvature_matches_difference_of_gradient(params) -> None:
    cells = ResponseSurface.from_params(params).cells(np.array([0]))
    spend = params.spend.mean(axis=1)[[0]]
    step = 1e-4 * spend
    numeric = (cells.value_and_grad(spend + step)[1] - cells.value_and_grad(spend - step)[1]) / (2 * step)
    np.testing.assert_allclose(cells.curvature(spend), numeric, rtol=1e-5)


def test_draws_equal_shared_draw_response(params) -> None:
    spend = params.spend.mean(axis=1)
    rows = np.arange(len(params.series_brand))
    np.testing.assert_allclose(
        DrawSet.build(params, rows).response(spend), reference_draw_response(params, spend), rtol=1e-6
    )


def test_concavity_flag() -> None:
    assert ResponseSurface.from_params(build_params(saturation="sigmoid")).is_concave
    assert not ResponseSurface.from_params(build_params(saturation="hill")).is_concave


def test_numpy_reference_equals_jax_response(params) -> None:
    cells = ResponseSurface.from_params(params).cells(np.array([0, 3]))
    spend = params.spend.mean(axis=1)[[0, 3]] * np.linspace(0.0, 3.0, 7)[:, None, None]
    np.testing.assert_allclose(cells.reference_response(spend), cells.response(spend), rtol=1e-9, atol=1e-9)


def _on_own_curves(params, spread: float = 0.0):
    """``params`` with every segment on its own curve: shifts, coefficient factors and a spread."""
    rng = np.random.default_rng(7)
    shape = params.coefficient.shape
    return replace_params(
        params,
        segment_half_saturation_shift=0.3 * rng.normal(size=shape),
        segment_slope_shift=0.2 * rng.normal(size=shape),
        segment_coefficient_factor=np.exp(0.1 * rng.normal(size=shape)),
        segment_half_saturation_spread=np.full(shape, spread),
        segment_slope_spread=np.full(shape, spread),
    )


def test_the_point_surface_puts_each_segment_on_its_own_curve(params) -> None:
    own = _on_own_curves(params)
    moved = replace_params(
        params,
        half_saturation=params.half_saturation * np.exp(own.segment_half_saturation_shift),
        coefficient=params.coefficient * own.segment_coefficient_factor,
    )
    spend = params.spend.mean(axis=1) * 1.2
    rows = np.arange(len(params.series_brand))
    got = ResponseSurface.from_params(own).cells(rows).response(spend)
    slope = params.series_slope * np.exp(own.segment_slope_shift)
    expected = steady_state_response(
        spend,
        moved.coefficient,
        moved.exposure_scale,
        moved.cpm,
        moved.carry_sum,
        moved.half_saturation,
        slope,
        moved.saturation,
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    fitted = ResponseSurface.from_params(own, segment_curves=False).cells(rows).response(spend)
    np.testing.assert_allclose(fitted, reference_response(params, spend), rtol=1e-6)


def test_draws_without_a_spread_sit_on_the_segment_curve_and_with_one_spread_around_it(params) -> None:
    rows = np.arange(len(params.series_brand))
    tight, wide = _on_own_curves(params), _on_own_curves(params, spread=0.4)
    half = {name: np.asarray(DrawSet.build(p, rows).arrays[4]) for name, p in (("tight", tight), ("wide", wide))}
    expected = per_cell(params.half_saturation_draws, params) * np.exp(tight.segment_half_saturation_shift)
    np.testing.assert_allclose(half["tight"], expected, rtol=1e-12)
    # 8 draws x S x C normals: the log ratio's spread is 0.4 (within 0.1 over these few draws).
    assert np.std(np.log(half["wide"] / half["tight"])) == pytest.approx(0.4, abs=0.1)
    assert not np.allclose(
        DrawSet.build(wide, rows).response(params.spend.mean(axis=1)),
        DrawSet.build(wide, rows, segment_curves=False).response(params.spend.mean(axis=1)),
    )


def test_a_segments_draws_do_not_depend_on_which_others_are_selected(params) -> None:
    wide = _on_own_curves(params, spread=0.4)
    every = DrawSet.build(wide, np.arange(len(params.series_brand)))
    alone = DrawSet.build(wide, np.array([2]))
    for position in (0, 4, 5):
        np.testing.assert_array_equal(
            np.asarray(alone.arrays[position])[:, 0], np.asarray(every.arrays[position])[:, 2]
        )


def test_a_model_on_the_fitted_curves_is_untouched(params) -> None:
    """Segments that do not differ (the arrays' defaults): the very same arrays, bit for bit."""
    rows = np.arange(len(params.series_brand))
    on, off = DrawSet.build(params, rows), DrawSet.build(params, rows, segment_curves=False)
    for a, b in zip(on.arrays, off.arrays, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
