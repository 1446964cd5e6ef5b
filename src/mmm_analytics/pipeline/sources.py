"""Where the panel comes from: ``--source`` and ``--dataset`` resolved, the synthetic panel written, the data step run.

``"synthetic"`` becomes :func:`write_synthetic` (the bundled generator); anything else is passed
to :func:`mmm_analytics.data.pipeline.run_data` as is (``"kaggle"`` or a CSV path). The size
options of ``mmm data`` (``--geos``, ``--brands``, ``--skus``, ``--weeks``, ``--lift-tests``)
become the ``synthetic`` settings in :func:`with_synthetic_options`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mmm_analytics.errors import InputError

if TYPE_CHECKING:
    from mmm_analytics.config import DataConfig, ProjectConfig
    from mmm_analytics.config.viz import NumberFormat
    from mmm_analytics.data.pipeline import DataResult, RawPanel

#: A Kaggle dataset handle (``owner/name``, optionally ``/versions/N``), alone or at the end of its page's address.
KAGGLE_HANDLE = re.compile(
    r"^(?:https?://(?:www\.)?kaggle\.com/datasets/)?([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*(?:/versions/\d+)?)/?$"
)
EXAMPLE_DATASET = "subhagatoadak/mmm-weekly-data-geoindia"
#: Each synthetic option: its field of ``SyntheticSettings``, its least value and an example.
SYNTHETIC_OPTIONS: dict[str, tuple[str, int, int]] = {
    "--geos": ("n_geos", 1, 50),
    "--brands": ("n_brands", 1, 20),
    "--skus": ("n_skus", 1, 3),
    "--weeks": ("n_weeks", 40, 156),
    "--lift-tests": ("lift_tests", 0, 3),
}
#: The options that set the panel's size.
SIZE_OPTIONS = ("--geos", "--brands", "--skus", "--weeks")


def kaggle_dataset(text: str) -> str:
    """The dataset handle of ``--dataset``: ``owner/name`` as typed or from the dataset's Kaggle address."""
    match = KAGGLE_HANDLE.match(text.strip())
    if match is None:
        raise InputError(
            f"--dataset {text!r}: give a Kaggle dataset as OWNER/NAME (or its kaggle.com address), "
            f"e.g. --dataset {EXAMPLE_DATASET}"
        )
    return match.group(1)


def choose_source(source: str | None, dataset: str | None, *, input: str | None = None) -> str:
    """The panel source of ``--source`` (or ``mmm run``'s ``--input``; not both) and ``--dataset``:
    a dataset means Kaggle; neither means synthetic. An empty value is refused: it is an unset
    variable, not a choice."""
    for flag, value in (("--input", input), ("--source", source)):
        if value is not None and not value.strip():
            raise InputError(f"{flag} is empty; give synthetic, kaggle or the path of a CSV, or leave {flag} out")
    if input is not None and source is not None:  # before, --input won and --source was dropped without a word
        raise InputError(f"--input {input!r} and --source {source!r} both name the panel; give one of them")
    flag = "--input" if input is not None else "--source"
    source = input if input is not None else source
    if dataset is None:  # a quoted '~/panel.csv' is the home folder's, as it is unquoted
        return os.path.expanduser(source) if source else "synthetic"
    if source is not None and source.strip().lower() != "kaggle":
        raise InputError(
            f"--dataset names a Kaggle dataset, but {flag} is {source!r}; "
            "use --source kaggle with --dataset, or leave --dataset out"
        )
    return "kaggle"


def with_dataset(config: ProjectConfig, dataset: str | None) -> ProjectConfig:
    """``config`` with ``kaggle.dataset`` set to ``dataset`` (checked by :func:`kaggle_dataset`) when given."""
    if dataset is None:
        return config
    kaggle = config.data.kaggle.model_copy(update={"dataset": kaggle_dataset(dataset)})
    return dataclasses.replace(config, data=config.data.model_copy(update={"kaggle": kaggle}))


def with_synthetic_options(config: ProjectConfig, source: str, options: Mapping[str, int | None]) -> ProjectConfig:
    """``config`` with the ``synthetic`` settings of the options given (keys of :data:`SYNTHETIC_OPTIONS`).

    Raises
    ------
    InputError
        For a value below the option's least value, or an option given with a source that is not synthetic.
    """
    from mmm_analytics.config.data import synthetic_size_problem
    from mmm_analytics.data.pipeline import SourceKind, source_kind

    given = {option: value for option, value in options.items() if value is not None}
    if not given:
        return config
    for option, value in given.items():
        _, least, example = SYNTHETIC_OPTIONS[option]
        if value < least:
            raise InputError(f"{option} {value}: give a whole number of {least} or more, e.g. {option} {example}")
    if source_kind(source) is not SourceKind.SYNTHETIC:
        option = next(iter(given))
        raise InputError(
            f"{option} applies to --source synthetic only, but --source is {source!r}; "
            f"leave {option} out or use --source synthetic"
        )
    update = {SYNTHETIC_OPTIONS[option][0]: value for option, value in given.items()}
    synthetic = config.data.synthetic.model_copy(update=update)
    problem = synthetic_size_problem(synthetic)
    if problem is not None:
        sized = [option for option in given if option in SIZE_OPTIONS]
        raise InputError(f"{', '.join(sized)}: {problem}" if sized else problem)
    return dataclasses.replace(config, data=config.data.model_copy(update={"synthetic": synthetic}))


def write_synthetic(config: DataConfig, seed: int | None, output_dir: Path) -> RawPanel:
    """Generate the synthetic panel and write ``mmm_data.csv`` and ``ground_truth.json`` into ``output_dir``,
    and ``lift_tests.csv`` when ``synthetic.lift_tests`` > 0.

    Without lift tests, a ``lift_tests.csv`` beside an earlier synthetic panel's ``ground_truth.json``
    is that panel's and is deleted (listed in ``RawPanel.removed``): it does not describe the new panel.
    """
    from mmm_analytics.data.pipeline import LIFT_TESTS_FILE, RAW_FILE, TRUTH_FILE, RawPanel
    from mmm_analytics.synthetic import generate_panel
    from mmm_analytics.synthetic.lift_tests import draw_lift_tests
    from mmm_analytics.synthetic.panel_csv import write_panel_csv
    from mmm_analytics.utils.io import write_csv, write_text

    settings = config.synthetic if seed is None else config.synthetic.model_copy(update={"seed": int(seed)})
    panel = generate_panel(settings, config.channel_table())
    earlier_panel = (output_dir / TRUTH_FILE).is_file()
    raw = write_panel_csv(output_dir / RAW_FILE, panel.frame)
    truth = write_text(output_dir / TRUTH_FILE, panel.truth.to_json() + "\n")
    label = f"synthetic (setting {settings.setting.value}, seed {settings.seed})"
    lift_tests = output_dir / LIFT_TESTS_FILE
    if settings.lift_tests > 0:
        write_csv(lift_tests, draw_lift_tests(panel, settings.lift_tests, settings.seed))
        return RawPanel(raw, truth, label, lift_tests=lift_tests)
    if earlier_panel and lift_tests.is_file():
        lift_tests.unlink()
        return RawPanel(raw, truth, label, removed=(lift_tests,))
    return RawPanel(raw, truth, label)


def prepare_data(
    source: str,
    output_dir: Path,
    processed_dir: Path,
    config: DataConfig,
    seed: int | None,
    *,
    kaggle_json: Path | None = None,
    fmt: NumberFormat,
) -> DataResult:
    """The data step: ``source`` ``"synthetic"`` (generated here), ``"kaggle"`` or a CSV path; amounts
    in its warnings grouped per ``fmt``.

    See :func:`mmm_analytics.data.pipeline.run_data` for what is written.
    """
    from mmm_analytics.data.pipeline import SourceKind, run_data, source_kind

    panel_source = write_synthetic if source_kind(source) is SourceKind.SYNTHETIC else source
    return run_data(panel_source, output_dir, processed_dir, config, seed, kaggle_json=kaggle_json, fmt=fmt)
