"""The HTML report from hand-made results: sections, charts, plotly inlined once, escaping, parsing."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from mmm_analytics.config.viz import VizConfig
from mmm_analytics.models.evaluation_figures import FitPanels, PlotData, part_colors
from mmm_analytics.models.metrics import metrics_table, residual_diagnostics
from mmm_analytics.models.report import CHART_IDS, SECTIONS, ReportContent, build_report
from mmm_analytics.style.page import Section, Text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
VOID = {"meta", "img", "br", "hr", "input", "link"}


class _Structure(HTMLParser):
    """Ids, images and unclosed or stray tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.images: list[str] = []
        self.stack: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "img":
            self.images.append(values.get("src", ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.stray.append(tag)


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> ReportContent:
    rng = np.random.default_rng(2)
    dates = pd.date_range("2024-01-01", periods=20, freq="W-MON")
    actual = rng.uniform(90.0, 110.0, size=(2, 20))
    predicted = actual * rng.uniform(0.95, 1.05, size=(2, 20))
    keys = pd.DataFrame({"brand": ["<b>Brand</b>", "<b>Brand</b>"], "region": ["N", "S"]})
    parts = {
        "base": predicted.sum(0) - 30.0,
        "price": np.full(20, -5.0),
        "promotions": np.full(20, 15.0),
        "TV": np.full(20, 20.0),
    }
    figure = tmp_path_factory.mktemp("figures") / "fit_by_brand.png"
    figure.write_bytes(PNG)
    plots = PlotData(
        dates=dates,
        holdout_weeks=4,
        by_brand=FitPanels(("<b>Brand</b>",), actual.sum(0)[None], predicted.sum(0)[None]),
        by_region=FitPanels(("N", "S"), actual, predicted),
        national_actual=actual.sum(0),
        national_predicted=predicted.sum(0),
        national_parts=parts,
        totals={k: float(v.sum()) for k, v in parts.items()},
        diagnostics=residual_diagnostics(actual, predicted, keys, 4),
        colors=part_colors(VizConfig(), ("TV",)),
    )
    contributions = pd.DataFrame({"channel": ["TV"], "spend": [100.0], "contribution": [400.0], "roi": [4.0]})
    media = pd.DataFrame(
        {
            "channel": ["TV"],
            "carryover_total": [1.5],
            "mean_lag_weeks": [0.4],
            "half_saturation": [1.2],
            "slope": [1.1],
            "coefficient_inr": [55.0],
        }
    )
    return ReportContent(
        plots=plots,
        metrics=metrics_table(actual, predicted, keys, 4),
        contributions=contributions,
        media_response=media,
        cpm={"TV": 1.25},
        n_series=2,
        saturation="hill",
        n_draws=40,
        figures=(figure,),
        training={"timings": {"adam": 1.5}, "best_epoch": 7, "history": {"loss": [3.0, 2.0, 1.0]}},
    )


@pytest.fixture(scope="module")
def page(content) -> str:
    return build_report(content)


def test_plotly_is_inlined_once_and_nothing_is_fetched(page):
    assert page.count(get_plotlyjs()) == 1
    ours = page.replace(get_plotlyjs(), "")
    assert "cdn.plot.ly" not in ours and "<script src" not in ours
    assert not re.search(r"""(src|href)=["']https?://""", ours)


def test_every_section_and_chart_is_present_and_the_page_parses(page):
    structure = _Structure()
    structure.feed(page)
    structure.close()
    assert structure.stray == [] and structure.stack == []
    assert [i for i in structure.ids if i in SECTIONS] == list(SECTIONS)
    assert set(CHART_IDS) <= set(structure.ids)
    assert structure.images == ["data:image/png;base64,iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAA"]


def _charts(page: str) -> dict:
    payload = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, flags=re.S).group(1)
    return json.loads(payload)["charts"]


def test_chart_data_is_valid_json_for_every_div(page):
    charts = _charts(page)
    assert list(charts) == list(CHART_IDS)
    fit = charts["chart-fit"]
    # national, one brand, two regions: two traces each, one dropdown button each
    assert len(fit["data"]) == 8 and len(fit["layout"]["updatemenus"][0]["buttons"]) == 4
    assert [t["name"] for t in charts["chart-decomposition"]["data"][:4]] == ["base", "price", "promotions", "TV"]
    actual, fitted = fit["data"][:2]
    assert actual["line"]["color"] != fitted["line"]["color"] and fitted["line"]["dash"] == "dash"
    assert charts["chart-waterfall"]["data"][0]["measure"][-1] == "total"
    assert fit["layout"]["shapes"][0]["x0"] == "2024-04-22"  # first of the 4 holdout weeks


def test_cpm_assumption_contributions_and_training_summary(page):
    assert "spend = exposures x CPM / 1000" in page and "TV 1.25" in page
    assert '<td class="num word">4.000</td>' in page  # historical average ROI
    assert "Historical average ROI" in page
    assert "1.5 s" in page and "Adam epoch kept" in page and "1 after 3 epochs (lowest 1)" in page
    assert "Durbin-Watson" in page


def _training_table(page: str) -> list[list[str]]:
    section = re.search(r'<section id="training">(.*?)</section>', page, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [[html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows[1:]]


def test_the_training_summary_speaks_words_not_keys(content):
    """A training run's summary as the pipeline passes it: no dotted keys, times in seconds, wMAPE in percent,
    the model form's own details (form choice, segment curves) left to their section."""
    training = {
        "timings_seconds": {"adam": 3.06749, "polish": 2.6428, "intervals": 0.02445, "total": 7.28446},
        "best_adam_epoch": 19,
        "posterior_draws": {"method": "laplace+langevin", "draws": 400, "steps": 30, "acceptance": 0.5731},
        "residual_sd_share_of_mean_sales": 0.124375,
        "history": {"loss": [0.6, 0.508217], "val_wmape": [0.11, 0.108719], "wmape": [0.04, 0.0360127]},
        "selection": {"carryover": "geometric", "reason": "best forecast"},
        "segment_curves": {"spread": {"slope": 0.0}, "by_channel": {"TV": {"slope": 0.0}}},
        "segment_curves_in_advice": True,
        "fitted apart": "each Brand on its own (3 markets)",
    }
    rows = dict(_training_table(build_report(ReportContent(**_fields(content) | {"training": training}))))
    assert rows["Training time"] == "7.3 s in all: Adam 3.1 s, polish 2.6 s, intervals 0.024 s"
    assert rows["Adam epoch kept (lowest training loss)"] == "19 of 2"
    assert rows["Residual sd, share of mean weekly sales"] == "12.4%"
    assert rows["Training loss"] == "0.5082 after 2 epochs (lowest 0.5082)"
    assert rows["Validation wMAPE"] == "10.9% after 2 epochs (lowest 10.9%)"
    assert rows["Segments' own curves in the budget advice"] == "on"
    assert rows["How the draws were made"] == (
        "the Laplace approximation at the posterior mode, each draw moved toward the exact posterior by 30 Langevin "
        "steps (57.3% of proposals accepted after the warm-up)"
    )
    assert rows["Fitted apart"] == "each Brand on its own (3 markets)"
    assert not [name for name in rows if "." in name or "_" in name or "segment_curves" in name]


def test_a_fit_without_adam_says_no_adam_epoch(content):
    """A panel fitted by Gauss-Newton rounds (too large for Adam) was reported as 'Adam epoch kept: 0 of 4'
    and '... after 4 epochs'."""
    training = {
        "timings_seconds": {"gauss-newton": 12.3, "total": 13.0},
        "best_adam_epoch": 0,
        "posterior_draws": {"method": "laplace", "draws": 400, "steps": 0},
        "history": {"loss": [5.0, 2.0, 1.9, 1.89]},
    }
    rows = dict(_training_table(build_report(ReportContent(**_fields(content) | {"training": training}))))
    assert not [name for name in rows if "Adam" in name]
    assert rows["Training loss"] == "1.89 after 4 Gauss-Newton rounds (lowest 1.89)"
    assert rows["Training time"] == "13.0 s in all: Gauss-Newton 12.3 s"
    assert rows["How the draws were made"] == "the Laplace approximation at the posterior mode"


def test_draws_widened_for_autocorrelated_residuals_say_by_how_much(content):
    training = {
        "timings_seconds": {"total": 1.0},
        "posterior_draws": {"method": "laplace", "draws": 400, "steps": 0, "autocorrelation": 1.96, "widened": 1},
    }
    rows = dict(_training_table(build_report(ReportContent(**_fields(content) | {"training": training}))))
    assert rows["How the draws were made"] == (
        "the Laplace approximation at the posterior mode, widened 1.40x because the residuals drift together week "
        "to week (the weeks count as 51% as many independent ones)"
    )
    training["posterior_draws"]["widened"] = 0  # measured, not applied: the report says what the option would do
    rows = dict(_training_table(build_report(ReportContent(**_fields(content) | {"training": training}))))
    assert rows["How the draws were made"] == (
        "the Laplace approximation at the posterior mode; the residuals drift together week to week (the weeks "
        "count as 51% as many independent ones): intervals.autocorrelation: true would widen the draws 1.40x"
    )


def test_names_are_escaped(page):
    assert "<b>Brand</b>" not in page.replace(get_plotlyjs(), "")
    assert "&lt;b&gt;Brand&lt;/b&gt;" in page


def test_the_promotions_note_says_the_tpr_effect_sits_in_price(page):
    decomposition = re.search(r'<section id="decomposition">(.*?)</section>', page, re.S).group(1)
    assert "TPR" in decomposition and "price part" in decomposition and "elasticity" in decomposition


def test_human_headers_and_indian_or_western_numbers(content):
    big = pd.DataFrame({"channel": ["TV"], "spend": [1234567.0], "contribution": [4938268.0], "roi": [4.0]})
    indian = build_report(ReportContent(**_fields(content) | {"contributions": big}))
    western = build_report(ReportContent(**_fields(content) | {"contributions": big, "number_format": "western"}))
    headers = re.findall(r"<th[^>]*>(.*?)</th>", indian)
    assert "Train MAPE" in headers and "Holdout R²" in headers and "Durbin-Watson" in headers
    assert not [h for h in headers if "_" in h and not h.startswith("Sales_Value")]
    assert ">12,34,567<" in indian and ">1,234,567<" not in indian
    assert ">1,234,567<" in western and ">12,34,567<" not in western
    assert ">100.0%<" in indian  # shares as percentages


@pytest.mark.parametrize(
    ("number_format", "cpm", "draws"),
    [("indian", "TV 1,23,456.78.", ">1,00,000<"), ("western", "TV 123,456.78.", ">100,000<")],
    ids=["indian", "western"],
)
def test_the_cpm_note_and_the_draw_count_follow_the_number_format(content, number_format, cpm, draws):
    """Before, the CPM note read 123,456.78 and the draws 100000 in either format."""
    fields = _fields(content) | {"cpm": {"TV": 123456.78}, "n_draws": 100000, "number_format": number_format}
    page = build_report(ReportContent(**fields))
    assert cpm in page and draws in page


def test_extra_sections_come_after_the_media_response(content):
    extra = Section("model-form", "Model form selection", (Text(("Hill won.",)),))
    page = build_report(ReportContent(**_fields(content) | {"extra_sections": (extra,)}))
    order = re.findall(r'<section id="([a-z-]+)">', page)
    assert order.index("model-form") == order.index("media-response") + 1
    assert "Hill won." in page


def _fields(content: ReportContent) -> dict:
    return {name: getattr(content, name) for name in ReportContent.__dataclass_fields__}


def test_report_without_holdout_or_training(content):
    plots = PlotData(
        **{name: getattr(content.plots, name) for name in PlotData.__dataclass_fields__} | {"holdout_weeks": 0}
    )
    page = build_report(
        ReportContent(
            **{name: getattr(content, name) for name in ReportContent.__dataclass_fields__}
            | {"plots": plots, "training": {}}
        )
    )
    assert "Parameter draws for intervals" in page
    assert _charts(page)["chart-fit"]["layout"]["shapes"] == []


def test_a_model_fitted_per_market_says_where_langevin_steps_ran(content):
    training = {
        "timings_seconds": {"total": 13.0},
        "best_adam_epoch": 0,
        "posterior_draws": {
            "method": "laplace+langevin",
            "draws": 400,
            "steps": 20,
            "acceptance": 0.61,
            "markets_with_steps": 2,
            "markets": 3,
        },
    }
    rows = dict(_training_table(build_report(ReportContent(**_fields(content) | {"training": training}))))
    assert rows["How the draws were made"].endswith(
        "by 20 Langevin steps (61.0% of proposals accepted after the warm-up) in 2 of 3 markets (the rest: Laplace alone)"
    )


def test_the_subtitle_writes_its_dates_as_every_table_does(page):
    """Before, "04 Jul 2022 to 23 Jun 2025" above tables that write 2022-07-04."""
    assert re.search(r"\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, \d+ series", page)
    assert not re.search(r"\d{2} [A-Z][a-z]{2} \d{4} to", page)


def test_the_draws_row_counts_every_fit_s_draws_the_intervals_pool(content):
    """ "Parameter draws for intervals: 40" where the intervals pool the draws of three fits, 120 in all."""
    rows = dict(_training_table(build_report(content)))
    assert rows["Parameter draws for intervals"] == "40"
    pooled = ReportContent(**_fields(content) | {"saturation": "hill", "pooled_forms": ("sigmoid", "logistic")})
    rows = dict(_training_table(build_report(pooled)))
    assert rows["Parameter draws for intervals"] == "40 per fit (120 over the hill, sigmoid and logistic fits)"
