"""Custom Keras layers; importing this package registers them for ``keras.models.load_model``."""
