#!/usr/bin/env python
"""Step 6: what-if scenarios and the interactive simulator. Same options as `mmm simulate --help`.

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("simulate")
