"""The numerical backend: Keras on JAX in float64, whatever the environment says of the Keras backend."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "from mmm_analytics.backend import use_backend\n"
    "use_backend()\n"
    "import keras\n"
    "print(keras.backend.backend(), keras.config.floatx())"
)


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "bogus", "jax", None])
def test_keras_runs_on_jax_whatever_keras_backend_says(backend: str | None) -> None:
    """KERAS_BACKEND=tensorflow, set for other work, ended `mmm train` in a traceback (no module tensorflow)."""
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env |= {} if backend is None else {"KERAS_BACKEND": backend}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["jax", "float64"]


def test_keras_imported_on_another_backend_first_is_named() -> None:
    code = (
        "import os\nos.environ['KERAS_BACKEND'] = 'numpy'\nimport keras\n"
        "from mmm_analytics.backend import use_backend\n"
        "try:\n    use_backend()\nexcept RuntimeError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "imported on the 'numpy' backend" in result.stdout and "KERAS_BACKEND=jax" in result.stdout
