"""The summary page: the answers with their evidence, the charts behind them, the assumptions."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.reports.inputs import SummaryInputs, load_inputs
from mmm_analytics.reports.summary import build_summary, fit_cautions, headline_cards, stale_words, uplift_detail
from mmm_analytics.style import numbers
from mmm_analytics.style.page import REPORTS, Chart, Note, charts_of, render_page

from .conftest import Run


def _page(run: Run) -> str:
    return (run.reports / "summary.html").read_text(encoding="utf-8")


def _card(run: Run, question: str) -> str:
    page = _page(run)
    cards = re.findall(
        r'<div class="card [a-z]+"><h3>(.*?)</h3><p class="value">(.*?)</p><p class="detail">(.*?)</p>', page
    )
    return next(f"{value} | {detail}" for title, value, detail in cards if question in title)


def test_media_cards_give_the_total_and_roi_with_intervals(small_run: Run) -> None:
    added = _card(small_run, "What did media add")
    assert re.search(r"INR [\d.]+ (L|Cr) \| .*90% interval INR [\d.]+ (L|Cr) to INR [\d.]+ (L|Cr)", added)
    returned = _card(small_run, "each rupee")
    assert "historical average ROI" in returned and re.search(r"90% interval \d\.\d\d to \d\.\d\d", returned)


def test_grow_and_cut_cards_follow_the_recommendation(small_run: Run) -> None:
    plan = json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())
    moves = {c: plan["allocation"][c] / plan["current_allocation"][c] - 1 for c in plan["allocation"]}
    grow, cut = _card(small_run, "to grow"), _card(small_run, "to cut")
    for channel, move in moves.items():
        if move > 0.05:
            assert channel in grow.split(" | ")[0]
        if move < -0.05:
            assert channel in cut.split(" | ")[0]
    assert "marginal ROI today" in grow + cut
    # before, "every channel returns the same marginal ROI" and "the next rupee earns most here" were
    # said of any plan, a cautious one part of the way to the optimum included
    assert "earns most here" not in grow
    if grow.split(" | ")[0] != "none" and 0 < plan["step"] < 1:
        assert "same marginal ROI" not in grow and "of the way to the expected optimum" in grow
    # A channel is cut because its last rupees earn less than elsewhere, not because it is saturated: before,
    # "Past saturation" was said of a channel cut with a marginal ROI of 1.75.
    assert "saturation" not in cut
    cut_channels = cut.split(" | ")[0]
    assert ("Their last rupees earn less than the same rupees would in the channels to grow" in cut) == (
        cut_channels != "none"
    )


def test_the_plan_card_gives_the_uplift_and_its_evidence(small_run: Run) -> None:
    plan = _card(small_run, "reallocation")
    # Before, "+5.2% sales from media": a share of the sales media brings, read as a share of all sales.
    assert re.match(
        r"INR [\d.,]+(?: L)? a week \| [+-]\d+\.\d% of the sales media brings, [+-]\d+\.\d% of all weekly sales "
        r"\(their average over the data\)\. INR [\d.,]+(?: L)? more incremental sales per week \(the sales media brings",
        plan,
    )
    saved = json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())
    decomposition = pd.read_csv(small_run.paths.reports_dir / "decomposition.csv")
    weekly = decomposition.groupby("date")["actual"].sum().mean()
    gain = saved["expected_incremental_sales"] - saved["current_incremental_sales"]
    assert f"{gain / weekly:+.1%} of all weekly sales" in plan
    if "uplift_lower" in saved:
        assert "90% interval of the uplift" in plan and "chance of beating today" in plan
    else:
        assert "interval of the uplift is not available" in plan


def test_without_an_interval_the_plan_card_says_so() -> None:
    plan = {"weekly_budget": 1000.0, "expected_incremental_sales": 2100.0, "current_incremental_sales": 2000.0}
    assert "the interval of the uplift is not available for this run" in uplift_detail(plan, NumberFormat.INDIAN)


def test_the_plan_card_shows_the_interval_and_chance_when_given() -> None:
    plan = {
        "weekly_budget": 253055.5,
        "expected_incremental_sales": 567628.5,
        "current_incremental_sales": 529496.9,
        "uplift_lower": 27004.3,
        "uplift_upper": 49243.2,
        "prob_beats_current": 0.985,
    }
    text = uplift_detail(plan, NumberFormat.INDIAN)
    assert "INR 38,132 more" in text and "INR 2,53,056" in text
    assert "90% interval of the uplift +5.1% to +9.3% (INR 27,004 to INR 49,243 per week)" in text
    assert "98% chance of beating today's mix" in text
    almost = uplift_detail(plan | {"prob_beats_current": 0.996}, NumberFormat.INDIAN)
    assert "99.6% chance of beating today's mix" in almost  # before: "100% chance", a certainty


def test_every_interval_on_the_page_is_named_with_the_level_it_has(small_run: Run) -> None:
    """With ``intervals.level: 0.8`` the cards and captions said "90% interval" of the curves' and advice's 80% ones;
    then, with the config changed after the steps ran at 0.9, ``mmm report`` named their 90% intervals "80%"."""
    inputs = load_inputs(small_run.paths, level=0.8)
    assert inputs.allocation is not None
    assert inputs.plan_level == 0.9  # as mmm optimize recorded it
    inputs = dataclasses.replace(inputs, roi_level=0.9)  # as mmm curves records it (the next test reads it)
    text = html.unescape(render_page(build_summary(inputs, VizConfig(), small_run.reports)))
    assert (
        "Historical average ROI: each channel's incremental sales over the data period divided by its spend, with the 90% interval"
        in text
    )
    assert "Incremental sales from all media" in text and "80% interval" in text  # the media total, made at 0.8 here
    assert (
        "Intervals are 80% intervals over parameter draws around the fitted model" in text
        and "But the ROIs' are 90% and the advice's 90%, as made before the level changed: re-run 'mmm curves' and "
        "'mmm optimize' for 80% ones."
        in text
    )
    made_at_80 = dataclasses.replace(inputs, roi_level=0.8, allocation={**inputs.allocation, "interval_level": 0.8})
    text = html.unescape(render_page(build_summary(made_at_80, VizConfig(), small_run.reports)))
    assert "80% interval" in text and "Intervals are 80% intervals over parameter draws" in text
    assert "90% interval" not in text and "as made before the level changed" not in text


def test_the_curves_level_is_read_from_their_summary_and_a_file_that_does_not_say_is_taken_at_the_page_s(
    tmp_path: Path,
) -> None:
    from mmm_analytics.reports.inputs import _curves_level
    from mmm_analytics.utils.paths import ProjectPaths

    paths = ProjectPaths(tmp_path)
    assert _curves_level(paths, 0.8) == 0.8  # none written
    paths.reports_dir.mkdir(parents=True)
    (paths.reports_dir / "curves_summary.json").write_text('{"interval": {"level": 0.9, "method": "quantiles"}}')
    assert _curves_level(paths, 0.8) == 0.9
    for text in ('{"interval": {"level": "ninety"}}', '{"interval": {"level": 1.5}}', "[1, 2", "[]"):
        (paths.reports_dir / "curves_summary.json").write_text(text)
        assert _curves_level(paths, 0.8) == 0.8, text


def test_charts_roi_shares_curves_frontier_and_fit(small_run: Run) -> None:
    inputs = load_inputs(small_run.paths)
    charts = charts_of(build_summary(inputs, VizConfig(), small_run.reports))
    assert list(charts) == ["chart-roi", "chart-shares", "chart-curves", "chart-frontier", "chart-fit"]
    roi = charts["chart-roi"]["data"][0]
    assert roi["error_y"]["array"] and min(roi["error_y"]["arrayminus"]) >= 0
    assert [t["name"] for t in charts["chart-shares"]["data"]] == [
        "Share of media spend",
        "Share of media contribution",
    ]
    assert all(t["text"][0].endswith("%") for t in charts["chart-shares"]["data"])
    curves = charts["chart-curves"]["data"]
    symbols = [t["marker"]["symbol"] for t in curves if t.get("mode") == "markers" and t["x"] != [None]]
    assert symbols.count("circle") == symbols.count("diamond") == len(small_run.params.channels)
    assert {t.get("name") for t in curves} >= {"Today's spend", "Recommended spend", *small_run.params.channels}
    fit = {t.get("name"): t for t in charts["chart-fit"]["data"]}
    assert fit["Fitted"]["line"]["dash"] == "dash" and "dash" not in fit["Actual"]["line"]
    assert fit["Fitted"]["line"]["color"] != fit["Actual"]["line"]["color"]
    assert fit["90% prediction band"]["fill"] == "tonexty"
    assert charts["chart-frontier"]["layout"]["shapes"][0]["x0"] == pytest.approx(
        json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())["weekly_budget"]
    )


def test_the_frontier_marks_todays_budget_when_the_advice_is_for_another(small_run: Run) -> None:
    """Before, the mark labelled "today's budget" stood at the advice's budget (mmm optimize --budget)."""
    inputs = load_inputs(small_run.paths)
    today = json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())["weekly_budget"]
    assert inputs.allocation is not None
    other = dataclasses.replace(inputs, allocation={**inputs.allocation, "weekly_budget": 3.0 * today})
    frontier = charts_of(build_summary(other, VizConfig(), small_run.reports))["chart-frontier"]["layout"]
    assert frontier["shapes"][0]["x0"] == pytest.approx(today)
    assert frontier["annotations"][0]["text"] == "today's budget"


def test_the_frontier_marks_the_advice_of_its_own_scope_only(small_run: Run) -> None:
    """The advice's plan is a star at its budget and expected sales (before: not on the frontier at all);
    an advice for one brand x region beside a national frontier has none."""
    inputs = load_inputs(small_run.paths)
    assert inputs.allocation is not None
    budget, sales = inputs.allocation["weekly_budget"], inputs.allocation["expected_incremental_sales"]
    other = dataclasses.replace(inputs, allocation={**inputs.allocation, "weekly_budget": 3.0 * budget})
    page = build_summary(other, VizConfig(), small_run.reports)
    [star] = [t for t in charts_of(page)["chart-frontier"]["data"] if t["name"] == "The advice"]
    assert star["x"] == [pytest.approx(3.0 * budget)] and star["y"] == [pytest.approx(sales)]
    assert "Star: the recommended plan at its budget" in render_page(page)
    brand, region = str(inputs.frontier["brand"].iloc[0]), str(inputs.frontier["region"].iloc[0])
    assert (brand, region) == ("all", "all")
    segment = {**inputs.allocation, "brand": "BrandA", "region": "EAST"}
    elsewhere = build_summary(dataclasses.replace(inputs, allocation=segment), VizConfig(), small_run.reports)
    assert all(t["name"] != "The advice" for t in charts_of(elsewhere)["chart-frontier"]["data"])


def test_the_roi_section_says_where_a_lift_test_would_sharpen_the_answers_most(small_run: Run) -> None:
    from mmm_analytics.curves.summary import experiment_candidates

    inputs = load_inputs(small_run.paths)
    assert inputs.channel_roi is not None
    names = list(experiment_candidates(inputs.channel_roi)["channel"])
    page = render_page(build_summary(inputs, VizConfig(), small_run.reports))
    assert names and "Where to test next." in page and "mmm train --lift-tests" in page
    assert f"The sales credited to {numbers.listing(names)} are the least certain" in page
    none = build_summary(
        dataclasses.replace(inputs, channel_roi=inputs.channel_roi.assign(contribution=0.0)),
        VizConfig(),
        small_run.reports,
    )
    assert "Where to test next." not in render_page(none)


def test_assumptions_name_the_cpms_the_period_and_the_model_form(small_run: Run) -> None:
    section = re.search(r'<section id="assumptions">(.*?)</section>', _page(small_run), re.S).group(1)
    meta = json.loads((small_run.paths.models_dir / "metadata.json").read_text())
    assert f"{meta['date_range'][0]} to {meta['date_range'][1]}" in section
    assert "carryover &#39;beta_gamma&#39;" in section and "saturation &#39;hill&#39;" in section
    assert "fades over the following weeks" in section and "Hill curve" in section
    for channel, cpm in small_run.params.cpm_by_channel.items():
        assert f'<td class="word">{channel}</td><td class="num word">{cpm:.2f}</td>' in section


def test_assumptions_say_when_the_advice_weighs_a_second_saturation_form(small_run: Run, tmp_path: Path) -> None:
    import dataclasses

    from mmm_analytics.style.page import render_page

    inputs = load_inputs(small_run.paths)
    assert inputs.metadata is not None
    selection = {"pooled_saturation": "logistic", "reason": "..."}
    pooled = dataclasses.replace(inputs.metadata, extra=inputs.metadata.extra | {"selection": selection})
    page = render_page(build_summary(dataclasses.replace(inputs, metadata=pooled), VizConfig(), tmp_path))
    section = re.search(r'<section id="assumptions">(.*?)</section>', page, re.S).group(1)
    assert "could not tell saturation &#39;hill&#39; from &#39;logistic&#39;" in section
    assert "judged under both, weighed equally" in section
    assert "are the mean of the two fits&#39;, with intervals that span both" in section
    assert "weighed equally" not in re.search(
        r'<section id="assumptions">(.*?)</section>', _page(small_run), re.S
    ).group(1)
    several = {"pooled_saturations": ["logistic", "sigmoid"], "reason": "..."}
    pooled = dataclasses.replace(inputs.metadata, extra=inputs.metadata.extra | {"selection": several})
    page = render_page(build_summary(dataclasses.replace(inputs, metadata=pooled), VizConfig(), tmp_path))
    section = re.search(r'<section id="assumptions">(.*?)</section>', page, re.S).group(1)
    assert "could not tell saturation &#39;hill&#39; from &#39;logistic&#39; (" in section
    assert ") and &#39;sigmoid&#39; (" in section and "judged under each, weighed equally" in section
    assert "are the mean of the 3 fits&#39;, with intervals that span them all" in section


def test_assumptions_say_when_segments_saturate_at_levels_of_their_own(small_run: Run, tmp_path: Path) -> None:
    import dataclasses

    from mmm_analytics.style.page import render_page

    inputs = load_inputs(small_run.paths)
    assert inputs.metadata is not None
    found = {"spread": {"half_saturation": 0.3, "slope": 0.1}, "identified": {"half_saturation": 0.6, "slope": 0.5}}
    own = dataclasses.replace(inputs.metadata, extra=inputs.metadata.extra | {"segment_curves": found})
    read_own = (inputs.allocation or {}) | {"segment_curves": found["spread"]}  # what mmm optimize writes then
    page = render_page(
        build_summary(dataclasses.replace(inputs, metadata=own, allocation=read_own), VizConfig(), tmp_path)
    )
    section = re.search(r'<section id="assumptions">(.*?)</section>', page, re.S).group(1)
    assert "half-saturation by about +-35% and slope by about +-11%" in section
    assert "judges each on its own curve" in section
    read_fitted = dataclasses.replace(
        inputs, metadata=own, allocation=(inputs.allocation or {}) | {"segment_curves": {}}
    )
    page = render_page(build_summary(read_fitted, VizConfig(), tmp_path))
    assert "own curve" not in re.search(r'<section id="assumptions">(.*?)</section>', page, re.S).group(1)
    same = found | {"spread": {"half_saturation": 0.0, "slope": 0.0}}
    plain = dataclasses.replace(inputs.metadata, extra=inputs.metadata.extra | {"segment_curves": same})
    page = render_page(build_summary(dataclasses.replace(inputs, metadata=plain), VizConfig(), tmp_path))
    assert "own curve" not in re.search(r'<section id="assumptions">(.*?)</section>', page, re.S).group(1)


def test_the_summary_links_every_report(small_run: Run) -> None:
    page = _page(small_run)
    for name in REPORTS:
        assert f'href="{name}"' in page


def test_a_run_without_curves_or_optimisation_says_what_is_missing(small_run: Run, tmp_path: Path) -> None:
    inputs = load_inputs(small_run.paths)
    bare = type(inputs)(
        **{**{k: getattr(inputs, k) for k in inputs.__dataclass_fields__}, "allocation": None, "curves": None}
    )
    cards = headline_cards(bare, NumberFormat.INDIAN)
    values = {card.title: card.value for card in cards.cards}
    assert values["What should we do with the budget?"] == "not available"
    page = build_summary(bare, VizConfig(), tmp_path)
    assert "chart-curves" not in charts_of(page)


def test_western_numbers_on_request(small_run: Run, tmp_path: Path) -> None:
    from tests.reports.conftest import make_run

    western = make_run(tmp_path / "western", VizConfig(number_format="western", dpi=50), eda=False)
    page = _page(western)
    cards = re.search(r'<div class="cards">(.*?)</section>', page, re.S).group(1)
    assert " Cr" not in cards and " L" not in cards and re.search(r"INR [\d.]+[KM]", cards)


def test_the_advice_s_verdicts_are_notes_and_its_warnings_warnings(small_run: Run, tmp_path: Path) -> None:
    """A cautious step or today's mix kept is the advice, said as a sentence; anything else is a warning."""
    inputs = load_inputs(small_run.paths)
    lines = [
        "cautious advice: the recommendation goes 80% of the way from today's mix to the expected optimum",
        "marginal ROI below 1 at the recommendation (Print 0.90 INR per INR)",
    ]
    allocation = {**(inputs.allocation or {}), "warnings": lines}
    told = type(inputs)(**{**{k: getattr(inputs, k) for k in inputs.__dataclass_fields__}, "allocation": allocation})
    (headlines, *_) = build_summary(told, VizConfig(), tmp_path).sections
    notes = [(block.kind, block.title, block.text) for block in headlines.blocks if isinstance(block, Note)]
    assert notes == [
        (
            "note",
            "The advice.",
            "Cautious advice: the recommendation goes 80% of the way from today's mix to the expected optimum.",
        ),
        ("warning", "Optimiser warning.", "Marginal ROI below 1 at the recommendation (Print 0.90 INR per INR)"),
    ]


def test_the_manager_s_page_leaves_the_settings_to_the_analyst(small_run: Run, tmp_path: Path) -> None:
    """Before, the summary's advice named config keys: "(simulator.advice_confidence)", "simulator.data_range:
    false or simulator.data_range_margin ... in model_config.yaml lets it go further" (the simulation report
    and the terminal keep them)."""
    inputs = load_inputs(small_run.paths)
    lines = [
        "no allocation adds enough to be worth a change (the best recommendation found adds +57 INR of expected "
        "weekly sales, 0.24% of what today's mix sells through media, under the 0.5% a change must bring), so "
        "today's mix is recommended (simulator.min_uplift_share)",
        "cautious advice: the recommendation is the plan whose uplift is largest at 95% confidence, the uplift it "
        "exceeds in 95% of posterior draws (simulator.advice_confidence), about 80% of the way from today's mix to the expected optimum",
        "the advice is held within the data's range of weekly spend: TV at its 90th-percentile weekly spend in the data in 3 of 24 segments; "
        "simulator.data_range: false or simulator.data_range_margin (simulator.data_range_quantile for the top) "
        "in model_config.yaml lets it go further",
        "the advice is held within the data's range of weekly spend: TV at its lowest weekly spend in the data; --no-data-range lets it go further",
        "marginal ROI below 1 at the recommendation (Print 0.90 INR per INR): the last rupee spent there earns "
        "back less than a rupee of sales; consider a smaller budget for Print",
    ]
    allocation = {**(inputs.allocation or {}), "warnings": lines}
    told = type(inputs)(**{**{k: getattr(inputs, k) for k in inputs.__dataclass_fields__}, "allocation": allocation})
    (headlines, *_) = build_summary(told, VizConfig(), tmp_path).sections
    texts = [block.text for block in headlines.blocks if isinstance(block, Note)]
    assert texts[-5:] == [
        "No allocation adds enough to be worth a change (the best recommendation found adds +57 INR of expected "
        "weekly sales, 0.24% of what today's mix sells through media, under the 0.5% a change must bring), so "
        "today's mix is recommended.",
        "Cautious advice: the recommendation is the plan whose uplift is largest at 95% confidence, the uplift it "
        "exceeds in 95% of posterior draws, about 80% of the way from today's mix to the expected optimum.",
        "The advice is held within the data's range of weekly spend: TV at its 90th-percentile weekly spend in the data in 3 of 24 segments",
        "The advice is held within the data's range of weekly spend: TV at its lowest weekly spend in the data",
        lines[4][:1].upper() + lines[4][1:],  # a line without a setting is kept whole
    ]


def test_results_of_an_earlier_model_are_left_out_and_named(small_run: Run, tmp_path: Path) -> None:
    """Before, `mmm run --steps data,features,train` showed the new model's media cards beside the earlier
    model's ROI, grow/cut cards and uplift, on one page, without a word (and in the run's closing table)."""
    from mmm_analytics.pipeline import key_numbers

    paths = small_run.paths
    assert load_inputs(paths).stale == () and len(key_numbers(load_inputs(paths))) == 3  # no run: the files as they are
    retrained = {"train": object()}  # this run trained, and ran no later step
    inputs = load_inputs(paths, retrained)
    assert inputs.channel_roi is None and inputs.curves is None and inputs.allocation is None
    assert inputs.frontier is None and inputs.media is not None and inputs.metrics is not None
    assert inputs.stale == (
        "the ROIs (mmm curves)",
        "the response curves (mmm curves)",
        "the advice (mmm optimize)",
        "the budget frontier (mmm simulate)",
    )
    page = render_page(build_summary(inputs, VizConfig(), paths.reports_dir))
    assert "Made from an earlier model." in page and "Left out of this page: the ROIs (mmm curves)" in page
    assert "(the ROI report and the simulation report are that model's too)" in html.unescape(page)
    assert [name for name, _ in key_numbers(inputs)] == ["holdout wMAPE"]
    curves_too = load_inputs(paths, retrained | {"curves": None})  # curves ran (its result not kept here)
    assert curves_too.stale == ("the advice (mmm optimize)", "the budget frontier (mmm simulate)")
    assert "the simulation report is that model's too" in stale_words(curves_too.stale)


def test_the_fit_warnings_of_the_training_are_on_the_page(small_run: Run) -> None:
    """Before, 'mmm train' warned of a fit not to be read (a holdout error of 90%, less than a year of
    weeks) in the terminal only: the summary showed its usual confident cards."""
    import dataclasses

    inputs = load_inputs(small_run.paths)
    assert inputs.metrics is not None and inputs.metadata is not None
    bad = {**inputs.metrics, "holdout": {"overall": {"wmape": 0.9, "r2": -2.0}}}
    page = html.unescape(
        render_page(build_summary(dataclasses.replace(inputs, metrics=bad), VizConfig(), small_run.reports))
    )
    assert "Read the model with care." in page and "off by 90% on average (holdout wMAPE)" in page
    assert "Read the warning below before the figures." in page
    short = dataclasses.replace(inputs.metadata, n_weeks=40, holdout_weeks=4)
    assert "trains on 36 weeks, less than a year" in " ".join(fit_cautions(dataclasses.replace(inputs, metadata=short)))


def test_the_trust_card_says_which_level_its_error_is_of(small_run: Run) -> None:
    """Before, "weekly sales were off by 4.6% ... R² 0.91": a figure of each brand x region, read as national."""
    card = html.unescape(_card(small_run, "trust"))
    metrics = json.loads((small_run.paths.reports_dir / "model_metrics.json").read_text())
    pooled, national = metrics["holdout"]["overall"], metrics["holdout"]["national"]
    assert f"each brand x region's weekly sales were off by {pooled['wmape']:.1%} on average" in card
    assert f"national weekly sales by {national['wmape']:.1%} (R² {national['r2']:.2f})" in card


def test_a_channel_whose_interval_reaches_below_break_even_is_named(small_run: Run) -> None:
    """Before, Print's bar at 1.45 stood over break-even with an interval from 0.83 and no word."""
    import dataclasses

    inputs = load_inputs(small_run.paths)
    assert inputs.channel_roi is not None
    roi = inputs.channel_roi.copy()
    roi[["roi", "roi_lower", "roi_upper"]] = [2.0, 1.5, 3.0]
    roi.loc[roi.index[0], ["roi", "roi_lower", "roi_upper"]] = [1.45, 0.83, 2.81]
    page = html.unescape(
        render_page(build_summary(dataclasses.replace(inputs, channel_roi=roi), VizConfig(), small_run.reports))
    )
    assert f"The 90% intervals of {roi['channel'].iloc[0]} (0.83 to 2.81) reach below 1" in page
    sure = roi.assign(roi_lower=1.2)
    assert "reach below 1" not in render_page(
        build_summary(dataclasses.replace(inputs, channel_roi=sure), VizConfig(), small_run.reports)
    )


def test_the_answers_give_the_recommended_plan_in_rupees(small_run: Run) -> None:
    """Before, the page gave the plan as percentages only ("+17%", "-41%"); the amounts were in another report."""
    from mmm_analytics.reports.summary import plan_table
    from mmm_analytics.style import numbers as shown

    saved = json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())
    page = html.unescape(_page(small_run))
    table = re.search(r'<div class="table-box" id="table-plan">(.*?)</div>', page, re.S)
    assert table is not None and "The recommended weekly plan" in table.group(1)
    for channel, spend in saved["allocation"].items():
        today = saved["current_allocation"][channel]
        assert f">{channel}<" in table.group(1)
        assert shown.grouped(spend) in table.group(1) and shown.grouped(today) in table.group(1)
    assert plan_table(None, NumberFormat.INDIAN) == () and plan_table({"allocation": "x"}, NumberFormat.INDIAN) == ()
    text_for_number = {"allocation": {"TV": 1.0}, "current_allocation": {"TV": None}, "weekly_budget": 1.0}
    assert plan_table(text_for_number, NumberFormat.INDIAN) == ()  # before: a TypeError


def test_a_one_segment_simulation_is_named_beside_the_national_figures(segment_run: Run) -> None:
    """Before, after 'mmm simulate --brand BrandA --region EAST' the page showed that segment's plan, frontier and
    markers beside the national ROIs and curves without a word: its spends marked on the national curves."""
    page = html.unescape(_page(segment_run))
    for question in ("to grow", "to cut", "reallocation"):
        assert "(BrandA in EAST only)?" in html.unescape(re.search(rf"<h3>([^<]*{question}[^<]*)</h3>", page).group(1))
    # The cards quote the segment's own marginal ROI (roi_by_segment.csv), not the national one.
    from mmm_analytics.style import numbers as shown

    segments = pd.read_csv(segment_run.reports / "roi_by_segment.csv")
    east = segments[(segments["brand"] == "BrandA") & (segments["region"] == "EAST")].set_index("channel")
    cards = _card(segment_run, "to grow") + _card(segment_run, "to cut")
    quoted = re.findall(r"(\w+) [+-]\d+% \(marginal ROI there today ([^,]+),", cards)
    assert quoted and "national marginal ROI" not in cards
    assert all(value == shown.ratio(east.loc[channel, "mroi"]) for channel, value in quoted)
    assert "Which part of the market." in page and "is for BrandA in EAST only, on its own weekly budget" in page
    assert re.search(r'<section id="frontier">\s*<h2>Budget frontier \(BrandA in EAST only\)</h2>', page)
    assert "BrandA in EAST only: the weekly budget and sales of that part of the market." in page
    inputs = load_inputs(segment_run.paths)
    assert inputs.plan_roi is not None and set(inputs.plan_roi["region"]) == {"EAST"}
    without_own = render_page(
        build_summary(dataclasses.replace(inputs, plan_roi=None), VizConfig(), segment_run.reports)
    )
    assert "national marginal ROI today" in without_own  # a brand across regions has no row of its own
    charts = charts_of(build_summary(inputs, VizConfig(), segment_run.reports))
    marked = {
        name: [t for t in charts[name]["data"] if t.get("mode") == "markers" and t["x"] != [None]]
        for name in ("chart-curves", "chart-plan-curves")
    }
    assert marked["chart-curves"] == []  # the national curves carry no segment's spends
    names = {t.get("name") for t in charts["chart-curves"]["data"]}
    assert not names & {"Today's spend", "Recommended spend"}  # nor a legend for markers not drawn
    assert {"Today's spend", "Recommended spend"} <= {t.get("name") for t in charts["chart-plan-curves"]["data"]}
    plan = json.loads((segment_run.paths.simulations_dir / "optimal_allocation.json").read_text())
    assert (plan["brand"], plan["region"]) == ("BrandA", "EAST")
    today = sorted(t["x"][0] for t in marked["chart-plan-curves"] if t["marker"]["symbol"] == "circle")
    assert today == pytest.approx(sorted(plan["current_allocation"].values()), rel=1e-9)
    curves = pd.read_parquet(segment_run.reports / "roi_curves.parquet")
    own = curves[(curves["brand"] == "BrandA") & (curves["region"] == "EAST")]
    line = next(t for t in charts["chart-plan-curves"]["data"] if t.get("mode") == "lines")
    assert line["x"] == own[own["channel"] == line["name"]]["spend"].tolist()


def test_national_advice_names_no_part_of_the_market(small_run: Run) -> None:
    page = html.unescape(_page(small_run))
    assert "Which part of the market." not in page and "national marginal ROI" not in page
    assert "National: the weekly budget and sales of every brand and region together." in page
    assert "chart-plan-curves" not in page


def test_the_budget_the_plan_moves_between_brands_and_regions_is_on_the_page(small_run: Run, tmp_path: Path) -> None:
    """The national advice plans each brand x region on its own; the page showed its channel totals alone, whose
    uplift needs the budget moved between brands and regions too (half of it on the default panel)."""
    from mmm_analytics.reports.summary import segment_budgets
    from mmm_analytics.simulator.report import segment_shift_rows

    saved = json.loads((small_run.paths.simulations_dir / "optimal_allocation.json").read_text())
    page = html.unescape(_page(small_run))
    shown = 0
    for level in ("brand", "region"):
        rows = segment_shift_rows(saved["segment_budgets"], level)
        table = re.search(rf'<div class="table-box" id="table-{level}-budget">(.*?)</div>', page, re.S)
        assert (table is not None) == bool(rows)
        for row in rows:
            assert f">{row[level]}<" in table.group(1) and numbers.grouped(row["advised"]) in table.group(1)
        shown += bool(rows)
    assert shown, "the small run's national advice moves budget between brands or regions"
    assert "optimal_allocation.csv" in page
    # A file written before the key, or with a damaged one, gives no table and no traceback.
    for damaged in (None, "x", [{"brand": "A", "region": "N", "weekly_budget": "lots", "today_weekly_spend": 1.0}]):
        plan = {k: v for k, v in saved.items() if k != "segment_budgets"} | (
            {} if damaged is None else {"segment_budgets": damaged}
        )
        assert segment_budgets(plan) == []
    assert segment_budgets(saved) == saved["segment_budgets"]


def test_a_grown_budget_is_read_against_today_s_mix_as_it_is(small_run: Run, tmp_path: Path) -> None:
    """Before, after 'mmm optimize --budget 150%' the grow and cut cards, the plan table and the circles on the
    curves read today's mix scaled up to the new budget as today's, and the card said "the same weekly budget"."""
    import shutil

    from mmm_analytics.config.model import SimulatorSettings
    from mmm_analytics.reports.summary import write_summary
    from mmm_analytics.simulator import MarketingSimulator
    from mmm_analytics.utils.io import write_json
    from mmm_analytics.utils.paths import ProjectPaths

    root = tmp_path / "project"
    shutil.copytree(small_run.paths.root, root)
    paths = ProjectPaths(root)
    simulator = MarketingSimulator.from_model_dir(paths.models_dir, SimulatorSettings(horizon_weeks=13, starts=2))
    today = simulator.current_spend("all", "all")
    result = simulator.optimize_budget(1.5 * sum(today.values()), None, "all", "all")
    write_json(paths.simulations_dir / "optimal_allocation.json", result.to_json_dict())
    run = dataclasses.replace(small_run, paths=paths)
    write_summary(paths, small_run.config)
    page = html.unescape(_page(run))
    moves = {c: result.allocation[c] / today[c] - 1.0 for c in today}
    # Which channels grow or are cut is judged by their share of the budget: at 150% of today's budget every
    # channel's spend may grow while the plan gives some a smaller share (the card said "grow" beside them all).
    shares = {c: result.allocation[c] / result.current_allocation[c] - 1.0 for c in today}
    larger, smaller = _card(run, "get a larger share of the budget"), _card(run, "get a smaller share of the budget")
    cards = html.unescape(larger + smaller)
    for channel, move in moves.items():
        said = f"{channel} {numbers.percent(move, 0, signed=True)} (its share of the budget "
        assert (said in cards) == (abs(round(100 * shares[channel], 1)) >= 5.0)
        if abs(round(100 * shares[channel], 1)) >= 5.0:
            assert said + f"{numbers.percent(shares[channel], 0, signed=True)})" in cards
            assert channel in (larger if shares[channel] > 0 else smaller).split(" | ")[0]
    assert "Which channels to grow" not in page and "Which channels to cut" not in page
    assert "Changes are from today's mix as it is, on a budget 50% above today's." in cards
    plan = html.unescape(_card(run, "reallocation"))
    assert "same weekly budget" not in page and "50% above today's" in plan
    assert "with today's mix scaled to the budget" in plan and "Against today's mix as it is" in plan
    table = re.search(r'<div class="table-box" id="table-plan">(.*?)</div>', page, re.S).group(1)
    assert "today's mix as it is" in table and "50% above today's" in table
    for channel, spend in today.items():
        assert numbers.grouped(spend) in table and numbers.grouped(result.current_allocation[channel]) not in table
    charts = charts_of(build_summary(load_inputs(paths), VizConfig(), paths.reports_dir))
    circles = [t["x"][0] for t in charts["chart-curves"]["data"] if t.get("marker", {}).get("symbol") == "circle"]
    assert sorted(x for x in circles if x is not None) == pytest.approx(sorted(today.values()), rel=1e-9)


def _frontier_caption(inputs: SummaryInputs, tmp_path: Path) -> str:
    page = build_summary(inputs, VizConfig(), tmp_path)
    (chart,) = [b for s in page.sections for b in s.blocks if isinstance(b, Chart) and b.id == "chart-frontier"]
    return chart.caption


def test_the_frontier_claims_no_gain_where_the_advice_keeps_today_s_mix(small_run: Run, tmp_path: Path) -> None:
    """Before, "the gap is what reallocation alone earns" stood under the frontier while the advice above it kept
    today's mix because no allocation beat it in expectation."""
    inputs = load_inputs(small_run.paths)
    assert inputs.allocation is not None and "reallocation alone earns" in _frontier_caption(inputs, tmp_path)
    line = (
        "no allocation beats today's mix in expectation (the best one found changes expected weekly incremental "
        "sales by -120 INR), so today's mix is recommended"
    )
    kept = inputs.allocation | {"kept_current": True, "warnings": [line]}
    caption = _frontier_caption(dataclasses.replace(inputs, allocation=kept), tmp_path)
    assert "reallocation alone earns" not in caption and "not a gain the advice counts on" in caption
    assert "The advice keeps today's mix: no allocation beats today's mix in expectation" in caption
    # Advice for another brand and region says nothing of this frontier's gap.
    elsewhere = kept | {"brand": "BrandA", "region": "EAST"}
    assert "reallocation alone earns" in _frontier_caption(dataclasses.replace(inputs, allocation=elsewhere), tmp_path)


def _cut_card(inputs: SummaryInputs) -> str:
    card = next(
        c
        for c in headline_cards(inputs, NumberFormat.INDIAN).cards
        if "to cut" in c.title or "smaller share" in c.title
    )
    return card.detail


def test_the_cut_card_says_why_in_words_its_figures_bear_out(small_run: Run, segment_run: Run) -> None:
    """Before, after 'mmm optimize --budget 80%' the cut card ended "than in the channels to grow" beside a
    grow card saying "none"; after 'mmm simulate --brand BrandA' it made that claim beside national marginal
    ROIs that could say the opposite."""
    inputs = load_inputs(small_run.paths)
    assert inputs.allocation is not None
    plan = dict(inputs.allocation)
    today = {c: float(v) for c, v in plan["current_allocation"].items()}
    smaller = plan | {
        "allocation": {c: 0.8 * v for c, v in today.items()},
        "weekly_budget": 0.8 * sum(today.values()),
        "today_allocation": today,
        "today_weekly_spend": sum(today.values()),
    }
    # Today's mix scaled down cuts no channel's share of the budget.
    card = next(
        c
        for c in headline_cards(dataclasses.replace(inputs, allocation=smaller), NumberFormat.INDIAN).cards
        if "smaller share" in c.title
    )
    assert card.value == "none" and "No channel's share of the budget is cut by 5% or more" in card.detail
    # The smallest channel's share cut by 10%, the others' grown by less than 5% to make up for it.
    least = min(today, key=today.__getitem__)
    rest = sum(today.values()) - today[least]
    shares = {c: 0.9 if c == least else 1.0 + 0.1 * today[least] / rest for c in today}
    reshaped = smaller | {"allocation": {c: 0.8 * shares[c] * v for c, v in today.items()}}
    detail = _cut_card(dataclasses.replace(inputs, allocation=reshaped))
    assert "No channel's share of the budget grows by 5% or more: the plan gives these less of it." in detail
    assert f"{least} -28% (its share of the budget -10%)" in detail and "channels to grow" not in detail
    segment = load_inputs(segment_run.paths)
    assert segment.allocation is not None and segment.plan_roi is not None
    moved = {c: 1.3 * v for c, v in list(today.items())[:1]} | {c: 0.5 * v for c, v in list(today.items())[1:]}
    brand_only = dict(segment.allocation) | {
        "region": "all",
        "allocation": moved,
        "current_allocation": today,
        "today_allocation": today,
        "weekly_budget": sum(moved.values()),
        "today_weekly_spend": sum(today.values()),
    }
    detail = _cut_card(dataclasses.replace(segment, allocation=brand_only, plan_roi=None))
    assert "The marginal ROIs quoted are national" in detail and "national marginal ROI today" in detail


def test_the_curves_say_their_marks_are_the_point_estimate_not_the_plan_s_figures(
    small_run: Run, tmp_path: Path
) -> None:
    """The cards give the plan's sales as means over the draws of each brand x region's own spend; the curves'
    circles, at the point estimate with spends moved in step, added up to another figure for today's mix."""
    page = build_summary(load_inputs(small_run.paths), VizConfig(), tmp_path)
    (chart,) = [b for s in page.sections for b in s.blocks if isinstance(b, Chart) and b.id == "chart-curves"]
    assert "point estimate" in chart.caption and "means over the model's draws" in chart.caption


def test_a_channel_the_plan_table_shows_at_five_percent_is_one_to_grow(small_run: Run) -> None:
    """Before, the table showed YouTube at +5.0% (4.96%) while the grow card, judging "more than 5%", left it out."""
    inputs = load_inputs(small_run.paths)
    assert inputs.allocation is not None
    today = {c: float(v) for c, v in inputs.allocation["current_allocation"].items()}
    first, second, *rest = today
    moved = {first: 1.0496 * today[first], second: 0.9504 * today[second]} | {c: today[c] for c in rest}
    plan = dict(inputs.allocation) | {
        "allocation": moved,
        "today_allocation": today,
        "weekly_budget": sum(moved.values()),
        "today_weekly_spend": sum(moved.values()),
    }
    cards = {
        c.title: c for c in headline_cards(dataclasses.replace(inputs, allocation=plan), NumberFormat.INDIAN).cards
    }
    grow, cut = cards["Which channels to grow?"], cards["Which channels to cut?"]
    assert (grow.value, cut.value) == (first, second)
    tables = build_summary(dataclasses.replace(inputs, allocation=plan), VizConfig(), small_run.reports).sections
    assert tables  # the plan table shows the same moves, +5.0% and -5.0%
    assert numbers.percent(0.0496, signed=True) == "+5.0%" and numbers.percent(-0.0496, signed=True) == "-5.0%"


def test_the_page_says_what_keeping_each_brand_and_region_s_budget_would_bring(small_run: Run) -> None:
    """Beside the budget the national advice moves between brands and regions: the sum of each one's own advice at
    its own budget today (mmm simulate's segment_optimization.csv), so a manager who cannot move money between
    brands sees what is left to win."""
    from mmm_analytics.reports.summary import segments_alone

    inputs = load_inputs(small_run.paths)
    table, plan = inputs.segment_plans, inputs.allocation
    assert table is not None and plan is not None
    alone = (table["optimal_incremental_sales"] - table["current_incremental_sales"]).sum()
    moved = plan["expected_incremental_sales"] - plan["current_incremental_sales"]
    words = segments_alone(inputs, NumberFormat.INDIAN)
    assert f"brings {numbers.compact_money(alone)} a week in all, against {numbers.compact_money(moved)}" in words
    assert words in html.unescape(_page(small_run))  # under the table of budget moved (the test above)
    # Not for a plan at another budget, of part of the market, or a table of some brand x regions only.
    assert (
        segments_alone(
            dataclasses.replace(inputs, allocation=plan | {"weekly_budget": 2 * plan["weekly_budget"]}),
            NumberFormat.INDIAN,
        )
        == ""
    )
    assert segments_alone(dataclasses.replace(inputs, allocation=plan | {"brand": "BrandA"}), NumberFormat.INDIAN) == ""
    assert segments_alone(dataclasses.replace(inputs, segment_plans=table.iloc[1:]), NumberFormat.INDIAN) == ""
    assert segments_alone(dataclasses.replace(inputs, segment_plans=None), NumberFormat.INDIAN) == ""


def test_a_plan_at_a_budget_of_nothing_says_there_is_nothing_to_compare_with(small_run: Run) -> None:
    """Before, 'mmm optimize --budget 0' put "n/a of the sales media brings" on the plan card."""
    inputs = load_inputs(small_run.paths)
    assert inputs.allocation is not None
    nothing = dict(inputs.allocation) | {
        "weekly_budget": 0.0,
        "allocation": dict.fromkeys(inputs.allocation["allocation"], 0.0),
        "current_allocation": dict.fromkeys(inputs.allocation["allocation"], 0.0),
        "expected_incremental_sales": 0.0,
        "current_incremental_sales": 0.0,
    }
    cards = headline_cards(dataclasses.replace(inputs, allocation=nothing), NumberFormat.INDIAN).cards
    card = next(c for c in cards if "bring" in c.title)
    assert "n/a" not in card.detail and "No media sales to compare with" in card.detail
    assert "of all weekly sales" not in card.detail  # +0.0% of them, beside "none"


def test_the_page_warns_when_its_data_report_is_of_other_data(small_run: Run, tmp_path: Path) -> None:
    mismatch = ("data/processed/clean_panel.parquet", "eda")
    inputs = dataclasses.replace(load_inputs(small_run.paths), eda_of_other_data=mismatch)
    page = html.unescape(render_page(build_summary(inputs, VizConfig(), tmp_path)))
    assert (
        "The data report (eda_report.html) describes an earlier version of 'data/processed/clean_panel.parquet'" in page
    )
    assert "run 'mmm eda' again" in page
    assert "The data report is of other data" not in html.unescape(_page(small_run))
