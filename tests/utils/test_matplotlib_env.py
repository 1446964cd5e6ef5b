"""matplotlib's folders when HOME or MPLCONFIGDIR cannot be written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from mmm_analytics.utils.matplotlib_env import usable_matplotlib_config


def test_an_unwritable_matplotlib_folder_is_replaced_by_a_lasting_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before, HOME or MPLCONFIGDIR that could not be written made matplotlib print two lines and build
    a fresh font cache in a new temporary folder on every run."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", "/dev/null")  # not a folder: nothing can be made under it, even as root
    usable_matplotlib_config()
    chosen = Path(os.environ["MPLCONFIGDIR"])
    assert chosen == tmp_path / f"mmm-matplotlib-{os.getuid()}" and chosen.stat().st_mode & 0o777 == 0o700
    usable_matplotlib_config()
    assert Path(os.environ["MPLCONFIGDIR"]) == chosen  # the same folder every run: the cache lasts
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mine"))
    usable_matplotlib_config()
    assert os.environ["MPLCONFIGDIR"] == str(tmp_path / "mine") and (tmp_path / "mine").is_dir()


def test_a_cache_folder_that_cannot_be_written_counts_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", "/dev/null/cache")
    usable_matplotlib_config()
    assert os.environ["MPLCONFIGDIR"] == str(tmp_path / f"mmm-matplotlib-{os.getuid()}")


def test_a_fallback_folder_someone_else_prepared_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A link (or a folder others can write) in the shared temp dir could hand matplotlib a foreign matplotlibrc."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    monkeypatch.setenv("HOME", "/dev/null")
    (tmp_path / "elsewhere").mkdir(mode=0o777)
    (tmp_path / f"mmm-matplotlib-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    usable_matplotlib_config()
    assert "MPLCONFIGDIR" not in os.environ
