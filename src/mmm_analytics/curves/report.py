"""``roi_report.html``: an interactive, self-contained ROI curve report (plotly inlined once).

The page states the CPM assumption (spend = exposure x CPM / 1000) with the CPM of
every channel, shows one curve at a time chosen with channel, brand and region
dropdowns (brand = region = "all" is the national curve), and two ROI tables
(national and per brand x region) that sort on a click of a column header. It needs
no network: the plotly.js bundle and the data are embedded.
"""

from __future__ import annotations

import html
import json
import math
from string import Template
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from mmm_analytics.curves.extraction import NATIONAL, CurveSet
from mmm_analytics.curves.intervals import tail_probabilities
from mmm_analytics.response.artifacts import ModelMetadata

INR_DIGITS = 2
RATIO_DIGITS = 4

_PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ROI curves</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1400px}
.assumption{background:#fff8e1;border-left:4px solid #e0a800;padding:10px 14px;margin:12px 0}
.controls label{margin-right:18px;font-weight:600}.controls select{margin-left:6px;padding:2px 6px}
table.sortable{border-collapse:collapse;font-size:13px;margin:8px 0 24px}
table.sortable th,table.sortable td{border:1px solid #ddd;padding:4px 8px;text-align:right}
table.sortable th{background:#f2f4f7;cursor:pointer;user-select:none;white-space:nowrap}
table.sortable td.text,table.sortable th.text{text-align:left}
th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}
#info{color:#555;font-size:13px}.note{color:#555;font-size:13px}
</style>
<script>$plotly</script></head><body>
<h1>ROI curves</h1>
<div class="assumption"><b>CPM assumption.</b> Spend is not in the data: it is exposure x CPM / 1000, with
these CPMs (INR per 1000 exposures): $cpm. Every spend, ROI and marginal ROI below depends on them.</div>
<p class="note">Model data $date_from to $date_to ($n_weeks weeks). Curves: steady-state weekly incremental
Sales_Value for a sustained weekly spend, 0 to $max_multiple x each segment's average weekly spend, all else at
its recent average. Intervals ($level_pct): equal-tailed quantiles ($low_pct and $high_pct) over $n_draws
parameter draws from a Laplace approximation of the posterior around the fitted weights. National curves scale
every brand x region by the same multiple of its own average spend and sum the responses.</p>
<div class="controls">
<label>Channel<select id="channel"></select></label>
<label>Brand<select id="brand"></select></label>
<label>Region<select id="region"></select></label></div>
<div id="curve" style="height:520px"></div><p id="info"></p>
<h2>ROI by channel (national, full data period)</h2>$channel_table
<h2>ROI by brand and region</h2>$segment_table
<script>
const DATA = $data;
function fill(id, values){const s=document.getElementById(id);values.forEach(v=>{const o=document.createElement("option");o.value=v;o.textContent=v;s.appendChild(o);});}
function fmt(v){if(v===null||v===undefined)return "n/a";return Number(v).toLocaleString("en-IN",{maximumFractionDigits:0});}
function draw(){
  const c=document.getElementById("channel").value,b=document.getElementById("brand").value,r=document.getElementById("region").value;
  const d=DATA.curves[c+"|"+b+"|"+r];
  if(!d){document.getElementById("info").textContent="No curve for this brand and region.";Plotly.purge("curve");return;}
  const band=DATA.level_label+" interval";
  const traces=[
    {x:d.spend,y:d.upper,mode:"lines",line:{width:0},hoverinfo:"skip",showlegend:false},
    {x:d.spend,y:d.lower,mode:"lines",line:{width:0},fill:"tonexty",fillcolor:"rgba(31,78,121,0.2)",name:band},
    {x:d.spend,y:d.response,mode:"lines",line:{color:"#1f4e79",width:3},name:"response (INR/week)"},
    {x:d.spend,y:d.roi,mode:"lines",yaxis:"y2",line:{color:"#222",width:1.5},name:"average ROI"},
    {x:d.spend,y:d.mroi,mode:"lines",yaxis:"y2",line:{color:"#222",width:1.5,dash:"dash"},name:"marginal ROI"}];
  const top=Math.max(...d.spend);const shapes=[
    {type:"line",x0:d.current_spend,x1:d.current_spend,y0:0,y1:1,yref:"paper",line:{color:"#555",dash:"dash"}},
    {type:"line",x0:0,x1:1,xref:"paper",y0:1,y1:1,yref:"y2",line:{color:"#999",dash:"dot",width:1}}];
  if(d.breakeven!==null&&d.breakeven<=top)shapes.push({type:"line",x0:d.breakeven,x1:d.breakeven,y0:0,y1:1,yref:"paper",line:{color:"#b8860b",dash:"dot",width:2}});
  if(d.ceiling_spend!==null&&d.ceiling_spend<=top)shapes.push({type:"line",x0:d.ceiling_spend,x1:d.ceiling_spend,y0:0,y1:1,yref:"paper",line:{color:"#4b0082",dash:"dashdot"}});
  const where=(b==="all")?"national":b+" / "+r;
  Plotly.react("curve",traces,{title:{text:c+", "+where+": steady-state ROI curve"},
    xaxis:{title:{text:"Weekly spend (INR)"},rangemode:"tozero"},yaxis:{title:{text:"Incremental sales (INR / week)"},rangemode:"tozero"},
    yaxis2:{title:{text:"ROI (INR sales per INR spend)"},overlaying:"y",side:"right",rangemode:"tozero",showgrid:false,tickmode:"auto"},
    shapes:shapes,legend:{orientation:"h",y:-0.2},margin:{t:50}},{responsive:true});
  document.getElementById("info").textContent="Current average spend INR "+fmt(d.current_spend)+"/week (dashed). Marginal ROI falls below 1 from INR "+
    fmt(d.breakeven)+"/week (gold, dotted). Response reaches 90% of its ceiling (INR "+fmt(d.ceiling)+"/week) at INR "+fmt(d.ceiling_spend)+"/week (purple).";
}
function couple(changed){
  const b=document.getElementById("brand"),r=document.getElementById("region");
  if(changed===b){if(b.value==="all")r.value="all";else if(r.value==="all")r.value=DATA.regions[1];}
  else{if(r.value==="all")b.value="all";else if(b.value==="all")b.value=DATA.brands[1];}
  draw();}
function sortTable(th){
  const table=th.closest("table"),body=table.tBodies[0],index=Array.from(th.parentNode.children).indexOf(th);
  const asc=!th.classList.contains("asc");table.querySelectorAll("th").forEach(h=>h.classList.remove("asc","desc"));
  th.classList.add(asc?"asc":"desc");const numeric=!th.classList.contains("text");
  const rows=Array.from(body.rows).sort((a,b)=>{const x=a.cells[index].dataset.v,y=b.cells[index].dataset.v;
    const cmp=numeric?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return asc?cmp:-cmp;});
  rows.forEach(row=>body.appendChild(row));}
fill("channel",DATA.channels);fill("brand",DATA.brands);fill("region",DATA.regions);
document.getElementById("channel").onchange=draw;
document.getElementById("brand").onchange=e=>couple(e.target);document.getElementById("region").onchange=e=>couple(e.target);
document.querySelectorAll("table.sortable th").forEach(th=>th.addEventListener("click",()=>sortTable(th)));
document.getElementById("brand").value="all";document.getElementById("region").value="all";draw();
</script></body></html>
""")

_HEADERS: dict[str, str] = {
    "brand": "Brand",
    "region": "Region",
    "channel": "Channel",
    "spend": "Spend (INR)",
    "contribution": "Contribution (INR)",
    "contribution_lower": "Contribution low",
    "contribution_upper": "Contribution high",
    "roi": "ROI",
    "roi_lower": "ROI low",
    "roi_upper": "ROI high",
    "mroi": "Marginal ROI",
    "mroi_lower": "mROI low",
    "mroi_upper": "mROI high",
    "current_spend": "Avg weekly spend (INR)",
    "breakeven_spend": "mROI < 1 from (INR/week)",
}
_TEXT_COLUMNS = frozenset({"brand", "region", "channel"})


def _clean(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded floats with NaN and infinities as None (JSON null)."""
    return [None if not math.isfinite(v) else round(v, digits) for v in np.asarray(values, dtype=float).tolist()]


def _number(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), INR_DIGITS)


def curve_payload(curves: CurveSet) -> dict[str, Any]:
    """Every curve keyed ``"channel|brand|region"``, with spends, bands, ROIs and markers."""
    entries: dict[str, Any] = {}
    for row in range(curves.n_rows):
        for index in range(len(curves.channels)):
            c = curves.segment(row, index)
            entries[f"{c.channel}|{c.brand}|{c.region}"] = {
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
    series = [(b, r) for b, r in zip(curves.brands, curves.regions) if b != NATIONAL]
    return {
        "channels": list(curves.channels),
        "brands": [NATIONAL, *dict.fromkeys(b for b, _ in series)],
        "regions": [NATIONAL, *dict.fromkeys(r for _, r in series)],
        "level_label": f"{curves.level:.0%}",
        "curves": entries,
    }


def _with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Add the contribution interval (ROI interval x spend) next to the contribution."""
    extra = table.assign(
        contribution_lower=table["roi_lower"] * table["spend"], contribution_upper=table["roi_upper"] * table["spend"]
    )
    order = [c for c in extra.columns if c not in ("contribution_lower", "contribution_upper")]
    at = order.index("contribution") + 1
    return extra.loc[:, [*order[:at], "contribution_lower", "contribution_upper", *order[at:]]]


def _cell(column: str, value: Any) -> str:
    if column in _TEXT_COLUMNS:
        text = html.escape(str(value))
        return f'<td class="text" data-v="{text}">{text}</td>'
    number = float(value)
    if not math.isfinite(number):
        return '<td data-v="">n/a</td>'
    shown = f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3f}"
    return f'<td data-v="{number!r}">{shown}</td>'


def html_table(table: pd.DataFrame) -> str:
    """A sortable HTML table (headers from :data:`_HEADERS`)."""
    head = "".join(
        f'<th class="text">{_HEADERS.get(c, c)}</th>' if c in _TEXT_COLUMNS else f"<th>{_HEADERS.get(c, c)}</th>"
        for c in table.columns
    )
    rows = "".join(
        "<tr>" + "".join(_cell(c, v) for c, v in zip(table.columns, values)) + "</tr>"
        for values in table.itertuples(index=False, name=None)
    )
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _segment_extras(curves: CurveSet, table: pd.DataFrame) -> pd.DataFrame:
    """Average weekly spend and break-even spend of each brand x region x channel row."""
    rows = {(b, r): i for i, (b, r) in enumerate(zip(curves.brands, curves.regions))}
    channels = {c: i for i, c in enumerate(curves.channels)}
    at = [(rows[(b, r)], channels[c]) for b, r, c in zip(table["brand"], table["region"], table["channel"])]
    return table.assign(
        current_spend=[curves.current_spend[i, j] for i, j in at],
        breakeven_spend=[curves.breakeven_spend[i, j] for i, j in at],
    )


def build_report(
    curves: CurveSet,
    channel_table: pd.DataFrame,
    segment_table: pd.DataFrame,
    metadata: ModelMetadata,
    cpm: dict[str, float],
    n_draws: int,
    max_multiple: float,
) -> str:
    """The complete HTML page as text; date range and weeks come from the model's metadata,
    ``cpm`` (INR per 1000 exposures per channel) from its response parameters."""
    low, high = tail_probabilities(curves.level)
    data = json.dumps(curve_payload(curves), allow_nan=False).replace("</", "<\\/")
    cpm_text = ", ".join(f"{html.escape(name)} {value:,.2f}" for name, value in cpm.items())
    return _PAGE.substitute(
        plotly=get_plotlyjs(),
        cpm=cpm_text,
        date_from=html.escape(str(metadata.date_range[0])),
        date_to=html.escape(str(metadata.date_range[1])),
        n_weeks=metadata.n_weeks,
        max_multiple=f"{max_multiple:g}",
        level_pct=f"{curves.level:.0%}",
        low_pct=f"{low:.0%}",
        high_pct=f"{high:.0%}",
        n_draws=n_draws,
        data=data,
        channel_table=html_table(_with_intervals(channel_table)),
        segment_table=html_table(_segment_extras(curves, _with_intervals(segment_table))),
    )
