"""Model step: the Keras MMM, its layers, training, evaluation and saved artifacts.

Importing this package switches Keras to JAX in float64 (:func:`mmm_analytics.backend.use_backend`)
and registers the custom layers and :class:`~mmm_analytics.models.mmm.MarketingMixModel`, so
``keras.models.load_model`` reads a saved ``mmm_model.keras``.
"""

from mmm_analytics.backend import use_backend

use_backend()

from mmm_analytics.models import layers as _layers  # noqa: E402,F401  (registers the layers)
from mmm_analytics.models import mmm as _mmm  # noqa: E402,F401  (registers MarketingMixModel)
