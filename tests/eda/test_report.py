"""The HTML report: every section, the plotly library once, figures embedded, notes shown, numbers
in the configured grouping under human headers."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
from markupsafe import escape
from plotly.offline import get_plotlyjs

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.registry import ANALYSES
from mmm_analytics.eda.report import SECTIONS, build_report


def test_report_has_every_section_and_contents_links(eda_run) -> None:
    html = eda_run.report.read_text(encoding="utf-8")
    for anchor, heading in SECTIONS.items():
        assert f'<section id="{anchor}"><h2>{heading}</h2>' in html
        assert f'href="#{anchor}"' in html
    for analysis in ANALYSES:
        assert f'id="fig-{analysis.number:02d}-{analysis.slug}"' in html
        assert f'href="#fig-{analysis.number:02d}-{analysis.slug}"' in html


def test_plotly_is_inlined_once_and_no_cdn_is_used(eda_run) -> None:
    html = eda_run.report.read_text(encoding="utf-8")
    library = get_plotlyjs()
    assert html.count(library[:300]) == 1
    rest = html.replace(library, "")
    assert "cdn.plot.ly" not in rest and "<script src=" not in rest
    data = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', rest, re.S).group(1)
    charts = json.loads(data)["charts"]
    assert len(charts) >= 5 and all(f'<div id="{key}" class="chart">' in rest for key in charts)


def test_figures_are_embedded_and_findings_listed(eda_run) -> None:
    html = eda_run.report.read_text(encoding="utf-8").replace(get_plotlyjs(), "")
    assert html.count('src="data:image/png;base64,') == len(eda_run.figures) == len(ANALYSES)
    for sentence in eda_run.findings:
        assert str(escape(sentence)) in html
    overview = re.search(r'<section id="overview">(.*?)</section>', html, re.S).group(1)
    assert "832" in overview and "104" in overview and "CENTRAL, EAST" in overview
    assert re.search(r"INR \d{1,2},\d{2},\d{2},\d{3}<", overview)  # crores grouped the Indian way


def test_tables_have_human_headers_and_whole_counts(eda_run, tmp_path: Path) -> None:
    """No snake_case header; a count shows no decimals; a percent column ends in %; Western on request."""
    frame = {"channel": ["TV"], "cpm_inr": [1.2], "spend_inr": [1234567.891], "share_pct": [26.1], "n_rows": [11232.0]}
    tables = {"spend_share": pd.DataFrame(frame)}
    western = build_report(eda_run.overview, [], [], eda_run.outcomes, tables, tmp_path, True, NumberFormat.WESTERN)
    indian = build_report(eda_run.overview, [], [], eda_run.outcomes, tables, tmp_path, True, NumberFormat.INDIAN)
    headers = re.findall(r"<th[^>]*>(.*?)</th>", western)
    assert "_" not in "".join(headers) and "Share (%)" in headers and "Spend (INR)" in headers
    assert ">11,232<" in western and "11,232.0" not in western and ">26.1%<" in western
    assert ">1,234,568<" in western and ">12,34,568<" in indian


def test_skipped_analysis_shows_its_reason_and_links_can_be_relative(eda_run, tmp_path: Path) -> None:
    outcomes = list(eda_run.outcomes)
    outcomes[4] = replace(outcomes[4], result=None, figure=None, skipped="the panel is too short")
    report_dir = eda_run.figures[0].parent.parent
    html = build_report(eda_run.overview, eda_run.findings, [], outcomes, {}, report_dir, embed_images=False)
    assert '<p class="note">Skipped: the panel is too short</p>' in html
    assert "(skipped)" in html and "skipped: the panel is too short" in html
    assert 'src="figures/01_sales_trend_brand.png"' in html
    assert "No interactive chart could be drawn." in html
