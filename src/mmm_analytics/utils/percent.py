"""What a percentage of today's spend stands for, read the same way by every input that takes one
(``--min``/``--max``, scenario files, the interactive menu)."""

import math

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
