"""Model step: the Keras MMM, its layers, training, evaluation and saved artifacts."""
