"""Parameter constraints (links) shared by the Keras layers, the export and the synthetic truth.

A layer stores unconstrained ("raw") weights; :func:`constrain` maps them to the
parameter's domain with any array namespace (``numpy``, ``jax.numpy`` or ``keras.ops``),
and :func:`unconstrain` maps a starting value back (plain floats).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, assert_never

from mmm_analytics.errors import InputError


class Link(StrEnum):
    """The domain of a parameter: (0, 1) through a sigmoid, (0, inf) through a softplus."""

    UNIT = "unit"
    POSITIVE = "positive"


#: Largest |z| :func:`expit` takes as it is: exp(700) is finite in float64, and the sigmoid is
#: within 1e-304 of 0 or 1 beyond it.
SIGMOID_REACH = 700.0


def expit(z: Any, xp: Any) -> Any:
    """1 / (1 + exp(-z)) (any shape) in the namespace ``xp``, with ``z`` clipped to
    [-:data:`SIGMOID_REACH`, :data:`SIGMOID_REACH`]: no overflow, so no NaN gradient far out in
    the tails (the gradient there is 0), and the same value as the plain formula everywhere else."""
    return 1.0 / (1.0 + xp.exp(-xp.clip(z, -SIGMOID_REACH, SIGMOID_REACH)))


#: Largest |raw| the unit link takes as it is: the sigmoid of 36 is still below 1 in float64 (of 37,
#: it rounds to 1), so every raw weight maps inside the open interval (0, 1).
UNIT_REACH = 36.0

#: Most negative raw weight the positive link takes as it is: its softplus (1e-304) is still > 0.
POSITIVE_REACH = -700.0


def constrain(link: Link, raw: Any, xp: Any) -> Any:
    """Constrained value of ``raw`` (any shape) in the namespace ``xp``: strictly inside the
    parameter's open domain for every finite ``raw`` (a Laplace draw far along a flat direction
    too), equal to the plain formula inside the reach constants, with gradient 0 beyond them."""
    match link:
        case Link.UNIT:
            # exp of a non-positive number only: no overflow, and no NaN gradient far out in the tails.
            small = xp.exp(-xp.minimum(xp.abs(raw), UNIT_REACH))
            return xp.where(raw >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
        case Link.POSITIVE:
            return xp.maximum(raw, 0.0) + xp.log1p(xp.exp(-xp.abs(xp.maximum(raw, POSITIVE_REACH))))
        case _:
            assert_never(link)


def unconstrain(link: Link, value: float) -> float:
    """The raw value whose constrained value is ``value`` (inverse of :func:`constrain`)."""
    match link:
        case Link.UNIT:
            return math.log(value / (1.0 - value))
        case Link.POSITIVE:
            return math.log(math.expm1(value))
        case _:
            assert_never(link)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One learned parameter of a response family.

    ``name`` is the constrained parameter (e.g. ``retention``), ``raw_name`` the name of
    the unconstrained Keras weight (e.g. ``retention_logit``), ``initial`` the starting
    value in the constrained domain, and ``unit`` what the value is measured in.
    """

    name: str
    raw_name: str
    link: Link
    initial: float
    unit: str

    def in_domain(self, value: float) -> bool:
        """True when ``value`` lies inside the link's open domain."""
        match self.link:
            case Link.UNIT:
                return 0.0 < value < 1.0
            case Link.POSITIVE:
                return value > 0.0
            case _:
                assert_never(self.link)


class Form(Protocol):
    """What a registered family provides: its name and its parameters."""

    @property
    def family(self) -> StrEnum: ...

    @property
    def parameters(self) -> tuple[Parameter, ...]: ...


class Registry[F: StrEnum, T: Form](dict[F, T]):
    """The registered forms of one kind of transform (carryover or saturation), by family.

    Every consumer (Keras layers, export, steady-state response, synthetic truth) reads
    the forms from here, so a family registered once reaches all of them.
    """

    def __init__(self, kind: str, families: type[F]) -> None:
        super().__init__()
        self.kind, self.families = kind, families

    def register(self, form: T) -> T:
        """Add ``form`` under its family."""
        self[self.families(form.family)] = form
        return form

    def form_of(self, family: F | str) -> T:
        """The registered form of ``family``; InputError naming the choices for an unknown one."""
        try:
            return self[self.families(family)]
        except (ValueError, KeyError):
            choices = ", ".join(f.value for f in self)
            raise InputError(f"unknown {self.kind} '{family}'; choose one of: {choices}") from None

    def constrain_params(self, family: F | str, raw: Mapping[str, Any], xp: Any) -> dict[str, Any]:
        """Constrained parameters keyed by name, from raw weights keyed by ``raw_name``."""
        return {p.name: constrain(p.link, raw[p.raw_name], xp) for p in self.form_of(family).parameters}
