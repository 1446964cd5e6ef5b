#!/usr/bin/env python
"""Step 4: train the Keras MMM and evaluate it. Same options as `mmm train --help`.

Example: python scripts/04_train_model.py --data data/processed/features.parquet --config config/model_config.yaml

Runs from a checkout too (see ``_entry.py``).
"""

from _entry import run

if __name__ == "__main__":
    run("train")
