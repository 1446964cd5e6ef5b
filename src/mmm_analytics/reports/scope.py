"""Which brand and region each figure of the summary covers, in words.

The media totals, ROIs, response curves and fit of the summary are national (every brand and
region); the advice (``optimal_allocation.json``) and the budget frontier (``efficiency_frontier.csv``)
cover what ``mmm optimize`` or ``mmm simulate`` was asked for, one brand x region with
``--brand X --region Y``. A figure of part of the market says so wherever it stands beside national ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mmm_analytics.reports.inputs import NATIONAL, plan_segment
from mmm_analytics.simulator.figures import scope_label
from mmm_analytics.simulator.frontier_table import frontier_scope

type Scope = tuple[str, str]
#: The whole market: every brand and region.
WHOLE: Scope = (NATIONAL, NATIONAL)


def plan_scope(allocation: Mapping[str, Any] | None) -> Scope | None:
    """The brand and region an advice covers (None without one); a file without them is national."""
    return plan_segment(allocation) if allocation else None


def is_part(scope: Scope | None) -> bool:
    """Whether ``scope`` is part of the market, not all of it (False when unknown)."""
    return scope is not None and scope != WHOLE


def scope_words(scope: Scope) -> str:
    """``every brand and region`` or, for part of the market, ``BrandA in EAST only`` (``BrandA only``...)."""
    return "every brand and region" if scope == WHOLE else scope_label(*scope)


def for_part(scope: Scope | None) -> str:
    """`` (BrandA in EAST only)`` after a heading of part of the market; "" for the whole or unknown."""
    return f" ({scope_words(scope)})" if scope is not None and is_part(scope) else ""


def frontier_words(frontier: pd.DataFrame) -> str:
    """The sentence naming what the frontier covers, to open its caption."""
    scope = frontier_scope(frontier)
    if scope is None:
        return (
            "The frontier of what the last 'mmm simulate' was asked for (its file does not name the brand and "
            "region; run 'mmm simulate' again to see them named here)."
        )
    if not is_part(scope):
        return "National: the weekly budget and sales of every brand and region together."
    words = scope_words(scope)
    return f"{words[:1].upper()}{words[1:]}: the weekly budget and sales of that part of the market."


def scope_note(plan: Scope | None) -> str | None:
    """The sentence saying the advice covers part of the market while the rest of the page is national
    (None when the advice is national or there is none)."""
    if plan is None or not is_part(plan):
        return None
    return (
        f"The advice on this page (the channels to grow and to cut, what the reallocation brings and the weekly "
        f"plan) is for {scope_words(plan)}, on its own weekly budget. The media totals, the ROIs, the national "
        "response curves and the fit are of every brand and region."
    )
