"""What a pipeline run tells at the end: the headline numbers and the files it wrote."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_analytics.utils.paths import FEATURES_META_FILE, FIT_LOGS, ProjectPaths

if TYPE_CHECKING:
    from mmm_analytics.reports.inputs import SummaryInputs

#: Files ``mmm train`` writes into the model folder besides those its result lists.
MODEL_FOLDER_EXTRAS = (*FIT_LOGS, FEATURES_META_FILE)


def key_numbers(inputs: SummaryInputs) -> list[tuple[str, str]]:
    """Headline figures of what the summary read (:func:`~mmm_analytics.reports.inputs.load_inputs`): holdout
    wMAPE, the channel of highest ROI (and those its interval does not tell apart) and the optimiser's uplift."""
    numbers = []
    if (metrics := inputs.metrics) is not None:
        holdout = metrics.get("holdout")  # none with holdout_weeks: 0
        if not holdout:
            wmape = "n/a (no holdout weeks)"
        elif (value := holdout["overall"]["wmape"]) is None:
            wmape = "n/a (the holdout weeks' sales are all 0)"
        else:
            wmape = f"{value:.2%}"
        numbers.append(("holdout wMAPE", wmape))
    if (roi := inputs.channel_roi) is not None:
        ranked = roi.sort_values("roi", ascending=False)
        top = ranked.iloc[0]
        text = f"{top.channel}: {top.roi:.2f} [{top.roi_lower:.2f}, {top.roi_upper:.2f}]"
        # Before, "top channel" without a word where another channel's interval reached past its lower end.
        close = [str(r.channel) for r in ranked.iloc[1:].itertuples() if r.roi_upper >= top.roi_lower]
        if close:
            text += f"; not told apart from {', '.join(close)} (intervals overlap)"
        numbers.append(("highest ROI", text))
    if (plan := inputs.allocation) is not None:
        numbers.append(_uplift(plan))
    return numbers


def _uplift(plan: Mapping[str, Any]) -> tuple[str, str]:
    """The optimiser's expected uplift over today's mix scaled to its budget, labelled with the part of
    the market it covers and that budget: "same budget" only where it is today's (before, also after
    ``mmm optimize --budget 150%``, and without a word after ``--brand X --region Y``)."""
    from mmm_analytics.reports.budget import budget_against_today, budget_change
    from mmm_analytics.reports.scope import is_part, plan_scope, scope_words

    current = plan["current_incremental_sales"]
    uplift = f"{plan['expected_incremental_sales'] / current - 1.0:+.1%}" if current > 0 else "n/a"
    match budget_change(plan):
        case 0.0:
            budget = "same budget"
        case None:
            budget = "over today's mix scaled to the budget"
        case change:
            budget = f"budget {budget_against_today(change)}, over today's mix scaled to it"
    scope = plan_scope(plan)
    part = f"{scope_words(scope)}; " if scope is not None and is_part(scope) else ""
    return f"optimiser uplift ({part}{budget})", f"{uplift} of the weekly sales media brings"


def written_files(step: str, result: Any, paths: ProjectPaths) -> list[Path]:
    """The files one step of a run wrote, from its result (no folder is searched).

    ``train`` adds the files its callbacks write into the model folder when they are there.
    """
    match step:
        case "data":
            return list(result.files)
        case "eda":
            return [*result.figures, *result.tables.values(), result.report]
        case "features":
            from mmm_analytics.features.store import meta_path

            return [paths.features, meta_path(paths.features)]
        case "train":
            extras = (paths.models_dir / name for name in MODEL_FOLDER_EXTRAS)
            return [*result.files, *(file for file in extras if file.is_file())]
        case "curves":
            return [*result.outputs.values(), *result.figures]
        case "simulate":
            return list(result.written)
        case "optimize":
            return [paths.simulations_dir / "optimal_allocation.json"]
        case _:
            raise ValueError(f"unknown step {step!r}")
