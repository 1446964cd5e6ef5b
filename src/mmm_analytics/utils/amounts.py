"""Amounts of money a person types, read the same way by every input that takes one (``--budget``,
``--min``/``--max``, scenario files, the interactive menu): ``125000``, ``1,25,000`` or
``125,000`` (digits grouped the Indian or the Western way), ``2.5e5``, with ``INR``, ``Rs`` or
``₹`` before or ``INR`` after, and with a scale: ``10k``, ``2.5L`` or ``2.5 lakh``, ``1.2Cr`` or
``1.2 crore``, ``3M``."""

import math
import re

#: Scale words (lower case) -> the multiple of one rupee they stand for.
SCALES: dict[str, float] = {
    "k": 1e3,
    "l": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "lakh": 1e5,
    "lakhs": 1e5,
    "m": 1e6,
    "mn": 1e6,
    "cr": 1e7,
    "crore": 1e7,
    "crores": 1e7,
}
#: How an amount may be written, for messages.
AMOUNT_FORMS = "an amount in INR such as 150000, 1,50,000, 150k, 1.5L or 1.2Cr"
#: A number: plain digits, or digits grouped by commas the Western (1,250,000) or the Indian (12,50,000)
#: way; a decimal part and an exponent may follow.
_NUMBER = re.compile(
    r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3})?(?:\.\d*)?(?:e[+-]?\d+)?",
)
_AMOUNT = re.compile(rf"^(?:₹|rs\.?|inr)?\s*(?P<number>{_NUMBER.pattern})\s*(?P<scale>[a-z]*)\s*(?:inr)?$")


def parse_inr(text: str) -> float:
    """The amount in INR that ``text`` stands for (any sign; the caller checks the range).

    Underscores inside the number are ignored; a scale word (:data:`SCALES`, any case) multiplies it.

    Raises
    ------
    ValueError
        With the reason: not a number (commas out of place, two numbers, a word), an unknown scale,
        not finite.
    """
    shown = text.strip()
    match = _AMOUNT.match(shown.lower().replace("_", ""))
    if match is None or not any(ch.isdigit() for ch in match["number"]) or match["scale"] == "e":
        if shown.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            raise ValueError(f"'{shown}' is not a finite number; write {AMOUNT_FORMS}")
        raise ValueError(f"'{shown}' is not a number; write {AMOUNT_FORMS}")
    scale = "" if match["scale"] == "inr" else match["scale"]  # "150000 INR": a currency, not a scale
    if scale and scale not in SCALES:
        raise ValueError(f"'{shown}': unknown scale '{scale}'; write {AMOUNT_FORMS}")
    value = float(match["number"].replace(",", "")) * SCALES.get(scale, 1.0)
    if not math.isfinite(value):
        raise ValueError(f"'{shown}' is not a finite number; write {AMOUNT_FORMS}")
    return value


#: A weekly budget within this share of today's weekly spend (or of 1 INR, the larger) is today's.
SAME_BUDGET = 1e-9


def same_budget(budget: float, today: float) -> bool:
    """Whether a weekly ``budget`` (INR) is today's total weekly spend ``today`` (INR), so that the
    advice measures itself against today's mix as it is rather than scaled to the budget."""
    return abs(budget - today) <= SAME_BUDGET * max(abs(today), 1.0)
