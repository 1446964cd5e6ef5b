"""Feature step: pure NumPy reference transforms and the model-ready panel."""
