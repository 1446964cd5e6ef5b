"""Curve evaluation: per-draw bands computed a block of series at a time equal one pass over all."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_analytics.config.model import CurveSettings
from mmm_analytics.curves import evaluation
from mmm_analytics.curves.extraction import extract_curves
from mmm_analytics.response.artifacts import ResponseParams

from .hand_model import build_params

BANDS = ("response_lower", "response_upper", "mroi_lower", "mroi_upper", "roi_lower", "roi_upper")


@pytest.mark.parametrize("block_values", [1, 500], ids=["one-series-per-block", "uneven-blocks"])
def test_bands_by_blocks_of_series_equal_one_block(
    params: ResponseParams, monkeypatch: pytest.MonkeyPatch, block_values: int
) -> None:
    settings = CurveSettings(points=5)
    whole = extract_curves(params, settings, 0.9)
    monkeypatch.setattr(evaluation, "DRAW_BLOCK_VALUES", block_values)
    blocks = extract_curves(params, settings, 0.9)
    for name in BANDS:
        np.testing.assert_allclose(getattr(blocks, name), getattr(whole, name), rtol=1e-12, atol=0.0, err_msg=name)


def test_national_mroi_is_the_spend_weighted_mean() -> None:
    values = np.array([[[2.0]], [[4.0]], [[np.nan]]])  # (S=3, P=1, C=1); the unused series has NaN
    average = np.array([[1.0], [3.0], [0.0]])
    np.testing.assert_allclose(evaluation.spend_weighted(values, average, axis=0), [[3.5]], rtol=1e-12)


def test_curves_of_merged_markets_are_each_markets_own() -> None:
    """Per series, the curves of a model fitted per market use that market's carryover and slope."""
    from tests.response.test_artifacts import merged_markets

    merged, parts = merged_markets()
    spend = np.linspace(0.0, 5_000.0, 7)[None, :, None] * np.ones((5, 1, 3))
    response, mroi = evaluation.evaluate(merged, spend)
    draws, draw_mroi = evaluation.evaluate(merged, spend, draws=True)
    for _, rows, part in parts:
        own, own_mroi = evaluation.evaluate(part, spend[rows])
        np.testing.assert_array_equal(response[rows], own)
        np.testing.assert_array_equal(mroi[rows], own_mroi)
        np.testing.assert_array_equal(draws[:, rows], evaluation.evaluate(part, spend[rows], draws=True)[0])
    # The carryover curves summarise the markets weighted by their series.
    from mmm_analytics.curves.carryover import carryover_curves

    for index, curve in enumerate(carryover_curves(merged, 0.9)):
        np.testing.assert_allclose(curve.weights, merged.typical_lag_weights[:, index], rtol=1e-12)


def test_bands_with_a_pooled_form_are_the_quantiles_of_both_forms_draws(params: ResponseParams) -> None:
    """The draws of a pooled form (another saturation family of the same series) join the chosen
    form's: each band is the equal-tailed quantile of the concatenated draws (tolerance 1e-12)."""

    logistic = build_params(saturation="logistic")
    average = params.spend.mean(axis=1)
    spend = np.array([0.5, 1.0, 2.0])[None, :, None] * average[:, None, :]
    response_band, mroi_band = evaluation.draw_bands(params, spend, average, 0.9, (logistic,))
    own_response, own_mroi = evaluation.evaluate(params, spend, draws=True)
    other_response, other_mroi = evaluation.evaluate(logistic, spend, draws=True)
    both = np.concatenate([own_response, other_response])
    expected = np.quantile(both, [0.05, 0.95], axis=0)
    np.testing.assert_allclose(response_band[:, :-1], expected, rtol=1e-12)
    national = np.quantile(both.sum(axis=1), [0.05, 0.95], axis=0)
    np.testing.assert_allclose(response_band[:, -1], national, rtol=1e-12)
    np.testing.assert_allclose(
        mroi_band[:, :-1], np.quantile(np.concatenate([own_mroi, other_mroi]), [0.05, 0.95], axis=0), rtol=1e-12
    )
    alone, _ = evaluation.draw_bands(params, spend, average, 0.9)
    assert not np.allclose(alone, response_band)
