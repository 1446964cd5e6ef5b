"""Fitting one model: the large-panel path (Gauss-Newton alone) and the series sample it chooses forms on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.synthetic import SyntheticPanel


@pytest.mark.slow
def test_large_panel_path_fits_by_gauss_newton_alone(noiseless_panel: SyntheticPanel) -> None:
    """Panels above ``adam_max_series`` skip Adam and reach the same optimum (noiseless: the truth)."""
    import dataclasses

    from mmm_analytics.models.fitting import fit_and_summarise
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(prior_weight=0.0)
    config = dataclasses.replace(config, model=config.model.model_copy(update={"adam_max_series": 1}))
    panel = to_feature_panel(noiseless_panel, config)
    model, params, _, info = fit_and_summarise(panel, config)
    assert "adam" not in info["timings"] and info["timings"]["gauss-newton"] > 0
    assert info["best_epoch"] == 0 and len(info["history"]["loss"]) == 3
    contribution = historical_contribution(params).sum(axis=(0, 1))
    expected = np.array([noiseless_panel.truth.national_contribution()[c] for c in params.channels])
    np.testing.assert_allclose(contribution, expected, rtol=0.02)


def test_series_sample_keeps_every_brand(noiseless_panel: SyntheticPanel) -> None:
    from mmm_analytics.models.fitting import series_sample
    from tests.models.conftest import fast_config, to_feature_panel

    panel = to_feature_panel(noiseless_panel, fast_config())
    assert series_sample(panel, 10, seed=0) is panel
    sample = series_sample(panel, 1, seed=0)
    assert set(sample.brand) == set(panel.brand) and len(sample.brand) == len(set(panel.brand)) < len(panel.brand)
    assert len(series_sample(panel, 3, seed=0).brand) == 3
    kept = [panel.series_labels().index(label) for label in sample.series_labels()]
    np.testing.assert_array_equal(sample.sales, panel.sales[kept])
    np.testing.assert_array_equal(sample.scalers.exposure_scale, panel.scalers.exposure_scale[kept])


def test_the_uncalibrated_response_keeps_the_lowest_mode_of_its_starts(
    noiseless_panel: SyntheticPanel, tmp_path: Path
) -> None:
    """Polished from the calibrated weights alone, the fit without the tests could stop in the mode
    nearest the tests (on a collinear panel: YouTube's ROI 1.94 where the fit without tests says 0.51);
    a start from a fit without the tests leads it to the data's own mode."""
    from mmm_analytics.models.fitting import fit_and_summarise, uncalibrated_params
    from mmm_analytics.models.inputs import model_inputs
    from mmm_analytics.models.lift_tests import read_lift_tests
    from mmm_analytics.models.posterior import SeriesLeastSquares, current_theta
    from mmm_analytics.synthetic import draw_lift_tests
    from tests.models.conftest import fast_config, to_feature_panel

    tests = draw_lift_tests(noiseless_panel, 2, 7, channels=["Facebook", "Print"])
    tests["incremental_sales"] *= 3.0  # far from what the data say
    tests["standard_error"] = tests["incremental_sales"] * 0.02
    csv = tmp_path / "lift.csv"
    tests.to_csv(csv, index=False)
    config = fast_config(draws=20, prior_weight=0.0)
    panel = to_feature_panel(noiseless_panel, config)
    plain_model, plain_params, _, _ = fit_and_summarise(panel, config)
    lift = read_lift_tests(csv, panel)
    model, _, noise, _ = fit_and_summarise(panel, config, lift_tests=lift)
    inputs = model_inputs(panel)
    problem = SeriesLeastSquares(model, inputs)
    calibrated = current_theta(model)
    alone = uncalibrated_params(model, panel, inputs, problem, noise, config.model, False)
    started = uncalibrated_params(
        model, panel, inputs, problem, noise, config.model, False, starts=(current_theta(plain_model),)
    )
    np.testing.assert_array_equal(current_theta(model), calibrated)  # the model keeps its calibrated weights
    totals = [historical_contribution(p).sum(axis=(0, 1)) for p in (alone, started, plain_params)]
    # With the plain fit as a start, the result is the plain fit's mode (the truth: noiseless, priors off).
    np.testing.assert_allclose(totals[1], totals[2], rtol=1e-3)
    assert np.abs(totals[1] - totals[2]).sum() <= np.abs(totals[0] - totals[2]).sum() + 1e-6 * totals[2].sum()


def test_a_pooled_form_on_a_large_panel_starts_from_the_sample_and_fits_by_gauss_newton(
    noiseless_panel: SyntheticPanel,
) -> None:
    """The runner-up saturation of a large panel was scored on a sample of series: its weights of
    another shape are copied where they fit, and Gauss-Newton rounds fit the whole panel."""
    import dataclasses

    from mmm_analytics.models.fitting import pooled_fit, series_sample
    from mmm_analytics.models.posterior import current_theta
    from mmm_analytics.models.selection import Start
    from mmm_analytics.models.training import build_model
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(draws=10, prior_weight=0.0)
    config = dataclasses.replace(config, model=config.model.model_copy(update={"adam_max_series": 1}))
    panel = to_feature_panel(noiseless_panel, config)
    sample = series_sample(panel, 2, seed=0)
    logistic = config.model.pinned("beta_gamma", "logistic")
    start = Start("beta_gamma", "logistic", current_theta(build_model(sample, logistic)))
    fit = pooled_fit(panel, config, start, sample)
    assert not isinstance(fit, str)
    params = fit.params
    # The decomposition is this fit's: its media parts are the response's own contribution.
    np.testing.assert_allclose(fit.decomposition.media.sum(), historical_contribution(params).sum(), rtol=1e-4)
    assert params.saturation == "logistic" and params.n_draws == 10 and np.isfinite(params.coefficient_draws).all()
    contribution = historical_contribution(params).sum()
    assert contribution == pytest.approx(sum(noiseless_panel.truth.national_contribution().values()), rel=0.2)


@pytest.mark.parametrize("failure", ["diverged", "singular", "nonfinite"])
def test_a_pooled_form_that_cannot_be_fitted_is_dropped_with_the_reason(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """The chosen form's fit is done when the pooled one is fitted: its failure must not end `mmm train`."""
    import dataclasses

    from mmm_analytics.errors import InputError
    from mmm_analytics.models import fitting
    from mmm_analytics.models.posterior import current_theta
    from mmm_analytics.models.selection import CandidateScore, FormSelection, Start
    from mmm_analytics.models.training import build_model
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(draws=4)
    panel = to_feature_panel(noiseless_panel, config)
    start = Start(
        "beta_gamma", "logistic", current_theta(build_model(panel, config.model.pinned("beta_gamma", "logistic")))
    )
    if failure == "diverged":

        def diverge(*_: object, **__: object) -> None:
            raise InputError("training diverged: the objective is not finite")

        monkeypatch.setattr(fitting, "refine", diverge)
        expected = "its fit failed (training diverged: the objective is not finite)"
    elif failure == "singular":  # before, a numerical failure of the pooled form ended `mmm train`

        def singular(*_: object, **__: object) -> None:
            raise np.linalg.LinAlgError("Singular matrix")

        monkeypatch.setattr(fitting, "refine", singular)
        expected = "its fit failed (Singular matrix)"
    else:
        real = fitting.response_params

        def broken(*args: object, **kwargs: object):
            params = real(*args, **kwargs)
            return dataclasses.replace(params, slope_draws=np.full_like(params.slope_draws, np.nan))

        monkeypatch.setattr(fitting, "response_params", broken)
        expected = "its draws are not finite (slope_draws)"
    assert fitting.pooled_fit(panel, config, start, panel) == expected
    scores = tuple(CandidateScore("beta_gamma", s, np.ones(4), 1.0, ()) for s in ("hill", "logistic"))
    selection = FormSelection(
        scores, "beta_gamma", "hill", "beta_gamma + hill kept: ...", (), 1.0, pooled=("logistic",)
    )
    assert (
        "logistic saturation forecasts within 2 standard errors of hill (logistic better by 0.0 standard errors)"
        in selection.reason
    )
    dropped = selection.without_pooled("logistic", expected)
    assert dropped.pooled == () and dropped.to_dict()["pooled_saturations"] == []
    assert (
        dropped.reason
        == f"beta_gamma + hill kept: ...; logistic saturation could not be weighed in as well: {expected}"
    )


@pytest.mark.parametrize("large", [False, True])
def test_a_large_panel_chooses_its_form_without_pooling_a_second_one(
    noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """On 4,000 series the second form's fit took 238 s beside the chosen form's 97 s: large panels fit one form."""
    import dataclasses

    from mmm_analytics.models import fitting
    from tests.models.conftest import fast_config, to_feature_panel

    seen = []
    monkeypatch.setattr(fitting, "select_forms", lambda panel, config, fit: seen.append(config) or _Chosen())
    config = fast_config().model.model_copy(update={"carryover": "auto", "saturation": "auto"})
    if large:
        config = config.model_copy(update={"adam_max_series": 1})
    fitting.choose_forms(to_feature_panel(noiseless_panel, dataclasses.replace(fast_config())), config)
    assert seen[0].selection.pool_saturation is not large and (seen[0].selection.folds == 1) is large


@dataclasses.dataclass
class _Chosen:
    carryover: str = "beta_gamma"
    saturation: str = "hill"
