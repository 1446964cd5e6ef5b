"""Read a panel CSV in the MMM Weekly India schema.

The file is first read with every cell as text, exactly as written, so the raw copy
(``data/raw/mmm_data.csv``) keeps the user's values and validation can point at the
line and text of each bad cell. :func:`load_panel` then validates and types it.
"""

from __future__ import annotations

import csv
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd

from mmm_analytics.channels import Channels
from mmm_analytics.config.data import ValidationSettings
from mmm_analytics.data import schema
from mmm_analytics.data.issues import renamed_columns
from mmm_analytics.data.validation import ValidatedPanel, validate_panel
from mmm_analytics.errors import InputError
from mmm_analytics.style.numbers import counted
from mmm_analytics.utils.io import write_csv
from mmm_analytics.utils.paths import file_problem


def read_raw_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV with every cell as text (no number or missing-value guessing).

    Parameters
    ----------
    path : path to a comma-separated UTF-8 file (a byte-order mark is accepted).

    Returns
    -------
    DataFrame of str, one row per data line, columns as in the header.

    Raises
    ------
    InputError
        When the file is missing, unreadable (permissions), empty, compressed, a workbook or
        Parquet file, not a readable CSV, or has a row with fewer cells than the header (a file
        cut off mid-line: its last values would be read wrong or imputed).
    """
    file = Path(path)
    check_csv_path(file)
    check_not_packed(file)
    check_delimiter(file)
    try:
        _check_text(file)
        check_header_line(file)
        _check_complete_rows(file)
        with warnings.catch_warnings():  # cells past the header's are empty (checked): nothing is lost
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(
                file, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", index_col=False
            )
    except pd.errors.EmptyDataError:
        raise InputError(f"{file}: the file is empty; it needs a header line and one row per week and series") from None
    except UnicodeDecodeError:
        raise InputError(_not_utf8(file)) from None
    except (pd.errors.ParserError, csv.Error) as error:
        reason = " ".join(str(error).split())[:160]
        raise InputError(f"{file}: not a readable CSV ({reason}); save it as comma-separated UTF-8 text") from None


def _not_utf8(file: Path) -> str:
    """The line for a file that is not UTF-8 text: the first line holding a byte UTF-8 does not allow,
    and that byte."""
    with open(file, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = line[error.start : error.start + 1].hex()
                return (
                    f"{file}: line {number} holds the byte 0x{byte}, which is not UTF-8 text (the file is in another "
                    "encoding, e.g. Latin-1 or Windows-1252); save it as CSV UTF-8 (in Excel: Save As 'CSV UTF-8')"
                )
    return f"{file}: not UTF-8 text; save it as comma-separated UTF-8 text"


def check_csv_path(file: Path) -> None:
    """Raise :class:`InputError` unless ``file`` is an existing regular file this process may read
    (the panel CSV's path)."""
    match file_problem(file):
        case "folder":
            raise InputError(f"'{file}' is a folder; give a CSV file in the panel schema or use --source synthetic")
        case "missing":
            raise InputError(
                f"'{file}' not found; pass the path of a CSV in the panel schema or use --source synthetic"
            )
        case "special":
            raise InputError(f"'{file}' is not a regular file; give a CSV file in the panel schema")
        case "unreadable":
            raise InputError(
                f"'{file}' cannot be read (permission denied); make it readable (e.g. chmod u+r '{file}') "
                "or give another CSV file"
            )


#: First bytes of files given instead of a CSV, by what they are (Parquet also ends with its mark).
MAGIC_NUMBERS = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty ZIP archive
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),  # OLE2: .xls (and other legacy Office files)
    (b"PAR1", "parquet"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
)
SAVE_AS_CSV = "save the sheet as CSV (e.g. in Excel: Save As 'CSV UTF-8 (Comma delimited)') and pass that file"


def _file_kind(file: Path) -> str | None:
    """What the first (and, for Parquet, last) bytes say ``file`` is, or None for anything else."""
    with open(file, "rb") as handle:
        start = handle.read(16)
        size = handle.seek(0, 2)
        handle.seek(max(size - 4, 0))
        end = handle.read(4)
    kind = next((kind for magic, kind in MAGIC_NUMBERS if start.startswith(magic)), None)
    match kind:
        case "parquet" if end != b"PAR1" or size < 12:
            return None  # text that happens to start with PAR1
        case "bzip2" if not re.match(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)", start):
            return None  # text that happens to start with BZh
        case "zip":
            return _zip_kind(file)
    return kind


def _zip_kind(file: Path) -> str:
    """A ZIP container: an Excel (``xlsx``) or OpenDocument (``ods``) workbook, or an archive (``zip``)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return "ods" if "mimetype" in names and "content.xml" in names else "zip"


def _zipped_csvs(file: Path, limit: int = 3) -> str:
    """The CSV files in a ZIP archive, e.g. `` (it holds mmm.csv)``, or nothing."""
    try:
        with zipfile.ZipFile(file) as archive:
            csvs = [name for name in archive.namelist() if name.lower().endswith(".csv")]
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if not csvs:
        return ""
    more = f" and {len(csvs) - limit} more" if len(csvs) > limit else ""
    return f" (it holds {', '.join(csvs[:limit])}{more})"


def check_not_packed(file: Path) -> None:
    """Recognise by its first bytes a file given instead of a CSV (gzip, ZIP and other archives,
    Excel and OpenDocument workbooks, Parquet): raise :class:`InputError` saying what it is and
    how to get the CSV."""
    kind = _file_kind(file)
    match kind:
        case None:
            return
        case "gzip":
            name = file.name
            if name.lower().endswith(".gz") and len(name) > 3:
                fix = f"unpack it (e.g. gunzip -k '{file}') and pass the CSV, '{file.with_name(name[:-3])}'"
            else:
                fix = f"unpack it (e.g. gunzip -c '{file}' > panel.csv) and pass the CSV"
            reason = f"a gzip-compressed file, not a CSV; {fix}"
        case "zip":
            reason = (
                f"a ZIP archive{_zipped_csvs(file)}, not a CSV; unpack it (e.g. unzip '{file}') and pass the CSV inside"
            )
        case "xlsx":
            reason = f"an Excel workbook (.xlsx), not a CSV; {SAVE_AS_CSV}"
        case "xls":
            reason = f"an Excel workbook (.xls, or another legacy Office file), not a CSV; {SAVE_AS_CSV}"
        case "ods":
            reason = "an OpenDocument spreadsheet (.ods), not a CSV; save the sheet as CSV (UTF-8) and pass that file"
        case "parquet":
            reason = (
                "a Parquet file, not a CSV; the source must be a CSV in the panel schema (e.g. python -c "
                f"\"import pandas as pd; pd.read_parquet('{file}').to_csv('panel.csv', index=False)\")"
            )
        case _:
            reason = f"a compressed archive ({kind}), not a CSV; unpack it and pass the CSV inside"
    raise InputError(f"{file}: {reason}")


def _check_text(file: Path) -> None:
    """NUL bytes at the start: a UTF-16/UTF-32 or binary file, not UTF-8 text."""
    with open(file, "rb") as handle:
        start = handle.read(65_536)
    if b"\x00" in start:
        raise InputError(
            f"{file}: not UTF-8 text (it contains NUL bytes, as UTF-16 or binary files do); "
            "save it as comma-separated UTF-8 text (e.g. in Excel: Save As 'CSV UTF-8 (Comma delimited)')"
        )


def _check_complete_rows(file: Path) -> None:
    """Every non-blank row has as many cells as the header (a short row means a cut-off file, a
    long one a comma inside a value); empty cells past the header's (trailing commas) are allowed."""
    with open(file, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header is None:
            return
        for row in rows:
            if row and len(row) < len(header):
                raise InputError(
                    f"{file}: line {rows.line_num} has {len(row)} of the header's {len(header)} cells; the file "
                    "looks cut off or the row is incomplete: complete or remove that line"
                )
            if any(cell.strip() for cell in row[len(header) :]):  # empty ones (trailing commas) are dropped
                raise InputError(
                    f"{file}: line {rows.line_num} has {len(row)} cells, the header {len(header)}; a value holds "
                    "a comma (quote it) or the row has cells no column names: fix or remove that line"
                )


#: Field separators that spreadsheets write instead of commas, by how a message names them.
OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


def check_delimiter(file: Path) -> None:
    """A header line (the first that is not blank) without commas but with semicolons, tabs or
    pipes: the file uses another separator. Used for every CSV a user gives (panel, lift tests)."""
    with open(file, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = ""
        for _ in range(1_000):  # a header lies under a few blank lines at most
            header = handle.readline(65_536)
            if not header or header.strip():
                break
    if "," in header or "\ufffd" in header or "\x00" in header:  # comma-separated, or not text at all
        return
    counts = {name: header.count(mark) for mark, name in OTHER_DELIMITERS.items()}
    name, count = max(counts.items(), key=lambda item: item[1])
    if count:
        raise InputError(
            f"{file}: the file looks {name}-separated (its header has {count} {name}s and no commas); "
            "save it as comma-separated CSV (e.g. in Excel: Save As 'CSV UTF-8 (Comma delimited)')"
        )


#: Lines searched for the header when the first names too few of the schema's columns.
HEADER_SEARCH_LINES = 10


def _schema_names(line: str) -> int:
    """How many of the schema's column names the cells of ``line`` hold (case and spaces aside)."""
    known = {name.lower() for name in schema.ALL_COLUMNS}
    cells = next(csv.reader([line]), [])
    return len({cell.strip().lower() for cell in cells} & known)


def check_header_line(file: Path) -> None:
    """Raise :class:`InputError` when the first line names few of the schema's columns and a later one
    (within :data:`HEADER_SEARCH_LINES`) names most: a title or comment row above the header, which would
    be read as the header and every column reported missing."""
    with open(file, encoding="utf-8-sig", errors="replace", newline="") as handle:
        lines = [line for _, line in zip(range(HEADER_SEARCH_LINES), handle, strict=False)]
    counts = [_schema_names(line) for line in lines]
    if not counts or counts[0] * 2 >= len(schema.ALL_COLUMNS):
        return
    k = next((k for k, count in enumerate(counts) if count * 2 >= len(schema.ALL_COLUMNS)), None)
    if k is not None and k > 0:
        first = " ".join(lines[0].split())[:60]
        raise InputError(
            f"{file}: line {k + 1} looks like the header (it names {counts[k]} of the schema's columns) but "
            f"line 1 ('{first}') comes before it; delete the {counted(k, 'line')} above the header (a title or comment row)"
        )


def validate_file(
    path: str | Path, channels: Channels | None = None, limits: ValidationSettings | None = None
) -> tuple[pd.DataFrame, ValidatedPanel]:
    """Read ``path`` as text and validate it (with the channel table's extra columns, e.g. spend
    columns, and the plausibility ``limits`` of ``data_config.yaml``); returns the text frame and
    the validated panel."""
    raw = read_raw_csv(path)
    return raw, validate_panel(raw, str(path), channels, limits)


def load_panel(path: str | Path) -> pd.DataFrame:
    """Read, validate and type a panel CSV (missing values are left as NaN, not imputed).

    Parameters
    ----------
    path : path to a CSV in the schema (dates M/D/YYYY or ISO; ``Week`` accepted for ``Date``).

    Returns
    -------
    DataFrame with the 28 schema columns: ``Date`` datetime64[ns] (week start), Geo/Brand/SKU
    str, the rest float64; rows sorted by (Geo, Brand, SKU, Date) on a complete weekly grid.

    Raises
    ------
    InputError
        On the first fatal problem, naming the file and column.
    """
    return validate_file(path)[1].frame


def write_raw_copy(raw: pd.DataFrame, validated: ValidatedPanel, target: Path) -> Path:
    """Write the panel as loaded (text cells unchanged): the schema's 28 columns, then the
    channel table's extra columns (spend columns).

    Column renames found during validation (e.g. ``Week`` -> ``Date``) are applied and
    other columns are left out; values and row order are untouched.
    """
    renames = {name: column for column, name in renamed_columns(validated.issues).items()}
    frame = raw.set_axis([str(c) for c in raw.columns], axis=1).rename(columns=renames)
    return write_csv(target, frame[[*schema.ALL_COLUMNS, *validated.channel_columns]])
