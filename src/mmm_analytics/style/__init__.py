"""One look for every figure and report: the channel palette, the number format and the HTML page.

- :mod:`~mmm_analytics.style.palette`: channel and chart colours, shared by matplotlib and plotly;
- :mod:`~mmm_analytics.style.numbers`: money, shares, counts and ratios in the configured grouping;
- :mod:`~mmm_analytics.style.page`: the report specs and their Jinja2 templates.
"""
