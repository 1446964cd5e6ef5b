"""The model report's model-form section: the candidates' scores, the winner, the reason, the size scaling."""

from __future__ import annotations

from mmm_analytics.models.selection_report import form_section
from mmm_analytics.style.page import Table, Text

SELECTION = {
    "carryover": "weibull",
    "saturation": "hill",
    "reason": "weibull + hill forecasts better than beta_gamma + hill: out-of-sample RMSE 4.21% vs 4.58%, 4.0 standard errors",
    "folds": [{"origin": 117, "weeks": 13}, {"origin": 130, "weeks": 13}],
    "seconds": 30.0,
    "candidates": [
        {
            "carryover": "beta_gamma",
            "saturation": "hill",
            "out_of_sample_rmse": 0.0458,
            "seconds": 10.0,
            "chosen": False,
        },
        {"carryover": "weibull", "saturation": "hill", "out_of_sample_rmse": 0.0421, "seconds": 11.0, "chosen": True},
    ],
}


def _text(section) -> str:
    return " ".join(p for block in section.blocks if isinstance(block, Text) for p in block.paragraphs)


def test_section_shows_every_candidate_score_the_winner_and_why() -> None:
    section = form_section(SELECTION, ["TV", "Print"], [0.95, 0.05])
    table = next(block for block in section.blocks if isinstance(block, Table))
    assert [row[0].text for row in table.rows] == ["beta_gamma + hill", "weibull + hill"]
    assert [row[1].text for row in table.rows] == ["4.58%", "4.21%"] and table.rows[1][4].text == "chosen"
    assert table.rows[0][4].text == "not chosen" and table.headers[4] == "Verdict"  # before: an empty cell and header
    text = _text(section)
    assert "Weibull carryover" in text and "4.0 standard errors" in text and "weeks 118-130, weeks 131-143" in text
    assert "TV: 0.95, at about the same multiple" in text and "Print: 0.05, at about the same absolute" in text


def test_pinned_forms_say_so() -> None:
    pinned = form_section(None, ["TV"], [1.0])
    assert "pinned" in _text(pinned)
    assert pinned.title == "Model form: pinned in the configuration"  # before, "chosen by forecast accuracy"
    assert form_section(SELECTION, ["TV", "Print"], [0.95, 0.05]).title == "Model form: chosen by forecast accuracy"


def test_a_candidate_that_could_not_be_fitted_says_why_instead_of_a_score() -> None:
    failed = {"carryover": "weibull", "saturation": "hill", "out_of_sample_rmse": None, "seconds": 3.0, "chosen": False}
    selection = SELECTION | {"candidates": [SELECTION["candidates"][0], failed | {"failure": "training diverged"}]}
    table = next(block for block in form_section(selection, ["TV"], [1.0]).blocks if isinstance(block, Table))
    assert table.rows[1][1].text == "could not be fitted: training diverged"


def test_a_pooled_saturation_is_named_in_the_table_and_the_text() -> None:
    logistic = {"carryover": "weibull", "saturation": "logistic", "out_of_sample_rmse": 0.0422, "seconds": 4.0}
    selection = SELECTION | {
        "pooled_saturation": "logistic",
        "candidates": [*SELECTION["candidates"], logistic | {"chosen": False}],
    }
    section = form_section(selection, ["TV"], [1.0])  # a model saved before several forms could be pooled
    table = next(block for block in section.blocks if isinstance(block, Table))
    assert [row[4].text for row in table.rows] == ["not chosen", "chosen", "weighed in the advice"]
    assert [row[2].text for row in table.rows] == ["-", "-", "-"]  # no error on the weeks fitted then
    assert "the two fits are weighed equally: the budget advice (mmm optimize, mmm simulate)" in _text(section)
    assert "are the mean of the two fits', with intervals over both fits' draws" in _text(section)
    assert "weighed" not in _text(form_section(SELECTION, ["TV"], [1.0]))


def test_every_pooled_saturation_and_one_ruled_out_by_the_weeks_fitted_are_named() -> None:
    rivals = [
        {"carryover": "weibull", "saturation": s, "out_of_sample_rmse": 0.0422, "in_sample_rmse": e, "seconds": 4.0}
        for s, e in (("logistic", 0.0301), ("sigmoid", 0.0302))
    ]
    selection = SELECTION | {
        "pooled_saturations": ["logistic"],
        "ruled_out_saturations": ["sigmoid"],
        "candidates": [*SELECTION["candidates"], *(r | {"chosen": False} for r in rivals)],
    }
    table = next(block for block in form_section(selection, ["TV"], [1.0]).blocks if isinstance(block, Table))
    assert table.headers[2] == "Error on the weeks fitted (RMSE)"
    assert [row[2].text for row in table.rows][2:] == ["3.01%", "3.02%"]
    verdicts = [row[4].text for row in table.rows]
    assert verdicts == [
        "not chosen",
        "chosen",
        "weighed in the advice",
        "forecasts as well, fits the training weeks worse",
    ]
    both = selection | {"pooled_saturations": ["logistic", "sigmoid"], "ruled_out_saturations": []}
    text = _text(form_section(both, ["TV"], [1.0]))
    assert "cannot tell logistic saturation (S-shaped) and sigmoid saturation (concave) from the chosen" in text
    assert "each was fitted too, and the 3 fits are weighed equally" in text
    assert "judges a plan over every fit's draws, under every shape of diminishing returns" in text


def test_the_segments_own_curves_are_reported_with_what_the_advice_does_with_them() -> None:
    found = {
        "spread": {"half_saturation": 0.3, "slope": 0.0},
        "identified": {"half_saturation": 0.62, "slope": 0.5},
        "by_channel": {"TV": {"half_saturation": 0.3, "slope": 0.0}},
    }
    text = _text(form_section(SELECTION, ["TV"], [1.0], found))
    assert "half-saturation by about +-35%" in text and "slope by about +-0%" in text
    assert "62% of them their own half-saturation" in text and "judges each segment on its own curve" in text
    same = found | {"spread": {"half_saturation": 0.0, "slope": 0.0}}
    assert "differ no more than their noise explains" in _text(form_section(SELECTION, ["TV"], [1.0], same))
    same_text = _text(form_section(SELECTION, ["TV"], [1.0], same))
    # Before, "uses the fitted curves as they are" stood beside the training table's "own curves in the advice: yes".
    assert "uses the fitted curves as they are (simulator.segment_curves is on, but there is no spread" in same_text
    assert "own weeks" not in _text(form_section(SELECTION, ["TV"], [1.0]))
    off = _text(form_section(SELECTION, ["TV"], [1.0], found, segment_curves_in_advice=False))
    assert "segments differ in half-saturation" in off and "simulator.segment_curves: false" in off
    assert "judges each segment" not in off
    sigmoid = {"spread": {"half_saturation": 0.2, "slope": 0.0}, "identified": {"half_saturation": 0.4}}
    assert "slope" not in _text(form_section(SELECTION, ["TV"], [1.0], sigmoid | {"by_channel": {}}))


def test_forms_a_short_panel_could_not_choose_are_not_called_pinned() -> None:
    note = "the form choice needs 65 training weeks and the panel has 47"
    section = form_section(None, ["TV"], [1.0], form_note=note)
    assert section.title == "Model form: the first candidates (panel too short to choose)"
    assert f"Not chosen by the data: {note}." in _text(section) and "pinned" not in _text(section)
    assert form_section(None, ["TV"], [1.0]).title == "Model form: pinned in the configuration"


def test_the_learned_ceiling_scaling_is_reported_per_channel_in_words() -> None:
    text = _text(form_section(SELECTION, ["TV", "Print", "Radio"], [1.0, 1.0, 1.0], ceiling_scaling=[0.93, 0.1, 0.5]))
    assert "How a series' media ceiling" in text
    assert "TV: 0.93, about in proportion to the series' spend on it" in text
    assert "Print: 0.10, about the same in every series of a brand and region" in text
    assert "Radio: 0.50, in between" in text
    assert "media ceiling" not in _text(form_section(SELECTION, ["TV"], [1.0]))  # not learned: not reported
