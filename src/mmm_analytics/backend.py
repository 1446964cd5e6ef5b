"""The numerical backend: Keras on JAX, on the CPU, in float64.

:func:`use_backend` is called where a model is built or loaded (``mmm_analytics.models``)
and :func:`use_jax` where JAX alone evaluates a response (``mmm_analytics.simulator``);
importing ``mmm_analytics`` itself changes nothing. Keras always runs on JAX (the model's
layers and fits are JAX code): a ``KERAS_BACKEND`` of another name in the environment is
replaced. Values already set for ``JAX_PLATFORMS`` and ``JAX_ENABLE_X64`` win. The model is
small; double precision lets the fit converge to the exact posterior mode.
"""

from __future__ import annotations

import os
import sys

DEFAULTS: dict[str, str] = {
    "KERAS_BACKEND": "jax",
    "JAX_PLATFORMS": "cpu",
    "JAX_ENABLE_X64": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}
_TRUE = ("1", "true", "t", "yes", "y", "on")


def _environment() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ["KERAS_BACKEND"] = DEFAULTS["KERAS_BACKEND"]  # e.g. a tensorflow set for other work


def use_jax() -> None:
    """Default the environment (see :data:`DEFAULTS`) and apply it to JAX, even if already imported.

    Idempotent. JAX reads ``JAX_ENABLE_X64`` and ``JAX_PLATFORMS`` when it is imported, so a
    JAX imported earlier gets the same values through ``jax.config``.
    """
    _environment()
    already = "jax" in sys.modules
    import jax

    enable_x64 = os.environ["JAX_ENABLE_X64"].strip().lower() in _TRUE
    if jax.config.jax_enable_x64 != enable_x64:
        jax.config.update("jax_enable_x64", enable_x64)
    if already and not jax.config.jax_platforms and os.environ["JAX_PLATFORMS"]:
        jax.config.update("jax_platforms", os.environ["JAX_PLATFORMS"])


def use_backend() -> None:
    """:func:`use_jax`, then Keras (on JAX, whatever ``KERAS_BACKEND`` said) switched to float64. Idempotent."""
    use_jax()
    import keras

    if keras.backend.backend() != DEFAULTS["KERAS_BACKEND"]:
        raise RuntimeError(
            f"Keras was imported on the {keras.backend.backend()!r} backend before mmm_analytics; the model runs "
            "on JAX: set KERAS_BACKEND=jax before the first import of keras"
        )
    keras.config.set_floatx("float64")
