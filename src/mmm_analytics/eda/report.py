"""The self-contained HTML report: overview, key findings, interactive charts, figures, tables and notes."""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from plotly.offline import get_plotlyjs

from mmm_analytics.eda.interactive import Chart
from mmm_analytics.eda.outcome import AnalysisOutcome
from mmm_analytics.eda.tables import Overview

#: Report sections in order: anchor -> heading.
SECTIONS: dict[str, str] = {
    "overview": "Data overview",
    "findings": "Key findings",
    "interactive": "Interactive charts",
    "figures": "Figures",
    "tables": "Tables",
    "notes": "Skipped analyses and notes",
}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2630;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff;box-sizing:border-box}
.table-wrap{overflow-x:auto;max-width:100%}
h1{margin-top:0;color:#1f4e79} h2{border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:48px}
nav ol{columns:2;font-size:14px} nav li{margin:2px 0}
table{border-collapse:collapse;font-size:13px;margin:8px 0 20px}
th,td{border:1px solid #d5d9de;padding:4px 8px;text-align:right}
th{background:#eef2f6} td:first-child,th:first-child{text-align:left}
figure{margin:20px 0 36px} figure img{max-width:100%;border:1px solid #e3e6ea}
.question{color:#4a5866;font-style:italic;margin:4px 0 8px}
.note{background:#fff7e6;border-left:4px solid #e07b39;padding:6px 10px;margin:6px 0}
.findings li{margin:6px 0} .chart{border:1px solid #e3e6ea;margin-bottom:28px}
"""


def _table(frame: pd.DataFrame) -> str:
    table = frame.to_html(index=False, border=0, float_format=lambda v: f"{v:,.3f}", na_rep="", escape=True)
    return f'<div class="table-wrap">{table}</div>'


def _overview(overview: Overview) -> str:
    return (
        _table(overview.as_table()) + "<p>Spend is estimated as exposure x CPM / 1000 with the CPMs of "
        "<code>data_config.yaml</code> (a channel with a <code>spend_column</code> uses that column, as the model "
        "does); spend shares, and every ROI later, depend on these CPMs. "
        "Indexes divide each geo x brand (or SKU) series by its own mean, so 1 is an average week.</p>"
    )


def _findings(sentences: Sequence[str]) -> str:
    if not sentences:
        return "<p>No analysis produced a finding.</p>"
    return '<ul class="findings">' + "".join(f"<li>{html.escape(s)}</li>" for s in sentences) + "</ul>"


def _charts(charts: Sequence[Chart]) -> str:
    return "".join(f'<h3>{html.escape(c.title)}</h3><div class="chart">{c.html()}</div>' for c in charts)


def _image(path: Path, alt: str, embed: bool, report_dir: Path) -> str:
    if embed:
        source = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    else:
        source = Path(_relative(path, report_dir)).as_posix()
    return f'<img src="{html.escape(source)}" alt="{html.escape(alt)}" loading="lazy">'


def _relative(path: Path, start: Path) -> str:
    return os.path.relpath(path.resolve(), start.resolve())


def _notes(notes: Sequence[str]) -> str:
    return "".join(f'<p class="note">{html.escape(note)}</p>' for note in notes)


def _figures(outcomes: Sequence[AnalysisOutcome], embed: bool, report_dir: Path) -> str:
    parts = []
    for outcome in outcomes:
        heading = f"{outcome.number:02d}. {outcome.title}"
        body = (
            _notes([f"Skipped: {outcome.skipped}"])
            if outcome.figure is None
            else _image(outcome.figure, heading, embed, report_dir) + _notes(outcome.notes)
        )
        parts.append(
            f'<figure id="{outcome.anchor}"><h3>{html.escape(heading)}</h3>'
            f'<p class="question">{html.escape(outcome.question)}</p>{body}</figure>'
        )
    return "".join(parts)


def _tables(tables: dict[str, pd.DataFrame]) -> str:
    if not tables:
        return "<p>No tables.</p>"
    return "".join(f"<h3>{html.escape(name)}</h3>{_table(frame)}" for name, frame in tables.items())


def _skipped(outcomes: Sequence[AnalysisOutcome]) -> str:
    rows = [(o, f"skipped: {o.skipped}") for o in outcomes if o.skipped]
    rows += [(o, note) for o in outcomes for note in o.notes]
    if not rows:
        return "<p>Every analysis ran on the full data.</p>"
    items = "".join(
        f'<li><a href="#{o.anchor}">{o.number:02d}. {html.escape(o.title)}</a>: {html.escape(text)}</li>'
        for o, text in rows
    )
    return f"<ul>{items}</ul>"


def _contents(outcomes: Sequence[AnalysisOutcome]) -> str:
    figures = "".join(
        f'<li value="{o.number}"><a href="#{o.anchor}">{html.escape(o.title)}</a>'
        f"{' (skipped)' if o.skipped else ''}</li>"
        for o in outcomes
    )
    items = "".join(f'<li><a href="#{anchor}">{heading}</a></li>' for anchor, heading in SECTIONS.items())
    return f'<nav id="contents"><h2>Contents</h2><ul>{items}</ul><h3>Figures</h3><ol>{figures}</ol></nav>'


def build_report(
    overview: Overview,
    findings: Sequence[str],
    charts: Sequence[Chart],
    outcomes: Sequence[AnalysisOutcome],
    tables: dict[str, pd.DataFrame],
    report_dir: Path,
    embed_images: bool = True,
) -> str:
    """The report as one HTML document; the plotly library is inlined once, in the head.

    Parameters
    ----------
    report_dir : Path
        Folder the report is written to (figures are linked relative to it when ``embed_images`` is False).
    embed_images : bool
        Embed the PNGs as base64 (self-contained file) instead of linking them.
    """
    bodies = {
        "overview": _overview(overview),
        "findings": _findings(findings),
        "interactive": _charts(charts) or "<p>No interactive chart could be drawn.</p>",
        "figures": _figures(outcomes, embed_images, report_dir),
        "tables": _tables(tables),
        "notes": _skipped(outcomes),
    }
    sections = "".join(
        f'<section id="{anchor}"><h2>{SECTIONS[anchor]}</h2>{body}</section>' for anchor, body in bodies.items()
    )
    subtitle = f"{overview.first_week:%d %b %Y} to {overview.last_week:%d %b %Y}, {overview.rows:,} rows"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Exploratory analysis of the MMM panel</title><style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body><main>'
        f"<h1>Exploratory analysis of the MMM panel</h1><p>{html.escape(subtitle)}</p>"
        f"{_contents(outcomes)}{sections}</main></body></html>"
    )
