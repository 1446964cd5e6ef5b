"""The jit-compiled surface equals the shared response; its gradient and curvature are exact."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.response.steady_state import steady_state_response
from mmm_analytics.simulator.surface import DrawSet, ResponseSurface

from .hand_built import build_params, per_cell, reference_response


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
