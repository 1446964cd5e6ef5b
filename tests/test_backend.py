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


X64_PROBE = (
    "import warnings\nwarnings.simplefilter('error')\n"
    "from mmm_analytics.backend import use_backend\nuse_backend()\n"
    "import jax.numpy as jnp\nprint(jnp.ones(2, dtype='float64').dtype)"
)


@pytest.mark.parametrize("value", ["0", "false", "garbage"])
def test_the_fit_runs_in_double_precision_whatever_jax_enable_x64_says(value: str) -> None:
    """JAX_ENABLE_X64=0 ran the fit partly in float32 behind six truncation warnings; =garbage was a traceback."""
    env = os.environ | {"JAX_ENABLE_X64": value}
    result = subprocess.run([sys.executable, "-c", X64_PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["float64"]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("JAX_PLATFORMS", "garbage", "JAX cannot start the backend of JAX_PLATFORMS='garbage'"),
        ("JAX_PLATFORMS", "cuda", "JAX cannot start the backend of JAX_PLATFORMS='cuda'"),
        ("JAX_PLATFORM_NAME", "garbage", "JAX cannot start the backend of JAX_PLATFORM_NAME='garbage'"),
        ("JAX_TRACEBACK_FILTERING", "garbage", "the environment's JAX_TRACEBACK_FILTERING is not a value JAX reads"),
    ],
)
def test_a_jax_setting_jax_cannot_start_with_is_one_line_naming_it(name: str, value: str, words: str) -> None:
    """Each ended 'mmm train', 'mmm curves' and 'mmm optimize' in a traceback (AssertionError, RuntimeError,
    ValueError) with exit status 1; now one line naming the variable and the fix, status 2."""
    env = os.environ | {name: value}
    with_curves = (
        "import mmm_analytics.response.kernels" if name == "JAX_PLATFORMS" else "import mmm_analytics.simulator"
    )
    code = f"from mmm_analytics.errors import InputError\ntry:\n    {with_curves}\nexcept InputError as error:\n    print(error)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert words in result.stdout and len(result.stdout.strip().splitlines()) == 1


FIT_PROBE = (
    "from mmm_analytics.backend import use_backend\nuse_backend()\n"
    "import keras, numpy as np\n"
    "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
    "model.compile(optimizer='adam', loss='mse')\n"
    "model.fit(np.ones((4, 2)), np.ones(4), epochs=1, verbose=0)\n"
    "print(len(model.get_weights()))"
)


def test_a_fit_runs_with_warnings_as_errors() -> None:
    """PYTHONWARNINGS=error ended every `mmm train` in NumPy's DeprecationWarning of JAX arrays' ``__array__``."""
    env = os.environ | {"PYTHONWARNINGS": "error"}
    result = subprocess.run([sys.executable, "-c", FIT_PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["2"]
