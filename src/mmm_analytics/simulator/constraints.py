"""Budget constraints: per-channel minimum/maximum (INR or share of current spend) and locks.

Constraints apply to a channel's weekly spend summed over the selected segments; a locked
channel keeps today's spend in every segment. A share (``--min TV=80%``) refers to the
"current" spend the optimiser compares with: today's mix scaled to the budget (today's mix
itself when the budget is today's). Infeasible requests raise
:class:`~mmm_analytics.errors.InputError` naming the constraint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from mmm_analytics.config.base import Settings
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.simulator.terms import OPTIONS, Terms
from mmm_analytics.style.numbers import message_inr, message_inr_apart
from mmm_analytics.utils.amounts import parse_inr
from mmm_analytics.utils.names import one_name
from mmm_analytics.utils.percent import share_of_current, sign_of

#: How each constraint field is named in messages (API name / CLI flag).
LABELS: dict[str, str] = {
    "min_spend": "minimum (min_spend / --min)",
    "max_spend": "maximum (max_spend / --max)",
    "min_fraction": "minimum share of current spend (min_fraction / --min CHANNEL=P%)",
    "max_fraction": "maximum share of current spend (max_fraction / --max CHANNEL=P%)",
}
RELATIVE_TOLERANCE = 1e-9


class BudgetConstraints(Settings):
    """What the optimiser may not do.

    Attributes
    ----------
    min_spend, max_spend : dict of channel -> INR per week
        Absolute limits on the channel's weekly spend.
    min_fraction, max_fraction : dict of channel -> share (1.0 = current spend)
        Limits relative to the channel's current weekly spend: today's mix scaled to the budget.
    locked : tuple of channel names
        Channels held at today's weekly spend (the average over the data).
    at_most : bool
        Spend at most the budget instead of exactly the budget.
    """

    min_spend: dict[str, float] = Field(default_factory=dict)
    max_spend: dict[str, float] = Field(default_factory=dict)
    min_fraction: dict[str, float] = Field(default_factory=dict)
    max_fraction: dict[str, float] = Field(default_factory=dict)
    locked: tuple[str, ...] = ()
    at_most: bool = False


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """Resolved limits on each channel's weekly spend (INR), arrays of shape (C,)."""

    lower: np.ndarray
    upper: np.ndarray
    locked: np.ndarray

    def status(self, spend: np.ndarray, budget: float) -> list[str]:
        """Per channel: "locked", "at minimum", "at maximum" or "free" for a spend vector (C,). A maximum
        below the budget that binds is named before a minimum (``--max TV=0`` holds TV "at maximum")."""
        tolerance = 1e-6 * max(budget, 1.0)
        out = []
        for value, low, high, locked in zip(spend, self.lower, self.upper, self.locked):
            if locked:
                out.append("locked")
            elif value >= high - tolerance and high < budget - tolerance:
                out.append("at maximum")
            elif value <= low + tolerance:
                out.append("at minimum")
            elif value >= high - tolerance:
                out.append("at maximum")
            else:
                out.append("free")
        return out


#: The fields that bound a channel from below, and from above: a channel may be in both fields of a
#: group as the API allows (the tighter limit holds), but spelt one way.
_GROUPS = (("minimum", ("min_spend", "min_fraction")), ("maximum", ("max_spend", "max_fraction")))


def named_limits(limits: Mapping[str, float], channels: Sequence[str], where: str) -> dict[str, float]:
    """``limits`` keyed by the channels they name (as written, or up to case), each channel once.

    Raises
    ------
    InputError
        For an unknown channel, one matching several up to case, or one given twice.
    """
    named: dict[str, float] = {}
    for given, value in limits.items():
        channel = one_name(given, channels, "channel", f"channels: {', '.join(channels)}", where=f" in {where}")
        if channel in named:
            raise InputError(f"{channel} is given twice in {where}; give each channel once")
        named[channel] = value
    return named


def _checked(constraints: BudgetConstraints, channels: tuple[str, ...]) -> BudgetConstraints:
    """``constraints`` with every channel named as in ``channels``, each spelt one way, every limit a number >= 0."""
    named: dict[str, dict[str, float]] = {}
    for bound, fields in _GROUPS:
        spelt: dict[str, str] = {}
        for name in fields:
            for given, value in getattr(constraints, name).items():
                if not math.isfinite(value) or value < 0:
                    raise InputError(f"{LABELS[name]} for {given!r} must be a number >= 0; got {value}")
            named[name] = named_limits(getattr(constraints, name), channels, LABELS[name])
            for given, channel in zip(getattr(constraints, name), named[name]):
                if spelt.setdefault(channel, given) != given:  # --min TV=60 --min tv=10%
                    raise InputError(
                        f"{channel} is given twice in the {bound} limits (--{bound[:3]}), as "
                        f"{spelt[channel]!r} and {given!r}; give each channel once"
                    )
    locked: list[str] = []
    for given in constraints.locked:
        channel = one_name(given, channels, "channel", f"channels: {', '.join(channels)}", where=" in locked (--lock)")
        if channel in locked:  # a typo for another channel, most likely
            raise InputError(f"{channel} is locked twice (--lock); give one --lock per channel")
        locked.append(channel)
    return constraints.model_copy(update={**named, "locked": tuple(locked)})


def resolve_limits(
    constraints: BudgetConstraints | None,
    channels: tuple[str, ...],
    current: np.ndarray,
    budget: float,
    reference: np.ndarray | None = None,
    terms: Terms = OPTIONS,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> ChannelLimits:
    """Channel limits in INR per week, checked against each other and the budget.

    Parameters
    ----------
    constraints : BudgetConstraints or None
    channels : tuple of str, length C
    current : ndarray of shape (C,)
        Today's weekly spend per channel (INR), where locked channels stay.
    budget : float
        Weekly budget (INR).
    reference : ndarray of shape (C,), optional
        The weekly spend (INR) that shares (``min_fraction``/``max_fraction``) refer to: the
        "current" column the result shows, today's mix scaled to ``budget``. Defaults to ``current``.
    terms : Terms
        What the messages call the switch that spends at most the budget.
    fmt : NumberFormat
        Digit grouping of the amounts in the messages.
    """
    constraints = constraints or BudgetConstraints()
    share_of = current if reference is None else np.asarray(reference, dtype=np.float64)
    if not math.isfinite(budget) or budget < 0:
        raise InputError(f"weekly budget must be a number >= 0 INR; got {budget}")
    constraints = _checked(constraints, channels)
    lower, upper = np.zeros(len(channels)), np.full(len(channels), np.inf)
    for c, channel in enumerate(channels):
        lower[c] = max(
            constraints.min_spend.get(channel, 0.0), constraints.min_fraction.get(channel, 0.0) * share_of[c]
        )
        upper[c] = constraints.max_spend.get(channel, np.inf)
        if channel in constraints.max_fraction:  # (inf x 0 would be NaN)
            upper[c] = min(upper[c], constraints.max_fraction[channel] * share_of[c])
        if lower[c] > upper[c] * (1 + RELATIVE_TOLERANCE):
            raise InputError(
                f"constraint on {channel!r}: minimum {message_inr(lower[c], fmt)} is above maximum "
                f"{message_inr(upper[c], fmt)}; lower the minimum or raise the maximum"
            )
    locked = np.array([channel in constraints.locked for channel in channels])
    for k in np.flatnonzero(locked):
        if not lower[k] * (1 - RELATIVE_TOLERANCE) <= current[k] <= upper[k] * (1 + RELATIVE_TOLERANCE):
            raise InputError(
                f"channel {channels[k]!r} is locked at its current spend {message_inr(current[k], fmt)}, outside its "
                f"limits ({_limits_text(lower[k], upper[k], fmt)}); drop the lock or the limit"
            )
        lower[k] = upper[k] = current[k]
    _check_budget(channels, lower, upper, locked, budget, constraints.at_most, terms, fmt)
    return ChannelLimits(lower=lower, upper=upper, locked=locked)


def _limits_text(lower: float, upper: float, fmt: NumberFormat) -> str:
    """A channel's limits in words, with no infinite amount: "at least 5,000 INR", "between ... and ..."
    (amounts grouped per ``fmt``)."""
    if not np.isfinite(upper):
        return f"at least {message_inr(lower, fmt)}"
    if lower <= 0:
        return f"at most {message_inr(upper, fmt)}"
    return f"between {message_inr(lower, fmt)} and {message_inr(upper, fmt)}"


def _check_budget(
    channels: tuple[str, ...],
    lower: np.ndarray,
    upper: np.ndarray,
    locked: np.ndarray,
    budget: float,
    at_most: bool,
    terms: Terms = OPTIONS,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> None:
    """Raise :class:`InputError` when the minimums add up to more than ``budget``, or the maximums (unless
    ``at_most``) to less; the remedies offered are those of ``terms`` (a lock only where one is set), the
    amounts grouped per ``fmt``."""
    if lower.sum() > budget * (1 + RELATIVE_TOLERANCE) + 1e-9:
        parts = ", ".join(
            f"{'locked ' if locked[c] else ''}{channels[c]}={message_inr(lower[c], fmt)}"
            for c in np.flatnonzero(lower > 0)
        )
        unlock = ", unlock a channel" if locked.any() else ""
        total, weekly = message_inr_apart(lower.sum(), budget, fmt)
        raise InputError(
            f"minimum spends ({parts}) add up to {total}, above the weekly budget "
            f"{weekly}; lower a minimum{unlock} or raise the budget"
        )
    if not at_most and upper.sum() < budget * (1 - RELATIVE_TOLERANCE):
        parts = ", ".join(
            f"{'locked ' if locked[c] else ''}{channels[c]}={message_inr(upper[c], fmt)}" for c in range(len(channels))
        )
        remedy = (
            "unlock a channel" if locked.all() else "raise a maximum" + (", unlock a channel" if locked.any() else "")
        )
        less = "" if terms.at_most is None else f" or allow spending less (at_most / {terms.at_most})"
        total, weekly = message_inr_apart(upper.sum(), budget, fmt)
        raise InputError(
            f"maximum spends ({parts}) add up to {total}, below the weekly budget "
            f"{weekly}; {remedy}{',' if less else ' or'} lower the budget{less}"
        )


def parse_limits(items: list[str], flag: str) -> tuple[dict[str, float], dict[str, float]]:
    """Parse ``CHANNEL=INR`` or ``CHANNEL=P%`` flags into (absolute INR, fraction of current) maps.

    A percentage is read by :func:`~mmm_analytics.utils.percent.share_of_current`: ``TV=80%`` is 0.8
    of today's spend, ``TV=+20%`` 1.2 and ``TV=-20%`` 0.8. A channel named twice is an error.
    """
    absolute: dict[str, float] = {}
    fraction: dict[str, float] = {}
    for item in items:
        channel, sep, text = item.partition("=")
        channel, text = channel.strip(), text.strip()
        if channel in absolute or channel in fraction:
            raise InputError(f"{flag} {item!r}: {channel} is limited twice by {flag}; give one {flag} per channel")
        if sep and channel and not text.endswith("%") and sign_of(text):  # before, TV=+5000 was the spend 5,000
            raise InputError(
                f"{flag} {item!r}: a signed amount would be a change, and a limit takes a change in percent "
                f"only ({channel}=+20%); write the weekly spend itself ({channel}=250000) or the change in percent"
            )
        try:
            if not sep or not channel:
                raise ValueError
            if text.endswith("%"):
                fraction[channel] = share_of_current(text)
            else:
                absolute[channel] = parse_inr(text)
        except ValueError as error:
            if sep and channel and text:  # the amount's or percentage's own reason
                other = "" if text.endswith("%") else ", or a percentage of current spend such as 80%"
                raise InputError(f"{flag} {item!r}: {error}{other}") from None
            raise InputError(
                f"{flag} {item!r}: expected CHANNEL=INR (e.g. TV=250000, TV=2.5L) or "
                "CHANNEL=PERCENT% of current spend (e.g. TV=80%, or TV=+20% for a change)"
            ) from None
    return absolute, fraction
