"""Keras twin of :func:`mmm_analytics.response.saturation.saturate` with learned parameters."""

from __future__ import annotations

import keras
from keras import ops

from mmm_analytics.errors import InputError
from mmm_analytics.models.layers.family_weights import add_family_weights, raw_weights
from mmm_analytics.response import saturation
from mmm_analytics.response.links import constrain
from mmm_analytics.response.saturation import SIZE_SCALING as SCALING


@keras.saving.register_keras_serializable(package="mmm_analytics")
class ROICurveLayer(keras.layers.Layer):
    """Per-channel saturation of a registered family, 0 at 0 and increasing, output in [0, 1).

    Each parameter of the family (see :data:`mmm_analytics.response.saturation.SATURATION_FORMS`)
    is one weight of shape (n_channels,) named by its ``raw_name`` and constrained by its link.
    ``half_saturation`` is that of a series of typical size, in carried-over scaled exposure.
    ``scaling`` (see :class:`~mmm_analytics.response.saturation.SaturationScaling`) says how it
    moves with a series' size: fixed at 1 (relative), 0 (absolute) or a learned weight in (0, 1)
    per channel. Call with ``carried`` (batch, n_weeks, n_channels) and the series' relative
    size (batch, n_channels) (see :func:`~mmm_analytics.response.saturation.relative_size`);
    output of the shape of ``carried``.
    """

    def __init__(
        self,
        n_channels: int,
        kind: str = "hill",
        initial_half_saturation: float = 1.5,
        initial_slope: float = 1.0,
        scaling: str = "relative",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.form = saturation.form_of(kind)
        if initial_half_saturation <= 0 or initial_slope <= 0:
            raise InputError(
                "initial_half_saturation and initial_slope must be > 0. "
                f"Received: {initial_half_saturation}, {initial_slope}"
            )
        self.n_channels, self.kind = int(n_channels), self.form.family.value
        self.initial_half_saturation, self.initial_slope = float(initial_half_saturation), float(initial_slope)
        self.scaling = saturation.SaturationScaling(scaling).value

    def build(self, input_shape=None):
        add_family_weights(
            self,
            self.form.parameters,
            self.n_channels,
            {"half_saturation": self.initial_half_saturation, "slope": self.initial_slope},
        )
        if self.scaling == saturation.SaturationScaling.LEARNED:
            add_family_weights(self, (SCALING,), self.n_channels, {})

    def raw(self) -> dict[str, object]:
        """The unconstrained weights as tensors, keyed by raw name."""
        return raw_weights(self, self.form.parameters)

    def params(self) -> dict[str, object]:
        """Constrained parameters keyed by name; families without a slope get slope 1."""
        return {"slope": ops.ones((self.n_channels,))} | saturation.constrain_params(self.kind, self.raw(), xp=ops)

    def half_saturation(self):
        """Half-saturation of a series of typical size, (n_channels,)."""
        return self.params()["half_saturation"]

    def size_scaling(self):
        """The scaling of half-saturation with series size, (n_channels,) in [0, 1]."""
        match saturation.SaturationScaling(self.scaling):
            case saturation.SaturationScaling.LEARNED:
                return constrain(SCALING.link, ops.convert_to_tensor(self.scaling_logit), ops)
            case saturation.SaturationScaling.RELATIVE:
                return ops.ones((self.n_channels,))
            case saturation.SaturationScaling.ABSOLUTE:
                return ops.zeros((self.n_channels,))

    def slope(self):
        return self.params()["slope"]

    def call(self, carried, size=None):
        params = self.params()
        half = params["half_saturation"]
        if size is not None and self.scaling != saturation.SaturationScaling.RELATIVE:
            # (S, C) per series, broadcast over the weeks axis.
            half = saturation.series_half_saturation(half, size, self.size_scaling(), xp=ops)[:, None, :]
        return saturation.saturate(carried, self.kind, half, params["slope"], xp=ops)

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels,
            "kind": self.kind,
            "initial_half_saturation": self.initial_half_saturation,
            "initial_slope": self.initial_slope,
            "scaling": self.scaling,
        }
