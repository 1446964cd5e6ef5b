"""The EDA report in headless Chromium at 1366 x 768 and 1920 x 1080: it fits the window, every plotly
chart is drawn and non-empty, no legend lies under plotly's toolbar, every figure loads and the console
stays quiet; on a phone (390 x 844) the same, with wide tables scrolling in their own boxes."""

from __future__ import annotations

import pytest

from mmm_analytics.reports.browser import Browser, find_chromium

pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="no Chromium binary: install the Debian package 'chromium' (CI's .ci/run does)"
)


def test_report_renders_every_chart_and_fits_the_window(eda_run) -> None:
    with Browser() as browser:
        views = [browser.inspect(eda_run.report, width, height) for width, height in ((1366, 768), (1920, 1080))]
        phone = browser.inspect(eda_run.report, 390, 844)
    for view in views:
        assert view.problems() == []
        assert view.charts == view.chart_boxes >= 5
    assert phone.problems(scrolling_tables=True) == [] and phone.charts == phone.chart_boxes
