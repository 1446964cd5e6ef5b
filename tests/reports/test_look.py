"""One look for every report: the same stylesheet and navigation, human headers, every ROI named."""

from __future__ import annotations

import re

import pytest

from mmm_analytics.style.page import RESOURCES

from .conftest import Run

PAGES = ("summary.html", "model_report.html", "roi_report.html", "simulation_report.html")
NAMED_ROI = ("historical average roi", "steady-state roi", "marginal roi")


@pytest.mark.parametrize("name", PAGES)
def test_every_report_uses_the_one_stylesheet_and_navigation(small_run: Run, name: str) -> None:
    page = (small_run.reports / name).read_text(encoding="utf-8")
    css = (RESOURCES / "report.css").read_text(encoding="utf-8")
    assert page.count("<style>") == 1 and css in page
    assert f'<a href="{name}" data-report="{name}" class="current" aria-current="page">' in page
    nav = re.search(r'<nav class="reports".*?</nav>', page, re.S).group(0)
    for other in PAGES:  # every report of the run linked from every other, none named as missing
        assert f'<a href="{other}" data-report="{other}"' in nav
    assert page.count("plotly.js v") == 1


@pytest.mark.parametrize("name", PAGES)
def test_headers_are_human_and_every_roi_is_named(small_run: Run, name: str) -> None:
    page = (small_run.reports / name).read_text(encoding="utf-8")
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert not [h for h in headers if "_" in h and not h.startswith("Sales_Value")], headers
    titles = headers + re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page)
    bare = [t for t in titles if "ROI" in t and not any(words in t.lower() for words in NAMED_ROI)]
    assert bare == []


def test_no_number_leaves_as_nan(small_run: Run) -> None:
    for name in PAGES:
        text = re.sub(r"<script>.*?</script>", "", (small_run.reports / name).read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"\b(nan|NaN|inf|Infinity)\b", text), name
