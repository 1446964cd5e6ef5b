#!/usr/bin/env python
"""Step 2: exploratory analysis figures, tables and the HTML report. Same options as `mmm eda --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["eda", *sys.argv[1:]])
