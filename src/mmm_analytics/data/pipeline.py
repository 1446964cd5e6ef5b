"""The data step end to end: load (a generated panel, Kaggle or a CSV), validate, clean, describe, write.

The data step does not generate panels: a generated source (the synthetic panel) is a
:data:`PanelGenerator` handed in by the caller (:func:`mmm_analytics.pipeline.write_synthetic`),
which writes ``mmm_data.csv`` and ``ground_truth.json`` into the output folder.

Writes, each atomically:

- ``OUTPUT_DIR/mmm_data.csv``: the panel as loaded (text cells unchanged, 28 columns in file order);
- ``OUTPUT_DIR/ground_truth.json``: the true media effects (generated source only);
- ``OUTPUT_DIR/lift_tests.csv``: lift tests drawn from the truth (generated source, when asked for);
- ``OUTPUT_DIR/data_dictionary.json``: role, type, unit, range and gaps of every column;
- ``PROCESSED_DIR/clean_panel.parquet``: the cleaned panel (see :class:`~mmm_analytics.data.cleaning.CleanedPanel`);
- ``PROCESSED_DIR/cleaning_report.json``: every fix, imputation and outlier counted;
- ``PROCESSED_DIR/outliers.csv``: one line per flagged value with the reason.

A file that fails a fatal check writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import assert_never

import pandas as pd

from mmm_analytics.config.data import CleaningSettings, DataConfig
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.data import schema
from mmm_analytics.data.cleaning import (
    OUTLIER_FLAG,
    CleanedPanel,
    check_outlier_columns,
    clean_panel,
    cleaning_report,
    extreme_outlier_notes,
    off_sale_notes,
    to_contract,
    total_changes,
    unreported_end_notes,
)
from mmm_analytics.data.columns import check_channel_columns
from mmm_analytics.data.dictionary import build_dictionary
from mmm_analytics.data.kaggle import fetch_kaggle_csv
from mmm_analytics.data.loader import validate_file, write_raw_copy
from mmm_analytics.data.spend import require_some_spend, sales_scale_notes, spend_spike_notes, unspent_channel_notes
from mmm_analytics.data.validation import ValidatedPanel, case_twin_notes, plausibility_notes
from mmm_analytics.errors import InputError
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.io import read_parquet, write_csv, write_json, write_parquet
from mmm_analytics.utils.paths import require_readable

RAW_FILE = "mmm_data.csv"
TRUTH_FILE = "ground_truth.json"
#: Lift tests drawn from a generated panel's truth, written beside it (``mmm data --lift-tests N``).
LIFT_TESTS_FILE = "lift_tests.csv"
DICTIONARY_FILE = "data_dictionary.json"
CLEAN_FILE = "clean_panel.parquet"
REPORT_FILE = "cleaning_report.json"
OUTLIERS_FILE = "outliers.csv"


class SourceKind(StrEnum):
    SYNTHETIC = "synthetic"
    KAGGLE = "kaggle"
    CSV = "csv"


def source_kind(source: str) -> SourceKind:
    """``synthetic`` and ``kaggle`` (any case) name those sources; anything else is a CSV path."""
    match source.strip().lower():
        case "synthetic":
            return SourceKind.SYNTHETIC
        case "kaggle":
            return SourceKind.KAGGLE
        case _:
            return SourceKind.CSV


@dataclass(frozen=True, slots=True)
class RawPanel:
    """A panel file ready for the data step.

    ``csv`` is the file to validate, ``truth`` the ground truth written with it (generated
    panels only, else None), ``label`` names the source in the reports and ``notes`` are warnings
    about how the file was found. ``lift_tests`` is the lift-test file written with a generated
    panel (else None); ``removed`` the files of an earlier generated panel that the generator
    deleted because they do not describe this one (its lift tests, when this run draws none).
    """

    csv: Path
    truth: Path | None
    label: str
    notes: tuple[str, ...] = ()
    lift_tests: Path | None = None
    removed: tuple[Path, ...] = ()


#: Writes a generated panel (``RAW_FILE``, and ``TRUTH_FILE`` and ``LIFT_TESTS_FILE`` when it has
#: them) into the output folder: called as ``generator(config, seed, output_dir)``; ``seed`` None
#: keeps the configured one.
type PanelGenerator = Callable[[DataConfig, int | None, Path], RawPanel]


@dataclass(frozen=True, slots=True)
class DataResult:
    """What ``run_data`` wrote and found.

    ``raw_written`` is False when the source already was ``raw_csv`` (left untouched).
    ``stale_truth`` is a ``ground_truth.json`` left in the output folder by an earlier
    synthetic run that does not describe this panel (else None), ``stale_lift_tests`` the
    ``lift_tests.csv`` beside it, from the same run (else None). ``lift_tests`` is the lift-test
    file written with a generated panel; ``removed`` the files of an earlier generated panel
    deleted because they do not describe this one. ``warnings`` are lines about what the data
    cannot tell (channels with no spend, :mod:`mmm_analytics.data.spend`).
    """

    source: str
    raw_csv: Path
    ground_truth: Path | None
    dictionary: Path
    clean_panel: Path
    cleaning_report: Path
    outliers_csv: Path
    n_rows: int
    n_series: int
    n_weeks: int
    first_date: dt.date
    last_date: dt.date
    n_fixes: int
    n_outliers: int
    fixes: tuple[str, ...]
    raw_written: bool = True
    stale_truth: Path | None = None
    warnings: tuple[str, ...] = ()
    lift_tests: Path | None = None
    stale_lift_tests: Path | None = None
    removed: tuple[Path, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file this run wrote."""
        written = (
            self.raw_csv if self.raw_written else None,
            self.ground_truth,
            self.lift_tests,
            self.dictionary,
            self.clean_panel,
            self.cleaning_report,
            self.outliers_csv,
        )
        return tuple(p for p in written if p is not None)


def _load(
    source: str | PanelGenerator, output_dir: Path, config: DataConfig, seed: int | None, kaggle_json: Path | None
) -> RawPanel:
    """The CSV to validate, the truth file written (generated panels only) and a source label."""
    if callable(source):
        return source(config, seed, output_dir)
    kind = source_kind(source)
    match kind:
        case SourceKind.SYNTHETIC:
            raise ValueError(
                "the synthetic panel is generated by the caller: pass its generator as the source "
                "(mmm_analytics.pipeline.write_synthetic)"
            )
        case SourceKind.KAGGLE:
            found = fetch_kaggle_csv(config.kaggle, kaggle_json)
            return RawPanel(found.path, None, f"kaggle:{config.kaggle.dataset}", found.notes)
        case SourceKind.CSV:
            return RawPanel(Path(source), None, source)
        case _:
            assert_never(kind)


def run_data(
    source: str | PanelGenerator,
    output_dir: Path,
    processed_dir: Path,
    config: DataConfig,
    seed: int | None,
    *,
    kaggle_json: Path | None = None,
    fmt: NumberFormat = NumberFormat.INDIAN,
) -> DataResult:
    """Load, validate, clean and describe a panel; write the raw copy and the processed files.

    Parameters
    ----------
    source : str or PanelGenerator
        ``"kaggle"``, the path of a CSV in the schema, or a generator that writes a panel into
        ``output_dir`` (:func:`mmm_analytics.pipeline.write_synthetic` for the synthetic panel).
    output_dir : Path
        Folder for ``mmm_data.csv``, ``ground_truth.json`` and ``data_dictionary.json``.
    processed_dir : Path
        Folder for ``clean_panel.parquet``, ``cleaning_report.json`` and ``outliers.csv``.
    config : DataConfig
        ``data_config.yaml`` (cleaning, synthetic and kaggle blocks).
    seed : int or None
        Generated source only: passed to the generator (overrides ``synthetic.seed``).
    kaggle_json : Path or None
        Kaggle source only: a ``kaggle.json`` with ``username`` and ``key``.
    fmt : NumberFormat
        Digit grouping of the amounts in the warnings (``viz.number_format``).

    Raises
    ------
    InputError
        For a missing file, a fatal schema problem, a bad config value or a failed download.
    """
    check_outlier_columns(config.cleaning.outliers)
    check_channel_columns(config.channel_table())
    output_dir, processed_dir = Path(output_dir), Path(processed_dir)
    raw_target = output_dir / RAW_FILE
    loaded = _load(source, output_dir, config, seed, kaggle_json)
    csv_path, truth, label = loaded.csv, loaded.truth, loaded.label
    raw, validated = validate_file(csv_path, config.channel_table(), config.validation)
    require_some_spend(validated.frame, config.channel_table())
    in_place = csv_path.resolve() == raw_target.resolve()
    if not in_place:
        write_raw_copy(raw, validated, raw_target)
    cleaned = clean_panel(validated.frame, config.cleaning)
    warnings = (
        *loaded.notes,
        *case_twin_notes(validated.frame),
        *plausibility_notes(validated.frame),
        *extreme_outlier_notes(cleaned.outliers, fmt),
        *off_sale_notes(cleaned.frame),
        *unreported_end_notes(validated.frame),
        *unspent_channel_notes(cleaned.frame, config.channel_table()),
        *spend_spike_notes(cleaned.frame, config.channel_table()),
        *sales_scale_notes(cleaned.frame, config.channel_table()),
    )
    if holdout := schema.holdout_problem(config.holdout_weeks, validated.n_weeks):
        warnings = (*warnings, f"{holdout} ('mmm features' stops on it)")
    if validated.n_weeks < schema.MIN_TRAINING_WEEKS:
        warnings = (
            f"the panel has {counted(validated.n_weeks, 'week')} of data: it can be explored, but a model needs at least "
            f"{schema.MIN_TRAINING_WEEKS} training weeks and a year or more to tell media from seasonality "
            "(is this a sample of the file?)",
            *warnings,
        )
    written = _write_outputs(validated, cleaned, config.cleaning, label, output_dir, processed_dir, warnings)
    # A synthetic panel's truth and lift tests left in the folder describe that panel, not this one.
    old_truth, old_lift_tests = output_dir / TRUTH_FILE, output_dir / LIFT_TESTS_FILE
    stale_truth = old_truth if truth is None and old_truth.is_file() and not in_place else None
    stale_lift_tests = old_lift_tests if stale_truth is not None and old_lift_tests.is_file() else None
    dates = cleaned.frame[schema.DATE]
    return DataResult(
        source=label,
        raw_csv=raw_target,
        ground_truth=truth,
        **written,
        n_rows=len(cleaned.frame),
        n_series=validated.n_series,
        n_weeks=validated.n_weeks,
        first_date=dates.min().date(),
        last_date=dates.max().date(),
        n_fixes=total_changes(validated, cleaned),
        n_outliers=int(cleaned.frame[OUTLIER_FLAG].sum()),
        fixes=tuple(issue.message for issue in validated.issues),
        raw_written=truth is not None or not in_place,
        stale_truth=stale_truth,
        warnings=warnings,
        lift_tests=loaded.lift_tests,
        stale_lift_tests=stale_lift_tests,
        removed=loaded.removed,
    )


def _write_outputs(
    validated: ValidatedPanel,
    cleaned: CleanedPanel,
    settings: CleaningSettings,
    label: str,
    output_dir: Path,
    processed_dir: Path,
    warnings: tuple[str, ...],
) -> dict[str, Path]:
    """Write the dictionary and the processed files; returns their paths by ``DataResult`` field."""
    report = cleaning_report(validated, cleaned, settings, label) | {"warnings": list(warnings)}
    dictionary = build_dictionary(cleaned.frame, validated.missing_in_file, cleaned.imputed, label)
    return {
        "dictionary": write_json(output_dir / DICTIONARY_FILE, dictionary),
        "clean_panel": write_parquet(processed_dir / CLEAN_FILE, cleaned.frame),
        "cleaning_report": write_json(processed_dir / REPORT_FILE, report),
        "outliers_csv": write_csv(processed_dir / OUTLIERS_FILE, cleaned.outliers),
    }


#: What to do about a damaged or partial file of ``mmm data``.
REBUILD = "re-run 'mmm data' to rebuild it"


def read_clean_parquet(path: Path, columns: Sequence[str], missing_remedy: str) -> pd.DataFrame:
    """A parquet file written by ``mmm data``, as stored, with at least ``columns``.

    Raises
    ------
    InputError
        When the file is missing (``missing_remedy`` says what to do), unreadable or lacks a column.
    """
    file = Path(path)
    require_readable(file, missing_remedy)
    frame = read_parquet(file, REBUILD)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{file}: column '{missing[0]}' is missing (not a cleaned panel?); {REBUILD}")
    return frame


def load_clean_panel(path: Path) -> pd.DataFrame:
    """Read ``clean_panel.parquet`` in its contract dtypes and order.

    Returns
    -------
    DataFrame with the 28 schema columns (Date datetime64[ns], Geo/Brand/SKU str, flags
    int64, the rest float64) plus boolean ``outlier_flag``; sorted by (Geo, Brand, SKU, Date).

    Raises
    ------
    InputError
        When the file is missing, unreadable or lacks a column.
    """
    columns = (*schema.ALL_COLUMNS, OUTLIER_FLAG)
    return to_contract(read_clean_parquet(path, columns, "run 'mmm data' first (or pass its path)"))
