"""MarketingMixModel: forward pass, priors, gradients and config round trip."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

from mmm_analytics.models.export import draw_arrays
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import current_theta
from mmm_analytics.models.training import build_model
from mmm_analytics.response import carryover, saturation
from mmm_analytics.response.carryover import CARRYOVER_FORMS
from mmm_analytics.response.saturation import SATURATION_FORMS
from mmm_analytics.synthetic.truth import MediaTruth
from tests.models.conftest import fast_config, to_feature_panel


@pytest.fixture(scope="module")
def built(noiseless_panel):
    config = fast_config()
    panel = to_feature_panel(noiseless_panel, config)
    return build_model(panel, config.model), model_inputs(panel), panel


def test_outputs_have_panel_shapes_and_media_adds_up(built) -> None:
    model, inputs, panel = built
    out = model(inputs.x)
    n_series, n_weeks = panel.sales.shape
    assert tuple(out["sales"].shape) == (n_series, n_weeks)
    assert tuple(out["media"].shape) == (n_series, n_weeks, len(panel.channels))
    no_media = model(dict(inputs.x) | {"media": np.zeros_like(inputs.x["media"])})
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(out["sales"] - no_media["sales"]),
        keras.ops.convert_to_numpy(keras.ops.sum(out["media"], axis=-1)),
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(no_media["media"]), 0.0, atol=1e-9)


def test_gradients_reach_every_trainable_weight(built) -> None:
    model, inputs, _ = built
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss(weights):
        y_pred, _ = model.stateless_call(weights, non_trainable, inputs.x)
        with keras.StatelessScope(state_mapping=list(zip(model.trainable_variables, weights))):
            return model.negative_log_posterior(jnp.asarray(inputs.y) * 1.1, y_pred, inputs.train_mask, 0.05)

    grads = jax.grad(loss)(trainable)
    for variable, grad in zip(model.trainable_variables, grads):
        assert np.abs(np.asarray(grad)).max() > 0, variable.path


def test_holdout_weeks_do_not_enter_the_training_loss(built) -> None:
    model, inputs, _ = built
    y_pred = model(inputs.x)
    changed = inputs.y.copy()
    changed[inputs.holdout_mask.astype(bool)] += 10.0
    before = model.compute_loss(inputs.x, inputs.y, y_pred, inputs.train_mask)
    after = model.compute_loss(inputs.x, changed, y_pred, inputs.train_mask)
    assert float(before) == pytest.approx(float(after), rel=1e-12)


def test_prior_penalty_is_half_the_sum_of_squared_z_scores(built) -> None:
    model, inputs, _ = built
    media = model(inputs.x)["media"]
    z = keras.ops.convert_to_numpy(model.prior_residuals(media))
    assert float(model.prior_penalty(media)) == pytest.approx(0.5 * float((z**2).sum()), rel=1e-12)


def test_roi_prior_pulls_towards_its_mean(built) -> None:
    model, inputs, _ = built
    media = model(inputs.x)["media"]
    base = float(model.prior_penalty(media))
    assert float(model.prior_penalty(media * 50.0)) > base  # implied ROIs far above the prior mean


def test_get_config_round_trip(built) -> None:
    model, inputs, _ = built
    clone = MarketingMixModel.from_config(model.get_config())
    clone(inputs.x)
    assert clone.get_config() == model.get_config()
    assert len(clone.trainable_variables) == len(model.trainable_variables)


@pytest.mark.parametrize("family", list(CARRYOVER_FORMS))
def test_every_carryover_family_reaches_model_export_and_truth(family, noiseless_panel) -> None:
    """A family registered in the response core works in the model, its export and the synthetic truth."""
    config = fast_config()
    config = dataclasses.replace(config, model=config.model.model_copy(update={"carryover": family}))
    panel = to_feature_panel(noiseless_panel, config)
    model = build_model(panel, config.model)
    inputs = model_inputs(panel)
    assert model.adstock.family == family
    params = {name: np.asarray(value) for name, value in model.adstock.params().items()}
    reference = carryover.lag_weights(family, params, config.model.max_lag)
    lag_weights, half_saturation, slope, coefficient, _scaling = (
        a[0] for a in draw_arrays(model, inputs, current_theta(model)[None, :])
    )
    np.testing.assert_allclose(lag_weights, reference, rtol=1e-12)
    carried = carryover.apply_carryover(inputs.x["media"], reference)
    expected = coefficient[:, None, :] * saturation.saturate(
        carried, config.model.saturation_family(), half_saturation[:, None, :], slope
    )
    got = keras.ops.convert_to_numpy(model(inputs.x)["media"]) * model.sales_scale
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    n_channels = len(panel.channels)
    truth = MediaTruth(
        tuple(panel.channels),
        family,
        "hill",
        {k: np.resize(v, n_channels) for k, v in params.items()} | {"slope": np.ones(n_channels)},
        np.ones(n_channels),
        np.ones(n_channels),
        np.ones((1, 1, n_channels)),
        np.ones((1, 1, n_channels)),
    )
    np.testing.assert_allclose(truth.lag_weights(), reference, rtol=1e-12)
    restored = MarketingMixModel.from_config(model.get_config())
    assert restored.carryover == family


@pytest.mark.parametrize("family", list(SATURATION_FORMS))
@pytest.mark.parametrize("scaling", list(saturation.SaturationScaling))
def test_every_saturation_family_and_size_scaling_reaches_model_and_export(family, scaling, noiseless_panel) -> None:
    """The model's media contribution equals the response core's, series by series, for every
    saturation family and scaling, and the export gives the same per-series half-saturation."""
    config = fast_config()
    update = {"saturation": family, "saturation_scaling": scaling}
    config = dataclasses.replace(config, model=config.model.model_copy(update=update))
    panel = to_feature_panel(noiseless_panel, config)
    model = build_model(panel, config.model)
    inputs = model_inputs(panel)
    lag_weights, half_saturation, slope, coefficient, scaling_value = (
        a[0] for a in draw_arrays(model, inputs, current_theta(model)[None, :])
    )
    assert half_saturation.shape == coefficient.shape
    expected_scaling = {"relative": 1.0, "absolute": 0.0, "learned": 0.5}[scaling]
    np.testing.assert_allclose(scaling_value, expected_scaling, rtol=1e-12)
    carried = carryover.apply_carryover(inputs.x["media"], lag_weights)
    expected = coefficient[:, None, :] * saturation.saturate(carried, family, half_saturation[:, None, :], slope)
    got = keras.ops.convert_to_numpy(model(inputs.x)["media"]) * model.sales_scale
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    assert MarketingMixModel.from_config(model.get_config()).saturation_scaling == scaling


def _residuals(config, noiseless_panel) -> np.ndarray:
    panel = to_feature_panel(noiseless_panel, config)
    model = build_model(panel, config.model)
    return keras.ops.convert_to_numpy(model.prior_residuals(model(model_inputs(panel).x)["media"]))


@pytest.mark.parametrize(
    "carryover_form, keys",
    [
        ("beta_gamma", ("channel_half_life", "channel_half_saturation", "channel_slope")),
        ("geometric", ("channel_half_life", "channel_half_saturation", "channel_slope")),
        ("weibull", ("channel_half_life", "channel_weibull_shape", "channel_half_saturation", "channel_slope")),
    ],
)
def test_a_channel_s_own_curve_prior_moves_that_channel_s_terms_only(carryover_form, keys, noiseless_panel) -> None:
    """A prior mean e times the shared one shifts the channel's z-score by -1 / spread in each term
    of that kind, and no other term; every per-channel kind reaches the fit's objective."""
    config = fast_config()
    config = dataclasses.replace(config, model=config.model.model_copy(update={"carryover": carryover_form}))
    base = _residuals(config, noiseless_panel)
    priors = config.model.priors
    for key in keys:
        shared = getattr(priors, key.removeprefix("channel_"))
        mean_field = "mean_weeks" if key == "channel_half_life" else "mean"
        own = shared.model_copy(update={mean_field: getattr(shared, mean_field) * np.e, "spread": 0.25})
        changed = config.model.model_copy(update={"priors": priors.model_copy(update={key: {"TV": own}})})
        moved = _residuals(dataclasses.replace(config, model=changed), noiseless_panel)
        differ = np.flatnonzero(~np.isclose(moved, base, rtol=1e-9, atol=1e-12))
        assert len(differ) == 1, (key, differ)  # (Weibull: the half-life prior is its scale's)
        np.testing.assert_allclose(moved[differ], (base[differ] * shared.spread - 1.0) / 0.25, rtol=1e-6, err_msg=key)


def test_a_model_saved_with_one_number_per_prior_scores_as_one_per_channel(built) -> None:
    """Models saved before per-channel curve priors hold one number for each; they load and score alike."""
    model, inputs, _ = built
    old = model.get_config()
    for key in ("half_life_mean", "half_life_spread", "half_saturation_mean", "half_saturation_spread", "slope_mean"):
        assert len(set(old["priors"][key])) == 1
        old["priors"][key] = old["priors"][key][0]
    restored = MarketingMixModel.from_config(old)
    restored(inputs.x)
    restored.set_weights(model.get_weights())
    media = model(inputs.x)["media"]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored.prior_residuals(media)),
        keras.ops.convert_to_numpy(model.prior_residuals(media)),
        rtol=0,
        atol=0,
    )


def test_cell_offsets_are_shrunk_by_cell_sd_and_off_at_zero(built, noiseless_panel) -> None:
    """``shrinkage.cell_sd`` > 0 gives each brand x region its own offset, whose prior z-scores are
    offset / cell_sd; at 0 the model has no such weight; a model saved before it (no ``cell_sd``) neither."""
    model, inputs, _ = built
    assert model.coefficients.cells and model.weight_group(model.coefficients.cell_offset) == "cell"
    cell_sd = model.priors["cell_sd"]
    offsets = np.random.default_rng(0).normal(size=tuple(model.coefficients.cell_offset.shape))
    media = model(inputs.x)["media"]
    base = keras.ops.convert_to_numpy(model.prior_residuals(media))
    saved = np.asarray(model.coefficients.cell_offset)
    model.coefficients.cell_offset.assign(offsets)
    try:
        moved = keras.ops.convert_to_numpy(model.prior_residuals(media))
    finally:
        model.coefficients.cell_offset.assign(saved)
    differ = np.flatnonzero(moved != base)
    np.testing.assert_allclose(np.sort(moved[differ]), np.sort(offsets.ravel() / cell_sd), rtol=1e-12)

    config = fast_config()
    shrinkage = config.model.priors.shrinkage.model_copy(update={"cell_sd": 0.0})
    priors = config.model.priors.model_copy(update={"shrinkage": shrinkage})
    config = dataclasses.replace(config, model=config.model.model_copy(update={"priors": priors}))
    none = build_model(to_feature_panel(noiseless_panel, config), config.model)
    assert not none.coefficients.cells
    assert len(none.trainable_variables) == len(model.trainable_variables) - 1
    old = model.get_config()
    del old["priors"]["cell_sd"]
    restored = MarketingMixModel.from_config(old)
    restored(inputs.x)
    assert not restored.coefficients.cells


def test_the_export_reads_each_brand_x_region_s_own_offset(built) -> None:
    """With non-zero brand, region and cell offsets the exported coefficients are the layer's, series by series."""
    model, inputs, _ = built
    layer = model.coefficients
    saved = [np.asarray(v) for v in (layer.brand_offset, layer.region_offset, layer.cell_offset)]
    rng = np.random.default_rng(5)
    try:
        for variable in (layer.brand_offset, layer.region_offset, layer.cell_offset):
            variable.assign(rng.normal(scale=0.3, size=tuple(variable.shape)))
        coefficient = draw_arrays(model, inputs, current_theta(model)[None, :])[3][0]
        expected = keras.ops.convert_to_numpy(layer([inputs.x["brand"], inputs.x["region"]], inputs.x.get("size")))
        np.testing.assert_allclose(coefficient, expected * model.sales_scale, rtol=1e-12)
        assert len({round(float(v), 9) for v in coefficient[:, 0]}) == len(coefficient)  # every series its own
    finally:
        for variable, value in zip((layer.brand_offset, layer.region_offset, layer.cell_offset), saved):
            variable.assign(value)
