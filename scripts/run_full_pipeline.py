#!/usr/bin/env python
"""The whole pipeline, data to budget optimisation. Same options as `mmm run --help`.

Example: python scripts/run_full_pipeline.py --all

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("run")
