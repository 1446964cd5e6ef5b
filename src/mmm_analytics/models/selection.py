"""Choose the carryover and saturation forms by out-of-sample accuracy on rolling-origin folds.

Fold k trains on every week before its origin and scores the ``fold_weeks`` weeks after it;
the origins step back from the end of the training weeks, so every score is a forecast of
weeks the fit never saw (never a random split). Carryover candidates are compared first
(with the first saturation candidate), then saturation candidates with the chosen carryover.
The first candidate's first fold is fitted from scratch; every other fit starts from a fit
before it (the previous fold of the same form, or the first candidate's first fold, whose
weights other forms share), so a candidate costs a few refinement steps.
A challenger replaces the default (the first candidate of each list) only when its error is
lower by more than ``margin`` standard errors of the paired difference over series x folds.
Every other saturation form that the one kept does not beat by more than ``margin`` standard
errors either (the data cannot tell them apart) is named in ``pooled``: ``mmm train`` fits those
too and the ROIs, the decomposition and the advice weigh every fit equally
(``selection.pool_saturation``). A form the forecasts cannot rule out but whose fold fits follow
the weeks they were trained on worse than the kept form's by more than ``margin`` standard errors
is not pooled (``ruled_out``): with as many parameters, a worse fit of the same weeks is evidence
against its shape that the short forecast windows are too noisy to show.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mmm_analytics.compute import run_tasks
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.utils.words import listed

#: Fewest training weeks a fold may have: a year, so seasonality is seen once.
MIN_FOLD_TRAIN_WEEKS = 52


@dataclass(frozen=True, slots=True)
class Fold:
    """Train on weeks [0, origin), score weeks [origin, origin + weeks)."""

    origin: int
    weeks: int


@dataclass(frozen=True, slots=True)
class Start:
    """Weights of an earlier fit to start from: its forms and its flat trainable weights (P,)."""

    carryover: str
    saturation: str
    theta: np.ndarray


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """Out-of-sample accuracy of one form.

    ``errors`` (n_series * n_folds,) is each series' mean squared forecast error over a
    fold's weeks as a share of its mean weekly sales squared; ``rmse`` the root of their mean.
    ``fit_errors`` (same shape) is the same of each fold fit over the weeks it was trained on.
    ``starts`` holds each fold's fitted weights (the last one warm-starts the final fit).
    ``failure`` says why its fits failed (training diverged; "" when they did not): such a
    candidate has no score and is never chosen.
    """

    carryover: str
    saturation: str
    errors: np.ndarray
    seconds: float
    starts: tuple[Start, ...]
    failure: str = ""
    fit_errors: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))

    @property
    def name(self) -> str:
        return f"{self.carryover} + {self.saturation}"

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean(self.errors))) if not self.failure else float("inf")

    @property
    def fit_rmse(self) -> float | None:
        """The root of the mean of ``fit_errors`` (None without them)."""
        return float(np.sqrt(np.mean(self.fit_errors))) if self.fit_errors.size and not self.failure else None


@dataclass(frozen=True, slots=True)
class FormSelection:
    """The scored candidates, the chosen forms and why.

    ``verdict`` says why each kind of form was kept; ``pooled`` names the other saturation forms
    fitted and weighed in beside the chosen one (best forecast first), ``ruled_out`` those that
    forecast as well but fit the training weeks worse, ``dropped`` the pooled forms whose fits failed
    and why. ``margin`` is the selection's (standard errors).
    """

    candidates: tuple[CandidateScore, ...]
    carryover: str
    saturation: str
    verdict: str
    folds: tuple[Fold, ...]
    seconds: float
    pooled: tuple[str, ...] = ()
    margin: float = 2.0
    dropped: tuple[tuple[str, str], ...] = ()
    ruled_out: tuple[str, ...] = ()

    @property
    def chosen(self) -> CandidateScore:
        return self._candidate(self.saturation)

    @property
    def pooled_candidates(self) -> tuple[CandidateScore, ...]:
        """The candidates of the pooled saturations (with the chosen carryover), in ``pooled``'s order."""
        return tuple(self._candidate(saturation) for saturation in self.pooled)

    def _candidate(self, saturation: str) -> CandidateScore:
        return next(c for c in self.candidates if (c.carryover, c.saturation) == (self.carryover, saturation))

    @property
    def reason(self) -> str:
        """The verdict, then which saturation forms are weighed in and which could not be."""
        pooled = _pooled_words(self.chosen, self.pooled_candidates, self.margin) if self.pooled else ""
        ruled_out = [self._ruled_out_words(form) for form in self.ruled_out]
        dropped = [f"{form} saturation could not be weighed in as well: {why}" for form, why in self.dropped]
        parts = (self.verdict, pooled, *ruled_out, *dropped)
        return "; ".join(part for part in parts if part) or "both forms were pinned"

    def _ruled_out_words(self, saturation: str) -> str:
        rival = self._candidate(saturation)
        return (
            f"{saturation} saturation forecasts within {_errors(self.margin)} of {self.saturation} "
            f"({_standing(-paired_z(self.chosen, rival))} standard errors) but follows the weeks it was fitted to worse "
            f"(by {paired_fit_z(self.chosen, rival):.1f} standard errors): not weighed in"
        )

    def without_pooled(self, saturation: str, why: str) -> FormSelection:
        """This selection with the pooled ``saturation`` dropped, the reason saying ``why``."""
        kept = tuple(form for form in self.pooled if form != saturation)
        return dataclasses.replace(self, pooled=kept, dropped=(*self.dropped, (saturation, why)))

    def to_dict(self) -> dict:
        """JSON-ready summary (RMSE as a share of mean weekly sales)."""
        return {
            "carryover": self.carryover,
            "saturation": self.saturation,
            "reason": self.reason,
            "pooled_saturations": list(self.pooled),
            "ruled_out_saturations": list(self.ruled_out),
            "folds": [dataclasses.asdict(fold) for fold in self.folds],
            "seconds": self.seconds,
            "candidates": [
                {
                    "carryover": c.carryover,
                    "saturation": c.saturation,
                    "out_of_sample_rmse": None if c.failure else c.rmse,
                    "in_sample_rmse": c.fit_rmse,
                    "failure": c.failure,
                    "seconds": c.seconds,
                    "chosen": (c.carryover, c.saturation) == (self.carryover, self.saturation),
                }
                for c in self.candidates
            ],
        }


def weeks_to_choose(fold_weeks: int) -> int:
    """The fewest training weeks with one fold: a year to train on, then ``fold_weeks`` to forecast."""
    return MIN_FOLD_TRAIN_WEEKS + fold_weeks


def rolling_folds(n_train_weeks: int, folds: int, fold_weeks: int) -> tuple[Fold, ...]:
    """Origins n_train_weeks - k * fold_weeks (k = folds..1) that leave a year of training weeks."""
    origins = [n_train_weeks - k * fold_weeks for k in range(folds, 0, -1)]
    kept = tuple(Fold(origin, fold_weeks) for origin in origins if origin >= MIN_FOLD_TRAIN_WEEKS)
    if not kept:
        raise InputError(
            f"model_config.yaml: selection needs at least {weeks_to_choose(fold_weeks)} training weeks "
            f"(the panel has {n_train_weeks}); lower 'selection.fold_weeks' or pin 'carryover' and 'saturation'"
        )
    return kept


type FoldFit = Callable[[FeaturePanel, ModelConfig, Start | None], tuple[np.ndarray, Start]]


def fold_errors(
    panel: FeaturePanel, config: ModelConfig, folds: tuple[Fold, ...], fit: FoldFit, start: Start | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[Start, ...]]:
    """Squared forecast errors (share of mean weekly sales, squared) per series and fold,
    flattened; the same over each fold's training weeks (how well the fit follows the weeks it
    saw); and each fold's fitted weights.

    ``fit(panel, config, start)`` trains on the panel's training weeks and returns predicted
    sales (S, T) in INR and its weights. The first fold starts from ``start`` (another form's
    fit of the same fold, or None for a fresh start), each later fold from the fold before.
    """
    errors: list[np.ndarray] = []
    fit_errors: list[np.ndarray] = []
    starts: list[Start] = []
    seen = panel.observed  # weeks whose sales the cleaning filled in are neither the level nor scored
    for fold in folds:
        train_panel = dataclasses.replace(panel, holdout_weeks=len(panel.dates) - fold.origin)
        predicted, start = fit(train_panel, config, start)
        starts.append(start)
        window = slice(fold.origin, fold.origin + fold.weeks)
        before = seen[:, : fold.origin]
        level = (panel.sales[:, : fold.origin] * before).sum(axis=1) / np.maximum(before.sum(axis=1), 1.0)
        relative = (panel.sales - predicted) / np.maximum(level, 1e-9)[:, None]
        for weeks, kept in ((window, errors), (slice(0, fold.origin), fit_errors)):
            scored = seen[:, weeks]
            kept.append((relative[:, weeks] ** 2 * scored).sum(axis=1) / np.maximum(scored.sum(axis=1), 1.0))
    return np.concatenate(errors), np.concatenate(fit_errors), tuple(starts)


def paired_z(better: CandidateScore, worse: CandidateScore) -> float:
    """How many standard errors of the paired difference over series x folds ``worse``'s error
    exceeds ``better``'s (negative: ``worse`` forecast better)."""
    return _z(worse.errors - better.errors)


def paired_fit_z(better: CandidateScore, worse: CandidateScore) -> float:
    """:func:`paired_z` of the errors over the weeks each fold fit was trained on: how much worse
    ``worse`` follows the weeks it saw (0 when either has no such errors)."""
    if better.fit_errors.size != worse.fit_errors.size or not better.fit_errors.size:
        return 0.0
    return _z(worse.fit_errors - better.fit_errors)


def _z(difference: np.ndarray) -> float:
    """The mean of ``difference`` in standard errors of the mean (its sign when they are 0)."""
    standard_error = float(np.std(difference, ddof=1) / np.sqrt(difference.size)) if difference.size > 1 else 0.0
    return float(np.mean(difference) / standard_error) if standard_error > 0 else float(np.sign(np.mean(difference)))


def _errors(margin: float) -> str:
    """``2 standard errors``, ``1 standard error``, ``1.5 standard errors``."""
    return f"{margin:g} standard error{'' if margin == 1 else 's'}"


def _standing(z: float) -> str:
    """A paired z (:func:`paired_z`, positive: the second forecast worse) in words, from the first's side:
    ``better by 1.3``, ``worse by 1.2``."""
    # Before, a bare "(1.3)" and "(-1.2)" whose sign meant one thing in the verdict and the other beside it.
    return f"{'better' if z >= 0 else 'worse'} by {abs(z):.1f}"


def _close_rivals(
    chosen: CandidateScore, others: list[CandidateScore], margin: float
) -> tuple[list[CandidateScore], list[CandidateScore]]:
    """The fitted candidates of ``others`` that ``chosen`` does not beat by more than ``margin``
    standard errors in forecasts, best forecast first: those it does not beat by more in the fit of
    the training weeks either, then those it does (the module docstring)."""
    kept: list[CandidateScore] = []
    ruled_out: list[CandidateScore] = []
    for rival in sorted((c for c in others if not c.failure and paired_z(chosen, c) <= margin), key=lambda c: c.rmse):
        (kept if paired_fit_z(chosen, rival) <= margin else ruled_out).append(rival)
    return kept, ruled_out


def _pooled_words(chosen: CandidateScore, pooled: tuple[CandidateScore, ...], margin: float) -> str:
    """Why the ``pooled`` forms are weighed in beside ``chosen``, with their paired z."""
    z = listed([f"{c.saturation} {_standing(-paired_z(chosen, c))}" for c in pooled])
    forecast, fits = ("forecasts", "the two fits'") if len(pooled) == 1 else ("forecast", "every fit's")
    return (
        f"{listed([c.saturation for c in pooled])} saturation {forecast} within {_errors(margin)} of {chosen.saturation} "
        f"({z} standard errors): the data cannot tell them apart, so each is fitted and the advice weighs {fits} draws "
        "equally"
    )


def _compare(default: CandidateScore, challengers: list[CandidateScore], margin: float) -> tuple[CandidateScore, str]:
    """The default unless a challenger's error is lower by more than ``margin`` standard errors;
    a candidate whose fits failed is never chosen (the best fitted challenger replaces a failed default).

    Raises
    ------
    InputError
        When no candidate could be fitted.
    """
    best = min((c for c in challengers if not c.failure), key=lambda c: c.rmse, default=None)
    if default.failure:
        if best is None:
            raise InputError(
                f"no candidate model form could be fitted ({default.name}: {default.failure}); "
                "check the panel for extreme values or pin 'carryover' and 'saturation' in model_config.yaml"
            )
        return best, f"{best.name} chosen: {default.name} could not be fitted ({default.failure})"
    if best is None:
        failed = [c.name for c in challengers]
        reason = f"{default.name} was the only candidate"
        return default, reason + (f" that could be fitted ({', '.join(failed)} failed)" if failed else "")
    z = paired_z(best, default)
    scores = f"out-of-sample RMSE {best.rmse:.2%} vs {default.rmse:.2%}"
    if z > margin:
        return best, f"{best.name} forecasts better than {default.name}: {scores}, by {z:.1f} standard errors"
    return default, (
        f"{default.name} kept: {best.name} was not better by more than {_errors(margin)} ({scores}: "
        f"{_standing(z)} standard errors)"
    )


@dataclass(frozen=True, slots=True)
class _Job:
    """One candidate's fits: its forms, the folds to fit in turn and the weights the first starts from."""

    forms: tuple[str, str]
    folds: tuple[Fold, ...]
    start: Start | None


@dataclass(frozen=True, slots=True)
class JobResult:
    """One job's :func:`fold_errors` (forecast, then over the training weeks), its fits' weights,
    its wall time (s) and why it failed ("" when it did not)."""

    errors: np.ndarray
    fit_errors: np.ndarray
    starts: tuple[Start, ...]
    seconds: float
    failure: str = ""

    def after(self, first: JobResult) -> JobResult:
        """This job's folds after those of ``first`` (the same form's first fold)."""
        return JobResult(
            np.concatenate([first.errors, self.errors]),
            np.concatenate([first.fit_errors, self.fit_errors]),
            first.starts + self.starts,
            first.seconds + self.seconds,
            first.failure or self.failure,
        )


def _run_job(panel: FeaturePanel, config: ModelConfig, fit: FoldFit, job: _Job) -> JobResult:
    """:func:`fold_errors` of one job: the task the backend fans out. A fit that diverges, or
    forecasts non-finite sales, fails the job."""
    began = time.perf_counter()
    if not job.folds:
        return JobResult(np.empty(0), np.empty(0), (), 0.0)
    try:
        errors, fit_errors, starts = fold_errors(panel, config.pinned(*job.forms), job.folds, fit, job.start)
    except InputError as error:
        return JobResult(np.empty(0), np.empty(0), (), time.perf_counter() - began, str(error))
    if not np.isfinite(errors).all() or not np.isfinite(fit_errors).all():
        return JobResult(np.empty(0), np.empty(0), (), time.perf_counter() - began, "its forecasts are not finite")
    return JobResult(errors, fit_errors, starts, time.perf_counter() - began)


def select_forms(
    panel: FeaturePanel,
    config: ModelConfig,
    fit: FoldFit,
    on_candidate: Callable[[CandidateScore], None] | None = None,
) -> FormSelection:
    """Score the candidate forms of ``config.selection`` and choose (see the module docstring).

    Only the ``auto`` parts of ``config`` are searched: a pinned carryover or saturation is the
    only candidate of its kind. The fits that do not wait on each other run as tasks on
    ``config.compute.backend``: once the first candidate's first fold is fitted, its later folds
    and the other carryovers; then the other saturations. ``fit`` must be a module-level function
    for the ``ray`` backend. Every backend gives the same scores.
    """
    start = time.perf_counter()
    folds = rolling_folds(panel.n_train_weeks, config.selection.folds, config.selection.fold_weeks)
    carryovers = [str(f) for f in config.selection.carryover] if config.carryover == "auto" else [config.carryover]
    saturations = [str(f) for f in config.selection.saturation] if config.saturation == "auto" else [config.saturation]
    backend, shared = config.compute.backend, (panel, config, fit)
    first = (str(carryovers[0]), str(saturations[0]))
    # Every other fit starts from the first candidate's fit of the first fold (shared weights).
    [head] = run_tasks(_run_job, [_Job(first, folds[:1], None)], backend, shared)
    scored: dict[tuple[str, str], CandidateScore] = {}

    def score(forms: list[tuple[str, str]]) -> list[CandidateScore]:
        """Scores of ``forms``; those not scored yet are fitted as one batch of tasks."""
        keys = [(str(c), str(s)) for c, s in forms]
        new = [key for key in dict.fromkeys(keys) if key not in scored]
        waiting = iter(new)

        def record(result: JobResult) -> None:
            key = next(waiting)
            if key == first:
                result = result.after(head)
            scored[key] = CandidateScore(
                *key, result.errors, result.seconds, result.starts, result.failure, result.fit_errors
            )
            if on_candidate is not None:
                on_candidate(scored[key])

        # After a failed first fit every other candidate starts afresh (a failed first one has no later folds).
        head_start, first_rest = (None, ()) if head.failure else (head.starts[0], folds[1:])
        jobs = [_Job(key, first_rest if key == first else folds, head_start) for key in new]
        run_tasks(_run_job, jobs, backend, shared, on_result=record)
        return [scored[key] for key in keys]

    default, *challengers = score([first] + [(c, first[1]) for c in carryovers[1:]])
    chosen, carryover_reason = _compare(default, challengers, config.selection.margin)
    default = chosen
    others = score([(chosen.carryover, s) for s in saturations[1:]])
    chosen, saturation_reason = _compare(default, others, config.selection.margin)
    kept = f"{chosen.name} kept: "
    if carryover_reason.startswith(kept) and saturation_reason.startswith(kept):
        saturation_reason = saturation_reason.removeprefix(kept)  # one verdict, then each rival's scores
    reasons = [r for r, n in ((carryover_reason, len(carryovers)), (saturation_reason, len(saturations))) if n > 1]
    pooled: list[CandidateScore] = []
    ruled_out: list[CandidateScore] = []
    if config.selection.pool_saturation:
        rivals = [c for c in (default, *others) if c.saturation != chosen.saturation]
        pooled, ruled_out = _close_rivals(chosen, rivals, config.selection.margin)
    return FormSelection(
        candidates=tuple(scored.values()),
        carryover=chosen.carryover,
        saturation=chosen.saturation,
        verdict="; ".join(reasons),
        folds=folds,
        seconds=time.perf_counter() - start,
        pooled=tuple(c.saturation for c in pooled),
        margin=config.selection.margin,
        ruled_out=tuple(c.saturation for c in ruled_out),
    )
