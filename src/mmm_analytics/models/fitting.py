"""Fitting one model: the form choice, Adam or Gauss-Newton fit, the MAP polish and the posterior
draws -> the fitted Keras model and its response parameters (what ``mmm train`` saves)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmm_analytics.config import ProjectConfig
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.decomposition import Decomposition, decompose
from mmm_analytics.models.export import predictions, response_params
from mmm_analytics.models.inputs import ModelInputs, model_inputs
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.models.posterior import (
    PosteriorDraws,
    SeriesLeastSquares,
    assign_theta,
    current_theta,
    polish,
    posterior_draws,
    residual_noise_scale,
    weight_key,
)
from mmm_analytics.models.segment_curves import estimate_segment_curves
from mmm_analytics.models.selection import FormSelection, Start, select_forms, weeks_to_choose
from mmm_analytics.models.training import EpochProgress, build_model, fit_model
from mmm_analytics.response.artifacts import DRAW_FIELDS, ResponseParams


def forecast_fit(panel: FeaturePanel, config: ModelConfig, start: Start | None) -> tuple[np.ndarray, Start]:
    """Fit on the panel's training weeks and predict every week: Sales_Value (S, T) in INR,
    and the fitted weights. The fit model selection scores on its folds.

    Without ``start``: ``selection.epochs`` Adam epochs, then the MAP polish (panels of more than
    ``adam_max_series`` series: Gauss-Newton rounds from the default start). From ``start`` (the
    same form on fewer weeks, or another form's fit, whose shared weights are copied): the
    polish alone.
    """
    if start is None and panel.sales.shape[0] <= config.adam_max_series:
        fit = fit_model(panel, config, epochs=config.selection.epochs, validate=False)
        model, inputs = fit.model, fit.inputs
        polish(model, inputs, residual_noise_scale(model, inputs), max_evaluations=100)
    else:
        model, inputs = build_model(panel, config), model_inputs(panel)
        if start is not None:
            start_from(model, start, panel, config)
            polish(model, inputs, residual_noise_scale(model, inputs), max_evaluations=100)
        else:
            gauss_newton_rounds(model, inputs, SeriesLeastSquares(model, inputs), max_evaluations=100)
    return predictions(model, inputs)[0], Start(model.carryover, model.saturation, current_theta(model))


def start_from(model: MarketingMixModel, start: Start, panel: FeaturePanel, config: ModelConfig) -> None:
    """Give ``model`` the weights of ``start``: all of them when the form and the panel's size
    match, else every weight of the same layer, name and shape (fitted on ``panel``)."""
    theta = current_theta(model)
    if (start.carryover, start.saturation) == (model.carryover, model.saturation) and start.theta.shape == theta.shape:
        assign_theta(model, start.theta)
        return
    donor = build_model(panel, config.pinned(start.carryover, start.saturation))
    assign_theta(donor, start.theta)
    copy_shared_weights(donor, model)


def gauss_newton_rounds(
    model: MarketingMixModel,
    inputs: ModelInputs,
    problem: SeriesLeastSquares,
    rounds: int = 3,
    max_evaluations: int = 100,
    tolerance: float = 1e-10,
) -> list[float]:
    """Fit by Levenberg-Marquardt alone: ``rounds`` polishes, each at the residual noise scale
    of the weights the previous one left (the first at the start's, which lets the priors
    steer the early steps), stopping at ``tolerance`` (see :func:`polish`). Returns each
    round's objective per training observation."""
    n_obs = max(float(inputs.train_mask.sum()), 1.0)
    objective = []
    for _ in range(rounds):
        result = polish(model, inputs, residual_noise_scale(model, inputs), max_evaluations, problem, tolerance)
        objective.append(result.cost / n_obs)
    return objective


def series_sample(panel: FeaturePanel, max_series: int, seed: int) -> FeaturePanel:
    """At most ``max_series`` series of ``panel`` (more if needed to keep every brand once),
    drawn with ``seed``; the panel itself when it is small enough. Weights shared by all
    series, or by a brand, fitted on the sample have the full panel's shapes."""
    n_series = panel.sales.shape[0]
    if n_series <= max_series:
        return panel
    order = np.random.default_rng(seed).permutation(n_series)
    first_of_brand: dict[str, int] = {}
    for s in order:
        first_of_brand.setdefault(panel.brand[s], int(s))
    chosen = list(first_of_brand.values())
    taken = set(chosen)
    chosen += [int(s) for s in order if int(s) not in taken][: max(max_series - len(chosen), 0)]
    return panel.series_subset(np.sort(np.asarray(chosen)))


def copy_shared_weights(donor: MarketingMixModel, model: MarketingMixModel) -> None:
    """Give ``model`` every trainable weight of ``donor`` with the same layer, name and shape."""
    named = {weight_key(v): v for v in donor.trainable_variables}
    for variable in model.trainable_variables:
        source = named.get(weight_key(variable))
        if source is not None and tuple(source.shape) == tuple(variable.shape):
            variable.assign(source.value)


def profile_intercepts(model: MarketingMixModel, inputs: ModelInputs) -> None:
    """Set each series' intercept to its least-squares value over the training weeks given the
    other weights (sales = intercept x index + media, so one pass of the model suffices)."""
    import keras

    intercept = keras.ops.convert_to_numpy(model.baseline.intercept.value)
    out = model(inputs.x)
    sales, media = (keras.ops.convert_to_numpy(v) for v in (out["sales"], out["media"]))
    index = (sales - media.sum(axis=-1)) / intercept[:, None]  # baseline per unit of intercept
    mask = inputs.train_mask
    numerator = (mask * index * (inputs.y - media.sum(axis=-1))).sum(axis=1)
    denominator = (mask * index**2).sum(axis=1)
    fitted = np.where(denominator > 0, numerator / np.maximum(denominator, 1e-300), intercept)
    model.baseline.intercept.assign(np.where(np.isfinite(fitted) & (fitted > 0), fitted, intercept))


@dataclass(frozen=True, slots=True)
class FormChoice:
    """The model form to fit: ``config`` with its forms pinned, the selection that chose them
    (None when they were pinned already, or the panel is too short to choose), the series it was
    made on, and ``note``: why the forms were not chosen on a panel too short for it ("" otherwise)."""

    config: ModelConfig
    selection: FormSelection | None
    sample: FeaturePanel
    note: str = ""


def choose_forms(panel: FeaturePanel, config: ModelConfig) -> FormChoice:
    """Choose the forms ``config`` leaves on ``auto`` by out-of-sample accuracy (see
    :func:`~mmm_analytics.models.selection.select_forms`). Panels of more than
    ``adam_max_series`` series choose on a sample of ``selection.max_series`` series, with
    Gauss-Newton fits on one fold, and pool no second saturation form."""
    large = panel.sales.shape[0] > config.adam_max_series
    sample = series_sample(panel, config.selection.max_series, config.seed) if large else panel
    if config.is_pinned:
        return FormChoice(config, None, sample)
    needed = weeks_to_choose(config.selection.fold_weeks)
    if panel.n_train_weeks < needed:
        carryover, saturation = config.carryover_family().value, config.saturation_family().value
        note = (
            f"the form choice needs {needed} training weeks (a year, then a fold of selection.fold_weeks "
            f"{config.selection.fold_weeks} to forecast) and the panel has {panel.n_train_weeks}: fitted {carryover} "
            f"carryover with {saturation} saturation, the first candidates, without testing the others; a longer "
            "panel lets the data choose, or pin 'carryover' and 'saturation' (model_config.yaml)"
        )
        return FormChoice(config.pinned(carryover, saturation), None, sample, note)
    choosing = config
    if large:  # Gauss-Newton fits, one fold: the sample's series give the paired errors
        # No pooled form: refitting a second form to every series from the sample's weights costs
        # two to three times the chosen form's own fit (238 s against 97 s on 4,000 series).
        one_fold = config.selection.model_copy(update={"folds": 1, "pool_saturation": False})
        choosing = config.model_copy(update={"adam_max_series": 0, "selection": one_fold})
    selection = select_forms(sample, choosing, forecast_fit)
    return FormChoice(config.pinned(selection.carryover, selection.saturation), selection, sample)


def fit_and_summarise(
    panel: FeaturePanel,
    config: ProjectConfig,
    output_dir: Path | None = None,
    epochs: int | None = None,
    progress: EpochProgress | None = None,
    lift_tests: LiftTests | None = None,
) -> tuple[MarketingMixModel, ResponseParams, np.ndarray, dict]:
    """Form selection (unless pinned), Adam fit (Keras, callbacks; ``progress`` after each epoch),
    MAP polish, posterior draws (:func:`langevin_steps`) -> response parameters. ``info`` holds timings,
    history, best epoch, how the draws were made and the form selection; with ``lift_tests``, also ``uncalibrated``: the response
    parameters of the same posterior with the lift tests' evidence taken out.

    Panels of more than ``adam_max_series`` series skip the Adam epochs (Gauss-Newton rounds
    alone) and choose their forms on a sample of ``selection.max_series`` series.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    diverged: int | None = None
    choice = choose_forms(panel, config.model)
    model_config, selection, sample = choice.config, choice.selection, choice.sample
    large = panel.sales.shape[0] > model_config.adam_max_series
    notes = {"form_note": choice.note} if choice.note else {}
    if selection is not None:
        timings["form selection"] = selection.seconds
    chosen = selection.chosen.starts[-1] if selection is not None else None
    if large:
        t0 = time.perf_counter()
        model, inputs = build_model(panel, model_config, lift_tests), model_inputs(panel)
        if chosen is not None:
            start_from(model, chosen, sample, model_config)
        profile_intercepts(model, inputs)
        problem = SeriesLeastSquares(model, inputs)
        history: dict[str, list[float]] = {"loss": gauss_newton_rounds(model, inputs, problem, tolerance=1e-8)}
        best_epoch = 0
        timings["gauss-newton"] = time.perf_counter() - t0
    else:
        fit = fit_model(
            panel,
            model_config,
            output_dir,
            epochs,
            progress=progress,
            initial=None if chosen is None else chosen.theta,
            lift_tests=lift_tests,
        )
        timings["adam"] = fit.seconds
        model, inputs, history, best_epoch = fit.model, fit.inputs, fit.history, fit.best_epoch
        diverged = fit.diverged_epoch
        problem = SeriesLeastSquares(model, inputs)
        if config.model.polish:
            t0 = time.perf_counter()
            polish(model, inputs, residual_noise_scale(model, inputs), problem=problem)
            timings["polish"] = time.perf_counter() - t0
    noise = residual_noise_scale(model, inputs)
    t0 = time.perf_counter()
    posterior = draws_of(model, inputs, noise, problem, config.model, large)
    params = response_params(model, panel, inputs, posterior.draws)
    info: dict = {"history": history, "best_epoch": best_epoch, "posterior": posterior.summary()} | (
        {"adam_diverged_epoch": diverged} if diverged else {}
    )
    if model.ceiling_scaling:  # what the data say of how a series' ceiling grows with its spend
        info["ceiling_scaling"] = np.asarray(model.coefficients.size_scaling(), dtype=np.float64).tolist()
    if lift_tests is not None and len(lift_tests):
        # The form choice's last fold fit (no tests) leads the polish to the data's own mode.
        starts = () if large or chosen is None else (chosen.theta,)
        info["uncalibrated"] = uncalibrated_params(model, panel, inputs, problem, noise, config.model, large, starts)
    timings["intervals"] = time.perf_counter() - t0
    if selection is not None and selection.pooled:
        t0 = time.perf_counter()
        fits: list[PooledFit] = []
        for candidate in selection.pooled_candidates:
            pooled = pooled_fit(panel, config, candidate.starts[-1], sample, lift_tests)
            if isinstance(pooled, PooledFit):
                fits.append(pooled)
            else:  # the advice weighs the other forms alone, and the report says why
                selection = selection.without_pooled(candidate.saturation, pooled)
        if fits:
            info["pooled"] = tuple(fit.params for fit in fits)
            info["pooled_decomposition"] = [fit.decomposition for fit in fits]
            info["pooled_uncalibrated"] = [fit.uncalibrated for fit in fits if fit.uncalibrated is not None]
        timings["pooled forms"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    observed = panel.sales_observed  # weeks whose sales the cleaning filled in say nothing of the curves
    segments = estimate_segment_curves(params, panel.sales, panel.n_train_weeks, observed=observed)
    params = segments.apply_to(params)
    info["segment_curves"] = segments.summary()
    if "pooled" in info:
        info["pooled"] = tuple(
            estimate_segment_curves(form, panel.sales, panel.n_train_weeks, observed=observed).apply_to(form)
            for form in info["pooled"]
        )
    timings["segment curves"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    info["timings"] = timings
    return model, params, noise, info | notes | ({"selection": selection.to_dict()} if selection else {})


def langevin_steps(config: ModelConfig, large: bool) -> int:
    """The Langevin steps each Laplace draw takes (``intervals.langevin_steps``); none on a panel
    fitted by Gauss-Newton rounds (``large``), where they would cost far more than the fit."""
    return 0 if large else config.intervals.langevin_steps


def draws_of(
    model: MarketingMixModel,
    inputs: ModelInputs,
    noise: np.ndarray,
    problem: SeriesLeastSquares,
    config: ModelConfig,
    large: bool,
) -> PosteriorDraws:
    """The posterior draws ``config.intervals`` asks for, at the fitted weights of ``model`` and the residual
    noise scale ``noise`` (S,); no Langevin steps on a ``large`` panel (:func:`langevin_steps`)."""
    intervals = config.intervals
    steps = langevin_steps(config, large)
    return posterior_draws(
        model, inputs, noise, intervals.draws, config.seed, problem, steps, intervals.autocorrelation
    )


@dataclass(frozen=True, slots=True)
class PooledFit:
    """The fit of the form the selection could not rule out: its response (with draws) and its
    decomposition of the panel's sales (averaged with the chosen fit's in the model's outputs)."""

    params: ResponseParams
    decomposition: Decomposition
    uncalibrated: ResponseParams | None = None


def pooled_fit(
    panel: FeaturePanel,
    config: ProjectConfig,
    start: Start,
    sample: FeaturePanel,
    lift_tests: LiftTests | None = None,
) -> PooledFit | str:
    """The response of the form the selection could not rule out (``start``'s forms), fitted to the
    whole panel's training weeks from its last fold fit (on ``sample``'s series) by the MAP polish
    (Gauss-Newton rounds on panels of more than ``adam_max_series`` series), with its posterior draws
    and decomposition; or why it could not be fitted (its polish diverged or met a singular system, or its draws are not
    finite): the chosen form is fitted by then, so this one's failure never ends the training. With
    ``lift_tests``, also its response without their evidence (:func:`uncalibrated_params`), None
    where that refit fails."""
    model_config = config.model.pinned(start.carryover, start.saturation)
    model, inputs = build_model(panel, model_config, lift_tests), model_inputs(panel)
    start_from(model, start, sample, model_config)
    without_tests = current_theta(model)  # the last fold fit's weights: the data's own mode is near
    large = panel.sales.shape[0] > model_config.adam_max_series
    try:
        problem = refine(model, inputs, large)
        noise = residual_noise_scale(model, inputs)
        draws = draws_of(model, inputs, noise, problem, config.model, large).draws
    except (InputError, np.linalg.LinAlgError, FloatingPointError) as error:
        return f"its fit failed ({' '.join(str(error).split())[:160]})"
    params = response_params(model, panel, inputs, draws)
    if nonfinite := [name for name in DRAW_FIELDS if not np.isfinite(getattr(params, name)).all()]:
        return f"its draws are not finite ({', '.join(nonfinite)})"
    decomposition = decompose(model, panel)
    uncalibrated = None
    if lift_tests is not None and len(lift_tests):
        starts = () if large else (without_tests,)
        try:
            uncalibrated = uncalibrated_params(model, panel, inputs, problem, noise, config.model, large, starts)
        except (InputError, np.linalg.LinAlgError, FloatingPointError):
            uncalibrated = None  # the lift-test section then compares the chosen form's fits alone
    return PooledFit(params, decomposition, uncalibrated)


def refine(model: MarketingMixModel, inputs: ModelInputs, large: bool) -> SeriesLeastSquares:
    """Refine ``model``'s weights to the posterior mode without Adam: on a large panel, profiled
    intercepts then Gauss-Newton rounds; else the MAP polish. Returns the least-squares problem
    (for the posterior draws)."""
    problem = SeriesLeastSquares(model, inputs)
    if large:
        profile_intercepts(model, inputs)
        gauss_newton_rounds(model, inputs, problem, tolerance=1e-8)
    else:
        polish(model, inputs, residual_noise_scale(model, inputs), problem=problem)
    return problem


def uncalibrated_params(
    model: MarketingMixModel,
    panel: FeaturePanel,
    inputs: ModelInputs,
    problem: SeriesLeastSquares,
    noise: np.ndarray,
    config: ModelConfig,
    large: bool,
    starts: Sequence[np.ndarray] = (),
) -> ResponseParams:
    """The response the model would have without its lift tests: the same posterior with the
    tests' evidence taken out, polished from each of ``starts`` (flat weights of a fit without the
    tests, e.g. the form choice's), keeping the mode of lowest objective, and from the calibrated
    weights only when there is no such start or none could be polished; then its posterior draws.
    Where the data cannot tell channels apart the objective has several modes, and the calibrated
    weights lead to the one nearest the tests, not to the fit the data give without them (and a
    polish from them beside the starts cost about a second per fitted form).
    ``problem`` is the calibrated fit's (its compiled pieces are reused) and ``noise`` its residual
    noise scale (S,); the draws are made as the calibrated fit's were (:func:`draws_of` with
    ``config`` and ``large``); ``model`` keeps its calibrated weights."""
    calibrated = current_theta(model)
    plain = problem.without_lift_tests()
    try:
        best, best_cost = calibrated, np.inf
        for start in (*starts, calibrated):
            if start is calibrated and np.isfinite(best_cost):
                break
            assign_theta(model, start)
            try:
                polish(model, inputs, noise, max_evaluations=100, problem=plain)
            except InputError:  # derivatives not finite at a start: the other starts decide
                if start is calibrated:
                    raise
                continue
            theta = current_theta(model)
            cost = plain.cost(theta, noise) if np.isfinite(theta).all() else np.inf
            if cost < best_cost:
                best, best_cost = theta, cost
        assign_theta(model, best)
        plain_noise = residual_noise_scale(model, inputs)
        draws = draws_of(model, inputs, plain_noise, plain, config, large).draws
        return response_params(model, panel, inputs, draws)
    finally:
        assign_theta(model, calibrated)
