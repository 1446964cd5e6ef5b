"""mmm-analytics: Marketing Mix Modeling for weekly, geo-level FMCG panels.

Importing the package loads nothing heavy and changes nothing. The numerical backend
(Keras on JAX, CPU, float64) is switched on by :func:`mmm_analytics.backend.use_backend`
when a model is built or loaded: ``import mmm_analytics.models`` calls it and registers
the custom layers and model, so a saved ``mmm_model.keras`` loads with plain
``keras.models.load_model(path)``.
"""

__version__ = "0.1.0"
