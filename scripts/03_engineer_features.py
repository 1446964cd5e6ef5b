#!/usr/bin/env python
"""Step 3: build the model-ready feature panel. Same options as `mmm features --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["features", *sys.argv[1:]])
