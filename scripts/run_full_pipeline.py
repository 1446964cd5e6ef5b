#!/usr/bin/env python
"""The whole pipeline, data to budget optimisation. Same options as `mmm run --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["run", *sys.argv[1:]])
