"""``roi_report.html``: an interactive, self-contained ROI curve report on the shared report layout.

The page states the CPM assumption (spend = exposure x CPM / 1000) with the CPM of
every channel, shows one curve at a time chosen with channel, brand and region
dropdowns (brand = region = "all" is the national curve), and two ROI tables
(national and per brand x region) that sort on a click of a column header. It needs
no network: the plotly.js bundle is embedded, with the national curves and those of the
largest series (:data:`INLINE_SERIES`); every other series' curves are in its own small
script in ``roi_report_data/`` beside the page, loaded when that series is chosen (a
``<script src>``, so it works when the page is opened from the file system).

Two ROIs appear, always named: the *historical average ROI* (contribution over the data
period / spend over it, the tables) and the *steady-state ROI* (weekly incremental sales
/ weekly spend for a spend sustained until the carryover has built up, the curves).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.curves.extraction import NATIONAL, CurveSet
from mmm_analytics.curves.intervals import tail_probabilities
from mmm_analytics.curves.summary import MIN_SHARE_FOR_EXPERIMENT, experiment_candidates
from mmm_analytics.response.artifacts import ModelMetadata
from mmm_analytics.style import numbers, palette
from mmm_analytics.style.page import PLOTLY_CONFIG, Cell, Note, Page, Raw, Section, Table, Text, render_page
from mmm_analytics.utils.words import listed, the_count

FILE = "roi_report.html"
INR_DIGITS = 2
RATIO_DIGITS = 4
HISTORICAL = "Historical average ROI"
#: Series whose curves the page carries itself (the largest spenders); the others' curves are in
#: one small script per series in :data:`DATA_FOLDER`, loaded when chosen (works from file://).
INLINE_SERIES = 24
DATA_FOLDER = "roi_report_data"
#: Rows of the brand x region ROI table on the page (the largest spends); all are in roi_by_segment.csv.
TABLE_ROWS = 600
STEADY = "steady-state ROI"
#: What the chart says of a curve the data never spent on (``{channel}``: its channel, ``{where}``:
#: ``in BrandA / NORTH`` or ``in any brand and region``): no ROI, marginal ROI or ceiling, as in the tables.
NO_SPEND_TEXT = (
    "No spend on {channel} in the data {where}: its curve is the priors' alone, so it has no ROI, marginal ROI "
    "or ceiling to show."
)

_CONTROLS = Markup(
    '<div class="controls"><label>Channel<select id="channel"></select></label>'
    '<label>Brand<select id="brand"></select></label><label>Region<select id="region"></select></label></div>'
    '<h3 id="curve-title"></h3>'
    '<div id="curve" class="chart" style="height:520px"></div><p id="info" class="intro"></p>'
)

#: Draws the chosen curve; markers the chart cannot show are named as beyond it, never promised.
_SCRIPT = """
(function () {
"use strict";
const DATA = JSON.parse(document.getElementById("page-data").textContent);
function fill(id, values) { const s = document.getElementById(id);
  values.forEach(v => { const o = document.createElement("option"); o.value = v; o.textContent = v; s.appendChild(o); }); }
function short(v) { for (const [size, suffix] of DATA.units) { if (Math.abs(v) >= size) return +(v / size).toPrecision(3) + suffix; }
  return (+v.toPrecision(3)).toLocaleString(DATA.locale); }
function ticks(top) { if (!(top > 0)) return {};
  const raw = top / 6, power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * power).find(s => s >= raw), values = [];
  for (let k = 0; k * step <= top * (1 + 1e-9); k++) values.push(k * step);
  const largest = values[values.length - 1], unit = DATA.units.find(([size]) => largest >= size);
  const label = unit ? (v => v ? +(v / unit[0]).toPrecision(3) + unit[1] : "0") : short;  // one unit an axis
  return {tickmode: "array", tickvals: values, ticktext: values.map(label)}; }
function fmt(v) { return (v === null || v === undefined) ? "n/a"
  : "INR " + Number(v).toLocaleString(DATA.locale, {maximumFractionDigits: 0}); }
const loading = {};
window.mmmRoiCurves = function (entries) { Object.assign(DATA.curves, entries); draw(); };
function load(segment) {
  if (loading[segment]) return; loading[segment] = true;
  const tag = document.createElement("script"); tag.src = DATA.files[segment];
  tag.onerror = () => { document.getElementById("info").textContent = "The curve data file " + DATA.files[segment]
    + " is missing: keep the " + DATA.files[segment].split("/")[0] + " folder beside this page."; };
  document.head.appendChild(tag); }
function draw() {
  const c = document.getElementById("channel").value, b = document.getElementById("brand").value,
    r = document.getElementById("region").value, d = DATA.curves[c + "|" + b + "|" + r];
  const info = document.getElementById("info"), where = (b === "all") ? "national" : b + " / " + r;
  // The title above the chart, in the page, wraps on a narrow screen (plotly's own does not); none
  // over an empty chart.
  const title = document.getElementById("curve-title"), name = c + ", " + where + ": steady-state ROI curve";
  title.textContent = "";
  if (!d && DATA.files[b + "|" + r] && !loading[b + "|" + r]) { info.textContent = "Loading curves..."; load(b + "|" + r); return; }
  if (!d) { info.textContent = "No curve for this brand and region."; Plotly.purge("curve"); return; }
  if (!(d.current_spend > 0)) { Plotly.purge("curve"); info.textContent = DATA.no_spend.replace("{channel}", c)
    .replace("{where}", b === "all" ? "in any brand and region" : "in " + b + " / " + r); return; }
  title.textContent = name;
  const color = DATA.colors[c] || "#1f77b4", top = Math.max(...d.spend), high = Math.max(...d.upper.filter(v => v !== null));
  const traces = [
    {x: d.spend, y: d.upper, mode: "lines", line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: d.spend, y: d.lower, mode: "lines", line: {width: 0}, fill: "tonexty", fillcolor: DATA.bands[c],
     name: DATA.level_label + " interval"},
    {x: d.spend, y: d.response, mode: "lines", line: {color: color, width: 3}, name: "incremental sales (INR per week)"},
    {x: d.spend, y: d.roi, mode: "lines", yaxis: "y2", line: {color: "#222", width: 1.5}, name: "steady-state ROI"},
    {x: d.spend, y: d.mroi, mode: "lines", yaxis: "y2", line: {color: "#222", width: 1.5, dash: "dash"},
     name: "marginal ROI"}];
  const shapes = [
    {type: "line", x0: d.current_spend, x1: d.current_spend, y0: 0, y1: 1, yref: "paper", line: {color: "#555", dash: "dash"}},
    {type: "line", x0: 0, x1: 1, xref: "paper", y0: 1, y1: 1, yref: "y2", line: {color: "#999", dash: "dot", width: 1}}];
  const shown = v => v !== null && v <= top;
  if (shown(d.breakeven)) shapes.push({type: "line", x0: d.breakeven, x1: d.breakeven, y0: 0, y1: 1, yref: "paper",
    line: {color: "#b8860b", dash: "dot", width: 2}});
  if (shown(d.ceiling_spend)) shapes.push({type: "line", x0: d.ceiling_spend, x1: d.ceiling_spend, y0: 0, y1: 1,
    yref: "paper", line: {color: "#4b0082", dash: "dashdot"}});
  Plotly.react("curve", traces, {
    font: {family: "system-ui, sans-serif", size: 13}, margin: {t: 40, r: 70},
    xaxis: Object.assign({title: {text: "Weekly spend (INR)"}, range: [0, top], gridcolor: "#e3e6ea"}, ticks(top)),
    yaxis: Object.assign({title: {text: "Incremental sales (INR per week)"}, range: [0, 1.05 * high], gridcolor: "#e3e6ea"},
      ticks(high)),
    yaxis2: Object.assign({title: {text: "ROI (INR of sales per INR)"}, overlaying: "y", side: "right",
      showgrid: false}, roiTicks(d.roi.concat(d.mroi))),
    shapes: shapes, legend: {orientation: "h", y: -0.18}},
    Object.assign({}, DATA.config, {toImageButtonOptions: {filename: name.replace(/[^A-Za-z0-9_-]+/g, "_")}}));
  const beyond = "beyond this chart (above " + fmt(top) + " per week)";
  info.textContent = "Current average spend " + fmt(d.current_spend) + " per week (grey, dashed). Marginal ROI falls below 1 "
    + (d.breakeven === null ? "nowhere on the chart" : "from " + fmt(d.breakeven) + " per week"
       + (shown(d.breakeven) ? " (gold, dotted)" : ", " + beyond)) + ". Incremental sales reach 90% of their ceiling ("
    + fmt(d.ceiling) + " per week) " + (d.ceiling_spend === null ? "beyond any plausible spend" : "at " + fmt(d.ceiling_spend)
       + " per week" + (shown(d.ceiling_spend) ? " (purple, dash-dot)" : ", " + beyond)) + ".";
}
function roiTicks(values) {  // round ROI ticks that always show 1 (break-even)
  const high = Math.max(1.2, ...values.filter(v => v !== null && isFinite(v)));
  const power = Math.pow(10, Math.floor(Math.log10(high / 6)));
  const step = Math.max(0.25, [1, 2, 2.5, 5, 10].map(m => m * power).find(s => high / s <= 6));
  const vals = [];
  for (let k = 0; k * step <= high * 1.05; k++) vals.push(Math.round(k * step * 100) / 100);
  if (!vals.includes(1)) { vals.push(1); vals.sort((a, b) => a - b); }
  return {range: [0, 1.05 * high], tickmode: "array", tickvals: vals,
          ticktext: vals.map(v => Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, ""))};
}
function couple(changed) {
  const b = document.getElementById("brand"), r = document.getElementById("region");
  if (changed === b) { if (b.value === "all") r.value = "all"; else if (r.value === "all") r.value = DATA.regions[1]; }
  else { if (r.value === "all") b.value = "all"; else if (b.value === "all") b.value = DATA.brands[1]; }
  draw(); }
fill("channel", DATA.channels); fill("brand", DATA.brands); fill("region", DATA.regions);
document.getElementById("channel").onchange = draw;
document.getElementById("brand").onchange = e => couple(e.target);
document.getElementById("region").onchange = e => couple(e.target);
document.getElementById("brand").value = "all"; document.getElementById("region").value = "all"; draw();
}());
"""


def _clean(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded floats with NaN and infinities as None (JSON null)."""
    return [None if not math.isfinite(v) else round(v, digits) for v in np.asarray(values, dtype=float).tolist()]


def _number(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), INR_DIGITS)


def _entry(curves: CurveSet, row: int, index: int) -> tuple[str, dict[str, Any]]:
    c = curves.segment(row, index)
    return f"{c.channel}|{c.brand}|{c.region}", {
        "spend": _clean(c.spend, INR_DIGITS),
        "response": _clean(c.response, INR_DIGITS),
        "lower": _clean(c.response_lower, INR_DIGITS),
        "upper": _clean(c.response_upper, INR_DIGITS),
        "roi": _clean(c.roi, RATIO_DIGITS),
        "mroi": _clean(c.mroi, RATIO_DIGITS),
        "current_spend": _number(c.current_spend),
        "breakeven": _number(c.breakeven_spend),
        "ceiling": _number(c.ceiling),
        "ceiling_spend": _number(c.ceiling_spend),
    }


def inline_rows(curves: CurveSet, count: int | None = None) -> list[int]:
    """Rows whose curves the page carries itself: the national row and the ``count`` (default
    :data:`INLINE_SERIES`) series of the largest total average weekly spend."""
    spend = curves.current_spend[:-1].sum(axis=1)
    top = np.argsort(-spend, kind="stable")[: INLINE_SERIES if count is None else count]
    return [*sorted(int(r) for r in top), curves.n_rows - 1]


def segment_curves(curves: CurveSet, row: int) -> dict[str, Any]:
    """Every channel's curve of one row, keyed ``"channel|brand|region"``."""
    return dict(_entry(curves, row, index) for index in range(len(curves.channels)))


def data_file(row: int) -> str:
    """Path of a row's curve data, relative to the report: ``roi_report_data/segment_00042.js``."""
    return f"{DATA_FOLDER}/segment_{row:05d}.js"


def data_script(curves: CurveSet, row: int) -> str:
    """The script of one row's curves: it hands them to the page's ``mmmRoiCurves`` when loaded."""
    return f"mmmRoiCurves({json.dumps(segment_curves(curves, row), separators=(',', ':'), allow_nan=False)});\n"


def curve_payload(curves: CurveSet, inline: list[int] | None = None) -> dict[str, Any]:
    """Curves keyed ``"channel|brand|region"`` with spends, bands, ROIs and markers: those of the
    ``inline`` rows (every row when None); ``files`` names, per ``"brand|region"``, the data file
    of each other row (see :func:`data_file`), which the page loads when it is chosen."""
    rows = list(range(curves.n_rows)) if inline is None else inline
    entries: dict[str, Any] = {}
    for row in rows:
        entries |= segment_curves(curves, row)
    kept = set(rows)
    files = {
        f"{b}|{r}": data_file(row)
        for row, (b, r) in enumerate(zip(curves.brands, curves.regions))
        if row not in kept and b != NATIONAL
    }
    series = [(b, r) for b, r in zip(curves.brands, curves.regions) if b != NATIONAL]
    return {
        "channels": list(curves.channels),
        "brands": [NATIONAL, *dict.fromkeys(b for b, _ in series)],
        "regions": [NATIONAL, *dict.fromkeys(r for _, r in series)],
        "level_label": f"{curves.level:.0%}",
        "curves": entries,
        "files": files,
    }


def _with_interval(point: object, low: object, high: object, show: Any) -> Cell:
    """``2.54 (2.45 to 2.64)``, sorted on the point value."""
    span = numbers.interval(low, high, show)
    text = show(point) if span == numbers.MISSING else f"{show(point)} ({span})"
    return Cell(text, numbers.finite(point))


def _text(value: object) -> Cell:
    return Cell(str(value), str(value))


def _money(value: object, viz: VizConfig) -> Cell:
    return Cell(numbers.grouped(value, viz.number_format), numbers.finite(value))


def roi_table(table: pd.DataFrame, viz: VizConfig, level: float, caption: str = "") -> Table:
    """A sortable table of ROI rows (national or per segment), intervals (at ``level``) beside their values.

    Columns shown: brand and region when present, channel, average weekly spend and the
    mROI < 1 point when present, spend and contribution over the period, historical
    average ROI and marginal ROI.
    """
    fmt = viz.number_format
    keys = [c for c in ("brand", "region") if c in table.columns]
    extra = [c for c in ("current_spend", "breakeven_spend") if c in table.columns]
    extra_headers = {
        "current_spend": "Average weekly spend (INR)",
        "breakeven_spend": "Marginal ROI below 1 from (INR per week)",
    }
    interval = f"{numbers.percent(level, 0)} interval"
    headers = [*(k.capitalize() for k in keys), "Channel", "Spend over the period (INR)"]
    headers += [f"Contribution over the period (INR, {interval})", f"{HISTORICAL} ({interval})"]
    headers += [f"Marginal ROI at today's spend ({interval})", *(extra_headers[c] for c in extra)]
    rows = []
    for row in table.to_dict(orient="records"):
        cells = [_text(row[k]) for k in keys] + [_text(row["channel"]), _money(row["spend"], viz)]
        spend = numbers.finite(row["spend"]) or 0.0
        low, high = (numbers.finite(row[k]) for k in ("roi_lower", "roi_upper"))
        cells.append(
            _with_interval(
                row["contribution"],
                None if low is None else low * spend,
                None if high is None else high * spend,
                lambda v: numbers.grouped(v, fmt),
            )
        )
        cells.append(_with_interval(row["roi"], row["roi_lower"], row["roi_upper"], numbers.ratio))
        cells.append(_with_interval(row["mroi"], row["mroi_lower"], row["mroi_upper"], numbers.ratio))
        cells += [_money(row[c], viz) for c in extra]
        rows.append(tuple(cells))
    numeric = tuple([False] * (len(keys) + 1) + [True] * (len(headers) - len(keys) - 1))
    return Table(tuple(headers), tuple(rows), numeric, caption=caption, sortable=True)


def experiment_section(table: pd.DataFrame, level: float, viz: VizConfig) -> Section:
    """Where a lift test would teach the most: the national channels whose contribution is least
    certain in INR (:func:`~mmm_analytics.curves.summary.experiment_candidates`), with their intervals."""
    chosen = experiment_candidates(table)
    if chosen.empty:
        return Section(
            "experiments",
            "Where a lift test would teach the most",
            (Text((f"No channel holds {MIN_SHARE_FOR_EXPERIMENT:.0%} or more of the fitted media contribution.",)),),
        )
    names = list(chosen["channel"].astype(str))
    listed = numbers.listing(names)
    advice = (
        f"The data pin these channels' sales least, in rupees: of the channels with at least "
        f"{MIN_SHARE_FOR_EXPERIMENT:.0%} of the media contribution, {listed} have the widest {level:.0%} contribution "
        "intervals in INR. Channels that "
        "move together in the data, or whose effect hides behind a slow carryover or noisy weeks, end up here. A lift "
        "study or geo holdout on one of them (a few weeks, one region or the nation), brought in with mmm train "
        "--lift-tests PATH.csv, narrows its ROI, and the split of sales and budget between channels, the most."
    )
    rows = tuple(
        (
            _text(row["channel"]),
            _money(row["contribution_width"], viz),
            _with_interval(row["roi"], row["roi_lower"], row["roi_upper"], numbers.ratio),
            Cell(numbers.percent(row["share"], 0), numbers.finite(row["share"])),
        )
        for row in chosen.to_dict(orient="records")
    )
    headers = (
        "Channel",
        f"Width of the {level:.0%} contribution interval (INR)",
        f"{HISTORICAL} ({level:.0%} interval)",
        "Share of the media contribution",
    )
    return Section(
        "experiments",
        "Where a lift test would teach the most",
        (Text((advice,)), Table(headers, rows, (False, True, True, True))),
    )


def _segment_extras(curves: CurveSet, table: pd.DataFrame) -> pd.DataFrame:
    """Average weekly spend and break-even spend of each brand x region x channel row."""
    rows = {(b, r): i for i, (b, r) in enumerate(zip(curves.brands, curves.regions))}
    channels = {c: i for i, c in enumerate(curves.channels)}
    at = [(rows[(b, r)], channels[c]) for b, r, c in zip(table["brand"], table["region"], table["channel"])]
    return table.assign(
        current_spend=[curves.current_spend[i, j] for i, j in at],
        breakeven_spend=[curves.breakeven_spend[i, j] for i, j in at],
    )


def _page_data(curves: CurveSet, viz: VizConfig) -> dict[str, Any]:
    colors = palette.channel_colors(viz, curves.channels)
    return curve_payload(curves, inline_rows(curves)) | {
        "locale": numbers.JS_LOCALES[viz.number_format],
        "units": [[size, suffix] for size, suffix in numbers.UNITS[viz.number_format]],
        "colors": colors,
        "bands": {c: palette.rgba(color, 0.2) for c, color in colors.items()},
        "no_spend": NO_SPEND_TEXT,
        "config": PLOTLY_CONFIG,
    }


def build_report(
    curves: CurveSet,
    channel_table: pd.DataFrame,
    segment_table: pd.DataFrame,
    metadata: ModelMetadata,
    cpm: dict[str, float],
    n_draws: int,
    max_multiple: float,
    viz: VizConfig | None = None,
) -> str:
    """The complete HTML page as text; date range and weeks come from the model's metadata,
    ``cpm`` (INR per 1000 exposures per channel) from its response parameters, colours and
    number format from ``viz`` (the defaults when None)."""
    viz = viz or VizConfig()
    fmt = viz.number_format
    low, high = tail_probabilities(curves.level)
    cpm_text = ", ".join(f"{name} {numbers.ratio(value)}" for name, value in cpm.items())
    assumption = Note(
        "Spend is not in the data: it is exposure x CPM / 1000, with these CPMs (INR per 1,000 exposures): "
        f"{cpm_text}. Every spend, ROI and marginal ROI below depends on them.",
        "assumption",
        "CPM assumption.",
    )
    weeks, draws = numbers.count(metadata.n_weeks, fmt), numbers.count(n_draws, fmt)
    method = (
        f"Model data {metadata.date_range[0]} to {metadata.date_range[1]} ({weeks} weeks). Curves: the "
        f"{STEADY} view, weekly incremental Sales_Value for a sustained weekly spend, 0 to {max_multiple:g} x each "
        "segment's average weekly spend, all else at its recent average. Intervals "
        f"({curves.level:.0%}): equal-tailed quantiles ({low:.0%} and {high:.0%}) over {draws} parameter draws "
        "from a Laplace approximation of the posterior around the fitted weights. National curves scale every brand "
        "x region by the same multiple of its own average spend and sum the responses."
    )
    if pooled := metadata.pooled_saturations:
        fits = the_count(len(pooled) + 1, "fits'")
        method += (
            f" The data could not tell saturation '{metadata.saturation}' from {listed([f"'{p}'" for p in pooled])}: "
            f"each was fitted and they are weighed equally, as the budget advice does. The curves and ROIs are the "
            f"mean of {fits}, and the intervals pool the {draws} draws of each."
        )
    meaning = (
        f"{HISTORICAL} = contribution over the data period / spend over it. Marginal ROI = extra weekly sales per "
        "extra rupee of weekly spend at today's average spend: above 1, the next rupee brings back more than a rupee of "
        "sales. Both count sales, not profit: a rupee pays for itself in profit only above 1 divided by the gross "
        "margin (2.5 at a 40% margin)."
    )
    segments = _segment_extras(curves, segment_table)
    shown = segments.nlargest(TABLE_ROWS, "spend", keep="first") if len(segments) > TABLE_ROWS else segments
    largest, every = numbers.count(len(shown), fmt), numbers.count(len(segments), fmt)
    caption = (
        f"The {largest} of {every} rows of largest spend; every row is in roi_by_segment.csv."
        if len(shown) < len(segments)
        else ""
    )
    page = Page(
        title="ROI curves",
        subtitle=f"Data {metadata.date_range[0]} to {metadata.date_range[1]}",
        sections=(
            Section("curves", "Steady-state ROI curve", (assumption, Text((method,)), Raw(_CONTROLS))),
            Section(
                "channels",
                "Historical average ROI by channel (national, full data period)",
                (Text((meaning,)), roi_table(channel_table, viz, curves.level)),
            ),
            experiment_section(channel_table, curves.level, viz),
            Section(
                "segments",
                "Historical average ROI by brand and region",
                (roi_table(shown, viz, curves.level, caption),),
            ),
        ),
        file=FILE,
        scripts=(_SCRIPT,),
        data=_page_data(curves, viz),
        plotly=True,
    )
    return render_page(page)
