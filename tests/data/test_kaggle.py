"""The Kaggle source with ``kagglehub.dataset_download`` replaced by a local folder (no network)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
from pathlib import Path

import kagglehub
import pytest
import requests
import urllib3
from hypothesis import given
from hypothesis import strategies as st
from kagglehub import exceptions as kaggle_errors

from mmm_analytics.config.data import DataConfig, KaggleSettings
from mmm_analytics.data import schema
from mmm_analytics.data.kaggle import KEY_ENV, USERNAME_ENV, fetch_kaggle_csv, find_csv, redact
from mmm_analytics.data.pipeline import run_data
from mmm_analytics.errors import InputError

SECRET = "s3cr3t-key-0123456789"


@pytest.fixture()
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Kaggle variables or kaggle.json; whatever the code under test sets is undone afterwards."""
    for name in (USERNAME_ENV, KEY_ENV):
        monkeypatch.setenv(name, "placeholder")  # records the original state for the undo
        monkeypatch.delenv(name)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle-config"))


@pytest.fixture()
def download_folder(tmp_path: Path, kaggle_head_path: Path) -> Path:
    """What a download leaves: the panel CSV (largest) plus a smaller CSV and a readme."""
    folder = tmp_path / "kagglehub" / "versions" / "1"
    (folder / "extra").mkdir(parents=True)
    shutil.copy(kaggle_head_path, folder / "mmm_weekly_data.csv")
    (folder / "extra" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "README.md").write_text("readme", encoding="utf-8")
    return folder


@pytest.fixture()
def fake_download(monkeypatch: pytest.MonkeyPatch, download_folder: Path) -> list[str]:
    calls: list[str] = []

    def download(handle: str, *args, **kwargs) -> str:
        calls.append(handle)
        return str(download_folder)

    monkeypatch.setattr(kagglehub, "dataset_download", download)
    return calls


def test_download_finds_the_largest_csv(no_credentials, monkeypatch, fake_download, download_folder) -> None:
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)
    found = fetch_kaggle_csv(KaggleSettings())
    assert found.path == download_folder / "mmm_weekly_data.csv"
    assert found.notes == (
        "the Kaggle download holds 2 CSV files; read the largest, mmm_weekly_data.csv (also: extra/notes.csv); "
        "set kaggle.file_name in data_config.yaml to read another",
    )
    assert fake_download == ["subhagatoadak/mmm-weekly-data-geoindia"]


def test_kaggle_json_sets_the_environment(no_credentials, fake_download, tmp_path: Path) -> None:
    credentials = tmp_path / "kaggle.json"
    credentials.write_text(json.dumps({"username": "someone", "key": SECRET}), encoding="utf-8")
    fetch_kaggle_csv(KaggleSettings(), credentials)
    assert (os.environ[USERNAME_ENV], os.environ[KEY_ENV]) == ("someone", SECRET)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        pytest.param("{not json", "not valid JSON", id="bad_json"),
        pytest.param(json.dumps({"username": "someone"}), "needs the keys 'username' and 'key'", id="no_key"),
        pytest.param(None, "not found", id="missing_file"),
        pytest.param("{}", "needs the keys 'username' and 'key'", id="empty_object"),
        pytest.param("\udcff", "not valid JSON", id="not_utf8"),
    ],
)
def test_bad_kaggle_json_names_the_file(no_credentials, tmp_path: Path, content: str | None, match: str) -> None:
    path = tmp_path / "kaggle.json"
    if content is not None:
        path.write_text(content, encoding="utf-8", errors="surrogateescape")
    with pytest.raises(InputError, match=match) as caught:
        fetch_kaggle_csv(KaggleSettings(), path)
    assert "kaggle.json" in str(caught.value)


@pytest.mark.parametrize("holds_json", [False, True], ids=["empty-folder", "folder-with-kaggle-json"])
def test_a_folder_given_as_kaggle_json_is_named(
    no_credentials, fake_download, tmp_path: Path, monkeypatch, holds_json: bool
) -> None:
    """Before, a folder (also '.') was 'not found'."""
    folder = tmp_path / "kdir"
    folder.mkdir()
    if holds_json:
        (folder / "kaggle.json").write_text(json.dumps({"username": "someone", "key": SECRET}), encoding="utf-8")
    monkeypatch.chdir(folder)
    for given_path in (folder, Path(".")):
        with pytest.raises(InputError) as caught:
            fetch_kaggle_csv(KaggleSettings(), given_path)
        if holds_json:
            expected = (
                f"Kaggle credentials file '{given_path}' is a folder; give the kaggle.json file inside it: "
                f"--kaggle-json '{given_path / 'kaggle.json'}'"
            )
        else:
            expected = (
                f"Kaggle credentials file '{given_path}' is a folder (with no kaggle.json in it); give the path "
                "of the kaggle.json file from your Kaggle account page"
            )
        assert str(caught.value) == expected
    assert fake_download == []


def test_an_unreadable_kaggle_json_says_to_make_it_readable(
    no_credentials, fake_download, tmp_path: Path, monkeypatch
) -> None:
    """Before, the PermissionError reached the CLI, which said to choose a folder you can write to."""
    path = tmp_path / "kaggle.json"
    path.write_text(json.dumps({"username": "someone", "key": SECRET}), encoding="utf-8")

    def denied(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(InputError, match=r"kaggle\.json' cannot be read \(permission denied\); make it readable"):
        fetch_kaggle_csv(KaggleSettings(), path)


def test_no_credentials_suggests_synthetic(no_credentials, fake_download) -> None:
    with pytest.raises(InputError, match=r"no Kaggle credentials: set KAGGLE_USERNAME.*--source synthetic"):
        fetch_kaggle_csv(KaggleSettings())
    assert fake_download == []


def test_network_failure_suggests_synthetic_and_hides_the_key(no_credentials, monkeypatch) -> None:
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)

    def failing(handle: str, *args, **kwargs) -> str:
        raise requests.exceptions.ChunkedEncodingError(f"connection broken with key {SECRET}")

    monkeypatch.setattr(kagglehub, "dataset_download", failing)
    with pytest.raises(InputError, match=r"could not download Kaggle dataset .*--source synthetic") as caught:
        fetch_kaggle_csv(KaggleSettings())
    assert SECRET not in str(caught.value)
    assert "with key ***" in str(caught.value)


def _offline_error() -> requests.ConnectionError:
    """What requests raises without a network: urllib3's name-resolution error in a retry error."""
    pool = urllib3.HTTPSConnectionPool("api.kaggle.com", 443)
    connection = urllib3.connection.HTTPSConnection("api.kaggle.com", 443)
    resolution = urllib3.exceptions.NameResolutionError(
        "api.kaggle.com", connection, socket.gaierror(-2, "Name or service not known")
    )
    retries = urllib3.exceptions.MaxRetryError(pool, "/v1/datasets.DatasetApiService/GetDataset", resolution)
    request = requests.Request("POST", "https://api.kaggle.com/v1/datasets.DatasetApiService/GetDataset").prepare()
    return requests.ConnectionError(retries, request=request)


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response.url = "https://api.kaggle.com/v1/datasets.DatasetApiService/GetDataset"
    return kaggle_errors.KaggleApiHTTPError(f"{status} Client Error.", response=response)


def _raising(error: BaseException):  # type: ignore[no-untyped-def]
    def download(handle: str, *args, **kwargs) -> str:
        raise error

    return download


OFFLINE = (
    "could not reach the Kaggle API (api.kaggle.com) to download 'subhagatoadak/mmm-weekly-data-geoindia': "
    "no network connection? download it by hand from "
    "https://www.kaggle.com/datasets/subhagatoadak/mmm-weekly-data-geoindia, unpack it and pass the CSV with "
    "--source PATH, or run 'mmm data --source synthetic' to use the bundled panel"
)


def test_no_network_is_said_in_plain_words(no_credentials, monkeypatch, tmp_path: Path) -> None:
    """Before: raw urllib3 text cut mid-token ('...port=443): Max retries exceeded ... po') and, with the
    key 'y', every letter y of it starred ('Caused b***')."""
    credentials = tmp_path / "kj.json"
    credentials.write_text(json.dumps({"username": "u", "key": "y"}), encoding="utf-8")
    monkeypatch.setattr(kagglehub, "dataset_download", _raising(_offline_error()))
    with pytest.raises(InputError) as caught:
        fetch_kaggle_csv(KaggleSettings(), credentials)
    assert str(caught.value) == OFFLINE


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            requests.exceptions.ConnectTimeout("timed out"),
            "could not reach the Kaggle API (api.kaggle.com) to download 'o/n': no network connection? download it",
            id="connect-timeout",
        ),
        pytest.param(
            requests.exceptions.ReadTimeout("read timed out"),
            "could not reach the Kaggle API (api.kaggle.com) to download 'o/n': it stopped answering",
            id="read-timeout",
        ),
        pytest.param(
            requests.exceptions.SSLError("certificate verify failed"),
            "could not open a secure connection to api.kaggle.com to download 'o/n' (a proxy or firewall",
            id="tls",
        ),
        pytest.param(
            _http_error(401), "Kaggle refused access to dataset 'o/n' (HTTP 401); check the username", id="401"
        ),
        pytest.param(
            _http_error(403), "Kaggle refused access to dataset 'o/n' (HTTP 403); check the username", id="403"
        ),
        pytest.param(_http_error(404), "Kaggle dataset 'o/n' not found (HTTP 404); check --dataset", id="404"),
        pytest.param(_http_error(503), "the Kaggle API (api.kaggle.com) answered HTTP 503", id="503"),
        pytest.param(
            kaggle_errors.UnauthenticatedError(), "Kaggle did not accept the credentials", id="unauthenticated"
        ),
        pytest.param(
            kaggle_errors.NotFoundError("gone"), "Kaggle dataset 'o/n' not found; check --dataset", id="404-hub"
        ),
        pytest.param(
            kaggle_errors.DataCorruptionError("bad hash"),
            "the download of Kaggle dataset 'o/n' arrived damaged; run",
            id="hash",
        ),
        pytest.param(
            OSError(errno.ENOSPC, "No space left on device", "/cache/kagglehub/x.zip"),
            "could not store the Kaggle download in '/cache/kagglehub/x.zip' (no space left on device); free some",
            id="disk-full",
        ),
    ],
)
def test_download_failures_name_the_cause_and_the_fix(
    no_credentials, monkeypatch, error: BaseException, expected: str
) -> None:
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)
    monkeypatch.setattr(kagglehub, "dataset_download", _raising(error))
    with pytest.raises(InputError) as caught:
        fetch_kaggle_csv(KaggleSettings(dataset="o/n"))
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_long_error_text_is_cut_between_words(no_credentials, monkeypatch) -> None:
    words = " ".join(f"word{i}" for i in range(100))
    monkeypatch.setattr(kagglehub, "dataset_download", _raising(kaggle_errors.BackendError(words)))
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)
    with pytest.raises(InputError) as caught:
        fetch_kaggle_csv(KaggleSettings())
    detail = str(caught.value).split("(BackendError: ", 1)[1].split(");", 1)[0]
    assert detail.endswith(" ...")
    assert set(detail.removesuffix(" ...").split()) <= set(words.split())


@given(text=st.text(max_size=200), key=st.text(min_size=1, max_size=7))
def test_a_key_too_short_to_be_real_is_not_masked(text: str, key: str) -> None:
    assert redact(text, key) == text


@given(
    before=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40),
    after=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40),
    glue=st.sampled_from(["", " ", "'", "=", "/", "x"]),
)
def test_the_key_is_masked_as_a_whole_token(before: str, after: str, glue: str) -> None:
    """The key never survives, in whole or in part; words without it are left as they are."""
    masked = redact(f"{before}{glue}{SECRET}{glue}{after}", SECRET)
    assert SECRET not in masked and "0123456789" not in masked
    assert "***" in masked
    assert redact(f"{before} {after}", SECRET) == f"{before} {after}"
    if glue in ("", "x"):  # the key inside a longer token: the token goes
        kept_before = before[: before.rfind(" ") + 1]
        kept_after = after[after.find(" ") :] if " " in after else ""
    else:
        kept_before, kept_after = before + glue, glue + after
    assert masked == f"{kept_before}***{kept_after}"


def test_masking_a_long_error_text_takes_one_pass() -> None:
    """The mask was a backtracking pattern: 40,000 characters without a space took 2.5 s, a megabyte minutes."""
    import time

    text = "x" * 200_000 + SECRET + "y" * 200_000 + " kept " + SECRET
    began = time.perf_counter()
    masked = redact(text, SECRET)
    assert time.perf_counter() - began < 0.5
    assert masked == "*** kept ***"


def test_configured_file_name_is_used(download_folder: Path) -> None:
    assert find_csv(download_folder, "notes.csv").path == download_folder / "extra" / "notes.csv"
    assert find_csv(download_folder, "extra/notes.csv").path == download_folder / "extra" / "notes.csv"
    assert find_csv(download_folder, "notes.csv").notes == ()  # chosen, not guessed
    with pytest.raises(InputError, match=r"'kaggle\.file_name': 'other\.csv' is not in the download"):
        find_csv(download_folder, "other.csv")


def test_download_without_csv_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"has no CSV file \(it is empty\)"):
        find_csv(tmp_path, None)
    (tmp_path / "README.md").write_text("readme", encoding="utf-8")
    with pytest.raises(InputError, match=r"has no CSV file \(files: README.md\); check config key 'kaggle.dataset'"):
        find_csv(tmp_path, None)


@pytest.mark.parametrize("archive", ["mmm_weekly_data.zip", "mmm_weekly_data.csv.gz"])
def test_a_compressed_download_says_to_unpack_it(tmp_path: Path, archive: str) -> None:
    """Before, a download holding only a .zip or .gz said 'no CSV file; check kaggle.dataset'."""
    (tmp_path / archive).write_bytes(b"PK\x03\x04")
    with pytest.raises(
        InputError, match=rf"no CSV but a compressed file \({archive}\); unpack it and run 'mmm data --input"
    ):
        find_csv(tmp_path, None)


def test_run_data_copies_the_kaggle_csv(
    no_credentials,
    monkeypatch,
    fake_download,
    tmp_path: Path,
    kaggle_head_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)
    result = run_data("kaggle", tmp_path / "raw", tmp_path / "processed", DataConfig(), None)
    assert result.raw_csv.read_bytes() == kaggle_head_path.read_bytes()
    assert result.source == "kaggle:subhagatoadak/mmm-weekly-data-geoindia"
    assert any("read the largest, mmm_weekly_data.csv" in warning for warning in result.warnings)
    assert result.ground_truth is None and result.n_rows == 18
    assert list(result.raw_csv.read_text(encoding="utf-8").splitlines()[0].split(",")) == list(schema.ALL_COLUMNS)
    assert SECRET not in capsys.readouterr().out
