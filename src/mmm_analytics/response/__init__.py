"""The response core: carryover, saturation and the steady-state response, written once.

Data flows one way through the package and this is its bottom layer: the Keras layers,
the model export, the ROI curves, the simulator and the synthetic truth all read the
functions and family registries here. Importing it loads NumPy only (JAX is loaded by
:mod:`mmm_analytics.response.kernels`).
"""
