"""The summary page's charts: the shares of spend and contribution."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mmm_analytics.reports.summary_charts import CONTRIBUTION_SHARE, SPEND_SHARE, allocation_points, share_bars


def _bars(spend: list[float], contribution: list[float]) -> dict[str, dict]:
    roi = pd.DataFrame({"channel": ["TV", "Radio"], "spend": spend, "contribution": contribution})
    figure = share_bars(roi)
    json.dumps(figure, allow_nan=False)  # strict JSON: what the page embeds is finite
    return {trace["name"]: trace for trace in figure["data"]}


def test_shares_sum_to_one() -> None:
    bars = _bars([300.0, 100.0], [200.0, 200.0])
    assert bars[SPEND_SHARE]["y"] == pytest.approx([0.75, 0.25], rel=1e-12)
    assert bars[CONTRIBUTION_SHARE]["y"] == pytest.approx([0.5, 0.5], rel=1e-12)


def test_no_media_contribution_draws_no_bars_instead_of_nan() -> None:
    bars = _bars([300.0, 100.0], [0.0, 0.0])
    assert bars[CONTRIBUTION_SHARE]["y"] == [None, None]
    assert bars[CONTRIBUTION_SHARE]["text"] == ["n/a", "n/a"]
    assert bars[SPEND_SHARE]["y"] == pytest.approx([0.75, 0.25], rel=1e-12)


@pytest.mark.parametrize(
    ("allocation", "today"),
    [
        (
            {"today_allocation": {"TV": 100.0}, "current_allocation": {"TV": 150.0}, "weekly_budget": 150.0},
            {"TV": 100.0},
        ),
        ({"current_allocation": {"TV": 150.0}, "weekly_budget": 150.0, "today_weekly_spend": 100.0}, {"TV": 100.0}),
        ({"current_allocation": {"TV": 150.0}, "weekly_budget": 150.0}, {"TV": 150.0}),  # today's spend not given
        ({"today_allocation": {"TV": "x"}, "current_allocation": {"TV": 150.0}, "weekly_budget": 150.0}, {"TV": 150.0}),
        ({"current_allocation": {"TV": None, "Radio": 50.0}, "weekly_budget": 150.0}, {"Radio": 50.0}),
    ],
    ids=["given", "scaled-back", "not-given", "not-a-number", "scaled-not-a-number"],
)
def test_today_s_spend_is_today_s_mix_as_it_is(allocation: dict, today: dict) -> None:
    """Before, the circles on the curves stood at today's mix scaled to the advice's budget (150% of today's)."""
    found, recommended = allocation_points(allocation | {"allocation": {"TV": 120.0}})
    assert found == pytest.approx(today, rel=1e-12) and recommended == {"TV": 120.0}
