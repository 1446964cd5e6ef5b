"""The interactive simulator: the real `mmm simulate --interactive` driven with pexpect, plus
in-process sessions for the remaining menu entries."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from mmm_analytics.cli.interactive import Session
from mmm_analytics.simulator import MarketingSimulator
from tests.signals import terminal_sigint

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
        preexec_fn=terminal_sigint,
        timeout=STEP_TIMEOUT,
        dimensions=(60, 160),
    )
    try:
        child.expect("Choose an action", timeout=STARTUP_TIMEOUT)
        child.sendline("1")
        child.expect(r"Brand \(BrandA / BrandB / all\) \[all\]")
        child.sendline("BrandZ")  # unknown brand
        child.expect("Unknown brand 'BrandZ'; choose one of: BrandA, BrandB, all")
        child.sendline("BrandA")
        child.expect(r"Region \(CENTRAL / EAST / all\)")
        child.sendline("EAST")
        child.expect(r"TV weekly spend \[current [\d,]+\]")
        child.sendline("lots")  # text where a number is expected
        child.expect("'lots' is not a number")
        child.sendline("-5000")  # a change that cuts more than today's spend
        child.expect("'-5000' cuts more than today's spend")
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
        child.expect(r"Brand \(BrandA / BrandB / all\) \[BrandA\]")  # the last brand is the default
        child.sendline("all")
        child.expect(r"Region \(CENTRAL / EAST / all\) \[EAST\]")
        child.sendline("all")
        child.expect(r"Weekly budget \(INR\) \[current [\d,]+\]")
        child.sendline("30000")
        child.expect("Minimum spends")
        child.sendline("TV=2000")
        child.expect("Maximum spends")
        child.sendline("")
        child.expect("Advised allocation: all / all, budget 30,000 INR per week")
        # an 80-column terminal may wrap the line anywhere after the amount (1,23,456 is a comma longer than 123,456)
        child.expect(r"Expected incremental sales \(mean over the posterior draws\): [\d,]+ INR\s+per\s+week")
        child.expect("Choose an action")
        child.sendeof()  # Ctrl-D
        child.expect("Goodbye.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def _session(
    simulator: MarketingSimulator,
    answers: list[str | type[BaseException]],
    tmp_path: Path,
    end: type[BaseException] = EOFError,
) -> str:
    """Run a session on ``answers``; an exception type in them is raised at that prompt (Ctrl-C, Ctrl-D)."""
    console = Console(record=True, width=160, force_terminal=False)
    queue: Iterator[str | type[BaseException]] = iter(answers)

    def read(prompt) -> str:
        console.print(prompt, end="")
        try:
            answer = next(queue)
        except StopIteration:
            raise end from None
        if not isinstance(answer, str):
            console.print("^C")
            raise answer
        console.print(answer, markup=False, highlight=False)
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
    assert len(list((tmp_path / "export").glob("sensitivity_optimum_BrandB_CENTRAL_*.csv"))) == 1
    assert screen.rstrip().endswith("Goodbye.")


def test_minimums_above_the_budget_are_asked_again(simulator: MarketingSimulator, tmp_path: Path) -> None:
    """Before, the minimums were checked against the budget only after the maximum prompt, back at the menu."""
    screen = _session(simulator, ["2", "BrandA", "EAST", "100", "TV=5000", "TV=50", "", "6"], tmp_path)
    assert (
        "minimum spends (TV=5,000 INR) add up to 5,000 INR, above the weekly budget 100 INR; lower a minimum" in screen
    )
    assert "unlock" not in screen  # the menu locks nothing
    assert screen.count("Minimum spends (e.g.") == 2 and screen.count("Maximum spends (e.g.") == 1
    assert "Advised allocation: BrandA / EAST, budget 100 INR" in screen
    assert screen.count("Choose an action") == 2


@pytest.mark.parametrize("end", [EOFError, KeyboardInterrupt], ids=["ctrl-d", "ctrl-c"])
def test_leaving_mid_prompt_is_clean(simulator: MarketingSimulator, tmp_path: Path, end: type[BaseException]) -> None:
    screen = _session(simulator, ["1", "BrandA"], tmp_path, end=end)
    assert screen.rstrip().endswith("Goodbye.")
    # Ctrl-C abandons the action and shows the menu (where the next Ctrl-C leaves); Ctrl-D leaves at once
    assert screen.count("Choose an action") == (2 if end is KeyboardInterrupt else 1)
    assert ("Interrupted: 'Simulate a scenario' abandoned" in screen) == (end is KeyboardInterrupt)


def test_ctrl_c_at_an_action_prompt_returns_to_the_menu(simulator: MarketingSimulator, tmp_path: Path) -> None:
    screen = _session(simulator, ["2", "all", KeyboardInterrupt, "1", "BrandA", "EAST", "", "", "", "6"], tmp_path)
    assert "Interrupted: 'Optimise the budget' abandoned; back to the menu" in screen
    assert "Scenario result: BrandA / EAST" in screen
    assert screen.count("Choose an action") == 3 and screen.rstrip().endswith("Goodbye.")


class _InterruptedOptimiser:
    """The simulator, except that the optimisation is interrupted (Ctrl-C while it computes)."""

    def __init__(self, simulator: MarketingSimulator) -> None:
        self._simulator = simulator

    def __getattr__(self, name: str):
        return getattr(self._simulator, name)

    def optimize_budget(self, *args, **kwargs):
        raise KeyboardInterrupt


def test_ctrl_c_during_an_optimisation_returns_to_the_menu(simulator: MarketingSimulator, tmp_path: Path) -> None:
    interrupted = _InterruptedOptimiser(simulator)
    screen = _session(
        interrupted, ["1", "BrandA", "EAST", "", "", "", "2", "all", "all", "", "", "", "5", "", "6"], tmp_path
    )  # type: ignore[arg-type]
    assert "Interrupted: 'Optimise the budget' abandoned; back to the menu" in screen
    assert "Advised allocation" not in screen
    assert list((tmp_path / "out").glob("simulation_BrandA_EAST_*.csv"))  # the earlier result is kept for export
    assert screen.rstrip().endswith("Goodbye.")


def test_a_ctrl_c_that_escapes_the_abandoning_of_an_action_returns_to_the_menu(
    simulator: MarketingSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a second Ctrl-C landing while the first was being handled (between the abandoned action
    and its message) left the menu with a traceback."""
    calls = iter([KeyboardInterrupt, None])

    def attempt(self: Session, action: object) -> None:
        if next(calls, None) is KeyboardInterrupt:
            raise KeyboardInterrupt

    monkeypatch.setattr(Session, "_attempt", attempt)
    screen = _session(simulator, ["1", "1", "6"], tmp_path)
    assert screen.count("Choose an action") == 3 and screen.rstrip().endswith("Goodbye.")


def test_negative_limit_is_rejected_at_its_prompt(simulator: MarketingSimulator, tmp_path: Path) -> None:
    answers = ["2", "BrandA", "EAST", "30000", "TV=-5", "TV=-110%", "TV=900", "TV=800", "TV=50000", "6"]
    screen = _session(simulator, answers, tmp_path)
    lines = screen.splitlines()
    first = next(i for i, line in enumerate(lines) if "TV=-5" in line)
    assert (
        "minimum 'TV=-5': a signed amount would be a change, and a limit takes a change in percent" in lines[first + 1]
    )
    assert lines[first + 1].count("TV=-5") == 1  # before, the line named the item twice
    assert "minimum 'TV=-110%': '-110%' cuts more than all of today's spend" in screen
    assert "maximum TV=800 is below the minimum TV=900; raise the maximum" in screen
    assert screen.count("Minimum spends (e.g.") == 3 and screen.count("Maximum spends (e.g.") == 2
    assert "Advised allocation: BrandA / EAST" in screen


def test_a_limit_may_be_written_with_a_space_before_its_scale(simulator: MarketingSimulator, tmp_path: Path) -> None:
    answers = ["2", "BrandA", "EAST", "30 k", "TV=0.1 L  YouTube=Rs 2,000", "TV=50 k", "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "! " not in screen  # every answer was read
    assert "Advised allocation: BrandA / EAST" in screen
    advised = {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"│ (\w+)\s+│\s+[\d,]+ │\s+([\d,]+) │", screen)}
    assert 10_000 <= advised["TV"] <= 50_000 and advised["YouTube"] >= 2_000  # 0.1 L, Rs 2,000 and 50 k held


LONG_FOLDER = "e" * 4000


def test_export_to_an_unwritable_folder_keeps_the_result(simulator: MarketingSimulator, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    answers = ["1", "BrandA", "EAST", "", "", "", "5", str(tmp_path / "afile"), "5", "/dev/null", "5", "/dev/null/x"]
    answers += ["5", str(tmp_path / LONG_FOLDER), "5", str(tmp_path / "good"), "6"]
    screen = _session(simulator, answers, tmp_path)
    problems = [" ".join(text.split()) for text in screen.split("  ! ")[1:]]  # long messages wrap on screen
    assert len(problems) == 4, problems
    assert f"export folder '{tmp_path / 'afile'}' is a file, not a folder" in problems[0]
    assert "export folder '/dev/null' is not a folder" in problems[1]
    assert "'/dev/null' is not a folder, so nothing can be written under it" in problems[2]
    assert "a name in it is 4,000 bytes long" in problems[3]
    assert all("the simulation result is kept; choose Export again with another folder" in p for p in problems)
    assert [p.suffix for p in sorted((tmp_path / "good").glob("simulation_BrandA_EAST_*"))] == [".csv", ".json"]
    assert screen.count("Choose an action") == 7 and screen.rstrip().endswith("Goodbye.")


def test_export_failing_while_writing_is_one_line(
    simulator: MarketingSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OS error the up-front check cannot foresee (here a full disk) is reported too."""
    import errno

    from mmm_analytics.cli import interactive

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "exp" / "simulation.csv"))

    monkeypatch.setattr(interactive, "export_session_result", full_disk)
    screen = _session(simulator, ["1", "BrandA", "EAST", "", "", "", "5", str(tmp_path / "exp"), "6"], tmp_path)
    flat = " ".join(screen.split())
    assert "no space left on the device" in flat and "the simulation result is kept" in flat
    assert screen.rstrip().endswith("Goodbye.")


def test_real_command_ctrl_c_while_optimising_and_export_to_dev_null(model_dir: Path, tmp_path: Path) -> None:
    """Ctrl-C during a national optimisation abandons it; Ctrl-C at the menu says Goodbye (exit 0)."""
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
    child = pexpect.spawn(
        str(MMM),
        ["simulate", "--model", str(model_dir), "--interactive", "--output", "out"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        preexec_fn=terminal_sigint,
        timeout=STEP_TIMEOUT,
        dimensions=(60, 200),
    )
    try:
        child.expect("Choose an action", timeout=STARTUP_TIMEOUT)
        for answer in ("1", "BrandA", "EAST", "", "", ""):
            child.sendline(answer)
        child.expect("Scenario result: BrandA / EAST")
        child.expect("Choose an action")
        child.sendline("5")
        child.expect("Export folder")
        child.sendline("/dev/null")
        child.expect("export folder '/dev/null' is not a folder; give a folder to write into")
        child.expect(r"\(the\s+simulation\s+result\s+is\s+kept")
        child.expect("Choose an action")
        for answer in ("2", "all", "all", "", ""):
            child.sendline(answer)
        child.expect("Maximum spends")
        child.sendline("")
        # Ctrl-C while the national optimisation runs (or, if the terminal discards the line first,
        # at the prompt: the same action is abandoned either way)
        child.sendintr()
        child.expect("Interrupted: 'Optimise the budget' abandoned; back to the menu")
        child.expect("Choose an action")
        child.sendline("5")
        child.expect("Export folder")
        child.sendline("saved")
        child.expect(r"Wrote saved/simulation_BrandA_EAST_\d{8}-\d{6}\.json")
        child.expect("Choose an action")
        child.sendintr()  # Ctrl-C at the menu leaves
        child.expect("Goodbye.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.signalstatus is None and child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    assert list((tmp_path / "saved").glob("simulation_BrandA_EAST_*.csv"))


def test_markup_in_names_and_paths_is_shown_as_written(simulator: MarketingSimulator, tmp_path: Path) -> None:
    (tmp_path / "scenarios.yaml").write_text("scenarios:\n  - name: '[/]'\n  - name: '[bold]tv'\n    spend: {TV: 0}\n")
    answers = ["3", "", "5", str(tmp_path / "a[/]b"), "5", str(tmp_path / "[bold]x"), "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "[/]" in screen and "[bold]tv" in screen
    assert f"Wrote {tmp_path / 'a[/]b' / 'scenario_comparison_all_all_'}" in screen
    written = sorted((tmp_path / "[bold]x").glob("scenario_comparison_all_all_*"))
    assert [p.suffix for p in written] == [".csv", ".json"]
    assert f"Wrote {written[1]}" in screen


def test_a_limit_names_its_channel_in_any_case(simulator: MarketingSimulator, tmp_path: Path) -> None:
    """Before, 'tv=900' at the limit prompts was an unknown channel, though '--min tv=900' and the spend
    prompts read it as TV; and the maximum's check against the minimum compared names exactly."""
    answers = ["2", "brandA", "east", "30000", "tv=900", "TV=800", "Tv=50000", "6"]
    screen = _session(simulator, answers, tmp_path)
    assert "unknown channel" not in screen
    assert "maximum TV=800 is below the minimum TV=900; raise the maximum" in screen
    assert "Advised allocation: BrandA / EAST" in screen
