"""The report page: specs rendered by one template system with autoescape, human headers, safe JSON."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from mmm_analytics.config.viz import NumberFormat, VizConfig
from mmm_analytics.reports.browser import Browser, find_chromium
from mmm_analytics.style import charts, palette
from mmm_analytics.style.page import (
    REPORTS,
    Card,
    Cards,
    Cell,
    Chart,
    Column,
    Details,
    Image,
    Note,
    Page,
    Section,
    Table,
    Text,
    cell_class,
    frame_table,
    header,
    records_table,
    render_page,
    script_json,
    write_page,
    write_report,
)

EVIL = "<script>alert(1)</script>"


def _page(*blocks, file: str = "summary.html") -> str:
    return render_page(Page(f"Title {EVIL}", "sub", (Section("s", "Section", tuple(blocks)),), file))


def test_text_is_escaped_everywhere() -> None:
    table = records_table(
        [{"name": EVIL, "value": 1.0}], (Column("name", EVIL), Column("value", "V", "ratio")), "indian"
    )
    html = _page(Cards((Card(EVIL, EVIL, EVIL),)), table, Note(EVIL, "warning", EVIL), Text((EVIL,)))
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_data_is_strict_json_that_cannot_close_the_script() -> None:
    figure = {"data": [{"type": "bar", "x": [EVIL], "y": [math.nan, math.inf, 1.0]}], "layout": {}}
    html = _page(Chart("chart-a", "A", figure))
    assert EVIL not in html.split("</main>")[1]
    raw = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S).group(1)
    parsed = json.loads(raw)["charts"]["chart-a"]
    assert parsed["data"][0]["y"] == [None, None, 1.0] and parsed["data"][0]["x"] == [EVIL]
    assert '<div id="chart-a" class="chart">' in html
    assert json.loads(str(script_json({"a": "</script>"}))) == {"a": "</script>"}


def test_plotly_is_inlined_once_and_only_when_needed() -> None:
    with_chart = _page(
        Chart("chart-a", "A", {"data": [], "layout": {}}),
        Details("more", (Chart("chart-b", "", {"data": [], "layout": {}}),)),
    )
    assert with_chart.count("plotly.js v") == 1 and '"chart-b"' in with_chart
    assert "plotly.js v" not in _page(Text(("no charts",)))


def test_the_navigation_links_every_report_and_marks_this_one() -> None:
    html = _page(Text(("x",)), file="roi_report.html")
    for name in REPORTS:
        assert f'href="{name}"' in html
    assert '<a href="roi_report.html" data-report="roi_report.html" class="current" aria-current="page">' in html
    assert html.count("<style>") == 1


def _nav(path) -> dict[str, str]:
    """The written page's navigation: report -> its link's href, or "missing" (named, not linked)."""
    nav = re.search(r'<nav class="reports".*?</nav>', path.read_text(encoding="utf-8"), re.S).group(0)
    links = dict(re.findall(r'<a href="([^"]+)" data-report="([^"]+)"', nav))
    shown = {report: href for href, report in links.items()}
    return shown | dict.fromkeys(re.findall(r'<span class="missing" data-report="([^"]+)"', nav), "missing")


def test_written_reports_link_only_the_reports_beside_them(tmp_path) -> None:
    """A report written alone linked four pages that did not exist (the browser's 'file not found');
    each written report now links what is beside it, names the command of the rest, and the reports
    written earlier gain the link to a later one."""
    write_page(tmp_path / "eda_report.html", Page("EDA", "", (), "eda_report.html"))
    assert _nav(tmp_path / "eda_report.html") == {"eda_report.html": "eda_report.html"} | dict.fromkeys(
        ["summary.html", "model_report.html", "roi_report.html", "simulation_report.html"], "missing"
    )
    assert "Not written yet: 'mmm train' writes it" in (tmp_path / "eda_report.html").read_text()
    # Before, 'mmm run' was named for the summary, which steps run one by one never wrote.
    assert "Not written yet: 'mmm report' writes it" in (tmp_path / "eda_report.html").read_text()
    write_report(tmp_path / "model_report.html", _page(Text(("x",)), file="model_report.html"))
    for name in ("eda_report.html", "model_report.html"):
        nav = _nav(tmp_path / name)
        assert nav["eda_report.html"] == "eda_report.html" and nav["model_report.html"] == "model_report.html"
        assert nav["roi_report.html"] == nav["summary.html"] == "missing"
    assert "<h1>EDA</h1>" in (tmp_path / "eda_report.html").read_text()  # the rest of the page kept


def test_a_report_written_under_its_own_name_links_itself_by_that_name(tmp_path) -> None:
    write_page(tmp_path / "roi_report.html", Page("ROI", "", (), "roi_report.html"))
    write_page(tmp_path / "my eda.html", Page("EDA", "", (), "eda_report.html"))
    assert _nav(tmp_path / "my eda.html")["eda_report.html"] == "my eda.html"
    assert _nav(tmp_path / "my eda.html")["roi_report.html"] == "roi_report.html"
    assert _nav(tmp_path / "roi_report.html")["eda_report.html"] == "missing"  # no eda_report.html there


def test_a_page_without_the_navigation_is_left_alone(tmp_path) -> None:
    (tmp_path / "summary.html").write_text("<html><body>mine</body></html>", encoding="utf-8")
    write_page(tmp_path / "roi_report.html", Page("ROI", "", (), "roi_report.html"))
    assert (tmp_path / "summary.html").read_text() == "<html><body>mine</body></html>"
    assert _nav(tmp_path / "roi_report.html")["summary.html"] == "summary.html"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("roi_lower", "ROI lower"),
        ("n_weeks", "Weeks"),
        ("share_pct", "Share (%)"),
        ("spend_inr", "Spend (INR)"),
        ("cpm_inr", "CPM (INR)"),
        ("mean_index_with", "Mean index with"),
    ],
    ids=lambda v: str(v),
)
def test_headers_are_human(name: str, shown: str) -> None:
    assert header(name) == shown


def test_frame_tables_format_numbers_by_kind() -> None:
    frame = pd.DataFrame(
        {"channel": ["TV"], "rows": [11232.0], "spend_inr": [1234567.89], "share_pct": [26.14], "vif": [1.7883]}
    )
    table = frame_table(frame, NumberFormat.INDIAN)
    assert isinstance(table, Table) and table.headers == ("Channel", "Rows", "Spend (INR)", "Share (%)", "VIF")
    assert [c.text for c in table.rows[0]] == ["TV", "11,232", "12,34,568", "26.1%", "1.788"]
    assert table.numeric == (False, True, True, True, True)


def test_a_small_number_in_a_column_of_large_ones_keeps_its_digits() -> None:
    """The EDA's descriptive statistics put a distribution of 0.387 beside sales of lakhs in one Mean column:
    it read "0", as did every promotion share and GDP growth of 5.25."""
    table = frame_table(
        pd.DataFrame({"mean": [1234567.8, 0.387, 5.25, 0.0, 152.4, -0.0456, -0.0]}), NumberFormat.INDIAN
    )
    assert [row[0].text for row in table.rows] == ["12,34,568", "0.387", "5.25", "0", "152", "-0.0456", "0"]


def test_a_column_of_mostly_decimals_keeps_its_decimals() -> None:
    table = frame_table(pd.DataFrame({"cpm_inr": [1.2, 2.0, 6.0]}), NumberFormat.INDIAN)
    assert [row[0].text for row in table.rows] == ["1.200", "2.000", "6.000"]


def test_records_table_shows_shares_as_percentages_and_counts_whole() -> None:
    columns = (Column("share", "Share", "percent"), Column("n", "Weeks", "count"), Column("m", "Money", "money"))
    table = records_table([{"share": 0.261, "n": 156.0, "m": 1e7}], columns, NumberFormat.WESTERN)
    assert [c.text for c in table.rows[0]] == ["26.1%", "156", "10,000,000"]


def test_one_palette_for_matplotlib_and_plotly() -> None:
    viz = VizConfig(channel_colors={"Radio": "#123456"})
    colors = palette.channel_colors(viz, ["TV", "Radio", "Print"])
    assert colors == {"TV": viz.palette[0], "Radio": "#123456", "Print": viz.palette[2]}
    assert palette.part_colors(viz, ["TV"])["base"] == palette.PART_COLORS["base"]
    assert palette.rgba("#1f4e79", 0.2) == "rgba(31, 78, 121, 0.2)"


def test_money_axis_labels_ticks_in_the_number_format() -> None:
    axis = charts.money_axis([0.0, 2.4e7], NumberFormat.INDIAN, "Sales")
    assert axis["ticktext"][-1].endswith("Cr") and axis["tickvals"][-1] >= 2.4e7
    raised = charts.money_axis([1.1e6, 2.0e6], NumberFormat.WESTERN, zero=False)
    assert raised["tickvals"][0] == 1.0e6 and raised["ticktext"][0] == "1M"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("now", "now"),
        ("brand_a_push (BrandA only)", "brand_a_push<br>(BrandA only)"),
        ("x" * 40, "x" * 18 + "<br>" + "x" * 18 + "<br>xxxx"),
        ("a (" + "B" * 60 + " only)", "a (BBBBBBBBBBBBBBB<br>" + "B" * 18 + "<br>" + "B" * 17 + "…"),
        ("Tom & Jerry <b>", "Tom &amp; Jerry &lt;b&gt;"),
    ],
    ids=["short", "at-a-space", "long-word", "too-long", "escaped"],
)
def test_tick_labels_wrap_in_three_lines_at_most(text: str, shown: str) -> None:
    """Plotly neither wraps nor shortens tick labels."""
    assert charts.wrapped(text) == shown


def test_a_sibling_report_that_cannot_be_relinked_is_left_as_it_is(tmp_path, monkeypatch) -> None:
    """A summary.html with one byte that is not UTF-8 beside the reports ended 'mmm simulate' in a
    UnicodeDecodeError after its work was done; a file system without locks ended every report write."""
    import errno
    import fcntl

    odd = b"<html><body><nav class='x'>caf\xe9</nav></body></html>"
    (tmp_path / "summary.html").write_bytes(odd)

    def no_locks(*_args: object) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    write_page(tmp_path / "roi_report.html", Page("ROI", "", (), "roi_report.html"))
    assert (tmp_path / "summary.html").read_bytes() == odd
    assert _nav(tmp_path / "roi_report.html")["summary.html"] == "summary.html"


@pytest.mark.parametrize(
    ("text", "numeric", "kinds"),
    [
        ("BrandA", False, "word"),  # before, 'Bran dA': every cell could break anywhere, so columns were squeezed
        ("2024-06-10", False, "word"),  # one line, hyphens and all
        ("1,06,38,477", True, "num word"),
        ("A third of TV moved", False, ""),  # wraps at its spaces
        ("N" * 31, False, "long"),  # a word too long for any column may break anywhere
        (f"{'N' * 31} x", True, "num long"),
    ],
)
def test_table_cells_break_only_at_spaces_or_in_a_word_too_long_for_a_column(
    text: str, numeric: bool, kinds: str
) -> None:
    assert cell_class(text, numeric) == kinds
    html = _page(Table(("h",), ((Cell(text),),), (numeric,)))
    assert (f'<td class="{kinds}">' if kinds else "<td>") in html


def test_figures_load_with_the_page() -> None:
    """Before, images were lazy: a full-page screenshot (or a print) that never scrolled showed them blank."""
    html = _page(Image("data:image/png;base64,AAAA", "a figure"))
    assert '<img src="data:image/png;base64,AAAA" alt="a figure">' in html and "lazy" not in html


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium'")
def test_a_chart_plotly_cannot_draw_leaves_the_others_drawn(tmp_path) -> None:
    """Before, plotly's error on one chart (its margins, pushed out by long labels, left no plot) ended the
    script: no chart after it was drawn."""
    labels = [f"scenario {k} ({'A' * 40} in NORTHEAST only)" for k in range(3)]
    bad = {
        "data": [{"type": "bar", "x": labels, "y": [1, 2, 3], "name": n} for n in "abcdef"],
        "layout": charts.layout(),
    }
    good = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": charts.layout()}
    blocks = (Chart("chart-bad", "Bad", bad), Chart("chart-good", "Good", good))
    path = write_page(tmp_path / "summary.html", Page("Charts", "", (Section("s", "S", blocks),), "summary.html"))
    with Browser() as browser:
        view = browser.inspect(path, 390, 844)
        drawn = browser.evaluate(path, "!!document.querySelector('#chart-good .cartesianlayer .trace path')", 390, 844)
    assert drawn and view.charts == view.chart_boxes == 2
    assert [text.split(":")[0] for text in view.console_errors] == ["chart chart-bad"]
