#!/usr/bin/env python
"""Step 2: exploratory analysis figures, tables and the HTML report. Same options as `mmm eda --help`.

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("eda")
