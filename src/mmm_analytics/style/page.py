"""Every HTML report from small specs and one Jinja2 template system (autoescape on).

A report is a :class:`Page` of :class:`Section` s, each a list of blocks: a grid of
:class:`Card` s, a plotly :class:`Chart`, a :class:`Table`, a static :class:`Image`, a
:class:`Note`, :class:`Text` or trusted :class:`Raw` HTML. Each block is drawn by its own
template in ``mmm_analytics/resources/`` inside ``base.html.jinja``, the layout every
report shares: the one stylesheet (``report.css``), the navigation between the reports,
the plotly library inlined once and the charts' data as one JSON document, drawn by
``report.js``. The page needs no network.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style import numbers

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


class Report(NamedTuple):
    """A report of a run: its link text and the command that writes it (named where it is not written yet)."""

    label: str
    command: str


#: The reports of a run, in reading order, by file name.
REPORTS: dict[str, Report] = {
    "summary.html": Report("Summary", "mmm report"),
    "eda_report.html": Report("Data exploration", "mmm eda"),
    "model_report.html": Report("Model fit", "mmm train"),
    "roi_report.html": Report("ROI curves", "mmm curves"),
    "simulation_report.html": Report("Budget simulation", "mmm simulate"),
}
#: The navigation between the reports in a written page (the first in its body).
NAV = re.compile(r'<nav class="reports" aria-label="Reports">.*?</nav>', re.S)
#: The report a written page's navigation marks as itself.
NAV_CURRENT = re.compile(r'data-report="([^"]+)" class="current"')
#: Plotly's options for every chart: fits its box, no logo, no network; the toolbar keeps zoom, pan,
#: reset and the picture (no box or lasso select, which these charts do nothing with).
PLOTLY_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}

type Tone = Literal["good", "bad", "neutral"]
type NoteKind = Literal["assumption", "note", "warning"]


@dataclass(frozen=True, slots=True)
class Card:
    """A headline: the question a manager asks, the answer, and the evidence below it."""

    title: str
    value: str
    detail: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True, slots=True)
class Cards:
    cards: tuple[Card, ...]
    template: ClassVar[str] = "cards.html.jinja"


@dataclass(frozen=True, slots=True)
class Chart:
    """A plotly chart: ``figure`` is plotly's JSON (``{"data": [...], "layout": {...}}``)."""

    id: str
    title: str
    figure: Mapping[str, Any]
    caption: str = ""
    height: int = 440
    template: ClassVar[str] = "chart.html.jinja"


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: the text shown and the value a sortable table sorts on."""

    text: str
    sort: float | str | None = None


#: Characters in a word beyond which a table cell may break it anywhere; shorter words (names, dates,
#: numbers) never break, so the browser sizes each column to its longest word.
LONG_WORD = 30


def cell_class(text: object, numeric: bool) -> str:
    """The CSS classes of a table cell showing ``text``: ``num`` (right-aligned), ``word`` (one short word
    kept on one line, hyphens and all: a name, a date) or ``long`` (a word longer than :data:`LONG_WORD`
    characters, which may break anywhere rather than widen its table)."""
    words = str(text).split()
    kinds = ["num"] if numeric else []
    if any(len(word) > LONG_WORD for word in words):
        kinds.append("long")
    elif len(words) == 1:
        kinds.append("word")
    return " ".join(kinds)


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under human headers; ``numeric`` right-aligns a column."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""
    sortable: bool = False
    id: str = ""
    template: ClassVar[str] = "table.html.jinja"


@dataclass(frozen=True, slots=True)
class Image:
    """A static figure: ``src`` a relative path or a ``data:`` URI."""

    src: str
    alt: str
    caption: str = ""
    id: str = ""
    template: ClassVar[str] = "image.html.jinja"


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    kind: NoteKind = "note"
    title: str = ""
    template: ClassVar[str] = "note.html.jinja"


@dataclass(frozen=True, slots=True)
class Text:
    paragraphs: tuple[str, ...]
    template: ClassVar[str] = "text.html.jinja"


@dataclass(frozen=True, slots=True)
class Raw:
    """HTML built by this package with every value escaped (controls, lists of links)."""

    html: Markup
    template: ClassVar[str] = "raw.html.jinja"


@dataclass(frozen=True, slots=True)
class Details:
    """Blocks folded away under a one-line summary (long tables)."""

    summary: str
    blocks: tuple[Block, ...]
    template: ClassVar[str] = "details.html.jinja"


type Block = Cards | Chart | Table | Image | Note | Text | Raw | Details


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """A whole report; ``file`` is its name among :data:`REPORTS` (highlighted in the navigation)."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    file: str
    contents: bool = True
    scripts: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    plotly: bool = False


type Kind = Literal["text", "money", "compact", "count", "percent", "signed", "ratio"]


@dataclass(frozen=True, slots=True)
class Column:
    """How a table column is shown: its key in the frame, its header and its kind of number."""

    key: str
    header: str
    kind: Kind = "text"
    decimals: int = 2


#: Words written in capitals in a header.
ACRONYMS = frozenset(
    {
        "roi",
        "mroi",
        "cpm",
        "inr",
        "tv",
        "sku",
        "skus",
        "acf",
        "r2",
        "mape",
        "wmape",
        "nrmse",
        "vif",
        "stl",
        "cpi",
        "gdp",
    }
)


#: Last words of a column name that become its unit.
UNITS: dict[str, str] = {"pct": "(%)", "inr": "(INR)"}


def header(name: str) -> str:
    """A column name as a person reads it: ``roi_lower`` -> ``ROI lower``, ``n_weeks`` -> ``Weeks``,
    ``share_pct`` -> ``Share (%)``, ``spend_inr`` -> ``Spend (INR)``."""
    words = [w for w in name.replace(".", " ").replace("_", " ").split() if w != "n" or name == "n"]
    unit = UNITS.get(words[-1].lower(), "") if len(words) > 1 else ""
    words = [*words[:-1], unit] if unit else words
    text = " ".join(w.upper() if w.lower() in ACRONYMS else w for w in words)
    return text[:1].upper() + text[1:] if text else name


def show(value: object, kind: Kind, fmt: NumberFormat, decimals: int = 2) -> str:
    """``value`` as text of its kind (money grouped per ``fmt``, shares as percentages, ...)."""
    match kind:
        case "text":
            return numbers.MISSING if value is None else str(value)
        case "money":
            return numbers.grouped(value, fmt)
        case "compact":
            return numbers.compact(value, fmt)
        case "count":
            return numbers.count(value, fmt)
        case "percent":
            return numbers.percent(value)
        case "signed":
            return numbers.percent(value, signed=True)
        case "ratio":
            return numbers.ratio(value, decimals)
    raise ValueError(f"unknown kind of number {kind!r}")


def cell(value: object, kind: Kind, fmt: NumberFormat, decimals: int = 2) -> Cell:
    """A cell that shows ``value`` per ``kind`` and sorts on the value itself."""
    sort = str(value) if kind == "text" else numbers.finite(value)
    return Cell(show(value, kind, fmt, decimals), sort)


def records_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: NumberFormat,
    *,
    caption: str = "",
    sortable: bool = False,
    id: str = "",
) -> Table:
    """A table of ``records`` (one mapping per row, e.g. ``frame.to_dict("records")``)."""
    rows = tuple(tuple(cell(row.get(c.key), c.kind, fmt, c.decimals) for c in columns) for row in records)
    return Table(
        headers=tuple(c.header for c in columns),
        rows=rows,
        numeric=tuple(c.kind != "text" for c in columns),
        caption=caption,
        sortable=sortable,
        id=id,
    )


def _column_kind(values: Sequence[object], column: str) -> str:
    """How an undescribed column is shown: ``pct`` (already in percent), ``whole`` (counts),
    ``large`` (grouped, no decimals; under 100, 3 significant digits), ``small`` (3 decimals) or ``text``."""
    found = [numbers.finite(v) for v in values if not isinstance(v, str)]
    finite = [v for v in found if v is not None]
    if not finite:
        return "text"
    if column.endswith("pct"):
        return "pct"
    if all(v == int(v) and abs(v) < 1e15 for v in finite):
        return "whole"
    return "large" if max(abs(v) for v in finite) >= 1000 else "small"


def _generic(value: object, kind: str, fmt: NumberFormat) -> Cell:
    """A cell of an undescribed column of ``kind`` (:func:`_column_kind`)."""
    number = None if isinstance(value, str) else numbers.finite(value)
    if number is None or kind == "text":
        text = numbers.MISSING if value is None or isinstance(value, float) else str(value)
        return Cell(text, text)
    match kind:
        case "pct":
            text = f"{number:.1f}%"
        case "whole":
            text = numbers.grouped(number, fmt, 0)
        case "large":  # a small number among large ones keeps 3 significant digits (a mean of 0.387 read "0")
            text = numbers.grouped(number, fmt, 0) if abs(number) >= 100 else numbers.compact(number, fmt)
        case _:
            text = numbers.ratio(number, 3)
    return Cell(text, number)


def frame_table(frame: Any, fmt: NumberFormat, caption: str = "", sortable: bool = False) -> Table:
    """Any data frame as a table: human headers; each column's numbers shown alike
    (percent columns with ``%``, whole numbers without decimals, large numbers grouped)."""
    columns = [str(c) for c in frame.columns]
    kinds = [_column_kind(frame[c].tolist(), name) for c, name in zip(frame.columns, columns)]
    rows = tuple(tuple(_generic(v, k, fmt) for k, v in zip(kinds, values)) for values in frame.itertuples(index=False))
    numeric = tuple(bool(frame[c].dtype.kind in "iuf") for c in frame.columns)
    return Table(tuple(header(c) for c in columns), rows, numeric, caption=caption, sortable=sortable)


def _finite_json(data: Any) -> Any:
    """``data`` with every non-finite float as None (JSON null: a gap in a chart)."""
    if isinstance(data, Mapping):
        return {str(key): _finite_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite_json(value) for value in data]
    if isinstance(data, float):
        return numbers.finite(data)
    return data


def script_json(data: Any) -> Markup:
    """Strict JSON that is safe inside ``<script>`` (every ``<`` escaped; non-finite numbers as null)."""
    from mmm_analytics.utils.io import json_ready

    text = json.dumps(_finite_json(json_ready(data, nulls=True)), allow_nan=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c"))  # no tag can start inside the script


def figure_json(figure: Any) -> dict[str, Any]:
    """A ``plotly.graph_objects.Figure`` as plotly's JSON (numpy arrays as lists, NaN as null)."""
    import plotly.io as pio

    parsed: dict[str, Any] = json.loads(pio.to_json(figure, validate=False, remove_uids=True))
    return parsed


@cache
def environment() -> Environment:
    """The one Jinja2 environment of the reports: autoescape on, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(RESOURCES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["cell_class"] = cell_class
    return env


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _asset(name: str) -> Markup:
    return Markup((RESOURCES / name).read_text(encoding="utf-8"))  # our own file


def _charts_in(blocks: Sequence[Block]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for block in blocks:
        if isinstance(block, Chart):
            found[block.id] = block.figure
        elif isinstance(block, Details):
            found |= _charts_in(block.blocks)
    return found


def charts_of(page: Page) -> dict[str, Mapping[str, Any]]:
    """Every chart of ``page`` by div id, in page order."""
    return _charts_in([block for section in page.sections for block in section.blocks])


def nav_links(current: str, written: Collection[str] | None = None, own_name: str | None = None) -> list[dict]:
    """The navigation's entries: each report of :data:`REPORTS` linked when ``written`` holds it (all when
    None), else named with the command that writes it; ``current`` (this page) links to ``own_name``."""
    return [
        {
            "report": name,
            "label": report.label,
            "href": (own_name or name) if name == current else name,
            "current": name == current,
            "written": written is None or name in written,
            "command": report.command,
        }
        for name, report in REPORTS.items()
    ]


def render_page(page: Page) -> str:
    """The whole report as one HTML document (its navigation links every report; :func:`write_report`
    leaves links only to the reports written beside it)."""
    charts = charts_of(page)
    payload = {"charts": {key: {**figure, "config": PLOTLY_CONFIG} for key, figure in charts.items()}}
    return (
        environment()
        .get_template("base.html.jinja")
        .render(
            page=page,
            nav=nav_links(page.file),
            css=_asset("report.css"),
            script=_asset("report.js"),
            plotly=Markup(_plotly_js()) if charts or page.plotly else "",  # the library itself
            chart_data=script_json(payload),
            page_data=script_json(page.data),
            page_scripts=[Markup(s) for s in page.scripts],  # our own code
        )
    )


def write_page(path: str | Path, page: Page) -> Path:
    """Render ``page`` and write it as a report at ``path`` (:func:`write_report`)."""
    return write_report(path, render_page(page))


def write_report(path: str | Path, html: str) -> Path:
    """Write the rendered report ``html`` atomically to ``path`` with its navigation linking the reports
    written in its folder (and naming the commands of the others), and set the others' navigation alike."""
    from mmm_analytics.utils.io import write_text

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(path.parent):
        present = {name for name in REPORTS if (path.parent / name).is_file() or name == path.name}
        written = write_text(path, relinked(html, present, path.name) or html)
        for name in sorted(present - {path.name}):
            _relink_file(path.parent / name, present)
    return written


def _relink_file(file: Path, present: Collection[str]) -> None:
    """Set the navigation of the report ``file`` for the reports ``present``: a side job, so a file that
    cannot be read or written, is not UTF-8, or changed while it was read (another run) is left as it is."""
    from mmm_analytics.utils.io import write_text

    try:
        before = file.stat()
        text = relinked(file.read_text(encoding="utf-8"), present, file.name)
        after = file.stat()
        if text is not None and (before.st_mtime_ns, before.st_size, before.st_ino) == (
            after.st_mtime_ns,
            after.st_size,
            after.st_ino,
        ):
            write_text(file, text)
    except (OSError, UnicodeDecodeError):
        return


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` while reports there are rewritten (two runs writing reports into
    one folder at once each read and write whole pages); none where the system has no ``flock``, the
    folder cannot be opened or its file system takes no lock."""
    from mmm_analytics.utils.locks import exclusive

    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder one may write in but not list
        yield
        return
    try:
        exclusive(handle, wait=True)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def relinked(html: str, present: Collection[str], own_name: str) -> str | None:
    """The report ``html`` (written as ``own_name``) with its navigation linking the reports ``present``
    beside it; None when nothing changes or the page has no navigation of this package's."""
    found = NAV.search(html, max(html.find("<body>"), 0))
    current = NAV_CURRENT.search(found.group(0)) if found else None
    if found is None or current is None:
        return None
    nav = environment().get_template("nav.html.jinja").render(nav=nav_links(current.group(1), present, own_name))
    if nav.strip() == found.group(0).strip():
        return None
    return html[: found.start()] + nav.strip() + html[found.end() :]
