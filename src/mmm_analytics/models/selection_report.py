"""The model report's section on the model form: the candidates' forecast scores, the winner and why,
and how saturation was found to scale with the size of a series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mmm_analytics.response.artifacts import pooled_saturations, segment_spread_words
from mmm_analytics.style import numbers
from mmm_analytics.style.page import Cell, Section, Table, Text
from mmm_analytics.utils.words import listed, the_count

#: Plain words for the form names.
FORM_WORDS: dict[str, str] = {
    "beta_gamma": "beta-gamma carryover (peaks in the week of the spend)",
    "geometric": "geometric carryover (peaks in the week of the spend)",
    "weibull": "Weibull carryover (may peak weeks after the spend)",
    "hill": "Hill saturation",
    "logistic": "logistic saturation (S-shaped)",
    "sigmoid": "sigmoid saturation (concave)",
}


#: What a learned power in [0, 1] means near 1, near 0 and between: half-saturation's growth with a
#: series' size, and the media ceiling's growth with its spend.
SIZE_WORDS = (
    "at about the same multiple of each series' own average exposure",
    "at about the same absolute exposure in every series, so bigger spenders saturate sooner",
    "in between: bigger series saturate somewhat sooner than their size alone would say",
)
CEILING_WORDS = (
    "about in proportion to the series' spend on it: series of any size earn about the same per rupee",
    "about the same in every series of a brand and region, whatever it spends",
    "in between: a bigger spender earns more at saturation, but less than in proportion",
)


def _power_words(channel: str, power: float, words: tuple[str, str, str]) -> str:
    """One channel's learned power in plain words: ``words`` for >= 0.8, <= 0.2 and between."""
    near_one, near_zero, between = words
    where = near_one if power >= 0.8 else near_zero if power <= 0.2 else between
    return f"{channel}: {power:.2f}, {where}"


def _pooled_words(selection: Mapping[str, Any]) -> tuple[str, ...]:
    """What the pooled saturation forms change, in plain words (nothing when none was pooled)."""
    pooled = pooled_saturations(selection)
    if not pooled:
        return ()
    one = len(pooled) == 1
    fits = the_count(len(pooled) + 1, "fits")
    draws, shapes = ("both fits' draws", "both shapes") if one else ("every fit's draws", "every shape")
    return (
        f"The data cannot tell {listed([FORM_WORDS.get(form, form) for form in pooled])} from the chosen saturation: "
        f"{'it was' if one else 'each was'} fitted too, and {fits} are weighed equally: the budget advice (mmm "
        f"optimize, mmm simulate) judges a plan over {draws}, under {shapes} of diminishing returns; the "
        "contributions and fit of this report and the ROIs and curves of the ROI report (mmm curves) are the mean "
        f"of {fits}', with intervals over {draws}. The media parameters below are the chosen form's.",
    )


def _fit_cell(rmse: float | None) -> Cell:
    """The error on the weeks fitted ("-" for a model saved before it was measured, or a failed fit)."""
    return Cell("-") if rmse is None else Cell(numbers.percent(rmse, 2), rmse)


def _verdict(candidate: Mapping[str, Any], selection: Mapping[str, Any]) -> str:
    """ "chosen", "weighed in the advice" (the pooled saturation form) or "not chosen"."""
    if candidate["chosen"]:
        return "chosen"
    if candidate["carryover"] == selection["carryover"]:
        if candidate["saturation"] in pooled_saturations(selection):
            return "weighed in the advice"
        if candidate["saturation"] in selection.get("ruled_out_saturations", ()):
            return "forecasts as well, fits the training weeks worse"
    return "not chosen"


def segment_words(segment_curves: Mapping[str, Any] | None, in_advice: bool = True) -> tuple[str, ...]:
    """How much brand x region segments' own curves differ from the fitted one, in plain words
    (``segment_curves`` is :meth:`SegmentCurves.summary`; nothing when it is None), and whether the
    advice reads them (``simulator.segment_curves``)."""
    if not segment_curves:
        return ()
    pinned = ", ".join(
        f"{numbers.percent(value, 0)} of them their own {name.replace('_', '-')}"
        for name, value in segment_curves["identified"].items()
    )
    differ = segment_spread_words(segment_curves)
    found = (
        "Each brand x region was also fitted on its own weeks, one channel at a time (its coefficient refitted), "
        "to see how far its saturation departs from the fitted curve: "
        + (f"segments differ in {differ}" if differ else "segments differ no more than their noise explains")
        + f" (a log-normal spread; the weeks pin {pinned})."
    )
    if differ is None:
        # Before, "uses the fitted curves as they are" beside the training table's "own curves in the advice: yes".
        setting = "on" if in_advice else "off"
        return (
            found,
            f"So the budget advice uses the fitted curves as they are (simulator.segment_curves is {setting}, but "
            "there is no spread beyond the noise for it to read).",
        )
    if not in_advice:
        return (found, "The budget advice uses the fitted curves (simulator.segment_curves: false).")
    return (
        found,
        "The budget advice (mmm optimize, mmm simulate) judges each segment on its own curve, its own estimate "
        "pulled toward the fitted one by how little its weeks say, and its intervals carry what is left unknown. "
        "The ROIs, curves and contributions of this report are the fitted curves.",
    )


def form_section(
    selection: Mapping[str, Any] | None,
    channels: Sequence[str],
    size_scaling: Sequence[float],
    segment_curves: Mapping[str, Any] | None = None,
    segment_curves_in_advice: bool = True,
    form_note: str = "",
    ceiling_scaling: Sequence[float] | None = None,
) -> Section:
    """The section; ``selection`` is :meth:`FormSelection.to_dict` (None when the forms were pinned,
    or the panel was too short to choose them: ``form_note`` then says so),
    ``segment_curves`` :meth:`~mmm_analytics.models.segment_curves.SegmentCurves.summary`,
    ``ceiling_scaling`` the learned power of each channel's ceiling on a series' spend (None: not learned)."""
    blocks: list[Table | Text] = []
    if selection is None and form_note:
        blocks.append(Text((f"Not chosen by the data: {form_note}.",)))
    elif selection is None:
        blocks.append(Text(("The carryover and saturation forms were pinned in the configuration (no selection).",)))
    else:
        folds = selection["folds"]
        folds_text = ", ".join(f"weeks {f['origin'] + 1}-{f['origin'] + f['weeks']}" for f in folds)
        blocks.append(
            Text(
                (
                    f"Chosen: {FORM_WORDS.get(selection['carryover'], selection['carryover'])} with "
                    f"{FORM_WORDS.get(selection['saturation'], selection['saturation'])}.",
                    f"Why: {selection['reason']}.",
                    f"Each candidate was fitted on the weeks before a fold and forecast the fold's weeks it had "
                    f"never seen ({folds_text}); never a random split. The default form is kept unless a "
                    "challenger forecasts better by more than the noise in the comparison.",
                    *_pooled_words(selection),
                )
            )
        )
        rows = tuple(
            (
                Cell(f"{c['carryover']} + {c['saturation']}"),
                Cell(numbers.percent(c["out_of_sample_rmse"], 2), c["out_of_sample_rmse"])
                if c["out_of_sample_rmse"] is not None
                else Cell(f"could not be fitted: {c.get('failure') or 'unknown reason'}"),
                _fit_cell(c.get("in_sample_rmse")),
                Cell(f"{c['seconds']:.1f} s", c["seconds"]),
                Cell(_verdict(c, selection)),
            )
            for c in selection["candidates"]
        )
        blocks.append(
            Table(
                (
                    "Form (carryover + saturation)",
                    "Forecast error (RMSE, share of weekly sales)",
                    "Error on the weeks fitted (RMSE)",
                    "Time",
                    "Verdict",
                ),
                rows,
                (False, True, True, True, False),
                caption="Out-of-sample forecast error of each candidate, pooled over series and folds, and the same "
                "fits' error on the weeks each was trained on.",
            )
        )
    blocks.append(
        Text(
            (
                "How half-saturation scales with the size of a series (0: the same absolute exposure in every "
                "series; 1: the same multiple of each series' own average exposure), learned per channel:",
                *(_power_words(c, float(s), SIZE_WORDS) for c, s in zip(channels, size_scaling, strict=True)),
            )
        )
    )
    if ceiling_scaling is not None:
        blocks.append(
            Text(
                (
                    "How a series' media ceiling (its weekly contribution at full saturation) grows with its spend "
                    "on the channel (0: the same in every series up to brand and region; 1: in proportion to the "
                    "spend), learned per channel:",
                    *(_power_words(c, float(s), CEILING_WORDS) for c, s in zip(channels, ceiling_scaling, strict=True)),
                )
            )
        )
    if words := segment_words(segment_curves, segment_curves_in_advice):
        blocks.append(Text(words))
    # before, "chosen by forecast accuracy" headed a form pinned in the configuration too
    if selection is not None:
        title = "Model form: chosen by forecast accuracy"
    elif form_note:
        title = "Model form: the first candidates (panel too short to choose)"
    else:
        title = "Model form: pinned in the configuration"
    return Section("model-form", title, tuple(blocks))
