"""The examples shown under each command's ``--help`` (its epilog), defined once.

Each example is a short description and the command line below it. Plain text: Rich markup
is used only for the heading, so examples never contain square brackets.
"""

from __future__ import annotations

HEADING = "[bold]Examples[/bold]"


def _epilog(*examples: tuple[str, str]) -> str:
    """The heading, then each (description, command) pair on two lines, the command indented."""
    return "\n".join([HEADING, *(f"{what}\n  {command}" for what, command in examples)])


EPILOGS: dict[str, str] = {
    "mmm": _epilog(
        ("Every step on the bundled synthetic panel:", "mmm run"),
        ("One step's options and examples:", "mmm train --help"),
    ),
    "data": _epilog(
        ("The bundled synthetic panel:", "mmm data"),
        ("Your own CSV in the panel schema:", "mmm data --source my_panel.csv"),
        ("A Kaggle dataset:", "mmm data --source kaggle --dataset subhagatoadak/mmm-weekly-data-geoindia"),
        (
            "The same with the script:",
            "python scripts/01_download_data.py --dataset subhagatoadak/mmm-weekly-data-geoindia --output data/raw/",
        ),
    ),
    "eda": _epilog(
        ("Figures, tables and the report of the cleaned panel:", "mmm eda"),
        ("Print resolution, figures linked from the report:", "mmm eda --dpi 300 --link-figures"),
        (
            "The same with the script:",
            "python scripts/02_run_eda.py --input data/processed/clean_panel.parquet --output outputs/figures/eda/",
        ),
    ),
    "features": _epilog(
        ("Model-ready features of the cleaned panel:", "mmm features"),
        (
            "With the script and one config file:",
            "python scripts/03_engineer_features.py --input data/processed/clean_panel.parquet "
            "--output data/processed/features.parquet --config config/feature_config.yaml",
        ),
    ),
    "train": _epilog(
        ("Fit, intervals and evaluation:", "mmm train"),
        ("A quick, rougher fit:", "mmm train --epochs 10"),
        ("Pin the model form (no choice by forecasts):", "mmm train --carryover weibull --saturation hill"),
        ("Calibrated to experiments:", "mmm train --lift-tests data/lift_tests.csv"),
        ("One model per brand, the brands fitted as Ray tasks:", "mmm train --split-by brand --backend ray"),
        (
            "With the script and one config file:",
            "python scripts/04_train_model.py --data data/processed/features.parquet --output outputs/models/ "
            "--config config/model_config.yaml",
        ),
    ),
    "curves": _epilog(
        ("Every ROI curve of the trained model:", "mmm curves"),
        (
            "Paths and format spelled out:",
            "mmm curves --model outputs/models/mmm_model.keras --output outputs/figures/roi_curves/ --format png",
        ),
        ("Vector figures for print:", "mmm curves --format pdf"),
    ),
    "simulate": _epilog(
        ("The scenarios of config/scenarios.yaml, with frontier and sensitivity:", "mmm simulate"),
        ("The menu: simulate, optimise, compare, export:", "mmm simulate --interactive"),
        ("One brand and region, every result exported:", "mmm simulate --brand BrandA --region NORTH --export"),
    ),
    "optimize": _epilog(
        ("The best mix of today's budget for one brand and region:", "mmm optimize --brand BrandA --region NORTH"),
        (
            "National, a set budget, with limits:",
            "mmm optimize --budget 500000 --min TV=50000 --max Print=80% --output alloc.json",
        ),
    ),
    "run": _epilog(
        ("Every step on the bundled synthetic panel:", "mmm run"),
        ("The same with the script:", "python scripts/run_full_pipeline.py --all"),
        ("Re-run the last steps only:", "mmm run --steps curves,simulate,optimize"),
        (
            "Your own panel, in another folder, without EDA:",
            "mmm run --input my_panel.csv --output-dir project/ --skip eda",
        ),
    ),
    "report": _epilog(
        ("The summary page after the steps ran one by one:", "mmm train && mmm curves && mmm optimize && mmm report"),
        (
            "A project in another folder, with a screenshot of each report:",
            "mmm report --output-dir project/ --screenshots",
        ),
    ),
    "benchmark": _epilog(
        ("Seven worlds x five seeds, each fitted twice (ours and the true form):", "mmm benchmark"),
        ("One world, one seed (a few minutes):", "mmm benchmark --settings delayed --seeds 1"),
    ),
}
