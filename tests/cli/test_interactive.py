"""The interactive simulator: the real `mmm simulate --interactive` driven with pexpect, plus
in-process sessions for the remaining menu entries."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from mmm_analytics.cli.interactive import Session
from mmm_analytics.simulator import MarketingSimulator

pytestmark = [
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning"),
]

MMM = Path(sys.executable).parent / "mmm"
STARTUP_TIMEOUT = 120  # `mmm` imports keras/jax; a busy 2-core machine needs far more than the usual 5 s
STEP_TIMEOUT = 60


def test_real_command_scenario_optimisation_and_bad_input(model_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "160"}
    child = pexpect.spawn(
        str(MMM),
        ["simulate", "--model", str(model_dir), "--interactive"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=STEP_TIMEOUT,
        dimensions=(60, 160),
    )
    try:
        child.expect("Choose an action", timeout=STARTUP_TIMEOUT)
        child.sendline("1")
        child.expect(r"Brand \(BrandA / BrandB / all\)")
        child.sendline("BrandZ")  # unknown brand
        child.expect("Unknown brand 'BrandZ'; choose one of: BrandA, BrandB, all")
        child.sendline("")  # empty line
        child.expect("Please type a brand")
        child.sendline("BrandA")
        child.expect(r"Region \(CENTRAL / EAST / all\)")
        child.sendline("EAST")
        child.expect(r"TV weekly spend \[current [\d,]+\]")
        child.sendline("lots")  # text where a number is expected
        child.expect("'lots' is not a number")
        child.sendline("-250")  # a negative amount
        child.expect("the amount must be 0 or more")
        child.sendline("1500")
        child.expect("YouTube weekly spend")
        child.sendline("")  # Enter keeps the current spend
        child.expect("Facebook weekly spend")
        child.sendline("2,000")
        child.expect("Scenario result: BrandA / EAST")
        child.expect(r"│ TV\s+│\s+1,500 │")
        child.expect(r"Incremental sales: [\d,]+ INR per week")
        child.expect("Choose an action")
        child.sendline("2")
        child.expect("Brand")
        child.sendline("all")
        child.expect("Region")
        child.sendline("all")
        child.expect(r"Weekly budget \(INR\) \[current [\d,]+\]")
        child.sendline("30000")
        child.expect("Minimum spends")
        child.sendline("TV=2000")
        child.expect("Maximum spends")
        child.sendline("")
        child.expect("Optimal allocation: all / all, budget 30,000 INR per week")
        child.expect(r"Expected incremental sales: [\d,]+ INR per week")
        child.expect("Choose an action")
        child.sendeof()  # Ctrl-D
        child.expect("Goodbye.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def _session(
    simulator: MarketingSimulator, answers: list[str], tmp_path: Path, end: type[BaseException] = EOFError
) -> str:
    console = Console(record=True, width=160, force_terminal=False)
    queue: Iterator[str] = iter(answers)

    def read(prompt) -> str:
        console.print(prompt, end="")
        try:
            answer = next(queue)
        except StopIteration:
            raise end from None
        console.print(answer)
        return answer

    code = Session(simulator, console, tmp_path / "scenarios.yaml", tmp_path / "out", read=read).run()
    assert code == 0
    return console.export_text()


def test_compare_sensitivity_export_and_exit(simulator: MarketingSimulator, tmp_path: Path) -> None:
    (tmp_path / "scenarios.yaml").write_text("scenarios:\n  - name: now\n  - name: no_tv\n    spend: {TV: 0}\n")
    screen = _session(
        simulator,
        [
            "5",  # nothing to export yet
            "9",
            "3",
            "",  # bad menu number, then compare with the default file
            "4",
            "BrandB",
            "CENTRAL",
            "sideways",
            "optimum",
            "5",
            str(tmp_path / "export"),
            "6",
        ],
        tmp_path,
    )
    assert "Nothing to export yet" in screen
    assert "Unknown menu number '9'" in screen
    assert "Scenario comparison" in screen and "no_tv" in screen
    assert "Unknown mix 'sideways'" in screen and "+50%" in screen
    assert (tmp_path / "export" / "sensitivity_optimum.csv").is_file()
    assert screen.rstrip().endswith("Goodbye.")


def test_infeasible_optimisation_returns_to_menu(simulator: MarketingSimulator, tmp_path: Path) -> None:
    screen = _session(simulator, ["2", "BrandA", "EAST", "100", "TV=5000", "", "6"], tmp_path)
    assert "minimum spends (TV=5,000 INR) add up to 5,000 INR, above the weekly budget 100 INR" in screen
    assert screen.count("Choose an action") == 2


@pytest.mark.parametrize("end", [EOFError, KeyboardInterrupt], ids=["ctrl-d", "ctrl-c"])
def test_leaving_mid_prompt_is_clean(simulator: MarketingSimulator, tmp_path: Path, end: type[BaseException]) -> None:
    screen = _session(simulator, ["1", "BrandA"], tmp_path, end=end)
    assert screen.rstrip().endswith("Goodbye.")
