"""mmm-analytics: Marketing Mix Modeling for weekly, geo-level FMCG panels.

Importing the package selects the JAX backend for Keras (unless ``KERAS_BACKEND``
is already set by the user) and, once :mod:`mmm_analytics.models` is imported,
registers the custom layers so saved models load with ``keras.models.load_model``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy import so `import mmm_analytics` stays cheap but still registers layers on demand.
    if name == "models":
        import importlib

        return importlib.import_module("mmm_analytics.models")
    raise AttributeError(name)
