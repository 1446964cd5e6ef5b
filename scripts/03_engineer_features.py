#!/usr/bin/env python
"""Step 3: build the model-ready feature panel. Same options as `mmm features --help`.

Example: python scripts/03_engineer_features.py --input data/processed/clean_panel.parquet --config config/feature_config.yaml

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("features")
