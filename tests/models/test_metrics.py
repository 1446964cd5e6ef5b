"""Fit metrics and residual diagnostics against hand computations (tolerance rtol=1e-12 unless stated)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from statsmodels.stats.stattools import durbin_watson

from mmm_analytics.models.metrics import (
    METRIC_NAMES,
    fit_metrics,
    fit_warnings,
    flat_forecast_wmape,
    metrics_summary,
    metrics_table,
    period_weeks,
    residual_diagnostics,
)

KEYS = pd.DataFrame({"brand": ["A", "A", "B"], "region": ["N", "S", "N"]})


def test_fit_metrics_match_hand_computation():
    # errors 10, -10, 30, 0; SSE 1100; mean 250; SST 50000
    metrics = fit_metrics([100.0, 200.0, 300.0, 400.0], [110.0, 190.0, 330.0, 400.0])
    expected = {
        "r2": 1 - 1100 / 50000,
        "mape": (0.1 + 0.05 + 0.1 + 0.0) / 4,
        "wmape": 50 / 1000,
        "nrmse": math.sqrt(1100 / 4) / 250,
        "bias": (30 / 4) / 250,
    }
    assert metrics.keys() == expected.keys()
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, rel=1e-12), name


def test_mape_skips_zero_actuals_and_undefined_metrics_are_nan():
    metrics = fit_metrics([0.0, 100.0], [5.0, 90.0])
    assert metrics["mape"] == pytest.approx(0.1, rel=1e-12)
    assert metrics["wmape"] == pytest.approx(15 / 100, rel=1e-12)
    constant = fit_metrics([5.0, 5.0, 5.0], [4.0, 5.0, 6.0])
    assert math.isnan(constant["r2"]) and constant["bias"] == pytest.approx(0.0, abs=1e-15)
    assert all(math.isnan(v) for v in fit_metrics([], []).values())


def test_fit_metrics_rejects_different_sizes():
    with pytest.raises(ValueError, match="differ in size"):
        fit_metrics([1.0, 2.0], [1.0])


@settings(max_examples=40, deadline=None)
@given(
    actual=arrays(np.float64, 12, elements=st.floats(1.0, 1e6)),
    noise=arrays(np.float64, 12, elements=st.floats(-0.5, 0.5)),
    factor=st.floats(1e-3, 1e3),
)
def test_metrics_are_unit_free(actual, noise, factor):
    """Every metric is unchanged when actual and predicted are in other currency units."""
    predicted = actual * (1.0 + noise)
    base, scaled = fit_metrics(actual, predicted), fit_metrics(actual * factor, predicted * factor)
    for name in METRIC_NAMES:
        assert scaled[name] == pytest.approx(base[name], rel=1e-9, abs=1e-9, nan_ok=True), name


def test_perfect_prediction():
    actual = np.array([3.0, 5.0, 4.0])
    assert fit_metrics(actual, actual) == {"r2": 1.0, "mape": 0.0, "wmape": 0.0, "nrmse": 0.0, "bias": 0.0}


@pytest.fixture()
def grids() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    actual = rng.uniform(50.0, 150.0, size=(3, 10))
    return actual, actual * rng.uniform(0.8, 1.2, size=(3, 10))


def test_metrics_table_rows_split_periods_and_levels(grids):
    actual, predicted = grids
    table = metrics_table(actual, predicted, KEYS, holdout_weeks=3)
    assert list(table.columns) == ["level", "brand", "region", "period", "n_obs", *METRIC_NAMES]
    # per period: overall, national, 2 brands, 2 regions, 3 series
    assert table.groupby("period").size().to_dict() == {"holdout": 9, "train": 9}
    series = table.query("level == 'series' and brand == 'A' and region == 'S' and period == 'holdout'").iloc[0]
    expected = fit_metrics(actual[1, 7:], predicted[1, 7:])
    assert series[list(METRIC_NAMES)].to_dict() == pytest.approx(expected, rel=1e-12)
    national = table.query("level == 'national' and period == 'train'").iloc[0]
    assert national["wmape"] == pytest.approx(
        fit_metrics(actual[:, :7].sum(0), predicted[:, :7].sum(0))["wmape"], rel=1e-12
    )
    region = table.query("level == 'region' and region == 'N' and period == 'train'").iloc[0]
    assert region["r2"] == pytest.approx(
        fit_metrics(actual[[0, 2], :7].sum(0), predicted[[0, 2], :7].sum(0))["r2"], rel=1e-12
    )
    overall = table.query("level == 'overall' and period == 'train'").iloc[0]
    assert overall["n_obs"] == 21
    assert overall["mape"] == pytest.approx(fit_metrics(actual[:, :7], predicted[:, :7])["mape"], rel=1e-12)


def test_weeks_whose_sales_were_filled_in_are_not_scored(grids):
    """Before, a week the cleaning filled in by copying its neighbour scored as a near-perfect forecast."""
    actual, predicted = grids
    observed = np.ones(actual.shape, dtype=bool)
    observed[1, :4] = False  # series A/S started 4 weeks late
    observed[2, 7:] = False  # series B/N stopped before the holdout
    copied = predicted.copy()
    copied[1, :4] = actual[1, :4]  # the filled-in weeks, "forecast" perfectly
    table = metrics_table(actual, copied, KEYS, holdout_weeks=3, observed=observed)
    overall = table.query("level == 'overall' and period == 'train'").iloc[0]
    assert overall["n_obs"] == 21 - 4
    assert overall["wmape"] == pytest.approx(
        fit_metrics(actual[:, :7][observed[:, :7]], copied[:, :7][observed[:, :7]])["wmape"]
    )
    series = table.query("level == 'series' and brand == 'A' and region == 'S' and period == 'train'").iloc[0]
    assert series["n_obs"] == 3
    assert series["mape"] == pytest.approx(fit_metrics(actual[1, 4:7], copied[1, 4:7])["mape"], rel=1e-12)
    gone = table.query("level == 'series' and brand == 'B' and period == 'holdout'").iloc[0]
    assert gone["n_obs"] == 0 and math.isnan(gone["wmape"])
    national = table.query("level == 'national' and period == 'holdout'").iloc[0]
    assert national["wmape"] == pytest.approx(
        fit_metrics(actual[:2, 7:].sum(0), copied[:2, 7:].sum(0))["wmape"], rel=1e-12
    )
    unmasked = metrics_table(actual, copied, KEYS, holdout_weeks=3).query("level == 'overall' and period == 'train'")
    assert unmasked.iloc[0]["wmape"] < overall["wmape"]  # the copied weeks flattered the fit
    diagnostics = residual_diagnostics(actual, copied, KEYS, holdout_weeks=3, observed=observed)
    assert np.isfinite(diagnostics["durbin_watson"]).all()


def test_no_holdout_gives_train_rows_only(grids):
    actual, predicted = grids
    assert period_weeks(10, 0) == {"train": slice(0, 10)}
    assert set(metrics_table(actual, predicted, KEYS, holdout_weeks=0)["period"]) == {"train"}


def test_metrics_summary_is_nested_and_json_safe(grids):
    actual, predicted = grids
    actual[0, 0] = predicted[0, 0] = 0.0
    summary = metrics_summary(metrics_table(actual, predicted, KEYS, holdout_weeks=3))
    json.dumps(summary, allow_nan=False)
    assert summary["holdout"]["overall"]["n_obs"] == 9
    assert {row["brand"] for row in summary["train"]["brand"]} == {"A", "B"}
    assert len(summary["train"]["series"]) == 3


def test_durbin_watson_and_acf_of_an_alternating_residual():
    actual = np.full((1, 4), 10.0)
    predicted = actual - np.array([[1.0, -1.0, 1.0, -1.0]])
    keys = pd.DataFrame({"brand": ["A"], "region": ["N"]})
    table = residual_diagnostics(actual, predicted, keys, holdout_weeks=0, lags=3)
    assert list(table.columns) == [
        "level",
        "brand",
        "region",
        "n_weeks",
        "durbin_watson",
        "acf_lag_1",
        "acf_lag_2",
        "acf_lag_3",
    ]
    series = table.query("level == 'series'").iloc[0]
    assert series["durbin_watson"] == pytest.approx(12 / 4, rel=1e-12)  # sum(diff**2) / sum(e**2)
    # acf with n in every denominator: lag 1 -3/4, lag 2 +2/4, lag 3 -1/4
    assert series[["acf_lag_1", "acf_lag_2", "acf_lag_3"]].to_numpy(float) == pytest.approx(
        [-0.75, 0.5, -0.25], rel=1e-12
    )


def test_diagnostics_use_training_weeks_and_pool_series(grids):
    actual, predicted = grids
    table = residual_diagnostics(actual, predicted, KEYS, holdout_weeks=3)
    assert set(table["n_weeks"]) == {7}
    assert table["level"].tolist() == ["overall", "national", "series", "series", "series"]
    residual = (actual - predicted)[:, :7]
    assert table["durbin_watson"].iloc[2:].to_numpy() == pytest.approx(durbin_watson(residual, axis=1), rel=1e-12)
    assert table["durbin_watson"].iloc[1] == pytest.approx(durbin_watson(residual.sum(0)), rel=1e-12)
    # identical relative residuals in every series: pooled values equal each series' values
    same = np.tile(actual[:1], (3, 1))
    pooled = residual_diagnostics(same, same * np.tile(predicted[:1] / actual[:1], (3, 1)), KEYS, 3)
    assert pooled.iloc[0, 4:].to_numpy(float) == pytest.approx(
        pooled.iloc[2, 4:].to_numpy(float), rel=1e-9, nan_ok=True
    )
    assert np.isnan(pooled.iloc[0, -2:].to_numpy(float)).all()  # 7 training weeks: no lag 7 or 8


@pytest.mark.parametrize(
    ("metrics", "weeks", "fragments"),
    [
        pytest.param(
            {"train": {"overall": {"r2": 0.92}}, "holdout": {"overall": {"wmape": 0.05}}}, 143, [], id="sound"
        ),
        pytest.param(
            {"train": {"overall": {"r2": 0.023}}, "holdout": {"overall": {"wmape": 0.9}}},
            143,
            ["explains 2% of the weekly sales variation", "off by 90% on average"],
            id="one-bad-row",  # a Sales_Value typed 10,000 times too large: R2 0.023, holdout wMAPE 90%
        ),
        pytest.param({"train": {"overall": {"r2": 0.99}}}, 9, ["trains on 9 weeks, less than a year"], id="short"),
        pytest.param({"train": {"overall": {"r2": -3.0}}}, 60, ["explains 0% of"], id="worse-than-the-mean"),
        pytest.param(
            {"train": {"overall": {"r2": 0.93}}, "holdout": {"overall": {"wmape": 0.12, "flat_forecast_wmape": 0.05}}},
            143,
            ["worse than a flat line would (holdout wMAPE 12.0%, against 5.0% for each series held at its average"],
            id="worse-than-a-flat-line",  # one series fitted alone, its holdout missed; R2 -1.46 said nothing clear
        ),
        pytest.param(
            {"train": {"overall": {"r2": 0.93}}, "holdout": {"overall": {"wmape": 0.07, "flat_forecast_wmape": 0.05}}},
            143,
            [],
            id="within-the-flat-line-s-reach",
        ),
        pytest.param(
            {"train": {"overall": {"r2": 0.93}}, "holdout": {"overall": {"wmape": 0.9, "flat_forecast_wmape": 0.05}}},
            143,
            ["off by 90% on average"],
            id="far-off-says-it-once",
        ),
        pytest.param(
            {"train": {"overall": {"r2": 0.93}}, "holdout": {"overall": {"wmape": 0.2, "flat_forecast_wmape": "x"}}},
            143,
            [],
            id="hand-edited-flat-forecast",
        ),
        pytest.param(
            {
                "train": {
                    "overall": {"r2": 0.95},
                    "brand": [
                        {"brand": "Big", "r2": 0.95},
                        {"brand": "Small", "r2": 0.21},
                        {"brand": "Tiny", "r2": 0.4},
                    ],
                },
                "holdout": {
                    "overall": {"wmape": 0.05},
                    "brand": [
                        {"brand": "Big", "wmape": 0.04},
                        {"brand": "Small", "wmape": 0.8},
                        {"brand": "Tiny", "wmape": None},
                    ],
                },
            },
            143,
            [
                "explains 21% of Small's weekly sales variation in its training weeks (R2 0.210) (1 more brand below",
                "forecasts of Small's weekly sales in the holdout weeks are off by 80%, though it forecasts the panel",
            ],
            id="one-brand-unfitted",  # a pooled fit dominated by a brand 1000 times the size of the others
        ),
        pytest.param(
            {"train": {"overall": {"r2": 0.95}, "brand": [{"brand": "Only", "r2": 0.3}]}}, 143, [], id="one-brand-panel"
        ),
    ],
)
def test_a_fit_not_to_be_read_says_so(metrics: dict, weeks: int, fragments: list[str]) -> None:
    """Before, 'mmm train' ended with exit 0 and no word on a fit with R2 0.02 or a holdout error of 20,000%."""
    lines = fit_warnings(metrics, weeks)
    assert len(lines) == len(fragments)
    for line, fragment in zip(lines, fragments, strict=True):
        assert fragment in line


def test_the_flat_forecast_holds_each_series_at_its_recent_mean() -> None:
    """Each series at its mean of the last weeks before the holdout; observed cells only; NaN without a holdout."""
    actual = np.array([[50.0, 10.0, 10.0, 12.0, 8.0], [100.0, 100.0, 300.0, 100.0, 100.0]])
    # series 1 at 10 (weeks 1-2), series 2 at 200: |12-10| + |8-10| + |100-200| * 2 over 12 + 8 + 200
    assert flat_forecast_wmape(actual, 2, weeks=2) == pytest.approx(204 / 220, rel=1e-12)
    observed = np.ones_like(actual)
    observed[1, 2] = 0.0  # series 2's week 2 filled in by the cleaning: its level is week 1's, 100
    assert flat_forecast_wmape(actual, 2, observed, weeks=2) == pytest.approx(4 / 220, rel=1e-12)
    observed[0, 4] = 0.0  # an unobserved holdout week is not scored
    assert flat_forecast_wmape(actual, 2, observed, weeks=2) == pytest.approx(2 / 212, rel=1e-12)
    assert math.isnan(flat_forecast_wmape(actual, 0)) and math.isnan(flat_forecast_wmape(actual, 5))
