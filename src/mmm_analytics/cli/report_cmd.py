"""`mmm report`: the summary page for a manager (``summary.html``) from what the steps left.

``mmm run`` writes it at the end of every run; after the steps run one by one (``mmm train``,
``mmm curves``, ``mmm optimize`` ...) this command writes it from their files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmm_analytics.cli.common import (
    DEFAULT_CONFIG_DIR,
    ConfigDirOption,
    Output,
    console,
    project_config,
    user_errors,
    warn,
    warn_stale_model,
)
from mmm_analytics.cli.tables import FitTable
from mmm_analytics.errors import InputError

OUTPUT_DIR_HELP = "The project folder the steps wrote under (its outputs/ holds the model and the reports)."
SCREENSHOTS_HELP = "Also save a full-page PNG of every HTML report in outputs/reports (needs Chromium)."

#: What the page needs at the least, and the command that makes it.
NOTHING_TO_REPORT = "no trained model under {models} to report on: run 'mmm train' (or 'mmm run') first"


def report(
    output_dir: Annotated[Path, typer.Option("--output-dir", help=OUTPUT_DIR_HELP)] = Path("."),
    screenshots: Annotated[bool, typer.Option("--screenshots", help=SCREENSHOTS_HELP)] = False,
    config_dir: ConfigDirOption = DEFAULT_CONFIG_DIR,
) -> None:
    """Write outputs/reports/summary.html, the page for a manager, from the files of the steps run so far.

    The page reads the model (mmm train), the ROI curves (mmm curves), the recommended plan (mmm optimize or
    mmm simulate) and the frontier (mmm simulate); a step not run yet leaves its part out.
    """
    from mmm_analytics.pipeline import key_numbers
    from mmm_analytics.pipeline.checks import check_files_to_write
    from mmm_analytics.reports.inputs import EARLIER_RESULTS, current_steps, load_inputs
    from mmm_analytics.reports.summary import FILE as SUMMARY_FILE
    from mmm_analytics.reports.summary import stale_words, write_summary
    from mmm_analytics.response.artifacts import METADATA_FILE
    from mmm_analytics.utils.paths import ProjectPaths

    paths = ProjectPaths(output_dir)
    with user_errors(Output("--output-dir", output_dir)):
        if not (paths.models_dir / METADATA_FILE).is_file():
            raise InputError(NOTHING_TO_REPORT.format(models=paths.models_dir))
        check_files_to_write([paths.reports_dir / SUMMARY_FILE])
        config = project_config(config_dir)
        results = current_steps(paths)  # a later step's file made from another model is left out
        inputs = load_inputs(paths, results, config.model.intervals.level)
        page = write_summary(paths, config, results, inputs)
        shots = []
        if screenshots:
            from mmm_analytics.reports.screenshots import take_screenshots

            shots = take_screenshots(paths.reports_dir)
    table = FitTable(title="Summary page")
    table.add_column("what")
    table.add_column("value")
    for what, value in [*key_numbers(inputs), ("page", str(page)), *(("screenshot", str(s)) for s in shots)]:
        table.add_row(what, value)
    console.print(table)
    from mmm_analytics.features.store import meta_path

    warn_stale_model(paths.models_dir, meta_path(paths.features))
    if inputs.stale:
        warn(stale_words(inputs.stale, SUMMARY_FILE))
    stale = {step for step, words in EARLIER_RESULTS.values() if words in inputs.stale}
    missing = [
        f"mmm {step}"
        for step, found in (
            ("curves", inputs.channel_roi is not None),
            ("optimize", inputs.allocation is not None),
            ("simulate", inputs.frontier is not None),
        )
        if not found and step not in stale and f"mmm {step}" not in inputs.rewrite
    ]
    if missing:
        warn(f"left out of {SUMMARY_FILE}: what {', '.join(missing)} would add; run {' and '.join(missing)} first")
    for problem in inputs.damaged:
        warn(f"left out of {SUMMARY_FILE}: {problem}")
    if inputs.eda_of_other_data is not None:
        from mmm_analytics.reports.summary import eda_words

        warn(eda_words(inputs.eda_of_other_data))
