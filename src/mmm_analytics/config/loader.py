"""Read and validate the four YAML files of a config folder into one ``ProjectConfig``."""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mmm_analytics.config.base import Settings, error_message
from mmm_analytics.config.data import DataConfig
from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.config.model import ModelConfig
from mmm_analytics.config.viz import VizConfig
from mmm_analytics.errors import InputError
from mmm_analytics.style import numbers

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


def _describe(error: ValidationError, path: Path, model: type[Settings]) -> str:
    """One line: the file, then each problem (the first in full, at most :data:`_MORE_SHOWN` more
    by key), so a file with a bad value and a misspelled key is fixed in one go."""
    problems = error.errors()
    first = problems[0]
    if not first["loc"] and first["type"] == "value_error":  # a rule across keys: its message names them
        return f"{path}: {error_message(error)}"
    line = f"{path}: {_problem(first, model)}"
    if len(problems) > 1:
        rest = [_key_problem(problem) for problem in problems[1:]]
        shown = "; ".join(rest[:_MORE_SHOWN]) + (
            f"; and {len(rest) - _MORE_SHOWN} more" if len(rest) > _MORE_SHOWN else ""
        )
        line += f" (also: {shown})"
    return line


#: How many problems after the first a config error line names.
_MORE_SHOWN = 3


def _key(problem: Mapping[str, Any]) -> str:
    return ".".join(str(part) for part in problem["loc"]) or "(top level)"


def _problem(problem: Mapping[str, Any], model: type[Settings]) -> str:
    """One validation problem of a config file (of ``model``), in full: its key, the message and the value
    given."""
    key, message = _key(problem), str(problem["msg"]).removeprefix("Value error, ")
    match problem["type"]:
        case "extra_forbidden":
            return f"unknown key '{key}'; remove it or check its spelling"
        case "missing":
            return f"key '{key}' is required"
        case _ if "input" in problem and problem["input"] is None:
            return _empty(key, problem, model)
        case _:
            got = problem.get("input")
            got_text = f" (got {_ECHO.repr(got)})" if got is not None and not isinstance(got, dict) else ""
            return f"key '{key}': {message}{got_text}"


def _empty(key: str, problem: Mapping[str, Any], model: type[Settings]) -> str:
    """The problem of a key written with no value (YAML's null), with the fix that fits where it stands: a
    section wants its keys below it; removing the line gives the default only for a setting that has one
    (not for a list item or an entry of a table such as ``channels``)."""
    empty = f"key '{key}' has no value (YAML reads an empty value as null)"
    loc = tuple(problem["loc"])
    default = ", or remove the line for the default" if _has_default(model, loc) else ""
    if problem["type"] in ("model_type", "dict_type"):
        return f"{empty}, where a section of keys is wanted: write its keys indented below it{default}"
    return f"{empty}: {problem['msg']}; give it a value{default}"


def _has_default(model: type[Settings], loc: tuple[Any, ...]) -> bool:
    """Whether the key at ``loc`` is a setting of ``model`` (or of the settings nested in it) that has a default."""
    settings: Any = model
    for depth, part in enumerate(loc):
        fields = getattr(settings, "model_fields", None) if isinstance(settings, type) else None
        if not isinstance(part, str) or not fields or part not in fields:
            return False
        if depth == len(loc) - 1:
            return not fields[part].is_required()
        settings = fields[part].annotation
    return False


def _key_problem(problem: Mapping[str, Any]) -> str:
    """One validation problem in a few words, for the problems after the first."""
    match problem["type"]:
        case "extra_forbidden":
            return f"unknown key '{_key(problem)}'"
        case "missing":
            return f"key '{_key(problem)}' is required"
        case _:
            return f"key '{_key(problem)}' is invalid"


#: How much of a rejected value an error line echoes: a few items of a list, a few levels of nesting and
#: the start of a long text (YAML aliases can make a value of billions of items from a few lines).
_ECHO = reprlib.Repr(maxlevel=2, maxlist=4, maxtuple=4, maxset=4, maxdict=4, maxstring=60, maxother=60, maxlong=40)


def parse_settings[T: Settings](model: type[T], raw: Any, path: Path) -> T:
    """Validate ``raw`` (parsed YAML) as ``model``; errors name the file and key."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of keys at the top level, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InputError(_describe(error, path, model)) from None


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key given twice in one mapping (YAML itself would keep the last silently)."""

    def __init__(self, key: str, line: int, first_line: int, node: yaml.Node) -> None:
        super().__init__(problem=f"found duplicate key {key!r}", problem_mark=node.start_mark)
        self.key, self.line, self.first_line = key, line, first_line


class ImpossibleDateError(ValueError):
    """A value YAML reads as a date that does not exist (``2024-13-01``), with its line."""

    def __init__(self, text: str, line: int, reason: str) -> None:
        super().__init__(reason)
        self.text, self.line = text, line


class UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping.

    The keys are checked on the document as written, before any mapping is built: merge keys
    (``<<: *base``) keep working, since building a merge rewrites the merged mapping in place and
    keys brought in by a merge may be overridden by the mapping's own; only a mapping's own keys
    must be unique.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        """Check every mapping's own keys (for messages, with its dotted path), then build the document."""
        self._check_keys(node, (), set())
        return super().construct_document(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date as YAML builds it; one that does not exist names its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise ImpossibleDateError(str(node.value), node.start_mark.line + 1, str(error)) from None

    def _check_keys(self, node: yaml.Node, path: tuple[str, ...], seen: set[int]) -> None:
        """Raise :class:`DuplicateKeyError` for a key repeated in a mapping below ``node``; a list item's
        path starts afresh, an alias is checked where it was first written."""
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], yaml.Node] = {}
            for key_node, value_node in node.value:
                merged = key_node.tag == "tag:yaml.org,2002:merge"
                if isinstance(key_node, yaml.ScalarNode) and not merged:
                    earlier = first.setdefault((key_node.tag, key_node.value), key_node)
                    if earlier is not key_node:
                        dotted = ".".join((*path, str(key_node.value)))
                        raise DuplicateKeyError(
                            dotted, key_node.start_mark.line + 1, earlier.start_mark.line + 1, key_node
                        )
                part = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                self._check_keys(value_node, path if merged else (*path, str(part)), seen)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._check_keys(item, (), seen)


UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", UniqueKeyLoader.construct_yaml_timestamp)


def read_yaml(path: Path, loader_class: type[UniqueKeyLoader] = UniqueKeyLoader) -> Any:
    """Parse one YAML file; a syntax error or a key given twice names the file and line."""
    try:
        loader = loader_class(path.read_text(encoding="utf-8"))
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as a UTF-8 YAML file") from None
    except RecursionError:  # the parser recurses once per level of lists or mappings inside each other
        raise InputError(
            f"{path}: lists or mappings nested hundreds of levels deep, too deep to read; fix the syntax"
        ) from None
    except DuplicateKeyError as error:
        twice = f"(first on line {error.first_line})" if error.first_line != error.line else "(both on that line)"
        key = f"'{error.key}'" if error.key.isprintable() else repr(error.key)
        raise InputError(f"{path} line {error.line}: key {key} is given twice {twice}; keep one") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = str(getattr(error, "problem", "") or "")
        if isinstance(error, yaml.constructor.ConstructorError) and "constructor for the tag" in problem:
            tag = problem.rsplit("'", 2)[-2].replace("tag:yaml.org,2002:", "!!")
            raise InputError(
                f"{path}:{where}: the tag '{tag}' is not allowed in a config file (plain values only); remove it"
            ) from None
        raise InputError(f"{path}:{where} is not valid YAML; fix the syntax") from None
    except ImpossibleDateError as error:
        raise InputError(
            f"{path} line {error.line}: {error.text!r} is not a date that exists ({error}); write a real date as "
            "YYYY-MM-DD, or put the text in quotes"
        ) from None
    except ValueError as error:  # a number YAML types but cannot build, e.g. 0x_
        raise InputError(f"{path}: a value cannot be read ({error}); fix it, or put the text in quotes") from None


def _project(parsed: dict[str, Settings], sources: dict[str, Path]) -> ProjectConfig:
    """The four files as one config, with the keys that name channels checked against the channel table;
    ``sources`` says which file each came from (for messages)."""
    features, data, viz = parsed["feature_config.yaml"], parsed["data_config.yaml"], parsed["viz_config.yaml"]
    model = parsed["model_config.yaml"]
    assert isinstance(features, FeatureConfig) and isinstance(data, DataConfig) and isinstance(viz, VizConfig)
    assert isinstance(model, ModelConfig)

    def named(file: str, key: str, entries: Mapping[str, Any]) -> dict[str, Any]:
        """``entries`` keyed by the channel table's names, matched in any case (as the data's and the
        options' names are); an unknown name, or one channel given twice, is one line."""
        by_case = {name.casefold(): name for name in data.channels}
        found: dict[str, Any] = {}
        for name, value in entries.items():
            channel = by_case.get(str(name).casefold())
            if channel is None:
                raise InputError(
                    f"{sources[file]}: key '{key}.{name}': unknown channel; channels "
                    f"({sources['data_config.yaml']}): {', '.join(data.channels)}; fix the name or remove the entry"
                )
            if channel in found:
                raise InputError(f"{sources[file]}: key '{key}' names {channel} twice; keep one entry")
            found[channel] = value
        return found

    transforms = named("feature_config.yaml", "channel_transforms", features.channel_transforms)
    colors = named("viz_config.yaml", "channel_colors", viz.channel_colors)
    priors = {
        key: named("model_config.yaml", f"priors.{key}", getattr(model.priors, key))
        for key in model.priors.CHANNEL_KEYS
    }
    return ProjectConfig(
        data=data,
        features=features.model_copy(update={"channel_transforms": transforms}),
        model=model.model_copy(update={"priors": model.priors.model_copy(update=priors)}),
        viz=viz.model_copy(update={"channel_colors": colors}),
    )


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
    if odd := [folder / name for name in CONFIG_FILES if (folder / name).exists() and not (folder / name).is_file()]:
        raise InputError(
            f"'{odd[0]}' is {_not_a_file(odd[0])}, not a YAML file; put the YAML file there "
            "(or remove it for built-in defaults)"
        )
    if complete:
        missing = [name for name in CONFIG_FILES if not (folder / name).is_file()]
        if missing:
            raise InputError(
                f"config folder '{folder}' has no {numbers.listing(missing, 'or')}; copy {'it' if len(missing) == 1 else 'them'} "
                "from the project's config/ folder (an empty file means built-in defaults)"
            )
    parsed: dict[str, Settings] = {}
    for file_name, model in CONFIG_FILES.items():
        path = folder / file_name
        raw = read_yaml(path) if path.is_file() else {}
        parsed[file_name] = parse_settings(model, raw, path)
    return _project(parsed, {file_name: folder / file_name for file_name in CONFIG_FILES})


#: Words in a config file's name that say which of the four files it stands for.
KIND_WORDS: dict[str, str] = {
    "data": "data_config.yaml",
    "feature": "feature_config.yaml",
    "model": "model_config.yaml",
    "viz": "viz_config.yaml",
}
YAML_SUFFIXES = frozenset({".yaml", ".yml"})


def config_kind(file: Path, default: str | None = None) -> str:
    """Which of :data:`CONFIG_FILES` ``file`` stands for: by its name (``model_config.yaml``,
    ``my_model.yml``), else ``default`` (the command's own file), else an error naming the choices."""
    if file.name in CONFIG_FILES:
        return file.name
    found = {name for word, name in KIND_WORDS.items() if word in file.stem.lower()}
    if len(found) == 1:
        return found.pop()
    if default is not None:
        return default
    raise InputError(
        f"--config '{file}': cannot tell which settings it holds; name it after one of "
        f"{numbers.listing(list(CONFIG_FILES), 'or')} or pass the folder holding them"
    )


def _not_a_file(path: Path) -> str:
    """What ``path``, which exists but is not a regular file, is, for a message."""
    return "a folder" if path.is_dir() else "not a regular file (a device, pipe or socket)"


def _missing_file(file: Path) -> InputError:
    if file.exists():  # there, but not a file or folder
        return InputError(f"--config '{file}' is {_not_a_file(file)}; give a YAML file")
    folder = file.parent
    near = get_close_matches(file.name, sorted(p.name for p in folder.glob("*.y*ml")), n=1) if folder.is_dir() else []
    hint = f"; did you mean '{folder / near[0]}'?" if near else "; pass an existing YAML file or a config folder"
    return InputError(f"--config '{file}' not found{hint}")


def load_config_path(
    path: str | Path, *, kind: str | None = None, default_dir: str | Path = "config", explicit: bool = True
) -> ProjectConfig:
    """Load a config folder (see :func:`load_config`) or one YAML file of one.

    A file replaces the settings of its kind (:func:`config_kind`, ``kind`` for a name that
    does not say it); each other file is read from the file's folder when it is there, else
    from ``default_dir``, else built-in defaults. ``explicit`` (the user named ``path``)
    makes a missing or incomplete folder an error.
    """
    target = Path(path)
    if target.is_dir() or target.suffix.lower() not in YAML_SUFFIXES:
        if target.is_file():
            raise InputError(
                f"--config '{target}' is neither a folder nor a YAML file; pass config/ or e.g. config/model_config.yaml"
            )
        return load_config(target, required=explicit, complete=explicit)
    if not target.is_file():
        raise _missing_file(target)
    own = config_kind(target, kind)
    parsed: dict[str, Settings] = {}
    sources: dict[str, Path] = {}
    for file_name, model in CONFIG_FILES.items():
        candidates = (target,) if file_name == own else (target.parent / file_name, Path(default_dir) / file_name)
        source = next((p for p in candidates if p.is_file()), None)
        sources[file_name] = source or Path(file_name)
        try:
            parsed[file_name] = parse_settings(model, read_yaml(source) if source else {}, source or target)
        except InputError as error:
            if source != target or _named_kind(target) is not None:
                raise
            raise InputError(
                f"{error} (its name does not say which settings it holds, so it was read as {own}; put "
                f"{numbers.listing([Path(name).stem for name in CONFIG_FILES], 'or')} in its name)"
            ) from None
    return _project(parsed, sources)


def _named_kind(file: Path) -> str | None:
    """The kind ``file``'s name says (see :func:`config_kind`), or None."""
    try:
        return config_kind(file)
    except InputError:
        return None


def config_folder(path: str | Path) -> Path:
    """The folder of a ``--config`` value: the path itself, or the folder of a YAML file."""
    target = Path(path)
    return target.parent if target.suffix.lower() in YAML_SUFFIXES and not target.is_dir() else target
