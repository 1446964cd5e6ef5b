"""What a percentage of today's spend, or a typed spend, stands for, read the same way by every
input that takes one (``--min``/``--max``, scenario files, the interactive menu)."""

import math
import re

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.style.numbers import message_inr
from mmm_analytics.utils.amounts import parse_inr

#: The largest multiple of today's spend a percentage may stand for (1,000,000% or +999,900%): far
#: above any plan; beyond it the spend a percentage stands for can overflow.
MAX_MULTIPLE = 10_000.0

#: How a percentage is read, for messages.
PERCENT_FORMS = "a change of today's spend (+20%, -10%) or a share of it (80%)"


def share_of_current(text: str) -> float:
    """The multiple of today's spend that ``text`` stands for, >= 0.

    Signed, a change: ``+20%`` -> 1.2, ``-10%`` -> 0.9. Unsigned, a share: ``80%`` -> 0.8,
    ``120%`` -> 1.2. Spaces, ``,`` and ``_`` inside the number are ignored.

    Raises
    ------
    ValueError
        With the reason (no ``%``, not a number, not finite, a cut of more than all of it).
    """
    shown = text.strip()
    if not shown.endswith("%"):
        raise ValueError(f"'{shown}' is not a percentage; write {PERCENT_FORMS}")
    body = "".join(shown[:-1].split()).replace(",", "").replace("_", "")
    try:
        percent = float(body)
    except ValueError:
        raise ValueError(f"'{shown}' is not a percentage; write {PERCENT_FORMS}") from None
    if not math.isfinite(percent):
        raise ValueError(f"'{shown}' is not a finite percentage; write {PERCENT_FORMS}")
    signed = body[:1] in "+-"
    if (1.0 + percent / 100.0 if signed else percent / 100.0) > MAX_MULTIPLE:
        raise ValueError(
            f"'{shown}' is more than {MAX_MULTIPLE:,.0f} times today's spend; 1,000,000% (or +999,900%) is the most"
        )
    if signed and percent < -100:
        raise ValueError(f"'{shown}' cuts more than all of today's spend; -100% is the most (no spend)")
    if not signed and percent < 0:
        raise ValueError(f"'{shown}': a share must be 0% or more")
    return 1.0 + percent / 100.0 if signed else percent / 100.0


#: How a typed spend is read, for messages.
SPEND_FORMS = "an amount in INR (e.g. 150000), a change (+5000, -10%) or a share of the current spend (80%)"


def sign_of(text: str) -> str:
    """``+`` or ``-`` when the amount in ``text`` is written with a sign (``+5000``, ``Rs +5000``,
    ``₹-2,000``), else ``""``: the first sign or digit of the text decides."""
    match = re.search(r"[-+\d.]", text)
    return match.group() if match is not None and match.group() in "+-" else ""


def typed_spend(text: str, current: float, fmt: NumberFormat = NumberFormat.INDIAN) -> float:
    """The weekly spend (INR, >= 0) that ``text`` stands for beside today's ``current`` (INR per week);
    amounts in its messages are grouped per ``fmt``.

    A percentage is read by :func:`share_of_current`; a signed amount (:func:`sign_of`) is a change
    of ``current`` (``+5000`` -> current + 5,000, ``-2,000`` -> current - 2,000), as a signed
    percentage is; an unsigned amount (:func:`~mmm_analytics.utils.amounts.parse_inr`) is the spend
    itself. A cut of all of today's spend to within half a rupee is read as no spend.

    Raises
    ------
    ValueError
        With the reason (not an amount or percentage, a signed zero, a cut of more than today's
        spend, a spend too large to be finite).
    """
    shown = text.strip()
    if shown.endswith("%"):
        value = current * share_of_current(shown)
    else:
        amount, sign = parse_inr(shown), sign_of(shown)
        if sign and amount == 0:  # before, '-0' kept today's spend: it was meant as 0 or as nothing
            raise ValueError(f"'{shown}' is a change of nothing; write 0 for no spend, or leave the channel out")
        change = abs(amount) if sign == "+" else -abs(amount)
        value = current + change if sign else amount
        if sign and -0.5 <= value < 0:  # the rupees shown, not the paise today's spend also has
            value = 0.0
        if sign == "-" and value < 0:
            raise ValueError(
                f"'{shown}' cuts more than today's spend of {message_inr(current, fmt)}; -100% is the most (no spend)"
            )
        if value < 0:
            raise ValueError(f"'{shown}': a weekly spend must be 0 or more")
    if not math.isfinite(value):
        raise ValueError(f"'{shown}' of {message_inr(current, fmt)} is too large a spend")
    return value
