"""The project's default folder layout, relative to one root (the current folder by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mmm_analytics.errors import InputError

#: Longest file or folder name most file systems allow (bytes).
NAME_MAX = 255
#: Beside the EDA tables: the file the panel explored was read from, ``{"source": {"path": ..., "sha256": ...}}``.
EDA_SOURCE_FILE = "eda_source.json"
#: In the model folder: the files the fit writes as it goes (Keras' checkpoint and the epoch log), and the
#: copy of the features' description the model was trained on.
CHECKPOINT_FILE = "best_model.keras"
EPOCH_LOG_FILE = "training_log.csv"
FIT_LOGS = (CHECKPOINT_FILE, EPOCH_LOG_FILE)
FEATURES_META_FILE = "features_meta.json"


@dataclass(frozen=True, slots=True)
class ProjectPaths:
    """Where every step reads and writes, so the steps chain with no path options."""

    root: Path = Path(".")

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def raw_csv(self) -> Path:
        return self.raw_dir / "mmm_data.csv"

    @property
    def ground_truth(self) -> Path:
        return self.raw_dir / "ground_truth.json"

    @property
    def processed_dir(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def clean_panel(self) -> Path:
        return self.processed_dir / "clean_panel.parquet"

    @property
    def features(self) -> Path:
        return self.processed_dir / "features.parquet"

    @property
    def models_dir(self) -> Path:
        return self.root / "outputs" / "models"

    @property
    def model_file(self) -> Path:
        return self.models_dir / "mmm_model.keras"

    @property
    def figures_dir(self) -> Path:
        return self.root / "outputs" / "figures"

    @property
    def eda_figures(self) -> Path:
        return self.figures_dir / "eda"

    @property
    def eda_tables(self) -> Path:
        return self.reports_dir / "eda"

    @property
    def model_figures(self) -> Path:
        return self.figures_dir / "model"

    @property
    def curve_figures(self) -> Path:
        return self.figures_dir / "roi_curves"

    @property
    def simulation_figures(self) -> Path:
        return self.figures_dir / "simulations"

    @property
    def reports_dir(self) -> Path:
        return self.root / "outputs" / "reports"

    @property
    def simulations_dir(self) -> Path:
        return self.root / "outputs" / "simulations"


def folder_of(model: str | Path) -> Path:
    """The model folder ``model`` (a ``--model`` value) stands for, unchecked: the folder around a
    ``.keras`` file, else ``model`` itself."""
    given = Path(model)
    return given.parent if given.suffix == ".keras" and not given.is_dir() else given


def file_problem(path: Path) -> Literal["folder", "missing", "special", "unreadable"] | None:
    """Why ``path`` cannot be read as a file: a folder, missing, not a regular file (a device, pipe or
    socket), or not readable by this process; None when it can be."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        return "missing"
    if not path.is_file():
        return "special"
    try:
        with open(path, "rb"):
            return None
    except PermissionError:
        return "unreadable"


def require_readable(file: Path, remedy: str, shown: str | None = None) -> None:
    """Raise :class:`InputError` naming ``file`` (as ``shown``, default as given) and ``remedy`` (what makes
    the file) unless it is a file this process can read (see :func:`file_problem`)."""
    name = shown or str(file)
    match file_problem(file):
        case "folder":
            raise InputError(f"'{name}' is a folder, not the file; {remedy}")
        case "missing":
            raise InputError(f"'{name}' not found; {remedy}")
        case "special":
            raise InputError(f"'{name}' is not a regular file (a device, pipe or socket); {remedy}")
        case "unreadable":
            raise InputError(f"'{name}' cannot be read (permission denied); make it readable (e.g. chmod u+r '{name}')")


#: The hidden temporary name :func:`~mmm_analytics.utils.io.atomic_path` writes through: ``.<stem>.<8 random characters><suffix>``.
TEMPORARY_NAME = re.compile(r"^\.(?P<stem>.+)\.[a-z0-9_]{8}(?P<suffix>\.[^.]*)?$")


def written_target(path: Path) -> Path:
    """The file an atomic write was making when ``path`` is its hidden temporary name, else ``path``."""
    found = TEMPORARY_NAME.match(path.name)
    return path.with_name(found["stem"] + (found["suffix"] or "")) if found else path
