"""Download the panel from Kaggle with ``kagglehub`` and find its CSV.

Credentials come from ``KAGGLE_USERNAME``/``KAGGLE_KEY`` (a ``.env`` file is read by the
CLI), from a ``kaggle.json`` given with ``--kaggle-json`` (its values are put in those
environment variables), or from kagglehub's own ``~/.kaggle/kaggle.json``. The key is
never printed or logged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mmm_analytics.config.data import KaggleSettings
from mmm_analytics.errors import InputError

USERNAME_ENV = "KAGGLE_USERNAME"
KEY_ENV = "KAGGLE_KEY"
SYNTHETIC_HINT = "or run 'mmm data --source synthetic' to use the bundled panel"


def _default_kaggle_json() -> Path:
    folder = os.environ.get("KAGGLE_CONFIG_DIR")
    return Path(folder) / "kaggle.json" if folder else Path.home() / ".kaggle" / "kaggle.json"


def use_kaggle_json(path: Path) -> None:
    """Put ``username`` and ``key`` from a ``kaggle.json`` file into the environment."""
    if not path.is_file():
        raise InputError(
            f"Kaggle credentials file '{path}' not found; pass the kaggle.json from your Kaggle account page"
        )
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f'{path}: not valid JSON; expected {{"username": ..., "key": ...}}') from None
    if not isinstance(content, dict) or not content.get("username") or not content.get("key"):
        raise InputError(f"{path}: needs the keys 'username' and 'key' (download it from your Kaggle account page)")
    os.environ[USERNAME_ENV] = str(content["username"])
    os.environ[KEY_ENV] = str(content["key"])


def ensure_credentials(kaggle_json: Path | None) -> None:
    """Make Kaggle credentials available or raise a one-line :class:`InputError`."""
    if kaggle_json is not None:
        use_kaggle_json(Path(kaggle_json))
        return
    if os.environ.get(USERNAME_ENV) and os.environ.get(KEY_ENV):
        return
    if _default_kaggle_json().is_file():
        return
    raise InputError(
        f"no Kaggle credentials: set {USERNAME_ENV} and {KEY_ENV} (e.g. in .env) or pass --kaggle-json PATH, "
        + SYNTHETIC_HINT
    )


def _redact(text: str) -> str:
    key = os.environ.get(KEY_ENV)
    clean = " ".join(text.split())[:200]
    return clean.replace(key, "***") if key else clean


def download_dataset(settings: KaggleSettings) -> Path:
    """Download (or reuse kagglehub's cached copy of) ``settings.dataset``; returns its folder."""
    import kagglehub  # imported here: it is slow to import and only this source needs it
    import requests
    from kagglehub import exceptions as kaggle_errors

    failures = (
        OSError,
        requests.RequestException,
        kaggle_errors.BackendError,
        kaggle_errors.CredentialError,
        kaggle_errors.NotFoundError,
        kaggle_errors.UnauthenticatedError,
        kaggle_errors.DataCorruptionError,
    )
    try:
        folder = kagglehub.dataset_download(settings.dataset)
    except failures as error:
        raise InputError(
            f"could not download Kaggle dataset '{settings.dataset}' ({type(error).__name__}: {_redact(str(error))}); "
            f"check the network and your credentials, {SYNTHETIC_HINT}"
        ) from None
    return Path(folder)


#: Endings of compressed files a download may hold instead of the CSV.
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar")


@dataclass(frozen=True, slots=True)
class KaggleCsv:
    """The panel CSV found in a download, and a note when it was chosen among several."""

    path: Path
    notes: tuple[str, ...] = ()


def _listing(folder: Path, files: list[Path], limit: int = 5) -> str:
    names = [p.relative_to(folder).as_posix() for p in files]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def find_csv(folder: Path, file_name: str | None) -> KaggleCsv:
    """The panel CSV in a downloaded folder: ``file_name`` if given, else the only or largest CSV
    (with a note naming the others and the config key that chooses)."""
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    csvs = [p for p in files if p.suffix.lower() == ".csv"]
    if file_name is not None:
        chosen = [p for p in csvs if p.name == file_name or p.relative_to(folder).as_posix() == file_name]
        if not chosen:
            raise InputError(
                f"config key 'kaggle.file_name': '{file_name}' is not in the download "
                f"(CSV files: {_listing(folder, csvs) or 'none'})"
            )
        return KaggleCsv(chosen[0])
    if not csvs:
        archives = [p for p in files if p.name.lower().endswith(ARCHIVE_SUFFIXES)]
        if archives:
            raise InputError(
                f"the Kaggle download in '{folder}' holds no CSV but a compressed file ({_listing(folder, archives)}); "
                "unpack it and run 'mmm data --input PATH.csv' on the panel CSV"
            )
        held = f"files: {_listing(folder, files)}" if files else "it is empty"
        raise InputError(
            f"the Kaggle download in '{folder}' has no CSV file ({held}); check config key 'kaggle.dataset'"
        )
    largest = max(csvs, key=lambda p: (p.stat().st_size, p.as_posix()))
    if len(csvs) == 1:
        return KaggleCsv(largest)
    others = [p for p in csvs if p != largest]
    note = (
        f"the Kaggle download holds {len(csvs)} CSV files; read the largest, "
        f"{largest.relative_to(folder).as_posix()} (also: {_listing(folder, others)}); "
        "set kaggle.file_name in data_config.yaml to read another"
    )
    return KaggleCsv(largest, (note,))


def fetch_kaggle_csv(settings: KaggleSettings, kaggle_json: Path | None = None) -> KaggleCsv:
    """Check credentials, download the dataset and find its panel CSV.

    Raises
    ------
    InputError
        Without credentials or network (suggesting ``--source synthetic``), or when the
        download has no matching CSV.
    """
    ensure_credentials(kaggle_json)
    return find_csv(download_dataset(settings), settings.file_name)
