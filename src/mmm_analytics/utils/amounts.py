"""Amounts of money a person types, read the same way by every input that takes one (``--budget``,
``--min``/``--max``, the interactive menu): ``125000``, ``1,25,000``, ``2.5e5``, ``125000 INR``, and
with a scale, ``10k``, ``2.5L`` (lakh), ``1.2 Cr`` (crore), ``3M`` (million)."""

import math
import re

#: Scale words (lower case) -> the multiple of one rupee they stand for.
SCALES: dict[str, float] = {
    "k": 1e3,
    "l": 1e5,
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
_SCALED = re.compile(r"^(?P<number>.*?)\s*(?P<scale>[a-z]+)$")


def parse_inr(text: str) -> float:
    """The amount in INR that ``text`` stands for (any sign; the caller checks the range).

    Spaces, ``,`` and ``_`` inside the number and a trailing ``INR`` are ignored; a scale word
    (:data:`SCALES`, any case) multiplies it.

    Raises
    ------
    ValueError
        With the reason: not a number, an unknown scale, not finite.
    """
    shown = text.strip()
    body = re.sub(r"\s*inr$", "", shown.lower()).replace(",", "").replace("_", "").strip()
    scale = 1.0
    if (match := _SCALED.match(body)) and match["scale"] not in ("e", "inf", "infinity", "nan"):
        if match["scale"] not in SCALES and match["number"]:
            raise ValueError(f"'{shown}': unknown scale '{match['scale']}'; write {AMOUNT_FORMS}")
        body, scale = match["number"], SCALES.get(match["scale"], math.nan)
    try:
        value = float("".join(body.split())) * scale
    except ValueError:
        raise ValueError(f"'{shown}' is not a number; write {AMOUNT_FORMS}") from None
    if not math.isfinite(value):
        raise ValueError(f"'{shown}' is not a finite number; write {AMOUNT_FORMS}")
    return value
