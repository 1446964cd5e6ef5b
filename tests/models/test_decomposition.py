"""Counterfactual decomposition of a trained model (``trained_model_dir`` from conftest.py).

Tolerances: the parts add up to the prediction within 1e-6 of the largest weekly
prediction (the model runs in float64, so the actual error is about 1e-12).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from mmm_analytics.data import schema
from mmm_analytics.errors import InputError
from mmm_analytics.models.decomposition import (
    average_decompositions,
    channel_contributions,
    counterfactuals,
    decompose,
    decomposition_frame,
    promotion_controls,
)
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.response.steady_state import historical_contribution

RTOL = 1e-6


@pytest.fixture(scope="module")
def parts(fitted):
    model, panel, _ = fitted
    return decompose(model, panel)


def _close(actual, expected, scale):
    np.testing.assert_allclose(actual, expected, rtol=0.0, atol=RTOL * float(np.abs(scale).max()))


def test_parts_add_up_to_the_prediction(parts):
    _close(sum(parts.parts().values()), parts.predicted, parts.predicted)
    assert list(parts.parts())[:3] == ["base", "price", "promotions"]


def test_channels_add_up_to_prediction_minus_no_media(fitted, parts):
    _, _, params = fitted
    # baseline_sales was computed by export.predictions with every channel at 0
    _close(parts.media.sum(axis=-1), parts.predicted - params.baseline_sales, parts.predicted)
    _close(parts.predicted, params.predicted_sales, parts.predicted)


def test_channel_counterfactuals_equal_the_models_media_output(fitted, parts):
    model, panel, _ = fitted
    media = keras.ops.convert_to_numpy(model(model_inputs(panel).x)["media"]) * model.sales_scale
    _close(parts.media, media, parts.predicted)


def test_contributions_match_the_response_params(fitted, parts):
    _, panel, params = fitted
    table = channel_contributions(parts, panel)
    assert list(table.columns) == ["channel", "spend", "contribution", "roi"]
    assert table["channel"].tolist() == list(panel.channels)
    np.testing.assert_allclose(table["contribution"], historical_contribution(params).sum(axis=(0, 1)), rtol=RTOL)
    np.testing.assert_allclose(table["spend"], (panel.exposure * panel.cpm / 1000.0).sum(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(table["roi"], table["contribution"] / table["spend"], rtol=1e-12)


def test_two_fits_averaged_part_by_part_still_add_up_to_their_averaged_prediction(parts):
    """The chosen and the pooled form's fits weighed equally: every part is the mean of the two
    (tolerance 1e-12), and the parts add up to the averaged prediction; one fit is itself."""
    other = dataclasses.replace(
        parts,
        predicted=parts.predicted + 3.0 * parts.media.sum(axis=-1),
        media=4.0 * parts.media,
        base=parts.base - 1.0,
        price=parts.price + 1.0,
    )
    mean = average_decompositions([parts, other])
    _close(sum(mean.parts().values()), mean.predicted, mean.predicted)
    np.testing.assert_allclose(mean.media, 2.5 * parts.media, rtol=1e-12)
    np.testing.assert_allclose(mean.predicted, (parts.predicted + other.predicted) / 2, rtol=1e-12)
    np.testing.assert_allclose(mean.base, parts.base - 0.5, rtol=1e-12)
    assert average_decompositions([parts]) is parts


def test_promotion_controls_are_the_flag_columns(fitted):
    _, panel, _ = fitted
    assert promotion_controls(panel.control_names) == schema.FLAG_COLUMNS
    assert promotion_controls(("trend", "TPR_Flag", "CPI")) == ("TPR_Flag",)


def test_named_promotions_replace_the_default(fitted):
    _, panel, _ = fitted
    explicit = counterfactuals(panel, schema.FLAG_COLUMNS)["base"]["controls"]
    np.testing.assert_array_equal(explicit, counterfactuals(panel)["base"]["controls"])
    none = counterfactuals(panel, ())["base"]["controls"]
    np.testing.assert_array_equal(none, counterfactuals(panel)["predicted"]["controls"])


def test_base_inputs_zero_media_price_at_reference_and_no_promotions(fitted):
    _, panel, _ = fitted
    base = counterfactuals(panel)["base"]
    raw = panel.controls.copy()
    flags = [panel.control_names.index(name) for name in schema.FLAG_COLUMNS]
    raw[..., flags] = 0.0
    assert not base["media"].any()
    assert (base["relative_price"] == 1.0).all()
    np.testing.assert_allclose(base["controls"], panel.scalers.scale_controls(raw), rtol=1e-6, atol=1e-6)
    assert panel.controls[..., flags].any(), "the test panel runs promotions"


def test_no_promotions_and_reference_price_leave_those_parts_at_zero(fitted):
    model, panel, _ = fitted
    flags = [panel.control_names.index(name) for name in schema.FLAG_COLUMNS]
    controls = panel.controls.copy()
    controls[..., flags] = 0.0
    plain = dataclasses.replace(panel, controls=controls, relative_price=np.ones_like(panel.relative_price))
    result = decompose(model, plain)
    assert np.abs(result.price).max() == 0.0
    assert np.abs(result.promotions).max() == 0.0


def test_a_channel_without_exposure_contributes_nothing_and_leaves_the_others(fitted, parts):
    model, panel, _ = fitted
    exposure = panel.exposure.copy()
    exposure[..., 0] = 0.0
    result = decompose(model, dataclasses.replace(panel, exposure=exposure))
    assert np.abs(result.media[..., 0]).max() <= 1e-9 * np.abs(result.predicted).max()
    _close(result.media[..., 1:], parts.media[..., 1:], parts.predicted)
    assert np.abs(parts.media[..., 0]).max() > 1e-3 * np.abs(parts.predicted).max()


def test_frame_has_one_row_per_series_and_week(fitted, parts):
    _, panel, _ = fitted
    frame = decomposition_frame(parts, panel)
    n_series, n_weeks = panel.sales.shape
    assert list(frame.columns) == [
        "date",
        "brand",
        "region",
        "actual",
        "predicted",
        "base",
        "price",
        "promotions",
        *panel.channels,
    ]
    assert len(frame) == n_series * n_weeks
    row = frame.iloc[n_weeks + 2]  # second series, third week
    assert (row["brand"], row["region"]) == (panel.brand[1], panel.geo[1])
    assert row["date"] == panel.dates[2].strftime("%Y-%m-%d")
    assert row["actual"] == panel.sales[1, 2] and row[panel.channels[0]] == parts.media[1, 2, 0]


def test_reserved_channel_names_are_refused(fitted):
    model, panel, _ = fitted
    renamed = dataclasses.replace(panel, channels=("price", *panel.channels[1:]))
    with pytest.raises(InputError, match="data_config.yaml channels.*price"):
        decompose(model, renamed)
