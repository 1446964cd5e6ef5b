"""Import hygiene: a package root without side effects, a light command line, one-way dependencies,
and a saved model that loads after ``import mmm_analytics.models`` alone.

Each check runs in a fresh interpreter, so what earlier tests imported does not count.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mmm_analytics"
MMM = Path(sys.executable).parent / "mmm"
HEAVY = ("keras", "jax", "matplotlib", "pandas", "scipy")
#: Generous: the light command line answers in well under a second; importing Keras takes several.
HELP_SECONDS = 3.0

#: Subpackages from the bottom up; a module may import only its own layer or those below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "config", "utils", "channels", "response", "backend", "compute", "style"),
    ("data",),
    ("eda",),
    ("features",),
    ("synthetic",),
    ("models",),
    ("curves",),
    ("simulator",),
    ("reports",),
    ("benchmark",),
    ("pipeline",),
    ("cli",),
)


def _fresh(code: str) -> str:
    """The last line ``code`` prints in a new interpreter, without the backend variables the test session set."""
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "MPLBACKEND", "JAX_ENABLE_X64")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return result.stdout.strip().splitlines()[-1]


def _loaded_after(code: str) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    return json.loads(_fresh(probe))


@pytest.mark.parametrize("module", ["mmm_analytics", "mmm_analytics.cli.app", "mmm_analytics.pipeline"])
def test_importing_loads_no_numerical_package(module: str) -> None:
    assert _loaded_after(f"import {module}") == []


def test_importing_the_package_changes_nothing() -> None:
    code = (
        "import os, json\nbefore = dict(os.environ)\nimport mmm_analytics, mmm_analytics.cli.app\n"
        "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))"
    )
    assert json.loads(_fresh(code)) == []


@pytest.mark.parametrize(
    "args", [["--help"], ["data", "--help"], ["simulate", "--help"], ["run", "--help"]], ids=lambda a: " ".join(a)
)
def test_help_loads_no_numerical_package(args: list[str]) -> None:
    code = (
        f"from mmm_analytics.cli.app import main\ntry:\n    main({args!r})\n"
        "except SystemExit as end:\n    assert not end.code, end.code"
    )
    assert _loaded_after(code) == []


@pytest.mark.parametrize("args", [["--help"], ["data", "--help"]], ids=lambda a: " ".join(a))
def test_mmm_help_answers_fast(args: list[str]) -> None:
    began = time.perf_counter()
    result = subprocess.run([str(MMM), *args], capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    seconds = time.perf_counter() - began
    assert result.returncode == 0, result.stderr
    assert "Usage: mmm" in result.stdout
    assert seconds < HELP_SECONDS, f"mmm {' '.join(args)} took {seconds:.2f} s"


def _imports(path: Path) -> set[str]:
    """Every mmm_analytics module named in an import statement of ``path`` (at any depth)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.startswith("mmm_analytics.")}


def _top(module: str) -> str:
    return module.split(".")[1]


def test_subpackages_depend_one_way() -> None:
    layer = {name: rank for rank, names in enumerate(LAYERS) for name in names}
    backward = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts == ("__init__",):
            continue
        own = parts[0]
        assert own in layer, f"{own} is in no layer of LAYERS"
        for target in {_top(m) for m in _imports(path)} - {own}:
            if ((SRC / target).is_dir() or (SRC / f"{target}.py").is_file()) and layer[target] > layer[own]:
                backward.append(f"{'/'.join(parts)} -> {target}")
    assert backward == []


def test_no_import_cycles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[module] = set()
        for name in _imports(path):
            while name and name not in _modules():
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(f"{name}."):
                graph[module].add(name)
    cycles = _cycles(graph)
    assert cycles == []


def _modules() -> set[str]:
    if not hasattr(_modules, "cache"):
        found = set()
        for path in SRC.rglob("*.py"):
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        _modules.cache = found  # type: ignore[attr-defined]
    return _modules.cache  # type: ignore[attr-defined]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_library_modules_leave_the_matplotlib_backend_alone() -> None:
    offenders = [
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if "matplotlib.use(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_models_package_selects_jax_in_float64() -> None:
    code = (
        "import json\nimport mmm_analytics.models\nimport jax, keras\n"
        "print(json.dumps([keras.config.backend(), keras.config.floatx(), bool(jax.config.jax_enable_x64)]))"
    )
    assert json.loads(_fresh(code)) == ["jax", "float64", True]


@pytest.mark.slow
def test_saved_model_loads_after_importing_the_models_package(tmp_path: Path) -> None:
    """A tiny (untrained) model saved here loads in a fresh interpreter with ``import mmm_analytics.models``
    alone (no KERAS_BACKEND in the environment) and predicts exactly the same sales."""
    import keras

    from mmm_analytics.config.data import SyntheticSettings
    from mmm_analytics.models.inputs import model_inputs
    from mmm_analytics.models.training import build_model
    from mmm_analytics.synthetic import generate_panel
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config()
    generated = generate_panel(SyntheticSettings(seed=5, n_geos=2, n_brands=2, n_skus=1, n_weeks=52))
    panel = to_feature_panel(generated, config)
    model = build_model(panel, config.model)
    x = model_inputs(panel).x
    expected = np.asarray(keras.ops.convert_to_numpy(model(x)["sales"]), dtype=np.float64)
    model.save(tmp_path / "mmm_model.keras")
    np.savez(tmp_path / "inputs.npz", **x)
    code = f"""
import json, numpy as np
import mmm_analytics.models
import keras
model = keras.models.load_model({str(tmp_path / "mmm_model.keras")!r})
x = dict(np.load({str(tmp_path / "inputs.npz")!r}))
print(json.dumps(np.asarray(keras.ops.convert_to_numpy(model(x)["sales"]), dtype=np.float64).tolist()))
"""
    reloaded = np.array(json.loads(_fresh(code)))
    np.testing.assert_array_equal(reloaded, expected)
