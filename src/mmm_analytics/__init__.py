"""mmm-analytics: Marketing Mix Modeling for weekly, geo-level FMCG panels.

Importing the package selects the JAX backend for Keras on the CPU (unless
``KERAS_BACKEND`` is already set), switches Keras and JAX to float64 (the model is
small; double precision lets the fit converge to the exact posterior mode), and
registers the custom layers and model, so a saved ``mmm_model.keras`` loads with plain
``keras.models.load_model(path)``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

keras.config.set_floatx("float64")

from mmm_analytics.models import layers as _layers  # noqa: E402,F401  (registers the layers)
from mmm_analytics.models import mmm as _mmm  # noqa: E402,F401  (registers MarketingMixModel)

__version__ = "0.1.0"
