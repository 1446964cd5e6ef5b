"""Named what-if scenarios from YAML, evaluated side by side.

File format (``config/scenarios.yaml``)::

    scenarios:
      - name: tv_plus_20
        description: TV up a fifth          # optional
        brand: all                          # optional, default: the run's brand (all by default)
        region: all                         # optional, default: the run's region (all by default)
        spend: {TV: "+20%", Print: 0, YouTube: 180000}

A scenario without ``brand`` or ``region`` takes the run's own (``mmm simulate --brand/--region``;
``all`` unless given); one that names its own keeps it.

A number is a sustained weekly spend in INR (total over the selected segments); a signed amount
(``+5000``, ``-2,000``) or a signed percentage (``"+20%"``/``"-10%"``) changes the channel's current
weekly spend and ``"80%"`` is a share of it (as in ``--min``/``--max``); channels left out keep their current spend. ``true``/``false`` or an
empty value is not an amount. Mistakes raise :class:`InputError` naming the file, scenario and key; a
scenario's total spend may be at most
:meth:`~mmm_analytics.simulator.engine.MarketingSimulator.max_weekly_spend`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator

from mmm_analytics.config.base import Settings, error_message
from mmm_analytics.config.loader import UniqueKeyLoader, read_yaml
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator.defaults import ALL
from mmm_analytics.simulator.engine import (
    Allocation,
    MarketingSimulator,
    SimulationResult,
)
from mmm_analytics.simulator.terms import OPTIONS, Terms
from mmm_analytics.utils.names import one_name
from mmm_analytics.utils.percent import sign_of, typed_spend

#: Joins a scenario's warning lines (spend where the data has none) in its ``warnings`` column; empty when none.
WARNING_SEPARATOR = " | "
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "description",
    "brand",
    "region",
    "total_spend",
    "predicted_sales",
    "incremental_sales",
    "incremental_lower",
    "incremental_upper",
    "roi",
    "delta_incremental_vs_current",
    "horizon_predicted_sales",
    "horizon_incremental_sales",
    "warnings",
    "expected_incremental_sales",
    "delta_expected_vs_current",
)


class SignedAsWritten(UniqueKeyLoader):
    """Reads a scenarios file keeping a signed number as written (``+5000``, ``-2000``): in a spend it
    is a change, as ``+20%`` is, and YAML alone would read ``+5000`` as the spend 5,000."""


def _signed_as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if sign_of(text):  # the same test of a sign as the amount's reader
        return text
    return loader.construct_yaml_int(node) if node.tag.endswith(":int") else loader.construct_yaml_float(node)


SignedAsWritten.add_constructor("tag:yaml.org,2002:int", _signed_as_written)
SignedAsWritten.add_constructor("tag:yaml.org,2002:float", _signed_as_written)


class ScenarioSpec(Settings):
    """One named scenario as written in the YAML file."""

    name: str = Field(min_length=1)
    description: str = ""
    brand: str = ALL
    region: str = ALL
    spend: dict[str, float | str] = Field(default_factory=dict)

    @field_validator("name", "description", "brand", "region", mode="before")
    @classmethod
    def _text_as_written(cls, value: Any, info: ValidationInfo) -> Any:
        """YAML reads ``name: 2025``, ``brand: 0123`` (octal: 83) or ``name: 2025-01-06`` as a number
        or a date, and the text as written is lost: ask for quotes rather than guess it back."""
        if value is None:  # `brand:` or `brand: ~`
            raise ValueError("YAML reads this value as empty (null); write the text, or leave the key out")
        if isinstance(value, bool | int | float | dt.date | dt.datetime):
            kind = "a date" if isinstance(value, dt.date) else "true/false" if isinstance(value, bool) else "a number"
            raise ValueError(f"YAML reads this value as {kind} ({value}); put the text in quotes to keep it as written")
        if info.field_name == "name" and isinstance(value, str) and not value.strip():
            raise ValueError("a scenario needs a name to show in the tables; write one, e.g. name: tv_plus_20")
        return value

    @field_validator("spend", mode="before")
    @classmethod
    def _amounts_only(cls, value: Any) -> Any:
        """YAML reads ``TV: true`` as a bool (which would be 1 INR), ``TV:`` as nothing and
        ``TV: [1]`` as a list, ``TV: .inf`` as infinity: each is named with the forms an amount takes."""
        if isinstance(value, dict):
            for channel, amount in value.items():
                if amount is None and isinstance(channel, int) and not isinstance(channel, bool):
                    # Before, {TV: 1,50,000} (YAML splits a flow mapping at its commas) read "50 is given nothing".
                    raise ValueError(
                        f"'{channel}' is not a channel: in braces, YAML splits an amount at its commas "
                        "({TV: 1,50,000} reads as TV: 1, 50, 000); quote the amount ({TV: '1,50,000'}) or write it "
                        "without commas (150000)"
                    )
                infinite = isinstance(amount, float) and not math.isfinite(amount)
                if isinstance(amount, bool) or infinite or not isinstance(amount, int | float | str):
                    match amount:
                        case None:
                            shown = "nothing"
                        case bool() | float():
                            shown = str(amount).lower()
                        case list() | tuple():
                            shown = "a list"
                        case dict():
                            shown = "a mapping"
                        case _:
                            shown = f"a {type(amount).__name__}"
                    raise ValueError(
                        f"{channel} is given {shown}; write a weekly spend in INR (e.g. 150000), "
                        "a change like '+20%' or a share like '80%', or leave the channel out"
                    )
        return value


class ScenarioFile(Settings):
    scenarios: list[ScenarioSpec] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A checked scenario: the weekly spend per channel (INR) it stands for."""

    name: str
    description: str
    brand: str
    region: str
    spend: Allocation


def _describe(error: ValidationError, path: Path, raw: object) -> str:
    first = error.errors()[0]
    location = list(first["loc"])
    where = ".".join(str(part) for part in location)
    if len(location) >= 2 and location[0] == "scenarios" and isinstance(location[1], int):
        items = raw.get("scenarios", []) if isinstance(raw, dict) else []
        entry = items[location[1]] if location[1] < len(items) else {}
        name = entry.get("name", f"#{location[1] + 1}") if isinstance(entry, dict) else f"#{location[1] + 1}"
        key = ".".join(str(part) for part in location[2:]) or "(entry)"
        where = f"scenario {name!r}, key {key!r}"
    if first["type"] == "extra_forbidden":  # pydantic's words: "Extra inputs are not permitted"
        keys = ", ".join(ScenarioSpec.model_fields) if len(location) == 3 else "scenarios (a list of scenarios)"
        return f"{path}: {where}: unknown key; the keys here are {keys}: check its spelling or remove it"
    fix = _FIXES.get(first["type"])
    return f"{path}: {where}: {error_message(error)}" + (f"; {fix}" if fix else "")


#: What to do, by pydantic's error type, where its words say only what is wrong.
_FIXES: dict[str, str] = {
    "missing": "add it (the project's config/scenarios.yaml shows the format)",
    "too_short": "list at least one scenario, e.g. '- {name: today, spend: {}}'",
    "dict_type": "write a mapping, e.g. {TV: 150000, Radio: '+20%'}",
    "model_type": "write a mapping, e.g. {TV: 150000, Radio: '+20%'}",
    "list_type": "write a list of scenarios, each starting with '- name:'",
}


def load_scenarios(path: str | Path, terms: Terms = OPTIONS) -> list[ScenarioSpec]:
    """Read and validate a scenarios YAML file (structure only; channels are checked by :func:`resolve`);
    ``terms`` say where a file is named."""
    file = Path(path)
    if file.is_dir():
        raise InputError(
            f"scenarios file '{file}' is a folder; give a YAML file of scenarios (e.g. config/scenarios.yaml)"
        )
    if file.exists() and not file.is_file():
        raise InputError(f"scenarios file '{file}' is not a regular file; give a YAML file of scenarios")
    if not file.is_file():
        raise InputError(
            f"scenarios file '{file}' not found; give a YAML file of named plans ({terms.scenarios_file}), e.g. "
            "\"scenarios: [{name: now}, {name: more_tv, spend: {TV: '+20%'}}]\" (the project's config/scenarios.yaml "
            "is an example)"
        )
    raw = read_yaml(file, SignedAsWritten)
    if raw is not None and not isinstance(raw, dict):
        raise InputError(
            f"{file}: expected 'scenarios:' with a list of scenarios at the top level, got a {type(raw).__name__}; "
            "see config/scenarios.yaml"
        )
    try:
        parsed = ScenarioFile.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        raise InputError(_describe(error, file, raw)) from None
    names = [spec.name for spec in parsed.scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"{file}: scenario names must be unique; repeated: {', '.join(duplicates)}")
    return parsed.scenarios


def _amount(
    spec: ScenarioSpec, channel: str, value: float | str, current: float, where: str, fmt: NumberFormat
) -> float:
    """The weekly spend (INR) of ``value``: an amount (a number, or text read by
    :func:`~mmm_analytics.utils.amounts.parse_inr`: ``150000``, ``1,50,000``, ``1.5L``), or a percentage
    of ``current`` or a signed amount, a change of it, read by
    :func:`~mmm_analytics.utils.percent.typed_spend` (``+20%`` and ``+5000`` changes, ``80%`` a share); amounts in
    its messages grouped per ``fmt``."""
    key = f"{where}: scenario {spec.name!r}, key {channel!r}"
    if isinstance(value, str):
        try:
            return typed_spend(value, current, fmt)
        except ValueError as error:
            more = "; or a change like '+20%' or '-10%', or a share like '80%'" if "not a number" in str(error) else ""
            raise InputError(f"{key}: {error}{more}") from None
    if not value >= 0 or value == float("inf"):
        raise InputError(f"{key}: weekly spend must be a number >= 0 INR; got {value}")
    return float(value)


def resolve(
    spec: ScenarioSpec, simulator: MarketingSimulator, where: str = "scenario", brand: str = ALL, region: str = ALL
) -> Scenario:
    """Check brand, region and channels of ``spec`` against the model and compute its spend; a scenario
    that names no brand (region) of its own is run for ``brand`` (``region``), the run's selection."""
    named: dict[str, str] = {}
    selection = {"brand": brand, "region": region}
    keys: tuple[Literal["brand", "region"], ...] = ("brand", "region")
    for key in keys:
        given = getattr(spec, key) if key in spec.model_fields_set else selection[key]
        try:
            named[key] = simulator.named(key, given)
        except InputError as error:
            raise InputError(f"{where}: scenario {spec.name!r}, key {key!r}: {error}") from None
    brand, region = named["brand"], named["region"]
    current = simulator.current_spend(brand, region)
    spend = dict(current)
    named_channels: set[str] = set()
    for given, amount in spec.spend.items():
        at = f"{where}: scenario {spec.name!r}, key {given!r}"
        try:
            channel = one_name(given, simulator.channels, "channel", f"channels: {', '.join(simulator.channels)}")
        except InputError as error:
            raise InputError(f"{at}: {error}") from None
        if channel in named_channels:
            raise InputError(f"{at}: {channel} is given twice; give each channel once")
        named_channels.add(channel)
        spend[channel] = _amount(spec, channel, amount, current[channel], where, simulator.number_format)
    try:
        simulator.check_spend(np.array(list(spend.values())), brand, region)
    except InputError as error:
        raise InputError(f"{where}: scenario {spec.name!r}: {error}") from None
    return Scenario(spec.name, spec.description, brand, region, spend)


def compare_scenarios(simulator: MarketingSimulator, scenarios: list[Scenario]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Evaluate every scenario: a summary (one row each, :data:`SUMMARY_COLUMNS` plus
    ``spend_<channel>`` and ``contribution_<channel>``) and a long table of channel rows."""
    summary, channel_rows = [], []
    for scenario in scenarios:
        result = simulator.simulate_scenario(scenario.spend, scenario.brand, scenario.region)
        reference = simulator.simulate_scenario({}, scenario.brand, scenario.region)
        summary.append(_summary_row(scenario, result, reference))
        for channel in simulator.channels:
            contribution = result.channel_contributions[channel]
            spend = result.spend[channel]
            channel_rows.append(
                {
                    "scenario": scenario.name,
                    "brand": scenario.brand,
                    "region": scenario.region,
                    "channel": channel,
                    "spend": spend,
                    "contribution": contribution,
                    "roi": contribution / spend if spend > 0 else float("nan"),  # no spend: no ROI
                }
            )
    return pd.DataFrame(summary), pd.DataFrame(channel_rows)


def _summary_row(scenario: Scenario, result: SimulationResult, reference: SimulationResult) -> dict[str, object]:
    row: dict[str, object] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "brand": scenario.brand,
        "region": scenario.region,
        "total_spend": result.total_spend,
        "predicted_sales": result.predicted_sales,
        "incremental_sales": result.incremental_sales,
        "incremental_lower": result.incremental_lower,
        "incremental_upper": result.incremental_upper,
        "roi": result.roi,
        "delta_incremental_vs_current": result.incremental_sales - reference.incremental_sales,
        "horizon_predicted_sales": result.horizon_predicted_sales,
        "horizon_incremental_sales": result.horizon_incremental_sales,
        "warnings": WARNING_SEPARATOR.join(result.warnings),
        # On the advice's basis, the mean over the posterior draws: before, the scenario table's today's mix
        # (at the point estimate) stood beside the advice's, 13,000 INR a week apart.
        "expected_incremental_sales": result.expected_incremental_sales,
        "delta_expected_vs_current": result.expected_incremental_sales - reference.expected_incremental_sales,
    }
    row |= {f"spend_{c}": v for c, v in result.spend.items()}
    row |= {f"contribution_{c}": v for c, v in result.channel_contributions.items()}
    return row


def on_expected_basis(summary: pd.DataFrame) -> pd.DataFrame:
    """The scenario ``summary`` (:func:`compare_scenarios`) with ``predicted_sales`` and ``roi`` on the advice's
    basis, the mean over the posterior draws (``expected_incremental_sales``; no ROI without spend), as the
    tables show them; the point estimate's stay in the CSV."""
    spend = summary["total_spend"]
    return summary.assign(
        predicted_sales=summary["predicted_sales"]
        - summary["incremental_sales"]
        + summary["expected_incremental_sales"],
        roi=summary["expected_incremental_sales"] / spend.where(spend > 0),
    )


def scenarios_from_file(
    path: str | Path, simulator: MarketingSimulator, brand: str = ALL, region: str = ALL, *, terms: Terms = OPTIONS
) -> list[Scenario]:
    """Load, validate and resolve every scenario of a YAML file; one without a brand (region) of its
    own is run for ``brand`` (``region``); ``terms`` say where a file is named."""
    return [resolve(spec, simulator, str(path), brand, region) for spec in load_scenarios(path, terms)]


def warning_lines(summary: pd.DataFrame) -> list[tuple[str, str]]:
    """(scenario, warning line) for every line of the summary's ``warnings`` column, in order."""
    if "warnings" not in summary:
        return []
    return [
        (str(name), line)
        for name, text in summary[["scenario", "warnings"]].itertuples(index=False)
        for line in str(text).split(WARNING_SEPARATOR)
        if line and line != "nan"
    ]
