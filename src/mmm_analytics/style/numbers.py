"""Every number a person reads, formatted in one place: grouping, money, shares, counts, ratios.

The grouping follows ``viz_config.yaml``'s ``number_format``: ``indian`` groups the
digits as 1,23,45,678 and shortens with lakh (L, 1e5) and crore (Cr, 1e7); ``western``
groups as 12,345,678 and shortens with K, M and B. A value that is None, NaN or
infinite is shown as ``n/a``, so no report ever prints ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from numbers import Real
from typing import TYPE_CHECKING

from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.utils.words import numbered

if TYPE_CHECKING:
    from matplotlib.ticker import Formatter

MISSING = "n/a"
CURRENCY = "INR"
#: (size, suffix) from the largest, for :func:`compact`.
UNITS: dict[NumberFormat, tuple[tuple[float, str], ...]] = {
    # No "K" in the Indian format: below a lakh an amount is written out (26,718), as Indian readers write
    # it; before, "26.7K" stood beside "5.28 L" on one page.
    NumberFormat.INDIAN: ((1e7, " Cr"), (1e5, " L")),
    NumberFormat.WESTERN: ((1e9, "B"), (1e6, "M"), (1e3, "K")),
}
#: (size, words) from the largest, for :func:`unit_of`: amounts shown in one unit named in a label.
UNIT_WORDS: dict[NumberFormat, tuple[tuple[float, str], ...]] = {
    NumberFormat.INDIAN: ((1e7, "crore"), (1e5, "lakh"), (1e3, "thousand")),
    NumberFormat.WESTERN: ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands")),
}
#: Locale of each format for JavaScript's ``toLocaleString`` (pages that format in the browser).
JS_LOCALES: dict[NumberFormat, str] = {NumberFormat.INDIAN: "en-IN", NumberFormat.WESTERN: "en-US"}


def finite(value: object) -> float | None:
    """``value`` as a float, or None when it is missing, not a number or not finite."""
    if value is None or isinstance(value, bool) or not isinstance(value, Real):
        try:
            value = float(value)  # type: ignore[arg-type]  # numpy scalars, numeric strings
        except (TypeError, ValueError):
            return None
    number = float(value)
    return number if math.isfinite(number) else None


def _group_integer(digits: str, fmt: NumberFormat) -> str:
    """Commas in a string of digits: 12345678 -> 1,23,45,678 (indian) or 12,345,678 (western)."""
    if fmt == NumberFormat.WESTERN or len(digits) <= 3:
        return f"{int(digits):,}" if digits else "0"
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, i - 2) : i] for i in range(len(head), 0, -2)][::-1]
    return ",".join([*pairs, tail])


def grouped(value: object, fmt: NumberFormat = NumberFormat.INDIAN, decimals: int = 0, *, signed: bool = False) -> str:
    """``value`` with ``decimals`` decimals and the digits grouped per ``fmt``: 1,23,456.7 (``+1,23,456.7``
    with ``signed``; a value that rounds to zero reads ``0``, or ``+0``, never ``-0``)."""
    number = finite(value)
    if number is None:
        return MISSING
    text = f"{abs(number):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if number < 0 and float(text) != 0 else ("+" if signed else "")
    return sign + _group_integer(whole, fmt) + (f".{fraction}" if fraction else "")


def count(value: object, fmt: NumberFormat = NumberFormat.INDIAN) -> str:
    """A count: no decimals, grouped."""
    return grouped(value, fmt, 0)


def counted(value: int, noun: str, fmt: NumberFormat = NumberFormat.INDIAN, plural: str = "") -> str:
    """``value`` grouped, with ``noun`` in the number it takes: ``1 row``, ``2 rows``, ``1,234 weeks``."""
    return f"{count(value, fmt)} {numbered(value, noun, plural)}"


def message_inr(value: float, fmt: NumberFormat = NumberFormat.INDIAN) -> str:
    """An INR amount for a one-line message: whole rupees grouped per ``fmt``, paise below 100 INR when
    the amount is not whole (so two different small amounts never read the same), or 3
    significant digits when huge."""
    if abs(value) >= 1e15:
        return f"{value:.3g} INR"
    decimals = 2 if abs(value) < 100 and value != round(value) else 0
    return f"{grouped(value, fmt, decimals)} INR"


def message_inr_apart(first: float, second: float, fmt: NumberFormat = NumberFormat.INDIAN) -> tuple[str, str]:
    """Two different INR amounts for one message (:func:`message_inr`), with as many decimals (up to 6) as
    it takes for the amounts shown to differ (13,324.00 INR above 13,323.70 INR, not 13,324 INR above
    13,324 INR)."""
    texts = message_inr(first, fmt), message_inr(second, fmt)
    if first == second or max(abs(first), abs(second)) >= 1e15:
        return texts
    decimals = 2
    while _shown(texts[0]) == _shown(texts[1]) and decimals <= 6:
        texts = f"{grouped(first, fmt, decimals)} INR", f"{grouped(second, fmt, decimals)} INR"
        decimals += 1
    return texts


def _shown(text: str) -> float:
    """The amount an INR text of :func:`message_inr` shows."""
    return float(text.removesuffix(" INR").replace(",", ""))


def money(value: object, fmt: NumberFormat = NumberFormat.INDIAN, decimals: int = 0) -> str:
    """An amount in rupees: ``INR 1,23,456``."""
    text = grouped(value, fmt, decimals)
    return text if text == MISSING else f"{CURRENCY} {text}"


def compact(value: object, fmt: NumberFormat = NumberFormat.INDIAN) -> str:
    """A short amount: 1.23 Cr, 45.6 L, 26,718 (indian: whole rupees below a lakh); 12.3K, 12.3M, 1.2B
    (western); three significant digits in a unit."""
    number = finite(value)
    if number is None:
        return MISSING
    shown = float(f"{number:.3g}")  # the unit of the number as shown: 99,950 is 1 L, not 100K
    for size, suffix in UNITS[fmt]:
        if abs(shown) >= size:
            return _in_unit(number / size, fmt) + suffix
    if abs(number) >= 1000:  # no unit this small (indian): the whole amount
        return grouped(number, fmt)
    return _in_unit(number, fmt)


def _in_unit(number: float, fmt: NumberFormat, digits: int = 3) -> str:
    """``digits`` significant digits, never in exponent form: ``999.6`` reads ``1,000`` (was ``1e+03``), an
    amount past the largest unit ``1,23,456``, a tiny one ``0.0000123``."""
    shown = float(f"{number:.{digits}g}") + 0.0  # no "-0"
    if shown and abs(shown) < 1e-4:  # where "g" turns to exponent form: 1.23e-05 reads 0.0000123
        return format(Decimal(repr(shown)), "f")
    return grouped(shown, fmt) if abs(shown) >= 1000 else f"{shown:.{digits}g}"


def compact_money(value: object, fmt: NumberFormat = NumberFormat.INDIAN) -> str:
    """A short amount in rupees: ``INR 1.23 Cr``."""
    text = compact(value, fmt)
    return text if text == MISSING else f"{CURRENCY} {text}"


def percent(share: object, decimals: int = 1, signed: bool = False) -> str:
    """A share as a percentage: 0.261 -> ``26.1%`` (``+26.1%`` with ``signed``)."""
    number = finite(share)
    if number is None:
        return MISSING
    scaled = round(100.0 * number, decimals) + 0.0  # no "-0.0%"
    return f"{scaled:{'+' if signed else ''}.{decimals}f}%"


def share_of_rows(share: object) -> str:
    """A share to one decimal that reads 0.0% only when it is 0: 1 row of 11,232 reads ``under 0.1%``."""
    number = finite(share)
    if number is not None and 0.0 < number < 0.0005:
        return "under 0.1%"
    return percent(number)


def chance(share: object) -> str:
    """A probability as a whole percentage that reads 0% or 100% only when it is: 0.996 -> ``99.6%``,
    0.9996 -> ``over 99.9%``, 0.003 -> ``0.3%`` (before, ``100%`` and ``0%`` read as certainties)."""
    number = finite(share)
    if number is None:
        return MISSING
    if number <= 0.0 or number >= 1.0:
        return percent(min(max(number, 0.0), 1.0), 0)
    for decimals in (0, 1):
        shown = percent(number, decimals)
        if shown not in (percent(0.0, decimals), percent(1.0, decimals)):
            return shown
    return "over 99.9%" if number > 0.5 else "under 0.1%"


def ratio(value: object, decimals: int = 2) -> str:
    """A ratio such as an ROI: ``2.45``."""
    number = finite(value)
    return MISSING if number is None else f"{round(number, decimals) + 0.0:.{decimals}f}"


def interval(low: object, high: object, show: Callable[[object], str] = ratio) -> str:
    """``low to high`` in the format ``show``; ``n/a`` when either end is missing."""
    if finite(low) is None or finite(high) is None:
        return MISSING
    return f"{show(low)} to {show(high)}"


def axis_formatter(fmt: NumberFormat) -> Formatter:
    """A matplotlib tick formatter labelling every tick of an axis in one unit, that of its largest
    (:func:`tick_labels`: ``0, 0.5 L, 1 L``, not ``0, 50K, 1 L``)."""
    from matplotlib.ticker import Formatter as Base  # matplotlib only when a figure is drawn

    class OneUnit(Base):
        ticks: tuple[float, ...] = ()

        def set_locs(self, locs: Sequence[float]) -> None:  # the axis's ticks, before they are labelled
            self.ticks = tuple(float(v) for v in locs if math.isfinite(v))

        def __call__(self, x: float, pos: int | None = None) -> str:
            return tick_labels([*self.ticks, x], fmt)[-1]

    return OneUnit()


def nice_ticks(low: float, high: float, fmt: NumberFormat, count_hint: int = 5) -> tuple[list[float], list[str]]:
    """Tick values at a round step covering ``low`` to ``high`` (and 0), labelled in one unit, that of the
    largest tick (``0, 0.5 L, 1 L, 1.5 L``, not ``0, 50K, 1 L, 1.5 L``).

    For plotly axes, whose own formats know no lakh or crore.
    """
    bottom, top = min(finite(low) or 0.0, 0.0), max(finite(high) or 0.0, 0.0)
    if top - bottom <= 0:
        return [0.0], ["0"]
    raw = (top - bottom) / max(count_hint, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    first, last = math.floor(bottom / step + 1e-9), math.ceil(top / step - 1e-9)
    values = [k * step for k in range(first, last + 1)]
    return values, tick_labels(values, fmt)


def tick_labels(values: Sequence[float], fmt: NumberFormat) -> list[str]:
    """Labels of an axis's ``values`` in one unit, that of the largest (``0, 0.5 L, 1 L``, not ``0, 50K, 1 L``)."""
    largest = float(f"{max((abs(v) for v in values), default=0.0):.3g}")  # as shown: 99,950 is 1 L, not 100K
    size, suffix = next(((size, suffix) for size, suffix in UNITS[fmt] if largest >= size), (1.0, ""))
    # Three significant digits; where two ticks would read alike (a narrow axis read "1.22 L" thrice), as many
    # as the ticks need to read exactly (1.2125 L, not 1.212 L) up to six, and past that until they differ.
    scaled = [v / size for v in values]

    def exact(digits: int) -> bool:
        return all(abs(float(f"{v:.{digits}g}") - v) <= 1e-9 * abs(v) for v in scaled)

    def labels(digits: int) -> list[str]:
        return [_in_unit(v, fmt, digits) + suffix if v else "0" for v in scaled]

    distinct = [d for d in range(3, 16) if len(set(labels(d))) >= len(set(values))]
    if not distinct or distinct[0] == 3:
        return labels(3)
    return labels(next((d for d in distinct if d <= 6 and exact(d)), distinct[0]))


def unit_of(largest: object, fmt: NumberFormat) -> tuple[float, str]:
    """The unit to show rupee amounts up to ``largest`` in, that of the largest: its size and its name for a
    label, ``(1e7, "INR crore")`` or ``(1e5, "INR lakh")`` (indian), ``(1e6, "INR millions")`` (western);
    ``(1.0, "INR")`` under a thousand."""
    number = abs(finite(largest) or 0.0)
    size, words = next(((size, words) for size, words in UNIT_WORDS[fmt] if number >= size), (1.0, ""))
    return size, f"{CURRENCY} {words}".rstrip()


def listing(names: Sequence[str], conjunction: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C`` (``or`` with ``conjunction="or"``); "" for none."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"
