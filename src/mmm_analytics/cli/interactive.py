"""The interactive simulator (``mmm simulate --interactive``): a menu over the simulator.

Prompts list the valid brands, regions and channels; Enter takes the default in brackets (the
last brand and region chosen, at first those of ``--brand``/``--region``; the current spend).
Spends take INR, changes (``+20%``) and shares (``80%``) of the current spend. Each simulation is
kept as a scenario that "Compare scenarios" sets beside others; exports never overwrite a file
(:mod:`mmm_analytics.simulator.session_export`). Bad input re-prompts (see
:mod:`mmm_analytics.cli.prompts`), a budget above the allowed maximum and limits the budget cannot
meet included; a request the model cannot meet otherwise (e.g. a minimum on a channel without
spend in the data) or an export folder that cannot be written prints the reason and returns to
the menu, keeping the last result for another export. Messages name the menu's own prompts
(:data:`MENU_TERMS`), not the options of ``mmm optimize``; amounts are grouped in the simulator's
number format (``viz.number_format`` of the project's config).

Keys: Ctrl-C during an action (at one of its prompts or while it computes) abandons that
action and returns to the menu. Ctrl-C or Ctrl-D at the menu prompt, Ctrl-D at any prompt,
and Exit say "Goodbye." and end the session with exit code 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import assert_never

import numpy as np
from rich.console import Console
from rich.text import Text

from mmm_analytics.cli import tables
from mmm_analytics.cli.common import describe_os_error
from mmm_analytics.cli.prompts import Leave, Prompter
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import check_output
from mmm_analytics.simulator.constraints import BudgetConstraints, named_limits, parse_limits, resolve_limits
from mmm_analytics.simulator.defaults import ALL
from mmm_analytics.simulator.engine import MarketingSimulator
from mmm_analytics.simulator.export import Result
from mmm_analytics.simulator.scenarios import Scenario, compare_scenarios, scenarios_from_file, warning_lines
from mmm_analytics.simulator.sensitivity import sensitivity
from mmm_analytics.simulator.session_export import export_session_result
from mmm_analytics.simulator.terms import Terms
from mmm_analytics.style import numbers


class Action(StrEnum):
    SIMULATE = "Simulate a scenario"
    OPTIMISE = "Optimise the budget"
    COMPARE = "Compare scenarios"
    SENSITIVITY = "Sensitivity analysis"
    EXPORT = "Export last result"
    EXIT = "Exit"


MENU: tuple[Action, ...] = tuple(Action)
SPEND_INTRO = (
    "Weekly spend per channel (channels: {channels}): INR, a change of the current spend (+20%, -10%, +5000) "
    "or a share of it (80%); Enter keeps the current spend. CHANNEL=VALUE items (e.g. {example}) "
    "set those channels at once and keep the others."
)
LIMITS_INTRO = (
    "Optional limits per channel (channels: {channels}): INR, a share of the current spend (80%) "
    "or a change of it (+20%, -10%)."
)
COMPARE_PROMPT = "Compare which (numbers, e.g. 1 3; Enter for all; f for a scenarios file)"
CURRENT_MIX = "current mix"
#: The brand or region of an export comparing scenarios of several.
MIXED = "mixed"
#: What the optimiser's messages call the budget and the limits here: the menu's prompts. The data range
#: has no prompt; model_config.yaml (the --config of ``mmm simulate``) sets it.
MENU_TERMS = Terms(
    budget="weekly budget",
    minimum="minimum ('Minimum spends')",
    limits="a limit ('Minimum spends' or 'Maximum spends')",
    shares="percentages in 'Minimum spends'/'Maximum spends'",
    at_most=None,
    data_range_off="simulator.data_range: false",
    scenarios_file="at the 'Scenarios file' prompt",
)


#: What a limit prompt can change, said after a message that offers more (the budget is asked before them).
PROMPT_REMEDY: dict[str, str] = {
    "minimum": "here: change the minimums, or Enter for none; Ctrl-C goes back to the menu for another budget",
    "maximum": (
        "here: change the maximums, or Enter for none; Ctrl-C goes back to the menu for other minimums "
        "or another budget"
    ),
}


@dataclass(frozen=True, slots=True)
class Kept:
    """The last result, kept for export, with the selection it is for."""

    name: str
    result: Result
    brand: str
    region: str


def describe_changes(spend: dict[str, float], current: dict[str, float], fmt: NumberFormat) -> str:
    """The channels whose weekly spend differs from the current one (``TV 3,614 -> 1,500``, grouped per
    ``fmt``), or "current mix"."""
    changed = [
        f"{channel} {numbers.grouped(current[channel], fmt)} -> {numbers.grouped(value, fmt)}"
        for channel, value in spend.items()
        if abs(value - current[channel]) >= 0.5
    ]
    return ", ".join(changed) or "current mix"


class Session:
    """One interactive session: ``last`` holds the most recent result for export, ``made`` the
    scenarios simulated so far (for comparison), ``brand`` and ``region`` the last ones chosen (at
    first the ones given, which a scenarios file's scenarios without their own are run for)."""

    def __init__(
        self,
        simulator: MarketingSimulator,
        console: Console,
        scenarios: Path,
        output: Path,
        read: Callable[[Text], str] | None = None,
        brand: str = ALL,
        region: str = ALL,
    ) -> None:
        self.simulator = simulator
        self.console = console
        self.fmt = simulator.number_format
        self.ask = Prompter(console, self.fmt, read)
        self.scenarios = scenarios
        self.output = output
        self.last: Kept | None = None
        self.made: list[Scenario] = []
        self.brand = brand
        self.region = region
        self.selection = (brand, region)

    def run(self) -> int:
        """Loop over the menu until Exit, Ctrl-D, or Ctrl-C at the menu prompt; returns the exit code (0).

        Ctrl-C during an action abandons it and shows the menu again.
        """
        self.console.print(
            Text(
                "Budget simulator: weekly spend in INR, sales per week at steady state "
                f"(horizon {self.simulator.settings.horizon_weeks} weeks)."
            )
        )
        while True:
            try:
                action = self._menu()
            except (Leave, KeyboardInterrupt):
                self.console.print()
                break
            if action is Action.EXIT:
                break
            try:
                self._attempt(action)
            except Leave:
                self.console.print()
                break
            except KeyboardInterrupt:  # a second Ctrl-C landing while the first was being handled
                self.console.print()
        self.console.print("Goodbye.")
        return 0

    def _attempt(self, action: Action) -> None:
        """Run ``action``; a user's mistake is one line, Ctrl-C abandons it (both back to the menu)."""
        try:
            try:
                self._dispatch(action)
            except InputError as error:
                self.ask.say_problem(str(error))
            except OSError as error:
                self.ask.say_problem(describe_os_error(error))
        except KeyboardInterrupt:
            while True:  # a second Ctrl-C while this prints must not escape the menu either
                try:
                    self.console.print()
                    self.ask.say_problem(
                        f"Interrupted: '{action.value}' abandoned; back to the menu (Ctrl-C or Ctrl-D there leaves)"
                    )
                    break
                except KeyboardInterrupt:
                    continue

    def _menu(self) -> Action:
        self.console.print()
        for number, action in enumerate(MENU, start=1):
            self.console.print(Text(f"  {number}  {action.value}"))
        choices = [str(n) for n in range(1, len(MENU) + 1)]
        return MENU[int(self.ask.choice("Choose an action", choices, what="menu number")) - 1]

    def _dispatch(self, action: Action) -> None:
        match action:
            case Action.SIMULATE:
                self.simulate()
            case Action.OPTIMISE:
                self.optimise()
            case Action.COMPARE:
                self.compare()
            case Action.SENSITIVITY:
                self.sensitivity()
            case Action.EXPORT:
                self.export()
            case Action.EXIT:
                return
            case _:
                assert_never(action)

    def _segment(self) -> tuple[str, str]:
        """Brand and region, Enter taking the last ones chosen (``all`` at first)."""
        self.brand = self.ask.choice("Brand", [*self.simulator.brands, ALL], what="brand", default=self.brand)
        self.region = self.ask.choice("Region", [*self.simulator.regions, ALL], what="region", default=self.region)
        return self.brand, self.region

    def _spends(self, current: dict[str, float]) -> dict[str, float]:
        """One prompt per channel; an answer with ``CHANNEL=VALUE`` items sets those and ends the prompts."""
        spend = dict(current)
        channels = list(current)
        for position, channel in enumerate(channels):
            answer = self.ask.spend(f"{channel} weekly spend", channel, current)
            if isinstance(answer, dict):
                spend.update(answer)
                kept = [c for c in channels[position + 1 :] if c not in answer]
                if kept:
                    self.ask.say(f"{', '.join(kept)}: current spend kept")
                break
            spend[channel] = answer
        return spend

    def simulate(self) -> None:
        brand, region = self._segment()
        current = self.simulator.current_spend(brand, region)
        channels = self.simulator.channels
        example = f"{channels[0]}=+20% {channels[-1]}=0"
        self.console.print(Text(SPEND_INTRO.format(channels=", ".join(channels), example=example)))
        spend = self._spends(current)
        result = self.simulator.simulate_scenario(spend, brand, region)
        self.console.print(tables.simulation_table(result, current, self.fmt))
        for line in tables.simulation_summary(result, self.fmt):
            self.console.print(Text(line))
        name = f"scenario_{len(self.made) + 1}"
        self.made.append(Scenario(name, describe_changes(spend, current, self.fmt), brand, region, spend))
        self.console.print(Text(f"Kept as '{name}': choose '{Action.COMPARE.value}' to set it beside others."))
        self.last = Kept("simulation", result, brand, region)

    def _constraints(self, brand: str, region: str, budget: float) -> BudgetConstraints:
        """Minimum and maximum spends, each answer checked against the others and ``budget`` (asked again)."""
        channels = self.simulator.channels
        lower: tuple[dict[str, float], dict[str, float]] = ({}, {})
        today = list(self.simulator.current_spend(brand, region).values())
        reference = self.simulator.scaled_current(brand, region, budget).sum(axis=0)

        def shown(channel: str, value: float, share: bool) -> str:
            return f"{channel}={value * 100:g}%" if share else f"{channel}={numbers.grouped(value, self.fmt)}"

        def parsed(items: list[str], kind: str) -> tuple[dict[str, float], dict[str, float]]:
            """INR and share limits, keyed by the channels they name (in any case)."""
            absolute, fraction = parse_limits(items, kind)
            return named_limits(absolute, channels, kind), named_limits(fraction, channels, kind)

        def check(items: list[str], kind: str) -> None:
            absolute, fraction = parsed(items, kind)
            if twice := sorted(absolute.keys() & fraction.keys()):  # TV=5000 tv=80%
                raise InputError(f"{kind} {twice[0]} is given twice; give each channel once")
            for limits, floor, share in ((absolute, lower[0], False), (fraction, lower[1], True)):
                for channel, value in limits.items():
                    if not math.isfinite(value) or value < 0:
                        raise InputError(
                            f"{kind} {shown(channel, value, share)}: a limit must be 0 or more "
                            "(INR, a share of current spend like 80%, or a change like +20%)"
                        )
                    if channel in floor and value < floor[channel]:
                        raise InputError(
                            f"maximum {shown(channel, value, share)} is below the minimum "
                            f"{shown(channel, floor[channel], share)}; raise the maximum"
                        )
            if kind == "minimum":
                wanted = BudgetConstraints(min_spend=absolute, min_fraction=fraction)
            else:
                wanted = BudgetConstraints(
                    min_spend=lower[0], min_fraction=lower[1], max_spend=absolute, max_fraction=fraction
                )
            try:
                resolve_limits(wanted, channels, np.array(today), budget, reference, MENU_TERMS, self.fmt)
            except InputError as error:  # only this prompt's limits can change here
                raise InputError(f"{error} ({PROMPT_REMEDY[kind]})") from None

        self.console.print(Text(LIMITS_INTRO.format(channels=", ".join(channels))))
        items = self.ask.limits("Minimum spends", lambda items: check(items, "minimum"))
        minimum = parsed(items, "minimum")
        lower[0].update(minimum[0])
        lower[1].update(minimum[1])
        items = self.ask.limits("Maximum spends", lambda items: check(items, "maximum"))
        maximum = parsed(items, "maximum")
        return BudgetConstraints(
            min_spend=minimum[0], min_fraction=minimum[1], max_spend=maximum[0], max_fraction=maximum[1]
        )

    def optimise(self) -> None:
        brand, region = self._segment()
        current_total = sum(self.simulator.current_spend(brand, region).values())

        def check(budget: float) -> None:
            self.simulator.check_budget(budget, brand, region, MENU_TERMS)

        budget = self.ask.amount("Weekly budget (INR)", current_total, check)
        constraints = self._constraints(brand, region, budget)
        # a plain line, not a live spinner: Ctrl-C may stop the optimisation at any moment
        self.console.print(Text("Optimising... (Ctrl-C abandons it)"))
        result = self.simulator.optimize_budget(budget, constraints, brand, region, terms=MENU_TERMS)
        self.console.print(tables.optimization_table(result, self.fmt, MENU_TERMS))
        for line in tables.optimization_summary(result, self.fmt):
            self.console.print(Text(line))
        self.last = Kept("optimization", result, brand, region)

    def _chosen_scenarios(self) -> list[Scenario]:
        """Scenarios of this session (listed, picked by number) or, with none or on request, of a YAML file."""
        picked: list[int] | None = None
        if self.made:
            self.console.print(Text("Scenarios of this session:"))
            for number, scenario in enumerate(self.made, start=1):
                total = sum(scenario.spend.values())
                self.console.print(
                    Text(
                        f"  {number}  {scenario.name}: {scenario.brand} / {scenario.region}, "
                        f"{numbers.grouped(total, self.fmt)} INR per week ({scenario.description})"
                    )
                )
            picked = self.ask.picks(COMPARE_PROMPT, len(self.made))
        if picked is None:
            path = Path(self.ask.text("Scenarios file", str(self.scenarios))).expanduser()
            return scenarios_from_file(path, self.simulator, *self.selection, terms=MENU_TERMS)
        chosen = [self.made[index] for index in picked]
        segments = {(scenario.brand, scenario.region) for scenario in chosen}
        if len(segments) == 1:  # the current mix of that selection as the first column
            brand, region = segments.pop()
            current = self.simulator.current_spend(brand, region)
            chosen.insert(0, Scenario(CURRENT_MIX, "current mix", brand, region, current))
        return chosen

    def compare(self) -> None:
        scenarios = self._chosen_scenarios()
        summary, _ = compare_scenarios(self.simulator, scenarios)
        level = self.simulator.interval_level
        self.console.print(tables.comparison_table(summary, self.simulator.channels, level, self.fmt))
        for name, line in warning_lines(summary):
            self.console.print(Text(f"Warning: scenario {name!r}: {line}"))
        brands, regions = set(summary["brand"]), set(summary["region"])
        brand = brands.pop() if len(brands) == 1 else MIXED
        region = regions.pop() if len(regions) == 1 else MIXED
        self.last = Kept("scenario_comparison", summary, brand, region)

    def sensitivity(self) -> None:
        brand, region = self._segment()
        base = self.ask.choice("Around which mix", ["current", "optimum"], what="mix")
        table = sensitivity(self.simulator, base, brand, region)
        wide = table.pivot(index="channel", columns="change", values="delta_incremental_sales")
        wide.columns = [f"{c:+.0%}" for c in wide.columns]
        wide = wide.reindex(list(self.simulator.channels)).reset_index()
        self.console.print(
            tables.frame_table(
                wide,
                f"Change in weekly incremental sales (INR) when one channel's spend changes ({base} mix)",
                self.fmt,
                money=tuple(wide.columns[1:]),
            )
        )
        self.last = Kept(f"sensitivity_{base}", table, brand, region)

    def export(self) -> None:
        if self.last is None:
            self.ask.say_problem("Nothing to export yet; run a simulation, optimisation or comparison first")
            return
        folder = Path(self.ask.text("Export folder", str(self.output))).expanduser()
        kept = self.last
        again = f"the {kept.name.replace('_', ' ')} result is kept; choose Export again with another folder"
        try:
            check_output(folder, "export folder", folder=True)
            paths = export_session_result(kept.result, kept.name, kept.brand, kept.region, folder, self.simulator)
        except InputError as error:
            self.ask.say_problem(f"{error} ({again})")
            return
        except OSError as error:
            self.ask.say_problem(f"{describe_os_error(error)} ({again})")
            return
        for path in paths:
            self.console.print(Text(f"Wrote {path}"))


def run_interactive(
    simulator: MarketingSimulator,
    scenarios: Path,
    output: Path,
    console: Console | None = None,
    brand: str = ALL,
    region: str = ALL,
) -> int:
    """Start the menu on ``console`` (a new one by default), its prompts starting from ``brand`` and
    ``region``; returns the exit code."""
    return Session(simulator, console or Console(), scenarios, output, brand=brand, region=region).run()
