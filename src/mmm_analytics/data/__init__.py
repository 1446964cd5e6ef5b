"""Data step: load (Kaggle, synthetic or a CSV), validate, clean, describe and split the panel."""
