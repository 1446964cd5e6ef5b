#!/usr/bin/env python
"""Step 1: load the panel (Kaggle, synthetic or a CSV), validate and clean it. Same options as `mmm data --help`.

Example: python scripts/01_download_data.py --dataset subhagatoadak/mmm-weekly-data-geoindia --output data/raw/

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("data")
