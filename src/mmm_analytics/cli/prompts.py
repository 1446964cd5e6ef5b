"""Terminal prompts that never crash on bad input: they explain and ask again.

An empty line, text where a number is expected, a negative amount or an unknown name
re-prompts with a one-line message. Ctrl-D (end of input) raises :class:`Leave`, which the
menu turns into a clean exit; Ctrl-C raises ``KeyboardInterrupt`` as usual, which the menu
turns into "abandon this action" (or a clean exit at the menu prompt itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console
from rich.text import Text

from mmm_analytics.errors import InputError


class Leave(Exception):
    """The user pressed Ctrl-D (end of input): leave the session."""


def parse_amount(text: str) -> float:
    """A weekly amount in INR from text such as ``125000``, ``1,25,000`` or ``2.5e5``; >= 0."""
    cleaned = text.strip().replace(",", "").replace("_", "").removesuffix("INR").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise InputError(f"'{text.strip()}' is not a number; type an amount in INR, e.g. 150000") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"'{text.strip()}' is not a finite number; type an amount in INR")
    if value < 0:
        raise InputError(f"the amount must be 0 or more; got {value:,.0f}")
    return value


class Prompter:
    """Ask questions on a Rich console; ``read`` defaults to ``console.input``."""

    def __init__(self, console: Console, read: Callable[[Text], str] | None = None) -> None:
        self.console = console
        self._read = read or (lambda prompt: console.input(prompt))

    def say_problem(self, message: str) -> None:
        self.console.print(Text(f"  ! {message}", style="yellow"))

    def raw(self, label: str) -> str:
        try:
            return self._read(Text(f"{label}: ", style="bold"))
        except EOFError:
            raise Leave from None

    def choice(self, label: str, options: Sequence[str], what: str = "choice") -> str:
        """One of ``options`` (case-insensitive); an empty or unknown answer asks again."""
        lookup = {option.lower(): option for option in options}
        while True:
            answer = self.raw(f"{label} ({' / '.join(options)})").strip()
            if not answer:
                self.say_problem(f"Please type a {what}: {', '.join(options)}")
            elif answer.lower() in lookup:
                return lookup[answer.lower()]
            else:
                self.say_problem(f"Unknown {what} '{answer}'; choose one of: {', '.join(options)}")

    def amount(self, label: str, default: float | None = None) -> float:
        """A non-negative amount in INR; Enter keeps ``default`` when one is shown."""
        shown = f"{label} [current {default:,.0f}]" if default is not None else label
        while True:
            answer = self.raw(shown)
            if not answer.strip():
                if default is not None:
                    return float(default)
                self.say_problem("Please type an amount in INR")
                continue
            try:
                return parse_amount(answer)
            except InputError as error:
                self.say_problem(str(error))

    def text(self, label: str, default: str) -> str:
        """Free text; Enter keeps ``default``."""
        answer = self.raw(f"{label} [{default}]").strip()
        return answer or default

    def limits(self, label: str, check: Callable[[list[str]], object]) -> list[str]:
        """Space-separated ``CHANNEL=INR`` / ``CHANNEL=P%`` items (Enter for none), checked by ``check``."""
        while True:
            items = self.raw(f"{label} (e.g. TV=50000 or TV=80% of current; Enter for none)").split()
            try:
                check(items)
            except InputError as error:
                self.say_problem(str(error))
                continue
            return items
