"""The numerical backend: Keras on JAX, on the CPU, in float64.

:func:`use_backend` is called where a model is built or loaded (``mmm_analytics.models``)
and :func:`use_jax` where JAX alone evaluates a response (``mmm_analytics.simulator``);
importing ``mmm_analytics`` itself changes nothing. Keras always runs on JAX (the model's
layers and fits are JAX code) in double precision, which lets the fit converge to the exact posterior
mode: a ``KERAS_BACKEND`` of another name and a ``JAX_ENABLE_X64`` off in the environment are
replaced (the fit ran partly in float32, with a screen of truncation warnings). A value already set
for ``JAX_PLATFORMS`` wins (a GPU); one JAX cannot start, or another ``JAX_*`` variable it cannot
read, is an :class:`~mmm_analytics.errors.InputError` naming the variable (it was a traceback).
NumPy's deprecation notice of JAX arrays' ``__array__`` signature, raised inside Keras' fit, is
silenced: with ``PYTHONWARNINGS=error`` it ended every fit in a traceback.
"""

from __future__ import annotations

import os
import re
import sys
import warnings

from mmm_analytics.errors import InputError

DEFAULTS: dict[str, str] = {
    "KERAS_BACKEND": "jax",
    "JAX_PLATFORMS": "cpu",
    "JAX_ENABLE_X64": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}

#: What this process needs whatever the environment says.
FORCED = ("KERAS_BACKEND", "JAX_ENABLE_X64")
#: NumPy 2's notice that an ``__array__`` (JAX's arrays', read by Keras) lacks the ``copy`` keyword; nothing a
#: user can change.
ARRAY_COPY_NOTICE = r"__array__ implementation doesn't accept a copy keyword"
#: A JAX setting named in JAX's own error message (``jax_traceback_filtering``, ``'JAX_ENABLE_X64'``).
_JAX_NAME = re.compile(r"\bjax_[a-z0-9_]+\b", re.IGNORECASE)


def _environment() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    for name in FORCED:  # e.g. a tensorflow set for other work
        os.environ[name] = DEFAULTS[name]
    warnings.filterwarnings("ignore", message=ARRAY_COPY_NOTICE, category=DeprecationWarning)


def _import_jax() -> None:
    """Import JAX; a ``JAX_*`` variable it cannot read is an :class:`InputError` naming the variable."""
    try:
        import jax  # noqa: F401
    except ValueError as error:  # e.g. JAX_TRACEBACK_FILTERING=garbage
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        found = _JAX_NAME.search(first)
        name = found.group(0).upper() if found else "a JAX_ variable"
        raise InputError(f"the environment's {name} is not a value JAX reads ({first}); unset it") from None


def _start_platform() -> None:
    """Start JAX's backend (once the settings are applied: a backend started earlier ignores them); a platform it
    cannot start is an :class:`InputError` naming the variable."""
    import jax

    try:
        jax.devices()
    except (RuntimeError, AssertionError) as error:  # JAX_PLATFORMS=cuda on a machine without one, or a typo
        platforms = os.environ.get("JAX_PLATFORMS", "")
        named = os.environ.get("JAX_PLATFORM_NAME")
        which = f"JAX_PLATFORM_NAME={named!r}" if named else f"JAX_PLATFORMS={platforms!r}"
        reason = str(error).splitlines()[0] if str(error) else "no such device here"
        raise InputError(
            f"JAX cannot start the backend of {which} ({reason}); unset it, or set JAX_PLATFORMS=cpu"
        ) from None


def use_jax() -> None:
    """Default the environment (see :data:`DEFAULTS`) and apply it to JAX, even if already imported.

    Idempotent. JAX reads ``JAX_ENABLE_X64`` and ``JAX_PLATFORMS`` when it is imported, so a
    JAX imported earlier gets the same values through ``jax.config``, before its backend starts.
    """
    _environment()
    already = "jax" in sys.modules
    _import_jax()
    import jax

    if not jax.config.jax_enable_x64:  # JAX_ENABLE_X64 is forced on (see FORCED)
        jax.config.update("jax_enable_x64", True)
    if already and not jax.config.jax_platforms and os.environ["JAX_PLATFORMS"]:
        jax.config.update("jax_platforms", os.environ["JAX_PLATFORMS"])
    _start_platform()


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
