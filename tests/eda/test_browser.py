"""The report opens in headless Chromium and every plotly chart renders (no selenium: --dump-dom)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or next((path for path in CHROMIUM_PATHS if Path(path).is_file()), None)


def _dump_dom(binary: str, page: Path, profile: Path) -> str:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(_chromium() is None, reason="no Chromium binary (install the Debian 'chromium' package)")
def test_report_renders_every_plotly_chart_in_chromium(eda_run, tmp_path: Path) -> None:
    source = eda_run.report.read_text(encoding="utf-8")
    chart_ids = re.findall(r'<div id="(chart-[a-z-]+)" class="plotly-graph-div"', source)
    assert len(chart_ids) >= 5
    dom = _dump_dom(_chromium(), eda_run.report, tmp_path / "profile")
    for _position, chart_id in enumerate(chart_ids):
        start = dom.index(f'id="{chart_id}"')
        following = dom.find('id="chart-', start + 1)
        element = dom[start : following if following > 0 else len(dom)]
        assert 'class="plot-container plotly"' in element, f"{chart_id} did not render"
        assert 'class="main-svg"' in element, f"{chart_id} has no SVG"
    assert dom.count('class="plot-container plotly"') == len(chart_ids)
    assert dom.count("<img ") >= len(eda_run.figures)
