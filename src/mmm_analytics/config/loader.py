"""Read and validate the four YAML files of a config folder into one ``ProjectConfig``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mmm_analytics.config.base import Settings
from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.errors import InputError

CONFIG_FILES: dict[str, type[Settings]] = {
    "data_config.yaml": DataConfig,
    "feature_config.yaml": FeatureConfig,
    "model_config.yaml": ModelConfig,
    "viz_config.yaml": VizConfig,
}


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """All four validated configuration files."""

    data: DataConfig
    features: FeatureConfig
    model: ModelConfig
    viz: VizConfig


def _describe(error: ValidationError, path: Path) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    match first["type"]:
        case "extra_forbidden":
            return f"{path}: unknown key '{key}'; remove it or check its spelling"
        case "missing":
            return f"{path}: key '{key}' is required"
        case _:
            got = first.get("input")
            got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
            return f"{path}: key '{key}': {first['msg']}{got_text}"


def parse_settings[T: Settings](model: type[T], raw: Any, path: Path) -> T:
    """Validate ``raw`` (parsed YAML) as ``model``; errors name the file and key."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of keys at the top level, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InputError(_describe(error, path)) from None


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error names the file and line."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as a UTF-8 YAML file") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}:{where} is not valid YAML; fix the syntax") from None


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def load_config(config_dir: str | Path = "config", *, required: bool = False, complete: bool = False) -> ProjectConfig:
    """Load ``data_config.yaml``, ``feature_config.yaml``, ``model_config.yaml`` and
    ``viz_config.yaml`` from ``config_dir``; a missing file means built-in defaults.

    With ``required=True`` a missing folder is an error (the user named it explicitly); with
    ``complete=True`` so is a missing file (an empty file still means built-in defaults), so
    that a misspelt file name (``data_config.yml``) is not silently replaced by defaults.
    """
    folder = Path(config_dir)
    if not folder.is_dir():
        if folder.exists():
            raise InputError(f"config folder '{folder}' is a file; pass the folder holding the YAML files")
        if required:
            raise InputError(f"config folder '{folder}' not found; pass an existing --config-dir")
        folder = Path("/nonexistent-default-config")
    if complete:
        missing = [name for name in CONFIG_FILES if not (folder / name).is_file()]
        if missing:
            raise InputError(
                f"config folder '{folder}' has no {_either(missing)}; copy {'it' if len(missing) == 1 else 'them'} "
                "from the project's config/ folder (an empty file means built-in defaults)"
            )
    parsed: dict[str, Settings] = {}
    for file_name, model in CONFIG_FILES.items():
        path = folder / file_name
        raw = read_yaml(path) if path.is_file() else {}
        parsed[file_name] = parse_settings(model, raw, path)
    return ProjectConfig(
        data=parsed["data_config.yaml"],  # type: ignore[arg-type]
        features=parsed["feature_config.yaml"],  # type: ignore[arg-type]
        model=parsed["model_config.yaml"],  # type: ignore[arg-type]
        viz=parsed["viz_config.yaml"],  # type: ignore[arg-type]
    )
