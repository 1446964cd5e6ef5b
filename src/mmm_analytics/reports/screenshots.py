"""``mmm run --screenshots``: one PNG of each report, as a person sees it at 1366 x 768."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mmm_analytics.errors import InputError
from mmm_analytics.reports.browser import Browser, BrowserError, find_chromium
from mmm_analytics.style.page import REPORTS
from mmm_analytics.utils.io import write_with

FOLDER = "screenshots"
#: Window of the screenshots: a common laptop screen (the page is captured in full below it).
WIDTH, HEIGHT = 1366, 768


def _bytes_writer(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def take_screenshots(reports_dir: Path, width: int = WIDTH, height: int = HEIGHT) -> list[Path]:
    """Save ``<reports_dir>/screenshots/<report>.png`` for every report found in ``reports_dir``.

    Each PNG shows the whole page (up to 9,000 pixels tall) in a window ``width`` pixels
    wide; reports not made yet are left out. Returns the PNGs written, in reading order.

    Raises
    ------
    InputError
        Chromium is not installed, or failed to start, answer or load a page.
    """
    binary = find_chromium()
    if binary is None:
        raise InputError(
            "--screenshots needs Chromium; install the Debian package 'chromium' (apt-get install chromium)"
        )
    pages = [Path(reports_dir) / name for name in REPORTS if (Path(reports_dir) / name).is_file()]
    written = []
    try:
        with Browser(binary) as browser:
            for page in pages:
                png = browser.screenshot(page, width, height)
                target = Path(reports_dir) / FOLDER / f"{page.stem}.png"
                written.append(write_with(target, _bytes_writer(png)))
    except BrowserError as error:
        raise InputError(
            f"--screenshots: Chromium ({binary}) failed ({error}); the reports are written, "
            f"{len(written)} of {len(pages)} screenshots taken; check the Chromium install or run without --screenshots"
        ) from None
    return written
