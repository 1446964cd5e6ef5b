"""The simulation report: grouped sensitivity bars, scenario descriptions and scope, named ROIs,
human headers and one number format."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.reports.browser import Browser, find_chromium
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.simulator.batch import BatchResults, compute
from mmm_analytics.simulator.export import provenance
from mmm_analytics.simulator.report import ReportInputs, _uplift_text, build_page, write_report
from mmm_analytics.style import numbers
from mmm_analytics.style.page import charts_of, render_page

from .hand_built import build_params, replace_params, write_model

SCENARIOS = """scenarios:
  - name: now
    description: Today's average weekly spend
  - name: brand_a_push
    description: BrandA only, TV up by half
    brand: BrandA
    spend: {TV: '+50%'}
  - name: quiet
    spend: {TV: 0}
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, simulator: MarketingSimulator) -> BatchResults:
    path = tmp_path_factory.mktemp("scenarios") / "s.yaml"
    path.write_text(SCENARIOS)
    return compute(simulator, path)


def _inputs(results: BatchResults, simulator: MarketingSimulator, viz: VizConfig) -> ReportInputs:
    return ReportInputs(
        provenance(simulator),
        results.scenarios,
        results.optimum,
        results.segments,
        results.frontier,
        results.sensitivity,
        simulator.channels,
        viz,
    )


@pytest.fixture(scope="module")
def page(results: BatchResults, simulator: MarketingSimulator, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_report(
        tmp_path_factory.mktemp("report") / "simulation_report.html", _inputs(results, simulator, VizConfig())
    )
    return Path(path).read_text(encoding="utf-8")


def test_sensitivity_bars_are_grouped(results: BatchResults, simulator: MarketingSimulator) -> None:
    charts = charts_of(build_page(_inputs(results, simulator, VizConfig())))
    for base in ("current", "optimum"):
        figure = charts[f"chart-sensitivity-{base}"]
        assert figure["layout"]["barmode"] == "group"
        names = [trace["name"] for trace in figure["data"]]
        assert names == ["-50% spend", "-20% spend", "-10% spend", "+10% spend", "+20% spend", "+50% spend"]


def test_scenarios_show_their_description_and_scope(
    results: BatchResults, simulator: MarketingSimulator, page: str
) -> None:
    assert "Today&#39;s average weekly spend" in page and "BrandA only, TV up by half" in page
    table = re.search(r'<div class="table-box" id="table-scenarios">(.*?)</div>', page, re.S).group(1)
    assert '<td class="word">national</td>' in table and "<td>BrandA only</td>" in table
    chart = charts_of(build_page(_inputs(results, simulator, VizConfig())))["chart-scenarios"]
    assert chart["data"][0]["x"] == ["now", "brand_a_push (BrandA only)", "quiet"]


def test_every_roi_is_named_and_headers_are_human(page: str) -> None:
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert headers and not [h for h in headers if "_" in h]
    for text in headers:
        if "ROI" in text:
            assert text.startswith(("Steady-state ROI", "Marginal ROI")), text
    assert ">Uplift<" in page and re.search(r">[+-]\d+\.\d%<", page)  # shares as percentages


@pytest.mark.parametrize(
    ("number_format", "pattern"), [("indian", r"\d,\d\d,\d{3}"), ("western", r"\d{3},\d{3}")], ids=["indian", "western"]
)
def test_one_number_format(
    results: BatchResults, simulator: MarketingSimulator, number_format: str, pattern: str
) -> None:
    page = build_page(_inputs(results, simulator, VizConfig(number_format=number_format)))
    frontier = next(b for s in page.sections for b in s.blocks if getattr(b, "id", "") == "table-frontier")
    budgets = [row[1].text for row in frontier.rows]
    assert all(re.fullmatch(pattern, b) for b in budgets if len(b) >= 7), budgets
    axis = charts_of(page)["chart-frontier"]["layout"]["xaxis"]
    assert axis["ticktext"] == [numbers.compact(v, number_format) if v else "0" for v in axis["tickvals"]]


def test_the_frontier_marks_todays_budget(results: BatchResults, simulator: MarketingSimulator) -> None:
    """Before, only the summary's frontier marked today's budget; the simulation report's had no mark."""
    page = build_page(_inputs(results, simulator, VizConfig()))
    layout = charts_of(page)["chart-frontier"]["layout"]
    frontier = results.frontier
    today = float(frontier["weekly_budget"].iloc[0] / frontier["budget_multiple"].iloc[0])
    assert layout["shapes"][0]["x0"] == pytest.approx(today, rel=1e-9)
    assert layout["annotations"][0]["text"] == "today's budget"


def test_the_frontier_marks_the_recommended_plan_at_its_budget(
    results: BatchResults, simulator: MarketingSimulator
) -> None:
    """Before, the frontier marked today's budget alone: a plan at another budget (mmm optimize --budget)
    was nowhere on it. The star sits at the advice's budget and expected sales (tolerance 1e-9)."""
    optimum = dataclasses.replace(results.optimum, weekly_budget=1.5 * results.optimum.weekly_budget)
    page = build_page(_inputs(dataclasses.replace(results, optimum=optimum), simulator, VizConfig()))
    chart = next(b for s in page.sections for b in s.blocks if getattr(b, "id", "") == "chart-frontier")
    [star] = [trace for trace in chart.figure["data"] if trace["name"] == "The advice"]
    assert star["x"] == [pytest.approx(optimum.weekly_budget, rel=1e-9)]
    assert star["y"] == [pytest.approx(optimum.expected_incremental_sales, rel=1e-9)]
    assert max(chart.figure["layout"]["xaxis"]["tickvals"]) >= 0.9 * optimum.weekly_budget  # the axis reaches it
    assert chart.caption.endswith(
        "Star: the recommended plan at its budget, with its expected weekly incremental sales."
    )


def test_the_uplift_shows_its_interval_when_the_optimiser_gives_it() -> None:
    plain = SimpleNamespace(uplift=0.072, current_incremental_sales=1000.0)
    full = SimpleNamespace(
        uplift=0.072,
        current_incremental_sales=1000.0,
        uplift_lower=50.0,
        uplift_upper=90.0,
        prob_beats_current=0.97,
        interval_level=0.9,
    )
    assert _uplift_text(plain) == "uplift +7.2%"
    assert _uplift_text(full) == "uplift +7.2% (90% interval +5.0% to +9.0%), 97% chance of beating today's mix"
    json.dumps(vars(full))


def test_every_interval_is_named_with_the_level_it_has(results: BatchResults, simulator: MarketingSimulator) -> None:
    """With ``intervals.level: 0.8`` the terminal said 80% and the page "90% interval" of the same numbers."""
    inputs = _inputs(results, simulator, VizConfig())
    inputs = dataclasses.replace(
        inputs,
        provenance=inputs.provenance | {"interval_level": 0.8},
        optimum=dataclasses.replace(inputs.optimum, interval_level=0.8),
    )
    text = render_page(build_page(inputs))
    assert "80% interval (INR)" in text and "intervals are 80%" in text
    assert "90%" not in text


def test_a_scenario_without_a_description_says_so(page: str) -> None:
    """Before, its 'What changes' cell was empty."""
    assert "(no description in the scenarios file)" in page


def test_the_marginal_roi_sentence_says_what_the_plan_holds() -> None:
    """Before, "every free channel earns the same marginal ROI" was said of every plan, a cautious
    one 16% of the way to the optimum (marginal ROIs 0.96 to 4.04) included."""
    from mmm_analytics.simulator.report import mroi_words

    free = dict.fromkeys(("TV", "YouTube", "Print"), "free")
    equal = mroi_words({"TV": 2.0, "YouTube": 2.01, "Print": 2.02}, free, 1.0)
    assert equal.startswith("At the recommended mix every free channel returns the same marginal ROI (2.01)")
    cautious = mroi_words({"TV": 4.04, "YouTube": 1.29, "Print": 0.96}, free, 0.156)
    assert cautious == (
        "At the recommended mix marginal ROI runs from 0.96 (Print) to 4.04 (TV). The plan goes 16% of the way "
        "to the expected optimum, for a surer gain; the optimum would bring them together."
    )
    held = free | {"TV": "at maximum"}  # a channel held by a limit is not among those equalised
    assert "same marginal ROI (1.13)" not in mroi_words({"TV": 4.04, "YouTube": 1.29, "Print": 0.96}, held, 1.0)
    one_free = {"TV": "at maximum", "YouTube": "locked", "Print": "free"}
    assert mroi_words({"TV": 4.04, "YouTube": 4.04, "Print": 0.96}, one_free, 1.0) == ""  # nothing to compare


def test_the_second_sensitivity_is_named_for_the_plan_it_moves_around() -> None:
    """It was titled 'Sensitivity around the optimum', though it moves around the recommended (cautious) plan,
    which the same page calls a step of the way to the optimum."""
    import pandas as pd

    from mmm_analytics.simulator.report import _tornado_chart

    table = pd.DataFrame(
        {"base": ["optimum"] * 2, "channel": ["TV"] * 2, "change": [-0.1, 0.1], "delta_incremental_sales": [-5.0, 4.0]}
    )
    assert _tornado_chart(table, "optimum", "indian").title == "Sensitivity around the recommended plan"


def test_an_optimiser_warning_reads_as_a_sentence() -> None:
    """After its bold title 'Optimiser warning.' the line went on in lower case."""
    from mmm_analytics.simulator.report import optimiser_note

    note = optimiser_note("the last rupee spent there earns back less than a rupee of sales; consider a smaller budget")
    assert note.title == "Optimiser warning." and note.text.startswith("The last rupee spent there")


#: A brand name of 40 characters, as a client's may be.
LONG_BRAND = "Sunrise Organic Breakfast Cereals Family"


@pytest.fixture(scope="module")
def one_segment_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of ``mmm simulate --brand LONG_BRAND --region NORTHEAST`` on a model of that one segment."""
    folder = tmp_path_factory.mktemp("one-segment")
    params = replace_params(build_params(1, 1, 6), series_brand=(LONG_BRAND,), series_region=("NORTHEAST",))
    simulator = MarketingSimulator.from_model_dir(
        write_model(folder / "model", params), SimulatorSettings(horizon_weeks=13, starts=2)
    )
    (folder / "s.yaml").write_text(SCENARIOS.replace("BrandA", LONG_BRAND))
    results = compute(simulator, folder / "s.yaml", LONG_BRAND, "NORTHEAST")
    return write_report(folder / "simulation_report.html", _inputs(results, simulator, VizConfig()))


def test_scenario_labels_are_wrapped_and_shortened(results: BatchResults, simulator: MarketingSimulator) -> None:
    chart = charts_of(build_page(_inputs(results, simulator, VizConfig())))["chart-scenarios"]
    axis = chart["layout"]["xaxis"]
    assert axis["tickvals"] == chart["data"][0]["x"]  # bars keep their whole, distinct names
    assert axis["ticktext"] == ["now", "brand_a_push<br>(BrandA only)", "quiet"]


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
@pytest.mark.parametrize("size", [(390, 844), (1366, 768)], ids=["phone", "desktop"])
def test_every_chart_is_drawn_for_one_segment_with_a_long_name(one_segment_report: Path, size) -> None:
    """Before, every scenario's label carried the segment ("now (<40 characters> in NORTHEAST only)"):
    turned to fit, the labels pushed the margins until the plot was a 14 px strip at 390 px and 57 px
    at 1366 px, and below nothing plotly drew no chart after it ("Something went wrong with axis scaling")."""
    with Browser() as browser:
        view = browser.inspect(one_segment_report, *size)
    assert view.problems(scrolling_tables=True) == []
    assert view.charts == view.chart_boxes == 5


KEPT = (
    "no allocation beats today's mix in expectation (the best one found changes expected weekly incremental sales "
    "by -120 INR), so today's mix is recommended"
)


def test_the_frontier_claims_no_gain_where_the_advice_keeps_today_s_mix(
    results: BatchResults, simulator: MarketingSimulator
) -> None:
    """Before, "the gap is what reallocation alone earns" stood under advice that kept today's mix because no
    allocation beat it in expectation."""
    import dataclasses

    kept = dataclasses.replace(results.optimum, kept_current=True, warnings=(KEPT,))
    page = build_page(dataclasses.replace(_inputs(results, simulator, VizConfig()), optimum=kept))
    (chart,) = [b for section in page.sections for b in section.blocks if getattr(b, "id", "") == "chart-frontier"]
    assert "reallocation alone earns" not in chart.caption
    assert "The advice keeps today's mix: no allocation beats today's mix in expectation" in chart.caption
    assert "so today's mix is recommended." in chart.caption and "not a gain the advice counts on" in chart.caption
    from mmm_analytics.simulator.report import frontier_caption, kept_reason

    assert kept_reason(False, (KEPT,)) is None
    assert kept_reason(True, ()) == "No allocation beats today's mix in expectation."
    assert frontier_caption(None).endswith("The gap is what reallocation alone earns.")


def _segments(budgets: dict[tuple[str, str], tuple[float, float]]) -> list[dict[str, object]]:
    return [
        {"brand": brand, "region": region, "weekly_budget": advised, "today_weekly_spend": today}
        for (brand, region), (advised, today) in budgets.items()
    ]


def test_budget_moved_between_brands_is_tabled_by_brand_and_region() -> None:
    from mmm_analytics.simulator.report import segment_shift_rows, segment_shift_tables

    moved = _segments(
        {("A", "N"): (150.0, 100.0), ("A", "S"): (100.0, 100.0), ("B", "N"): (50.0, 100.0), ("B", "S"): (100.0, 100.0)}
    )
    by_brand = segment_shift_rows(moved, "brand")
    assert [(r["brand"], r["today"], r["advised"], r["change"]) for r in by_brand] == [
        ("A", 200.0, 250.0, 0.25),
        ("B", 200.0, 150.0, -0.25),
    ]
    assert segment_shift_rows(moved, "region") == []  # no region's share moves: no table
    tables = segment_shift_tables(moved, NumberFormat.INDIAN)
    assert len(tables) == 1 and tables[0].headers[0] == "Brand" and "moves budget between brands" in tables[0].caption
    assert [r["share_change"] for r in by_brand] == [0.25, -0.25] and len(tables[0].headers) == 5  # today's budget
    grown = _segments({("A", "N"): (200.0, 100.0), ("B", "N"): (250.0, 200.0)})  # 50% above today's
    (table,) = segment_shift_tables(grown, NumberFormat.INDIAN)
    assert table.headers[-1] == "Change of its share of the budget"
    assert [row[-1].text for row in table.rows] == ["+33.3%", "-16.7%"]  # each grows, A's share more


def test_a_plan_that_keeps_every_share_or_covers_one_brand_has_no_table() -> None:
    from mmm_analytics.simulator.report import segment_shift_rows

    scaled = _segments({("A", "N"): (150.0, 100.0), ("B", "N"): (300.0, 200.0)})  # a budget 50% up, shares kept
    assert segment_shift_rows(scaled, "brand") == [] and segment_shift_rows(scaled, "region") == []
    one_brand = _segments({("A", "N"): (150.0, 100.0), ("A", "S"): (50.0, 100.0)})
    assert segment_shift_rows(one_brand, "brand") == [] and len(segment_shift_rows(one_brand, "region")) == 2
    assert segment_shift_rows([], "brand") == []
