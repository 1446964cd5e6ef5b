"""The benchmark's lift-test design: how many tests, where they run, which channels get them.

Plain values, kept apart from the fitting code so the report and the command read them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mmm_analytics.synthetic.lift_tests import NATIONAL, SLICES

#: Prefix of our calibrated fit's columns in the run rows and the summary.
LIFT_PREFIX = "lift_"
#: Prefix of the columns of the true-form floor fitted with the same tests.
FLOOR_LIFT_PREFIX = "floor_lift_"


def with_prefix[V](figures: dict[str, V], prefix: str) -> dict[str, V]:
    """``figures`` named ``lift_...`` renamed ``prefix...`` (the floor's figures with the tests: ``floor_lift_``)."""
    return {prefix + name.removeprefix(LIFT_PREFIX): value for name, value in figures.items()}


class LiftSlices(StrEnum):
    """Where the benchmark's lift tests are run (``mmm benchmark --lift-slices``)."""

    NATIONAL = "national"  # every brand and region: a platform's lift study, a country-wide geo experiment
    MIXED = "mixed"  # in turn one region, one brand x region, one brand, national

    @property
    def slices(self) -> tuple[tuple[bool, bool], ...]:
        """(one brand?, one region?) per test, taken in turn."""
        match self:
            case LiftSlices.NATIONAL:
                return NATIONAL
            case LiftSlices.MIXED:
                return SLICES


class LiftChoice(StrEnum):
    """Which channels the benchmark tests (``mmm benchmark --lift-choice``)."""

    ERROR = "error"  # the largest contribution error: the truth picks where our fit errs most
    UNCERTAIN = "uncertain"  # the widest 90% contribution interval in INR: what an analyst sees


@dataclass(frozen=True, slots=True)
class LiftDesign:
    """The benchmark's lift tests: how many per world (0: none), where, and on which channels."""

    tests: int = 0
    slices: LiftSlices = LiftSlices.NATIONAL
    choice: LiftChoice = LiftChoice.ERROR


#: No lift tests (the benchmark's default).
NO_LIFT_TESTS = LiftDesign()
