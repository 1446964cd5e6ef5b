"""``model_report.html``: the model evaluation report, on the shared report layout.

Sections (anchors in :data:`SECTIONS`): overview, fit metrics, interactive actual vs
fitted (national, per brand, per region), interactive decomposition and waterfall,
channel contributions with the historical average ROI and the CPM assumption, the learned
media response, the training summary, residual diagnostics and the static figures (PNG,
base64). Extra sections supplied as data (:attr:`ReportContent.extra_sections`, e.g. the
model form selection) come after the learned media response. The plotly.js bundle is
inlined once; the page needs no network.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.models import report_charts
from mmm_analytics.models.evaluation_figures import PlotData
from mmm_analytics.models.metrics import METRIC_NAMES, Level
from mmm_analytics.style import numbers
from mmm_analytics.style.page import (
    Block,
    Chart,
    Details,
    Image,
    Kind,
    Note,
    Page,
    Section,
    Table,
    Text,
    cell,
    header,
    render_page,
)

FILE = "model_report.html"
SECTIONS: dict[str, str] = {
    "overview": "Overview",
    "fit": "Fit metrics",
    "actual-vs-predicted": "Actual vs fitted",
    "decomposition": "Sales decomposition",
    "contributions": "Channel contributions and historical average ROI",
    "media-response": "Learned media response",
    "training": "Training summary",
    "diagnostics": "Residual diagnostics",
    "figures": "Figures",
}
#: Ids of the interactive charts.
CHART_IDS: tuple[str, ...] = ("chart-fit", "chart-decomposition", "chart-waterfall")
#: Extra sections (:attr:`ReportContent.extra_sections`) go right after this one.
EXTRA_AFTER = "media-response"
_METRIC_KINDS: dict[str, Kind] = {
    "r2": "ratio",
    "mape": "percent",
    "wmape": "percent",
    "nrmse": "percent",
    "bias": "percent",
}
_METRIC_NAMES = {"r2": "R²", "mape": "MAPE", "wmape": "wMAPE", "nrmse": "NRMSE", "bias": "bias"}
_MEDIA_HEADERS = {
    "channel": "Channel",
    "carryover_total": "Carryover total (sum of lag weights)",
    "mean_lag_weeks": "Mean lag (weeks)",
    "half_saturation": "Half-saturation (avg weekly exposure)",
    "size_scaling": "Half-saturation growth with series size (0 absolute, 1 relative)",
    "slope": "Slope (steepness)",
    "coefficient_inr": "Mean coefficient (INR / week at full saturation)",
}
PROMOTIONS_NOTE = (
    "Where the promotions sit: a TPR (temporary price reduction) lowers the net price, so most of a TPR's effect on "
    "sales is in the price part, through the brand's price elasticity. The promotions part holds only what the "
    "Feature, Display and TPR flags add beyond the price cut (the flags switched on with the price held at its "
    "reference). Read the price and promotions parts together for the whole effect of trade promotions."
)


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Finished results the report shows (all money in INR).

    ``extra_sections`` are whole sections supplied as data (a title, an intro and blocks of
    :mod:`mmm_analytics.style.page`), shown after the learned media response.
    """

    plots: PlotData
    metrics: pd.DataFrame
    contributions: pd.DataFrame
    media_response: pd.DataFrame
    cpm: dict[str, float]
    n_series: int
    saturation: str
    n_draws: int
    figures: tuple[Path, ...]
    training: dict[str, Any] = field(default_factory=dict)
    number_format: NumberFormat = NumberFormat.INDIAN
    extra_sections: tuple[Section, ...] = ()
    #: The other saturation forms fitted and weighed equally with this one (their draws pooled in the intervals).
    pooled_forms: tuple[str, ...] = ()


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], kinds: Sequence[Kind], fmt: NumberFormat
) -> Table:
    """A table; ``kinds`` per column: text, money, percent, count or ratio."""
    body = tuple(tuple(cell(v, k, fmt, 3) for v, k in zip(row, kinds)) for row in rows)
    return Table(tuple(headers), body, tuple(k != "text" for k in kinds))


def metrics_table(table: pd.DataFrame, levels: Sequence[Level], fmt: NumberFormat) -> Table:
    """Train and holdout metrics side by side, one row per level x brand x region."""
    wanted = {level.value for level in levels}
    periods = list(dict.fromkeys(table["period"]))
    merged: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for row in table.to_dict(orient="records"):
        if row["level"] in wanted:
            merged.setdefault((row["level"], row["brand"], row["region"]), {})[row["period"]] = row
    headers = ["Level", "Brand", "Region"] + [
        f"{p.capitalize()} {_METRIC_NAMES[m]}" for p in periods for m in METRIC_NAMES
    ]
    text: list[Kind] = ["text", "text", "text"]
    kinds = text + [_METRIC_KINDS[m] for _ in periods for m in METRIC_NAMES]
    body = [
        [*key, *(by_period.get(p, {}).get(m, math.nan) for p in periods for m in METRIC_NAMES)]
        for key, by_period in merged.items()
    ]
    return html_table(headers, body, kinds, fmt)


def _cpm_note(cpm: dict[str, float], fmt: NumberFormat) -> Note:
    """The CPM assumption: each channel's CPM (INR per 1000 exposures), grouped per ``fmt``."""
    text = ", ".join(f"{c} {numbers.grouped(v, fmt, 2)}" for c, v in cpm.items())
    return Note(
        f"Spend is not in the data: spend = exposures x CPM / 1000, with these CPMs (INR per 1000 exposures): "
        f"{text}. Every spend and ROI below depends on them.",
        "assumption",
        "CPM assumption.",
    )


def _contributions(content: ReportContent) -> tuple[Block, ...]:
    table, fmt = content.contributions, content.number_format
    media_total = float(table["contribution"].sum())
    rows: list[list[Any]] = [
        [
            r.channel,
            content.cpm.get(r.channel, math.nan),
            r.spend,
            r.contribution,
            r.contribution / media_total if media_total else math.nan,
            r.roi,
        ]
        for r in table.itertuples()
    ]
    total_spend = float(table["spend"].sum())
    share = 1.0 if media_total else math.nan
    rows.append(
        ["all media", math.nan, total_spend, media_total, share, media_total / total_spend if total_spend else math.nan]
    )
    note = (
        "National totals over the whole data period. Contribution = fitted sales minus the fit with that channel's "
        "exposure at 0 in every week; historical average ROI = contribution / spend."
    )
    headers = ["Channel", "CPM (INR)", "Spend (INR)", "Contribution (INR)", "Share of media contribution"]
    kinds: list[Kind] = ["text", "ratio", "money", "money", "percent", "ratio"]
    return (
        _cpm_note(content.cpm, fmt),
        Text((note,)),
        html_table([*headers, "Historical average ROI"], rows, kinds, fmt),
    )


def _decomposition(plots: PlotData, fmt: NumberFormat) -> tuple[Block, ...]:
    predicted = float(plots.national_predicted.sum())
    rows: list[list[Any]] = [[n, v, v / predicted if predicted else math.nan] for n, v in plots.totals.items()]
    rows.append(["total (fitted)", predicted, 1.0])
    method = (
        "Base = the fit with all media at 0, price at the brand reference (relative price 1) and the promotion flags "
        "(Feature, Display, TPR) at 0. Price = effect of the actual price vs the reference with media at 0; "
        "promotions = effect of the promotion flags with media at 0 and price at the reference; each channel = the "
        "fit minus the fit without that channel. The parts add up to the fit."
    )
    table = html_table(["Part", "Sales_Value (INR)", "Share of fitted"], rows, ["text", "money", "percent"], fmt)
    return (
        Text((method,)),
        Note(PROMOTIONS_NOTE, "note", "Promotions and price."),
        Chart(
            "chart-decomposition",
            report_charts.DECOMPOSITION_TITLE,
            report_charts.decomposition_chart(plots, fmt),
            height=480,
        ),
        table,
        Chart("chart-waterfall", report_charts.WATERFALL_TITLE, report_charts.waterfall_chart(plots, fmt), height=480),
    )


#: Training keys shown in sections of their own (the model form's), not in the training table.
SHOWN_ELSEWHERE = frozenset({"selection", "segment_curves"})
#: Training steps' names as a reader knows them.
STEP_WORDS: dict[str, str] = {"adam": "Adam", "gauss-newton": "Gauss-Newton"}
#: The loss history's metric names as a reader knows them.
HISTORY_WORDS: dict[str, str] = {"loss": "loss", "wmape": "wMAPE", "mse": "mean squared error"}


def _seconds(timings: dict[str, Any]) -> str:
    """``{"adam": 3.07, "polish": 2.64, "total": 7.28}`` -> ``7.3 s in all: Adam 3.1 s, polish 2.6 s``."""
    times = {name: float(value) for name, value in timings.items() if isinstance(value, (int, float))}
    shown = {name: f"{value:.2g} s" if value < 0.1 else f"{value:.1f} s" for name, value in times.items()}
    steps = ", ".join(f"{STEP_WORDS.get(name, name)} {text}" for name, text in shown.items() if name != "total")
    return ": ".join(filter(None, (f"{shown['total']} in all" if "total" in shown else "", steps)))


def _history_row(name: str, values: Sequence[float], unit: str = "epoch") -> list[str]:
    """A loss curve as its last and lowest value: ``Validation wMAPE``, ``10.9% after 20 epochs (lowest 10.7%)``
    (``unit``: an Adam epoch, or a Gauss-Newton round where a panel too large for Adam was fitted so)."""
    metric = name.removeprefix("val_")
    label = f"{'Validation' if name.startswith('val_') else 'Training'} {HISTORY_WORDS.get(metric, metric)}"
    show: Callable[[float], str] = numbers.percent if metric == "wmape" else (lambda v: f"{v:.4g}")
    last, lowest = float(values[-1]), min(float(v) for v in values)
    steps = f"{len(values)} {unit}{'s' if len(values) != 1 else ''}"
    return [label, f"{show(last)} after {steps} (lowest {show(lowest)})"]


def _training_rows(summary: dict[str, Any]) -> list[list[str]]:
    """The training summary as rows a reader follows: times in seconds, losses as their last and lowest
    value, shares in percent; keys without words of their own in their header form."""
    rows: list[list[str]] = []
    timings = summary.get("timings_seconds") or summary.get("timings") or {}
    unit = "Gauss-Newton round" if "gauss-newton" in timings else "epoch"
    for key, value in summary.items():
        match key, value:
            case (key, _) if key in SHOWN_ELSEWHERE or value is None:
                continue
            case ("timings_seconds" | "timings", dict()):
                rows.append(["Training time", _seconds(value)])
            case ("best_adam_epoch" | "best_epoch", int()) if value > 0:  # 0: no Adam (Gauss-Newton, or markets)
                epochs = len(next(iter((summary.get("history") or {}).values()), ()))
                rows.append(
                    ["Adam epoch kept (lowest training loss)", f"{value} of {epochs}" if epochs else str(value)]
                )
            case ("best_adam_epoch" | "best_epoch", _):
                continue  # 0: no Adam ran (a Gauss-Newton fit, or one model per market)
            case ("residual_sd_share_of_mean_sales", float()):
                rows.append(["Residual sd, share of mean weekly sales", numbers.percent(value)])
            case ("history", dict()):
                rows += [
                    _history_row(name, series, unit)
                    for name, series in sorted(value.items(), key=_history_order)
                    if isinstance(series, (list, tuple)) and series
                ]
            case ("posterior_draws", dict()):
                rows.append(["How the draws were made", _posterior_words(value)])
            case ("segment_curves_in_advice", bool()):
                rows.append(["Segments' own curves in the budget advice", "on" if value else "off"])
            case (_, dict()):
                rows += [[f"{header(key)}: {row[0]}", row[1]] for row in _training_rows(value)]
            case (_, bool()):
                rows.append([header(key), "yes" if value else "no"])
            case (_, float()):
                rows.append([header(key), f"{value:.4g}"])
            case (_, int() | str()):
                rows.append([header(key), str(value)])
    return rows


def _posterior_words(posterior: dict[str, Any]) -> str:
    """``{"method": "laplace+langevin", "steps": 30, "acceptance": 0.57, ...}`` in words."""
    laplace = "the Laplace approximation at the posterior mode"
    if (factor := float(posterior.get("autocorrelation") or 1.0)) > 1.0:
        fewer = f"the weeks count as {1 / factor:.0%} as many independent ones"
        laplace += (
            f", widened {math.sqrt(factor):.2f}x because the residuals drift together week to week ({fewer})"
            if posterior.get("widened")
            else (
                f"; the residuals drift together week to week ({fewer}): "
                f"intervals.autocorrelation: true would widen the draws {math.sqrt(factor):.2f}x"
            )
        )
    steps = int(posterior.get("steps") or 0)
    if steps <= 0:
        return laplace
    acceptance = posterior.get("acceptance")
    accepted = (
        "" if acceptance is None else f" ({numbers.percent(float(acceptance))} of proposals accepted after the warm-up)"
    )
    some = posterior.get("markets_with_steps")
    where = "" if some is None else f" in {some} of {posterior.get('markets')} markets (the rest: Laplace alone)"
    return f"{laplace}, each draw moved toward the exact posterior by {steps} Langevin steps{accepted}{where}"


def _history_order(item: tuple[str, Any]) -> tuple[int, int]:
    """Loss, then wMAPE, then the rest; training before validation."""
    name = item[0]
    metric = name.removeprefix("val_")
    order = list(HISTORY_WORDS)
    return (order.index(metric) if metric in order else len(order), name.startswith("val_"))


def _training(content: ReportContent) -> tuple[Block, ...]:
    rows = [
        ["Saturation form", content.saturation],
        ["Parameter draws for intervals", _draws_words(content)],
    ]
    rows += _training_rows(content.training)
    return (html_table(["Item", "Value"], rows, ["text", "text"], content.number_format),)


def _draws_words(content: ReportContent) -> str:
    """``400``, or with pooled forms ``400 per fit (1,200 over the hill, sigmoid and logistic fits)``."""
    fmt, per_fit = content.number_format, numbers.count(content.n_draws, content.number_format)
    if not content.pooled_forms:
        return per_fit
    forms = (content.saturation, *content.pooled_forms)
    every = numbers.count(content.n_draws * len(forms), fmt)
    return f"{per_fit} per fit ({every} over the {numbers.listing(list(forms))} fits)"


def _diagnostics(diagnostics: pd.DataFrame, fmt: NumberFormat) -> tuple[Block, ...]:
    acf_columns = [c for c in diagnostics.columns if c.startswith("acf_lag_")]
    lags = [c.replace("acf_lag_", "ACF lag ") for c in acf_columns]
    headers = ["Level", "Brand", "Region", "Weeks", "Durbin-Watson", *lags]
    rows = diagnostics[["level", "brand", "region", "n_weeks", "durbin_watson", *acf_columns]].to_numpy().tolist()
    note = (
        "Residual = actual - fitted over the training weeks. Durbin-Watson near 2 means no first-order "
        "autocorrelation; below 1.5 the residuals are positively autocorrelated (missing slow drivers). Overall pools "
        "every brand x region (each residual divided by the series' mean sales)."
    )
    labels: list[Kind] = ["text", "text", "text", "count"]
    ratios: list[Kind] = ["ratio"] * (1 + len(acf_columns))
    kinds = labels + ratios
    return Text((note,)), html_table(headers, rows, kinds, fmt)


def _media(table: pd.DataFrame, fmt: NumberFormat) -> tuple[Block, ...]:
    headers = [_MEDIA_HEADERS.get(c, header(c)) for c in table.columns]
    kinds: list[Kind] = [
        "text" if c == "channel" else "money" if c.endswith("_inr") else "ratio" for c in table.columns
    ]
    note = (
        "Point estimates. Weekly contribution = coefficient x saturation(carried-over exposure / the series' mean "
        "weekly exposure); lag weights are 1 in the week of exposure and decay after it."
    )
    return Text((note,)), html_table(headers, table.to_numpy().tolist(), kinds, fmt)


def _figures(paths: Sequence[Path]) -> tuple[Block, ...]:
    return tuple(
        Image("data:image/png;base64," + base64.b64encode(p.read_bytes()).decode("ascii"), p.stem, p.name)
        for p in paths
    )


def _overview(content: ReportContent) -> tuple[Block, ...]:
    plots, fmt = content.plots, content.number_format
    weeks = numbers.count(len(plots.dates), fmt)
    items = [
        ["Data period", f"{plots.dates[0]:%Y-%m-%d} to {plots.dates[-1]:%Y-%m-%d} ({weeks} weeks)"],
        ["Holdout", f"last {plots.holdout_weeks} weeks (not used for fitting)"],
        [
            "Series",
            f"{content.n_series} ({plots.by_brand.n_groups or len(plots.by_brand.labels)} brands x "
            f"{plots.by_region.n_groups or len(plots.by_region.labels)} regions)",
        ],
        ["Channels", ", ".join(content.contributions["channel"])],
    ]
    return (html_table(["Item", "Value"], items, ["text", "text"], fmt),)


def _fit(content: ReportContent) -> tuple[Block, ...]:
    fmt = content.number_format
    levels = [Level.OVERALL, Level.NATIONAL, Level.BRAND, Level.REGION]
    series = metrics_table(content.metrics, [Level.SERIES], fmt)
    return metrics_table(content.metrics, levels, fmt), Details("Every brand x region", (series,))


def sections(content: ReportContent) -> tuple[Section, ...]:
    """Every section in page order, the extra sections after :data:`EXTRA_AFTER`."""
    fmt = content.number_format
    bodies: dict[str, tuple[Block, ...]] = {
        "overview": _overview(content),
        "fit": _fit(content),
        "actual-vs-predicted": (
            Chart("chart-fit", report_charts.FIT_TITLE, report_charts.fit_chart(content.plots, fmt), height=480),
        ),
        "decomposition": _decomposition(content.plots, fmt),
        "contributions": _contributions(content),
        "media-response": _media(content.media_response, fmt),
        "training": _training(content),
        "diagnostics": _diagnostics(content.plots.diagnostics, fmt),
        "figures": _figures(content.figures),
    }
    ordered: list[Section] = []
    for key, title in SECTIONS.items():
        ordered.append(Section(key, title, bodies[key]))
        if key == EXTRA_AFTER:
            ordered += content.extra_sections
    return tuple(ordered)


def build_report(content: ReportContent) -> str:
    """The whole page as text."""
    plots = content.plots
    subtitle = f"{plots.dates[0]:%Y-%m-%d} to {plots.dates[-1]:%Y-%m-%d}, {content.n_series} series"
    return render_page(Page("Model evaluation", subtitle, sections(content), FILE))
