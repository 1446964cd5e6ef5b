"""Terminal prompts that never crash on bad input: they explain and ask again.

Text where a number is expected, a negative amount or an unknown name re-prompts with a
one-line message; Enter takes the default shown in brackets (and re-prompts where there is
none). Spend prompts take INR, a change of the current spend (``+20%``, ``-10%``, ``+5000``), a
share of it (``80%``) or ``CHANNEL=VALUE`` items for several channels at once (``TV=+20% Print=0``);
the amount a change or a share stands for is said back (``= 11,594 INR``), grouped in the project's
``number_format`` like every amount the prompts show.
Ctrl-D (end of input) raises :class:`Leave`, which the menu turns into a clean exit; Ctrl-C
raises ``KeyboardInterrupt`` as usual, which the menu turns into "abandon this action" (or a
clean exit at the menu prompt itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.console import Console
from rich.text import Text

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers
from mmm_analytics.utils.amounts import SCALES, parse_inr
from mmm_analytics.utils.names import one_name
from mmm_analytics.utils.percent import SPEND_FORMS, sign_of, typed_spend


class Leave(Exception):
    """The user pressed Ctrl-D (end of input): leave the session."""


def parse_amount(text: str) -> float:
    """A weekly amount in INR from text such as ``125000``, ``1,25,000``, ``2.5e5`` or ``1.5L``
    (:func:`~mmm_analytics.utils.amounts.parse_inr`); >= 0."""
    try:
        value = parse_inr(text)
    except ValueError as error:
        raise InputError(str(error)) from None
    if value < 0:
        raise InputError(f"the amount must be 0 or more; got '{text.strip()}'")
    return value


def parse_spend(text: str, current: float, fmt: NumberFormat = NumberFormat.INDIAN) -> float:
    """A weekly spend from ``text``: INR, a change of ``current`` (``+5000``, ``+20%``, ``-10%``) or a
    share of it (``80%``), read by :func:`~mmm_analytics.utils.percent.typed_spend` as in a scenarios
    file (amounts in its messages grouped per ``fmt``). Before, ``+20`` with the ``%`` forgotten set the spend
    to 20 INR."""
    shown = text.strip()
    try:
        return typed_spend(shown, current, fmt)
    except ValueError as error:
        if "not a number" in str(error):
            raise InputError(f"'{shown}' is not a number; type {SPEND_FORMS}") from None
        raise InputError(str(error)) from None


#: Words that continue an amount written with spaces (``1.2 Cr``, ``Rs 2,000``, ``500 INR``).
_AMOUNT_WORDS = frozenset(SCALES) | {"rs", "rs.", "inr", "₹"}


def split_items(text: str) -> list[str]:
    """``CHANNEL=VALUE`` items separated by spaces, an amount's own spaces kept: ``TV=1.2 Cr Print=0``
    is ``["TV=1.2 Cr", "Print=0"]``. Only a scale or currency word or a number continues the item
    before it; any other word is an item of its own, which the caller reports (``TV=5 Radio``: Radio
    has no value)."""
    items: list[str] = []
    for word in text.split():
        amount = word.lower() in _AMOUNT_WORDS or word[0].isdigit() or word[0] == "₹"
        if items and amount and "=" not in word and "=" in items[-1]:
            items[-1] = f"{items[-1]} {word}"
        else:
            items.append(word)
    return items


def parse_changes(text: str, current: Mapping[str, float], fmt: NumberFormat = NumberFormat.INDIAN) -> dict[str, float]:
    """``CHANNEL=VALUE`` items separated by spaces (``TV=+20% Print=0``, ``TV=1.2 Cr``): the new spend
    of each channel named.

    Channel names match whatever their case; each VALUE is read by :func:`parse_spend`.
    """
    changes: dict[str, float] = {}
    for item in split_items(text):
        name, _, value = item.partition("=")
        try:
            channel = one_name(name, current, "channel", f"channels: {', '.join(current)}")
        except InputError as error:
            raise InputError(f"'{item}': {error}") from None
        if not value.strip():
            raise InputError(f"'{item}': no value; write e.g. {channel}=+20%, {channel}=80% or {channel}=150000")
        if channel in changes:
            raise InputError(f"'{item}': {channel} is named twice; name each channel once")
        changes[channel] = parse_spend(value, current[channel], fmt)
    return changes


class Prompter:
    """Ask questions on a Rich console, showing amounts grouped per ``fmt``; ``read`` defaults to
    ``console.input``."""

    def __init__(self, console: Console, fmt: NumberFormat, read: Callable[[Text], str] | None = None) -> None:
        self.console = console
        self.fmt = fmt
        self._read = read or (lambda prompt: console.input(prompt))

    def say_problem(self, message: str) -> None:
        self.console.print(Text(f"  ! {message}", style="yellow"))

    def raw(self, label: str) -> str:
        try:
            return self._read(Text(f"{label}: ", style="bold"))
        except EOFError:
            raise Leave from None

    def say(self, message: str) -> None:
        self.console.print(Text(f"  {message}", style="dim"))

    def choice(self, label: str, options: Sequence[str], what: str = "choice", default: str | None = None) -> str:
        """One of ``options`` (case-insensitive); Enter takes ``default`` (asks again without one)."""
        shown = f"{label} ({' / '.join(options)})" + (f" [{default}]" if default is not None else "")
        while True:
            answer = self.raw(shown).strip()
            if not answer and default is not None:
                return default
            if not answer:
                self.say_problem(f"Please type a {what}: {', '.join(options)}")
            else:
                try:
                    return one_name(answer, options, what, f"choose one of: {', '.join(options)}")
                except InputError as error:
                    self.say_problem(str(error)[:1].upper() + str(error)[1:])

    def said_back(self, answer: str, value: float) -> None:
        """Say the amount a change (``+20%``, ``-5``) or a share (``80%``) stands for; an amount is as typed."""
        if answer.endswith("%") or sign_of(answer):
            self.say(f"= {numbers.grouped(value, self.fmt)} INR")

    def amount(self, label: str, default: float | None = None, check: Callable[[float], object] | None = None) -> float:
        """A non-negative amount in INR, or (with a ``default``) a change or share of it; Enter keeps
        ``default``. ``check`` may refuse the amount with an :class:`InputError`: its message is shown and
        the question asked again."""
        shown = f"{label} [current {numbers.grouped(default, self.fmt)}]" if default is not None else label
        while True:
            answer = self.raw(shown).strip()
            if not answer:
                if default is not None:
                    return float(default)
                self.say_problem("Please type an amount in INR")
                continue
            try:
                value = parse_amount(answer) if default is None else parse_spend(answer, default, self.fmt)
                if check is not None:
                    check(value)
            except InputError as error:
                self.say_problem(str(error))
                continue
            self.said_back(answer, value)
            return value

    def spend(self, label: str, channel: str, current: Mapping[str, float]) -> float | dict[str, float]:
        """The weekly spend of ``channel`` (as :meth:`amount`; Enter keeps the current one), or the
        spends of the channels an answer with ``CHANNEL=VALUE`` items names (:func:`parse_changes`)."""
        while True:
            answer = self.raw(f"{label} [current {numbers.grouped(current[channel], self.fmt)}]").strip()
            if not answer:
                return current[channel]
            try:
                if "=" in answer:
                    return parse_changes(answer, current, self.fmt)
                value = parse_spend(answer, current[channel], self.fmt)
            except InputError as error:
                self.say_problem(str(error))
                continue
            self.said_back(answer, value)
            return value

    def picks(self, label: str, count: int, file_word: str = "f") -> list[int] | None:
        """Indices (0-based) of numbers 1..``count`` typed with spaces or commas; Enter means all of
        them, ``file_word`` means None (a file instead)."""
        while True:
            answer = self.raw(label).strip()
            if not answer:
                return list(range(count))
            if answer.lower() in (file_word, "file"):
                return None
            try:
                typed = [int(part) for part in answer.replace(",", " ").split()]
            except ValueError:
                self.say_problem(
                    f"'{answer}' is not a list of numbers; type e.g. 1 3, Enter for all, or {file_word} for a file"
                )
                continue
            wrong = [n for n in typed if not 1 <= n <= count]
            if wrong:
                self.say_problem(f"there is no number {wrong[0]}; choose from 1 to {count}")
                continue
            return list(dict.fromkeys(n - 1 for n in typed))

    def text(self, label: str, default: str) -> str:
        """Free text; Enter keeps ``default``."""
        answer = self.raw(f"{label} [{default}]").strip()
        return answer or default

    def limits(self, label: str, check: Callable[[list[str]], object]) -> list[str]:
        """Space-separated ``CHANNEL=INR`` / ``CHANNEL=P%`` items (Enter for none), checked by ``check``."""
        while True:
            items = split_items(self.raw(f"{label} (e.g. TV=50000 or TV=80% of current; Enter for none)"))
            try:
                check(items)
            except InputError as error:
                self.say_problem(str(error))
                continue
            return items
