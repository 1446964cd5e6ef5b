"""Fuzz the interactive simulator (`mmm simulate --interactive`) on a terminal with pexpect.

Seeded random walks through the menu type valid choices, out-of-range numbers, text, huge
and negative amounts, empty lines, unicode and long lines at every prompt, press Ctrl-C at
action prompts, then leave with Ctrl-C (at the menu), Ctrl-D or Exit. Nothing may print a
traceback. The documented keys (cli/interactive.py): Ctrl-C at an action's prompt abandons
the action and shows the menu again; Ctrl-C at the menu prompt, Ctrl-D at any prompt and
Exit print "Goodbye." and end with exit code 0 (not 130).

Starting `mmm` costs seconds (it imports jax and scipy), so most sessions run in one
long-lived driver process on the pty that calls the `mmm` entry point once per session
(``mmm_analytics.cli.app.main``, exactly what the console script calls) and prints the exit
code after each; one session runs the real `mmm` command to check the process exit status.

Reproduce a failing seed with ``tests/cli/test_interactive_fuzz.py::test_random_walk[<seed>]``;
the failure message lists every prompt met and the answer typed. ``MMM_FUZZ_SEEDS=200`` runs
more walks.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pexpect
import pytest

from tests.signals import terminal_sigint

pytestmark = [
    pytest.mark.slow,  # real processes driven key by key (about a minute): make test-slow
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning"),
]

MMM = Path(sys.executable).parent / "mmm"
STARTUP_TIMEOUT = 120  # `mmm` imports jax and scipy; a busy 2-core machine needs far more than 5 s
STEP_TIMEOUT = 60  # one answer, including an optimisation
ENV = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "80", "PYTHONUNBUFFERED": "1"}
EXIT_MARK = "<<mmm-fuzz-exit"

#: The driver: one `mmm` invocation per "go" line, then the exit code it would have had.
DRIVER = f"""
import sys, traceback
from mmm_analytics.cli.app import main
import mmm_analytics.simulator
while True:
    print("<<mmm-fuzz-ready>>", flush=True)
    try:
        command = input()
    except EOFError:
        break
    if command.strip() != "go":
        break
    try:
        main(sys.argv[1:])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    print("{EXIT_MARK} " + str(code) + ">>", flush=True)
"""

#: Every prompt kind and how it looks on the screen (Rich at 80 columns on a dumb terminal).
PROMPTS: dict[str, str] = {
    "menu": r"Choose an action \(1 / 2 / 3 / 4 / 5 / 6\): ",
    "brand": r"Brand \([^()\r\n]*\) \[[^\]\r\n]*\]: ",
    "region": r"Region \([^()\r\n]*\) \[[^\]\r\n]*\]: ",
    "spend": r"\w+ weekly spend \[current [\d,]+\]: ",
    "budget": r"Weekly budget \(INR\) \[current [\d,]+\]: ",
    "minimum": r"Minimum spends \(e\.g\. TV=50000 or TV=80% of current; Enter for none\): ",
    "maximum": r"Maximum spends \(e\.g\. TV=50000 or TV=80% of current; Enter for none\): ",
    "compare": r"Compare which \(numbers, e\.g\. 1 3; Enter for all; f for a scenarios file\): ",
    "scenarios": r"Scenarios file \[[^\]\r\n]*\]: ",
    "mix": r"Around which mix \(current / optimum\): ",
    "export": r"Export folder \[[^\]\r\n]*\]: ",
}
KINDS = list(PROMPTS)
TRACEBACK = "Traceback (most recent call last)"
END = re.escape(EXIT_MARK) + r" (-?\d+)>>"
ABANDONED = r"Interrupted: '[^'\r\n]+' abandoned"
#: Pause between seeing a prompt and pressing Ctrl-C or Ctrl-D, so the key reaches the program
#: while it waits for input (Ctrl-C while Rich is still writing the prompt repeats the prompt).
SETTLE = 0.05

BRANDS = ["BrandA", "BrandB", "all", "branda", "ALL"]
REGIONS = ["CENTRAL", "EAST", "all", "east"]
CHANNELS = ["TV", "YouTube", "Facebook"]
#: Junk typed anywhere: empty, spaces, unicode, long lines, escape sequences, numbers in odd forms.
JUNK = [
    "",
    "   ",
    "\t",
    "0",
    "-1",
    "7",
    "99999999999999999999",
    "1e300",
    "-1e300",
    "nan",
    "inf",
    "hello",
    "Zürich 東京 🚀",
    "٣",
    "\uff19",  # fullwidth 9
    "\x1b[A",
    "[bold]x[/bold]",
    "[/]",
    "a" * 1000,
    "€" * 500,
    "'; DROP TABLE",
    "%s %d {0}",
]
AMOUNTS = [
    "1500",
    "2,000",
    "1,25,000",
    "2.5e5",
    "0",
    "0.0",
    "-0",
    "1e-300",
    "1e300",
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-250",
    "-1e300",
    "nan",
    "inf",
    "-inf",
    "",
    "lots",
    "1_000",
    "150000 INR",
    "150000INR",
    "١٢٣",
    "0x10",
    "  42  ",
    "1" + "0" * 400,
    "+20%",
    "-10%",
    "80%",
    "-150%",
    "nan%",
    "1e308%",
    "%",
    "TV=+20%",
    "TV=+20% Facebook=0",
    "tv=50% youtube=-10%",
    "Radio=5",
    "TV=",
    "=5",
]
#: Answers at the prompt that picks this session's scenarios to compare.
PICKS = ["", "1", "1 1", "2", "0", "-1", "f", "file", "x", "1,1", "1e300", "٣", "99999999999999999999"]
LIMITS = [
    "TV=0 YouTube=0 Facebook=0",
    "",
    "TV=2000",
    "TV=80%",
    "TV=0",
    "TV=0%",
    "TV=1e300",
    "TV=1e309",
    "TV=nan",
    "TV=-5",
    "TV=-10%",
    "TV=200%",
    "TV=1e300%",
    "TV=abc",
    "TV=",
    "=5",
    "TV",
    "TV=5=6",
    "tv=5",
    "Radio=5",
    "TV=50% YouTube=1000",
    "TV=1000 TV=2000",
    "Facebook=100000000",
    "TV=50000 YouTube=50000 Facebook=50000",
    "TV=100% YouTube=100% Facebook=100%",
    "TV=1e300 YouTube=1e300 Facebook=1e300",
    "TV=٣",
    "TV=+20%",
    "TV=-10%",
    "TV=-110%",
    "TV=+1e300%",
]
SCENARIO_FILES = [
    "",
    "scen.yaml",
    "missing.yaml",
    "bad.yaml",
    "wrong.yaml",
    "empty.yaml",
    "huge.yaml",
    "garbage.bin",
    "adir",
    ".",
    "/",
    "/dev/null",
    "ü.yaml",
    "n" * 300,
    "[/].yaml",
]
#: Relative folders only (the tests may run as root): a file, a too-long name, markup, unicode.
EXPORT_FOLDERS = ["", "exp", "exp/sub/deeper", "ünïcødé", "scen.yaml", "e" * 300, "/dev/null/x"]
#: Folder names that are also Rich markup: "Wrote <path>" must show the path as typed.
MARKUP_FOLDERS = ["[bold]x", "a[/]b", "[red]"]
SCENARIO_FILE_TEXT = {
    "scen.yaml": "scenarios:\n  - name: now\n  - name: no_tv\n    spend: {TV: 0}\n  - name: up\n    spend: {TV: '+20%'}\n",
    "bad.yaml": "scenarios: [\n  - name: {\n",
    "wrong.yaml": "scenarios:\n  - name: radio\n    spend: {Radio: 5}\n  - name: neg\n    spend: {TV: -5}\n",
    "empty.yaml": "",
    "huge.yaml": "scenarios:\n  - name: huge\n    spend: {TV: 1.0e+300, YouTube: '+1e300%'}\n",
}


@dataclass
class Transcript:
    """What a session saw: the prompts met and the answers typed (for the failure message)."""

    steps: list[tuple[str, str]] = field(default_factory=list)
    log: io.StringIO = field(default_factory=io.StringIO)

    def describe(self, ending: str, problem: str) -> str:
        answers = [answer for _, answer in self.steps]
        shown = "\n".join(f"  {kind:>9}: {_short(answer)!r}" for kind, answer in self.steps)
        screen = self.log.getvalue().replace("\r", "")
        if TRACEBACK in screen:  # the screen before the traceback, then its innermost project frame and the error
            before, _, trace = screen.partition(TRACEBACK)
            lines = trace.strip().splitlines()
            ours = [line.strip() for line in lines if line.strip().startswith('File "') and "mmm_analytics" in line]
            errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt)\b", line)]
            screen = "\n".join([*before.rstrip().splitlines()[-15:], TRACEBACK, *ours[-1:], *errors[-1:]])
        tail = "\n".join(screen.rstrip().splitlines()[-25:])
        return (
            f"{problem}\nanswers typed (in order): {[_short(a) for a in answers]!r}\nending: {ending}\n"
            f"prompts and answers:\n{shown}\n--- last lines on screen ---\n{tail}"
        )


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} chars)"


def _prepare(folder: Path) -> None:
    for name, text in SCENARIO_FILE_TEXT.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "adir").mkdir(exist_ok=True)


class Driver:
    """A long-lived process on a pty that runs `mmm simulate --interactive` once per session."""

    def __init__(self, model_dir: Path, folder: Path) -> None:
        self.args = ["simulate", "--model", str(model_dir), "--interactive", "--scenarios", "scen.yaml"]
        self.folder = folder
        self.child: pexpect.spawn | None = None

    def _start(self) -> pexpect.spawn:
        child = pexpect.spawn(
            sys.executable,
            ["-c", DRIVER, *self.args, "--output", "out"],
            cwd=str(self.folder),
            env=ENV,
            encoding="utf-8",
            codec_errors="replace",
            preexec_fn=terminal_sigint,
            timeout=STEP_TIMEOUT,
            dimensions=(40, 80),
        )
        child.expect("<<mmm-fuzz-ready>>", timeout=STARTUP_TIMEOUT)
        return child

    def session(self) -> pexpect.spawn:
        """A driver at its ready line (a fresh one after a failed session)."""
        if self.child is None or not self.child.isalive():
            self.child = self._start()
        return self.child

    def discard(self) -> None:
        if self.child is not None:
            self.child.close(force=True)
        self.child = None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interactive-fuzz")
    _prepare(folder)
    return folder


@pytest.fixture(scope="module")
def driver(model_dir: Path, workdir: Path) -> Iterator[Driver]:
    runner = Driver(model_dir, workdir)
    yield runner
    if runner.child is not None and runner.child.isalive():
        runner.child.sendline("quit")
        runner.child.expect(pexpect.EOF, timeout=30)
    runner.discard()


def _next(child: pexpect.spawn, transcript: Transcript, ending: str) -> tuple[str, int | None]:
    """Wait for the next prompt or the end of the session: ("prompt kind", None) or ("end", code)."""
    patterns = [re.escape(TRACEBACK), END, *PROMPTS.values(), pexpect.EOF, pexpect.TIMEOUT]
    index = child.expect(patterns)
    if index == 0:
        with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):  # let the traceback finish, for the message
            child.expect(END, timeout=10)
        raise AssertionError(transcript.describe(ending, "a traceback was printed"))
    if index == 1:
        return "end", int(child.match.group(1))
    kind_index = index - 2
    if kind_index < len(KINDS):
        return KINDS[kind_index], None
    what = "the process died" if index == len(patterns) - 2 else f"no prompt within {STEP_TIMEOUT} s"
    raise AssertionError(transcript.describe(ending, what))


def _answer(rng: random.Random, kind: str) -> str:
    """A random answer for a prompt kind: mostly sensible, often wrong."""
    if rng.random() < 0.12:
        return rng.choice(JUNK)
    match kind:
        case "menu":
            return rng.choice(["1", "1", "2", "2", "3", "4", "5", "5", "0", "7", "-1", "1.0", " 2 ", "one", "6"])
        case "brand":
            return rng.choice([*BRANDS, *BRANDS, "BrandZ", "", "Brand A"])
        case "region":
            return rng.choice([*REGIONS, *REGIONS, "WEST", "", "all regions"])
        case "spend" | "budget":
            return rng.choice(AMOUNTS)
        case "minimum" | "maximum":
            return rng.choice(LIMITS)
        case "compare":
            return rng.choice(PICKS)
        case "scenarios":
            return rng.choice(SCENARIO_FILES)
        case "mix":
            return rng.choice(["current", "optimum", "OPTIMUM", "Current", "best", ""])
        case "export":
            return rng.choice([*EXPORT_FOLDERS, *MARKUP_FOLDERS])
    raise AssertionError(kind)


def _leave(child: pexpect.spawn, how: str) -> None:
    time.sleep(SETTLE)
    match how:
        case "ctrl-c":
            child.sendintr()
        case "ctrl-d":
            child.sendeof()
        case "exit":
            child.sendline("6")
        case _:
            raise AssertionError(how)


def _finish(child: pexpect.spawn, transcript: Transcript, ending: str) -> None:
    """After the leaving key: "Goodbye." then exit code 0, and no traceback anywhere."""
    kind, code = _next(child, transcript, ending)
    if kind != "end":
        raise AssertionError(transcript.describe(ending, f"the session went on to the {kind} prompt instead of ending"))
    screen = transcript.log.getvalue()
    assert code == 0, transcript.describe(ending, f"exit code {code}")
    assert "Goodbye." in screen, transcript.describe(ending, "no 'Goodbye.'")
    assert TRACEBACK not in screen, transcript.describe(ending, "a traceback was printed")


def _start_session(driver: Driver, transcript: Transcript) -> pexpect.spawn:
    child = driver.session()
    child.logfile_read = transcript.log
    child.sendline("go")
    return child


def _interrupt(child: pexpect.spawn, transcript: Transcript, kind: str, ending: str) -> None:
    """Ctrl-C at an action's prompt: "... abandoned; back to the menu", then the menu prompt."""
    transcript.steps.append((kind, "<ctrl-c>"))
    time.sleep(SETTLE)
    child.sendintr()
    index = child.expect([re.escape(TRACEBACK), END, ABANDONED, pexpect.EOF, pexpect.TIMEOUT])
    if index != 2:
        what = ["a traceback", "the end of the session", "", "the process dying", "nothing"][index]
        raise AssertionError(transcript.describe(ending, f"Ctrl-C at the {kind} prompt gave {what}, not 'abandoned'"))
    seen, code = _next(child, transcript, ending)
    if seen != "menu":
        got = f"the session ended with exit code {code}" if seen == "end" else f"the {seen} prompt"
        raise AssertionError(transcript.describe(ending, f"after Ctrl-C at the {kind} prompt: {got}, not the menu"))


def _walk(driver: Driver, seed: int) -> None:
    rng = random.Random(seed)
    steps = rng.randint(4, 30)
    ending = rng.choice(["ctrl-c", "ctrl-d", "exit"])
    transcript = Transcript()
    try:
        child = _start_session(driver, transcript)
        kind, code = _next(child, transcript, ending)
        while kind != "end" and len(transcript.steps) < steps:
            if kind != "menu" and rng.random() < 0.06:
                _interrupt(child, transcript, kind, ending)
                kind = "menu"
                continue
            answer = _answer(rng, kind)
            transcript.steps.append((kind, answer))
            child.sendline(answer)
            kind, code = _next(child, transcript, ending)
        if kind == "end":  # the walk chose Exit (6) at the menu on its own
            screen = transcript.log.getvalue()
            assert code == 0, transcript.describe("exit (chosen in the walk)", f"exit code {code}")
            assert "Goodbye." in screen, transcript.describe("exit (chosen in the walk)", "no 'Goodbye.'")
        else:
            if kind != "menu" and ending != "ctrl-d":  # Ctrl-C or Exit leave from the menu only
                _interrupt(child, transcript, kind, ending)
                kind = "menu"
            transcript.steps.append((kind, f"<{ending}>"))
            _leave(child, ending)
            _finish(child, transcript, ending)
        child.logfile_read = None
        child.expect("<<mmm-fuzz-ready>>")
    except BaseException:
        driver.discard()
        raise


#: Seeds of the random walks; MMM_FUZZ_SEEDS=200 explores more.
SEEDS = list(range(int(os.environ.get("MMM_FUZZ_SEEDS", "10"))))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_walk(driver: Driver, seed: int) -> None:
    _walk(driver, seed)


#: A fixed way to each prompt kind from the menu.
PATHS: dict[str, list[str]] = {
    "menu": [],
    "brand": ["1"],
    "region": ["1", "BrandA"],
    "spend": ["1", "BrandA", "EAST"],
    "budget": ["2", "all", "all"],
    "minimum": ["2", "all", "all", ""],
    "maximum": ["2", "all", "all", "", "TV=10%"],
    "compare": ["1", "BrandA", "EAST", "", "", "", "3"],
    "scenarios": ["3"],
    "mix": ["4", "BrandA", "all"],
    "export": ["1", "BrandB", "CENTRAL", "", "", "", "5"],
}


def _to_prompt(driver: Driver, kind: str, transcript: Transcript, ending: str) -> pexpect.spawn:
    child = _start_session(driver, transcript)
    seen, _ = _next(child, transcript, ending)
    for answer in PATHS[kind]:
        transcript.steps.append((seen, answer))
        child.sendline(answer)
        seen, _ = _next(child, transcript, ending)
    assert seen == kind, transcript.describe(ending, f"the path reached the {seen} prompt, not {kind}")
    return child


@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("kind", KINDS)
def test_keys_at_every_prompt_kind(driver: Driver, kind: str, how: str) -> None:
    """Ctrl-D anywhere and Ctrl-C at the menu end the session; Ctrl-C elsewhere returns to the menu."""
    transcript = Transcript()
    try:
        child = _to_prompt(driver, kind, transcript, how)
        if how == "ctrl-c" and kind != "menu":
            _interrupt(child, transcript, kind, how)
            how = "ctrl-d"
            transcript.steps.append(("menu", "<ctrl-d>"))
        else:
            transcript.steps.append((kind, f"<{how}>"))
        _leave(child, how)
        _finish(child, transcript, how)
        child.logfile_read = None
        child.expect("<<mmm-fuzz-ready>>")
    except BaseException:
        driver.discard()
        raise


#: Answers typed at each prompt kind in the fixed test (the random walks draw from the same lists).
ANSWERS: dict[str, list[str]] = {
    "menu": ["0", "7", "-1", "1.0", " 2 ", "one", "1e300", "٣"],
    "brand": ["BrandZ", "Brand A", "branda", "ALL"],
    "region": ["WEST", "all regions", "east"],
    "spend": AMOUNTS,
    "budget": ["0", "1e-300", "2.5e5", "1e300", "1e308", "1e309", "-250", "nan", "lots", "١٢٣", "1" + "0" * 400],
    "minimum": [
        "TV=0",
        "TV=80%",
        "TV=1e300",
        "TV=1e309",
        "TV=-5",
        "TV=200%",
        "TV=1e300%",
        "TV=abc",
        "=5",
        "TV=5=6",
        "Radio=5",
        "TV=1000 TV=2000",
        "TV=50000 YouTube=50000 Facebook=50000",
        "TV=100% YouTube=100% Facebook=100%",
    ],
    "maximum": [
        "TV=0",
        "TV=0%",
        "TV=1e300",
        "TV=nan",
        "TV=-10%",
        "TV=1e300%",
        "tv=5",
        "TV",
        "TV=0 YouTube=0 Facebook=0",
        "TV=1e300 YouTube=1e300 Facebook=1e300",
    ],
    "compare": PICKS,
    "scenarios": SCENARIO_FILES,
    "mix": ["best", "OPTIMUM", "Current"],
    "export": EXPORT_FOLDERS,
}


#: From the menu back to a prompt kind when the session is already under way (the last result is kept).
RETURN_PATHS: dict[str, list[str]] = {**PATHS, "export": ["5"], "compare": ["3"]}


#: The plain answer at each prompt kind, to carry an action through to its result.
DEFAULTS: dict[str, str] = {
    "brand": "all",
    "region": "all",
    "spend": "",
    "budget": "",
    "minimum": "",
    "maximum": "",
    "compare": "",
    "scenarios": "",
    "mix": "current",
    "export": "",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_answer_at_its_prompt(driver: Driver, kind: str) -> None:
    """Each listed answer (and some junk) typed at one prompt kind; an accepted answer is carried
    through the action to its result (plain answers at the later prompts), then the fixed path
    leads back. No traceback, and the session ends cleanly."""
    rng = random.Random(kind)
    answers = [*ANSWERS[kind], *rng.sample(JUNK, 3)]
    transcript = Transcript()
    try:
        child = _to_prompt(driver, kind, transcript, "ctrl-d")
        for answer in answers:
            transcript.steps.append((kind, answer))
            mark = len(transcript.log.getvalue())
            child.sendline(answer)
            seen, code = _next(child, transcript, "ctrl-d")
            if seen == kind:
                continue
            for shown in re.findall(r"Wrote ([^\r\n]+)", transcript.log.getvalue()[mark:]):
                assert (driver.folder / shown.strip()).is_file(), transcript.describe(
                    "ctrl-d", f"'Wrote {shown}': no such file"
                )
            for _ in range(12):
                if seen in ("menu", "end"):
                    break
                transcript.steps.append((seen, DEFAULTS[seen]))
                child.sendline(DEFAULTS[seen])
                seen, code = _next(child, transcript, "ctrl-d")
            if seen == "end":
                raise AssertionError(transcript.describe("ctrl-d", f"the answer ended the session (exit {code})"))
            assert seen == "menu", transcript.describe("ctrl-d", "the action did not come back to the menu")
            for step in RETURN_PATHS[kind]:
                transcript.steps.append((seen, step))
                child.sendline(step)
                seen, _ = _next(child, transcript, "ctrl-d")
            assert seen == kind, transcript.describe("ctrl-d", f"could not get back to the {kind} prompt")
        transcript.steps.append((kind, "<ctrl-d>"))
        _leave(child, "ctrl-d")
        _finish(child, transcript, "ctrl-d")
        child.logfile_read = None
        child.expect("<<mmm-fuzz-ready>>")
    except BaseException:
        driver.discard()
        raise


@pytest.mark.parametrize("folder", MARKUP_FOLDERS)
def test_export_folder_shown_as_typed(driver: Driver, folder: str) -> None:
    """An export folder whose name looks like Rich markup: the files are written, each "Wrote" line
    names a file that exists, no traceback."""
    transcript = Transcript()
    try:
        child = _to_prompt(driver, "export", transcript, "ctrl-d")
        transcript.steps.append(("export", folder))
        mark = len(transcript.log.getvalue())
        child.sendline(folder)
        seen, _ = _next(child, transcript, "ctrl-d")
        assert seen == "menu", transcript.describe("ctrl-d", f"the {seen} prompt after the export")
        shown = re.findall(r"Wrote ([^\r\n]+)", transcript.log.getvalue()[mark:])
        assert shown, transcript.describe("ctrl-d", "no 'Wrote' line")
        for path in shown:
            assert (driver.folder / path.strip()).is_file(), transcript.describe(
                "ctrl-d", f"'Wrote {path}': no such file"
            )
        transcript.steps.append(("menu", "<ctrl-d>"))
        _leave(child, "ctrl-d")
        _finish(child, transcript, "ctrl-d")
        child.logfile_read = None
        child.expect("<<mmm-fuzz-ready>>")
    except BaseException:
        driver.discard()
        raise


@pytest.mark.parametrize("delay", [0.0, 0.1])
def test_ctrl_c_while_optimising(driver: Driver, delay: float) -> None:
    """Ctrl-C right after the last answer of an optimisation (timing decides whether it lands in
    the computation, the result table or the next menu prompt): never a traceback, and the
    session then ends cleanly."""
    transcript = Transcript()
    ending = f"ctrl-c {delay} s after the last answer"
    try:
        child = _to_prompt(driver, "maximum", transcript, ending)
        transcript.steps.append(("maximum", ""))
        child.sendline("")
        time.sleep(delay)
        transcript.steps.append(("(computing)", "<ctrl-c>"))
        child.sendintr()
        kind, code = _next(child, transcript, ending)
        if kind == "menu":
            transcript.steps.append((kind, "<ctrl-d>"))
            child.sendeof()
            _finish(child, transcript, ending)
        else:
            assert kind == "end", transcript.describe(ending, f"went on to the {kind} prompt")
            assert code == 0, transcript.describe(ending, f"exit code {code}")
            assert TRACEBACK not in transcript.log.getvalue(), transcript.describe(ending, "a traceback was printed")
        child.logfile_read = None
        child.expect("<<mmm-fuzz-ready>>")
    except BaseException:
        driver.discard()
        raise


@pytest.mark.parametrize(
    ("kind", "keys"),
    [("minimum", ["ctrl-c", "ctrl-c"])],
    ids=["ctrl-c-at-limits-then-at-menu"],
)
def test_real_process_exit_status(model_dir: Path, workdir: Path, kind: str, keys: list[str]) -> None:
    """The real `mmm` command: the process exit status itself after leaving (Ctrl-D at the menu of
    a real process is covered in test_interactive.py)."""
    transcript = Transcript()
    ending = " then ".join(keys)
    child = pexpect.spawn(
        str(MMM),
        ["simulate", "--model", str(model_dir), "--interactive", "--scenarios", "scen.yaml", "--output", "out"],
        cwd=str(workdir),
        env=ENV,
        encoding="utf-8",
        codec_errors="replace",
        timeout=STEP_TIMEOUT,
        dimensions=(40, 80),
        preexec_fn=terminal_sigint,
    )
    child.logfile_read = transcript.log
    try:
        child.expect(PROMPTS["menu"], timeout=STARTUP_TIMEOUT)
        seen = "menu"
        for answer in PATHS[kind]:
            transcript.steps.append((seen, answer))
            child.sendline(answer)
            seen, _ = _next(child, transcript, ending)
        assert seen == kind, transcript.describe(ending, f"the path reached the {seen} prompt, not {kind}")
        *first, last = keys
        for key in first:
            if key == "ctrl-c":
                _interrupt(child, transcript, seen, ending)
                seen = "menu"
            else:
                transcript.steps.append((seen, key))
                child.sendline(key)
                seen, _ = _next(child, transcript, ending)
        transcript.steps.append((seen, f"<{last}>"))
        _leave(child, last)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    screen = transcript.log.getvalue()
    assert TRACEBACK not in screen, transcript.describe(ending, "a traceback was printed")
    assert screen.replace("\r", "").rstrip().endswith("Goodbye."), transcript.describe(ending, "no final 'Goodbye.'")
    assert child.signalstatus is None, transcript.describe(ending, f"killed by signal {child.signalstatus}")
    assert child.exitstatus == 0, transcript.describe(ending, f"exit status {child.exitstatus}")
