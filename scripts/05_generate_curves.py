#!/usr/bin/env python
"""Step 5: ROI curves, marginal ROI and intervals. Same options as `mmm curves --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["curves", *sys.argv[1:]])
