"""What the optimiser's messages call the inputs a person gives, in the words of the interface that asked.

``mmm optimize`` (and the Python API) name the options and the arguments (``--budget``,
``total_budget``); the batch run of ``mmm simulate`` takes no budget or limits and sets the data
range in ``model_config.yaml`` only; the interactive menu names its own prompts
(:data:`mmm_analytics.cli.interactive.MENU_TERMS`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Terms:
    """The names a message gives the budget, the channel limits and the switches.

    Attributes
    ----------
    budget : str
        The weekly budget, as a message begins with it.
    minimum : str
        A channel's minimum spend.
    limits : str
        Any channel limit ("a limit ... applies to one of them").
    shares : str or None
        The percentage limits that refer to the "Current mix" column; None: none are taken.
    at_most : str or None
        The switch that spends up to the budget instead of all of it; None: not offered.
    data_range_off : str
        What turns the data range off (model_config.yaml ``simulator.data_range_margin`` widens it).
    scenarios_file : str
        Where the person names a scenarios file.
    budget_set : bool
        Whether the person sets the budget and the limits where the message is shown.
    """

    budget: str = "weekly budget (total_budget / --budget)"
    minimum: str = "minimum (--min)"
    limits: str = "a limit (--min, --max or --lock)"
    shares: str | None = "--min/--max percentages"
    at_most: str | None = "--at-most"
    data_range_off: str = "--no-data-range"
    scenarios_file: str = "--scenarios on the command line"
    budget_set: bool = True

    @property
    def data_range_switch(self) -> str:
        """What lets the advice leave the data range."""
        return f"{self.data_range_off} or simulator.data_range_margin in model_config.yaml"

    @property
    def data_range_hint(self) -> str:
        """What lets the advice go beyond the data range, the top's own key included."""
        return (
            f"{self.data_range_off} or simulator.data_range_margin (simulator.data_range_quantile for the top) "
            "in model_config.yaml lets it go further"
        )


#: ``mmm optimize`` and the Python API.
OPTIONS = Terms()
#: The batch run of ``mmm simulate`` (and of ``mmm run``): no budget, limits or data-range option of its own.
BATCH = Terms(
    budget="weekly budget",
    minimum="minimum",
    limits="a limit",
    shares=None,
    at_most=None,
    data_range_off="simulator.data_range: false",
    budget_set=False,
)
