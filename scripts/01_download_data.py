#!/usr/bin/env python
"""Step 1: load (Kaggle, synthetic or CSV), validate and clean the panel. Same options as `mmm data --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["data", *sys.argv[1:]])
