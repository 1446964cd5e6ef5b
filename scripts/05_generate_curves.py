#!/usr/bin/env python
"""Step 5: ROI curves, marginal ROI and intervals. Same options as `mmm curves --help`.

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("curves")
