"""The benchmark's lift-test design: its values, and the command's choices matching them."""

from __future__ import annotations

from mmm_analytics.benchmark.lift_design import NO_LIFT_TESTS, LiftChoice, LiftDesign, LiftSlices
from mmm_analytics.synthetic.lift_tests import NATIONAL, SLICES


def test_the_default_design_draws_no_tests_nationally_on_the_worst_channels() -> None:
    assert LiftDesign(0, LiftSlices.NATIONAL, LiftChoice.ERROR) == NO_LIFT_TESTS
    assert LiftSlices.NATIONAL.slices == NATIONAL and LiftSlices.MIXED.slices == SLICES
    assert NATIONAL == ((False, False),)  # every brand and every region
    assert set(SLICES) == {(False, True), (True, True), (True, False), (False, False)}


def test_the_command_offers_exactly_the_benchmarks_slices_and_choices() -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app
    from mmm_analytics.cli.benchmark_cmd import LiftChoiceOption, LiftSlicesChoice

    assert [c.value for c in LiftSlicesChoice] == [s.value for s in LiftSlices]
    assert [c.value for c in LiftChoiceOption] == [c.value for c in LiftChoice]
    result = CliRunner().invoke(app, ["benchmark", "--lift-slices", "county"])
    assert result.exit_code == 2 and "national" in result.output and "mixed" in result.output
    result = CliRunner().invoke(app, ["benchmark", "--lift-choice", "random"])
    assert result.exit_code == 2 and "error" in result.output and "uncertain" in result.output
