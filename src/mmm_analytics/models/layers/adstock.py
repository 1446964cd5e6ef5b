"""Keras twin of :func:`mmm_analytics.features.adstock.beta_gamma_decay`."""

from __future__ import annotations

import math

import keras
from keras import ops

from mmm_analytics.errors import InputError


@keras.saving.register_keras_serializable(package="mmm_analytics")
class AdstockLayer(keras.layers.Layer):
    """Learnable beta-gamma carryover per channel, causal over ``max_lag`` weeks.

    Weights w_0 = 1, w_l = beta * gamma**l with beta, gamma = sigmoid(raw) in (0, 1).
    Input and output of shape (batch, n_weeks, n_channels).
    """

    def __init__(self, n_channels: int, max_lag: int = 16, initial_beta: float = 0.5,
                 initial_retention: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        if int(max_lag) != max_lag or max_lag < 0:
            raise InputError(f"max_lag must be a whole number >= 0. Received: max_lag={max_lag}")
        if n_channels < 1:
            raise InputError(f"n_channels must be >= 1. Received: n_channels={n_channels}")
        for name, value in (("initial_beta", initial_beta), ("initial_retention", initial_retention)):
            if not 0.0 < value < 1.0:
                raise InputError(f"{name} must be in (0, 1). Received: {name}={value}")
        self.n_channels, self.max_lag = int(n_channels), int(max_lag)
        self.initial_beta, self.initial_retention = float(initial_beta), float(initial_retention)

    def build(self, input_shape=None):
        logit = lambda p: math.log(p / (1.0 - p))  # noqa: E731
        self.beta_logit = self.add_weight(
            name="beta_logit", shape=(self.n_channels,),
            initializer=keras.initializers.Constant(logit(self.initial_beta)))
        self.retention_logit = self.add_weight(
            name="retention_logit", shape=(self.n_channels,),
            initializer=keras.initializers.Constant(logit(self.initial_retention)))

    def beta(self):
        return ops.sigmoid(self.beta_logit)

    def retention(self):
        return ops.sigmoid(self.retention_logit)

    def lag_weights(self):
        """Weights of shape (max_lag + 1, n_channels)."""
        lags = ops.cast(ops.arange(1, self.max_lag + 1), "float32")[:, None]
        tail = self.beta()[None, :] * ops.power(self.retention()[None, :], lags)
        return ops.concatenate([ops.ones((1, self.n_channels)), tail], axis=0)

    def call(self, exposure):
        weights = self.lag_weights()
        n_weeks = ops.shape(exposure)[1]
        padded = ops.pad(exposure, [[0, 0], [self.max_lag, 0], [0, 0]])
        carried = weights[0] * exposure
        for lag in range(1, self.max_lag + 1):
            carried = carried + weights[lag] * padded[:, self.max_lag - lag : self.max_lag - lag + n_weeks, :]
        return carried

    def get_config(self):
        return super().get_config() | {
            "n_channels": self.n_channels, "max_lag": self.max_lag,
            "initial_beta": self.initial_beta, "initial_retention": self.initial_retention,
        }
