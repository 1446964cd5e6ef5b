"""Every report in headless Chromium at 1366 x 768 and 1920 x 1080: no sideways scrolling, no table
wider than its box, every plotly chart drawn and non-empty, no legend under plotly's toolbar, no
console error; screenshots of each. On a phone (390 x 844) the same, except that a wide table scrolls
in its own box.

The EDA report is checked the same way by ``tests/eda/test_browser.py`` on the EDA tests' run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.reports.browser import Browser, find_chromium
from mmm_analytics.reports.screenshots import take_screenshots
from mmm_analytics.style.page import REPORTS

SIZES = ((1366, 768), (1920, 1080))
PHONE = (390, 844)
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium' (CI's .ci/run does)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as opened:
        yield opened


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", [name for name in REPORTS if name != "eda_report.html"])
def test_report_fits_the_window_and_draws_every_chart(small_run, browser: Browser, name: str, size) -> None:
    view = browser.inspect(small_run.reports / name, *size)
    assert view.problems() == []
    assert view.scroll_width <= view.inner_width
    assert view.charts == view.chart_boxes >= 1


@pytest.mark.parametrize("name", [name for name in REPORTS if name != "eda_report.html"])
def test_report_reads_on_a_phone(small_run, browser: Browser, name: str) -> None:
    """Before, the legends of most charts lay under plotly's toolbar at 390 px (and the response
    curves' at 1366 px): on hover the toolbar hid them and took their clicks, and the model report's
    view menu too. The share and waterfall bars' labels shrank to 5 px; two model-report titles ran
    past their charts."""
    view = browser.inspect(small_run.reports / name, *PHONE)
    assert view.problems(scrolling_tables=True) == []
    assert view.scroll_width <= view.inner_width
    assert view.charts == view.chart_boxes


def test_the_roi_caption_promises_only_lines_on_the_chart(small_run, browser: Browser) -> None:
    """The caption names a marker's colour only when its line is drawn inside the x axis."""
    session = browser._open(small_run.reports / "roi_report.html", 1366, 768)
    try:
        found = browser._evaluate(
            "JSON.stringify({info: document.getElementById('info').textContent,"
            " range: document.getElementById('curve').layout.xaxis.range,"
            " shapes: document.getElementById('curve').layout.shapes.map(s => [s.x0, s.line.color])})",
            session,
        )
    finally:
        browser._close(session)
    import json

    seen = json.loads(found)
    drawn = {color for x, color in seen["shapes"] if isinstance(x, (int, float)) and x <= seen["range"][1]}
    assert ("purple" in seen["info"]) == ("#4b0082" in drawn)
    assert ("gold" in seen["info"]) == ("#b8860b" in drawn)
    assert "INR" in seen["info"]


def test_problems_are_found(tmp_path: Path, browser: Browser) -> None:
    """A page that scrolls sideways, has a wide table, a cut caption, an empty chart and a script error is caught."""
    page = tmp_path / "bad.html"
    row = "".join(f"<td>{'x' * 30}{k}</td>" for k in range(60))
    page.write_text(
        "<!DOCTYPE html><html><body><div style='width:3000px'>wide</div>"
        f"<div id='t' style='width:300px;overflow:auto'><table><caption>The recommended weekly plan</caption>"
        f"<tr>{row}</tr></table></div>"
        "<div id='n' style='width:40px'><table><tr><td style='overflow-wrap:anywhere'>NORTHEAST</td></tr></table></div>"
        "<div id='c' class='chart'></div><div class='chart'></div><script>console.error('boom'); undefinedFunction();</script>"
        "<div id='p' class='js-plotly-plot' style='position:relative;width:200px;height:100px'>"
        "<div class='legend' style='position:absolute;left:120px;top:0;width:60px;height:20px'></div>"
        "<div class='modebar' style='position:absolute;left:150px;top:5px;width:50px;height:20px'></div>"
        "<svg class='main-svg' width='260' height='100'><text class='bartext' y='10' style='font-size:5px'>9%</text>"
        "<text class='gtitle' x='200' y='40'>A title that runs on past the chart's right edge</text></svg>"
        "</div><script>document.getElementById('p')._fullLayout = {_size: {w: 180, h: 14}};</script></body></html>"
    )
    view = browser.inspect(page, 1366, 768)
    problems = " | ".join(view.problems())
    assert "1366" in problems and "table in 't' is wider than its box" in problems
    assert (
        "chart 'p' has its legend or menu under the toolbar" in problems
        and "chart 'p' is wider than its box" in problems
    )
    assert "chart 'p' has bar labels too small to read" in problems and "chart 'p' has its title cut off" in problems
    assert "chart 'p' has its plot squeezed by its margins" in problems  # a 14 px strip of plot
    assert "table in 't'" not in " | ".join(view.problems(scrolling_tables=True))
    assert "a word in a table is split over two lines: n: 'NORTHEAST'" in problems
    # a caption inside a box that scrolls sideways spans its table: on a phone, cut off mid-word
    assert "a caption runs past the window: 'The recommended weekly plan...'" in problems
    assert "1 of 2 charts were drawn" in problems and "boom" in problems and "undefinedFunction" in problems


def test_screenshots_of_every_report(small_run, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("summary.html", "model_report.html"):
        (folder / name).write_bytes((small_run.reports / name).read_bytes())
    shots = take_screenshots(folder)
    assert [p.name for p in shots] == ["summary.png", "model_report.png"]
    assert all(p.parent == folder / "screenshots" and p.read_bytes()[:8] == PNG for p in shots)


def test_a_long_unbroken_name_wraps_inside_its_table(tmp_path: Path, browser: Browser) -> None:
    """Before, a brand or region of 30+ characters without a space widened its table past its box
    (a 1429 px ROI report in a 1351 px window)."""
    from mmm_analytics.style.page import Column, Page, Section, records_table, write_page

    long = "NorthEastAndSikkim" + "L" * 40
    rows = [{"brand": f"O'Brien's{'Z' * 30}", "region": long, **{f"m{k}": 1234567.0 * k for k in range(8)}}] * 3
    columns = [Column("brand", "Brand"), Column("region", "Region")]
    columns += [Column(f"m{k}", f"Measure {k}", "money") for k in range(8)]
    page = Page("Long names", "", (Section("t", "Table", (records_table(rows, columns, "indian"),)),), "summary.html")
    path = write_page(tmp_path / "summary.html", page)
    view = browser.inspect(path, 1366, 768)
    assert view.problems() == [] and view.scroll_width <= view.inner_width


def test_a_long_unbroken_name_wraps_in_a_section_title(tmp_path: Path, browser: Browser) -> None:
    """Before, a simulation for one brand of 40 characters without a space ("Advised allocation (<brand> only)")
    made its section title and its line in the contents 707 px wide on a 390 px phone."""
    from mmm_analytics.style.page import Page, Section, Text, write_page

    title = f"Advised allocation ({'A' * 40} only)"
    sections = (Section("one", title, (Text(("x",)),)), Section("two", "Two", (Text(("y",)),)))
    path = write_page(tmp_path / "summary.html", Page(f"Report of {'B' * 40}", "", sections, "summary.html"))
    view = browser.inspect(path, *PHONE)
    assert view.problems() == [] and view.scroll_width <= view.inner_width


def test_the_roi_curve_axis_labels_its_ticks_in_one_unit(small_run, browser: Browser) -> None:
    """Before, "0, 25K, 50K, 75K, 1 L, 1.25 L": thousands and lakhs on one axis."""
    import json
    import re

    from mmm_analytics.curves.report import _SCRIPT
    from mmm_analytics.style.numbers import UNITS

    functions = re.search(r"function short\(v\).*?\n(?=function fmt)", _SCRIPT, re.S)
    assert functions is not None
    units = json.dumps([[size, suffix] for size, suffix in UNITS[NumberFormat.INDIAN]])

    def labels(top: float) -> list[str]:
        script = (
            f"(function () {{ const DATA = {{units: {units}, locale: 'en-IN'}}; {functions.group(0)} "
            f"return JSON.stringify(ticks({top}).ticktext); }})()"
        )
        return json.loads(browser.evaluate(small_run.reports / "roi_report.html", script))

    for top, expected in ((1.3e5, " L"), (3.2e7, " Cr")):
        suffixes = {re.sub(r"[-\d.]", "", text) for text in labels(top) if text != "0"}
        assert len(labels(top)) >= 3 and suffixes == {expected}, labels(top)
    # below a lakh written out, grouped as everywhere in the Indian format (before, "20K" beside lakh)
    assert labels(9e4) == ["0", "20,000", "40,000", "60,000", "80,000"]


def test_a_printed_report_leaves_out_the_links_and_keeps_cards_and_charts_whole(small_run, browser: Browser) -> None:
    """Before, the page had no print rules: printed, it kept the bar of links on top and split cards and charts
    across pages."""
    look = """JSON.stringify({
        bar: getComputedStyle(document.querySelector('header.site')).display,
        card: getComputedStyle(document.querySelector('.card')).breakInside,
        chart: getComputedStyle(document.querySelector('.chart-box, figure')).breakInside,
    })"""
    import json

    printed = json.loads(browser.evaluate(small_run.reports / "summary.html", look, media="print"))
    assert printed == {"bar": "none", "card": "avoid", "chart": "avoid"}
    on_screen = json.loads(browser.evaluate(small_run.reports / "summary.html", look))
    assert on_screen["bar"] != "none" and on_screen["card"] == "auto"
