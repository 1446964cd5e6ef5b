#!/usr/bin/env python
"""Step 4: train the Keras MMM and evaluate it. Same options as `mmm train --help`."""

import sys

from mmm_analytics.cli.app import main

if __name__ == "__main__":
    main(["train", *sys.argv[1:]])
