"""The summary page a manager opens first, and the checks of every report in a real browser.

- :func:`mmm_analytics.reports.summary.write_summary`: ``summary.html`` from the outputs of a run;
- :func:`mmm_analytics.reports.screenshots.take_screenshots`: one PNG per report;
- :mod:`mmm_analytics.reports.browser`: headless Chromium driven over its DevTools pipe.
"""
