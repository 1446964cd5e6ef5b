"""Keras twin of :func:`mmm_analytics.response.carryover.apply_carryover` with learned lag weights."""

from __future__ import annotations

import keras
from keras import ops

from mmm_analytics.errors import InputError
from mmm_analytics.models.layers.family_weights import add_family_weights, raw_weights
from mmm_analytics.response import carryover


@keras.saving.register_keras_serializable(package="mmm_analytics")
class AdstockLayer(keras.layers.Layer):
    """Learnable carryover per channel of a registered family, causal over ``max_lag`` weeks.

    Each parameter of the family (see :data:`mmm_analytics.response.carryover.CARRYOVER_FORMS`)
    is one weight of shape (n_channels,) named by its ``raw_name`` and constrained by its link;
    ``initial`` overrides starting values by parameter name. Input and output of shape
    (batch, n_weeks, n_channels).
    """

    def __init__(
        self,
        n_channels: int,
        max_lag: int = 16,
        family: str = "beta_gamma",
        initial: dict[str, float] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(max_lag) != max_lag or max_lag < 0:
            raise InputError(f"max_lag must be a whole number >= 0. Received: max_lag={max_lag}")
        if n_channels < 1:
            raise InputError(f"n_channels must be >= 1. Received: n_channels={n_channels}")
        self.form = carryover.form_of(family)
        starts = {p.name: p.initial for p in self.form.parameters} | dict(initial or {})
        for p in self.form.parameters:
            if not p.in_domain(float(starts[p.name])):
                raise InputError(f"initial {p.name} is outside its domain ({p.link.value}). Received: {starts[p.name]}")
        unknown = set(starts) - {p.name for p in self.form.parameters}
        if unknown:
            raise InputError(f"unknown initial values for carryover '{family}': {sorted(unknown)}")
        self.n_channels, self.max_lag, self.family = int(n_channels), int(max_lag), self.form.family.value
        self.initial = {name: float(value) for name, value in starts.items()}

    def build(self, input_shape=None):
        add_family_weights(self, self.form.parameters, self.n_channels, self.initial)

    def raw(self) -> dict[str, object]:
        """The unconstrained weights as tensors, keyed by raw name."""
        return raw_weights(self, self.form.parameters)

    def params(self) -> dict[str, object]:
        """Constrained parameters, keyed by name, each of shape (n_channels,)."""
        return carryover.constrain_params(self.family, self.raw(), xp=ops)

    def lag_weights(self):
        """Weights of shape (max_lag + 1, n_channels)."""
        return carryover.lag_weights(self.family, self.params(), self.max_lag, xp=ops)

    def call(self, exposure):
        return carryover.apply_carryover(exposure, self.lag_weights(), xp=ops)

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels,
            "max_lag": self.max_lag,
            "family": self.family,
            "initial": self.initial,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        # Models saved before the layer had families stored beta-gamma starting values by name.
        legacy = {name: config.pop(f"initial_{name}") for name in ("beta", "retention") if f"initial_{name}" in config}
        if legacy:
            config["initial"] = legacy | dict(config.get("initial") or {})
        return cls(**config)
