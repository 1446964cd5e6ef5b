#!/usr/bin/env python
"""Step 6: what-if scenarios and the interactive simulator. Same options as `mmm simulate --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["simulate", *sys.argv[1:]])
