"""The Kaggle source with ``kagglehub.dataset_download`` replaced by a local folder (no network)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import kagglehub
import pytest
import requests

from mmm_analytics.config.data import DataConfig, KaggleSettings
from mmm_analytics.data import schema
from mmm_analytics.data.kaggle import KEY_ENV, USERNAME_ENV, fetch_kaggle_csv, find_csv
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
    ],
)
def test_bad_kaggle_json_names_the_file(no_credentials, tmp_path: Path, content: str | None, match: str) -> None:
    path = tmp_path / "kaggle.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=match) as caught:
        fetch_kaggle_csv(KaggleSettings(), path)
    assert "kaggle.json" in str(caught.value)


def test_no_credentials_suggests_synthetic(no_credentials, fake_download) -> None:
    with pytest.raises(InputError, match=r"no Kaggle credentials: set KAGGLE_USERNAME.*--source synthetic"):
        fetch_kaggle_csv(KaggleSettings())
    assert fake_download == []


def test_network_failure_suggests_synthetic_and_hides_the_key(no_credentials, monkeypatch) -> None:
    monkeypatch.setenv(USERNAME_ENV, "someone")
    monkeypatch.setenv(KEY_ENV, SECRET)

    def offline(handle: str, *args, **kwargs) -> str:
        raise requests.ConnectionError(f"cannot reach www.kaggle.com with key {SECRET}")

    monkeypatch.setattr(kagglehub, "dataset_download", offline)
    with pytest.raises(InputError, match=r"could not download Kaggle dataset .*--source synthetic") as caught:
        fetch_kaggle_csv(KaggleSettings())
    assert SECRET not in str(caught.value)


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
