"""The self-contained HTML report on the shared layout: overview, key findings, interactive charts,
figures, tables and notes."""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.eda.interactive import Chart
from mmm_analytics.eda.outcome import AnalysisOutcome
from mmm_analytics.eda.tables import Overview
from mmm_analytics.style import numbers
from mmm_analytics.style.page import (
    Block,
    Cell,
    Image,
    Note,
    Page,
    Raw,
    Section,
    Table,
    Text,
    frame_table,
    header,
    render_page,
)

FILE = "eda_report.html"
#: Report sections in order: anchor -> heading.
SECTIONS: dict[str, str] = {
    "overview": "Data overview",
    "findings": "Key findings",
    "interactive": "Interactive charts",
    "figures": "Figures",
    "tables": "Tables",
    "notes": "Skipped analyses and notes",
}
OVERVIEW_NOTE = (
    "Spend is estimated as exposure x CPM / 1000 with the CPMs of data_config.yaml (a channel with a spend_column "
    "uses that column, as the model does); spend shares, and every ROI later, depend on these CPMs. Indexes divide "
    "each geo x brand (or SKU) series by its own mean, so 1 is an average week."
)


def _list(items: Sequence[Markup | str], css: str = "plain") -> Raw:
    """An unordered list; plain strings are escaped."""
    return Raw(
        Markup(f'<ul class="{css}">')
        + Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
        + Markup("</ul>")
    )


def _overview(overview: Overview, fmt: NumberFormat) -> tuple[Block, ...]:
    """Counts, dates and totals, every number in the configured grouping."""
    items = [
        ("Rows", numbers.count(overview.rows, fmt)),
        ("Weeks", numbers.count(overview.weeks, fmt)),
        ("Date range", f"{overview.first_week:%Y-%m-%d} to {overview.last_week:%Y-%m-%d}"),
        (f"Geos ({len(overview.geos)})", ", ".join(overview.geos)),
        (f"Brands ({len(overview.brands)})", ", ".join(overview.brands)),
        ("SKUs", numbers.count(overview.skus, fmt)),
        (f"Channels ({len(overview.channels)})", ", ".join(overview.channels)),
        ("Total Sales_Value", numbers.money(overview.total_sales_inr, fmt)),
        ("Total Sales_Units", f"{numbers.count(overview.total_units, fmt)} units"),
        (
            "Total media spend",
            f"{numbers.money(overview.total_spend_inr, fmt)} (exposure x CPM / 1000, or spend column)",
        ),
    ]
    table = Table(("Item", "Value"), tuple((Cell(k), Cell(v)) for k, v in items), (False, False))
    return table, Text((OVERVIEW_NOTE,))


def _findings(sentences: Sequence[str]) -> tuple[Block, ...]:
    if not sentences:
        return (Text(("No analysis produced a finding.",)),)
    return (_list(list(sentences), "plain findings"),)


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _image(path: Path, alt: str, embed: bool, report_dir: Path) -> str:
    if embed:
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return _relative(path, report_dir)


def _figures(outcomes: Sequence[AnalysisOutcome], embed: bool, report_dir: Path) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for outcome in outcomes:
        heading = f"{outcome.number:02d}. {outcome.title}"
        blocks.append(Raw(Markup('<h3 id="{}">{}</h3>').format(outcome.anchor, heading)))
        blocks.append(Text((outcome.question,)))
        if outcome.figure is None:
            blocks.append(Note(f"Skipped: {outcome.skipped}"))
            continue
        blocks.append(Image(_image(outcome.figure, heading, embed, report_dir), heading))
        blocks += [Note(note) for note in outcome.notes]
    return tuple(blocks)


def _tables(tables: dict[str, pd.DataFrame], fmt: NumberFormat) -> tuple[Block, ...]:
    if not tables:
        return (Text(("No tables.",)),)
    return tuple(frame_table(frame, fmt, caption=header(name)) for name, frame in tables.items())


def _skipped(outcomes: Sequence[AnalysisOutcome]) -> tuple[Block, ...]:
    rows = [(o, f"skipped: {o.skipped}") for o in outcomes if o.skipped]
    rows += [(o, note) for o in outcomes for note in o.notes]
    if not rows:
        return (Text(("Every analysis ran on the full data.",)),)
    link = '<a href="#{}">{:02d}. {}</a>: {}'
    return (_list([Markup(link).format(o.anchor, o.number, o.title, text) for o, text in rows]),)


def _contents(outcomes: Sequence[AnalysisOutcome]) -> Raw:
    items = Markup("").join(
        Markup('<li value="{}"><a href="#{}">{}</a>{}</li>').format(
            o.number, o.anchor, o.title, " (skipped)" if o.skipped else ""
        )
        for o in outcomes
    )
    return Raw(
        Markup('<nav class="contents" aria-label="Figures"><h2>Figures</h2><ol>') + items + Markup("</ol></nav>")
    )


def build_report(
    overview: Overview,
    findings: Sequence[str],
    charts: Sequence[Chart],
    outcomes: Sequence[AnalysisOutcome],
    tables: dict[str, pd.DataFrame],
    report_dir: Path,
    embed_images: bool = True,
    number_format: NumberFormat = NumberFormat.INDIAN,
) -> str:
    """The report as one HTML document; the plotly library is inlined once, in the head.

    Parameters
    ----------
    report_dir : Path
        Folder the report is written to (figures are linked relative to it when ``embed_images`` is False).
    embed_images : bool
        Embed the PNGs as base64 (self-contained file) instead of linking them.
    number_format : NumberFormat
        Digit grouping of the tables.
    """
    interactive = tuple(c.spec() for c in charts) or (Text(("No interactive chart could be drawn.",)),)
    bodies: dict[str, tuple[Block, ...]] = {
        "overview": _overview(overview, number_format),
        "findings": _findings(findings),
        "interactive": interactive,
        "figures": (_contents(outcomes), *_figures(outcomes, embed_images, report_dir)),
        "tables": _tables(tables, number_format),
        "notes": _skipped(outcomes),
    }
    rows = numbers.count(overview.rows, number_format)
    subtitle = f"{overview.first_week:%Y-%m-%d} to {overview.last_week:%Y-%m-%d}, {rows} rows"
    sections = tuple(Section(anchor, SECTIONS[anchor], body) for anchor, body in bodies.items())
    return render_page(Page("Exploratory analysis of the MMM panel", subtitle, sections, FILE))
