"""Custom Keras layers; importing this package registers them for ``keras.models.load_model``."""

from mmm_analytics.models.layers.adstock import AdstockLayer
from mmm_analytics.models.layers.baseline import LinearBaselineLayer, PriceEffectLayer
from mmm_analytics.models.layers.hierarchical import HierarchicalLayer
from mmm_analytics.models.layers.saturation import ROICurveLayer

__all__ = ["AdstockLayer", "HierarchicalLayer", "LinearBaselineLayer", "PriceEffectLayer", "ROICurveLayer"]
