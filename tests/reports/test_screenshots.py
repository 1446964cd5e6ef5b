"""``mmm run --screenshots``: a browser that cannot start is one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.reports import screenshots


def test_a_browser_that_fails_is_one_line_and_keeps_the_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a Chromium that could not start ended 'mmm run --screenshots' with a BrowserError traceback."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(screenshots, "find_chromium", lambda: str(fake))
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "summary.html").write_text("<html><body>summary</body></html>")
    with pytest.raises(InputError, match=r"^--screenshots: Chromium \(.*chromium\) failed \(") as caught:
        screenshots.take_screenshots(reports)
    assert "the reports are written, 0 of 1 screenshots taken" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert (reports / "summary.html").is_file() and not (reports / screenshots.FOLDER).exists()


def test_without_chromium_it_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screenshots, "find_chromium", lambda: None)
    with pytest.raises(InputError, match="--screenshots needs Chromium; install the Debian package 'chromium'"):
        screenshots.take_screenshots(tmp_path)
