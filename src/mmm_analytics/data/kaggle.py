"""Download the panel from Kaggle with ``kagglehub`` and find its CSV.

Credentials come from ``KAGGLE_USERNAME``/``KAGGLE_KEY`` (a ``.env`` file is read by the
CLI), from a ``kaggle.json`` given with ``--kaggle-json`` (its values are put in those
environment variables), or from kagglehub's own ``~/.kaggle/kaggle.json``. The key is
never printed or logged (messages lose every token that holds it, see :func:`redact`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mmm_analytics.config.data import KaggleSettings
from mmm_analytics.errors import InputError

USERNAME_ENV = "KAGGLE_USERNAME"
KEY_ENV = "KAGGLE_KEY"
SYNTHETIC_HINT = "or run 'mmm data --source synthetic' to use the bundled panel"


def _default_kaggle_json() -> Path:
    folder = os.environ.get("KAGGLE_CONFIG_DIR")
    return Path(folder) / "kaggle.json" if folder else Path.home() / ".kaggle" / "kaggle.json"


def _read_kaggle_json(path: Path) -> bytes:
    """The bytes of a ``kaggle.json`` given with ``--kaggle-json``, or a one-line :class:`InputError`."""
    if path.is_dir():
        inside = path / "kaggle.json"
        if inside.is_file():
            raise InputError(
                f"Kaggle credentials file '{path}' is a folder; give the kaggle.json file inside it: "
                f"--kaggle-json '{inside}'"
            )
        raise InputError(
            f"Kaggle credentials file '{path}' is a folder (with no kaggle.json in it); give the path of the "
            "kaggle.json file from your Kaggle account page"
        )
    if not path.exists():
        raise InputError(
            f"Kaggle credentials file '{path}' not found; pass the kaggle.json from your Kaggle account page"
        )
    if not path.is_file():
        raise InputError(f"Kaggle credentials file '{path}' is not a regular file; pass the kaggle.json file")
    try:
        return path.read_bytes()
    except PermissionError:
        raise InputError(
            f"Kaggle credentials file '{path}' cannot be read (permission denied); make it readable "
            f"(e.g. chmod u+r '{path}') or pass another kaggle.json"
        ) from None


def use_kaggle_json(path: Path) -> None:
    """Put ``username`` and ``key`` from a ``kaggle.json`` file into the environment."""
    data = _read_kaggle_json(path)
    try:
        content = json.loads(data.decode("utf-8"))
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


#: Keys shorter than this are not masked: no real key is (Kaggle's have 32 characters), and
#: masking them would turn ordinary words into stars.
MIN_MASKED_KEY = 8
#: What ends a token around the key in an error message (besides white space): a quote or the
#: punctuation of a URL or header.
_TOKEN_EDGES = frozenset("'\"=:;,/?&()<>[]{}")
#: Where the Kaggle API answers when an error names no address.
KAGGLE_API_HOST = "api.kaggle.com"


def redact(text: str, key: str | None = None) -> str:
    """``text`` with every token that holds the Kaggle key (``key``, else ``KAGGLE_KEY``)
    replaced whole by ``***``; other text is untouched (one pass over ``text``)."""
    secret = os.environ.get(KEY_ENV, "") if key is None else key
    if len(secret) < MIN_MASKED_KEY:
        return text

    def inside(index: int) -> bool:
        return not text[index].isspace() and text[index] not in _TOKEN_EDGES

    parts: list[str] = []
    done = 0
    found = text.find(secret)
    while found != -1:
        left, right = found, found + len(secret)
        while left > done and inside(left - 1):
            left -= 1
        while right < len(text) and inside(right):
            right += 1
        parts += [text[done:left], "***"]
        done = right
        found = text.find(secret, done)
    return "".join(parts) + text[done:]


def _shorten(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut at a space before ``limit`` characters (never inside a word)."""
    clean = " ".join(text.split())
    if len(clean) <= limit:
        return clean
    return clean[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(") + " ..."


def _host(error: BaseException) -> str:
    """The server a failed request was sent to."""
    request = getattr(error, "request", None)
    url = getattr(request, "url", None)
    host = urlsplit(url).hostname if isinstance(url, str) else None
    return host or KAGGLE_API_HOST


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the exceptions that caused it, and their arguments (urllib3 wraps its causes)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [error]
    while todo and len(seen) < 20:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        todo += [e for e in (current.__cause__, current.__context__, getattr(current, "reason", None)) if e is not None]
        todo += [a for a in current.args if isinstance(a, BaseException)]
    return seen


def _status(error: BaseException) -> int | None:
    """The HTTP status of a request that got an answer, else None."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def describe_download_failure(error: BaseException, dataset: str) -> str:
    """One line for a failed download: the cause in plain words and what to do."""
    import requests
    from kagglehub import exceptions as kaggle_errors
    from requests.exceptions import ReadTimeout
    from urllib3.exceptions import ReadTimeoutError

    page = f"https://www.kaggle.com/datasets/{'/'.join(dataset.split('/')[:2])}"
    by_hand = (
        f"download it by hand from {page}, unpack it and pass the CSV with --source PATH, or run "
        "'mmm data --source synthetic' to use the bundled panel"
    )
    credentials = (
        f"check the username and key in --kaggle-json or {USERNAME_ENV}/{KEY_ENV} (a new kaggle.json: "
        "kaggle.com > Settings > API > Create New Token)"
    )
    host = _host(error)
    status = _status(error)
    match error:
        case requests.exceptions.SSLError():
            return (
                f"could not open a secure connection to {host} to download '{dataset}' (a proxy or firewall "
                f"in the way?); {by_hand}"
            )
        case requests.ConnectionError() | requests.Timeout() if status is None:
            if any(isinstance(e, ReadTimeout | ReadTimeoutError) for e in _chain(error)):
                cause = "it stopped answering (slow network connection?); try again later, or"
            else:
                cause = "no network connection?"
            return f"could not reach the Kaggle API ({host}) to download '{dataset}': {cause} {by_hand}"
        case kaggle_errors.UnauthenticatedError() | kaggle_errors.CredentialError():
            return f"Kaggle did not accept the credentials for downloading '{dataset}'; {credentials}"
        case kaggle_errors.NotFoundError():
            return (
                f"Kaggle dataset '{dataset}' not found; check --dataset or kaggle.dataset in data_config.yaml "
                f"(OWNER/NAME as in its address, {page})"
            )
        case kaggle_errors.DataCorruptionError():
            return f"the download of Kaggle dataset '{dataset}' arrived damaged; run the command again"
        case _ if status in (401, 403):
            return (
                f"Kaggle refused access to dataset '{dataset}' (HTTP {status}); {credentials}, and that the "
                "dataset is public or shared with you"
            )
        case _ if status == 404:
            return (
                f"Kaggle dataset '{dataset}' not found (HTTP 404); check --dataset or kaggle.dataset in "
                f"data_config.yaml (OWNER/NAME as in its address, {page})"
            )
        case _ if status is not None:
            return (
                f"the Kaggle API ({host}) answered HTTP {status} for dataset '{dataset}'; try again later, or {by_hand}"
            )
        case OSError(filename=str() | bytes() as name) if not isinstance(error, requests.RequestException):
            reason = (error.strerror or type(error).__name__).lower()
            return (
                f"could not store the Kaggle download in '{os.fsdecode(name)}' ({reason}); free some space or "
                "set KAGGLEHUB_CACHE to a folder you can write to"
            )
    detail = _shorten(redact(str(error)))
    return (
        f"could not download Kaggle dataset '{dataset}' ({type(error).__name__}: {detail}); "
        f"check the network and your credentials, {SYNTHETIC_HINT}"
    )


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
        raise InputError(redact(describe_download_failure(error, settings.dataset))) from None
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
